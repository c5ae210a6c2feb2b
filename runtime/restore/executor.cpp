#include "runtime/restore/executor.h"

#include <algorithm>
#include <ostream>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "kernel/dialect/restore_sql.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/executor/backoff.h"
#include "runtime/executor/server_views.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/redact.h"

namespace sk::restore {
namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

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
  return Error{code, fmt::format("RESTORE of snapshot '{}' was CANCELLED by the server: {}", label, status), {}};
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

struct ServerJob {
  std::optional<std::int64_t> job_id;
  std::string label;
  std::string state;
  std::string status;
  std::string task_error;
};

Result<std::optional<ServerJob>> latest_restore(ports::SqlConnection& c, const DatabaseName& db) {
  auto rows = c.query(dialect::render_show_restore(db));
  if (!rows) return std::unexpected(std::move(rows.error()));
  if (rows->empty()) return std::optional<ServerJob>{};
  const std::size_t i = rows->size() - 1;
  ServerJob job;
  auto id = rows->get_int(i, "JobId");
  auto label = rows->get(i, "Label");
  auto state = rows->get(i, "State");
  if (!id) return std::unexpected(std::move(id.error()));
  if (!label) return std::unexpected(std::move(label.error()));
  if (!state) return std::unexpected(std::move(state.error()));
  job.job_id = *id;
  job.label = std::string(label->value_or(""));
  job.state = std::string(state->value_or(""));
  if (rows->has_column("Status")) job.status = std::string(rows->get(i, "Status")->value_or(""));
  if (rows->has_column("TaskErrMsg")) job.task_error = std::string(rows->get(i, "TaskErrMsg")->value_or(""));
  return std::optional<ServerJob>{job};
}

ops::RestoreRecord base_record(const RestorePlan& plan, const RestoreStep& step, const ExecuteOptions& options,
                               std::size_t index) {
  ops::RestoreRecord rec{.restore_id = ops::make_id({options.run_id, std::to_string(index), step.label.str()}),
                         .run_id = options.run_id,
                         .kind = ops::RestoreKind::kRestore,
                         .repository = step.repository,
                         .label = step.label,
                         .backup_timestamp = step.backup_timestamp,
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

}  // namespace

Result<std::vector<Snapshot>> load_history(ops::OpsStore& store, const DatabaseName& database) {
  auto attempts = store.load_backup_attempts(database);
  if (!attempts) return std::unexpected(std::move(attempts.error()));
  std::vector<Snapshot> out;
  bool has_sets = true;  // false: ops (or a recovered catalog) from before schema 2, no table_partition_set
  for (auto& a : *attempts) {
    if (a.state != ops::AttemptState::kFinished) continue;
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
        (contains(text, "Unknown table") || contains(text, "does not exist") || contains(text, "Unknown database"))) {
      return std::optional<int>{};
    }
    return std::unexpected(std::move(rows.error()));
  }
  if (rows->empty() || !rows->has_column("Create Table")) return std::optional<int>{};
  auto ddl = rows->get(0, "Create Table");
  if (!ddl || !*ddl) return std::optional<int>{};
  static const std::regex kReplication(R"re(["']replication_num["']\s*=\s*["'](\d+)["'])re", std::regex::icase);
  std::match_results<std::string_view::const_iterator> m;
  const std::string_view text = **ddl;
  if (!std::regex_search(text.begin(), text.end(), m, kReplication)) return std::optional<int>{};
  return std::optional<int>{std::stoi(m[1].str())};
}

Status resolve_timestamps(ports::SqlConnection& connection, RestorePlan& plan,
                          const std::optional<std::string>& override_timestamp) {
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
    std::vector<std::string> listed;
    std::string status_text;
    auto parsed = executor::parse_show_snapshot(*rows);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    for (auto& r : *parsed) {
      if (r.label != step.label.str()) continue;
      status_text = r.status;
      if (status_text != "OK") continue;
      for (auto& t : r.timestamps) listed.push_back(std::move(t));
    }
    if (listed.empty()) {
      return sk::fail("restore.snapshot_missing",
                      "snapshot '{}' is not in repository {} ({}); check the repository with SHOW SNAPSHOT ON {}",
                      step.label.str(), step.repository.str(), status_text.empty() ? "not listed" : status_text,
                      step.repository.str());
    }
    auto is_listed = [&](const std::string& t) { return std::find(listed.begin(), listed.end(), t) != listed.end(); };
    std::string all;
    for (const auto& t : listed) all += (all.empty() ? "" : ", ") + t;
    if (override_timestamp) {
      if (!is_listed(*override_timestamp)) {
        return sk::fail("restore.wrong_timestamp",
                        "backup_timestamp '{}' is not a timestamp of snapshot '{}' in repository {}; listed: {}",
                        *override_timestamp, step.label.str(), step.repository.str(), all);
      }
      step.backup_timestamp = *override_timestamp;
    } else if (step.recorded_timestamp && is_listed(*step.recorded_timestamp)) {
      step.backup_timestamp = *step.recorded_timestamp;
    } else if (listed.size() == 1) {
      step.backup_timestamp = listed.front();
    } else {
      return sk::fail("restore.wrong_timestamp",
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
  auto say = [&](const std::string& line) {
    if (progress) *progress << line << "\n" << std::flush;
  };
  const Instant began = clock.now();
  auto write = [&](ops::RestoreRecord& rec) {
    rec.started_at = began;
    if (rec.finished_at) rec.duration_seconds = rec.finished_at->unix_seconds() - began.unix_seconds();
    if (!store) return;
    if (auto s = store->record_restore(rec); !s) say("warning: could not write ops.restore_history: " + s.error().describe());
  };
  auto fail_with = [&](Error e) {
    out.error = std::move(e);
    return out;
  };

  if (auto s = check_live_untouched(plan); !s) return fail_with(s.error());
  for (const auto& step : plan.steps) {
    if (step.backup_timestamp.empty()) {
      return fail_with(Error{"restore.usage", "backup_timestamp of '" + step.label.str() + "' not resolved", {}});
    }
  }

  // Target database; refuse to write into any table that exists already (the restore would overwrite it).
  if (plan.create_target_database) {
    if (auto s = connection.execute(dialect::render_create_database_if_not_exists(plan.target_database),
                                    ports::Idempotency::kIdempotent);
        !s) {
      return fail_with(s.error());
    }
  }
  {
    auto rows = connection.query(dialect::render_list_tables(plan.target_database));
    if (!rows) return fail_with(rows.error());
    std::set<std::string> existing;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      if (auto n = rows->get(i, "TABLE_NAME"); n && *n) existing.insert(std::string(**n));
    }
    for (const auto& t : plan.targets) {
      if (existing.count(t.target.str())) {
        return fail_with(Error{"restore.target_exists",
                               fmt::format("{}.{} exists already; a restore never writes into an existing table — "
                                           "choose another name with --as or --into, or drop it first",
                                           plan.target_database.str(), t.target.str()),
                               {}});
      }
    }
  }

  for (std::size_t index = 0; index < plan.steps.size(); ++index) {
    const RestoreStep& step = plan.steps[index];
    ops::RestoreRecord rec = base_record(plan, step, options, index);
    const std::string sql = dialect::render_restore(step_spec(plan, step));
    auto before = latest_restore(connection, plan.target_database);
    if (!before) return fail_with(before.error());
    const std::optional<std::int64_t> previous_id = *before ? (*before)->job_id : std::nullopt;

    rec.submitted_at = clock.now();
    write(rec);
    say(fmt::format("step {}/{}: {}", index + 1, plan.steps.size(), sql));
    std::chrono::milliseconds delay = options.busy_initial;
    for (int attempt = 0;; ++attempt) {
      auto s = connection.execute(sql, ports::Idempotency::kNotIdempotent);
      if (s) break;
      if (executor::is_job_slot_busy(s.error()) && attempt < options.busy_retries) {
        say(fmt::format("database {} is busy with another backup or restore job; retrying in {} ms",
                        plan.target_database.str(), delay.count()));
        sleeper.sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(60'000));
        continue;
      }
      Error e = executor::is_job_slot_busy(s.error())
                    ? Error{"restore.busy",
                            fmt::format("database {} stayed busy with another backup or restore job after {} "
                                        "retries: {}",
                                        plan.target_database.str(), attempt, ports::server_text(s.error())),
                            {}}
                    : classify_submit(step.label.str(), s.error());
      rec.state = ops::AttemptState::kRejected;
      rec.error_text = e.message;
      rec.finished_at = clock.now();
      write(rec);
      out.records.push_back(rec);
      return fail_with(std::move(e));
    }
    rec.state = ops::AttemptState::kRunning;
    write(rec);

    // Poll SHOW RESTORE until our job (our label, not the job seen before submitting) is terminal. Past the wait
    // limit the job is cancelled, so that no restore goes on writing after starkeep stopped watching it.
    const auto started = clock.monotonic();
    std::chrono::milliseconds poll = options.poll_initial;
    std::optional<ServerJob> last;
    std::optional<std::chrono::milliseconds> cancel_sent;  // monotonic time of our CANCEL RESTORE
    std::string cancel_reply;
    for (;;) {
      sleeper.sleep_for(poll);
      // Completion is noticed within max(poll_initial, 5 % of the elapsed time) (product.md §7).
      poll = executor::next_poll_delay({options.poll_initial, 0.05, options.poll_max},
                                       clock.monotonic() - started);
      auto job = latest_restore(connection, plan.target_database);
      if (!job) {
        if (!ports::is_connection_error(job.error())) return fail_with(job.error());
        // the job goes on; ask again
      } else if (*job && (*job)->label == step.label.str() &&
                 !((*job)->job_id && previous_id && *(*job)->job_id == *previous_id && (*job)->job_id != -1)) {
        last = *job;
        if (rec.server_state != last->state) {
          rec.server_state = last->state;
          rec.job_id = last->job_id;
          say(fmt::format("  {}: {}", step.label.str(), last->state));
        }
        if (last->state == "FINISHED" || last->state == "CANCELLED") break;
      }
      const auto now = clock.monotonic();
      if (!cancel_sent && now - started > options.job_deadline) {
        const std::string cancel = dialect::render_cancel_restore(plan.target_database);
        say(fmt::format("RESTORE of '{}' not finished after {} s (the wait limit): {}", step.label.str(),
                        options.job_deadline.count() / 1000, cancel));
        auto s = connection.execute(cancel, ports::Idempotency::kNotIdempotent);
        cancel_reply = s ? "accepted" : "refused: " + ports::server_text(s.error());
        if (!s) say("  CANCEL RESTORE " + cancel_reply);
        cancel_sent = now;
        rec.error_text = fmt::format("wait limit of {} s exceeded; {} ({})", options.job_deadline.count() / 1000,
                                     cancel, cancel_reply);
        write(rec);
      } else if (cancel_sent && now - *cancel_sent > options.cancel_grace) {
        Error e{"restore.timeout",
                fmt::format("RESTORE of '{}' not finished after the wait limit of {} s, and still not ended {} s "
                            "after CANCEL RESTORE FROM {} ({}); check SHOW RESTORE FROM {}",
                            step.label.str(), options.job_deadline.count() / 1000,
                            options.cancel_grace.count() / 1000, plan.target_database.str(), cancel_reply,
                            plan.target_database.str()),
                {}};
        rec.error_text = e.message;
        write(rec);
        out.records.push_back(rec);
        return fail_with(std::move(e));
      }
    }
    rec.finished_at = clock.now();
    if (last->state == "CANCELLED") {
      std::string status = last->status;
      if (!last->task_error.empty() && last->task_error != "[]") status += " " + last->task_error;
      // Our CANCEL, or the server's own reason (a job it cancelled first keeps its classification).
      const bool ours = cancel_sent && status.find("user cancelled") != std::string::npos;
      Error e = ours ? Error{"restore.timeout",
                             fmt::format("RESTORE of '{}' exceeded the wait limit of {} s and was cancelled "
                                         "(CANCEL RESTORE FROM {}): {}",
                                         step.label.str(), options.job_deadline.count() / 1000,
                                         plan.target_database.str(), status),
                             {}}
                     : classify_cancel(step.label.str(), status);
      rec.state = ops::AttemptState::kCancelled;
      rec.error_text = e.message;
      write(rec);
      out.records.push_back(rec);
      return fail_with(std::move(e));
    }
    if (cancel_sent) {
      say(fmt::format("  {}: FINISHED before the cancel took effect", step.label.str()));
      rec.error_text.reset();
    }
    rec.state = ops::AttemptState::kFinished;
    write(rec);
    out.records.push_back(rec);
  }

  // Verification: every restored partition against the fingerprint of the snapshot it came from.
  Result<verify::VersionMap> live = verify::VersionMap{};
  if (options.live_proof) live = verify::visible_versions(connection, plan.request.database);
  if (!live) return fail_with(live.error());
  nlohmann::json expected_json = nlohmann::json::object();
  nlohmann::json actual_json = nlohmann::json::object();
  for (const auto& t : plan.targets) {
    auto columns = verify::table_columns(connection, t.target_database, t.target);
    if (!columns) return fail_with(columns.error());
    for (const auto& e : t.partitions) {
      verify::PartitionCheck check{t.source.str(), e.partition.str(), {}, {}, false};
      auto expected = verify::expected_fingerprint(connection, e, *live);
      if (!expected) return fail_with(expected.error());
      check.expected = *expected;
      auto actual = verify::fingerprint(connection, t.target_database, t.target, e.partition, *columns);
      if (!actual) return fail_with(actual.error());
      check.actual = *actual;
      check.passed = check.expected.fingerprint && *check.expected.fingerprint == *check.actual;
      const std::string key = t.source.str() + "." + e.partition.str();
      expected_json[key] = {{"fingerprint", fingerprint_json(check.expected.fingerprint)},
                            {"proof", std::string(verify::to_string(check.expected.proof))},
                            {"label", e.label.str()}};
      actual_json[key] = fingerprint_json(check.actual);
      say(fmt::format("  verify {}: expected {} ({}), actual {} → {}", key,
                      check.expected.fingerprint ? verify::to_string(*check.expected.fingerprint) : "unknown",
                      verify::to_string(check.expected.proof), verify::to_string(*check.actual),
                      !check.expected.fingerprint ? "not verifiable" : check.passed ? "ok" : "MISMATCH"));
      out.checks.push_back(std::move(check));
    }
  }
  out.verdict = verify::overall(out.checks);
  auto finish_records = [&] {
    for (auto& rec : out.records) {
      rec.verification = std::string(verify::to_string(out.verdict));
      rec.expected_checksums = expected_json.dump();
      rec.actual_checksums = actual_json.dump();
      rec.swapped = out.swapped;
      write(rec);
    }
  };

  std::string unverified;
  for (const auto& k : verify::not_compared(out.checks)) unverified += (unverified.empty() ? "" : ", ") + k;
  if (!unverified.empty()) {
    say(fmt::format("not verified (no fingerprint recorded at backup time, and the live partition changed since): {}",
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
        for (const auto& sql : plan_statements(manual)) {
          if (sql.starts_with("ALTER TABLE") || sql.starts_with("INSERT OVERWRITE")) statements += "\n    " + sql + ";";
        }
        how = fmt::format("; every compared partition matched, but {} could not be compared. Check the restored "
                          "data, then replace the live data by hand:{}",
                          unverified, statements);
      }
      return fail_with(Error{"restore.verify_failed",
                             fmt::format("verification {}: the live data was NOT replaced; the restored data stays "
                                         "in {}{}",
                                         verify::to_string(out.verdict), plan.target_database.str(), how),
                             {}});
    }
    for (const auto& t : plan.targets) {
      std::vector<std::string> statements;
      if (plan.final_action == FinalAction::kSwapTable) {
        statements.push_back(dialect::render_swap_table(plan.request.database, t.source, t.target));
      } else {
        for (const auto& e : t.partitions) {
          statements.push_back(dialect::render_overwrite_partition(plan.request.database, t.source, e.partition,
                                                                   t.target_database, t.target));
        }
      }
      for (const auto& sql : statements) {
        say("replace: " + sql);
        if (auto s = connection.execute(sql, ports::Idempotency::kNotIdempotent); !s) {
          finish_records();
          return fail_with(Error{"restore.job_failed", "replacing the live data failed: " + ports::server_text(s.error()), {}});
        }
        out.swapped = true;
      }
      if (plan.request.drop_old) {
        const std::string drop = dialect::render_drop_table(t.target_database, t.target);
        say("drop old: " + drop);
        if (auto s = connection.execute(drop, ports::Idempotency::kNotIdempotent); !s) {
          say("warning: " + ports::server_text(s.error()));
        }
      }
    }
  }
  finish_records();
  return out;
}

}  // namespace sk::restore
