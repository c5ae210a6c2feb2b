#include "runtime/executor/runner.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "kernel/dialect/runner_sql.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/executor/binding.h"
#include "runtime/executor/labels.h"
#include "runtime/executor/server_views.h"
#include "runtime/ops/ops_store.h"
#include "runtime/verify/fingerprint.h"

// The ops record types (BackupAttempt, ManifestEntry, RunMarker) are aggregates with many optional fields; this
// file sets the key fields by brace initialisation and leaves the rest at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sk::executor {
namespace {

using ops::AttemptState;
using ops::AttemptUpdate;

int rank(Outcome o) {
  switch (o) {
    case Outcome::kNothingDue: return 0;
    case Outcome::kSuccess: return 1;
    case Outcome::kAlreadyHandled: return 2;
    case Outcome::kConflict: return 3;
    case Outcome::kJobFailed: return 4;
    case Outcome::kRepositoryError: return 5;
    case Outcome::kPrecheckFailed: return 6;
    case Outcome::kConnectionFailed: return 7;
    case Outcome::kInterrupted: return 8;
  }
  return 0;
}

bool stopping(const RunnerDeps& deps) { return deps.stop && deps.stop->load(); }

void raise(RunnerDeps& deps, AlertRequest request) {
  if (deps.alert) deps.alert(request);
}

void checkpoint(RunnerDeps& deps, std::string_view step) {
  if (deps.checkpoint) deps.checkpoint(step);
}

// The snapshot's size: the sum of the manifest's data_size (partitions_meta DATA_SIZE read before submission) of
// the partitions the attempt backed up; unknown when the manifest is empty or any entry lacks a size. StarRocks
// reports no size in SHOW BACKUP / SHOW SNAPSHOT, so this is the best the server offers.
std::optional<std::int64_t> manifest_bytes(ops::OpsStore& store, const std::string& attempt_id) {
  auto manifest = store.load_manifest(attempt_id);
  if (!manifest || manifest->empty()) return std::nullopt;
  std::int64_t sum = 0;
  for (const auto& e : *manifest) {
    if (!e.data_size) return std::nullopt;
    sum += *e.data_size;
  }
  return sum;
}

// After a FINISHED attempt: content fingerprints of its partitions into the manifest (only for partitions whose
// VisibleVersion is still the snapshot's). Never changes the outcome: failures are warnings.
void fingerprint_snapshot(ports::SqlConnection& conn, ops::OpsStore& store, const SnapshotLabel& label,
                          const DatabaseName& db, RunLog& log, const LogFields& fields) {
  auto recorded = verify::record_fingerprints(conn, store, label, db);
  LogFields f = fields;
  f.event = "fingerprint";
  if (!recorded) {
    log.warn(f, "cannot record the snapshot's fingerprints (restores of it verify against the live data when "
                "unchanged): " + recorded.error().describe());
    return;
  }
  std::string skipped;
  for (const auto& s : recorded->skipped) skipped += (skipped.empty() ? "" : "; ") + s;
  log.info(f, fmt::format("recorded {} partition fingerprint(s){}", recorded->recorded,
                          skipped.empty() ? "" : "; not recorded (data changed since the snapshot): " + skipped));
}

// Errors that mean the repository itself is the problem (reference §4): fail at once, alert.
bool is_repository_error(const Error& e) {
  return server_error_contains(e, "Repository") || server_error_contains(e, "repository ") ||
         server_error_contains(e, "failed to list remote path") || server_error_contains(e, "is read only");
}

TimeZone cluster_zone(ports::SqlConnection& conn, RunLog& log) {
  auto rows = conn.query(dialect::render_show_time_zone());
  if (rows && !rows->empty()) {
    if (auto v = rows->get(0, "Value"); v && *v) {
      if (auto z = TimeZone::parse(**v)) return *z;
      log.warn({"cluster.time_zone"}, fmt::format("cluster time zone '{}' is not an IANA name; reading server times as UTC", **v));
    }
  }
  return TimeZone::utc();
}

std::optional<Instant> server_time(const std::optional<std::string>& text, const TimeZone& zone) {
  if (!text) return std::nullopt;
  auto t = parse_server_time(*text, zone);
  return t ? std::optional<Instant>(*t) : std::nullopt;
}

Result<std::vector<ServerBackupJob>> show_backup(ports::SqlConnection& conn, const DatabaseName& db) {
  auto rows = conn.query(dialect::render_show_backup(db));
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("SHOW BACKUP FROM " + db.str()));
  return parse_show_backup(*rows);
}

Result<std::vector<SnapshotRow>> show_snapshot(ports::SqlConnection& conn, const RepositoryName& repo,
                                               const std::optional<SnapshotLabel>& label) {
  auto rows = conn.query(dialect::render_show_snapshot(repo, label));
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("SHOW SNAPSHOT ON " + repo.str()));
  return parse_show_snapshot(*rows);
}

// The timestamp of a finished snapshot, if the repository has one for `label`.
std::optional<std::string> finished_timestamp(ports::SqlConnection& conn, const RepositoryName& repo,
                                              const SnapshotLabel& label) {
  auto rows = show_snapshot(conn, repo, label);
  if (!rows) return std::nullopt;
  for (const auto& r : *rows) {
    if (r.label == label.str() && r.ok()) return r.timestamps.back();
  }
  return std::nullopt;
}

// Whether the run that wrote `m` still lives: its process on this host, else a fresh heartbeat.
bool marker_alive(const ops::RunMarker& m, const RunConfig& config, RunnerDeps& deps) {
  if (m.run_id == config.run_id) return true;
  if (m.host == config.host && deps.process_alive) return deps.process_alive(m.host, m.pid);
  return (deps.clock.now() - m.heartbeat_at).seconds() <= config.stale_heartbeat.count();
}

bool run_is_dead(ops::OpsStore& store, const ops::BackupAttempt& attempt, const RunConfig& config,
                 RunnerDeps& deps, std::vector<ops::RunMarker>& dead_markers) {
  if (attempt.run_id == config.run_id) return false;
  auto markers = store.load_active_runs(attempt.database);
  if (!markers) return false;  // cannot tell: leave it for a later run
  for (const auto& m : *markers) {
    if (m.run_id != attempt.run_id) continue;
    if (marker_alive(m, config, deps)) return false;
    dead_markers.push_back(m);
    return true;
  }
  return true;  // no active marker: the run ended (or never marked) without settling the row
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess: return "success";
    case Outcome::kNothingDue: return "nothing_due";
    case Outcome::kAlreadyHandled: return "already_handled";
    case Outcome::kConflict: return "conflict";
    case Outcome::kJobFailed: return "job_failed";
    case Outcome::kRepositoryError: return "repository_error";
    case Outcome::kPrecheckFailed: return "precheck_failed";
    case Outcome::kConnectionFailed: return "connection_failed";
    case Outcome::kInterrupted: return "interrupted";
  }
  return "unknown";
}

