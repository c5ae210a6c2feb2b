#include "tools/starkeep/cluster_options.h"

#include <iostream>

#include "compiler/driver/compile.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {

void add_connection_flags(CLI::App& cmd, mysql::ConnectionFlags& f) {
  const char* group = "Connection (also STARKEEP_HOST, STARKEEP_PORT, … — see docs/operations.md)";
  cmd.add_option("--host", f.host, "StarRocks FE host (default 127.0.0.1)")->group(group);
  cmd.add_option("--port", f.port, "FE query port (default 9030)")->group(group);
  cmd.add_option("--user", f.user, "User (default root)")->group(group);
  cmd.add_option("--password", f.password, "Password (prefer --password-file or STARKEEP_PASSWORD)")->group(group);
  cmd.add_option("--password-file", f.password_file, "File whose first line is the password")->group(group);
  cmd.add_option("--ssl-ca", f.ssl_ca, "PEM file of the CA that signed the FE certificate")->group(group);
  cmd.add_option("--ssl-mode", f.tls_mode, "DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY")->group(group);
  cmd.add_option("--defaults-file", f.defaults_file, "MySQL option file ([client] group)")->group(group);
  cmd.add_option_function<int>(
         "--connect-timeout", [&f](const int& s) { f.connect_timeout = std::chrono::seconds(s); },
         "Seconds to wait for a connection")
      ->group(group);
}

Result<std::unique_ptr<ports::SqlConnection>> open_cluster(const mysql::ConnectionFlags& flags) {
  auto options = mysql::resolve_connection_options(flags, mysql::process_environment());
  if (!options) return std::unexpected(options.error());
  static ports::ThreadSleeper sleeper;
  mysql::ReconnectPolicy policy;
  policy.max_attempts = 3;
  return std::unique_ptr<ports::SqlConnection>(
      std::make_unique<mysql::ReconnectingConnection>(mysql::mysql_connection_factory(*options), sleeper, policy));
}

void add_ops_flags(CLI::App& cmd, OpsFlags& flags, bool with_replication) {
  cmd.add_option("--ops-database", flags.database, "Database of the ops control schema")->capture_default_str();
  if (with_replication) {
    cmd.add_option("--replication-num", flags.replication_num,
                   "replication_num of the ops tables (1 for single-BE clusters)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
  }
}

Result<ops::OpsConfig> ops_config(const OpsFlags& flags) {
  auto db = DatabaseName::parse(flags.database);
  if (!db) return sk::fail("cli.usage", "--ops-database: {}", db.error().message);
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

int exit_code_for(const Error& error) {
  if (error.code == mysql::kConfigError || error.code == "cli.usage") return kExitConfig;
  return kExitUnavailable;
}

}  // namespace sk::cli
