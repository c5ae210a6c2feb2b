// cli_bench: runs the real `starkeep` binary as a process — `check --format json`, `plan` (text preview) and
// `plan --format json` — on one policy and inventory, and reports per command the best wall time, the child's CPU
// time (user + system) and its peak RSS, both read from wait4()'s rusage of that child alone. What a user and CI
// see, process start and output included, unlike plan_bench, which times the library calls inside one process.
// Output goes to /dev/null. Not a test; run through bench/run.sh (cli).
//   cli_bench --starkeep build/tools/starkeep/starkeep --policy bench/plan_bench/bench_policy.skp
//             --inventory inv.json --at "2025-09-07 01:05" --repeat 3   (one line)
// Prints one markdown row per command: | command | best wall ms | CPU ms of that run | max peak RSS MB | exit |
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

extern char** environ;

namespace {

struct Sample {
  double wall_ms = 0;
  double cpu_ms = 0;
  double rss_mb = 0;
  int exit_code = -1;
};

double ms(const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; }

// Spawns argv with stdout and stderr on /dev/null and waits for it; rusage is that child's only.
Sample run_once(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  Sample s;
  pid_t pid = 0;
  const auto start = std::chrono::steady_clock::now();
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::cerr << "cli_bench: cannot start " << args[0] << ": " << std::strerror(rc) << "\n";
    return s;
  }
  int status = 0;
  rusage usage{};
  if (::wait4(pid, &status, 0, &usage) != pid) return s;
  s.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  s.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  s.rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
  s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string starkeep, policy, inventory, at = "2025-09-07 01:05";
  int repeat = 3;
  CLI::App app{"Wall time, CPU time and peak RSS of the starkeep check/plan processes", "cli_bench"};
  app.add_option("--starkeep", starkeep, "The starkeep binary")->required();
  app.add_option("--policy", policy)->required();
  app.add_option("--inventory", inventory)->required();
  app.add_option("--at", at)->capture_default_str();
  app.add_option("--repeat", repeat)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"check --format json", {starkeep, "check", "--policy", policy, "--inventory", inventory, "--format", "json"}},
      {"plan", {starkeep, "plan", "--policy", policy, "--inventory", inventory, "--at", at}},
      {"plan --format json",
       {starkeep, "plan", "--policy", policy, "--inventory", inventory, "--at", at, "--format", "json"}},
  };
  for (const auto& [name, args] : commands) {
    Sample best;
    double max_rss = 0;
    for (int r = 0; r < repeat; ++r) {
      const Sample s = run_once(args);
      max_rss = std::max(max_rss, s.rss_mb);
      if (r == 0 || s.wall_ms < best.wall_ms) best = s;
    }
    std::cout << fmt::format("| `{}` | {:.0f} | {:.0f} | {:.0f} | {} |\n", name, best.wall_ms, best.cpu_ms, max_rss,
                             best.exit_code);
  }
  return 0;
}