Outcome worse(Outcome a, Outcome b) { return rank(a) >= rank(b) ? a : b; }

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation

Result<int> reconcile(ports::SqlConnection& conn, const RunConfig& config, RunnerDeps& deps) {
  ops::OpsStore store(conn, config.ops, deps.clock);
  auto unfinished = store.load_unfinished_attempts();
  if (!unfinished) return std::unexpected(std::move(unfinished.error()).with_context("reconciling earlier runs"));
  const TimeZone zone = cluster_zone(conn, deps.log);
  int settled = 0;
  std::vector<ops::RunMarker> dead_markers;
  for (const auto& a : *unfinished) {
    if (!run_is_dead(store, a, config, deps, dead_markers)) continue;
    const LogFields f{"reconcile", a.database.str(), a.label.str(), a.job_id, std::nullopt};
    AttemptUpdate u;
    auto jobs = show_backup(conn, a.database);
    if (!jobs) {
      deps.log.warn(f, "cannot reconcile: " + jobs.error().describe());
      continue;
    }
    const ServerBackupJob* job = nullptr;
    for (const auto& j : *jobs) {
      if (j.label == a.label.str()) job = &j;
    }
    if (job && !job->terminal()) {
      // Still running on the server: record what it is; the run that adopts the slot (or a later one) settles it.
      u.state = AttemptState::kRunning;
      u.server_state = job->state;
      if (job->job_id) u.job_id = *job->job_id;
      if (auto s = store.update_backup_state(a.attempt_id(), u); !s) deps.log.warn(f, s.error().describe());
      deps.log.info(f, fmt::format("job of dead run {} still {} on the server", a.run_id, job->state));
      continue;
    }
    if (job && job->cancelled()) {
      u.state = AttemptState::kCancelled;
      u.server_state = job->state;
      u.error_text = job->error_text();
      if (job->job_id) u.job_id = *job->job_id;
      u.started_at = server_time(job->create_time, zone);
      u.finished_at = server_time(job->finished_time, zone);
    } else if (auto ts = finished_timestamp(conn, a.repository, a.label)) {
      u.state = AttemptState::kFinished;
      u.server_state = "FINISHED";
      u.backup_timestamp = *ts;
      u.bytes = manifest_bytes(store, a.attempt_id());
      if (job) {
        if (job->job_id) u.job_id = *job->job_id;
        u.started_at = server_time(job->create_time, zone);
        u.finished_at = server_time(job->finished_time, zone);
      }
    } else if (job && job->finished()) {
      continue;  // finished but the repository cannot be read now: settle later
    } else {
      u.state = AttemptState::kLost;
      u.error_text = "NEVER_SUBMITTED: the server has no job and no snapshot with this label (the run died before "
                     "or while submitting)";
    }
    if (auto s = store.update_backup_state(a.attempt_id(), u); !s) {
      deps.log.warn(f, "cannot record reconciliation: " + s.error().describe());
      continue;
    }
    ++settled;
    deps.log.info(f, fmt::format("reconciled attempt of dead run {}: {}", a.run_id, ops::to_string(*u.state)));
    if (*u.state == AttemptState::kFinished) fingerprint_snapshot(conn, store, a.label, a.database, deps.log, f);
  }
  for (const auto& m : dead_markers) {
    if (auto s = store.finish_run(m, ops::RunState::kAbandoned); !s) {
      deps.log.warn({"reconcile", m.database.str()}, s.error().describe());
    }
  }
  return settled;
}

// ---------------------------------------------------------------------------------------------------------------
// Pre-checks

