// starkeep-emulator: a StarRocks FE emulator on top of a real MariaDB. Parses the flags, builds the cluster
// state, the MariaDB-backed catalog, the backup service, the engine's session factory and the MySQL-protocol
// server; writes the bound port to --port-file once listening; exits cleanly on SIGTERM/SIGINT.
// Flags are documented in docs/emulator.md ("Engine" → "Command line").
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/version.h"
#include "emulator/engine/cluster_state.h"
#include "emulator/engine/cluster_views.h"
#include "emulator/engine/engine_session.h"
#include "emulator/engine/mariadb_catalog.h"
#include "emulator/engine/statement_hook.h"
#include "emulator/backup/backup_service.h"
#include "emulator/protocol/server.h"
#include "kernel/dialect/time_zone.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Routes the engine's statement hook to the backup service.
class BackupHook : public sk::emu::StatementHook {
 public:
  explicit BackupHook(sk::emu::BackupService& service) : service_(service) {}
  std::optional<sk::emu::QueryResult> try_handle(const sk::emu::HookContext& context, std::string_view sql) override {
    return service_.try_handle(sk::emu::SessionContext{context.user, context.current_database}, sql);
  }

 private:
  sk::emu::BackupService& service_;
};

bool write_port_file(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

// The command line, with the defaults of a small local cluster.
struct Flags {
  int port = 9030;
  std::string bind = "127.0.0.1";
  std::string port_file;
  std::string mariadb_host = "127.0.0.1";
  int mariadb_port = 3306;
  std::string mariadb_user = "root";
  std::string mariadb_password;
  std::vector<std::string> users;
  std::string version = "3.3.0";
  int error_code = 1064;
  std::string time_zone = "Asia/Shanghai";
  int frontends = 1;
  int backends = 3;
  int64_t disk_total = 1LL << 40;
  int64_t disk_avail = -1;
  std::string repository_root;
  std::string repository_backend = "local";
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  bool enable_faults = false;
  double time_scale = 1.0;
  double job_fixed_seconds = 2.0;
  double be_bytes_per_second = 100e6;
};

void add_flags(CLI::App& app, Flags& f) {
  app.add_option("--port", f.port, "MySQL-protocol port (0 = any free port)")->check(CLI::Range(0, 65535));
  app.add_option("--bind", f.bind, "address to listen on");
  app.add_option("--port-file", f.port_file, "write the bound port here once listening");
  app.add_option("--mariadb-host", f.mariadb_host, "backing MariaDB host");
  app.add_option("--mariadb-port", f.mariadb_port, "backing MariaDB port")->check(CLI::Range(1, 65535));
  app.add_option("--mariadb-user", f.mariadb_user, "backing MariaDB user");
  app.add_option("--mariadb-password", f.mariadb_password, "backing MariaDB password");
  app.add_option("--user", f.users, "NAME:PASSWORD of an emulated StarRocks user (repeatable; default root:)");
  app.add_option("--starrocks-version", f.version, "emulated StarRocks version (column sets, grammar switches)");
  app.add_option("--error-code", f.error_code, "error number of ERR packets: 1064 (HY000) or 5064 (42000)")
      ->check(CLI::IsMember({1064, 5064}));
  app.add_option("--time-zone", f.time_zone,
                 "cluster time zone, as StarRocks' time_zone variable takes it: an IANA name, a UTC offset "
                 "(+08:00, -6:00) or CST (= Asia/Shanghai)");
  app.add_option("--frontends", f.frontends, "number of emulated FEs")->check(CLI::Range(1, 64));
  app.add_option("--backends", f.backends, "number of emulated BEs")->check(CLI::Range(0, 1024));
  app.add_option("--disk-total", f.disk_total, "bytes per BE disk")->check(CLI::PositiveNumber);
  app.add_option("--disk-avail", f.disk_avail, "available bytes per BE disk (default 80% of total)");
  app.add_option("--repository-root", f.repository_root,
                 "directory that holds backup repositories (the local backend: s3a://bucket/p → <root>/bucket/p)");
  app.add_option("--repository-backend", f.repository_backend,
                 "where repositories keep their files: 'local' (under --repository-root) or 's3' (the location's "
                 "bucket through the S3 API; keys from STARKEEP_EMU_S3_ACCESS_KEY/STARKEEP_EMU_S3_SECRET_KEY "
                 "unless the repository's PROPERTIES give aws.s3.access_key/aws.s3.secret_key)")
      ->check(CLI::IsMember({"local", "s3"}))
      ->capture_default_str();
  app.add_option("--s3-endpoint", f.s3_endpoint,
                 "S3 endpoint of the s3 backend (https://…, or http:// on loopback such as s3rver) for repositories "
                 "whose PROPERTIES have no aws.s3.endpoint");
  app.add_option("--s3-region", f.s3_region, "signing region of the s3 backend unless aws.s3.region is given")
      ->capture_default_str();
  app.add_flag("--enable-faults", f.enable_faults, "accept ADMIN EMULATOR fault-injection statements");
  app.add_option("--time-scale", f.time_scale, "job time speed-up factor")->check(CLI::PositiveNumber);
  app.add_option("--job-fixed-seconds", f.job_fixed_seconds, "fixed seconds per job state, before time scale");
  app.add_option("--be-bytes-per-second", f.be_bytes_per_second, "per-BE transfer rate, before time scale")
      ->check(CLI::PositiveNumber);
}

// NAME:PASSWORD pairs → user map (root with no password when none is given); nullopt after reporting a bad one.
std::optional<std::map<std::string, std::string>> parse_users(const std::vector<std::string>& users) {
  std::map<std::string, std::string> user_map;
  for (const auto& u : users) {
    auto colon = u.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "starkeep-emulator: --user expects NAME:PASSWORD, got '" << u << "'\n";
      return std::nullopt;
    }
    user_map[u.substr(0, colon)] = u.substr(colon + 1);
  }
  if (user_map.empty()) user_map["root"] = "";
  return user_map;
}

