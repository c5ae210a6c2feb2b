// Helpers shared by the subcommands that talk to the cluster (init, inventory, repository, …): the connection
// flags (resolved by runtime/mysql with the precedence flags > environment > option file > defaults), opening a
// reconnecting session, the ops-database flags, and loading a policy into its model (diagnostics printed on error).
// Output goes to the given streams. Not thread-safe (one CLI invocation).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/mysql/connection_options.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/sql_connection.h"

namespace sk::cli {

// --host --port --user --password --password-file --ssl-ca --ssl-mode --defaults-file --connect-timeout
// (each also from STARKEEP_* variables, see runtime/mysql/connection_options.h).
void add_connection_flags(CLI::App& cmd, mysql::ConnectionFlags& flags);

// A session that reconnects on dropped connections (idempotent statements are repeated). The connection is made
// on first use. Errors: "sql.config" from option resolution.
[[nodiscard]] Result<std::unique_ptr<ports::SqlConnection>> open_cluster(const mysql::ConnectionFlags& flags);

struct OpsFlags {
  std::string database = "ops";
  int replication_num = 3;
};
// --ops-database (and, with `with_replication`, --replication-num).
void add_ops_flags(CLI::App& cmd, OpsFlags& flags, bool with_replication);
// "cli.usage" for an invalid database name.
[[nodiscard]] Result<ops::OpsConfig> ops_config(const OpsFlags& flags);

// Compiles the policy file alone. On errors prints the diagnostics to `err` and returns nullopt with `exit_code`
// set (kExitNoInput for an unreadable file, kExitErrors for policy errors).
[[nodiscard]] std::optional<model::Policy> load_policy_model(const std::string& path, std::ostream& err,
                                                             int& exit_code);

// The exit code for a failure talking to the cluster: kExitConfig for "sql.config", kExitUnavailable otherwise.
[[nodiscard]] int exit_code_for(const Error& error);

}  // namespace sk::cli