namespace {

struct PrecheckResult {
  Outcome outcome = Outcome::kSuccess;
  std::string message;
};

PrecheckResult precheck(ports::SqlConnection& conn, const model::Policy& policy, const plan::Plan& plan,
                        RunnerDeps& deps) {
  auto fail_with = [&](Outcome o, std::string message) {
    AlertRequest r;
    r.kind = model::AlertCondition::Kind::kPrecheckFailed;
    r.detail = message;
    raise(deps, r);
    deps.log.error({"precheck.failed"}, message);
    return PrecheckResult{o, std::move(message)};
  };
  // Frontends.
  auto fe = conn.query(dialect::render_show_frontends());
  if (!fe) return fail_with(ports::is_connection_error(fe.error()) ? Outcome::kConnectionFailed : Outcome::kPrecheckFailed,
                            "pre-check: SHOW FRONTENDS failed: " + fe.error().describe());
  for (std::size_t i = 0; i < fe->size(); ++i) {
    auto alive = fe->get_required(i, "Alive");
    if (!alive) return fail_with(Outcome::kPrecheckFailed, "pre-check: SHOW FRONTENDS: " + alive.error().describe());
    auto name = fe->get(i, "Name");
    const std::string fe_name = name && *name ? std::string(**name) : "?";
    if (auto b = parse_bool(*alive); !b || !*b) {
      return fail_with(Outcome::kPrecheckFailed,
                       fmt::format("pre-check failed: frontend {} is not alive (SHOW FRONTENDS Alive={}); restart it "
                                   "or remove it from the cluster, then run again",
                                   fe_name, *alive));
    }
  }
  // Backends and their snapshot disks.
  auto be = conn.query(dialect::render_show_backends());
  if (!be) return fail_with(ports::is_connection_error(be.error()) ? Outcome::kConnectionFailed : Outcome::kPrecheckFailed,
                            "pre-check: SHOW BACKENDS failed: " + be.error().describe());
  if (be->empty()) return fail_with(Outcome::kPrecheckFailed, "pre-check failed: SHOW BACKENDS lists no backend");
  const double threshold = policy.precheck.snapshot_disk_free_min.value();
  for (std::size_t i = 0; i < be->size(); ++i) {
    auto id = be->get_int(i, "BackendId");
    auto alive = be->get_required(i, "Alive");
    if (!id || !*id || !alive) {
      return fail_with(Outcome::kPrecheckFailed, "pre-check: SHOW BACKENDS has no BackendId/Alive value");
    }
    if (auto b = parse_bool(*alive); !b || !*b) {
      return fail_with(Outcome::kPrecheckFailed,
                       fmt::format("pre-check failed: backend {} is not alive (SHOW BACKENDS Alive={}); bring it back "
                                   "(or decommission it) before backing up, then run again",
                                   **id, *alive));
    }
    auto disks = conn.query(dialect::render_show_backend_disks(**id));
    if (!disks) {
      return fail_with(Outcome::kPrecheckFailed,
                       fmt::format("pre-check: SHOW PROC '/backends/{}' failed: {}", **id, disks.error().describe()));
    }
    for (std::size_t d = 0; d < disks->size(); ++d) {
      auto avail = disks->get_required(d, "AvailCapacity");
      auto total = disks->get_required(d, "TotalCapacity");
      auto root = disks->get(d, "RootPath");
      if (!avail || !total) return fail_with(Outcome::kPrecheckFailed, "pre-check: SHOW PROC disk row lacks capacities");
      auto a = parse_capacity(*avail);
      auto t = parse_capacity(*total);
      if (!a || !t) return fail_with(Outcome::kPrecheckFailed, "pre-check: " + (!a ? a.error() : t.error()).message);
      if (*t <= 0) continue;
      const double free_pct = *a / *t * 100.0;
      if (free_pct + 1e-9 < threshold) {
        const std::string root_path = root && *root ? std::string(**root) : "?";
        AlertRequest r;
        r.kind = model::AlertCondition::Kind::kDiskFreeBelow;
        r.backend = std::to_string(**id);
        r.disk_free = Percent::from_hundredths(static_cast<std::int64_t>(free_pct * 100)).value_or(*Percent::from_hundredths(0));
        r.detail = fmt::format("disk {} of backend {}: {:.2f}% free", root_path, **id, free_pct);
        raise(deps, r);
        return fail_with(Outcome::kPrecheckFailed,
                         fmt::format("pre-check failed: snapshot disk {} on backend {} has {:.2f}% free, below the "
                                     "policy's threshold of {}; free space on that disk (or lower "
                                     "precheck.snapshot_disk_free) before backing up",
                                     root_path, **id, free_pct, policy.precheck.snapshot_disk_free_min.to_string()));
      }
    }
  }
  // Repositories the plan uses.
  std::set<std::string> repos;
  for (const auto& j : plan.jobs) repos.insert(j.repository.str());
  auto rr = conn.query(dialect::render_show_repositories_stmt());
  if (!rr) return fail_with(Outcome::kRepositoryError, "pre-check: SHOW REPOSITORIES failed: " + rr.error().describe());
  for (const auto& repo : repos) {
    bool found = false;
    for (std::size_t i = 0; i < rr->size(); ++i) {
      auto name = rr->get(i, "RepoName");
      if (!name || !*name || **name != repo) continue;
      found = true;
      auto ro = rr->get(i, "IsReadOnly");
      if (ro && *ro && parse_bool(**ro).value_or(false)) {
        return fail_with(Outcome::kRepositoryError,
                         fmt::format("pre-check failed: repository {} is read only; backups need a writable "
                                     "repository (DROP it and CREATE REPOSITORY without READ ONLY)",
                                     repo));
      }
      auto err = rr->get(i, "ErrMsg");
      if (err && *err && !(*err)->empty()) {
        AlertRequest r;
        r.kind = model::AlertCondition::Kind::kRepositoryUnreachable;
        r.repository = repo;
        r.detail = std::string(**err);
        raise(deps, r);
        return fail_with(Outcome::kRepositoryError,
                         fmt::format("pre-check failed: repository {} reports an error: {}; check the storage "
                                     "endpoint, credentials and network, then run again",
                                     repo, **err));
      }
    }
    if (!found) {
      return fail_with(Outcome::kRepositoryError,
                       fmt::format("pre-check failed: repository {} does not exist on the cluster (SHOW "
                                   "REPOSITORIES); create it with CREATE REPOSITORY, then run again",
                                   repo));
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Canary backup (policy `precheck { canary_backup = true }`): the only end-to-end proof that the repository takes
// writes. For every repository the plan uses, BACKUP of the small ops table `schema_version` under a label unique
// to this run (`starkeep_canary_<12 hex of the run id>`), polled to its end before any real job is submitted. The
// ops database's one job slot may be busy (another runner's canary, a catalog publication): bounded backoff, then
// kConflict. CANCELLED (e.g. the storage refuses writes) or refused → kRepositoryError with the server's reason.

PrecheckResult canary(ports::SqlConnection& conn, const plan::Plan& plan, const RunConfig& config, RunnerDeps& deps) {
  auto fail_with = [&](Outcome o, const std::string& repo, std::string message) {
    AlertRequest r;
    r.kind = o == Outcome::kRepositoryError ? model::AlertCondition::Kind::kRepositoryUnreachable
                                            : model::AlertCondition::Kind::kPrecheckFailed;
    r.repository = repo;
    r.detail = message;
    raise(deps, r);
    deps.log.error({"precheck.canary"}, message);
    return PrecheckResult{o, std::move(message)};
  };
  std::set<std::string> repos;
  for (const auto& j : plan.jobs) repos.insert(j.repository.str());
  const auto table = TableName::parse("schema_version");
  for (const auto& repo_name : repos) {
    const auto repo = RepositoryName::parse(repo_name);
    const auto label = SnapshotLabel::parse("starkeep_canary_" + ops::make_id({config.run_id, repo_name}).substr(0, 12));
    if (!repo || !label || !table) return fail_with(Outcome::kPrecheckFailed, repo_name, "canary: invalid name");
    const dialect::BackupJobSpec spec{config.ops.database, *label, *repo,
                                      {dialect::BackupTable{*table, dialect::PartitionSelection::whole_table()}},
                                      Duration::from_seconds(600)};
    const std::string sql = dialect::render_backup(spec);
    Backoff backoff(config.busy_backoff, deps.random01 ? deps.random01 : default_random01);
    deps.log.info({"precheck.canary", std::nullopt, label->str()},
                  fmt::format("canary backup of {}.schema_version to {}", config.ops.database.str(), repo_name));
    while (true) {
      auto sent = conn.execute(sql, ports::Idempotency::kNotIdempotent);
      if (sent) break;
      const Error& e = sent.error();
      if (ports::is_connection_error(e)) {
        auto cur = show_backup(conn, config.ops.database);
        if (cur && std::any_of(cur->begin(), cur->end(), [&](const auto& j) { return j.label == label->str(); })) break;
        return fail_with(Outcome::kConnectionFailed, repo_name, "canary backup: connection lost: " + e.describe());
      }
      if (is_job_slot_busy(e)) {
        auto delay = backoff.next();
        if (!delay || stopping(deps)) {
          return fail_with(Outcome::kConflict, repo_name,
                           "canary backup: the ops database stayed busy with another backup or restore job: " +
                               e.describe());
        }
        deps.sleeper.sleep_for(*delay);
        continue;
      }
      return fail_with(is_repository_error(e) ? Outcome::kRepositoryError : Outcome::kPrecheckFailed, repo_name,
                       fmt::format("pre-check failed: the canary backup to repository {} was refused: {}; the "
                                   "repository cannot take backups — check its storage permissions and endpoint",
                                   repo_name, e.describe()));
    }
    const auto started = deps.clock.monotonic();
    while (true) {
      if (stopping(deps)) return {Outcome::kInterrupted, "interrupted during the canary backup"};
      auto jobs = show_backup(conn, config.ops.database);
      const ServerBackupJob* job = nullptr;
      if (jobs) {
        for (const auto& j : *jobs) {
          if (j.label == label->str()) job = &j;
        }
      }
      if (job && job->finished()) break;
      if (job && job->cancelled()) {
        return fail_with(Outcome::kRepositoryError, repo_name,
                         fmt::format("pre-check failed: the canary backup to repository {} was CANCELLED: {}; the "
                                     "repository does not take writes — check the bucket policy / credentials "
                                     "(write and delete under the prefix) and the endpoint, then run again",
                                     repo_name, job->error_text()));
      }
      if (jobs && !job && !finished_timestamp(conn, *repo, *label)) {
        return fail_with(Outcome::kRepositoryError, repo_name,
                         "pre-check failed: the canary backup disappeared from SHOW BACKUP without a snapshot");
      }
      if (jobs && !job) break;  // replaced by a newer job, but its snapshot is there
      const auto elapsed = deps.clock.monotonic() - started;
      if (elapsed > std::chrono::minutes(15)) {
        return fail_with(Outcome::kRepositoryError, repo_name,
                         "pre-check failed: the canary backup did not finish within 15 minutes");
      }
      deps.sleeper.sleep_for(next_poll_delay(config.poll, elapsed));
    }
    deps.log.info({"precheck.canary", std::nullopt, label->str()},
                  fmt::format("canary backup to {} FINISHED: the repository takes writes", repo_name));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------
// One database

class DatabaseWorker {
 public:
  // `plan_at`/`run_started`: the run's instant (--at) and when the run started (monotonic): the tier's window is
  // measured on the plan's timeline, so a run for a past instant (--at) does not see every job as overrunning.
  DatabaseWorker(const plan::BackupJob& job, const RunConfig& config, RunnerDeps& deps,
                 const std::vector<SnapshotRow>& snapshots, ports::SqlConnection& conn, const TimeZone& zone,
                 Instant plan_at, std::chrono::milliseconds run_started)
      : job_(job), config_(config), deps_(deps), snapshots_(snapshots), conn_(conn), zone_(zone),
        store_(conn, config.ops, deps.clock), result_{job.database, job.tier}, plan_at_(plan_at),
        run_started_(run_started) {}

  DatabaseResult run() {
    for (int round = 0; round < 3; ++round) {
      if (!step()) break;
    }
    return result_;
  }

 private:
  LogFields fields() const {
    return {"", job_.database.str(), result_.label ? std::optional(result_.label->str()) : std::nullopt,
            result_.job_id, job_.tier.str()};
  }
  LogFields fields(std::string event) const {
    auto f = fields();
    f.event = std::move(event);
    return f;
  }
  void finish(Outcome o, std::string message) {
    result_.outcome = o;
    result_.message = std::move(message);
    const LogLevel level = rank(o) <= rank(Outcome::kAlreadyHandled) ? LogLevel::kInfo : LogLevel::kError;
    deps_.log.write(level, fields(std::string("job.") + std::string(to_string(o))), result_.message);
  }

  // One decide → bind → submit → poll round; true when another round is needed (label taken meanwhile).
  bool step() {
    if (stopping(deps_)) {
      finish(Outcome::kInterrupted, "interrupted before submitting");
      return false;
    }
    const auto candidates = label_candidates(job_.label, config_.max_label_retries);
    auto current = show_backup(conn_, job_.database);
    if (!current) return fail_sql(current.error());
    auto attempts = store_.load_backup_attempts(job_.database);
    if (!attempts && !config_.dry_run) return fail_sql(attempts.error());
    std::set<std::string> used;
    std::map<std::string, ops::BackupAttempt> orphan_by_label;
    if (attempts) {
      for (const auto& a : *attempts) {
        const bool candidate = std::any_of(candidates.begin(), candidates.end(),
                                           [&](const SnapshotLabel& c) { return c == a.label; });
        if (!candidate) continue;
        if (a.state == AttemptState::kRunning || a.state == AttemptState::kCancelled ||
            a.state == AttemptState::kFinished) {
          used.insert(a.label.str());
        }
        if (a.state == AttemptState::kRunning && a.run_id != config_.run_id && !config_.dry_run) {
          std::vector<ops::RunMarker> dead_markers;
          if (run_is_dead(store_, a, config_, deps_, dead_markers)) orphan_by_label.emplace(a.label.str(), a);
        }
      }
    }
    std::vector<SnapshotRow> snapshots = snapshots_;
    if (round_ > 0) {
      for (const auto& c : candidates) {
        if (auto rows = show_snapshot(conn_, job_.repository, c)) {
          snapshots.insert(snapshots.end(), rows->begin(), rows->end());
        }
      }
    }
    ++round_;
    const LabelDecision d = decide_label(job_.label, snapshots, *current, used, config_.max_label_retries);
    result_.label = d.label;
    if (d.job && d.job->job_id) result_.job_id = d.job->job_id;
    switch (d.kind) {
      case LabelDecision::Kind::kDone: return done(d, attempts ? &*attempts : nullptr);
      case LabelDecision::Kind::kRunning: {
        auto orphan = orphan_by_label.find(d.label.str());
        if (orphan != orphan_by_label.end() && !config_.dry_run) {
          deps_.log.info(fields("job.adopted"),
                         fmt::format("adopting job {} left running by dead run {}", d.label.str(), orphan->second.run_id));
          poll(orphan->second.attempt_id(), d.label, deps_.clock.monotonic());
          return false;
        }
        if (config_.wait && !config_.dry_run) {
          deps_.log.info(fields("job.waiting"), "another runner is running this slot's job; waiting for it (--wait)");
          poll({}, d.label, deps_.clock.monotonic());
          return false;
        }
        finish(Outcome::kAlreadyHandled,
               fmt::format("another runner is running this slot's job ({} is {} on the server); not submitting",
                           d.label.str(), d.job ? d.job->state : "running"));
        return false;
      }
      case LabelDecision::Kind::kExhausted:
        finish(Outcome::kJobFailed, fmt::format("every label for this slot ({} … {}) is used by failed attempts",
                                                job_.label.str(), d.label.str()));
        return false;
      case LabelDecision::Kind::kSubmit: break;
    }
    return bind_and_submit(d.label, *current);
  }

  bool done(const LabelDecision& d, const std::vector<ops::BackupAttempt>* attempts) {
    result_.backup_timestamp = d.backup_timestamp;
    if (!result_.backup_timestamp) result_.backup_timestamp = finished_timestamp(conn_, job_.repository, d.label);
    bool recorded = false;
    if (attempts) {
      for (const auto& a : *attempts) {
        recorded = recorded || (a.label == d.label && a.state == AttemptState::kFinished);
      }
    }
    if (!recorded && !config_.dry_run) {
      // The server has the snapshot but our history does not (e.g. a run killed after it finished): record it.
      ops::BackupAttempt a = intent(d.label, {});
      a.state = AttemptState::kFinished;
      a.server_state = "FINISHED";
      a.backup_timestamp = result_.backup_timestamp;
      if (d.job) {
        a.job_id = d.job->job_id;
        a.started_at = server_time(d.job->create_time, zone_);
        a.finished_at = server_time(d.job->finished_time, zone_);
      }
      a.error_text = "recorded by reconciliation: the snapshot existed on the server";
      if (auto s = store_.record_backup_attempt(a); !s) deps_.log.warn(fields("history"), s.error().describe());
    }
    finish(Outcome::kAlreadyHandled,
           fmt::format("slot already done: snapshot {} exists (backup_timestamp {}); nothing submitted", d.label.str(),
                       result_.backup_timestamp.value_or("?")));
    return false;
  }

  ops::BackupAttempt intent(const SnapshotLabel& label, const BoundJob& bound) const {
    ops::BackupAttempt a{config_.run_id, label, job_.repository, job_.database};
    a.tiers = job_.satisfies;
    a.slot = job_.slot;
    a.kind = job_.whole_database ? ops::BackupKind::kDatabase : ops::BackupKind::kTables;
    for (const auto& t : bound.tables) {
      a.objects.push_back({t.table, t.partitions});
      if (!t.whole_table) a.kind = ops::BackupKind::kPartitions;
    }
    a.state = AttemptState::kSubmitting;
    return a;
  }

  bool bind_and_submit(const SnapshotLabel& label, const std::vector<ServerBackupJob>& current) {
    (void)current;
    auto meta = read_partitions_meta(conn_, job_.database);
    if (!meta) return fail_sql(meta.error());
    std::vector<ops::LastBackedUp> last;
    if (auto l = store_.load_last_manifest(job_.database)) {
      last = std::move(*l);
    } else if (!config_.dry_run) {
      return fail_sql(l.error());
    }
    const BoundJob bound = bind_job(job_, *meta, last);
    if (bound.empty()) {
      finish(Outcome::kNothingDue, "skipped: no partition changed since the last backup");
      return false;
    }
    const dialect::BackupJobSpec spec = bound_spec(job_, bound, label);
    const std::string sql = dialect::render_backup(spec);
    if (config_.dry_run) {
      finish(Outcome::kSuccess, "dry run, would send: " + sql);
      return false;
    }
    // Intent and manifest BEFORE the statement (crash safety; pitfall 4).
    ops::BackupAttempt attempt = intent(label, bound);
    const std::string attempt_id = attempt.attempt_id();
    if (auto s = store_.record_backup_attempt(attempt); !s) return fail_sql(s.error());
    std::vector<ops::ManifestEntry> entries;
    for (const auto& m : bound.manifest) {
      auto t = TableName::parse(m.table);
      auto p = PartitionName::parse(m.partition);
      if (!t || !p) continue;
      ops::ManifestEntry e{attempt_id, job_.repository, label, job_.database, *t, *p, m.partition_id,
                           m.visible_version};
      e.visible_version_time = m.visible_version_time;
      e.row_count = m.row_count;
      e.data_size = m.data_size;
      entries.push_back(std::move(e));
    }
    if (auto s = store_.write_manifest(entries); !s) return fail_sql(s.error());
    // Every partition of each table of the job as partitions_meta lists it now (held or not): restores leave out
    // partitions dropped before their instant.
    std::map<std::string, std::vector<std::string>> names;
    for (const auto& m : *meta) {
      const bool in_job =
          job_.whole_database ||
          std::any_of(job_.tables.begin(), job_.tables.end(), [&](const auto& t) { return t.table.str() == m.table; });
      if (in_job) names[m.table].push_back(m.partition);
    }
    std::vector<ops::PartitionSet> sets;
    for (auto& [table, parts] : names) {
      auto t = TableName::parse(table);
      if (!t) continue;
      std::sort(parts.begin(), parts.end());
      sets.push_back({attempt_id, job_.repository, label, job_.database, *t, std::move(parts), {}});
    }
    if (auto s = store_.write_partition_sets(sets); !s) return fail_sql(s.error());
    checkpoint(deps_, "intent");

    Backoff backoff(config_.busy_backoff, deps_.random01 ? deps_.random01 : default_random01);
    int tries = 0;
    const auto started = deps_.clock.monotonic();
    while (true) {
      ++tries;
      deps_.log.info(fields("job.submitting"), fmt::format("submitting {} (try {})", label.str(), tries));
      auto sent = conn_.execute(sql, ports::Idempotency::kNotIdempotent);
      if (sent) break;
      const Error& e = sent.error();
      const std::string text = e.describe();
      if (ports::is_connection_error(e)) {
        // Outcome unknown: ask the server whether our label is its current job.
        auto cur = show_backup(conn_, job_.database);
        if (cur && std::any_of(cur->begin(), cur->end(), [&](const auto& j) { return j.label == label.str(); })) break;
        reject(attempt_id, tries, text);
        finish(Outcome::kConnectionFailed, "connection lost while submitting: " + text);
        return false;
      }
      if (server_error_contains(e, "Can only run one backup or restore job")) {
        auto cur = show_backup(conn_, job_.database);
        if (!cur) return fail_sql(cur.error());
        const auto candidates = label_candidates(job_.label, config_.max_label_retries);
        for (const auto& j : *cur) {
          const bool ours = std::any_of(candidates.begin(), candidates.end(),
                                        [&](const SnapshotLabel& c) { return c.str() == j.label; });
          if (ours && !j.terminal()) {
            reject(attempt_id, tries, "another runner owns this slot: job " + j.label + " is " + j.state);
            result_.label = SnapshotLabel::parse(j.label).value_or(label);
            result_.job_id = j.job_id;
            if (config_.wait) {
              deps_.log.info(fields("job.waiting"),
                             "another runner is running this slot's job; waiting for it (--wait)");
              poll({}, *result_.label, deps_.clock.monotonic());
              return false;
            }
            finish(Outcome::kAlreadyHandled,
                   fmt::format("another runner is running this slot's job ({} is {}); not submitting", j.label, j.state));
            return false;
          }
          if (ours && j.finished()) {
            reject(attempt_id, tries, "another runner finished this slot: job " + j.label);
            return true;  // next round sees it done
          }
        }
        std::string foreign = cur->empty() ? "?" : (*cur)[0].label + " (" + (*cur)[0].state + ")";
        if (!wait_busy(backoff, attempt_id, tries, "database busy with a foreign job " + foreign)) return false;
        continue;
      }
      if (server_error_contains(e, "Another backup or restore job is being submitted")) {
        if (!wait_busy(backoff, attempt_id, tries, "submit lock held by another submission")) return false;
        continue;
      }
      if (server_error_contains(e, "already exist in repository")) {
        reject(attempt_id, tries, text);
        deps_.log.warn(fields("job.label_taken"), fmt::format("label {} was taken meanwhile; deciding again", label.str()));
        return true;
      }
      if (is_repository_error(e)) {
        reject(attempt_id, tries, text);
        AlertRequest r;
        r.kind = model::AlertCondition::Kind::kRepositoryUnreachable;
        r.database = job_.database.str();
        r.repository = job_.repository.str();
        r.label = label.str();
        r.detail = text;
        raise(deps_, r);
        finish(Outcome::kRepositoryError, "repository error at submit: " + text);
        return false;
      }
      reject(attempt_id, tries, text);
      AlertRequest r;
      r.kind = model::AlertCondition::Kind::kJobState;
      r.database = job_.database.str();
      r.tier = job_.tier.str();
      r.label = label.str();
      r.job_state = "FAILED";
      r.detail = text;
      raise(deps_, r);
      finish(Outcome::kJobFailed, "BACKUP refused: " + text);
      return false;
    }
    checkpoint(deps_, "submitted");
    AttemptUpdate u;
    u.state = AttemptState::kRunning;
    u.submitted_at = deps_.clock.now();
    u.submit_tries = tries;
    if (auto s = store_.update_backup_state(attempt_id, u); !s) deps_.log.warn(fields("history"), s.error().describe());
    deps_.log.info(fields("job.submitted"), fmt::format("submitted {}", label.str()));
    poll(attempt_id, label, started);
    return false;
  }

  // Sleeps before the next submit try; false (with the result set) when exhausted or interrupted.
  bool wait_busy(Backoff& backoff, const std::string& attempt_id, int tries, const std::string& why) {
    auto delay = backoff.next();
    if (!delay) {
      reject(attempt_id, tries, why + "; gave up after " + std::to_string(tries) + " tries");
      finish(Outcome::kConflict, why + fmt::format("; gave up after {} tries", tries));
      return false;
    }
    deps_.log.warn(fields("job.busy"), fmt::format("{}; retrying in {} ms", why, delay->count()));
    deps_.sleeper.sleep_for(*delay);
    if (stopping(deps_)) {
      reject(attempt_id, tries, "interrupted while waiting to submit");
      finish(Outcome::kInterrupted, "interrupted while waiting to submit");
      return false;
    }
    return true;
  }

  void reject(const std::string& attempt_id, int tries, const std::string& why) {
    AttemptUpdate u;
    u.state = AttemptState::kRejected;
    u.submit_tries = tries;
    u.error_text = why;
    u.finished_at = deps_.clock.now();
    if (auto s = store_.update_backup_state(attempt_id, u); !s) deps_.log.warn(fields("history"), s.error().describe());
  }

  // Polls SHOW BACKUP until our label's job ends. `attempt_id` empty: observe only (--wait on another runner).
  void poll(const std::string& attempt_id, const SnapshotLabel& label, std::chrono::milliseconds started) {
    std::string last_state;
    bool overrun_alerted = false;
    bool polling_checkpoint = false;
    int failures = 0;
    auto last_heartbeat = deps_.clock.monotonic();
    while (true) {
      if (stopping(deps_)) {
        finish(Outcome::kInterrupted,
               fmt::format("interrupted while polling {} (left {} on the server; the next run reconciles it)",
                           label.str(), last_state.empty() ? "running" : last_state));
        return;
      }
      auto jobs = show_backup(conn_, job_.database);
      if (!jobs) {
        // Pitfall 11: a dropped connection never ends the run; the reconnecting session retries on its own.
        if (++failures > 30) {
          finish(Outcome::kConnectionFailed, "lost the cluster while polling: " + jobs.error().describe());
          return;
        }
        deps_.log.warn(fields("poll.error"), jobs.error().describe());
        deps_.sleeper.sleep_for(std::chrono::seconds(2));
        continue;
      }
      failures = 0;
      const ServerBackupJob* job = nullptr;
      for (const auto& j : *jobs) {
        if (j.label == label.str()) job = &j;
      }
      if (!job) {
        // Replaced by a newer job of the database: the repository decides.
        if (auto ts = finished_timestamp(conn_, job_.repository, label)) {
          record_finished(attempt_id, label, nullptr, *ts);
          return;
        }
        record_terminal(attempt_id, AttemptState::kLost, "job disappeared from SHOW BACKUP without a snapshot",
                        nullptr);
        finish(Outcome::kJobFailed, fmt::format("job {} disappeared from SHOW BACKUP", label.str()));
        return;
      }
      if (job->job_id) result_.job_id = job->job_id;
      if (job->state != last_state) {
        last_state = job->state;
        deps_.log.info(fields("job.state"), "state " + job->state);
        if (!attempt_id.empty() && !job->terminal()) {
          AttemptUpdate u;
          u.state = AttemptState::kRunning;
          u.server_state = job->state;
          u.job_id = job->job_id;
          u.started_at = server_time(job->create_time, zone_);
          if (auto s = store_.update_backup_state(attempt_id, u); !s) deps_.log.warn(fields("history"), s.error().describe());
        }
      }
      if (job->finished()) {
        checkpoint(deps_, "finished");
        auto ts = finished_timestamp(conn_, job_.repository, label);
        record_finished(attempt_id, label, job, ts.value_or(""));
        return;
      }
      if (job->cancelled()) {
        record_terminal(attempt_id, AttemptState::kCancelled, job->error_text(), job);
        AlertRequest r;
        r.kind = model::AlertCondition::Kind::kJobState;
        r.database = job_.database.str();
        r.tier = job_.tier.str();
        r.label = label.str();
        r.job_id = job->job_id;
        r.job_state = "CANCELLED";
        r.detail = job->error_text();
        raise(deps_, r);
        finish(Outcome::kJobFailed, fmt::format("job {} CANCELLED: {}", label.str(), job->error_text()));
        return;
      }
      if (!polling_checkpoint && !job->terminal()) {
        polling_checkpoint = true;
        checkpoint(deps_, "polling");
      }
      const Instant now =
          plan_at_ + Duration::from_seconds(
                         std::chrono::duration_cast<std::chrono::seconds>(deps_.clock.monotonic() - run_started_).count());
      if (!overrun_alerted && now > job_.deadline) {
        overrun_alerted = true;
        AlertRequest r;
        r.kind = model::AlertCondition::Kind::kOverrun;
        r.database = job_.database.str();
        r.tier = job_.tier.str();
        r.label = label.str();
        r.job_id = job->job_id;
        r.elapsed = now - job_.slot;
        r.window = job_.deadline - job_.slot;
        r.detail = fmt::format("job {} still {} after its window ended at {}", label.str(), job->state,
                               job_.deadline.to_iso8601_utc());
        raise(deps_, r);
        deps_.log.warn(fields("job.overrun"), r.detail);
      }
      const auto mono = deps_.clock.monotonic();
      if (!attempt_id.empty() && mono - last_heartbeat > std::chrono::seconds(60)) {
        last_heartbeat = mono;
        ops::RunMarker m{config_.run_id, job_.database};
        if (auto s = store_.heartbeat(m); !s) deps_.log.warn(fields("heartbeat"), s.error().describe());
      }
      deps_.sleeper.sleep_for(next_poll_delay(config_.poll, mono - started));
    }
  }

  void record_finished(const std::string& attempt_id, const SnapshotLabel& label, const ServerBackupJob* job,
                       const std::string& ts) {
    result_.backup_timestamp = ts.empty() ? std::nullopt : std::optional(ts);
    if (!attempt_id.empty()) {
      AttemptUpdate u;
      u.state = AttemptState::kFinished;
      u.server_state = "FINISHED";
      if (!ts.empty()) u.backup_timestamp = ts;
      u.bytes = manifest_bytes(store_, attempt_id);
      if (job) {
        u.job_id = job->job_id;
        u.started_at = server_time(job->create_time, zone_);
        u.finished_at = server_time(job->finished_time, zone_);
      }
      if (!u.finished_at) u.finished_at = deps_.clock.now();
      if (auto s = store_.update_backup_state(attempt_id, u); !s) {
        deps_.log.warn(fields("history"), s.error().describe());
      } else {
        fingerprint_snapshot(conn_, store_, label, job_.database, deps_.log, fields());
      }
    }
    finish(Outcome::kSuccess, fmt::format("FINISHED (backup_timestamp {})", ts.empty() ? "?" : ts));
  }

  void record_terminal(const std::string& attempt_id, AttemptState state, const std::string& text,
                       const ServerBackupJob* job) {
    if (attempt_id.empty()) return;
    AttemptUpdate u;
    u.state = state;
    u.error_text = text;
    if (job) {
      u.server_state = job->state;
      u.job_id = job->job_id;
      u.started_at = server_time(job->create_time, zone_);
      u.finished_at = server_time(job->finished_time, zone_);
    }
    if (!u.finished_at) u.finished_at = deps_.clock.now();
    if (auto s = store_.update_backup_state(attempt_id, u); !s) deps_.log.warn(fields("history"), s.error().describe());
  }

  bool fail_sql(const Error& e) {
    finish(ports::is_connection_error(e) ? Outcome::kConnectionFailed
           : is_repository_error(e)      ? Outcome::kRepositoryError
                                         : Outcome::kJobFailed,
           e.describe());
    return false;
  }

  const plan::BackupJob& job_;
  const RunConfig& config_;
  RunnerDeps& deps_;
  const std::vector<SnapshotRow>& snapshots_;
  ports::SqlConnection& conn_;
  const TimeZone& zone_;
  ops::OpsStore store_;
  DatabaseResult result_;
  Instant plan_at_;
  std::chrono::milliseconds run_started_;
  int round_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// The run

RunReport run(const model::Policy& policy, const plan::Plan& plan, const RunConfig& config, RunnerDeps& deps) {
  RunReport report;
  report.run_id = config.run_id;
  const auto run_started = deps.clock.monotonic();
  deps.log.set_run_id(config.run_id);
  auto fail_report = [&](Outcome o, std::string message) {
    report.outcome = o;
    report.message = std::move(message);
    return report;
  };
  auto control = deps.connect(std::nullopt);
  if (!control) {
    deps.log.error({"connect"}, control.error().describe());
    return fail_report(Outcome::kConnectionFailed,
                       "cannot connect to the cluster: " + control.error().describe() +
                           "; check --host/--port/--user and that the FE is up");
  }
  ports::SqlConnection& conn = **control;
  auto prepare_ops = [&]() -> std::optional<RunReport> {
    if (config.dry_run) return std::nullopt;
    if (auto s = ops::migrate(conn, config.ops, deps.clock, "starkeep run " + config.run_id); !s) {
      const bool connection = ports::is_connection_error(s.error());
      deps.log.error({"ops.migrate"}, s.error().describe());
      return fail_report(connection ? Outcome::kConnectionFailed : Outcome::kPrecheckFailed,
                         "cannot prepare the ops schema: " + s.error().describe());
    }
    auto settled = reconcile(conn, config, deps);
    if (!settled) {
      deps.log.warn({"reconcile"}, settled.error().describe());
      if (ports::is_connection_error(settled.error())) {
        return fail_report(Outcome::kConnectionFailed, "lost the cluster while reconciling: " + settled.error().describe());
      }
    } else {
      report.reconciled = *settled;
    }
    return std::nullopt;
  };
  if (plan.jobs.empty()) {
    if (auto failed = prepare_ops()) return *failed;
    deps.log.info({"run.nothing_due"}, "no backup job is due at " + plan.at.to_iso8601_utc());
    return fail_report(Outcome::kNothingDue, "nothing due");
  }
  // Pre-checks come first: with a dead BE even the ops DDL fails (replication_num), and the operator needs the
  // real cause.
  auto reject_all = [&](const std::string& message) {
    // Leave a trace per job: the slot was attempted and failed on the repository.
    {
      ops::OpsStore store(conn, config.ops, deps.clock);
      for (const auto& j : plan.jobs) {
        ops::BackupAttempt a{config.run_id, j.label, j.repository, j.database};
        a.tiers = j.satisfies;
        a.slot = j.slot;
        a.kind = j.whole_database ? ops::BackupKind::kDatabase : ops::BackupKind::kTables;
        a.state = AttemptState::kRejected;
        a.error_text = message;
        a.finished_at = deps.clock.now();
        if (auto s = store.record_backup_attempt(a); !s) deps.log.warn({"history"}, s.error().describe());
      }
    }
  };
  if (PrecheckResult p = precheck(conn, policy, plan, deps); p.outcome != Outcome::kSuccess) {
    if (!config.dry_run && p.outcome == Outcome::kRepositoryError && !prepare_ops()) reject_all(p.message);
    return fail_report(p.outcome, p.message);
  }
  if (auto failed = prepare_ops()) return *failed;
  if (policy.precheck.canary_backup && !config.dry_run) {
    if (PrecheckResult p = canary(conn, plan, config, deps); p.outcome != Outcome::kSuccess) {
      if (p.outcome == Outcome::kRepositoryError) reject_all(p.message);
      return fail_report(p.outcome, p.message);
    }
  }
  const TimeZone zone = cluster_zone(conn, deps.log);
  // The repository's snapshot list, once per repository.
  std::map<std::string, std::vector<SnapshotRow>> snapshots;
  for (const auto& j : plan.jobs) {
    if (snapshots.contains(j.repository.str())) continue;
    auto rows = show_snapshot(conn, j.repository, std::nullopt);
    if (!rows) {
      AlertRequest r;
      r.kind = model::AlertCondition::Kind::kRepositoryUnreachable;
      r.repository = j.repository.str();
      r.detail = rows.error().describe();
      raise(deps, r);
      return fail_report(ports::is_connection_error(rows.error()) ? Outcome::kConnectionFailed : Outcome::kRepositoryError,
                         "cannot list the snapshots of repository " + j.repository.str() + ": " +
                             rows.error().describe());
    }
    snapshots[j.repository.str()] = std::move(*rows);
  }
  // Advisory markers (status and reconciliation only; never the exclusion).
  ops::OpsStore store(conn, config.ops, deps.clock);
  std::vector<ops::RunMarker> markers;
  if (!config.dry_run) {
    // Markers of dead runs that left no unsettled attempt (killed before writing any history row) are released
    // here; those with attempts were released by reconcile().
    std::set<std::string> seen;
    for (const auto& j : plan.jobs) {
      if (!seen.insert(j.database.str()).second) continue;
      auto active = store.load_active_runs(j.database);
      if (!active) continue;
      for (const auto& m : *active) {
        if (marker_alive(m, config, deps)) continue;
        if (auto s = store.finish_run(m, ops::RunState::kAbandoned); !s) {
          deps.log.warn({"run_status", j.database.str()}, s.error().describe());
        } else {
          deps.log.info({"reconcile", j.database.str()}, fmt::format("released the marker of dead run {}", m.run_id));
        }
      }
    }
    for (const auto& j : plan.jobs) {
      ops::RunMarker m{config.run_id, j.database, j.slot.to_iso8601_utc() + " " + j.tier.str(), config.host,
                       config.pid,     ops::RunState::kActive, deps.clock.now(), deps.clock.now()};
      if (auto s = store.mark_run(m); !s) deps.log.warn({"run_status"}, s.error().describe());
      markers.push_back(m);
    }
    checkpoint(deps, "marked");
  }
  // Workers: one job per database at a time (a database's jobs — e.g. two tiers due together that do not cover
  // each other — run one after the other on one worker, so they never compete for the database's one job slot),
  // databases in parallel.
  std::vector<std::vector<std::size_t>> groups;
  {
    std::map<std::string, std::size_t> group_of;
    for (std::size_t i = 0; i < plan.jobs.size(); ++i) {
      auto [it, added] = group_of.emplace(plan.jobs[i].database.str(), groups.size());
      if (added) groups.emplace_back();
      groups[it->second].push_back(i);
    }
  }
  std::vector<std::optional<DatabaseResult>> results(plan.jobs.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    while (true) {
      const std::size_t g = next.fetch_add(1);
      if (g >= groups.size()) return;
      const auto& first = plan.jobs[groups[g].front()];
      auto session = deps.connect(first.database.str());
      for (const std::size_t i : groups[g]) {
        const auto& job = plan.jobs[i];
        if (!session) {
          results[i] = DatabaseResult{job.database, job.tier, job.label, std::nullopt, Outcome::kConnectionFailed,
                                      session.error().describe(), std::nullopt};
          continue;
        }
        DatabaseWorker w(job, config, deps, snapshots[job.repository.str()], **session, zone, plan.at, run_started);
        results[i] = w.run();
      }
    }
  };
  const int threads = std::max(1, std::min<int>(config.parallel, static_cast<int>(groups.size())));
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  bool any_work = false;
  Outcome overall = Outcome::kNothingDue;
  for (auto& r : results) {
    if (!r) continue;
    overall = worse(overall, r->outcome);
    any_work = any_work || r->outcome != Outcome::kNothingDue;
    report.databases.push_back(std::move(*r));
  }
  report.outcome = any_work ? overall : Outcome::kNothingDue;
  if (!config.dry_run) {
    const auto final_state = report.outcome == Outcome::kInterrupted ? ops::RunState::kAbandoned : ops::RunState::kDone;
    for (const auto& m : markers) {
      if (auto s = store.finish_run(m, final_state); !s) deps.log.warn({"run_status"}, s.error().describe());
    }
  }
  report.message = fmt::format("run {}: {}", config.run_id, to_string(report.outcome));
  return report;
}

}  // namespace sk::executor
