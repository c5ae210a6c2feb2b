// starkeep-emu-harness: starts and stops a background MariaDB + starkeep-emulator for scripts and benchmarks.
#include <CLI/CLI.hpp>

#include "common/version.h"
#include "emulator/harness/commands.h"

int main(int argc, char** argv) {
  using namespace sk::emu::harness;
  CLI::App app{"Start or stop a private MariaDB and a starkeep-emulator in the background"};
  app.require_subcommand(1);
  app.set_version_flag("--version", sk::version_line("starkeep-emu-harness"));

  UpArgs up;
  auto* up_cmd = app.add_subcommand("up", "start both servers, write <dir>/env, return (no-op when running)");
  up_cmd->add_option("--dir", up.dir, "work directory (env file, logs, MariaDB datadir, repository)")->required();
  up_cmd->add_option("--emulator-bin", up.emulator_bin, "the starkeep-emulator executable");
  up_cmd->add_flag("--mariadb-only", up.mariadb_only, "start only MariaDB");
  up_cmd->add_option("emulator_args", up.emulator_args, "extra emulator flags, after --");

  DownArgs down;
  auto* down_cmd = app.add_subcommand("down", "stop the servers recorded in <dir>/env (no-op when none)");
  down_cmd->add_option("--dir", down.dir, "work directory given to up")->required();

  CLI11_PARSE(app, argc, argv);
  if (up_cmd->parsed()) return run_up(up);
  return run_down(down);
}
