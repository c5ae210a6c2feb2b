// A private MariaDB server for tests, the demo and benchmarks: a fresh datadir (mariadb-install-db), mariadbd on
// a free 127.0.0.1 port, root with an empty password, removed again on stop().
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

struct MariaDbOptions {
  // Where the instance directory `starkeep-mariadb-XXXXXX` is created; empty = $TMPDIR, else /tmp.
  std::filesystem::path parent_dir{};
  // Leave the instance directory (datadir, error log) behind on stop().
  bool keep_dir = false;
  std::string mariadbd = "mariadbd";
  std::string install_db = "mariadb-install-db";
  std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
  // Extra mariadbd options, e.g. "--max-connections=500".
  std::vector<std::string> extra_args{};
  // See SpawnOptions::die_with_parent; false for daemons that outlive the harness command.
  bool die_with_parent = true;
  // Attempts with a fresh port when another process took the chosen one first.
  int port_attempts = 6;
};

// One running mariadbd. Owns the process and the instance directory. Not thread-safe.
class MariaDbInstance {
 public:
  // Installs a datadir and starts mariadbd; returns once it accepts connections. Errors: "harness.not_found",
  // "harness.install" (mariadb-install-db failed; message has its log tail), "harness.start" (mariadbd exited or
  // did not become ready in time; message has the error-log tail), "harness.io".
  [[nodiscard]] static Result<std::unique_ptr<MariaDbInstance>> start(MariaDbOptions options = {});
  ~MariaDbInstance();
  MariaDbInstance(const MariaDbInstance&) = delete;
  MariaDbInstance& operator=(const MariaDbInstance&) = delete;

  // SIGTERM, wait, SIGKILL; then removes the instance directory unless keep_dir. Idempotent.
  void stop();
  // Leaves mariadbd running and the directory in place when this object is destroyed (daemon mode).
  void release();

  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& user() const { return user_; }
  [[nodiscard]] const std::string& password() const { return password_; }
  [[nodiscard]] pid_t pid() const { return process_.pid(); }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::filesystem::path datadir() const { return dir_ / "data"; }
  [[nodiscard]] std::filesystem::path socket_path() const { return socket_; }
  [[nodiscard]] std::filesystem::path error_log() const { return dir_ / "error.log"; }
  [[nodiscard]] std::filesystem::path tmpdir() const { return dir_ / "tmp"; }
  [[nodiscard]] bool running() { return process_.running(); }

 private:
  MariaDbInstance() = default;
  Status install();
  // Result: true = ready, false = the port was taken (retry with another).
  Result<bool> launch(uint16_t port);

  MariaDbOptions options_;
  std::filesystem::path dir_;
  std::filesystem::path socket_;
  std::string host_ = "127.0.0.1";
  uint16_t port_ = 0;
  std::string user_ = "root";
  std::string password_;
  ChildProcess process_;
  bool released_ = false;
  bool stopped_ = false;
};

}  // namespace sk::emu::harness
