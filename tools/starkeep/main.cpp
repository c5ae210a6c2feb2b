// starkeep: builds the command line and dispatches to one subcommand; all behaviour lives in the subcommands. The
// top-level --help ends with every exit code (common/error_codes.def).
#include <exception>
#include <iostream>
#include <new>

#include <CLI/CLI.hpp>

#include "common/version.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_code_docs.h"
#include "tools/starkeep/exit_codes.h"

int main(int argc, char** argv) {
  CLI::App app{
      "starkeep — declarative backup and restore for StarRocks.\n"
      "Compile a policy (check), preview what a run at an instant would do (plan), list when tiers fire (schedule).",
      "starkeep"};
  app.require_subcommand(1);
  app.set_version_flag("--version", sk::version_line("starkeep"));
  app.set_help_all_flag("--help-all", "Print help for every subcommand");
  int exit_code = sk::cli::kExitOk;
  sk::cli::register_check(app, exit_code);
  sk::cli::register_plan(app, exit_code);
  sk::cli::register_schedule(app, exit_code);
  sk::cli::register_run(app, exit_code);
  sk::cli::register_status(app, exit_code);
  sk::cli::register_init(app, exit_code);
  sk::cli::register_inventory(app, exit_code);
  sk::cli::register_repository(app, exit_code);
  sk::cli::register_restore(app, exit_code);
  sk::cli::register_catalog(app, exit_code);
  sk::cli::register_drill(app, exit_code);
  sk::cli::register_expire(app, exit_code);
  sk::cli::register_metrics(app, exit_code);
  sk::cli::register_report(app, exit_code);
  sk::cli::register_audit(app, exit_code);
  app.footer(sk::cli::render_exit_code_help());  // after the subcommands: only the top-level help lists them
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a pointer to --help
    return sk::cli::kExitUsage;
  } catch (const std::bad_alloc&) {
    // Resource exhaustion, not a bug: say so (the literal is written without allocating).
    std::cerr << "starkeep: error: out of memory: the inputs need more memory than this process may use (see its "
                 "ulimit -v / -d or cgroup memory limit)\n";
    return sk::cli::kExitOutOfMemory;
  } catch (const std::exception& e) {
    std::cerr << "starkeep: internal error: " << e.what() << "\n";
    return sk::cli::kExitInternal;
  }
  return exit_code;
}
