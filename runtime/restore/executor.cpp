#include "runtime/restore/executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>
#include <set>

#include "common/json_text.h"
#include "kernel/dialect/restore_sql.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/jobs/lifecycle.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/redact.h"

namespace sk::restore {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Classifies a CANCELLED job's Status (reference/starrocks.md §3.3, §3.4, §4).
Error classify_cancel(const std::string& label, const std::string& status) {
  std::string code = "restore.job_failed";
  if (contains(status, "already exist but with different") || contains(status, "different range") ||
      contains(status, "conflict range") || contains(status, "different replication num") ||
      contains(status, "is different from the column")) {
    code = "restore.schema_conflict";
  } else if (contains(status, "exceed limit usage")) {
    code = "restore.disk_limit";
  }
  return Error{
      code, fmt::format("RESTORE of snapshot '{}' was CANCELLED by the server: {}", label, status), {}};
}

Error classify_submit(const std::string& label, const Error& e) {
  const std::string text = ports::server_text(e);
  std::string code = "restore.job_failed";
  if (contains(text, "Maybe specified wrong backup timestamp")) {
    code = "restore.wrong_timestamp";
  } else if (contains(text, "does not exist in snapshot") || contains(text, "no snapshot")) {
    code = "restore.snapshot_missing";
  } else if (ports::is_connection_error(e)) {
    code = std::string(ports::kConnectionError);
  }
  return Error{code, fmt::format("RESTORE of snapshot '{}' refused: {}", label, ports::redact(text)), {}};
}

// `step` has its backup_timestamp resolved (prepare_target refuses a plan that has not).
ops::RestoreRecord base_record(const RestorePlan& plan, const RestoreStep& step,
                               const ExecuteOptions& options, std::size_t index) {
  ops::RestoreRecord rec{
      .restore_id = ops::make_id({options.run_id, std::to_string(index), step.label.str()}),
      .run_id = options.run_id,
      .kind = ops::RestoreKind::kRestore,
      .repository = step.repository,
      .label = step.label,
      .backup_timestamp = *step.backup_timestamp,
      .source_database = plan.request.database,
      .target_database = plan.target_database};
  for (const auto& t : step.tables) rec.objects.push_back(ops::BackupObject{t.source, t.partitions});
  rec.target_time = plan.point;
  return rec;
}

nlohmann::json fingerprint_json(const std::optional<verify::Fingerprint>& f) {
  if (!f) return nullptr;
  return {{"rows", f->row_count}, {"sum", f->row_hash_sum}};
}

// Progress lines and restore_history rows of one execute_plan.
struct Journal {
  ops::OpsStore* store;
  std::ostream* progress;
  Instant began;
  void say(const std::string& line) const {
    if (progress) *progress << line << "\n" << std::flush;
  }
  void write(ops::RestoreRecord& rec) const {
    rec.started_at = began;
    if (rec.finished_at) rec.duration_seconds = rec.finished_at->unix_seconds() - began.unix_seconds();
    if (!store) return;
    if (auto s = store->record_restore(rec); !s)
      say("warning: could not write ops.restore_history: " + s.error().describe());
  }
};

// What one step ended with: an error (the restore stops) and whether its record belongs to the outcome.
struct StepEnd {
  std::optional<Error> error;
  bool keep_record = true;
};

// Sends the step's RESTORE, retrying with jittered backoff while the database is busy; nullopt when accepted.
std::optional<Error> submit_step(ports::SqlConnection& connection, const std::string& sql,
                                 const RestorePlan& plan, const RestoreStep& step,
                                 const ExecuteOptions& options, ports::Sleeper& sleeper,
                                 const Journal& journal) {
  const jobs::SubmitPolicy policy{
      {options.busy_retries, options.busy_initial, 2.0, std::chrono::milliseconds(60'000), 0.25},
      options.random01};
  jobs::SubmitHooks hooks;
  hooks.on_busy = [&](const Error&, int, std::chrono::milliseconds delay) {
    if (delay.count() > 0) {
      journal.say(fmt::format("database {} is busy with another backup or restore job; retrying in {} ms",
                              plan.target_database.str(), delay.count()));
    }
    return true;
  };
  const jobs::Submitted sent = jobs::submit(connection, sql, policy, options.stop, sleeper, hooks);
  using Sent = jobs::Submitted::Outcome;
  switch (sent.outcome) {
    case Sent::kAccepted:
      return std::nullopt;
    case Sent::kBusyExhausted:
    case Sent::kYielded:
      return Error{
          "restore.busy",
          fmt::format("database {} stayed busy with another backup or restore job after {} retries: {}",
                      plan.target_database.str(), sent.tries - 1, ports::server_text(*sent.error)),
          {}};
    case Sent::kStopped:
      return Error{"restore.interrupted",
                   fmt::format("interrupted while database {} was busy; RESTORE of '{}' not sent",
                               plan.target_database.str(), step.label.str()),
                   {}};
    case Sent::kConnectionLost:
    case Sent::kRefused:
      break;
  }
  return classify_submit(step.label.str(), *sent.error);
}

// A step whose job a later job replaced in SHOW RESTORE (issue 10 item 1): the restored tables decide —
// present, the job finished (verification checks their content); missing, it did not.
std::optional<Error> settle_superseded(ports::SqlConnection& connection, const RestorePlan& plan,
                                       const RestoreStep& step) {
  auto rows = connection.query(dialect::render_list_tables(plan.target_database));
  if (!rows) return rows.error();
  std::set<std::string> existing;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    if (auto n = rows->get(i, "TABLE_NAME"); n && *n) existing.insert(std::string(**n));
  }
  for (const auto& t : step_spec(plan, step).tables) {
    const std::string name = t.alias ? t.alias->str() : t.table.str();
    if (existing.contains(name)) continue;
    return Error{
        "restore.job_failed",
        fmt::format("RESTORE of '{}' was replaced in SHOW RESTORE FROM {} by a later job and {}.{} does not "
                    "exist: it did not finish",
                    step.label.str(), plan.target_database.str(), plan.target_database.str(), name),
        {}};
  }
  return std::nullopt;
}

// A step's job that ended CANCELLED: our cancel (the wait limit) or the server's own reason.
Error cancelled_step(const RestoreStep& step, const jobs::Awaited& done, const RestorePlan& plan,
                     const ExecuteOptions& options) {
  std::string status = done.job->status;
  if (!done.job->task_err_msg.empty() && done.job->task_err_msg != "[]")
    status += " " + done.job->task_err_msg;
  // Our CANCEL, or the server's own reason (a job it cancelled first keeps its classification).
  const bool ours = done.cancel_sent && status.find("user cancelled") != std::string::npos;
  if (!ours) return classify_cancel(step.label.str(), status);
  return Error{
      "restore.timeout",
      fmt::format("RESTORE of '{}' exceeded the wait limit of {} s and was cancelled (CANCEL RESTORE FROM "
                  "{}): {}",
                  step.label.str(), options.job_deadline.count() / 1000, plan.target_database.str(), status),
      {}};
}

// Turns the awaited outcome of a step into its record's end.
StepEnd end_step(ports::SqlConnection& connection, const RestorePlan& plan, const RestoreStep& step,
                 const jobs::Awaited& done, const ExecuteOptions& options, const Journal& journal,
                 ops::RestoreRecord& rec) {
  using Done = jobs::Awaited::Outcome;
  const std::string cancel_reply =
      done.cancel_error ? "refused: " + ports::server_text(*done.cancel_error) : std::string("accepted");
  std::optional<Error> error;
  switch (done.outcome) {
    case Done::kFinished:
      break;
    case Done::kSuperseded:
      error = settle_superseded(connection, plan, step);
      if (!error)
        journal.say(fmt::format("  {}: replaced in SHOW RESTORE by a later job; its tables are there",
                                step.label.str()));
      break;
    case Done::kCancelled:
      error = cancelled_step(step, done, plan, options);
      break;
    case Done::kStopped:
      error =
          Error{"restore.interrupted",
                fmt::format("interrupted while waiting for RESTORE of '{}'; it continues on the server (SHOW "
                            "RESTORE FROM {})",
                            step.label.str(), plan.target_database.str()),
                {}};
      break;
    case Done::kUnreachable:
      error = done.last_error;
      break;
    case Done::kTimedOut:
      error = Error{
          "restore.timeout",
          fmt::format("RESTORE of '{}' not finished after the wait limit of {} s, and still not ended {} s "
                      "after CANCEL RESTORE FROM {} ({}); check SHOW RESTORE FROM {}",
                      step.label.str(), options.job_deadline.count() / 1000,
                      options.cancel_grace.count() / 1000, plan.target_database.str(),
                      done.cancel_sent ? cancel_reply : "not sent: not the current job",
                      plan.target_database.str()),
          {}};
      break;
  }
  if (!error) {
    if (done.cancel_sent)
      journal.say(fmt::format("  {}: FINISHED before the cancel took effect", step.label.str()));
    if (done.cancel_sent) rec.error_text.reset();
    rec.state = ops::AttemptState::kFinished;
  } else if (done.outcome == Done::kCancelled) {
    rec.state = ops::AttemptState::kCancelled;
    rec.error_text = error->message;
  } else {
    rec.error_text = error->message;
  }
  return {std::move(error), true};
}

// One step: RESTORE sent (busy → backoff), our job awaited (label and job id, never the job listed before),
// past the wait limit cancelled when it is still the current job; its restore_history row written as it goes.
StepEnd run_step(ports::SqlConnection& connection, const RestorePlan& plan, const RestoreStep& step,
                 ports::Clock& clock, ports::Sleeper& sleeper, const ExecuteOptions& options,
                 const Journal& journal, ops::RestoreRecord& rec, std::size_t index) {
  const std::string sql = dialect::render_restore(step_spec(plan, step));
  auto before = jobs::latest_job(connection, jobs::JobKind::kRestore, plan.target_database);
  if (!before) return {before.error(), false};
  rec.submitted_at = clock.now();
  journal.write(rec);
  journal.say(fmt::format("step {}/{}: {}", index + 1, plan.steps.size(), sql));
  if (auto refused = submit_step(connection, sql, plan, step, options, sleeper, journal)) {
    rec.state = ops::AttemptState::kRejected;
    rec.error_text = refused->message;
    rec.finished_at = clock.now();
    journal.write(rec);
    return {std::move(refused), true};
  }
  rec.state = ops::AttemptState::kRunning;
  journal.write(rec);
  jobs::AwaitPolicy policy;
  // Completion is noticed within max(poll_initial, 5 % of the elapsed time) (product.md §7).
  policy.poll = {options.poll_initial, 0.05, options.poll_max};
  policy.deadline = options.job_deadline;
  policy.cancel = {true, options.cancel_grace};
  policy.random01 = options.random01;
  policy.sleep_first = true;
  jobs::AwaitHooks hooks;
  const std::string task = fmt::format("restore {} step {}/{} {}", plan.target_database.str(), index + 1,
                                       plan.steps.size(), step.label.str());
  const auto waiting_since = clock.monotonic();
  hooks.on_poll = [&](const jobs::ServerJob& job) {
    if (options.display != nullptr && !job.terminal()) {
      ports::ProgressUpdate u;
      u.task = task;
      u.state = job.state_text;
      u.elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock.monotonic() - waiting_since);
      options.display->update(u);
    }
    if (rec.server_state == job.state_text) return;
    rec.server_state = job.state_text;
    rec.job_id = jobs::to_int(job.job_id);
    journal.say(fmt::format("  {}: {}", step.label.str(), job.state_text));
  };
  hooks.on_cancel = [&](const std::string& cancel, const Status& reply) {
    const std::string text = reply ? "accepted" : "refused: " + ports::server_text(reply.error());
    journal.say(fmt::format("RESTORE of '{}' not finished after {} s (the wait limit): {}", step.label.str(),
                            options.job_deadline.count() / 1000, cancel));
    if (!reply) journal.say("  CANCEL RESTORE " + text);
    rec.error_text = fmt::format("wait limit of {} s exceeded; {} ({})", options.job_deadline.count() / 1000,
                                 cancel, text);
    journal.write(rec);
  };
  auto done =
      jobs::await(connection, jobs::JobKind::kRestore, plan.target_database,
                  {step.label.str(), std::nullopt, *before}, policy, options.stop, clock, sleeper, hooks);
  if (options.display != nullptr) options.display->done(task);
  if (!done) return {done.error(), false};
  if (done->outcome != jobs::Awaited::Outcome::kTimedOut) rec.finished_at = clock.now();
  StepEnd end = end_step(connection, plan, step, *done, options, journal, rec);
  journal.write(rec);
  return end;
}

// Before the first step: the plan is complete, the target database exists, and no target table exists already
// (a restore never writes into an existing table).
Status prepare_target(ports::SqlConnection& connection, const RestorePlan& plan) {
  if (auto s = check_live_untouched(plan); !s) return std::unexpected(s.error());
  for (const auto& step : plan.steps) {
    if (!step.backup_timestamp) {
      return std::unexpected(
          Error{"restore.usage", "backup_timestamp of '" + step.label.str() + "' not resolved", {}});
    }
  }

  // Target database; refuse to write into any table that exists already (the restore would overwrite it).
  if (plan.create_target_database) {
    if (auto s = connection.execute(dialect::render_create_database_if_not_exists(plan.target_database),
                                    ports::Idempotency::kIdempotent);
        !s) {
      return std::unexpected(s.error());
    }
  }
  {
    auto rows = connection.query(dialect::render_list_tables(plan.target_database));
    if (!rows) return std::unexpected(rows.error());
    std::set<std::string> existing;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      if (auto n = rows->get(i, "TABLE_NAME"); n && *n) existing.insert(std::string(**n));
    }
    for (const auto& t : plan.targets) {
      if (existing.count(t.target.str())) {
        return std::unexpected(
            Error{"restore.target_exists",
                  fmt::format("{}.{} exists already; a restore never writes into an existing table — "
                              "choose another name with --as or --into, or drop it first",
                              plan.target_database.str(), t.target.str()),
                  {}});
      }
      if (t.previous && existing.count(t.previous->str())) {
        return std::unexpected(Error{
            "restore.target_exists",
            fmt::format("{}.{} exists already; it would keep the replaced partitions — drop or rename it first",
                        plan.target_database.str(), t.previous->str()),
            {}});
      }
    }
  }

