// One database's job (runner step 3): decide the label (done slot → nothing; L, L_r1, …), bind changed
// partitions, write the intent row and the manifest, submit the BACKUP through jobs::submit (busy slot → our
// slot's label means another runner; a foreign job → jittered backoff, then kConflict), await OUR job through
// jobs::await (label and job id; FE outages retried with backoff until the job's own timeout), record the
// terminal state, fingerprints and size. A job replaced by a later one in SHOW BACKUP is settled from SHOW
// SNAPSHOT at once.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/executor/binding.h"
#include "runtime/executor/labels.h"
#include "runtime/executor/run_support.h"
#include "runtime/progress/progress_view.h"

// The ops record types (BackupAttempt, ManifestEntry, RunMarker) are aggregates with many optional fields;
// this file sets the key fields by brace initialisation and leaves the rest at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sk::executor::detail {
namespace {

using ops::AttemptState;
using ops::AttemptUpdate;

// How long a job is followed: the BACKUP's own server-side timeout plus a margin (the server cancels it
// then).
constexpr std::chrono::minutes kAwaitMargin{15};

class DatabaseWorker {
 public:
  DatabaseWorker(const plan::BackupJob& job, const RunConfig& config, RunnerDeps& deps,
                 const std::vector<jobs::SnapshotRow>& snapshots, ports::SqlConnection& conn,
                 const TimeZone& zone, Instant plan_at, std::chrono::milliseconds run_started)
      : job_(job),
        config_(config),
        deps_(deps),
        snapshots_(snapshots),
        conn_(conn),
        zone_(zone),
        store_(conn, config.ops, deps.clock),
        result_{job.database, job.tier},
        plan_at_(plan_at),
        run_started_(run_started) {}

  DatabaseResult run() {
    for (int round = 0; round < 3; ++round) {
      if (!step()) break;
    }
    return result_;
  }

 private:
  // What happened when the slot was busy and the hook stopped the retries.
  enum class Yield { kNone, kFailed, kOtherRunner, kNextRound };

  // Our attempts for this slot: the labels they used, those that FINISHED (the slot is done: issue 10 item 3),
  // and those left RUNNING by dead runs (adoptable).
  struct SlotHistory {
    std::optional<std::vector<ops::BackupAttempt>> attempts;
    std::set<std::string> used;
    std::map<std::string, std::optional<BackupTimestamp>> finished;
    std::set<std::string> any;  // every candidate some attempt carries, whatever its state
    std::set<std::string> sent;  // candidates an attempt of this cluster sent (any state but REJECTED)
    std::map<std::string, ops::BackupAttempt> orphans;
  };

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
    const LogLevel level = rank(o) <= rank(Outcome::kSuccess) ? LogLevel::kInfo : LogLevel::kError;
    deps_.log.write(level, fields(std::string("job.") + std::string(to_string(o))), result_.message);
  }
  // A history write that failed is reported loudly (issue 10 item 16): an error line, and the database's result
  // carries it to the run's summary (text and JSON), since the row now shows a stale state until a later run
  // reconciles it from the server.
  void warn_history(const Status& s) {
    if (s) return;
    const std::string text = "could not record this job in ops.backup_history: " + s.error().describe();
    deps_.log.error(fields("history.write_failed"), text);
    if (!result_.history_error) result_.history_error = text;
  }

  Result<SlotHistory> load_slot_history(const std::vector<SnapshotLabel>& candidates) {
    SlotHistory h;
    auto attempts = store_.load_backup_attempts(job_.database);
    if (!attempts && !config_.dry_run) return std::unexpected(std::move(attempts.error()));
    if (!attempts) return h;
    for (const auto& a : *attempts) {
      if (std::none_of(candidates.begin(), candidates.end(),
                       [&](const SnapshotLabel& c) { return c == a.label; })) {
        continue;
      }
      h.any.insert(a.label.str());
      if (a.state != AttemptState::kRejected) h.sent.insert(a.label.str());
      if (a.state == AttemptState::kRunning || a.state == AttemptState::kCancelled ||
          a.state == AttemptState::kFinished) {
        h.used.insert(a.label.str());
      }
      if (a.state == AttemptState::kFinished) h.finished[a.label.str()] = a.backup_timestamp;
      if (a.state == AttemptState::kRunning && a.run_id != config_.run_id && !config_.dry_run) {
        std::vector<ops::RunMarker> dead_markers;
        if (run_is_dead(store_, a, config_, deps_, dead_markers)) h.orphans.emplace(a.label.str(), a);
      }
    }
    h.attempts = std::move(*attempts);
    return h;
  }

  // One decide → bind → submit → await round; true when another round is needed (label taken meanwhile).
  bool step() {
    if (stopping(deps_)) {
      finish(Outcome::kInterrupted, "interrupted before submitting");
      return false;
    }
    const auto candidates = label_candidates(job_.label, config_.max_label_retries);
    auto current = jobs::show_jobs(conn_, jobs::JobKind::kBackup, job_.database);
    if (!current) return fail_sql(current.error());
    auto history = load_slot_history(candidates);
    if (!history) return fail_sql(history.error());
    const std::vector<jobs::SnapshotRow> snapshots = fresh_snapshots(candidates, *history);
    ++round_;
    const std::set<std::string> foreign = foreign_snapshots(candidates, snapshots, *history, *current);
    const LabelDecision d = decide_label(job_.label, snapshots, *current, history->used,
                                         config_.max_label_retries, history->finished, foreign);
    result_.label = d.label;
    if (d.job && d.job->job_id) result_.job_id = d.job->job_id->value();
    switch (d.kind) {
      case LabelDecision::Kind::kDone:
        return done(d, history->attempts ? &*history->attempts : nullptr);
      case LabelDecision::Kind::kRunning:
        return running(d, history->orphans);
      case LabelDecision::Kind::kExhausted:
        finish(Outcome::kJobFailed,
               fmt::format("every label for this slot ({} … {}) is used by failed attempts", job_.label.str(),
                           d.label.str()));
        return false;
      case LabelDecision::Kind::kSubmit:
        break;
    }
    return bind_and_submit(d.label, current->empty() ? std::nullopt : std::optional(current->back()));
  }

