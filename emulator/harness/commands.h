// Subcommands of `starkeep-emu-harness` (one file each) and their exit codes: 0 success (including "already up"
// and "nothing to stop"), 1 failure. CLI11 reports usage errors itself (exit 106+).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sk::emu::harness {

struct UpArgs {
  std::filesystem::path dir;
  std::filesystem::path emulator_bin;  // empty = the default lookup (README.md)
  bool mariadb_only = false;
  std::vector<std::string> emulator_args;
};

struct DownArgs {
  std::filesystem::path dir;
};

int run_up(const UpArgs& args);
int run_down(const DownArgs& args);

}  // namespace sk::emu::harness
