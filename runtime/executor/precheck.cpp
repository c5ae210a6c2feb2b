// Pre-checks (runner step 1) and the canary backup (step 2b): each failure alerts and stops the run before
// anything is submitted. Cluster views are read by column name (pitfall 6).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "kernel/dialect/runner_sql.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/executor/cluster_views.h"
#include "runtime/executor/run_support.h"

namespace sk::executor::detail {
namespace {

// A failed pre-check: alert, log, result.
struct Failer {
  RunnerDeps& deps;
  PrecheckResult operator()(Outcome o, std::string message) const {
    alerts::AlertContext c;
    c.detail = message;
    raise(deps, alerts::AlertKind::kPrecheckFailed, c);
    deps.log.error({"precheck.failed"}, message);
    return PrecheckResult{o, std::move(message)};
  }
};

Outcome query_failure(const Error& e) {
  return ports::is_connection_error(e) ? Outcome::kConnectionFailed : Outcome::kPrecheckFailed;
}

std::optional<PrecheckResult> check_frontends(ports::SqlConnection& conn, const Failer& fail_with) {
  auto fe = conn.query(dialect::render_show_frontends());
  if (!fe)
    return fail_with(query_failure(fe.error()), "pre-check: SHOW FRONTENDS failed: " + fe.error().describe());
  for (std::size_t i = 0; i < fe->size(); ++i) {
    auto alive = fe->get_required(i, "Alive");
    if (!alive)
      return fail_with(Outcome::kPrecheckFailed, "pre-check: SHOW FRONTENDS: " + alive.error().describe());
    auto name = fe->get(i, "Name");
    const std::string fe_name = name && *name ? std::string(**name) : "?";
    if (auto b = parse_bool(*alive); !b || !*b) {
      return fail_with(
          Outcome::kPrecheckFailed,
          fmt::format("pre-check failed: frontend {} is not alive (SHOW FRONTENDS Alive={}); restart it "
                      "or remove it from the cluster, then run again",
                      fe_name, *alive));
    }
  }
  return std::nullopt;
}

// The snapshot disks of backend `id` against the policy's free-space threshold.
// Every disk is read before the threshold is applied, so `disks` gets the backend's fullest disk either way.
std::optional<PrecheckResult> check_disks(ports::SqlConnection& conn, const model::Policy& policy,
                                          std::int64_t id, RunnerDeps& deps, const Failer& fail_with,
                                          std::vector<BackendDisk>& read) {
  auto disks = conn.query(dialect::render_show_backend_disks(id));
  if (!disks) {
    return fail_with(Outcome::kPrecheckFailed, fmt::format("pre-check: SHOW PROC '/backends/{}' failed: {}",
                                                           id, disks.error().describe()));
  }
  const double threshold = policy.precheck.snapshot_disk_free_min.value();
  std::optional<PrecheckResult> failed;
  BackendDisk fullest{id, 1.0};
  bool measured = false;
  for (std::size_t d = 0; d < disks->size(); ++d) {
    auto avail = disks->get_required(d, "AvailCapacity");
    auto total = disks->get_required(d, "TotalCapacity");
    auto root = disks->get(d, "RootPath");
    if (!avail || !total)
      return fail_with(Outcome::kPrecheckFailed, "pre-check: SHOW PROC disk row lacks capacities");
    auto a = parse_capacity(*avail);
    auto t = parse_capacity(*total);
    if (!a || !t)
      return fail_with(Outcome::kPrecheckFailed, "pre-check: " + (!a ? a.error() : t.error()).message);
    if (*t <= 0) continue;
    const double free_pct = *a / *t * 100.0;
    fullest.free_ratio = std::min(fullest.free_ratio, *a / *t);
    measured = true;
    if (free_pct + 1e-9 >= threshold || failed) continue;  // the first disk below the threshold is reported
    const std::string root_path = root && *root ? std::string(**root) : "?";
    alerts::AlertContext c;
    c.backend = id;
    c.disk_free = Percent::from_hundredths(static_cast<std::int64_t>(free_pct * 100))
                      .value_or(*Percent::from_hundredths(0));
    c.detail = fmt::format("disk {} of backend {}: {:.2f}% free", root_path, id, free_pct);
    raise(deps, alerts::AlertKind::kDiskFreeBelow, c);
    failed = fail_with(
        Outcome::kPrecheckFailed,
        fmt::format("pre-check failed: snapshot disk {} on backend {} has {:.2f}% free, below the "
                    "policy's threshold of {}; free space on that disk (or lower "
                    "precheck.snapshot_disk_free) before backing up",
                    root_path, id, free_pct, policy.precheck.snapshot_disk_free_min.to_string()));
  }
  if (measured) read.push_back(fullest);
  if (!failed) {
    alerts::AlertContext c;
    c.backend = id;
    resolve(deps, alerts::AlertKind::kDiskFreeBelow, c);
  }
  return failed;
}

std::optional<PrecheckResult> check_backends(ports::SqlConnection& conn, const model::Policy& policy,
                                             RunnerDeps& deps, const Failer& fail_with,
                                             std::vector<BackendDisk>& disks) {
  auto be = conn.query(dialect::render_show_backends());
  if (!be)
    return fail_with(query_failure(be.error()), "pre-check: SHOW BACKENDS failed: " + be.error().describe());
  if (be->empty())
    return fail_with(Outcome::kPrecheckFailed, "pre-check failed: SHOW BACKENDS lists no backend");
  for (std::size_t i = 0; i < be->size(); ++i) {
    auto id = be->get_int(i, "BackendId");
    auto alive = be->get_required(i, "Alive");
    if (!id || !*id || !alive) {
      return fail_with(Outcome::kPrecheckFailed, "pre-check: SHOW BACKENDS has no BackendId/Alive value");
    }
    if (auto b = parse_bool(*alive); !b || !*b) {
      return fail_with(
          Outcome::kPrecheckFailed,
          fmt::format("pre-check failed: backend {} is not alive (SHOW BACKENDS Alive={}); bring it back "
                      "(or decommission it) before backing up, then run again",
                      **id, *alive));
    }
    if (auto failed = check_disks(conn, policy, **id, deps, fail_with, disks)) return failed;
  }
  return std::nullopt;
}

// One repository's row of SHOW REPOSITORIES: writable and without an error.
std::optional<PrecheckResult> check_repository_row(const ports::Rows& rr, std::size_t i,
                                                   const RepositoryName& repo, RunnerDeps& deps,
                                                   const Failer& fail_with) {
  auto ro = rr.get(i, "IsReadOnly");
  if (ro && *ro && parse_bool(**ro).value_or(false)) {
    return fail_with(Outcome::kRepositoryError,
                     fmt::format("pre-check failed: repository {} is read only; backups need a writable "
                                 "repository (DROP it and CREATE REPOSITORY without READ ONLY)",
                                 repo.str()));
  }
  auto err = rr.get(i, "ErrMsg");
  if (err && *err && !(*err)->empty()) {
    alerts::AlertContext c;
    c.repository = repo;
    c.detail = std::string(**err);
    raise(deps, alerts::AlertKind::kRepositoryUnreachable, c);
    return fail_with(Outcome::kRepositoryError,
                     fmt::format("pre-check failed: repository {} reports an error: {}; check the storage "
                                 "endpoint, credentials and network, then run again",
                                 repo.str(), **err));
  }
  alerts::AlertContext c;
  c.repository = repo;
  resolve(deps, alerts::AlertKind::kRepositoryUnreachable, c);
  return std::nullopt;
}

std::optional<PrecheckResult> check_repositories(ports::SqlConnection& conn, const plan::Plan& plan,
                                                 RunnerDeps& deps, const Failer& fail_with) {
  std::set<RepositoryName> repos;
  for (const auto& j : plan.jobs) repos.insert(j.repository);
  auto rr = conn.query(dialect::render_show_repositories_stmt());
  if (!rr)
    return fail_with(Outcome::kRepositoryError,
                     "pre-check: SHOW REPOSITORIES failed: " + rr.error().describe());
  for (const auto& repo : repos) {
    bool found = false;
    for (std::size_t i = 0; i < rr->size(); ++i) {
      auto name = rr->get(i, "RepoName");
      if (!name || !*name || **name != repo.str()) continue;
      found = true;
      if (auto failed = check_repository_row(*rr, i, repo, deps, fail_with)) return failed;
    }
    if (!found) {
      return fail_with(Outcome::kRepositoryError,
                       fmt::format("pre-check failed: repository {} does not exist on the cluster (SHOW "
                                   "REPOSITORIES); create it with CREATE REPOSITORY, then run again",
                                   repo.str()));
    }
  }
  return std::nullopt;
}

}  // namespace

PrecheckResult precheck(ports::SqlConnection& conn, const model::Policy& policy, const plan::Plan& plan,
                        RunnerDeps& deps, std::vector<BackendDisk>& disks) {
  const Failer fail_with{deps};
  if (auto failed = check_frontends(conn, fail_with)) return *failed;
  if (auto failed = check_backends(conn, policy, deps, fail_with, disks)) return *failed;
  if (auto failed = check_repositories(conn, plan, deps, fail_with)) return *failed;
  resolve(deps, alerts::AlertKind::kPrecheckFailed, alerts::AlertContext{});
  return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Canary backup (policy `precheck { canary_backup = true }`): the only end-to-end proof that the repository
// takes writes. For every repository the plan uses, BACKUP of the small ops table `schema_version` under a
// label unique to this run (`starkeep_canary_<12 hex of the run id>`), awaited to its end before any real job
// is submitted. The ops database's one job slot may be busy (another runner's canary, a catalog publication):
// bounded backoff, then kConflict. CANCELLED (e.g. the storage refuses writes) or refused → kRepositoryError
// with the server's reason.

namespace {

struct CanaryFailer {
  RunnerDeps& deps;
  PrecheckResult operator()(Outcome o, const RepositoryName& repo, std::string message) const {
    alerts::AlertContext c;
    c.repository = repo;
    c.detail = message;
    raise(deps,
          o == Outcome::kRepositoryError ? alerts::AlertKind::kRepositoryUnreachable
                                         : alerts::AlertKind::kPrecheckFailed,
          c);
    deps.log.error({"precheck.canary"}, message);
    return PrecheckResult{o, std::move(message)};
  }
};

// Sends the canary BACKUP; nullopt when the server took it.
std::optional<PrecheckResult> send_canary(ports::SqlConnection& conn, const std::string& sql,
                                          const SnapshotLabel& label, const RepositoryName& repo,
                                          const RunConfig& config, RunnerDeps& deps,
                                          const CanaryFailer& fail_with) {
  using Sent = jobs::Submitted::Outcome;
  const jobs::Submitted sent =
      jobs::submit(conn, sql, {config.busy_backoff, jitter(deps)}, deps.stop, deps.sleeper);
  const std::string text = sent.error ? sent.error->describe() : "";
  switch (sent.outcome) {
    case Sent::kAccepted:
      return std::nullopt;
    case Sent::kConnectionLost: {
      auto cur = jobs::show_jobs(conn, jobs::JobKind::kBackup, config.ops.database);
      if (cur &&
          std::any_of(cur->begin(), cur->end(), [&](const auto& j) { return j.label == label.str(); })) {
        return std::nullopt;
      }
      return fail_with(Outcome::kConnectionFailed, repo, "canary backup: connection lost: " + text);
    }
    case Sent::kStopped:
      return PrecheckResult{Outcome::kInterrupted, "interrupted during the canary backup"};
    case Sent::kBusyExhausted:
    case Sent::kYielded:
      return fail_with(
          Outcome::kConflict, repo,
          "canary backup: the ops database stayed busy with another backup or restore job: " + text);
    case Sent::kRefused:
      break;
  }
  return fail_with(is_repository_error(*sent.error) ? Outcome::kRepositoryError : Outcome::kPrecheckFailed,
                   repo,
                   fmt::format("pre-check failed: the canary backup to repository {} was refused: {}; the "
                               "repository cannot take backups — check its storage permissions and endpoint",
                               repo.str(), text));
}

// Awaits the canary job (15 minutes at most); nullopt when it FINISHED (or left its snapshot).
std::optional<PrecheckResult> await_canary(ports::SqlConnection& conn, const SnapshotLabel& label,
                                           const RepositoryName& repo, const RunConfig& config,
                                           RunnerDeps& deps, const CanaryFailer& fail_with) {
  using Done = jobs::Awaited::Outcome;
  jobs::AwaitPolicy policy;
  policy.poll = config.poll;
  policy.deadline = std::chrono::minutes(15);
  policy.random01 = jitter(deps);
  auto done = jobs::await(conn, jobs::JobKind::kBackup, config.ops.database, {label.str(), {}, {}}, policy,
                          deps.stop, deps.clock, deps.sleeper);
  if (!done)
    return fail_with(Outcome::kPrecheckFailed, repo, "pre-check: canary backup: " + done.error().describe());
  switch (done->outcome) {
    case Done::kFinished:
      return std::nullopt;
    case Done::kStopped:
      return PrecheckResult{Outcome::kInterrupted, "interrupted during the canary backup"};
    case Done::kCancelled:
      return fail_with(
          Outcome::kRepositoryError, repo,
          fmt::format("pre-check failed: the canary backup to repository {} was CANCELLED: {}; the "
                      "repository does not take writes — check the bucket policy / credentials "
                      "(write and delete under the prefix) and the endpoint, then run again",
                      repo.str(), done->job->error_text()));
    case Done::kSuperseded:  // replaced by a newer job: its snapshot decides
      if (finished_timestamp(conn, repo, label)) return std::nullopt;
      return fail_with(Outcome::kRepositoryError, repo,
                       "pre-check failed: the canary backup disappeared from SHOW BACKUP without a snapshot");
    case Done::kTimedOut:
    case Done::kUnreachable:
      break;
  }
  return fail_with(Outcome::kRepositoryError, repo,
                   "pre-check failed: the canary backup did not finish within 15 minutes");
}

}  // namespace

PrecheckResult canary(ports::SqlConnection& conn, const plan::Plan& plan, const RunConfig& config,
                      RunnerDeps& deps) {
  const CanaryFailer fail_with{deps};
  std::set<RepositoryName> repos;
  for (const auto& j : plan.jobs) repos.insert(j.repository);
  const auto table = TableName::parse("schema_version");
  for (const auto& repo : repos) {
    const std::string& repo_name = repo.str();
    const auto label =
        SnapshotLabel::parse("starkeep_canary_" + ops::make_id({config.run_id, repo_name}).substr(0, 12));
    if (!label || !table) return fail_with(Outcome::kPrecheckFailed, repo, "canary: invalid name");
    const dialect::BackupJobSpec spec{
        config.ops.database,
        *label,
        repo,
        {dialect::BackupTable{*table, dialect::PartitionSelection::whole_table()}},
        Duration::from_seconds(600)};
    deps.log.info(
        {"precheck.canary", std::nullopt, label->str()},
        fmt::format("canary backup of {}.schema_version to {}", config.ops.database.str(), repo_name));
    if (auto failed =
            send_canary(conn, dialect::render_backup(spec), *label, repo, config, deps, fail_with)) {
      return *failed;
    }
    if (auto failed = await_canary(conn, *label, repo, config, deps, fail_with)) return *failed;
    deps.log.info({"precheck.canary", std::nullopt, label->str()},
                  fmt::format("canary backup to {} FINISHED: the repository takes writes", repo_name));
  }
  return {};
}

}  // namespace sk::executor::detail
