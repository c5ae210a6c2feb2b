#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "emulator/harness/cluster.h"
#include "emulator/harness/commands.h"
#include "emulator/harness/env_file.h"

namespace sk::emu::harness {
namespace {

namespace fs = std::filesystem;

// --emulator-bin, else $STARKEEP_EMULATOR_BIN, else a starkeep-emulator beside this binary (the installed layout:
// both in /usr/bin, docs/operations.md "Installing"), else the build's target path, else ../server/ next to this
// binary (the build tree).
fs::path default_emulator_bin(const fs::path& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("STARKEEP_EMULATOR_BIN"); env && *env) return env;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(self.parent_path() / "starkeep-emulator")) return self.parent_path() / "starkeep-emulator";
#ifdef STARKEEP_EMULATOR_BIN
  return STARKEEP_EMULATOR_BIN;
#else
  if (ec) return {};
  fs::path sibling = self.parent_path().parent_path() / "server" / "starkeep-emulator";
  return fs::exists(sibling) ? sibling : fs::path();
#endif
}

bool recorded_processes_alive(const EnvValues& env) {
  auto pid_of = [&](const char* key) { return env.contains(key) ? std::atoi(env.at(key).c_str()) : 0; };
  if (!process_alive(pid_of("MARIADB_PID"), "mariadbd")) return false;
  if (env.contains("STARKEEP_EMU_PID")) {
    std::string name = fs::path(env.at("STARKEEP_EMU_BIN")).filename().string();
    if (!process_alive(pid_of("STARKEEP_EMU_PID"), name)) return false;
  }
  return true;
}

}  // namespace

int run_down(const DownArgs& args);

int run_up(const UpArgs& args) {
  std::error_code ec;
  fs::create_directories(args.dir, ec);
  fs::path dir = fs::absolute(args.dir);
  fs::path env_path = dir / "env";
  if (fs::exists(env_path)) {
    auto env = read_env_file(env_path);
    if (env && recorded_processes_alive(*env)) {
      std::cout << "already up: " << env_path.string() << "\n";
      return 0;
    }
    std::cerr << "stale " << env_path.string() << ": cleaning up what is left\n";
    if (int rc = run_down(DownArgs{dir}); rc != 0) return rc;
  }

  EnvValues env;
  if (args.mariadb_only) {
    MariaDbOptions options;
    options.parent_dir = dir;
    options.keep_dir = true;
    options.die_with_parent = false;
    auto db = MariaDbInstance::start(options);
    if (!db) {
      std::cerr << "error: " << db.error().describe() << "\n";
      return 1;
    }
    env = {{"MARIADB_HOST", (*db)->host()}, {"MARIADB_PORT", std::to_string((*db)->port())},
           {"MARIADB_USER", (*db)->user()}, {"MARIADB_PID", std::to_string((*db)->pid())},
           {"MARIADB_DIR", (*db)->dir().string()}, {"MARIADB_SOCKET", (*db)->socket_path().string()}};
    if (auto s = write_env_file(env_path, env); !s) {
      std::cerr << "error: " << s.error().describe() << "\n";
      return 1;
    }
    (*db)->release();
  } else {
    ClusterOptions options;
    options.emulator_binary = default_emulator_bin(args.emulator_bin);
    if (options.emulator_binary.empty()) {
      std::cerr << "error: no starkeep-emulator binary; pass --emulator-bin or set STARKEEP_EMULATOR_BIN\n";
      return 1;
    }
    options.emulator_binary = fs::absolute(options.emulator_binary);
    options.emulator_args = args.emulator_args;
    options.work_dir = dir;
    options.keep = true;
    options.die_with_parent = false;
    auto cluster = Cluster::start(options);
    if (!cluster) {
      std::cerr << "error: " << cluster.error().describe() << "\n";
      return 1;
    }
    auto& db = (*cluster)->mariadb();
    auto& emu = (*cluster)->emulator();
    // STARKEEP_HOST/PORT/USER too, so that `source D/env` is all a shell needs before running starkeep against it.
    env = {{"STARKEEP_HOST", emu.host()},
           {"STARKEEP_PORT", std::to_string(emu.port())},
           {"STARKEEP_USER", "root"},
           {"STARKEEP_EMU_HOST", emu.host()},
           {"STARKEEP_EMU_PORT", std::to_string(emu.port())},
           {"STARKEEP_EMU_PID", std::to_string(emu.pid())},
           {"STARKEEP_EMU_BIN", options.emulator_binary.string()},
           {"STARKEEP_EMU_LOG", emu.log_file().string()},
           {"STARKEEP_EMU_REPOSITORY_ROOT", emu.repository_root().string()},
           {"MARIADB_HOST", db.host()},
           {"MARIADB_PORT", std::to_string(db.port())},
           {"MARIADB_USER", db.user()},
           {"MARIADB_PID", std::to_string(db.pid())},
           {"MARIADB_DIR", db.dir().string()},
           {"MARIADB_SOCKET", db.socket_path().string()}};
    if (auto s = write_env_file(env_path, env); !s) {
      std::cerr << "error: " << s.error().describe() << "\n";
      return 1;
    }
    (*cluster)->release();
  }
  std::cout << "up: " << env_path.string() << "\n";
  for (const auto& [k, v] : env) std::cout << "  " << k << "=" << v << "\n";
  return 0;
}

}  // namespace sk::emu::harness
