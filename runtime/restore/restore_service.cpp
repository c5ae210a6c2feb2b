#include "runtime/restore/restore_service.h"

#include <fmt/format.h>
#include <unistd.h>

#include <ostream>
#include <random>

#include "common/error_codes.h"
#include "runtime/jobs/lifecycle.h"
#include "runtime/ops/ops_store.h"

namespace sk::restore {
namespace {

// The replication_num of this cluster's own ops tables (SHOW CREATE TABLE), the configured one when unknown:
// the replication the operator chose for this cluster, used for a recovered catalog and for data whose source
// table is not on this cluster.
int local_replication(const Env& env) {
  auto n = source_replication_num(env.connection, env.ops.database, *TableName::parse("backup_history"));
  return n && *n ? **n : env.ops.replication_num;
}

void say(const Env& env, const std::string& line) {
  if (env.progress != nullptr) *env.progress << line;
}

// A failed catalog restore names the older catalogs: one of them may be chosen on purpose (it knows nothing
// published after it).
void name_older_catalogs(Error& e, const RepositoryName& repository,
                         const std::vector<catalog::RepositorySnapshot>& listed, const SnapshotLabel& tried) {
  std::string older;
  for (const auto& c : catalog::catalogs_newest_first(repository, listed)) {
    if (c.label == tried) continue;
    older += fmt::format("{}{} (published {})", older.empty() ? "" : ", ", c.label.str(),
                         c.published_at.to_iso8601_utc());
    if (older.size() > 400) break;
  }
  if (!older.empty()) {
    e.message += "; older catalog snapshots: " + older +
                 " — choose one with --catalog LABEL (it knows no snapshot taken after it was published)";
  }
}

// SHOW SNAPSHOT ON the repository; an unknown repository is a missing snapshot with a hint.
Result<std::vector<catalog::RepositorySnapshot>> list_repository(const Env& env,
                                                                 const RepositoryName& repository) {
  auto listed = catalog::list_snapshots(env.connection, repository);
  if (listed) return listed;
  if (auto m = ports::server_message(listed.error()); m && m->find("does not exist") != std::string::npos) {
    return sk::fail(
        errc::kRestoreSnapshotMissing,
        "{} — create it on this cluster with the same name and location first (starkeep repository "
        "apply)",
        *m);
  }
  return std::unexpected(std::move(listed.error()));
}

// The history to plan from: this cluster's ops tables (warm), or the repository's catalog (cold: only the
// snapshots the repository lists; the source database absent here means nothing live to protect).
Result<std::vector<Snapshot>> load_planning_history(const Env& env, RestoreInvocation& invocation,
                                                    std::optional<catalog::Recovered>& recovered,
                                                    bool source_tables_here) {
  RestoreRequest& request = invocation.request;
  if (!invocation.from_repository) {
    ops::OpsStore store(env.connection, env.ops, env.clock);
    return load_history(store, request.database);
  }
  const RepositoryName& repo = *invocation.from_repository;
  if (request.repository && *request.repository != repo) {
    return sk::fail(errc::kRestoreUsage, "--repository and --from-repository name different repositories");
  }
  request.repository = repo;
  auto found = open_repository_catalog(env, repo, invocation.catalog, request.grammar);
  if (!found) return std::unexpected(std::move(found.error()));
  const auto& c = found->recovered.catalog;
  say(env,
      fmt::format("Catalog: snapshot '{}' (published {}) of repository {} {} {}\n", c.label.str(),
                  c.published_at.to_iso8601_utc(), c.repository.str(),
                  found->recovered.reused ? "already in" : "restored into", found->recovered.database.str()));
  recovered = found->recovered;
  ops::OpsStore catalog_store(env.connection,
                              ops::OpsConfig{found->recovered.database, env.ops.replication_num}, env.clock);
  auto history = load_history(catalog_store, request.database);
  if (!history) return history;
  std::vector<std::string> dropped;
  auto usable = listed_only(std::move(*history), repo, found->listed, &dropped);
  for (const auto& d : dropped) say(env, "Catalog: skipped " + d + "\n");
  request.source_on_this_cluster = source_tables_here;
  return usable;
}

// The tables of the source database that exist now.
Result<std::vector<TableName>> live_tables_of(ports::SqlConnection& connection,
                                              const DatabaseName& database) {
  auto live = connection.query(dialect::render_list_tables(database));
  if (!live) return std::unexpected(std::move(live.error()));
  std::vector<TableName> tables;
  for (std::size_t i = 0; i < live->size(); ++i) {
    auto name = live->get(i, "TABLE_NAME");
    if (!name || !*name) continue;
    if (auto t = TableName::parse(**name)) tables.push_back(*t);
  }
  return tables;
}

// Match the live source table, or a restore next to it fails on "different replication num" (reference §3.4);
// data whose source is not on this cluster gets this cluster's ops replication.
Status choose_replication(const Env& env, RestoreRequest& request) {
  if (!request.replication_num && request.table && request.source_on_this_cluster) {
    auto n = source_replication_num(env.connection, request.database, *request.table);
    if (!n) return std::unexpected(std::move(n.error()));
    request.replication_num = *n;
  }
  if (!request.replication_num && !request.source_on_this_cluster)
    request.replication_num = local_replication(env);
  return {};
}

}  // namespace

Result<dialect::Grammar> choose_grammar(ports::SqlConnection& connection,
                                        std::optional<dialect::Grammar> forced) {
  if (forced) return *forced;
  return jobs::detect_grammar(connection);
}

Result<RepositoryCatalog> open_repository_catalog(const Env& env, const RepositoryName& repository,
                                                  const CatalogChoice& choice, dialect::Grammar grammar) {
  catalog::RecoverOptions options{
      catalog::default_recovery_database(env.ops.database), local_replication(env), choice.refresh, {}};
  options.job.grammar = grammar;
  if (choice.recovery_database) options.recovery_database = *choice.recovery_database;
  if (options.recovery_database == env.ops.database) {
    return sk::fail(errc::kRestoreUsage, "the recovery database must not be the ops database {}",
                    env.ops.database.str());
  }
  auto listed = list_repository(env, repository);
  if (!listed) return std::unexpected(std::move(listed.error()));
  auto chosen = catalog::newest_catalog(repository, *listed, choice.label);
  if (!chosen) return std::unexpected(std::move(chosen.error()));
  auto recovered = catalog::recover(env.connection, *chosen, options, env.clock, env.sleeper);
  if (!recovered) {
    Error e = std::move(recovered.error());
    if (e.code == errc::kCatalogFailed && !choice.label)
      name_older_catalogs(e, repository, *listed, chosen->label);
    return std::unexpected(std::move(e));
  }
  return RepositoryCatalog{std::move(*listed), std::move(*recovered)};
}

Result<PreparedRestore> prepare_restore(const Env& env, RestoreInvocation invocation) {
  RestoreRequest& request = invocation.request;
  auto grammar = choose_grammar(env.connection, invocation.grammar);
  if (!grammar) return std::unexpected(std::move(grammar.error()));
  request.grammar = *grammar;
  auto live = live_tables_of(env.connection, request.database);
  if (!live) return std::unexpected(std::move(live.error()));
  std::optional<catalog::Recovered> recovered;
  auto history = load_planning_history(env, invocation, recovered, !live->empty());
  if (!history) return std::unexpected(std::move(history.error()));
  if (auto s = choose_replication(env, request); !s) return std::unexpected(std::move(s.error()));
  if (request.source_on_this_cluster) request.live_tables = std::move(*live);
  auto plan = make_restore_plan(request, *history);
  if (!plan) return std::unexpected(std::move(plan.error()));
  if (auto s = resolve_timestamps(env.connection, *plan, invocation.backup_timestamp); !s) {
    return std::unexpected(std::move(s.error()));
  }
  return PreparedRestore{std::move(request), std::move(*plan), std::move(recovered)};
}

RestoreOutcome execute_restore(const Env& env, const PreparedRestore& prepared,
                               std::chrono::seconds wait_limit) {
  ExecuteOptions options;
  // Unique per invocation: two restores of the same database within one second must not share history rows.
  options.run_id = ops::make_id({"restore", std::to_string(env.clock.now().unix_seconds()),
                                 std::to_string(::getpid()), std::to_string(std::random_device{}()),
                                 prepared.plan.target_database.str(), prepared.request.database.str()});
  options.job_deadline = wait_limit;
  options.live_proof = prepared.request.source_on_this_cluster && !prepared.recovered;
  options.display = env.display;
  ops::OpsStore store(env.connection, env.ops, env.clock);  // this cluster's ops: restore_history
  return execute_plan(env.connection, &store, prepared.plan, env.clock, env.sleeper, options, env.progress);
}

Result<RepositoryPoints> list_restore_points(const Env& env, const RepositoryName& repository,
                                             const std::optional<DatabaseName>& database,
                                             const CatalogChoice& choice,
                                             std::optional<dialect::Grammar> grammar) {
  auto g = choose_grammar(env.connection, grammar);
  if (!g) return std::unexpected(std::move(g.error()));
  auto found = open_repository_catalog(env, repository, choice, *g);
  if (!found) return std::unexpected(std::move(found.error()));
  ops::OpsStore catalog_store(env.connection,
                              ops::OpsConfig{found->recovered.database, env.ops.replication_num}, env.clock);
  auto points = restore_points(env.connection, catalog_store, database, repository, found->listed);
  if (!points) return std::unexpected(std::move(points.error()));
  return RepositoryPoints{std::move(found->recovered), std::move(*points)};
}

Result<catalog::Published> publish_catalog(const Env& env, const RepositoryName& repository,
                                           std::optional<dialect::Grammar> grammar) {
  auto g = choose_grammar(env.connection, grammar);
  if (!g) return std::unexpected(std::move(g.error()));
  catalog::JobOptions options;
  options.grammar = *g;
  const std::string run_id = fmt::format("catalog-publish-{}-{}-{}", env.clock.now().unix_seconds(),
                                         ::getpid(), std::random_device{}());
  return catalog::publish(env.connection, env.ops, repository,
                          catalog::catalog_label(env.clock.now(), run_id), env.clock, env.sleeper, options);
}

Result<catalog::Recovered> adopt_catalog(const Env& env, const RepositoryName& repository,
                                         const CatalogChoice& choice,
                                         std::optional<dialect::Grammar> grammar) {
  auto g = choose_grammar(env.connection, grammar);
  if (!g) return std::unexpected(std::move(g.error()));
  auto found = open_repository_catalog(env, repository, choice, *g);
  if (!found) return std::unexpected(std::move(found.error()));
  if (auto s = catalog::adopt(env.connection, found->recovered.database, env.ops, env.clock,
                              "starkeep catalog adopt");
      !s) {
    return std::unexpected(std::move(s.error()));
  }
  return std::move(found->recovered);
}

}  // namespace sk::restore