  return sk::ok();
}

// Verification: every restored partition against the fingerprint of the snapshot it came from.
Status verify_restored(ports::SqlConnection& connection, const RestorePlan& plan,
                       const ExecuteOptions& options, const Journal& journal, RestoreOutcome& out,
                       nlohmann::json& expected_json, nlohmann::json& actual_json) {
  Result<verify::VersionMap> live = verify::VersionMap{};
  if (options.live_proof) live = verify::visible_versions(connection, plan.request.database);
  if (!live) return std::unexpected(live.error());
  for (const auto& t : plan.targets) {
    auto columns = verify::table_columns(connection, t.target_database, t.target);
    if (!columns) return std::unexpected(columns.error());
    if (const std::string skipped = verify::skipped_columns(*columns); !skipped.empty()) {
      journal.say(fmt::format("  {}: not part of the fingerprint (no exact text form; compared by row count and "
                              "the other columns): {}",
                              t.source.str(), skipped));
    }
    for (const auto& e : t.partitions) {
      verify::PartitionCheck check{t.source.str(), e.partition.str(), {}, {}, false};
      auto expected = verify::expected_fingerprint(connection, e, *live, &*columns);
      if (!expected) return std::unexpected(expected.error());
      check.expected = *expected;
      auto actual = verify::fingerprint(connection, t.target_database, t.target, e.partition, *columns);
      if (!actual) return std::unexpected(actual.error());
      check.actual = *actual;
      check.passed = check.expected.fingerprint && *check.expected.fingerprint == *check.actual;
      const std::string key = t.source.str() + "." + e.partition.str();
      expected_json[key] = {{"fingerprint", fingerprint_json(check.expected.fingerprint)},
                            {"proof", std::string(verify::to_string(check.expected.proof))},
                            {"label", e.label.str()}};
      actual_json[key] = fingerprint_json(check.actual);
      journal.say(
          fmt::format("  verify {}: expected {} ({}), actual {} → {}", key,
                      check.expected.fingerprint ? verify::to_string(*check.expected.fingerprint) : "unknown",
                      verify::to_string(check.expected.proof), verify::to_string(*check.actual),
                      !check.expected.fingerprint ? "not verifiable"
                      : check.passed              ? "ok"
                                                  : "MISMATCH"));
      out.checks.push_back(std::move(check));
    }
  }
  return sk::ok();
}

