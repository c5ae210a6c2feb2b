// Child processes for the end-to-end tests and benchmarks: start a program (the real `starkeep` binary, or
// bash for runbook blocks) with arguments and extra environment, capture its exit code, stdout and stderr (to
// files in a work directory, so that nothing blocks on a full pipe), wait with a timeout (SIGKILL when it
// passes), and catch a child that stopped itself (the CLI's test-only STARKEEP_TEST_PAUSE_AT raises SIGSTOP).
//
// Processes owns what it started: its destructor SIGKILLs and reaps every child still alive. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace sk::test {

namespace fs = std::filesystem;

// The end of one child process.
struct Finished {
  int code = -1;           // exit status, 128 + signal when killed by one
  std::string out, err;    // err is empty with SpawnOptions::merge_stderr
  bool timed_out = false;  // killed because the timeout passed
  double seconds = 0;      // wall time from spawn to the end
  // "exit N\nstdout:\n…\nstderr:\n…", for assertion messages.
  [[nodiscard]] std::string describe() const;
};

// A started child.
struct Proc {
  pid_t pid = -1;
  fs::path out, err;
  std::chrono::steady_clock::time_point started{};
};

struct SpawnOptions {
  std::vector<std::string> env{};    // "NAME=value", added to (and overriding) this process's environment
  std::vector<std::string> unset{};  // NAMEs removed from this process's environment (before `env` is added)
  bool merge_stderr = false;    // stderr into stdout's file, interleaved as written (Finished::err empty)
  bool discard_stdout = false;  // stdout to /dev/null (large outputs nobody reads)
};

inline constexpr std::chrono::seconds kDefaultTimeout{600};

class Processes {
 public:
  // Output files go to `dir` (created when missing) as out<N>.txt / err<N>.txt.
  explicit Processes(fs::path dir);
  ~Processes();
  Processes(const Processes&) = delete;
  Processes& operator=(const Processes&) = delete;

  // Starts `args` (args[0] is the program's path). A child that cannot exec exits 127.
  Proc spawn(const std::vector<std::string>& args, const SpawnOptions& options = {});
  // Waits for `p` to end; past `timeout` it is SIGKILLed (Finished::timed_out).
  Finished wait(const Proc& p, std::chrono::milliseconds timeout = kDefaultTimeout);
  // spawn + wait.
  Finished run(const std::vector<std::string>& args, const SpawnOptions& options = {},
               std::chrono::milliseconds timeout = kDefaultTimeout);
  // `bash -c script` (e.g. a runbook block), stderr merged into stdout.
  Finished shell(const std::string& script, const std::vector<std::string>& env = {},
                 std::chrono::milliseconds timeout = kDefaultTimeout);
  // Waits until `p` stops itself (SIGSTOP). False when it ended instead (it is then reaped).
  bool wait_stopped(const Proc& p);
  // SIGKILLs `p` (stopped or running) and reaps it.
  Finished kill_now(const Proc& p);
  // Sends `signal` to `p` without waiting.
  void signal(const Proc& p, int signal);

  [[nodiscard]] const fs::path& dir() const { return dir_; }

 private:
  Finished finish(const Proc& p, int status, bool timed_out);
  fs::path dir_;
  int counter_ = 0;
  std::vector<pid_t> live_;
};

// The whole file as text ("" when it cannot be read).
[[nodiscard]] std::string slurp(const fs::path& path);

}  // namespace sk::test
