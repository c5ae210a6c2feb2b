// The run (runner.h): connect, pre-checks, ops schema and reconciliation, the canary, the repositories'
// snapshot lists, advisory run markers, then one worker per database group (databases in parallel, a
// database's jobs one after the other), and the combined outcome.
#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/executor/catch_up.h"
#include "runtime/executor/run_support.h"

// The ops record types (BackupAttempt, RunMarker) are aggregates with many optional fields; this file sets
// the key fields by brace initialisation and leaves the rest at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sk::executor {
namespace {

using ops::AttemptState;

// Keeps this run's markers alive (issue 10 item 5): a thread refreshes heartbeat_at of every marker every
// stale_heartbeat / 5 of wall-clock time (at least 1 s) on its own session, whatever the workers are doing — busy
// backoff, a long fingerprint scan, a database group still waiting for a worker — so a live run never looks dead
// to another runner. Stopped and joined before the markers are released.
class MarkerHeartbeat {
 public:
  MarkerHeartbeat(std::vector<ops::RunMarker> markers, const RunConfig& config, RunnerDeps& deps)
      : markers_(std::move(markers)), config_(config), deps_(deps) {
    if (!markers_.empty()) thread_ = std::thread([this] { loop(); });
  }
  MarkerHeartbeat(const MarkerHeartbeat&) = delete;
  MarkerHeartbeat& operator=(const MarkerHeartbeat&) = delete;
  ~MarkerHeartbeat() { stop(); }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // The interval between heartbeats: a fifth of stale_heartbeat, at least 1 s.
  [[nodiscard]] std::chrono::milliseconds interval() const {
    return std::max<std::chrono::milliseconds>(std::chrono::seconds(1), config_.stale_heartbeat / 5);
  }

  // Refreshes every marker now (from the thread, or from a worker's wait: HeartbeatingSleeper). Thread-safe.
  void beat() {
    std::lock_guard lock(beat_mu_);
    if (markers_.empty()) return;
    if (!session_) {
      auto s = deps_.connect(std::nullopt);
      if (!s) {
        deps_.log.warn({"heartbeat"}, "cannot connect to refresh the run's markers: " + s.error().describe());
        return;
      }
      session_ = std::move(*s);
    }
    ops::OpsStore store(*session_, config_.ops, deps_.clock);
    for (const auto& m : markers_) {
      if (auto s = store.heartbeat(m); !s) deps_.log.warn({"heartbeat", m.database.str()}, s.error().describe());
    }
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval(), [this] { return stopping_; })) {
      lock.unlock();
      beat();
      lock.lock();
    }
  }

  const std::vector<ops::RunMarker> markers_;
  const RunConfig& config_;
  RunnerDeps& deps_;
  std::unique_ptr<ports::SqlConnection> session_;  // guarded by beat_mu_
  std::mutex beat_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// The workers' sleeper (issue 10 item 5): every wait — the busy backoff above all (a foreign job or the SUBMIT
// lock can keep a database busy longer than stale_heartbeat), and the polls — is cut into pieces of at most the
// heartbeat interval, and the run's markers are refreshed between pieces whenever the interval has passed on the
// run's clock. So a long backoff keeps the markers fresh on the run's own clock too, not only through the
// wall-clock heartbeat thread. Thread-safe.
class HeartbeatingSleeper final : public ports::Sleeper {
 public:
  HeartbeatingSleeper(ports::Sleeper& inner, ports::Clock& clock, MarkerHeartbeat& heartbeat)
      : inner_(inner), clock_(clock), heartbeat_(heartbeat), last_(clock.monotonic()) {}

  void sleep_for(std::chrono::milliseconds duration) override {
    const std::chrono::milliseconds piece = heartbeat_.interval();
    while (duration.count() > 0) {
      const auto d = std::min(duration, piece);
      inner_.sleep_for(d);
      duration -= d;
      beat_if_due();
    }
  }

 private:
  void beat_if_due() {
    {
      std::lock_guard lock(mu_);
      const auto now = clock_.monotonic();
      if (now - last_ < heartbeat_.interval()) return;
      last_ = now;
    }
    heartbeat_.beat();
  }

  ports::Sleeper& inner_;
  ports::Clock& clock_;
  MarkerHeartbeat& heartbeat_;
  std::mutex mu_;
  std::chrono::milliseconds last_;
};

// One run's state while its steps go by.
class Run {
 public:
  Run(const model::Policy& policy, const plan::Plan& plan, const RunConfig& config, RunnerDeps& deps)
      : policy_(policy), plan_(plan), config_(config), deps_(deps), started_(deps.clock.monotonic()) {
    report_.run_id = config.run_id;
  }

