#include "emulator/harness/mariadb_instance.h"

#include <sys/wait.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace sk::emu::harness {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Options both for the bootstrap and the server, so the redo log is created at its final size.
const std::vector<std::string> kInnodbSizing = {"--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M"};

bool port_taken(const std::string& log) {
  return log.find("Address already in use") != std::string::npos ||
         log.find("Bind on TCP/IP port") != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<MariaDbInstance>> MariaDbInstance::start(MariaDbOptions options) {
  std::unique_ptr<MariaDbInstance> db(new MariaDbInstance());
  db->options_ = std::move(options);
  auto dir = make_temp_dir(db->options_.parent_dir, "starkeep-mariadb-");
  if (!dir) return std::unexpected(dir.error());
  db->dir_ = *dir;
  db->socket_ = db->dir_ / "mysql.sock";
  // A private tmpdir: mariadbd deletes every #sql* file in its tmpdir at start-up, which breaks other servers
  // (and concurrent mariadb-install-db runs) sharing /tmp.
  std::error_code ec;
  fs::create_directories(db->tmpdir(), ec);
  if (ec) return fail("harness.io", "cannot create {}: {}", db->tmpdir().string(), ec.message());
  if (db->socket_.string().size() > 100) {
    // sun_path holds 108 bytes: keep the socket in the instance directory only when the path fits.
    db->socket_ = fs::path("/tmp") / ("starkeep-" + db->dir_.filename().string() + ".sock");
  }
  if (auto s = db->install(); !s) return std::unexpected(std::move(s.error()).with_context(
                                        "while installing a MariaDB datadir in " + db->dir_.string()));
  for (int attempt = 0; attempt < db->options_.port_attempts; ++attempt) {
    auto port = pick_free_port();
    if (!port) return std::unexpected(port.error());
    auto ready = db->launch(*port);
    if (!ready) return std::unexpected(std::move(ready.error()).with_context("MariaDB dir " + db->dir_.string()));
    if (*ready) {
      db->port_ = *port;
      return db;
    }
  }
  return fail("harness.start", "mariadbd could not bind a free port after {} attempts",
              db->options_.port_attempts);
}

Status MariaDbInstance::install() {
  auto program = find_program(options_.install_db);
  if (!program) return std::unexpected(program.error());
  std::vector<std::string> argv = {program->string(),
                                   "--no-defaults",
                                   "--auth-root-authentication-method=normal",
                                   "--datadir=" + datadir().string(),
                                   "--user=root",
                                   "--skip-test-db",
                                   "--skip-name-resolve",
                                   "--tmpdir=" + tmpdir().string()};
  argv.insert(argv.end(), kInnodbSizing.begin(), kInnodbSizing.end());
  fs::path log = dir_ / "install.log";
  auto child = ChildProcess::spawn({argv, log, true});
  if (!child) return std::unexpected(child.error());
  auto deadline = Clock::now() + options_.start_timeout;
  while (child->running()) {
    if (Clock::now() > deadline) {
      child->stop(std::chrono::seconds(1));
      return fail("harness.install", "mariadb-install-db timed out:\n{}", excerpt_of(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  int status = child->wait_status();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail("harness.install", "mariadb-install-db failed (status {}):\n{}", status, excerpt_of(log));
  }
  return ok();
}

Result<bool> MariaDbInstance::launch(uint16_t port) {
  auto program = find_program(options_.mariadbd);
  if (!program) return std::unexpected(program.error());
  fs::path log = error_log();
  { std::ofstream truncate(log, std::ios::trunc); }
  std::vector<std::string> argv = {program->string(),
                                   "--no-defaults",
                                   "--user=root",
                                   "--datadir=" + datadir().string(),
                                   "--socket=" + socket_.string(),
                                   "--port=" + std::to_string(port),
                                   "--bind-address=127.0.0.1",
                                   "--skip-networking=0",
                                   "--skip-log-bin",
                                   "--skip-name-resolve",
                                   "--pid-file=" + (dir_ / "mariadbd.pid").string(),
                                   "--log-error=" + log.string(),
                                   "--tmpdir=" + tmpdir().string(),
                                   "--innodb-flush-log-at-trx-commit=2",
                                   "--innodb-doublewrite=0",
                                   "--character-set-server=utf8mb4",
                                   "--collation-server=utf8mb4_general_ci",
                                   "--max-connections=1000"};
  argv.insert(argv.end(), kInnodbSizing.begin(), kInnodbSizing.end());
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  auto child = ChildProcess::spawn({argv, dir_ / "mariadbd.out", options_.die_with_parent});
  if (!child) return std::unexpected(child.error());
  process_ = std::move(*child);

  auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    if (!process_.running()) {
      std::string text = read_text(log);
      if (port_taken(text)) return false;
      return fail("harness.start", "mariadbd exited during start-up (status {}); error log:\n{}",
                  process_.wait_status(), excerpt_of(log));
    }
    if (read_text(log).find("ready for connections") != std::string::npos && probe_mysql(host_, port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  process_.stop(std::chrono::seconds(5));
  return fail("harness.start", "mariadbd not ready after {} ms; error log:\n{}", options_.start_timeout.count(),
              excerpt_of(log));
}

void MariaDbInstance::stop() {
  if (stopped_) return;
  stopped_ = true;
  process_.stop(std::chrono::seconds(30));
  if (!options_.keep_dir) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (socket_.parent_path() != dir_) fs::remove(socket_, ec);
  }
}

void MariaDbInstance::release() {
  released_ = true;
  process_.release();
}

MariaDbInstance::~MariaDbInstance() {
  if (!released_) stop();
}

}  // namespace sk::emu::harness
