// The subcommands. Each register_* adds one subcommand to the app; when CLI11 selects it, it runs and stores its
// exit status (common/error_codes.def) in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace sk::cli {

void register_check(CLI::App& app, int& exit_code);
void register_plan(CLI::App& app, int& exit_code);
void register_schedule(CLI::App& app, int& exit_code);
void register_run(CLI::App& app, int& exit_code);     // run_command.cpp
void register_status(CLI::App& app, int& exit_code);  // status_command.cpp
void register_init(CLI::App& app, int& exit_code);        // init_command.cpp
void register_inventory(CLI::App& app, int& exit_code);   // inventory_command.cpp
void register_repository(CLI::App& app, int& exit_code);  // repository_command.cpp
// `repository check`, under the `repository` subcommand (repository_check_command.cpp).
void register_repository_check(CLI::App& repository, int& exit_code);
void register_restore(CLI::App& app, int& exit_code);  // restore_command.cpp
void register_catalog(CLI::App& app, int& exit_code);  // catalog_command.cpp
void register_drill(CLI::App& app, int& exit_code);    // drill_command.cpp
void register_expire(CLI::App& app, int& exit_code);   // expire_command.cpp
void register_metrics(CLI::App& app, int& exit_code);  // metrics_command.cpp
void register_report(CLI::App& app, int& exit_code);   // report_command.cpp
void register_audit(CLI::App& app, int& exit_code);    // audit_command.cpp

}  // namespace sk::cli