sk::emu::EmulatorConfig emulator_config(const Flags& f) {
  sk::emu::EmulatorConfig config;
  config.starrocks_version = f.version;
  config.error_code = static_cast<uint16_t>(f.error_code);
  config.error_sql_state = f.error_code == 5064 ? "42000" : "HY000";
  config.time_zone = f.time_zone;
  config.faults_enabled = f.enable_faults;
  config.time_scale = f.time_scale;
  config.job_fixed_seconds = f.job_fixed_seconds;
  config.be_bytes_per_second = f.be_bytes_per_second;
  config.repository_root = f.repository_root;
  config.repository_backend = f.repository_backend;
  config.s3_endpoint = f.s3_endpoint;
  config.s3_region = f.s3_region;
  // Keys come from the environment, never from the command line (visible in ps).
  if (const char* k = std::getenv("STARKEEP_EMU_S3_ACCESS_KEY")) config.s3_access_key = k;
  if (const char* k = std::getenv("STARKEEP_EMU_S3_SECRET_KEY")) config.s3_secret_key = k;
  return config;
}

sk::emu::ClusterShape cluster_shape(const Flags& f) {
  sk::emu::ClusterShape shape;
  shape.frontends = f.frontends;
  shape.backends = f.backends;
  shape.disk_total_bytes = f.disk_total;
  shape.disk_avail_bytes = f.disk_avail < 0 ? f.disk_total * 8 / 10 : f.disk_avail;
  return shape;
}

sk::emu::BackendParams backend_params(const Flags& f) {
  sk::emu::BackendParams backend;
  backend.host = f.mariadb_host;
  backend.port = static_cast<uint16_t>(f.mariadb_port);
  backend.user = f.mariadb_user;
  backend.password = f.mariadb_password;
  return backend;
}

// Returns once on_signal has seen SIGTERM or SIGINT.
void wait_for_stop_signal() {
  while (!g_stop) {
    struct timespec ts{0, 100 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

// Wires the backup service and the engine's sessions into the server, listens until SIGTERM/SIGINT and stops the
// server before the backup service. Returns the exit code.
int serve(const Flags& f, std::map<std::string, std::string> users, sk::emu::ClusterState& cluster,
          sk::emu::MariaDbCatalog& catalog) {
  auto backup = std::make_unique<sk::emu::BackupService>(catalog, cluster);
  BackupHook backup_hook(*backup);
  sk::emu::StatementHook* hook = &backup_hook;

  sk::emu::EngineOptions options;
  options.users = std::move(users);
  sk::emu::EngineSessionFactory factory(cluster, catalog, hook, options);

  sk::emu::ServerOptions server_options;
  server_options.bind_address = f.bind;
  server_options.port = static_cast<uint16_t>(f.port);
  sk::emu::Server server(server_options, factory);
  factory.set_drop_connections([&server] { server.drop_all_connections(); });
  backup->set_drop_connections([&server] { server.drop_all_connections(); });

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  auto bound = server.start();
  if (!bound) {
    std::cerr << "starkeep-emulator: " << bound.error().describe() << "\n";
    return 1;
  }
  if (!f.port_file.empty() && !write_port_file(f.port_file, *bound)) {
    std::cerr << "starkeep-emulator: cannot write port file " << f.port_file << "\n";
    server.stop();
    return 1;
  }
  std::cerr << fmt::format("starkeep-emulator: StarRocks {} emulator listening on {}:{} (MariaDB {}:{})\n",
                           f.version, f.bind, *bound, f.mariadb_host, f.mariadb_port);
  wait_for_stop_signal();
  std::cerr << "starkeep-emulator: stopping\n";
  server.stop();
  backup.reset();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"StarRocks FE emulator backed by MariaDB"};
  app.set_version_flag("--version", sk::version_line("starkeep-emulator"));
  Flags flags;
  add_flags(app, flags);
  CLI11_PARSE(app, argc, argv);

  auto users = parse_users(flags.users);
  if (!users) return 2;
  auto zone = sk::dialect::standardize_time_zone_value(flags.time_zone);
  if (!zone) {
    std::cerr << "starkeep-emulator: --time-zone: " << zone.error().message << "\n";
    return 2;
  }
  flags.time_zone = *zone;  // what SHOW VARIABLES prints, as the FE stores it ("+8:00" → "+08:00")
  sk::emu::ClusterState cluster(emulator_config(flags));
  sk::emu::init_cluster(cluster, cluster_shape(flags));
  auto catalog = sk::emu::MariaDbCatalog::open(backend_params(flags), flags.time_zone);
  if (!catalog) {
    std::cerr << "starkeep-emulator: " << catalog.error().describe() << "\n";
    return 1;
  }
  return serve(flags, std::move(*users), cluster, **catalog);
}