  RunReport run() {
    deps_.log.set_run_id(config_.run_id);
    auto control = deps_.connect(std::nullopt);
    if (!control) {
      deps_.log.error({"connect"}, control.error().describe());
      return fail(Outcome::kConnectionFailed, "cannot connect to the cluster: " + control.error().describe() +
                                                  "; check --host/--port/--user and that the FE is up");
    }
    ports::SqlConnection& conn = **control;
    take_catch_ups(conn);
    if (plan_.jobs.empty()) {
      if (!prepare_ops(conn)) return report_;
      deps_.log.info({"run.nothing_due"}, "no backup job is due at " + plan_.at.to_iso8601_utc());
      return fail(Outcome::kNothingDue, "nothing due");
    }
    // Pre-checks come first: with a dead BE even the ops DDL fails (replication_num), and the operator needs
    // the real cause.
    report_.disks_read_at = deps_.clock.now();
    if (detail::PrecheckResult p = detail::precheck(conn, policy_, plan_, deps_, report_.disks);
        p.outcome != Outcome::kSuccess) {
      if (!config_.dry_run && p.outcome == Outcome::kRepositoryError && prepare_ops(conn))
        reject_all(conn, p.message);
      return fail(p.outcome, p.message);
    }
    if (!prepare_ops(conn)) return report_;
    if (policy_.precheck.canary_backup && !config_.dry_run) {
      if (detail::PrecheckResult p = detail::canary(conn, plan_, config_, deps_);
          p.outcome != Outcome::kSuccess) {
        if (p.outcome == Outcome::kRepositoryError) reject_all(conn, p.message);
        return fail(p.outcome, p.message);
      }
    }
    const Result<TimeZone> zone = detail::cluster_zone(conn, deps_.log);
    if (!zone) {
      deps_.log.error({"cluster.time_zone"}, zone.error().describe());
      return fail(ports::is_connection_error(zone.error()) ? Outcome::kConnectionFailed : Outcome::kPrecheckFailed,
                  zone.error().describe());
    }
    if (!list_snapshots(conn)) return report_;
    ops::OpsStore store(conn, config_.ops, deps_.clock);
    const std::vector<ops::RunMarker> markers = mark_runs(store);
    {
      MarkerHeartbeat heartbeat(markers, config_, deps_);
      HeartbeatingSleeper sleeper(deps_.sleeper, deps_.clock, heartbeat);
      RunnerDeps worker_deps{deps_.connect,       deps_.clock,    sleeper,         deps_.log,
                             deps_.alert,         deps_.stop,     deps_.random01,  deps_.process_alive,
                             deps_.checkpoint,    deps_.progress, deps_.process_start};
      run_workers(*zone, markers.empty() ? deps_ : worker_deps);
    }
    finish_markers(store, markers);
    report_.message = fmt::format("run {}: {}", config_.run_id, to_string(report_.outcome));
    return report_;
  }

 private:
  RunReport fail(Outcome o, std::string message) {
    report_.outcome = o;
    report_.message = std::move(message);
    return report_;
  }

  // Issue 10 item 11: the plan's catch-up candidates are taken only when ops history says their slot was missed
  // (catch_up.h), and run with the due jobs in run order (by the slot's local day, then decreasing precedence —
  // plan.h; a catch-up's slot is older than any due job's). The others are dropped before the pre-checks, so a
  // run between slots with nothing missed is "nothing due". History that cannot be read (no ops schema yet, or an
  // error) drops them with a warning: a later run decides again.
  void take_catch_ups(ports::SqlConnection& conn) {
    if (plan_.catch_ups.empty()) return;
    ops::OpsStore store(conn, config_.ops, deps_.clock);
    std::map<std::string, Result<std::vector<ops::BackupAttempt>>> history;
    std::vector<plan::BackupJob> taken;
    for (plan::BackupJob& job : plan_.catch_ups) {
      const LogFields f{"catch_up", job.database.str(), job.label.str(), std::nullopt, job.tier.str()};
      auto it = history.find(job.database.str());
      if (it == history.end()) it = history.emplace(job.database.str(), store.load_backup_attempts(job.database)).first;
      if (!it->second) {
        deps_.log.warn(f, fmt::format("catch-up of {} not taken: cannot read ops history ({}); a later run decides",
                                      job.slot.to_iso8601_utc(), it->second.error().describe()));
        continue;
      }
      const CatchUpDecision d = decide_catch_up(job, *it->second, config_.max_label_retries);
      deps_.log.info(f, d.reason);
      if (d.take) taken.push_back(std::move(job));
    }
    plan_.catch_ups.clear();
    if (taken.empty()) return;
    taken.insert(taken.end(), std::make_move_iterator(plan_.jobs.begin()), std::make_move_iterator(plan_.jobs.end()));
    const TimeZone& zone = policy_.time_zone;
    auto precedence = [&](const plan::BackupJob& j) {
      for (const model::Tier& t : policy_.tiers) {
        if (t.name == j.tier) return t.precedence;
      }
      return 0;
    };
    std::stable_sort(taken.begin(), taken.end(), [&](const plan::BackupJob& a, const plan::BackupJob& b) {
      const CivilDay da(zone.to_local(a.slot)), db(zone.to_local(b.slot));
      return da != db ? da < db : precedence(a) > precedence(b);
    });
    plan_.jobs = std::move(taken);
  }

