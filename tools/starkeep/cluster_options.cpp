#include "tools/starkeep/cluster_options.h"

#include <iostream>

#include "compiler/driver/compile.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/ports/audited_connection.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/exit_codes.h"

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

void add_connection_flags(CLI::App& cmd, mysql::ConnectionFlags& f) {
  const char* group = "Connection (also STARKEEP_HOST, STARKEEP_PORT, … — see docs/operations.md)";
  cmd.add_option("--host,-H", f.host, "StarRocks FE host (env STARKEEP_HOST; default 127.0.0.1)")->group(group);
  cmd.add_option("--port,-P", f.port, "FE query port (env STARKEEP_PORT; default 9030)")->group(group);
  cmd.add_option("--user,-u", f.user, "User (env STARKEEP_USER; default root)")->group(group);
  cmd.add_option("--password", f.password, "Password (prefer --password-file or STARKEEP_PASSWORD)")->group(group);
  cmd.add_option("--password-file", f.password_file, "File whose first line is the password")->group(group);
  cmd.add_option("--ssl-ca", f.ssl_ca, "PEM file of the CA that signed the FE certificate")->group(group);
  cmd.add_option("--ssl-mode", f.tls_mode, "DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY")->group(group);
  cmd.add_option("--defaults-file", f.defaults_file, "MySQL option file ([client] group)")->group(group);
  cmd.add_option_function<int>(
         "--connect-timeout", [&f](const int& s) { f.connect_timeout = std::chrono::seconds(s); },
         "Seconds to wait for a connection (default 10)")
      ->group(group);
  cmd.add_option_function<int>(
         "--read-timeout", [&f](const int& s) { f.read_timeout = std::chrono::seconds(s); },
         "Seconds to wait for each network read (default 60)")
      ->check(CLI::Range(1, 86400))
      ->group(group);
}

Result<mysql::ConnectionOptions> resolve_connection(const mysql::ConnectionFlags& flags) {
  return mysql::resolve_connection_options(flags, mysql::process_environment());
}

Result<std::unique_ptr<ports::SqlConnection>> open_cluster(const mysql::ConnectionFlags& flags) {
  auto options = resolve_connection(flags);
  if (!options) return std::unexpected(options.error());
  static ports::ThreadSleeper sleeper;
  mysql::ReconnectPolicy policy;
  policy.max_attempts = 3;
  return std::unique_ptr<ports::SqlConnection>(
      std::make_unique<mysql::ReconnectingConnection>(mysql::mysql_connection_factory(*options), sleeper, policy));
}

executor::SessionFactory make_logged_session_factory(const mysql::ConnectionOptions& options, ports::Sleeper& sleeper,
                                                     ports::Clock& clock, executor::RunLog& log) {
  return [options, &sleeper, &clock, &log](const std::optional<std::string>& database)
             -> Result<std::unique_ptr<ports::SqlConnection>> {
    return std::make_unique<LoggedSession>(options, sleeper, clock, log, database);
  };
}

void add_ops_flags(CLI::App& cmd, OpsFlags& flags, bool with_replication) {
  cmd.add_option("--ops-database", flags.database, "Database of the ops control schema")->capture_default_str();
  if (with_replication) {
    cmd.add_option("--replication-num,--ops-replication", flags.replication_num,
                   "replication_num of the ops tables when created (1 for single-BE clusters)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
  }
}

Result<ops::OpsConfig> ops_config(const OpsFlags& flags) {
  auto db = DatabaseName::parse(flags.database);
  if (!db) return sk::fail(errc::kCliUsage, "--ops-database: {}", db.error().message);
  return ops::OpsConfig{std::move(*db), flags.replication_num};
}

std::optional<model::Policy> load_policy_model(const std::string& path, std::ostream& err, int& exit_code) {
  Inputs inputs;
  if (int rc = load_inputs(path, "", inputs, err); rc != kExitOk) {
    exit_code = rc;
    return std::nullopt;
  }
  driver::CompileInput input{&*inputs.policy, nullptr, CivilDay(TimeZone::utc().to_local(now()))};
  driver::Compilation c = driver::compile(input);
  if (c.has_errors() || !c.policy) {
    print_diagnostics(c, inputs, Format::kText, err, true);
    exit_code = kExitErrors;
    return std::nullopt;
  }
  return std::move(*c.policy);
}

}  // namespace sk::cli
