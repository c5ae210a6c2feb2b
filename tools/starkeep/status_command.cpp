// starkeep status: what is going on — backup attempts not yet settled (ops.backup_history), the advisory run
// markers of their databases (ops.run_status), the recent attempts of --database, and the server's current backup
// and restore job of every database (SHOW BACKUP/RESTORE FROM each). Read-only. Exit 0; 16 when the cluster cannot be reached, 69 when it
// refuses the reads (e.g. no ops schema yet), 78 bad connection settings.
#include <iostream>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "runtime/jobs/cluster_jobs.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"

namespace sk::cli {
namespace {

struct StatusOptions {
  std::string format = "text";
  std::string database;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

nlohmann::json attempt_json(const ops::BackupAttempt& a) {
  nlohmann::json j{{"run_id", a.run_id},         {"database", a.database.str()},
                   {"label", a.label.str()},      {"repository", a.repository.str()},
                   {"state", ops::to_string(a.state)}};
  if (a.server_state) j["server_state"] = *a.server_state;
  if (a.job_id) j["job_id"] = *a.job_id;
  if (a.error_text) j["error"] = *a.error_text;
  if (a.backup_timestamp) j["backup_timestamp"] = a.backup_timestamp->str();
  j["updated_at"] = a.updated_at.to_iso8601_utc();
  return j;
}

// The advisory run markers of `databases`; a database whose markers cannot be read is left out.
nlohmann::json active_runs_json(ops::OpsStore& store, const std::set<std::string>& databases) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& name : databases) {
    auto db = DatabaseName::parse(name);
    if (!db) continue;
    if (auto markers = store.load_active_runs(*db)) {
      for (const auto& m : *markers) {
        runs.push_back({{"run_id", m.run_id},
                        {"database", m.database.str()},
                        {"slot", m.slot},
                        {"host", m.host},
                        {"pid", m.pid},
                        {"heartbeat_at", m.heartbeat_at.to_iso8601_utc()}});
      }
    }
  }
  return runs;
}

// The 20 latest backup attempts of `database` (none when it is not given or cannot be read).
nlohmann::json recent_attempts_json(ops::OpsStore& store, const std::string& database) {
  nlohmann::json recent = nlohmann::json::array();
  if (database.empty()) return recent;
  if (auto db = DatabaseName::parse(database)) {
    if (auto attempts = store.load_backup_attempts(*db)) {
      for (std::size_t i = 0; i < attempts->size() && i < 20; ++i) recent.push_back(attempt_json((*attempts)[i]));
    }
  }
  return recent;
}

// The server's current backup and restore job of every database (runtime/jobs/cluster_jobs.h); none when the
// server does not answer.
nlohmann::json server_jobs_json(ports::SqlConnection& conn) {
  nlohmann::json server_jobs = nlohmann::json::array();
  if (auto listed = jobs::current_jobs(conn)) {
    for (const auto& [database, kind, j] : *listed) {
      nlohmann::json x{{"database", database},
                       {"kind", kind == jobs::JobKind::kBackup ? "backup" : "restore"},
                       {"label", j.label},
                       {"state", j.state_text},
                       {"status", j.status}};
      if (j.job_id) x["job_id"] = j.job_id->value();
      server_jobs.push_back(std::move(x));
    }
  }
  return server_jobs;
}

void print_status_text(const nlohmann::json& out) {
  std::cout << fmt::format("unsettled backup attempts: {}\n", out["unfinished"].size());
  for (const auto& a : out["unfinished"]) {
    std::cout << fmt::format("  {} {} {} (run {})\n", a["database"].get<std::string>(), a["label"].get<std::string>(),
                             a["state"].get<std::string>(), a["run_id"].get<std::string>());
  }
  std::cout << fmt::format("active run markers: {}\n", out["active_runs"].size());
  for (const auto& m : out["active_runs"]) {
    std::cout << fmt::format("  {} {} host {} pid {} heartbeat {}\n", m["database"].get<std::string>(),
                             m["run_id"].get<std::string>(), m["host"].get<std::string>(), m["pid"].get<std::int64_t>(),
                             m["heartbeat_at"].get<std::string>());
  }
  for (const auto& a : out["recent"]) {
    std::cout << fmt::format("  recent: {} {} {}\n", a["label"].get<std::string>(), a["state"].get<std::string>(),
                             a.contains("error") ? a["error"].get<std::string>() : "");
  }
  std::cout << fmt::format("server jobs (latest backup and restore per database): {}\n", out["server_jobs"].size());
  for (const auto& j : out["server_jobs"]) {
    std::cout << fmt::format("  {} {} {} {} {}\n", j["database"].get<std::string>(), j["kind"].get<std::string>(),
                             j["label"].get<std::string>(), j["state"].get<std::string>(),
                             j["status"].get<std::string>());
  }
}

int run_status(const StatusOptions& o) {
  auto ops_config = sk::cli::ops_config(o.ops);
  if (!ops_config) {
    std::cerr << "starkeep status: error: " << ops_config.error().describe() << "\n";
    return kExitUsage;
  }
  auto session = open_cluster(o.connection);
  if (!session) {
    std::cerr << "starkeep status: error: " << session.error().describe() << "\n";
    return exit_code_for(session.error());
  }
  ports::SystemClock clock;
  ports::SqlConnection& conn = **session;
  ops::OpsStore store(conn, *ops_config, clock);

  auto unfinished = store.load_unfinished_attempts();
  if (!unfinished) {
    std::cerr << "starkeep status: error: " << unfinished.error().describe() << "\n";
    return exit_code_for(unfinished.error());
  }
  // Markers of the databases with unsettled attempts, and of --database.
  std::set<std::string> databases;
  for (const auto& a : *unfinished) databases.insert(a.database.str());
  if (!o.database.empty()) databases.insert(o.database);

  nlohmann::json out{{"status_version", kStatusJsonVersion}, {"unfinished", nlohmann::json::array()}};
  for (const auto& a : *unfinished) out["unfinished"].push_back(attempt_json(a));
  out["active_runs"] = active_runs_json(store, databases);
  out["recent"] = recent_attempts_json(store, o.database);
  out["server_jobs"] = server_jobs_json(conn);
  if (o.format == "json") {
    std::cout << json_text(out, 2) << "\n";
  } else {
    print_status_text(out);
  }
  return kExitOk;
}

}  // namespace

void register_status(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status",
      "Show unsettled backup attempts, the run markers of their databases, and the server's latest backup job per "
      "database. Read-only.");
  cmd->add_option("--format", o->format, "'text' or 'json'")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("--database", o->database, "Also list the recent attempts of this database");
  add_ops_flags(*cmd, o->ops, false);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_status(*o); });
}

}  // namespace sk::cli
