// Child processes for the test harness: spawn with output to a log file, readiness helpers (free ports, MySQL
// handshake probe), and stopping (SIGTERM, bounded wait, SIGKILL) either a child we own or a daemon known only by
// pid (the `starkeep-emu-harness down` case). Linux only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace sk::emu::harness {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the program; resolved through PATH (see find_program)
  std::filesystem::path log_file;  // stdout and stderr, appended; stdin is /dev/null
  // Kill the child when the spawning thread's process dies (PR_SET_PDEATHSIG); off for daemons that must outlive
  // the spawner (`starkeep-emu-harness up`). Note: the signal follows the *thread* that spawned.
  bool die_with_parent = true;
};

// A spawned child in its own session (setsid), so terminal signals to the spawner do not reach it.
// Owns the process: the destructor stops it unless release() was called. Not thread-safe.
class ChildProcess {
 public:
  [[nodiscard]] static Result<ChildProcess> spawn(const SpawnOptions& options);
  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const { return pid_; }
  // True while the child runs; reaps it (once) when it has exited.
  [[nodiscard]] bool running();
  // The exit status as waitpid reports it, after running() returned false.
  [[nodiscard]] int wait_status() const { return status_; }
  // SIGTERM, wait up to `grace`, then SIGKILL; reaps. No-op when not running.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(30));
  // Forgets the child: it keeps running after this object is gone.
  void release() { pid_ = -1; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

// `name` when it contains a '/', else the first executable match in PATH, /usr/sbin, /usr/local/sbin, /sbin.
// Errors: "harness.not_found".
[[nodiscard]] Result<std::filesystem::path> find_program(const std::string& name);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0). Callers retry on a collision.
[[nodiscard]] Result<uint16_t> pick_free_port();

// Connects to host:port and checks that a MySQL handshake v10 arrives within `timeout`.
[[nodiscard]] Status probe_mysql(const std::string& host, uint16_t port,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(2));

// For daemons not spawned by this process: alive = exists, is not a zombie, and its command line contains
// `expected_in_cmdline` (guards against a reused pid).
[[nodiscard]] bool process_alive(pid_t pid, const std::string& expected_in_cmdline);
// SIGTERM, wait up to `grace` for it to disappear, then SIGKILL and wait a little more. True when it is gone.
bool stop_pid(pid_t pid, const std::string& expected_in_cmdline,
              std::chrono::milliseconds grace = std::chrono::seconds(30));

// The whole of a text file such as a child's log ("" when it does not exist yet or is unreadable).
[[nodiscard]] std::string read_text(const std::filesystem::path& file);

// The last `max_lines` lines of a text file ("" when unreadable), for error messages.
[[nodiscard]] std::string tail_of(const std::filesystem::path& file, size_t max_lines = 20);

// The first `head` and last `tail` lines of a text file (all of it when short), for error messages.
[[nodiscard]] std::string excerpt_of(const std::filesystem::path& file, size_t head = 10, size_t tail = 25);

// Makes a fresh directory `<parent>/<prefix>XXXXXX`; parent empty = $TMPDIR, else /tmp. Errors: "harness.io".
[[nodiscard]] Result<std::filesystem::path> make_temp_dir(const std::filesystem::path& parent,
                                                          const std::string& prefix);

}  // namespace sk::emu::harness
