#include "tools/starkeep/cli_common.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {

namespace {

// Reads up to `size` bytes at `buf`; the count read (short only at the end of the file or on an error).
size_t read_fully(int fd, char* buf, size_t size, int& error) {
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, buf + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

}  // namespace

// With read(2) straight into the string: a 174 MB inventory is not zero-filled before it is overwritten. A pipe
// or FIFO (`--inventory <(…)`) is read to its end.
Result<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sk::fail(errc::kIoRead, "cannot open '{}': {}", path, std::strerror(errno));
  struct stat st {};
  int error = ::fstat(fd, &st) == 0 ? 0 : errno;
  std::string text;
  bool complete = false;
  if (error == 0 && S_ISREG(st.st_mode)) {
    const auto size = static_cast<size_t>(st.st_size);
    text.resize_and_overwrite(size, [&](char* buf, size_t n) { return read_fully(fd, buf, n, error); });
    complete = error == 0 && text.size() == size;
  } else if (error == 0) {
    constexpr size_t kChunk = 1 << 16;
    for (size_t got = kChunk; got == kChunk && error == 0;) {
      const size_t old = text.size();
      text.resize_and_overwrite(old + kChunk, [&](char* buf, size_t) {
        got = read_fully(fd, buf + old, kChunk, error);
        return old + got;
      });
    }
    complete = error == 0;
  }
  ::close(fd);
  if (!complete) {
    return sk::fail(errc::kIoRead, "cannot read '{}': {}", path,
                    error != 0 ? std::strerror(error) : "the file changed size while it was read");
  }
  return text;
}

namespace {

// The mapped inventory's bytes, for the SIGBUS handler (one mapping per process: the inventory of one command).
std::atomic<const char*> g_mapped_begin{nullptr};
std::atomic<const char*> g_mapped_end{nullptr};

// A file truncated while it is mapped raises SIGBUS on the next read of a lost page. Inside the mapping that is the
// input changing under the command: the documented input error, not a crash. Anything else keeps its default.
extern "C" void on_bus_error(int signal, siginfo_t* info, void*) {
  const auto* at = static_cast<const char*>(info->si_addr);
  if (at >= g_mapped_begin.load() && at < g_mapped_end.load()) {
    static constexpr char kMessage[] = "starkeep: error: the inventory file was truncated while it was read\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    ::_exit(kExitNoInput);
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

struct Mapping {
  void* address = nullptr;
  size_t size = 0;
  Mapping(void* a, size_t n) : address(a), size(n) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() {
    g_mapped_begin.store(nullptr);
    g_mapped_end.store(nullptr);
    ::munmap(address, size);
  }
};

}  // namespace

// A large regular file is mapped read-only instead of copied: for a 174 MB inventory the copy into a fresh buffer
// (and the page faults of that buffer) was about a tenth of `starkeep plan`'s CPU. Small files, pipes and any file
// that cannot be mapped are read.
Result<diag::SourceFile> read_source(const std::string& path) {
  constexpr off_t kMapFrom = off_t{1} << 20;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  void* address = MAP_FAILED;
  if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= kMapFrom &&
      g_mapped_begin.load() == nullptr) {
    address = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  if (fd >= 0) ::close(fd);
  if (address == MAP_FAILED) {
    auto text = read_file(path);
    if (!text) return std::unexpected(std::move(text).error());
    return diag::SourceFile(path, std::move(*text));
  }
  const auto size = static_cast<size_t>(st.st_size);
  ::madvise(address, size, MADV_SEQUENTIAL);
  struct sigaction action {};
  action.sa_sigaction = on_bus_error;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, nullptr);
  const auto* begin = static_cast<const char*>(address);
  g_mapped_begin.store(begin);
  g_mapped_end.store(begin + size);
  return diag::SourceFile(path, std::make_shared<const Mapping>(address, size), std::string_view(begin, size));
}

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }
}  // namespace

const std::atomic<bool>& install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  return g_stop;
}

int print_failure(std::string_view command, const std::string& message, int code, std::string_view format,
                  JsonVersion version) {
  if (format == "json") {
    nlohmann::json j{{"error", message}, {"exit_code", code}};
    if (!version.field.empty()) j[std::string(version.field)] = version.version;
    std::cout << json_text(j, 2) << "\n";
  }
  std::cerr << "starkeep " << command << ": error: " << message << "\n";
  return code;
}

Instant now() {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return Instant::from_unix_seconds(secs.count());
}