// A partition replace that failed: the copy of the (unchanged) live partitions is not left behind.
void drop_copy(ports::SqlConnection& connection, const TargetTable& t, const Journal& journal) {
  const std::string drop = dialect::render_drop_table_if_exists(t.target_database, *t.previous);
  journal.say("the live table is unchanged; dropping the copy of its partitions: " + drop);
  if (auto s = connection.execute(drop, ports::Idempotency::kIdempotent); !s)
    journal.say("warning: " + ports::server_text(s.error()));
}

// After a PASSED verification: the live data replaced (one SWAP per table, or one INSERT OVERWRITE over every
// restored partition, after the live partitions were copied aside), the old data dropped when asked. An error
// when a replacing statement failed: the statement that replaces is atomic, so the live table is then as before.
std::optional<Error> replace_live(ports::SqlConnection& connection, const RestorePlan& plan,
                                  const Journal& journal, RestoreOutcome& out) {
  for (const auto& t : plan.targets) {
    bool copied = false;  // the live partitions' copy exists (dropped again when the replace fails)
    for (const auto& sql : replace_statements(plan, t)) {
      const bool drop = sql.starts_with("DROP TABLE");
      journal.say((drop ? "drop old: " : "replace: ") + sql);
      if (auto s = connection.execute(sql, ports::Idempotency::kNotIdempotent); !s) {
        if (drop) {
          journal.say("warning: " + ports::server_text(s.error()));
          continue;
        }
        if (copied) drop_copy(connection, t, journal);
        return Error{"restore.job_failed",
                     fmt::format("replacing the live data failed, the live table {}.{} is unchanged{}: {}",
                                 plan.request.database.str(), t.source.str(),
                                 out.swapped ? " (earlier tables of this restore were replaced)" : "",
                                 ports::server_text(s.error())),
                     {}};
      }
      if (sql.starts_with("CREATE TABLE")) copied = true;
      if (sql.starts_with("ALTER TABLE") || sql.starts_with("INSERT OVERWRITE")) out.swapped = true;
    }
    if (t.previous && out.swapped) {
      journal.say(fmt::format("the replaced data of {}.{} is kept in {}.{}", plan.request.database.str(),
                              t.source.str(), t.target_database.str(), t.previous->str()));
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<Snapshot>> load_history(ops::OpsStore& store, const DatabaseName& database) {
  auto attempts = store.load_backup_attempts(database);
  if (!attempts) return std::unexpected(std::move(attempts.error()));
  // Snapshots `starkeep expire` deleted or is deleting are no restore points (ops schema 3; an older schema, or a
  // recovered catalog, has no such table: the server's error, and nothing is expired there).
  std::set<std::pair<std::string, std::string>> expired;
  if (auto expiries = store.load_expiries()) {
    for (const ops::ExpiryRecord& r : *expiries) expired.insert({r.repository.str(), r.label.str()});
  } else if (expiries.error().code != ports::kServerError) {
    return std::unexpected(std::move(expiries.error()));
  }
  std::vector<Snapshot> out;
  bool has_sets = true;  // false: ops (or a recovered catalog) from before schema 2, no table_partition_set
  for (auto& a : *attempts) {
    if (a.state != ops::AttemptState::kFinished) continue;
    if (expired.contains({a.repository.str(), a.label.str()})) continue;
    auto entries = store.load_manifest(a.attempt_id());
    if (!entries) return std::unexpected(std::move(entries.error()));
    std::vector<ops::PartitionSet> sets;
    if (has_sets) {
      auto loaded = store.load_partition_sets(a.attempt_id());
      if (loaded) {
        sets = std::move(*loaded);
      } else if (loaded.error().code == ports::kServerError) {
        has_sets = false;  // the table does not exist there: today's rules without sets
      } else {
        return std::unexpected(std::move(loaded.error()));
      }
    }
    out.push_back(Snapshot{std::move(a), std::move(*entries), std::move(sets)});
  }
  return out;
}

Result<std::optional<int>> source_replication_num(ports::SqlConnection& connection, const DatabaseName& db,
                                                  const TableName& table) {
  auto rows = connection.query(dialect::render_show_create_table(db, table));
  if (!rows) {
    const std::string text = ports::server_text(rows.error());
    if (rows.error().code == ports::kServerError &&
        (contains(text, "Unknown table") || contains(text, "does not exist") ||
         contains(text, "Unknown database"))) {
      return std::optional<int>{};
    }
    return std::unexpected(std::move(rows.error()));
  }
  if (rows->empty() || !rows->has_column("Create Table")) return std::optional<int>{};
  auto ddl = rows->get(0, "Create Table");
  if (!ddl || !*ddl) return std::optional<int>{};
  static const std::regex kReplication(R"re(["']replication_num["']\s*=\s*["'](\d+)["'])re",
                                       std::regex::icase);
  std::match_results<std::string_view::const_iterator> m;
  const std::string_view text = **ddl;
  if (!std::regex_search(text.begin(), text.end(), m, kReplication)) return std::optional<int>{};
  return std::optional<int>{std::stoi(m[1].str())};
}

Status resolve_timestamps(ports::SqlConnection& connection, RestorePlan& plan,
                          const std::optional<BackupTimestamp>& override_timestamp) {
  if (override_timestamp && plan.steps.size() != 1) {
    return sk::fail("restore.usage", "--backup-timestamp needs a plan of exactly one snapshot ({} here)",
                    plan.steps.size());
  }
  for (auto& step : plan.steps) {
    auto rows = connection.query(dialect::render_show_snapshot(step.repository, step.label));
    if (!rows) {
      const std::string text = ports::server_text(rows.error());
      if (contains(text, "does not exist")) {
        return sk::fail("restore.snapshot_missing", "repository {}: {}", step.repository.str(), text);
      }
      return std::unexpected(std::move(rows.error()));
    }
    std::vector<BackupTimestamp> listed;
    std::string status_text;
    auto parsed = jobs::parse_show_snapshot(*rows);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    for (auto& r : *parsed) {
      if (r.label != step.label.str()) continue;
      status_text = r.status;
      if (status_text != "OK") continue;
      listed.insert(listed.end(), r.timestamps.begin(), r.timestamps.end());
    }
    if (listed.empty()) {
      return sk::fail(
          "restore.snapshot_missing",
          "snapshot '{}' is not in repository {} ({}); check the repository with SHOW SNAPSHOT ON {}",
          step.label.str(), step.repository.str(), status_text.empty() ? "not listed" : status_text,
          step.repository.str());
    }
    auto is_listed = [&](const BackupTimestamp& t) {
      return std::find(listed.begin(), listed.end(), t) != listed.end();
    };
    std::string all;
    for (const auto& t : listed) all += (all.empty() ? "" : ", ") + t.str();
    if (override_timestamp) {
      if (!is_listed(*override_timestamp)) {
        return sk::fail(
            "restore.wrong_timestamp",
            "backup_timestamp '{}' is not a timestamp of snapshot '{}' in repository {}; listed: {}",
            *override_timestamp, step.label.str(), step.repository.str(), all);
      }
      step.backup_timestamp = override_timestamp;
    } else if (step.recorded_timestamp && is_listed(*step.recorded_timestamp)) {
      step.backup_timestamp = step.recorded_timestamp;
    } else if (listed.size() == 1) {
      step.backup_timestamp = listed.front();
    } else {
      return sk::fail(
          "restore.wrong_timestamp",
          "snapshot '{}' has several backups in repository {} ({}) and the history records none of "
          "them; pass --backup-timestamp",
          step.label.str(), step.repository.str(), all);
    }
  }
  return sk::ok();
}

RestoreOutcome execute_plan(ports::SqlConnection& connection, ops::OpsStore* store, const RestorePlan& plan,
                            ports::Clock& clock, ports::Sleeper& sleeper, const ExecuteOptions& options,
                            std::ostream* progress) {
  RestoreOutcome out;
  const Journal journal{store, progress, clock.now()};
  auto say = [&](const std::string& line) { journal.say(line); };
  auto write = [&](ops::RestoreRecord& rec) { journal.write(rec); };
  auto fail_with = [&](Error e) {
    out.error = std::move(e);
    return out;
  };

  if (auto s = prepare_target(connection, plan); !s) return fail_with(s.error());

  for (std::size_t index = 0; index < plan.steps.size(); ++index) {
    ops::RestoreRecord rec = base_record(plan, plan.steps[index], options, index);
    StepEnd end = run_step(connection, plan, plan.steps[index], clock, sleeper, options, journal, rec, index);
    if (end.keep_record) out.records.push_back(rec);
    if (end.error) return fail_with(std::move(*end.error));
  }

  // Verification: every restored partition against the fingerprint of the snapshot it came from.
  nlohmann::json expected_json = nlohmann::json::object();
  nlohmann::json actual_json = nlohmann::json::object();
  if (auto s = verify_restored(connection, plan, options, journal, out, expected_json, actual_json); !s) {
    return fail_with(s.error());
  }
  out.verdict = verify::overall(out.checks);
  auto finish_records = [&] {
    for (auto& rec : out.records) {
      rec.verification = std::string(verify::to_string(out.verdict));
      rec.expected_checksums = json_text(expected_json);
      rec.actual_checksums = json_text(actual_json);
      rec.swapped = out.swapped;
      write(rec);
    }
  };

  std::string unverified;
  for (const auto& k : verify::not_compared(out.checks)) unverified += (unverified.empty() ? "" : ", ") + k;
  if (!unverified.empty()) {
    say(fmt::format(
        "not verified (no fingerprint recorded at backup time, and the live partition changed since): {}",
        unverified));
  }
  if (plan.final_action != FinalAction::kNone) {
    // Only a PASSED verification replaces live data; PARTIAL leaves the choice to a person.
    if (out.verdict != verify::Verdict::kPassed) {
      finish_records();
      std::string how;
      if (out.verdict == verify::Verdict::kPartial) {
        RestorePlan manual = plan;
        manual.request.drop_old = false;
        std::string statements;
        for (const auto& t : manual.targets) {
          for (const auto& sql : replace_statements(manual, t)) statements += "\n    " + sql + ";";
        }
        how = fmt::format(
            "; every compared partition matched, but {} could not be compared. Check the restored "
            "data, then replace the live data by hand:{}",
            unverified, statements);
      }
      return fail_with(
          Error{"restore.verify_failed",
                fmt::format("verification {}: the live data was NOT replaced; the restored data stays "
                            "in {}{}",
                            verify::to_string(out.verdict), plan.target_database.str(), how),
                {}});
    }
    if (auto failed = replace_live(connection, plan, journal, out)) {
      finish_records();
      return fail_with(std::move(*failed));
    }
  }
  finish_records();
  return out;
}

}  // namespace sk::restore
