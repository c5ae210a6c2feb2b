// parse_bench: peak memory per input byte of the policy parser, for the kinds of text that cost it most.
// Generates policies just under a size (default: the input limit, syntax::kMaxPolicyBytes) — comment lines, a
// list of quoted names, dense blocks, dense nested blocks, a list of unquoted names, and hostile shapes (4-byte
// entries or blocks, empty tiers, one long `or` chain, a list of commas) — and measures each in a fresh child
// process:
//   * parse: this binary re-run as `parse_bench --parse FILE`, which reads the file and runs syntax::parse()
//   only;
//   * check: the real `starkeep check --policy FILE` (all of the front end: parse, sema, analysis,
//   rendering).
// Peak RSS comes from wait4()'s rusage of that child alone; the same measurement of a 34-byte policy is
// subtracted, and the rest divided by the file size gives bytes of memory per input byte. Not a test;
// bench/run.sh parse.
//   parse_bench --starkeep build/tools/starkeep/starkeep [--bytes 262000]
// Prints one markdown row per input: | input | bytes | parse MB | parse B/byte | check MB | check B/byte |
// exit |
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/parse.h"

extern char** environ;

namespace {

struct Child {
  double peak_mb = 0;
  int exit_code = -1;
};

// Spawns argv with stdout and stderr on /dev/null and waits for it; the peak RSS is that child's only.
Child run_child(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  Child c;
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::cerr << "parse_bench: cannot start " << args[0] << ": " << std::strerror(rc) << "\n";
    return c;
  }
  int status = 0;
  rusage usage{};
  if (::wait4(pid, &status, 0, &usage) != pid) return c;
  c.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return c;
}

// A policy block holding `line(i)` for i = 0, 1, … while the file stays under `bytes`.
std::string fill_policy(size_t bytes, const std::function<std::string(size_t)>& line,
                        const std::string& close = "}\n") {
  std::string text = "policy \"p\" {\n";
  for (size_t i = 0;; ++i) {
    std::string next = line(i);
    if (text.size() + next.size() + close.size() > bytes) break;
    text += next;
  }
  return text + close;
}

struct Input {
  std::string name;
  std::string text;
};

std::vector<Input> inputs(size_t bytes) {
  std::vector<Input> all;
  all.push_back({"comment lines", fill_policy(bytes, [](size_t) {
                   return std::string("  # a comment line, long enough to be a realistic one ........\n");
                 })});
  all.push_back({"list of quoted names",
                 fill_policy(
                     bytes, [](size_t i) { return fmt::format("\"d{:05}\", ", i); }, "\"z\"]\n}\n")});
  all.back().text.insert(std::string_view("policy \"p\" {\n").size(), "  databases = [");
  all.push_back({"dense blocks", fill_policy(bytes, [](size_t i) {
                   return fmt::format(
                       "  tier \"t{}\" {{ backup = tables; retain = 14d; schedule = mon at 01:00 }}\n", i);
                 })});
  all.push_back({"dense nested blocks", fill_policy(bytes, [](size_t i) {
                   return fmt::format(
                       "  a \"{}\" {{ k = x; b \"y\" {{ m = 1d; c \"z\" {{ d \"w\" {{ n = 2 }} }} }} }}\n",
                       i);
                 })});
  all.push_back(
      {"list of unquoted names", fill_policy(
                                     bytes, [](size_t i) { return fmt::format("d{:05}, ", i); }, "z]\n}\n")});
  all.back().text.insert(std::string_view("policy \"p\" {\n").size(), "  databases = [");
  // Hostile shapes: the smallest node per byte the grammar allows, and floods of one mistake.
  all.push_back({"4-byte entries (`a=1`)", fill_policy(bytes, [](size_t) { return std::string("a=1\n"); })});
  all.push_back({"4-byte blocks (`x{}`)", fill_policy(bytes, [](size_t) { return std::string("x{}\n"); })});
  all.push_back({"empty tiers (`tier \"N\" {}`)",
                 fill_policy(bytes, [](size_t i) { return fmt::format("tier \"{}\" {{}}\n", i); })});
  all.push_back({"one `or` chain of 50,000 names",
                 fill_policy(
                     bytes, [](size_t) { return std::string("a or "); }, "a\n}\n")});
  all.back().text.insert(std::string_view("policy \"p\" {\n").size(), "  include = ");
  all.push_back({"a list of commas (a syntax error per byte)",
                 fill_policy(
                     bytes, [](size_t) { return std::string(","); }, "]\n}\n")});
  all.back().text.insert(std::string_view("policy \"p\" {\n").size(), "  databases = [");
  return all;
}

// The whole file in one string of its exact size, as `starkeep check` reads it (tools/starkeep/cli_common.cpp): a
// stringstream would add two growing copies, about 7 bytes per input byte, to what is measured.
std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<size_t>(std::filesystem::file_size(path)), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

// `parse_bench --parse FILE`: the parser alone, as a child process.
int parse_only(const std::string& path) {
  sk::diag::SourceFile file(path, read_whole(path));
  sk::diag::DiagnosticSink sink;
  const sk::ast::Policy policy = sk::syntax::parse(file, sink);
  return policy.blocks.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string starkeep, parse_file;
  size_t bytes = sk::syntax::kMaxPolicyBytes - 100;
  CLI::App app{"Peak memory per input byte of the policy parser and of starkeep check", "parse_bench"};
  app.add_option("--starkeep", starkeep, "The starkeep binary");
  app.add_option("--bytes", bytes, "Size of each generated policy")->capture_default_str();
  app.add_option("--parse", parse_file, "Internal: parse this file only (the child process)");
  CLI11_PARSE(app, argc, argv);
  if (!parse_file.empty()) return parse_only(parse_file);
  if (starkeep.empty()) {
    std::cerr << "parse_bench: --starkeep is required\n";
    return 2;
  }
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("parse_bench.{}", getpid());
  std::filesystem::create_directories(dir);
  const auto measure = [&](const std::string& name, const std::string& text) {
    const std::string path = (dir / (name + ".skp")).string();
    std::ofstream(path, std::ios::binary) << text;
    return std::pair{run_child({self, "--parse", path}), run_child({starkeep, "check", "--policy", path})};
  };
  const auto [parse_base, check_base] = measure("tiny", "policy \"p\" {\n  timezone = \"UTC\"\n}\n");
  std::cout << fmt::format("baseline (34-byte policy): parse {:.1f} MB, check {:.1f} MB\n\n",
                           parse_base.peak_mb, check_base.peak_mb);
  std::cout << "| input | bytes | parse MB | parse B/byte | check MB | check B/byte | check exit |\n";
  std::cout << "|---|---:|---:|---:|---:|---:|---:|\n";
  int n = 0;
  for (const Input& input : inputs(bytes)) {
    const auto [parse, check] = measure(fmt::format("input{}", n++), input.text);
    const auto per_byte = [&](double mb, double base) {
      return (mb - base) * 1024 * 1024 / static_cast<double>(input.text.size());
    };
    std::cout << fmt::format("| {} | {} | {:.1f} | {:.0f} | {:.1f} | {:.0f} | {} |\n", input.name,
                             input.text.size(), parse.peak_mb, per_byte(parse.peak_mb, parse_base.peak_mb),
                             check.peak_mb, per_byte(check.peak_mb, check_base.peak_mb), check.exit_code);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
