// Flags and error reporting of `starkeep restore …` (restore_command.cpp) and `starkeep catalog …`
// (catalog_command.cpp): which catalog snapshot of a repository (--recovery-database, --refresh-catalog,
// --catalog), the RESTORE grammar (--restore-grammar), and one error report whose exit code comes from the
// error table (common/error_codes.def).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/dialect/restore_sql.h"
#include "runtime/mysql/connection_options.h"
#include "runtime/ports/clock.h"
#include "runtime/restore/restore_service.h"
#include "tools/starkeep/cluster_options.h"

namespace sk::cli {

// Where a repository's catalog snapshot is restored on this cluster, and which one (as typed).
struct CatalogFlags {
  std::string recovery_database;  // default <ops>_recovered
  bool refresh = false;
  std::string label;  // a chosen catalog snapshot; default the newest
};

void add_catalog_flags(CLI::App& cmd, CatalogFlags& flags);
// "restore.usage" for a malformed --recovery-database or --catalog.
[[nodiscard]] Result<restore::CatalogChoice> catalog_choice(const CatalogFlags& flags);

// --restore-grammar auto|pre-3.4|3.4; grammar_choice: nullopt for auto.
void add_grammar_flag(CLI::App& cmd, std::string& grammar);
[[nodiscard]] std::optional<dialect::Grammar> grammar_choice(const std::string& option);

// The flags of `restore partition|table|database` (docs/cli.md "restore").
struct RestoreOptions {
  restore::Scope scope = restore::Scope::kTable;
  // As typed: DB.TABLE (or DB) then the partitions; without DB.TABLE when --database/--table name the object.
  std::vector<std::string> positionals;
  std::optional<std::string> database;  // --database: the name as it is, dots and all (issue 10 item 18)
  std::optional<std::string> table;     // --table
  std::string as_of;
  std::string snapshot;
  std::string into;
  std::string as_name;
  std::string repository;
  std::optional<std::string> backup_timestamp;  // as typed; nullopt when not given
  std::string time_zone = "UTC";
  std::string format = "text";
  int replication_num = 0;
  bool replace = false;
  bool drop_old = false;
  bool dry_run = false;
  std::string from_repository;  // cold start: plan from the repository's newest catalog snapshot
  CatalogFlags catalog;
  std::string grammar = "auto";     // RESTORE grammar: auto (server version), pre-3.4, 3.4
  int wait_limit_seconds = 86'400;  // per RESTORE job; then CANCEL RESTORE
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};
void add_restore_flags(CLI::App& cmd, RestoreOptions& o);
// The flags as the restore service's invocation ("restore.usage" and "domain.*" for malformed values; an
// empty --backup-timestamp is "restore.usage").
[[nodiscard]] Result<restore::RestoreInvocation> restore_invocation(const RestoreOptions& o, Instant now);

// The cluster session every restore-side command works in: this cluster's ops settings (--ops-*), one
// connection (connection flags), the system clock and a sleeper. Errors: ops_config's, then open_cluster's.
struct RestoreSession {
  RestoreSession(ops::OpsConfig c, std::unique_ptr<ports::SqlConnection> conn)
      : config(std::move(c)), connection(std::move(conn)) {}
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  ops::OpsConfig config;
  std::unique_ptr<ports::SqlConnection> connection;
  [[nodiscard]] restore::Env env(std::ostream* progress = nullptr) {
    return restore::Env{*connection, config, clock, sleeper, progress};
  }
};
[[nodiscard]] Result<std::unique_ptr<RestoreSession>> open_restore_session(
    const mysql::ConnectionFlags& connection, const OpsFlags& ops);

// Prints the error (also as JSON on stdout with format "json") and returns its exit code (exit_code_for).
int report(const Error& e, std::string_view format);

}  // namespace sk::cli
