#include "tools/starkeep/cluster_options.h"

#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "compiler/driver/compile.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/audit/audit_sink.h"
#include "runtime/ports/audited_connection.h"
#include "runtime/ports/credential_guard.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

// What the flags of this invocation say about its sessions (one CLI invocation runs one command).
struct SessionSetup {
  std::string command;                             // "repository apply", set when the command is parsed
  std::optional<std::string> audit_log;            // --audit-log
  bool allow_insecure_credentials = false;         // --allow-insecure-credentials
  bool password_on_command_line = false;           // --password given
  std::shared_ptr<audit::AuditFile> audit_file;    // opened by start_audit()
  std::shared_ptr<const audit::AuditContext> audit_context;
};

SessionSetup& setup() {
  static SessionSetup s;
  return s;
}

ports::Clock& audit_clock() {
  static ports::SystemClock clock;
  return clock;
}

// "repository apply" for the `apply` subcommand of `repository`.
std::string full_name(const CLI::App& cmd) {
  std::string name = cmd.get_name();
  for (const CLI::App* p = cmd.get_parent(); p != nullptr && p->get_parent() != nullptr; p = p->get_parent()) {
    name = p->get_name() + " " + name;
  }
  return name;
}

// Forwards each statement event to every sink.
class TeeSink final : public ports::StatementSink {
 public:
  void add(std::unique_ptr<ports::StatementSink> sink) { sinks_.push_back(std::move(sink)); }
  void on_statement(const ports::StatementEvent& event) override {
    for (auto& s : sinks_) s->on_statement(event);
  }

 private:
  std::vector<std::unique_ptr<ports::StatementSink>> sinks_;
};

// The one session every command talks to the cluster through: the reconnecting connection, the credential guard
// in front of it (issue 10 item 12) and the auditing decorator in front of both, reporting to the audit log
// (--audit-log) and, for the runner, to its statement log.
class ClusterSession final : public ports::SqlConnection {
 public:
  ClusterSession(const mysql::ConnectionOptions& options, ports::Sleeper& sleeper, mysql::ReconnectPolicy policy,
                 std::optional<std::string> database, executor::RunLog* log)
      : inner_(mysql::mysql_connection_factory(options), sleeper, policy),
        guard_(inner_, ports::credentials_may_travel(options.tls_mode != mysql::TlsMode::kDisabled, options.host),
               setup().allow_insecure_credentials, options.describe(), override_handler(log)),
        audited_(guard_, sink_, audit_clock()) {
    if (log != nullptr) sink_.add(std::make_unique<executor::StatementLogSink>(*log, database));
    if (setup().audit_file) {
      sink_.add(std::make_unique<audit::AuditSink>(setup().audit_file, setup().audit_context, audit_clock(), database,
                                                   [](const Error& e) {
                                                     std::cerr << "starkeep: warning: audit log not written: "
                                                               << e.describe() << "\n";
                                                   }));
    }
  }

 private:
  static ports::CredentialGuard::OverrideHandler override_handler(executor::RunLog* log) {
    return [log](std::string_view sql) {
      const std::string text = fmt::format(
          "sending credentials without TLS to a non-loopback FE (--allow-insecure-credentials): {}", sql);
      if (log != nullptr) {
        log->warn({"security.insecure_credentials"}, text);
      } else {
        std::cerr << "starkeep: warning: " << text << "\n";
      }
    };
  }
  Result<ports::Rows> do_query(std::string_view sql, ports::Idempotency idempotency) override {
    return audited_.query(sql, idempotency);
  }
  Status do_execute(std::string_view sql, ports::Idempotency idempotency) override {
    return audited_.execute(sql, idempotency);
  }
  mysql::ReconnectingConnection inner_;
  ports::CredentialGuard guard_;
  TeeSink sink_;
  ports::AuditedConnection audited_;
};

constexpr std::string_view kPasswordWarning =
    "--password on the command line is visible to other local users (ps, /proc) and kept in shell history; "
    "use STARKEEP_PASSWORD, --password-file or --defaults-file instead";

}  // namespace