Result<Instant> parse_instant_flag(const std::string& text, const TimeZone& zone) {
  if (text == "now") return now();
  return Instant::parse(text, zone);
}

std::optional<CivilDay> reference_day(std::string_view command, const std::string& reference, std::ostream& err) {
  if (reference.empty()) return CivilDay(TimeZone::utc().to_local(now()));
  auto at = Instant::parse(reference, TimeZone::utc());
  if (!at) {
    err << "starkeep " << command << ": error: --reference: " << at.error().message << "\n";
    return std::nullopt;
  }
  return CivilDay(TimeZone::utc().to_local(*at));
}

int load_inputs(const std::string& policy_path, const std::string& inventory_path, Inputs& inputs, std::ostream& err) {
  auto policy = read_file(policy_path);
  if (!policy) {
    err << "starkeep: error: " << policy.error().describe() << "\n";
    return kExitNoInput;
  }
  inputs.policy.emplace(policy_path, std::move(*policy));
  if (!inventory_path.empty()) {
    auto inv = read_source(inventory_path);
    if (!inv) {
      err << "starkeep: error: " << inv.error().describe() << "\n";
      return kExitNoInput;
    }
    inputs.inventory.emplace(std::move(*inv));
  }
  return kExitOk;
}

namespace {

std::vector<analysis::ExcludedTables> excluded_of(const driver::Compilation& c) {
  if (!c.policy || !c.inventory || !c.selection) return {};
  return analysis::excluded_tables(*c.policy, *c.inventory, *c.selection);
}

// "excluded: 3 tables, deliberately not backed up" and one line per exclusion; empty without exclusions.
std::string excluded_text(const std::vector<analysis::ExcludedTables>& excluded) {
  size_t n = 0;
  for (const auto& e : excluded) n += e.tables.size();
  if (n == 0) return "";
  std::string out = fmt::format("excluded: {} table{}, deliberately not backed up\n", n, n == 1 ? "" : "s");
  for (const auto& e : excluded) {
    out += fmt::format("  \"{}\" ({}): {}\n", diag::escape_for_terminal(e.reason), diag::escape_for_terminal(e.rule),
                       diag::escape_for_terminal(analysis::describe_tables(e.tables, 10)));
  }
  return out;
}

}  // namespace

void print_diagnostics(const driver::Compilation& c, const Inputs& inputs, Format format, std::ostream& out,
                       bool summary, bool list_excluded) {
  if (format == Format::kJson) {
    nlohmann::json all = diag::render_json(*inputs.policy, c.policy_diagnostics.diagnostics());
    if (inputs.inventory) {
      for (auto& d : diag::render_json(*inputs.inventory, c.inventory_diagnostics.diagnostics())) all.push_back(d);
    }
    nlohmann::json excluded = nlohmann::json::array();
    for (const analysis::ExcludedTables& e : excluded_of(c)) {
      excluded.push_back({{"reason", e.reason}, {"rule", e.rule}, {"tables", e.tables}});
    }
    // Versioned like the plan: a consumer checks check_version before reading (docs/cli.md).
    const nlohmann::json doc{{"check_version", kCheckJsonVersion},
                             {"diagnostics", std::move(all)},
                             {"diagnostics_omitted",
                              c.policy_diagnostics.omitted() + c.inventory_diagnostics.omitted()},
                             {"excluded", std::move(excluded)}};
    out << json_text(doc, 2) << "\n";
    return;
  }
  out << diag::render_text(*inputs.policy, c.policy_diagnostics.diagnostics(), false, c.policy_diagnostics.omitted());
  if (inputs.inventory) {
    out << diag::render_text(*inputs.inventory, c.inventory_diagnostics.diagnostics(), false,
                             c.inventory_diagnostics.omitted());
  }
  if (list_excluded) out << excluded_text(excluded_of(c));
  if (summary) {
    // One count per file, so that the line names the file that has the errors.
    const auto count = [](const diag::SourceFile& file, const diag::DiagnosticSink& sink) {
      const size_t e = sink.error_count(), w = sink.warning_count();
      return fmt::format("{}: {} error{}, {} warning{}", diag::escape_for_terminal(file.path()), e,
                         e == 1 ? "" : "s", w, w == 1 ? "" : "s");
    };
    std::string line = count(*inputs.policy, c.policy_diagnostics);
    if (inputs.inventory) line += "; " + count(*inputs.inventory, c.inventory_diagnostics);
    out << line << "\n";
  }
}

}  // namespace sk::cli
