// starkeep init: create or upgrade the ops control schema (ops::migrate, idempotent). Prints what it created or
// that the schema was already up to date.
// Exit codes: 0 created or up to date; 16 the cluster cannot be reached; 69 the cluster refused a statement; 78 bad
// connection settings, or the cluster's ops schema is newer than this build (nothing is written then).
#include <iostream>
#include <memory>

#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct InitOptions {
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int run_init(const InitOptions& o) {
  auto config = ops_config(o.ops);
  if (!config) {
    std::cerr << "starkeep init: error: " << config.error().describe() << "\n";
    return kExitUsage;
  }
  auto conn = open_cluster(o.connection);
  if (!conn) {
    std::cerr << "starkeep init: error: " << conn.error().describe() << "\n";
    return exit_code_for(conn.error());
  }
  auto before = ops::current_schema_version(**conn, *config);
  if (!before) {
    std::cerr << "starkeep init: error: " << before.error().describe() << "\n";
    return exit_code_for(before.error());
  }
  ports::SystemClock clock;
  if (auto s = ops::migrate(**conn, *config, clock, "starkeep init"); !s) {
    std::cerr << "starkeep init: error: " << s.error().describe() << "\n";
    return exit_code_for(s.error());  // ops.schema_newer, ops.config: 78 (common/error_codes.def)
  }
  const std::string db = config->database.str();
  if (*before >= ops::kLatestSchemaVersion) {
    std::cout << "ops schema in database " << db << " is up to date (version " << *before << ")\n";
    return kExitOk;
  }
  std::cout << "ops schema in database " << db << ": version " << *before << " -> " << ops::kLatestSchemaVersion
            << "\n";
  for (const auto& m : ops::migrations(*config)) {
    if (m.version > *before) std::cout << "  applied " << m.version << ": " << m.description << "\n";
  }
  if (*before == 0) {
    std::cout << "  tables:";
    for (const auto& t : ops::ops_tables()) std::cout << " " << t.name;
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

void register_init(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InitOptions>();
  CLI::App* cmd = app.add_subcommand(
      "init",
      "Create (or upgrade) the ops control schema in the cluster: CREATE DATABASE/TABLE IF NOT EXISTS and the "
      "recorded schema version. Safe to run again. Exit 0 created or up to date, 16 cluster unreachable, 69 "
      "statement refused, 78 bad settings or a newer schema on the cluster.");
  add_ops_flags(*cmd, o->ops, true);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_init(*o); });
}

}  // namespace sk::cli
