#include "runtime/jobs/lifecycle.h"

#include <fmt/format.h>

#include "kernel/dialect/restore_sql.h"

namespace sk::jobs {
namespace {

bool stopping(const std::atomic<bool>* stop) { return stop && stop->load(); }

bool same_job(const ServerJob& a, const ServerJob& b) { return a.label == b.label && a.job_id == b.job_id; }

std::string render_show(JobKind kind, const DatabaseName& db) {
  return kind == JobKind::kBackup ? dialect::render_show_backup(db) : dialect::render_show_restore(db);
}

std::string render_cancel(JobKind kind, const DatabaseName& db) {
  return kind == JobKind::kBackup ? dialect::render_cancel_backup(db) : dialect::render_cancel_restore(db);
}

// One wait for one job (await()): the state between polls.
class Waiter {
 public:
  Waiter(ports::SqlConnection& conn, JobKind kind, const DatabaseName& db, JobRef ref,
         const AwaitPolicy& policy, const std::atomic<bool>* stop, ports::Clock& clock,
         ports::Sleeper& sleeper, const AwaitHooks& hooks)
      : conn_(conn),
        kind_(kind),
        db_(db),
        ref_(std::move(ref)),
        policy_(policy),
        stop_(stop),
        clock_(clock),
        sleeper_(sleeper),
        hooks_(hooks),
        outage_(policy.outage, policy.random01),
        seen_(ref_.id.has_value()),
        started_(clock.monotonic()) {}

  Result<Awaited> run() {
    if (policy_.sleep_first) sleeper_.sleep_for(next_poll_delay(policy_.poll, std::chrono::milliseconds(0)));
    while (true) {
      if (stopping(stop_)) return finish(Awaited::Outcome::kStopped);
      auto rows = show_jobs(conn_, kind_, db_);
      if (!rows) {
        if (!ports::is_connection_error(rows.error())) return std::unexpected(std::move(rows.error()));
        if (auto done = unreachable(rows.error())) return *done;
        continue;
      }
      outage_ = Backoff(policy_.outage, policy_.random01);
      if (auto done = observe(*rows)) return *done;
      check_overrun();
      if (auto done = check_deadline()) return *done;
      sleeper_.sleep_for(next_poll_delay(policy_.poll, elapsed()));
    }
  }

 private:
  std::chrono::milliseconds elapsed() const { return clock_.monotonic() - started_; }

  Awaited finish(Awaited::Outcome outcome) {
    out_.outcome = outcome;
    return out_;
  }

  // Our job in `rows`: our label, and our id once known, never the job listed before we submitted.
  const ServerJob* find_ours(const std::vector<ServerJob>& rows) const {
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      if (it->label != ref_.label) continue;
      if (ref_.id) {
        if (it->job_id == ref_.id) return &*it;
        continue;
      }
      if (ref_.before && same_job(*ref_.before, *it)) continue;
      return &*it;
    }
    return nullptr;
  }

  // A poll that failed on the connection: wait with backoff, unless the deadline has passed.
  std::optional<Awaited> unreachable(const Error& error) {
    out_.last_error = error;
    if (hooks_.on_error) hooks_.on_error(error);
    const auto limit =
        policy_.deadline + (out_.cancel_sent ? policy_.cancel.grace : std::chrono::milliseconds(0));
    if (elapsed() > limit) return finish(Awaited::Outcome::kUnreachable);
    sleeper_.sleep_for(outage_.next().value_or(policy_.outage.max_delay));
    return std::nullopt;
  }

  // One successful poll: our job's state, or the job that replaced it.
  std::optional<Awaited> observe(const std::vector<ServerJob>& rows) {
    current_is_ours_ = false;
    if (const ServerJob* ours = find_ours(rows)) {
      seen_ = true;
      current_is_ours_ = !ours->terminal();
      if (!ref_.id && ours->job_id) ref_.id = ours->job_id;
      out_.job = *ours;
      if (hooks_.on_poll) hooks_.on_poll(*ours);
      if (ours->finished()) return finish(Awaited::Outcome::kFinished);
      if (ours->cancelled()) return finish(Awaited::Outcome::kCancelled);
      return std::nullopt;
    }
    const ServerJob* other = rows.empty() ? nullptr : &rows.back();
    const bool other_is_before = other && ref_.before && same_job(*other, *ref_.before);
    // Seen before and now gone, or a job newer than the one we submitted after: a later job replaced ours.
    if (seen_ || (other && !other_is_before) || elapsed() > policy_.visibility_grace) {
      if (other) out_.current = *other;
      return finish(Awaited::Outcome::kSuperseded);
    }
    return std::nullopt;  // not visible yet
  }

