// Reconciliation (runner step 2a, also `starkeep run` without jobs): every backup_history row left SUBMITTING
// or RUNNING by a dead run is brought to a terminal state from the server's own records (SHOW BACKUP FROM db,
// SHOW SNAPSHOT) — invariant 3, pitfall 10.
#include <fmt/format.h>

#include "runtime/executor/run_support.h"

namespace sk::executor {
namespace {

using ops::AttemptState;
using ops::AttemptUpdate;

// Our job among the rows SHOW BACKUP lists: the attempt's label and, once recorded, its job id.
const jobs::ServerJob* find_attempt_job(const std::vector<jobs::ServerJob>& rows,
                                        const ops::BackupAttempt& a) {
  for (const auto& j : rows) {
    if (j.label != a.label.str()) continue;
    if (a.job_id && j.job_id && j.job_id->value() != *a.job_id) continue;
    return &j;
  }
  return nullptr;
}

void take_times(AttemptUpdate& u, const jobs::ServerJob& job, const TimeZone& zone) {
  if (job.job_id) u.job_id = job.job_id->value();
  u.started_at = jobs::server_time(job.create_time, zone);
  u.finished_at = jobs::server_time(job.finished_time, zone);
}

// What the server says about one attempt of a dead run; nullopt when it cannot be settled now.
std::optional<AttemptUpdate> settle(ports::SqlConnection& conn, ops::OpsStore& store,
                                    const ops::BackupAttempt& a, const jobs::ServerJob* job,
                                    const TimeZone& zone, RunLog& log, const LogFields& f) {
  AttemptUpdate u;
  if (job && job->cancelled()) {
    u.state = AttemptState::kCancelled;
    u.server_state = job->state_text;
    u.error_text = job->error_text();
    take_times(u, *job, zone);
    return u;
  }
  // Issue 10 items 7 and 27: a repository that cannot be read now says nothing; "absent" only when it answered.
  auto ts = jobs::finished_snapshot(conn, a.repository, a.label);
  if (!ts) {
    log.warn(f, "cannot read the repository now; the attempt stays unsettled for a later run: " +
                    ts.error().describe());
    return std::nullopt;
  }
  if (*ts) {
    u.state = AttemptState::kFinished;
    u.server_state = std::string(jobs::to_string(jobs::JobState::kFinished));
    u.backup_timestamp = **ts;
    u.bytes = detail::manifest_bytes(store, a.attempt_id());
    if (job) take_times(u, *job, zone);
  } else if (job && job->finished()) {
    return std::nullopt;  // finished, but the repository does not list it yet: settle later
  } else {
    u.state = AttemptState::kLost;
    u.error_text =
        "NEVER_SUBMITTED: the server has no job and no snapshot with this label (the run died before "
        "or while submitting)";
  }
  return u;
}

// One attempt of a dead run; true when its row reached a terminal state.
bool reconcile_attempt(ports::SqlConnection& conn, ops::OpsStore& store, const ops::BackupAttempt& a,
                       const TimeZone& zone, RunnerDeps& deps) {
  const LogFields f{"reconcile", a.database.str(), a.label.str(), a.job_id, std::nullopt};
  auto rows = jobs::show_jobs(conn, jobs::JobKind::kBackup, a.database);
  if (!rows) {
    deps.log.warn(f, "cannot reconcile: " + rows.error().describe());
    return false;
  }
  const jobs::ServerJob* job = find_attempt_job(*rows, a);
  if (job && !job->terminal()) {
    // Still running on the server: record what it is; the run that adopts the slot (or a later one) settles
    // it.
    AttemptUpdate u;
    u.state = AttemptState::kRunning;
    u.server_state = job->state_text;
    u.job_id = jobs::to_int(job->job_id);
    if (auto s = store.update_backup_state(a.attempt_id(), u); !s) deps.log.warn(f, s.error().describe());
    deps.log.info(f, fmt::format("job of dead run {} still {} on the server", a.run_id, job->state_text));
    return false;
  }
  auto u = settle(conn, store, a, job, zone, deps.log, f);
  if (!u) return false;
  if (auto s = store.update_backup_state(a.attempt_id(), *u); !s) {
    deps.log.warn(f, "cannot record reconciliation: " + s.error().describe());
    return false;
  }
  deps.log.info(f, fmt::format("reconciled attempt of dead run {}: {}", a.run_id, ops::to_string(*u->state)));
  if (*u->state == AttemptState::kFinished)
    detail::fingerprint_snapshot(conn, store, a.attempt_id(), a.database, deps.log, f);
  return true;
}

}  // namespace

Result<int> reconcile(ports::SqlConnection& conn, const RunConfig& config, RunnerDeps& deps) {
  ops::OpsStore store(conn, config.ops, deps.clock);
  auto unfinished = store.load_unfinished_attempts();
  if (!unfinished)
    return std::unexpected(std::move(unfinished.error()).with_context("reconciling earlier runs"));
  const Result<TimeZone> zone = detail::cluster_zone(conn, deps.log);
  if (!zone) return std::unexpected(zone.error());
  int settled = 0;
  std::vector<ops::RunMarker> dead_markers;
  for (const auto& a : *unfinished) {
    if (!detail::run_is_dead(store, a, config, deps, dead_markers)) continue;
    if (reconcile_attempt(conn, store, a, *zone, deps)) ++settled;
  }
  for (const auto& m : dead_markers) {
    if (auto s = store.finish_run(m, ops::RunState::kAbandoned); !s) {
      deps.log.warn({"reconcile", m.database.str()}, s.error().describe());
    }
  }
  return settled;
}

}  // namespace sk::executor