  // The run's snapshot list (read once when the run started) with the rows of the candidates that may have
  // changed since refreshed (issue 10 item 3: refresh what the decision depends on): every candidate some
  // attempt carries, plus all of them after a round that found its label taken. A label nobody attempted and
  // the run's list did not hold is left to the server (a BACKUP with a taken label is refused).
  std::vector<jobs::SnapshotRow> fresh_snapshots(const std::vector<SnapshotLabel>& candidates,
                                                 const SlotHistory& history) {
    std::vector<jobs::SnapshotRow> snapshots;
    std::set<std::string> refreshed;
    for (const auto& c : candidates) {
      if (round_ == 0 && !history.any.contains(c.str())) continue;
      auto row = jobs::find_snapshot(conn_, job_.repository, c);
      if (!row) {
        deps_.log.warn(fields("snapshot.read"), row.error().describe());
        continue;  // keep what the run's list says about it
      }
      // Asked by label, the server prints a row ("ERROR: no snapshot") even for a label without a directory:
      // before any refusal only a finished snapshot counts; otherwise the run's list says what is used.
      if (!*row || (round_ == 0 && !(*row)->ok())) continue;
      refreshed.insert(c.str());
      snapshots.push_back(std::move(**row));
    }
    for (const auto& s : snapshots_) {
      if (!refreshed.contains(s.label)) snapshots.push_back(s);
    }
    return snapshots;
  }

  // Issue 10 item 10 (whose snapshot): a finished snapshot with one of the slot's labels is this slot's backup
  // only when this cluster took it — an attempt in our ops.backup_history sent the label, or our server's SHOW
  // BACKUP lists the job — and it holds our database (the Database column of SHOW SNAPSHOT … AND TIMESTAMP).
  // StarRocks exposes no cluster identity in SHOW SNAPSHOT before 4.2 (reference §1.4), so a second cluster
  // sharing the repository (cold start, a staging copy) is told apart by its own history and server. A foreign
  // snapshot keeps its label used (the next candidate is taken); a warning says whose it is.
  std::set<std::string> foreign_snapshots(const std::vector<SnapshotLabel>& candidates,
                                          const std::vector<jobs::SnapshotRow>& snapshots,
                                          const SlotHistory& history, const std::vector<jobs::ServerJob>& current) {
    std::set<std::string> foreign;
    for (const auto& c : candidates) {  // in the order decide_label takes them: up to the first of ours
      const auto it = std::find_if(snapshots.begin(), snapshots.end(),
                                   [&](const jobs::SnapshotRow& r) { return r.label == c.str(); });
      if (it == snapshots.end() || !it->ok()) continue;
      const jobs::SnapshotRow& row = *it;
      const bool listed = std::any_of(current.begin(), current.end(),
                                      [&](const jobs::ServerJob& j) { return j.label == row.label; });
      std::string why;
      if (!history.sent.contains(row.label) && !listed) {
        why = "no attempt in this cluster's ops.backup_history sent it and SHOW BACKUP does not list it (another "
              "cluster sharing the repository?)";
      } else if (const auto db = snapshot_database_of(row); db && *db != job_.database.str()) {
        why = fmt::format("it holds database {}", *db);
      }
      if (why.empty()) break;  // ours: the slot is done
      foreign.insert(row.label);
      if (warned_foreign_.insert(row.label).second) {
        deps_.log.warn(fields("snapshot.foreign"),
                       fmt::format("snapshot {} in repository {} is not this cluster's backup of {}: {}; not "
                                   "counted as this slot's backup",
                                   row.label, job_.repository.str(), job_.database.str(), why));
      }
    }
    return foreign;
  }

  // The database a finished snapshot row holds; nullopt when the server does not say or cannot be asked (then
  // the attempt that sent the label decides).
  std::optional<std::string> snapshot_database_of(const jobs::SnapshotRow& row) {
    auto label = SnapshotLabel::parse(row.label);
    auto ts = row.latest();
    if (!label || !ts) return std::nullopt;
    auto db = jobs::snapshot_database(conn_, job_.repository, *label, *ts);
    if (!db) {
      deps_.log.warn(fields("snapshot.read"), db.error().describe());
      return std::nullopt;
    }
    return *db;
  }