  // The caller's window: our job still running past it is reported once, and cancelled when the policy asks
  // (issue 10 item 9). Only after a poll that listed our job as the current, running one.
  void check_overrun() {
    if (out_.overran || !policy_.overrun_at || elapsed() <= *policy_.overrun_at) return;
    if (!current_is_ours_ || !out_.job) return;
    out_.overran = true;
    if (hooks_.on_overrun) hooks_.on_overrun(*out_.job);
    if (policy_.cancel_at_overrun && !out_.cancel_sent) send_cancel();
  }

  // The deadline: cancel our job when it is the current one and the policy asks; give up after the grace.
  std::optional<Awaited> check_deadline() {
    const auto now = elapsed();
    if (out_.cancel_sent) {
      if (now - cancel_at_ > policy_.cancel.grace) return finish(Awaited::Outcome::kTimedOut);
      return std::nullopt;
    }
    if (now <= policy_.deadline) return std::nullopt;
    if (!policy_.cancel.at_deadline || !current_is_ours_) return finish(Awaited::Outcome::kTimedOut);
    send_cancel();
    return std::nullopt;
  }

  // CANCEL … FROM db: the caller made sure our job is the database's current one.
  void send_cancel() {
    const std::string sql = render_cancel(kind_, db_);
    Status reply = conn_.execute(sql, ports::Idempotency::kNotIdempotent);
    out_.cancel_sent = true;
    if (!reply) out_.cancel_error = reply.error();
    cancel_at_ = elapsed();
    if (hooks_.on_cancel) hooks_.on_cancel(sql, reply);
  }

  ports::SqlConnection& conn_;
  JobKind kind_;
  const DatabaseName& db_;
  JobRef ref_;
  const AwaitPolicy& policy_;
  const std::atomic<bool>* stop_;
  ports::Clock& clock_;
  ports::Sleeper& sleeper_;
  const AwaitHooks& hooks_;
  Backoff outage_;
  bool seen_;
  bool current_is_ours_ = false;
  std::chrono::milliseconds started_;
  std::chrono::milliseconds cancel_at_{0};
  Awaited out_;
};

}  // namespace

Result<std::vector<ServerJob>> show_jobs(ports::SqlConnection& conn, JobKind kind,
                                         const DatabaseName& database) {
  const std::string sql = render_show(kind, database);
  auto rows = conn.query(sql);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context(sql));
  return parse_show_jobs(*rows);
}

Result<std::optional<ServerJob>> latest_job(ports::SqlConnection& conn, JobKind kind,
                                            const DatabaseName& database) {
  auto rows = show_jobs(conn, kind, database);
  if (!rows) return std::unexpected(std::move(rows.error()));
  if (rows->empty()) return std::optional<ServerJob>{};
  return std::optional<ServerJob>{std::move(rows->back())};
}

Result<std::optional<SnapshotRow>> find_snapshot(ports::SqlConnection& conn, const RepositoryName& repo,
                                                 const SnapshotLabel& label) {
  const std::string sql = dialect::render_show_snapshot(repo, label);
  auto rows = conn.query(sql);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context(sql));
  auto parsed = parse_show_snapshot(*rows);
  if (!parsed) return std::unexpected(std::move(parsed.error()).with_context(sql));
  for (auto& r : *parsed) {
    if (r.label == label.str()) return std::optional<SnapshotRow>(std::move(r));
  }
  return std::optional<SnapshotRow>{};
}

Result<std::optional<BackupTimestamp>> finished_snapshot(ports::SqlConnection& conn, const RepositoryName& repo,
                                                         const SnapshotLabel& label) {
  auto row = find_snapshot(conn, repo, label);
  if (!row) return std::unexpected(std::move(row.error()));
  if (*row && (*row)->status.starts_with("ERROR: Failed")) {
    // The label's info file could not be read: unknown, not absent.
    return sk::fail("jobs.snapshot_unreadable", "SHOW SNAPSHOT ON {} could not read snapshot {}: {}", repo.str(),
                    label.str(), (*row)->status);
  }
  if (!*row || !(*row)->ok()) return std::optional<BackupTimestamp>{};
  return (*row)->latest();
}

