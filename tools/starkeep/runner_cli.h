// Shared by `starkeep run` and `starkeep status`: the connection flags (resolved by runtime/mysql with the
// precedence flags > STARKEEP_* environment > option file > defaults), the ops schema location, and the session
// factory that gives each runner thread its own reconnecting, statement-logging connection.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "runtime/executor/run_log.h"
#include "runtime/executor/runner.h"
#include "runtime/mysql/connection_options.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"

namespace sk::cli {

struct RunnerCliOptions {
  mysql::ConnectionFlags flags;
  std::string ops_database = "ops";
  int ops_replication = 3;
};

// --host --port --user --password --password-file --ssl-ca --ssl-mode --defaults-file --ops-database
// --ops-replication.
void add_runner_connection_flags(CLI::App& cmd, RunnerCliOptions& options);
[[nodiscard]] Result<mysql::ConnectionOptions> resolve_runner_connection(const RunnerCliOptions& options);
[[nodiscard]] Result<ops::OpsConfig> runner_ops_config(const RunnerCliOptions& options);

// Each call opens a new ReconnectingConnection (lazily connected) whose statements are logged at debug level,
// redacted. `sleeper`, `clock` and `log` must outlive every session.
[[nodiscard]] executor::SessionFactory make_logged_session_factory(const mysql::ConnectionOptions& options,
                                                                   ports::Sleeper& sleeper, ports::Clock& clock,
                                                                   executor::RunLog& log);

}  // namespace sk::cli
