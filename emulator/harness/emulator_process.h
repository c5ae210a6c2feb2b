// The `starkeep-emulator` binary run as a child process, started with the flag contract in
// emulator/harness/README.md and considered ready once it has written its port file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/harness/process.h"

namespace sk::emu::harness {

struct EmulatorOptions {
  std::filesystem::path binary{};  // the starkeep-emulator executable
  std::filesystem::path work_dir{};  // port file and log go here; must exist
  std::filesystem::path repository_root{};  // empty = <work_dir>/repository (created)
  uint16_t port = 0;  // 0 = the emulator picks a free port
  std::string mariadb_host = "127.0.0.1";
  uint16_t mariadb_port = 0;
  std::string mariadb_user = "root";
  std::string mariadb_password{};  // passed as --mariadb-password only when not empty
  std::vector<std::string> extra_args{};  // appended verbatim, e.g. {"--enable-faults", "--time-scale", "50"}
  std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
  bool die_with_parent = true;  // see SpawnOptions
};

// One running emulator. Owns the process. Not thread-safe.
class EmulatorProcess {
 public:
  // Starts the binary and waits for its port file and a MySQL handshake on that port. Errors:
  // "harness.not_found", "harness.start" (exited early or timed out; message has the log tail), "harness.io".
  [[nodiscard]] static Result<std::unique_ptr<EmulatorProcess>> start(EmulatorOptions options);
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  // SIGTERM, wait up to 10 s, SIGKILL; reaps. Idempotent.
  void stop();
  // Leaves the process running when this object is destroyed (daemon mode).
  void release() { process_.release(); }

  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return process_.pid(); }
  [[nodiscard]] std::filesystem::path log_file() const { return options_.work_dir / "emulator.log"; }
  [[nodiscard]] std::filesystem::path port_file() const { return options_.work_dir / "emulator.port"; }
  [[nodiscard]] const std::filesystem::path& repository_root() const { return options_.repository_root; }
  [[nodiscard]] bool running() { return process_.running(); }

 private:
  EmulatorProcess() = default;
  EmulatorOptions options_;
  std::string host_ = "127.0.0.1";
  uint16_t port_ = 0;
  ChildProcess process_;
};

// The command line start() runs (exposed for the README contract and tests).
[[nodiscard]] std::vector<std::string> emulator_command_line(const EmulatorOptions& options,
                                                             const std::filesystem::path& port_file);

}  // namespace sk::emu::harness