Result<std::optional<std::string>> snapshot_database(ports::SqlConnection& conn, const RepositoryName& repo,
                                                     const SnapshotLabel& label,
                                                     const BackupTimestamp& backup_timestamp) {
  const std::string sql = dialect::render_show_snapshot(repo, label, backup_timestamp);
  auto rows = conn.query(sql);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context(sql));
  if (!rows->has_column("Database")) return std::optional<std::string>{};
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto cell = rows->get(i, "Database");
    if (cell && *cell && !(*cell)->empty()) return std::optional<std::string>(std::string(**cell));
  }
  return std::optional<std::string>{};
}

Result<std::string> server_version(ports::SqlConnection& conn) {
  auto rows = conn.query(dialect::render_server_version_query());
  if (!rows) {
    if (rows.error().code == ports::kServerError) return std::string();
    return std::unexpected(std::move(rows.error()));
  }
  if (rows->empty() || rows->columns().empty()) return std::string();
  auto cell = rows->get(0, rows->columns().front());
  return cell && *cell ? std::string(**cell) : std::string();
}

Result<dialect::Grammar> detect_grammar(ports::SqlConnection& conn) {
  auto version = server_version(conn);
  if (!version) return std::unexpected(std::move(version.error()));
  return dialect::grammar_for_version(*version);
}

Submitted submit(ports::SqlConnection& conn, std::string_view sql, const SubmitPolicy& policy,
                 const std::atomic<bool>* stop, ports::Sleeper& sleeper, const SubmitHooks& hooks) {
  Backoff backoff(policy.busy, policy.random01);
  for (int tries = 1;; ++tries) {
    if (hooks.before_try) hooks.before_try(tries);
    auto sent = conn.execute(sql, ports::Idempotency::kNotIdempotent);
    if (sent) return {Submitted::Outcome::kAccepted, tries, std::nullopt};
    Error e = std::move(sent.error());
    if (ports::is_connection_error(e)) return {Submitted::Outcome::kConnectionLost, tries, std::move(e)};
    if (!is_job_slot_busy(e)) return {Submitted::Outcome::kRefused, tries, std::move(e)};
    const auto delay = backoff.next();
    if (hooks.on_busy && !hooks.on_busy(e, tries, delay.value_or(std::chrono::milliseconds(0)))) {
      return {Submitted::Outcome::kYielded, tries, std::move(e)};
    }
    if (!delay) return {Submitted::Outcome::kBusyExhausted, tries, std::move(e)};
    if (stopping(stop)) return {Submitted::Outcome::kStopped, tries, std::move(e)};
    sleeper.sleep_for(*delay);
    if (stopping(stop)) return {Submitted::Outcome::kStopped, tries, std::move(e)};
  }
}

Result<Awaited> await(ports::SqlConnection& conn, JobKind kind, const DatabaseName& database, JobRef ref,
                      const AwaitPolicy& policy, const std::atomic<bool>* stop, ports::Clock& clock,
                      ports::Sleeper& sleeper, const AwaitHooks& hooks) {
  return Waiter(conn, kind, database, std::move(ref), policy, stop, clock, sleeper, hooks).run();
}

std::string_view to_string(Submitted::Outcome outcome) {
  switch (outcome) {
    case Submitted::Outcome::kAccepted:
      return "accepted";
    case Submitted::Outcome::kBusyExhausted:
      return "busy";
    case Submitted::Outcome::kRefused:
      return "refused";
    case Submitted::Outcome::kConnectionLost:
      return "connection_lost";
    case Submitted::Outcome::kStopped:
      return "stopped";
    case Submitted::Outcome::kYielded:
      return "yielded";
  }
  return "unknown";
}

std::string_view to_string(Awaited::Outcome outcome) {
  switch (outcome) {
    case Awaited::Outcome::kFinished:
      return "finished";
    case Awaited::Outcome::kCancelled:
      return "cancelled";
    case Awaited::Outcome::kSuperseded:
      return "superseded";
    case Awaited::Outcome::kTimedOut:
      return "timed_out";
    case Awaited::Outcome::kUnreachable:
      return "unreachable";
    case Awaited::Outcome::kStopped:
      return "stopped";
  }
  return "unknown";
}

}  // namespace sk::jobs