  // Migrates the ops schema and reconciles earlier runs; false (with the report set) when the run must stop.
  bool prepare_ops(ports::SqlConnection& conn) {
    if (config_.dry_run) return true;
    if (auto s = ops::migrate(conn, config_.ops, deps_.clock, "starkeep run " + config_.run_id); !s) {
      const bool connection = ports::is_connection_error(s.error());
      deps_.log.error({"ops.migrate"}, s.error().describe());
      fail(connection ? Outcome::kConnectionFailed : Outcome::kPrecheckFailed,
           "cannot prepare the ops schema: " + s.error().describe());
      return false;
    }
    auto settled = reconcile(conn, config_, deps_);
    if (!settled) {
      deps_.log.warn({"reconcile"}, settled.error().describe());
      if (ports::is_connection_error(settled.error())) {
        fail(Outcome::kConnectionFailed, "lost the cluster while reconciling: " + settled.error().describe());
        return false;
      }
    } else {
      report_.reconciled = *settled;
    }
    return true;
  }

  // Leaves a trace per job: the slot was attempted and failed on the repository.
  void reject_all(ports::SqlConnection& conn, const std::string& message) {
    ops::OpsStore store(conn, config_.ops, deps_.clock);
    for (const auto& j : plan_.jobs) {
      ops::BackupAttempt a{config_.run_id, j.label, j.repository, j.database};
      a.tiers = j.satisfies;
      a.slot = j.slot;
      a.kind = j.whole_database ? ops::BackupKind::kDatabase : ops::BackupKind::kTables;
      a.state = AttemptState::kRejected;
      a.error_text = message;
      a.finished_at = deps_.clock.now();
      if (auto s = store.record_backup_attempt(a); !s) deps_.log.warn({"history"}, s.error().describe());
    }
  }

  // The repository's snapshot list, once per repository; false (with the report set) when one cannot be read.
  bool list_snapshots(ports::SqlConnection& conn) {
    for (const auto& j : plan_.jobs) {
      if (snapshots_.contains(j.repository.str())) continue;
      auto rows = detail::show_snapshot(conn, j.repository, std::nullopt);
      if (!rows) {
        alerts::AlertContext c;
        c.repository = j.repository;
        c.detail = rows.error().describe();
        detail::raise(deps_, alerts::AlertKind::kRepositoryUnreachable, c);
        fail(
            ports::is_connection_error(rows.error()) ? Outcome::kConnectionFailed : Outcome::kRepositoryError,
            "cannot list the snapshots of repository " + j.repository.str() + ": " + rows.error().describe());
        return false;
      }
      snapshots_[j.repository.str()] = std::move(*rows);
    }
    return true;
  }

