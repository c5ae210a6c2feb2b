#include "tools/starkeep/runner_cli.h"

#include <memory>

#include "runtime/mysql/mysql_connection.h"
#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/ports/audited_connection.h"

namespace sk::cli {
namespace {

// Owns the reconnecting session, its statement log sink and the audit decorator in front of it.
class LoggedSession final : public ports::SqlConnection {
 public:
  LoggedSession(const mysql::ConnectionOptions& options, ports::Sleeper& sleeper, ports::Clock& clock,
                executor::RunLog& log, std::optional<std::string> database)
      : inner_(mysql::mysql_connection_factory(options), sleeper),
        sink_(log, std::move(database)),
        audited_(inner_, sink_, clock) {}

 private:
  Result<ports::Rows> do_query(std::string_view sql, ports::Idempotency idempotency) override {
    return audited_.query(sql, idempotency);
  }
  Status do_execute(std::string_view sql, ports::Idempotency idempotency) override {
    return audited_.execute(sql, idempotency);
  }
  mysql::ReconnectingConnection inner_;
  executor::StatementLogSink sink_;
  ports::AuditedConnection audited_;
};

}  // namespace

void add_runner_connection_flags(CLI::App& cmd, RunnerCliOptions& o) {
  auto opt = [&cmd](const std::string& name, std::optional<std::string>& target, const std::string& help) {
    cmd.add_option_function<std::string>(name, [&target](const std::string& v) { target = v; }, help);
  };
  opt("--host,-H", o.flags.host, "FE host (env STARKEEP_HOST; default 127.0.0.1)");
  opt("--port,-P", o.flags.port, "FE query port (env STARKEEP_PORT; default 9030)");
  opt("--user,-u", o.flags.user, "User (env STARKEEP_USER; default root)");
  opt("--password", o.flags.password, "Password (prefer STARKEEP_PASSWORD or --password-file)");
  opt("--password-file", o.flags.password_file, "File whose first line is the password");
  opt("--ssl-ca", o.flags.ssl_ca, "CA certificate (PEM) for TLS");
  opt("--ssl-mode", o.flags.tls_mode, "DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY");
  opt("--defaults-file", o.flags.defaults_file, "MySQL option file ([client] group)");
  cmd.add_option("--ops-database", o.ops_database, "Database of the ops tables")->capture_default_str();
  cmd.add_option("--ops-replication", o.ops_replication, "replication_num of the ops tables when created")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
}

Result<mysql::ConnectionOptions> resolve_runner_connection(const RunnerCliOptions& options) {
  return mysql::resolve_connection_options(options.flags, mysql::process_environment());
}

Result<ops::OpsConfig> runner_ops_config(const RunnerCliOptions& options) {
  auto db = DatabaseName::parse(options.ops_database);
  if (!db) return std::unexpected(std::move(db.error()).with_context("--ops-database"));
  ops::OpsConfig config{*db, options.ops_replication};
  return config;
}

executor::SessionFactory make_logged_session_factory(const mysql::ConnectionOptions& options, ports::Sleeper& sleeper,
                                                     ports::Clock& clock, executor::RunLog& log) {
  return [options, &sleeper, &clock, &log](const std::optional<std::string>& database)
             -> Result<std::unique_ptr<ports::SqlConnection>> {
    return std::make_unique<LoggedSession>(options, sleeper, clock, log, database);
  };
}

}  // namespace sk::cli
