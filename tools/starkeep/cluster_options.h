// The one set of cluster-connection helpers for every subcommand that talks to the cluster (init, inventory,
// repository, run, status, restore): the connection flags (resolved by runtime/mysql with the precedence
// flags > STARKEEP_* environment > option file > defaults), opening a reconnecting session, the ops-database
// flags, the runner's per-thread statement-logging sessions and loading a policy into its model (the exit code of a
// failure: sk::exit_code_for, common/error_codes.h). Output goes to the given streams. Not thread-safe (one CLI
// invocation), except the sessions handed out by make_logged_session_factory (one per thread).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/executor/run_log.h"
#include "runtime/executor/runner.h"
#include "runtime/mysql/connection_options.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::cli {

// --host/-H --port/-P --user/-u --password --password-file --ssl-ca --ssl-mode --defaults-file --connect-timeout
// --read-timeout (each also from STARKEEP_* variables, see runtime/mysql/connection_options.h), and the session
// flags --allow-insecure-credentials and --audit-log FILE (docs/audit.md). The same flags on every command that
// talks to the cluster; every session such a command opens (open_cluster, make_logged_session_factory) goes
// through one credential guard and one audited connection.
void add_connection_flags(CLI::App& cmd, mysql::ConnectionFlags& flags);

// Opens the --audit-log file (once per invocation; nothing when the flag is absent) with the invocation's context:
// `run_id` (the runner's) or a new invocation id. open_cluster calls it; `run` calls it with its run id before
// its first session. Errors: "io.write" (exit 73), before any statement is sent.
[[nodiscard]] Status start_audit(const mysql::ConnectionOptions& options, std::optional<std::string> run_id);

// The warning that --password was given on the command line (nothing otherwise); open_cluster prints it to
// stderr, `run` through its log.
void warn_command_line_password(std::ostream& err);
void warn_command_line_password(executor::RunLog& log);

// The flags resolved against the process environment and the option file. Errors: "sql.config".
[[nodiscard]] Result<mysql::ConnectionOptions> resolve_connection(const mysql::ConnectionFlags& flags);

// A session that reconnects on dropped connections (idempotent statements are repeated, 3 connection attempts per
// statement). The connection is made on first use. Errors: "sql.config" from option resolution.
[[nodiscard]] Result<std::unique_ptr<ports::SqlConnection>> open_cluster(const mysql::ConnectionFlags& flags);

// For the runner: each call opens a new ReconnectingConnection (default reconnect policy, lazily connected) whose
// statements are logged at debug level, redacted, tagged with the database (and audited, after start_audit).
// `sleeper` and `log` must outlive every session.
[[nodiscard]] executor::SessionFactory make_logged_session_factory(const mysql::ConnectionOptions& options,
                                                                   ports::Sleeper& sleeper, executor::RunLog& log);

struct OpsFlags {
  std::string database = "ops";
  int replication_num = 3;
};
// --ops-database and, with `with_replication` (commands that may create the ops tables: init, run),
// --replication-num (alias --ops-replication).
void add_ops_flags(CLI::App& cmd, OpsFlags& flags, bool with_replication);
// "cli.usage" for an invalid database name.
[[nodiscard]] Result<ops::OpsConfig> ops_config(const OpsFlags& flags);

// Compiles the policy file alone. On errors prints the diagnostics to `err` and returns nullopt with `exit_code`
// set (kExitNoInput for an unreadable file, kExitErrors for policy errors).
[[nodiscard]] std::optional<model::Policy> load_policy_model(const std::string& path, std::ostream& err,
                                                             int& exit_code);

}  // namespace sk::cli