  // Advisory markers (status and reconciliation only; never the exclusion). Markers of dead runs that left no
  // unsettled attempt (killed before writing any history row) are released here; those with attempts were
  // released by reconcile().
  std::vector<ops::RunMarker> mark_runs(ops::OpsStore& store) {
    std::vector<ops::RunMarker> markers;
    if (config_.dry_run) return markers;
    std::set<std::string> seen;
    for (const auto& j : plan_.jobs) {
      if (!seen.insert(j.database.str()).second) continue;
      auto active = store.load_active_runs(j.database);
      if (!active) continue;
      for (const auto& m : *active) {
        if (detail::marker_alive(m, config_, deps_)) continue;
        if (auto s = store.finish_run(m, ops::RunState::kAbandoned); !s) {
          deps_.log.warn({"run_status", j.database.str()}, s.error().describe());
        } else {
          deps_.log.info({"reconcile", j.database.str()},
                         fmt::format("released the marker of dead run {}", m.run_id));
        }
      }
    }
    for (const auto& j : plan_.jobs) {
      ops::RunMarker m{config_.run_id,    j.database,       j.slot.to_iso8601_utc() + " " + j.tier.str(),
                       config_.host,      config_.pid,      ops::RunState::kActive,
                       deps_.clock.now(), deps_.clock.now()};
      m.process_start = config_.process_start;  // issue 10 item 5: a reused pid is not this run
      if (auto s = store.mark_run(m); !s) deps_.log.warn({"run_status"}, s.error().describe());
      markers.push_back(m);
    }
    detail::checkpoint(deps_, "marked");
    return markers;
  }

  // Workers: one job per database at a time (a database's jobs — e.g. two tiers due together that do not
  // cover each other — run one after the other on one worker, so they never compete for the database's one
  // job slot), databases in parallel.
  void run_workers(const TimeZone& zone, RunnerDeps& deps) {
    std::vector<std::vector<std::size_t>> groups;
    std::map<std::string, std::size_t> group_of;
    for (std::size_t i = 0; i < plan_.jobs.size(); ++i) {
      auto [it, added] = group_of.emplace(plan_.jobs[i].database.str(), groups.size());
      if (added) groups.emplace_back();
      groups[it->second].push_back(i);
    }
    std::vector<std::optional<DatabaseResult>> results(plan_.jobs.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t g = next.fetch_add(1); g < groups.size(); g = next.fetch_add(1)) {
        auto session = deps.connect(plan_.jobs[groups[g].front()].database.str());
        for (const std::size_t i : groups[g]) {
          const auto& job = plan_.jobs[i];
          if (!session) {
            results[i] = DatabaseResult{job.database,
                                        job.tier,
                                        job.label,
                                        std::nullopt,
                                        Outcome::kConnectionFailed,
                                        session.error().describe(),
                                        std::nullopt,
                                        std::nullopt,
                                        {}};
            continue;
          }
          results[i] = detail::run_database_job(job, config_, deps, snapshots_[job.repository.str()],
                                                **session, zone, plan_.at, started_);
        }
      }
    };
    const int threads = std::max(1, std::min<int>(config_.parallel, static_cast<int>(groups.size())));
    if (threads == 1) {
      worker();
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
      for (auto& t : pool) t.join();
    }
    combine(results);
  }

  void combine(std::vector<std::optional<DatabaseResult>>& results) {
    bool any_work = false;
    Outcome overall = Outcome::kNothingDue;
    for (auto& r : results) {
      if (!r) continue;
      overall = worse(overall, r->outcome);
      any_work = any_work || r->outcome != Outcome::kNothingDue;
      report_.databases.push_back(std::move(*r));
    }
    report_.outcome = any_work ? overall : Outcome::kNothingDue;
  }

  void finish_markers(ops::OpsStore& store, const std::vector<ops::RunMarker>& markers) {
    if (config_.dry_run) return;
    const auto state =
        report_.outcome == Outcome::kInterrupted ? ops::RunState::kAbandoned : ops::RunState::kDone;
    for (const auto& m : markers) {
      if (auto s = store.finish_run(m, state); !s) deps_.log.warn({"run_status"}, s.error().describe());
    }
  }

  const model::Policy& policy_;
  plan::Plan plan_;  // the caller's, without the catch-up jobs ops history says are not needed
  const RunConfig& config_;
  RunnerDeps& deps_;
  std::chrono::milliseconds started_;
  RunReport report_;
  std::map<std::string, std::vector<jobs::SnapshotRow>> snapshots_;
};

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kNothingDue:
      return "nothing_due";
    case Outcome::kAlreadyHandled:
      return "already_handled";
    case Outcome::kConflict:
      return "conflict";
    case Outcome::kJobFailed:
      return "job_failed";
    case Outcome::kRepositoryError:
      return "repository_error";
    case Outcome::kPrecheckFailed:
      return "precheck_failed";
    case Outcome::kConnectionFailed:
      return "connection_failed";
    case Outcome::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

Outcome worse(Outcome a, Outcome b) { return detail::rank(a) >= detail::rank(b) ? a : b; }

RunReport run(const model::Policy& policy, const plan::Plan& plan, const RunConfig& config,
              RunnerDeps& deps) {
  return Run(policy, plan, config, deps).run();
}

}  // namespace sk::executor
