#include "emulator/harness/emulator_process.h"

#include <charconv>
#include <fstream>
#include <iterator>
#include <thread>

namespace sk::emu::harness {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// The port from a complete port file ("<digits>\n" or "<digits>"), or 0 while it is missing or partial.
uint16_t read_port(const fs::path& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) return 0;
  return static_cast<uint16_t>(value);
}

}  // namespace

std::vector<std::string> emulator_command_line(const EmulatorOptions& o, const fs::path& port_file) {
  std::vector<std::string> argv = {o.binary.string(),
                                   "--port",
                                   std::to_string(o.port),
                                   "--mariadb-host",
                                   o.mariadb_host,
                                   "--mariadb-port",
                                   std::to_string(o.mariadb_port),
                                   "--mariadb-user",
                                   o.mariadb_user};
  if (!o.mariadb_password.empty()) {
    argv.push_back("--mariadb-password");
    argv.push_back(o.mariadb_password);
  }
  argv.insert(argv.end(), {"--repository-root", o.repository_root.string(), "--port-file", port_file.string()});
  argv.insert(argv.end(), o.extra_args.begin(), o.extra_args.end());
  return argv;
}

Result<std::unique_ptr<EmulatorProcess>> EmulatorProcess::start(EmulatorOptions options) {
  std::unique_ptr<EmulatorProcess> emu(new EmulatorProcess());
  if (options.repository_root.empty()) options.repository_root = options.work_dir / "repository";
  std::error_code ec;
  fs::create_directories(options.repository_root, ec);
  if (ec) {
    return fail("harness.io", "cannot create repository root {}: {}", options.repository_root.string(),
                ec.message());
  }
  emu->options_ = std::move(options);
  fs::path port_file = emu->port_file();
  fs::remove(port_file, ec);
  auto child = ChildProcess::spawn(
      {emulator_command_line(emu->options_, port_file), emu->log_file(), emu->options_.die_with_parent});
  if (!child) return std::unexpected(child.error());
  emu->process_ = std::move(*child);

  auto deadline = Clock::now() + emu->options_.start_timeout;
  while (Clock::now() < deadline) {
    if (!emu->process_.running()) {
      return fail("harness.start", "starkeep-emulator exited during start-up (status {}); log tail:\n{}",
                  emu->process_.wait_status(), tail_of(emu->log_file()));
    }
    if (uint16_t port = read_port(port_file); port != 0 && probe_mysql(emu->host_, port)) {
      emu->port_ = port;
      return emu;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  emu->process_.stop(std::chrono::seconds(5));
  return fail("harness.start", "starkeep-emulator wrote no port file {} within {} ms; log tail:\n{}",
              port_file.string(), emu->options_.start_timeout.count(), tail_of(emu->log_file()));
}

void EmulatorProcess::stop() { process_.stop(std::chrono::seconds(10)); }

EmulatorProcess::~EmulatorProcess() { stop(); }

}  // namespace sk::emu::harness