void add_connection_flags(CLI::App& cmd, mysql::ConnectionFlags& f) {
  const char* group = "Connection (also STARKEEP_HOST, STARKEEP_PORT, … — see docs/operations.md)";
  cmd.add_option("--host,-H", f.host, "StarRocks FE host (env STARKEEP_HOST; default 127.0.0.1)")->group(group);
  cmd.add_option("--port,-P", f.port, "FE query port (env STARKEEP_PORT; default 9030)")->group(group);
  cmd.add_option("--user,-u", f.user, "User (env STARKEEP_USER; default root)")->group(group);
  cmd.add_option("--password", f.password,
                 "Password (warns: visible in ps and shell history; prefer STARKEEP_PASSWORD or --password-file)")
      ->each([](const std::string&) { setup().password_on_command_line = true; })
      ->group(group);
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
  cmd.add_flag_callback(
         "--allow-insecure-credentials", [] { setup().allow_insecure_credentials = true; },
         "Send statements carrying credentials (CREATE REPOSITORY keys, passwords) over plain TCP to a non-loopback "
         "FE anyway; each one is logged as a warning. Without it they are refused (exit 78) unless --ssl-mode enables "
         "TLS")
      ->group(group);
  cmd.add_option_function<std::string>(
         "--audit-log", [](const std::string& path) { setup().audit_log = path; },
         "Append every statement sent to FILE as one redacted JSON line (time, command, run id, user, database, "
         "kind, duration, outcome), fsync'd per line; read it with `starkeep audit` (docs/audit.md)")
      ->type_name("FILE")
      ->group("Audit");
  cmd.preparse_callback([&cmd](std::size_t) { setup().command = full_name(cmd); });
}

Status start_audit(const mysql::ConnectionOptions& options, std::optional<std::string> run_id) {
  SessionSetup& s = setup();
  if (!s.audit_log || s.audit_file) return ok();
  auto file = audit::AuditFile::open(*s.audit_log);
  if (!file) return std::unexpected(file.error());
  s.audit_file = std::move(*file);
  s.audit_context = std::make_shared<const audit::AuditContext>(audit::AuditContext{
      s.command, run_id ? std::move(*run_id) : audit::new_invocation_id(audit_clock().now()), options.user,
      fmt::format("{}:{}", options.host, options.port)});
  return ok();
}

void warn_command_line_password(std::ostream& err) {
  if (setup().password_on_command_line) err << "starkeep: warning: " << kPasswordWarning << "\n";
}

void warn_command_line_password(executor::RunLog& log) {
  if (setup().password_on_command_line) log.warn({"security.password_flag"}, kPasswordWarning);
}

Result<mysql::ConnectionOptions> resolve_connection(const mysql::ConnectionFlags& flags) {
  return mysql::resolve_connection_options(flags, mysql::process_environment());
}

Result<std::unique_ptr<ports::SqlConnection>> open_cluster(const mysql::ConnectionFlags& flags) {
  auto options = resolve_connection(flags);
  if (!options) return std::unexpected(options.error());
  warn_command_line_password(std::cerr);
  if (auto s = start_audit(*options, std::nullopt); !s) return std::unexpected(s.error());
  static ports::ThreadSleeper sleeper;
  mysql::ReconnectPolicy policy;
  policy.max_attempts = 3;
  return std::unique_ptr<ports::SqlConnection>(
      std::make_unique<ClusterSession>(*options, sleeper, policy, std::nullopt, nullptr));
}

executor::SessionFactory make_logged_session_factory(const mysql::ConnectionOptions& options, ports::Sleeper& sleeper,
                                                     executor::RunLog& log) {
  return [options, &sleeper, &log](const std::optional<std::string>& database)
             -> Result<std::unique_ptr<ports::SqlConnection>> {
    return std::make_unique<ClusterSession>(options, sleeper, mysql::ReconnectPolicy{}, database, &log);
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
