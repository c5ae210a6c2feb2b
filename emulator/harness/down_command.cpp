#include <cstdlib>
#include <iostream>

#include "emulator/harness/commands.h"
#include "emulator/harness/env_file.h"
#include "emulator/harness/process.h"

namespace sk::emu::harness {

int run_down(const DownArgs& args) {
  namespace fs = std::filesystem;
  fs::path env_path = fs::absolute(args.dir) / "env";
  if (!fs::exists(env_path)) {
    std::cout << "nothing to stop: no " << env_path.string() << "\n";
    return 0;
  }
  auto env = read_env_file(env_path);
  if (!env) {
    std::cerr << "error: " << env.error().describe() << "\n";
    return 1;
  }
  auto pid_of = [&](const char* key) { return env->contains(key) ? std::atoi(env->at(key).c_str()) : 0; };
  bool all_gone = true;
  if (env->contains("STARKEEP_EMU_PID")) {
    std::string name = fs::path(env->at("STARKEEP_EMU_BIN")).filename().string();
    all_gone &= stop_pid(pid_of("STARKEEP_EMU_PID"), name, std::chrono::seconds(10));
  }
  all_gone &= stop_pid(pid_of("MARIADB_PID"), "mariadbd", std::chrono::seconds(30));
  if (!all_gone) {
    std::cerr << "error: a process recorded in " << env_path.string() << " did not stop\n";
    return 1;
  }
  std::error_code ec;
  if (env->contains("MARIADB_DIR")) fs::remove_all(env->at("MARIADB_DIR"), ec);
  if (env->contains("MARIADB_SOCKET")) fs::remove(env->at("MARIADB_SOCKET"), ec);
  fs::remove(fs::absolute(args.dir) / "emulator.port", ec);
  fs::remove(env_path, ec);
  std::cout << "down: " << args.dir.string() << "\n";
  return 0;
}

}  // namespace sk::emu::harness