  // The slot's label is running on the server: adopt it (its run died), wait for it (--wait), or leave it.
  bool running(const LabelDecision& d, const std::map<std::string, ops::BackupAttempt>& orphans) {
    const std::optional<jobs::JobId> id = d.job ? d.job->job_id : std::nullopt;
    auto orphan = orphans.find(d.label.str());
    if (orphan != orphans.end() && !config_.dry_run) {
      deps_.log.info(fields("job.adopted"), fmt::format("adopting job {} left running by dead run {}",
                                                        d.label.str(), orphan->second.run_id));
      await_job(orphan->second.attempt_id(), {d.label.str(), id, std::nullopt});
      return false;
    }
    if (config_.wait && !config_.dry_run) {
      deps_.log.info(fields("job.waiting"),
                     "another runner is running this slot's job; waiting for it (--wait)");
      await_job({}, {d.label.str(), id, std::nullopt});
      return false;
    }
    finish(Outcome::kAlreadyHandled,
           fmt::format("another runner is running this slot's job ({} is {} on the server); not submitting",
                       d.label.str(), d.job ? d.job->state_text : "running"));
    return false;
  }

  bool done(const LabelDecision& d, const std::vector<ops::BackupAttempt>* attempts) {
    result_.backup_timestamp = d.backup_timestamp;
    if (!result_.backup_timestamp) {
      result_.backup_timestamp = finished_timestamp(conn_, job_.repository, d.label);
    }
    // One row per attempt (issue 10 item 24): an attempt of this label that owns, or may own, the job (its
    // statement was sent: SUBMITTING, RUNNING, FINISHED) is recorded by its own run, or by reconciliation when
    // that run died; a second FINISHED row for the same snapshot would hide the owner's manifest.
    bool owned = false;
    if (attempts) {
      for (const auto& a : *attempts) {
        owned = owned || (a.label == d.label && (a.state == AttemptState::kFinished ||
                                                 a.state == AttemptState::kRunning ||
                                                 a.state == AttemptState::kSubmitting));
      }
    }
    if (!owned && result_.backup_timestamp && !config_.dry_run) {
      // The server has the snapshot but our history has no attempt that sent it (e.g. history lost): record it.
      ops::BackupAttempt a = intent(d.label, {});
      a.state = AttemptState::kFinished;
      a.server_state = std::string(jobs::to_string(jobs::JobState::kFinished));
      a.backup_timestamp = result_.backup_timestamp;
      if (d.job) {
        a.job_id = jobs::to_int(d.job->job_id);
        a.started_at = jobs::server_time(d.job->create_time, zone_);
        a.finished_at = jobs::server_time(d.job->finished_time, zone_);
      }
      a.error_text = "recorded by reconciliation: the snapshot existed on the server";
      warn_history(store_.record_backup_attempt(a));
    }
    finish(Outcome::kAlreadyHandled,
           fmt::format("slot already done: snapshot {} exists (backup_timestamp {}); nothing submitted",
                       d.label.str(), result_.backup_timestamp ? result_.backup_timestamp->str() : "?"));
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

  // Intent row, manifest and partition sets BEFORE the statement (crash safety; pitfall 4). Returns the
  // attempt id.
  Result<std::string> record_intent(const SnapshotLabel& label, const BoundJob& bound,
                                    const std::vector<PartitionMeta>& meta) {
    ops::BackupAttempt attempt = intent(label, bound);
    const std::string attempt_id = attempt.attempt_id();
    if (auto s = store_.record_backup_attempt(attempt); !s) return std::unexpected(std::move(s.error()));
    std::vector<ops::ManifestEntry> entries;
    for (const auto& m : bound.manifest) {
      auto t = TableName::parse(m.table);
      auto p = PartitionName::parse(m.partition);
      if (!t || !p) continue;
      ops::ManifestEntry e{attempt_id,     job_.repository,  label, job_.database, *t, *p,
                           m.partition_id, m.visible_version};
      e.visible_version_time = m.visible_version_time;
      e.row_count = m.row_count;
      e.data_size = m.data_size;
      entries.push_back(std::move(e));
    }
    if (auto s = store_.write_manifest(entries); !s) return std::unexpected(std::move(s.error()));
    // Every partition of each table of the job as partitions_meta lists it now (held or not): restores leave
    // out partitions dropped before their instant.
    std::map<std::string, std::vector<std::string>> names;
    for (const auto& m : meta) {
      const bool in_job =
          job_.whole_database || std::any_of(job_.tables.begin(), job_.tables.end(),
                                             [&](const auto& t) { return t.table.str() == m.table; });
      if (in_job) names[m.table].push_back(m.partition);
    }
    std::vector<ops::PartitionSet> sets;
    for (auto& [table, parts] : names) {
      auto t = TableName::parse(table);
      if (!t) continue;
      std::sort(parts.begin(), parts.end());
      sets.push_back({attempt_id, job_.repository, label, job_.database, *t, std::move(parts), {}});
    }
    if (auto s = store_.write_partition_sets(sets); !s) return std::unexpected(std::move(s.error()));
    return attempt_id;
  }

  bool bind_and_submit(const SnapshotLabel& label, const std::optional<jobs::ServerJob>& before) {
    auto meta = read_partitions_meta(conn_, job_.database);
    if (!meta) return fail_sql(meta.error());
    std::vector<ops::LastBackedUp> last;
    if (auto l = store_.load_last_manifest(job_.database)) {
      last = std::move(*l);
    } else if (!config_.dry_run) {
      return fail_sql(l.error());
    }
    const BoundJob bound = bind_job(job_, *meta, last);
    report_dropped(bound.dropped_tables);
    if (bound.empty()) {
      finish(Outcome::kNothingDue, bound.dropped_tables.empty() || !bound.unchanged_tables.empty()
                                       ? "skipped: no partition changed since the last backup" + dropped_note()
                                       : "skipped: every table of the job was dropped" + dropped_note());
      return false;
    }
    const std::string sql = dialect::render_backup(bound_spec(job_, bound, label));
    if (config_.dry_run) {
      finish(Outcome::kSuccess, "dry run, would send: " + sql);
      return false;
    }
    auto attempt_id = record_intent(label, bound, *meta);
    if (!attempt_id) return fail_sql(attempt_id.error());
    checkpoint(deps_, "intent");
    return submit(label, sql, *attempt_id, before);
  }

  // Issue 10 item 15: tables of the job the cluster no longer has (dropped after the inventory was written) are
  // left out of the BACKUP and reported once; the other tables are backed up. `inventory sync` retires them.
  void report_dropped(const std::vector<std::string>& dropped) {
    if (dropped.empty() || !result_.dropped_tables.empty()) return;
    for (const auto& t : dropped) result_.dropped_tables.push_back(job_.database.str() + "." + t);
    deps_.log.warn(fields("job.table_dropped"),
                   fmt::format("not backed up, no longer on the cluster (dropped since the inventory was written): "
                               "{}; run `starkeep inventory sync` to retire them",
                               fmt::join(result_.dropped_tables, ", ")));
  }
  // "; not backed up (dropped): db.t, …" for the database's result message; "" when nothing was dropped.
  std::string dropped_note() const {
    if (result_.dropped_tables.empty()) return "";
    return fmt::format("; not backed up (dropped from the cluster): {}", fmt::join(result_.dropped_tables, ", "));
  }

  // The busy hook: "one job per database" with our slot's label → another runner; a foreign job → retry.
  bool on_busy(const Error& e, int tries, std::chrono::milliseconds delay, const std::string& attempt_id,
               const SnapshotLabel& label) {
    busy_why_ = "submit lock held by another submission";
    if (jobs::is_slot_taken(e)) {
      auto cur = jobs::show_jobs(conn_, jobs::JobKind::kBackup, job_.database);
      if (!cur) {
        yield_ = Yield::kFailed;
        yield_error_ = cur.error();
        return false;
      }
      const auto candidates = label_candidates(job_.label, config_.max_label_retries);
      for (const auto& j : *cur) {
        const bool ours = std::any_of(candidates.begin(), candidates.end(),
                                      [&](const SnapshotLabel& c) { return c.str() == j.label; });
        if (ours && !j.terminal()) {
          reject(attempt_id, tries, "another runner owns this slot: job " + j.label + " is " + j.state_text);
          result_.label = SnapshotLabel::parse(j.label).value_or(label);
          result_.job_id = jobs::to_int(j.job_id);
          other_ = j;
          yield_ = Yield::kOtherRunner;
          return false;
        }
        if (ours && j.finished()) {
          reject(attempt_id, tries, "another runner finished this slot: job " + j.label);
          yield_ = Yield::kNextRound;
          return false;
        }
      }
      busy_why_ = "database busy with a foreign job " +
                  (cur->empty() ? std::string("?") : (*cur)[0].label + " (" + (*cur)[0].state_text + ")");
    }
    if (delay.count() > 0) {
      deps_.log.warn(fields("job.busy"), fmt::format("{}; retrying in {} ms", busy_why_, delay.count()));
    }
    return true;
  }

  // After the busy hook stopped the retries.
  bool yielded() {
    switch (yield_) {
      case Yield::kFailed:
        return fail_sql(*yield_error_);
      case Yield::kNextRound:
        return true;  // next round sees it done
      case Yield::kOtherRunner:
        if (config_.wait) {
          deps_.log.info(fields("job.waiting"),
                         "another runner is running this slot's job; waiting for it (--wait)");
          await_job({}, {result_.label->str(), other_->job_id, std::nullopt});
          return false;
        }
        finish(Outcome::kAlreadyHandled,
               fmt::format("another runner is running this slot's job ({} is {}); not "
                           "submitting",
                           other_->label, other_->state_text));
        return false;
      case Yield::kNone:
        break;
    }
    return false;
  }

  bool submit(const SnapshotLabel& label, const std::string& sql, const std::string& attempt_id,
              const std::optional<jobs::ServerJob>& before) {
    jobs::SubmitHooks hooks;
    hooks.before_try = [&](int tries) {
      deps_.log.info(fields("job.submitting"), fmt::format("submitting {} (try {})", label.str(), tries));
    };
    hooks.on_busy = [&](const Error& e, int tries, std::chrono::milliseconds delay) {
      return on_busy(e, tries, delay, attempt_id, label);
    };
    unconfirmed_ = false;
    const jobs::Submitted sent =
        jobs::submit(conn_, sql, {config_.busy_backoff, jitter(deps_)}, deps_.stop, deps_.sleeper, hooks);
    submit_tries_ += sent.tries;
    if (sent.outcome != jobs::Submitted::Outcome::kAccepted) {
      auto accepted = settle_submit(sent, label, attempt_id);
      if (!accepted) return accepted.error();
    }
    checkpoint(deps_, "submitted");
    AttemptUpdate u;
    // Accepted: RUNNING. Outcome unknown (connection lost): the row stays SUBMITTING until the server lists
    // the job (observe() then records RUNNING) or shows it never took (issue 10 items 4 and 19).
    if (!unconfirmed_) u.state = AttemptState::kRunning;
    if (!submitted_at_) submitted_at_ = deps_.clock.now();
    u.submitted_at = submitted_at_;
    u.submit_tries = submit_tries_;
    warn_history(store_.update_backup_state(attempt_id, u));
    deps_.log.info(fields("job.submitted"),
                   fmt::format("{} {}", unconfirmed_ ? "awaiting the server's answer for" : "submitted", label.str()));
    await_job(attempt_id, {label.str(), std::nullopt, before});
    if (!resubmit_) return false;
    // The server answered that the statement never took: send it again under the same attempt and manifest.
    resubmit_ = false;
    ++resubmits_;
    return submit(label, sql, attempt_id, before);
  }

  // A submission the server did not plainly accept. The value: await the job (its outcome is unknown after a
  // lost connection: unconfirmed_); the error: whether another round is needed (the result is set).
  std::expected<std::optional<jobs::JobId>, bool> settle_submit(const jobs::Submitted& sent,
                                                                const SnapshotLabel& label,
                                                                const std::string& attempt_id) {
    using Sent = jobs::Submitted::Outcome;
    const std::string text = sent.error ? sent.error->describe() : "";
    switch (sent.outcome) {
      case Sent::kAccepted:
        return std::nullopt;
      case Sent::kYielded:
        return std::unexpected(yielded());
      case Sent::kConnectionLost:
        // Outcome unknown (issue 10 items 4 and 19): never REJECTED on a guess. The job is awaited by its label
        // (a lagging FE may list it late); settle() decides from SHOW BACKUP and SHOW SNAPSHOT.
        unconfirmed_ = true;
        deps_.log.warn(fields("job.submit_unknown"),
                       fmt::format("connection lost while submitting {} ({}); asking the server whether it took it",
                                   label.str(), text));
        return std::nullopt;
      case Sent::kBusyExhausted: {
        const std::string why = busy_why_ + fmt::format("; gave up after {} tries", sent.tries);
        reject(attempt_id, sent.tries, why);
        finish(Outcome::kConflict, why);
        return std::unexpected(false);
      }
      case Sent::kStopped:
        reject(attempt_id, sent.tries, "interrupted while waiting to submit");
        finish(Outcome::kInterrupted, "interrupted while waiting to submit");
        return std::unexpected(false);
      case Sent::kRefused:
        break;
    }
    return std::unexpected(refused(*sent.error, label, attempt_id, sent.tries));
  }

  // The server refused the BACKUP: label taken meanwhile (another round), repository, or the job itself.
  bool refused(const Error& e, const SnapshotLabel& label, const std::string& attempt_id, int tries) {
    const std::string text = e.describe();
    reject(attempt_id, tries, text);
    if (jobs::server_error_contains(e, "already exist in repository")) {
      deps_.log.warn(fields("job.label_taken"),
                     fmt::format("label {} was taken meanwhile; deciding again", label.str()));
      return true;
    }
    alerts::AlertContext c;
    c.database = job_.database;
    c.label = label;
    c.detail = text;
    if (is_repository_error(e)) {
      c.repository = job_.repository;
      raise(deps_, alerts::AlertKind::kRepositoryUnreachable, c);
      finish(Outcome::kRepositoryError, "repository error at submit: " + text);
      return false;
    }
    c.tier = job_.tier;
    c.job_state = alerts::AlertJobState::failed();
    raise(deps_, alerts::AlertKind::kJobState, c);
    finish(Outcome::kJobFailed, "BACKUP refused: " + text);
    return false;
  }

  void reject(const std::string& attempt_id, int tries, const std::string& why) {
    AttemptUpdate u;
    u.state = AttemptState::kRejected;
    u.submit_tries = tries;
    u.error_text = why;
    u.finished_at = deps_.clock.now();
    warn_history(store_.update_backup_state(attempt_id, u));
  }

  // The attempt's row RUNNING with the server's state, job id and start (what every poll of a live job records).
  void mark_running(const std::string& attempt_id, const jobs::ServerJob& job) {
    AttemptUpdate u;
    u.state = AttemptState::kRunning;
    u.server_state = job.state_text;
    u.job_id = jobs::to_int(job.job_id);
    u.started_at = jobs::server_time(job.create_time, zone_);
    warn_history(store_.update_backup_state(attempt_id, u));
  }

  // Every poll that lists our job: history on a state change, the "polling" checkpoint, the heartbeat of our run
  // marker (every minute). The overrun alert comes from jobs::await (overran()).
  void observe(const std::string& attempt_id, const jobs::ServerJob& job) {
    if (job.job_id) result_.job_id = job.job_id->value();
    if (job.state_text != last_state_) {
      last_state_ = job.state_text;
      deps_.log.info(fields("job.state"), "state " + job.state_text);
      if (!attempt_id.empty() && !job.terminal()) mark_running(attempt_id, job);
    }
    if (job.terminal()) return;
    report_progress(job);
    if (!polling_checkpoint_) {
      polling_checkpoint_ = true;
      checkpoint(deps_, "polling");
    }
    const auto mono = deps_.clock.monotonic();
    if (!attempt_id.empty() && mono - last_heartbeat_ > std::chrono::seconds(60)) {
      last_heartbeat_ = mono;
      ops::RunMarker m{config_.run_id, job_.database};
      if (auto s = store_.heartbeat(m); !s) deps_.log.warn(fields("heartbeat"), s.error().describe());
    }
  }

  // The instant on the plan's timeline: the run's instant plus the run's own duration so far (a run for a past
  // instant is measured against that instant's window, not the wall clock).
  Instant plan_now() const {
    const auto mono = deps_.clock.monotonic();
    return plan_at_ +
           Duration::from_seconds(std::chrono::duration_cast<std::chrono::seconds>(mono - run_started_).count());
  }

  // The job is bounded by the tier's timeout (the BACKUP's own, plus a margin: the server cancels it then); the
  // window's end only raises the overrun alert, and cancels our own job when the tier says on_overrun = cancel
  // (issue 10 item 9). `owned`: our attempt (not --wait on another runner's job).
  jobs::AwaitPolicy await_policy(bool owned) const {
    jobs::AwaitPolicy policy;
    policy.poll = config_.poll;
    const auto timeout = plan::backup_spec(job_).timeout.value_or(Duration::from_days(1));
    policy.deadline = std::chrono::seconds(timeout.seconds()) + kAwaitMargin;
    policy.overrun_at = std::chrono::seconds(std::max<std::int64_t>(0, (job_.deadline - plan_now()).seconds()));
    policy.cancel_at_overrun = owned && job_.on_overrun == model::OverrunAction::kCancel;
    policy.random01 = jitter(deps_);
    return policy;
  }

  // Our job still runs at the end of its window: the overrun alert (once per job), and the log line.
  void overran(const jobs::ServerJob& job, bool cancelling) {
    // jobs::await measures in milliseconds, the plan's timeline in whole seconds: the job is past its window, so its
    // elapsed time is reported as more than the window (the alert condition is `job.elapsed > tier.window`).
    const Instant past = job_.deadline + Duration::from_seconds(1);
    const Instant now = plan_now() < past ? past : plan_now();
    alerts::AlertContext c;
    c.database = job_.database;
    c.tier = job_.tier;
    if (auto label = SnapshotLabel::parse(job.label)) c.label = *label;
    c.job_id = job.job_id;
    // A catch-up's window starts at the run's instant, not at the missed slot (issue 10 item 11).
    const Instant window_start = job_.catch_up ? plan_at_ : job_.slot;
    c.elapsed = now - window_start;
    c.window = job_.deadline - window_start;
    c.detail = fmt::format("job {} still {} after its window ended at {}{}", job.label, job.state_text,
                           job_.deadline.to_iso8601_utc(),
                           cancelling ? "; cancelling it (on_overrun = cancel)" : "");
    raise(deps_, alerts::AlertKind::kOverrun, c);
    deps_.log.warn(fields("job.overrun"), c.detail);
  }

  // The progress port (when given): this job's state and elapsed time, and the tier's typical duration from the
  // database's history, read once per job.
  void report_progress(const jobs::ServerJob& job) {
    if (deps_.progress == nullptr) return;
    if (!typical_read_) {
      typical_read_ = true;
      if (auto attempts = store_.load_backup_attempts(job_.database)) {
        typical_ = progress::typical_backup(*attempts, job_.tier);
      }
    }
    ports::ProgressUpdate u;
    u.task = progress_task_;
    u.state = job.state_text;
    u.elapsed = std::chrono::duration_cast<std::chrono::seconds>(deps_.clock.monotonic() - await_started_);
    if (typical_) {
      u.typical = typical_->duration;
      u.earlier = typical_->from;
    }
    deps_.progress->update(u);
  }

  // Awaits our job to its end and records it. `attempt_id` empty: observe only (--wait on another runner).
  void await_job(const std::string& attempt_id, jobs::JobRef ref) {
    const std::string label_text = ref.label;
    const SnapshotLabel label = SnapshotLabel::parse(label_text).value_or(job_.label);
    last_heartbeat_ = deps_.clock.monotonic();
    await_started_ = last_heartbeat_;
    progress_task_ = fmt::format("backup {} {} {}", job_.database.str(), job_.tier.str(), label_text);
    jobs::AwaitHooks hooks;
    hooks.on_poll = [&](const jobs::ServerJob& job) { observe(attempt_id, job); };
    hooks.on_error = [&](const Error& e) { deps_.log.warn(fields("poll.error"), e.describe()); };
    const jobs::AwaitPolicy policy = await_policy(!attempt_id.empty());
    hooks.on_overrun = [&](const jobs::ServerJob& job) { overran(job, policy.cancel_at_overrun); };
    auto done = jobs::await(conn_, jobs::JobKind::kBackup, job_.database, std::move(ref), policy, deps_.stop,
                            deps_.clock, deps_.sleeper, hooks);
    if (deps_.progress != nullptr) deps_.progress->done(progress_task_);
    if (!done) {
      fail_sql(done.error());
      return;
    }
    settle(attempt_id, label, *done);
  }

  void settle(const std::string& attempt_id, const SnapshotLabel& label, const jobs::Awaited& done) {
    using Done = jobs::Awaited::Outcome;
    switch (done.outcome) {
      case Done::kFinished: {
        checkpoint(deps_, "finished");
        auto ts = finished_snapshot_timestamp(label);
        if (!ts || !*ts) return finished_unsettled(attempt_id, label, *done.job, ts);
        record_finished(attempt_id, label, &*done.job, **ts);
        return;
      }
      case Done::kCancelled:
        return cancelled(attempt_id, label, *done.job, done.cancel_sent && done.overran);
      case Done::kSuperseded:
        return superseded(attempt_id, label, done);
      case Done::kStopped:
        finish(Outcome::kInterrupted,
               fmt::format("interrupted while polling {} (left {} on the server; the next run reconciles it)",
                           label.str(), last_state_.empty() ? "running" : last_state_));
        return;
      case Done::kUnreachable:
        finish(Outcome::kConnectionFailed,
               std::string(unconfirmed_ ? "lost the cluster after a submit whose outcome is unknown (the attempt "
                                          "stays SUBMITTING; the next run reconciles it): "
                                        : "lost the cluster while polling: ") +
                   (done.last_error ? done.last_error->describe() : "?"));
        return;
      case Done::kTimedOut:
        finish(Outcome::kJobFailed,
               fmt::format("job {} still {} past its timeout; left on the server (the next run "
                           "reconciles it)",
                           label.str(), last_state_.empty() ? "running" : last_state_));
        return;
    }
  }

  // The job FINISHED: the snapshot's timestamp, asked a few times (the repository may list it late or be
  // briefly unreachable). Error: the repository could not be read; nullopt: it answered without the label.
  Result<std::optional<BackupTimestamp>> finished_snapshot_timestamp(const SnapshotLabel& label) {
    constexpr int kTries = 3;
    Result<std::optional<BackupTimestamp>> ts = std::optional<BackupTimestamp>{};
    for (int i = 0; i < kTries; ++i) {
      if (i > 0) {
        if (stopping(deps_)) break;
        deps_.sleeper.sleep_for(std::chrono::milliseconds(1000 << (i - 1)));
      }
      ts = jobs::finished_snapshot(conn_, job_.repository, label);
      if (ts && *ts) return ts;
      deps_.log.warn(fields("snapshot.read"),
                     ts ? fmt::format("repository {} does not list snapshot {} yet", job_.repository.str(),
                                      label.str())
                        : ts.error().describe());
    }
    return ts;
  }

  // Issue 10 item 27: the job FINISHED but its backup_timestamp is unknown (RESTORE needs it). The row stays
  // unsettled (RUNNING, server_state FINISHED) rather than FINISHED with NULL forever; the next run's
  // reconciliation completes it (timestamp, bytes, fingerprints) once the repository answers.
  void finished_unsettled(const std::string& attempt_id, const SnapshotLabel& label, const jobs::ServerJob& job,
                          const Result<std::optional<BackupTimestamp>>& ts) {
    if (!attempt_id.empty()) mark_running(attempt_id, job);
    const std::string why = ts ? "the repository does not list it" : ts.error().describe();
    alerts::AlertContext c;
    c.database = job_.database;
    c.repository = job_.repository;
    c.label = label;
    c.detail = why;
    raise(deps_, alerts::AlertKind::kRepositoryUnreachable, c);
    finish(Outcome::kRepositoryError,
           fmt::format("job {} FINISHED, but its backup_timestamp cannot be read from repository {} ({}); the "
                       "history row stays unsettled and the next run completes it",
                       label.str(), job_.repository.str(), why));
  }

  // Our job is no longer listed (a later job replaced it, or it never appeared): the repository decides.
  // Could-not-read is never "absent" (issue 10 item 7): the row then stays as it is for reconciliation.
  void superseded(const std::string& attempt_id, const SnapshotLabel& label, const jobs::Awaited& done) {
    auto ts = jobs::finished_snapshot(conn_, job_.repository, label);
    if (ts && *ts) {
      record_finished(attempt_id, label, done.job ? &*done.job : nullptr, **ts);
      return;
    }
    if (!ts) {
      finish(ports::is_connection_error(ts.error()) ? Outcome::kConnectionFailed : Outcome::kRepositoryError,
             fmt::format("job {} is no longer listed by SHOW BACKUP and repository {} cannot be read ({}); the "
                         "history row stays unsettled and the next run reconciles it",
                         label.str(), job_.repository.str(), ts.error().describe()));
      return;
    }
    if (unconfirmed_ && !done.job) {
      // The server answered: no job with our label after the grace, no snapshot. The statement never took.
      if (resubmits_ < kMaxResubmits && !stopping(deps_)) {
        deps_.log.warn(fields("job.resubmit"),
                       fmt::format("the server has no job and no snapshot {}: the BACKUP never took; sending it "
                                   "again under the same attempt",
                                   label.str()));
        resubmit_ = true;
        return;
      }
      finish(Outcome::kConnectionFailed,
             fmt::format("the BACKUP of {} never reached the server (connection lost {} time(s)); the attempt "
                         "stays SUBMITTING and the next run reconciles it",
                         label.str(), resubmits_ + 1));
      return;
    }
    record_terminal(attempt_id, AttemptState::kLost, "job disappeared from SHOW BACKUP without a snapshot",
                    nullptr);
    finish(Outcome::kJobFailed, fmt::format("job {} disappeared from SHOW BACKUP", label.str()));
  }

  // `by_overrun`: we cancelled it at the window's end (on_overrun = cancel), which the history row says.
  void cancelled(const std::string& attempt_id, const SnapshotLabel& label, const jobs::ServerJob& job,
                 bool by_overrun) {
    const std::string text =
        by_overrun ? fmt::format("cancelled by starkeep at the end of the tier's window (on_overrun = cancel): {}",
                                 job.error_text())
                   : job.error_text();
    record_terminal(attempt_id, AttemptState::kCancelled, text, &job);
    alerts::AlertContext c;
    c.database = job_.database;
    c.tier = job_.tier;
    c.label = label;
    c.job_id = job.job_id;
    c.job_state = alerts::AlertJobState::server(job.state);
    c.detail = text;
    raise(deps_, alerts::AlertKind::kJobState, c);
    finish(Outcome::kJobFailed, fmt::format("job {} CANCELLED: {}", label.str(), text));
  }

  // Our job FINISHED and the repository gave its timestamp (never recorded FINISHED without one: item 27).
  void record_finished(const std::string& attempt_id, const SnapshotLabel& label, const jobs::ServerJob* job,
                       const BackupTimestamp& ts) {
    result_.backup_timestamp = ts;
    // --wait on another runner's job: settle that runner's row too (an idempotent UPDATE by its id), so the
    // history and `starkeep status` show FINISHED even when that runner is stopped or dead (issue 10 item 20).
    const std::string row = attempt_id.empty() ? watched_attempt(label) : attempt_id;
    if (!row.empty()) {
      AttemptUpdate u;
      u.state = AttemptState::kFinished;
      u.server_state = std::string(jobs::to_string(jobs::JobState::kFinished));
      u.backup_timestamp = result_.backup_timestamp;
      u.bytes = manifest_bytes(store_, row);
      if (job) {
        u.job_id = jobs::to_int(job->job_id);
        u.started_at = jobs::server_time(job->create_time, zone_);
        u.finished_at = jobs::server_time(job->finished_time, zone_);
      }
      if (!u.finished_at) u.finished_at = deps_.clock.now();
      if (auto s = store_.update_backup_state(row, u); !s) {
        warn_history(s);
      } else {
        fingerprint_snapshot(conn_, store_, attempt_id, job_.database, deps_.log, fields());
      }
    }
    resolve_job_alerts();
    finish(Outcome::kSuccess,
           fmt::format("{} FINISHED (backup_timestamp {}){}", label.str(), ts.str(), dropped_note()));
  }

  // A backup of the database's tier FINISHED: what earlier runs raised about the tier's jobs (failed, overran)
  // and about the repository at this database's submit is over (Alertmanager's identity has no label).
  void resolve_job_alerts() {
    alerts::AlertContext c;
    c.database = job_.database;
    c.tier = job_.tier;
    resolve(deps_, alerts::AlertKind::kJobState, c);
    resolve(deps_, alerts::AlertKind::kOverrun, c);
    alerts::AlertContext r;
    r.database = job_.database;
    r.repository = job_.repository;
    resolve(deps_, alerts::AlertKind::kRepositoryUnreachable, r);
  }

  // The unsettled (SUBMITTING/RUNNING) attempt of `label` another runner wrote; "" when there is none.
  std::string watched_attempt(const SnapshotLabel& label) {
    if (config_.dry_run) return {};
    auto attempts = store_.load_backup_attempts(job_.database, {.label = label});
    if (!attempts) return {};
    for (const auto& a : *attempts) {
      if (a.label == label && (a.state == AttemptState::kSubmitting || a.state == AttemptState::kRunning))
        return a.attempt_id();
    }
    return {};
  }

  void record_terminal(const std::string& attempt_id, AttemptState state, const std::string& text,
                       const jobs::ServerJob* job) {
    if (attempt_id.empty()) return;
    AttemptUpdate u;
    u.state = state;
    u.error_text = text;
    if (job) {
      u.server_state = job->state_text;
      u.job_id = jobs::to_int(job->job_id);
      u.started_at = jobs::server_time(job->create_time, zone_);
      u.finished_at = jobs::server_time(job->finished_time, zone_);
    }
    if (!u.finished_at) u.finished_at = deps_.clock.now();
    warn_history(store_.update_backup_state(attempt_id, u));
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
  const std::vector<jobs::SnapshotRow>& snapshots_;
  ports::SqlConnection& conn_;
  const TimeZone& zone_;
  ops::OpsStore store_;
  DatabaseResult result_;
  Instant plan_at_;
  std::chrono::milliseconds run_started_;
  int round_ = 0;
  std::set<std::string> warned_foreign_;
  // Submission (the busy hook's findings).
  std::string busy_why_;
  Yield yield_ = Yield::kNone;
  std::optional<Error> yield_error_;
  std::optional<jobs::ServerJob> other_;
  // Submission whose outcome is unknown (connection lost; issue 10 items 4 and 19).
  static constexpr int kMaxResubmits = 2;
  bool unconfirmed_ = false;
  bool resubmit_ = false;
  int resubmits_ = 0;
  int submit_tries_ = 0;
  std::optional<Instant> submitted_at_;
  // Polling.
  std::string last_state_;
  std::chrono::milliseconds await_started_{0};
  std::string progress_task_;
  bool typical_read_ = false;
  std::optional<progress::Typical> typical_;
  bool polling_checkpoint_ = false;
  std::chrono::milliseconds last_heartbeat_{0};
};

}  // namespace

DatabaseResult run_database_job(const plan::BackupJob& job, const RunConfig& config, RunnerDeps& deps,
                                const std::vector<jobs::SnapshotRow>& snapshots, ports::SqlConnection& conn,
                                const TimeZone& zone, Instant plan_at,
                                std::chrono::milliseconds run_started) {
  return DatabaseWorker(job, config, deps, snapshots, conn, zone, plan_at, run_started).run();
}

}  // namespace sk::executor::detail
