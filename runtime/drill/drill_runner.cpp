#include "runtime/drill/drill_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "kernel/dialect/restore_sql.h"
#include "kernel/dialect/drill_sql.h"
#include "runtime/ops/ops_schema.h"
#include "kernel/dialect/ops_sql.h"

namespace sk::drill {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string error_text(const Error& e) {
  if (auto m = ports::server_message(e)) return *m;
  return e.message;
}

restore::Scope scope_of(model::DrillScope s) {
  switch (s) {
    case model::DrillScope::kPartition:
      return restore::Scope::kPartition;
    case model::DrillScope::kTable:
      return restore::Scope::kTable;
    case model::DrillScope::kDatabase:
      return restore::Scope::kDatabase;
  }
  return restore::Scope::kTable;
}

std::string cut(std::string text, std::size_t max_bytes) {
  if (text.size() > max_bytes) text.resize(max_bytes);
  return text;
}

nlohmann::json fingerprint_json(const std::optional<verify::Fingerprint>& f) {
  if (!f) return nullptr;
  return {{"rows", f->row_count}, {"sum", f->row_hash_sum}};
}

std::string fingerprint_text(const std::optional<verify::Fingerprint>& f) {
  return f ? verify::to_string(*f) : std::string("unknown");
}

class Runner {
 public:
  Runner(const model::Policy& policy, ports::SqlConnection& connection, ops::OpsStore& store,
         ports::Clock& clock, ports::Sleeper& sleeper, const DrillOptions& options, std::ostream* progress,
         const FailureHook& on_failure)
      : policy_(policy),
        connection_(connection),
        store_(store),
        clock_(clock),
        sleeper_(sleeper),
        options_(options),
        progress_(progress),
        on_failure_(on_failure) {}

  // Snapshots given by the caller: their attempts and manifests are used instead of the ops store's.
  void preset_history(std::vector<restore::Snapshot> history) {
    attempts_.emplace();
    for (auto& s : history) {
      manifests_[s.attempt.attempt_id()] = std::move(s.entries);
      attempts_->push_back(std::move(s.attempt));
    }
  }

  Result<std::vector<DrillReport>> run() {
    std::vector<DrillReport> out;
    for (const auto& drill : policy_.drills) {
      if (options_.only && drill.name != *options_.only) continue;
      auto report = one(drill);
      if (!report) return std::unexpected(std::move(report.error()));
      out.push_back(std::move(*report));
    }
    return out;
  }

 private:
  void say(const std::string& line) {
    if (progress_) *progress_ << line << "\n" << std::flush;
  }

  Result<DrillReport> one(const model::Drill& drill) {
    DrillReport r{.name = drill.name, .scope = drill.scope, .from = drill.from, .at = options_.at};
    auto period = period_of(drill, policy_.time_zone, options_.at);
    if (!period) return std::unexpected(std::move(period.error()));
    r.period = *period;
    auto past = load_past_drills(connection_, store_.config().database, drill.name, r.period);
    if (!past) return std::unexpected(std::move(past.error()));
    r.due = is_due(r.period, options_.at, *past, options_.only.has_value());
    say(fmt::format("drill {}: {}", drill.name.str(), r.due.reason));
    if (!r.due.due) {
      r.verdict = Verdict::kNotDue;
      return r;
    }
    auto sources = source_snapshots(drill);
    if (!sources) return std::unexpected(std::move(sources.error()));
    auto choice = choose(policy_, drill, r.period, options_.at, *sources);
    if (!choice) {
      r.error = choice.error();
      r.verdict = choice.error().code == "drill.no_snapshot" ? Verdict::kNoSnapshot : Verdict::kFailed;
      say(fmt::format("drill {}: {}", drill.name.str(), choice.error().message));
      if (r.verdict == Verdict::kFailed && on_failure_) on_failure_(r);
      return r;
    }
    r.choice = std::move(*choice);
    r.run_id =
        cut(fmt::format("drill-{}-{}-{}", r.period.label, seed_hex(r.choice->seed), options_.invocation), 64);
    r.scratch = scratch_database(drill.name, options_.at, policy_.time_zone);
    say(fmt::format("drill {}: chose {} (candidate {} of {}, seed {}) from snapshot '{}'", drill.name.str(),
                    r.choice->object(), r.choice->index + 1, r.choice->candidates, seed_hex(r.choice->seed),
                    r.choice->snapshot.label.str()));
    source_.reset();
    for (const auto& src : *sources) {
      if (src.attempt.attempt_id() == r.choice->snapshot.attempt_id()) source_ = src;
    }
    if (!source_) {
      fail(r, Error{"drill.internal", "the chosen snapshot is not among the sources", {}});
    } else {
      execute(r);
    }
    if (r.verdict == Verdict::kFailed && on_failure_) on_failure_(r);
    return r;
  }

  // Per database, the newest candidate attempt with a non-empty manifest (choice.h). Reads the FINISHED
  // attempts once per invocation (one query per database) and only the manifests of the attempts it inspects.
  Result<std::vector<restore::Snapshot>> source_snapshots(const model::Drill& drill) {
    if (!attempts_) {
      auto a = load_policy_attempts(policy_, store_);
      if (!a) return std::unexpected(std::move(a.error()));
      attempts_ = std::move(*a);
    }
    std::vector<restore::Snapshot> out;
    for (const auto& list : source_candidates(policy_, drill, options_.at, *attempts_)) {
      for (const ops::BackupAttempt* a : list) {
        const std::string id = a->attempt_id();
        auto it = manifests_.find(id);
        if (it == manifests_.end()) {
          auto m = store_.load_manifest(id);
          if (!m) return std::unexpected(std::move(m.error()));
          it = manifests_.emplace(id, std::move(*m)).first;
        }
        if (it->second.empty()) continue;
        out.push_back(restore::Snapshot{*a, it->second});
        break;
      }
    }
    return out;
  }

  void fail(DrillReport& r, Error e) {
    r.verdict = Verdict::kFailed;
    r.error = std::move(e);
  }

  void execute(DrillReport& r) {
    if (!plan_restore(r) || options_.dry_run) return;
    // The scratch database is created for the drill with a plain CREATE DATABASE, which the server makes
    // atomic: an existing one (kept, left by a killed drill, or being made by a drill running right now) is
    // refused, never used and never dropped.
    r.started_at = clock_.now();
    std::vector<ops::RestoreRecord> records;
    for (std::size_t i = 0; i < r.plan->steps.size(); ++i) records.push_back(base_record(r, i));
    if (!create_scratch(r, records)) return;
    write(r, records);  // SUBMITTING: the drill has started

    restore::ExecuteOptions exec = options_.execute;
    exec.run_id = r.run_id;
    restore::RestoreOutcome outcome =
        restore::execute_plan(connection_, nullptr, *r.plan, clock_, sleeper_, exec, progress_);
    r.finished_at = clock_.now();
    r.checks = outcome.checks;
    r.verification = outcome.verdict;
    judge(r, outcome);
    final_records(r, outcome, records);
    drop_scratch(r);
    write(r, records);
    say(fmt::format("drill {}: {}{}", r.name.str(), to_string(r.verdict),
                    r.error ? " — " + r.error->message : std::string()));
  }

  // Plans the restore of the chosen snapshot into the scratch database and resolves its timestamps; false
  // (the report failed) when that fails. A dry run stops here (kPlanned).
  bool plan_restore(DrillReport& r) {
    const Choice& c = *r.choice;
    restore::RestoreRequest req{.scope = scope_of(r.scope), .database = c.database};
    req.table = c.table;
    if (c.partition) req.partitions.push_back(*c.partition);
    req.snapshot = c.snapshot.label;
    req.repository = c.snapshot.repository;
    req.into = *r.scratch;
    req.replication_num = options_.replication_num;
    req.now = clock_.now();
    // The plan of the chosen snapshot alone: it holds every restored partition (a partition from the daily, a
    // table from its whole-table or database snapshot, every table from the baseline), so no chain is needed.
    auto plan = restore::make_restore_plan(req, {*source_});
    if (!plan) {
      fail(r, plan.error());
      return false;
    }
    if (auto s = restore::resolve_timestamps(connection_, *plan); !s) {
      r.plan = std::move(*plan);
      fail(r, s.error());
      return false;
    }
    r.plan = std::move(*plan);
    if (options_.dry_run) r.verdict = Verdict::kPlanned;
    return true;
  }

  // Every pre-written row rejected with the error, written, and the report failed.
  void reject(DrillReport& r, std::vector<ops::RestoreRecord>& records, Error e) {
    r.finished_at = clock_.now();
    for (auto& rec : records) {
      rec.state = ops::AttemptState::kRejected;
      rec.error_text = e.message;
      rec.finished_at = r.finished_at;
      rec.verification = std::string(to_string(Verdict::kFailed));
    }
    write(r, records);
    fail(r, std::move(e));
  }

  // CREATE DATABASE of the scratch database; false (rows rejected, report failed) when it is refused.
  bool create_scratch(DrillReport& r, std::vector<ops::RestoreRecord>& records) {
    auto created =
        connection_.execute(sql::render_create_database(*r.scratch), ports::Idempotency::kNotIdempotent);
    if (created) {
      r.scratch_created = true;
      return true;
    }
    const std::string text = error_text(created.error());
    if (created.error().code == ports::kServerError && contains(text, "database exists")) {
      reject(r, records,
             Error{"restore.target_exists",
                   fmt::format("scratch database {} exists already ({}); a drill never restores into, nor "
                               "drops, a database it did not create — drop it first (DROP DATABASE {} FORCE)",
                               r.scratch->str(), scratch_owner(*r.scratch), r.scratch->str()),
                   {}});
    } else {
      reject(r, records, created.error());
    }
    return false;
  }

  // The verdict. verify = checksum: every restored partition must be proven by content, not just some.
  void judge(DrillReport& r, const restore::RestoreOutcome& outcome) {
    std::string mismatched, unknown;
    for (const auto& ch : outcome.checks) {
      const std::string key = ch.table + "." + ch.partition;
      if (!ch.expected.fingerprint) {
        unknown += (unknown.empty() ? "" : ", ") + key;
      } else if (!ch.passed) {
        mismatched += (mismatched.empty() ? "" : ", ") + key;
      }
    }
    if (outcome.error) {
      fail(r, *outcome.error);
    } else if (!mismatched.empty()) {
      fail(r, Error{"restore.verify_failed",
                    fmt::format(
                        "verification FAILED: the restored data differs from the fingerprints recorded at "
                        "backup time ({})",
                        mismatched),
                    {}});
    } else if (!unknown.empty() || outcome.checks.empty()) {
      fail(r, Error{"drill.unverified",
                    fmt::format(
                        "not verified by content: no fingerprint was recorded at backup time for {} and the "
                        "live data changed since the snapshot",
                        unknown.empty() ? std::string("any restored partition") : unknown),
                    {}});
    } else {
      r.verdict = Verdict::kPassed;
    }
  }

  // Rows: the executor's (one per step it reached), the pre-written ones for steps it never reached.
  void final_records(const DrillReport& r, const restore::RestoreOutcome& outcome,
                     std::vector<ops::RestoreRecord>& records) {
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i < outcome.records.size()) {
        ops::RestoreRecord rec = outcome.records[i];
        rec.kind = ops::RestoreKind::kDrill;
        rec.drill_name = r.name.str();
        rec.target_time = r.at;
        records[i] = std::move(rec);
      } else {
        records[i].state = ops::AttemptState::kRejected;
        records[i].finished_at = r.finished_at;
        records[i].error_text = r.error ? r.error->message : std::string("not run");
      }
      records[i].verification = std::string(to_string(r.verdict));
      if (r.error && !records[i].error_text) records[i].error_text = r.error->message;
    }
  }

  // The scratch database is dropped unless --keep; a failed drop is a warning.
  void drop_scratch(DrillReport& r) {
    if (options_.keep) {
      say(fmt::format("drill {}: scratch database {} kept (--keep); drop it with DROP DATABASE {} FORCE",
                      r.name.str(), r.scratch->str(), r.scratch->str()));
      return;
    }
    const std::string drop = sql::render_drop_database(*r.scratch);
    say(fmt::format("drill {}: {}", r.name.str(), drop));
    if (auto s = connection_.execute(drop, ports::Idempotency::kIdempotent); s) {
      r.scratch_dropped = true;
    } else {
      r.warnings.push_back(
          fmt::format("could not drop scratch database {}: {}", r.scratch->str(), error_text(s.error())));
      say("warning: " + r.warnings.back());
    }
  }

  // Who left an existing scratch database, from restore_history (best effort: "not made by a drill"
  // otherwise).
  std::string scratch_owner(const DatabaseName& scratch) {
    auto rows = connection_.query(sql::render_scratch_owner_query(store_.config().database, scratch));
    if (!rows || rows->empty()) return "not made by a recorded drill";
    auto run_id = rows->get(0, "run_id");
    auto state = rows->get(0, "state");
    auto verification = rows->get(0, "verification");
    if (!run_id || !state || !verification) return "not made by a recorded drill";
    const std::string st(state->value_or(""));
    return fmt::format(
        "made by drill run {}, state {}{}", run_id->value_or("?"), st,
        st == "SUBMITTING" || st == "RUNNING" ? " — still running, or killed?" : " — kept with --keep?");
  }

  ops::RestoreRecord base_record(const DrillReport& r, std::size_t index) const {
    const restore::RestoreStep& step = r.plan->steps[index];
    // Same id as the executor gives the step, so its outcome rewrites this row.
    ops::RestoreRecord rec{.restore_id = ops::make_id({r.run_id, std::to_string(index), step.label.str()}),
                           .run_id = r.run_id,
                           .kind = ops::RestoreKind::kDrill,
                           .drill_name = r.name.str(),
                           .repository = step.repository,
                           .label = step.label,
                           .backup_timestamp = *step.backup_timestamp,  // resolved by plan_restore
                           .source_database = r.plan->request.database,
                           .target_database = r.plan->target_database};
    for (const auto& t : step.tables) rec.objects.push_back(ops::BackupObject{t.source, t.partitions});
    rec.target_time = r.at;
    rec.submitted_at = r.started_at;
    return rec;
  }

  void write(DrillReport& r, std::vector<ops::RestoreRecord>& records) {
    for (auto& rec : records) {
      // The drill's own start and end (scratch database to verdict), period and seed, in their own columns.
      rec.started_at = r.started_at;
      if (rec.started_at && r.finished_at) {
        rec.duration_seconds = r.finished_at->unix_seconds() - rec.started_at->unix_seconds();
      }
      rec.drill_period = r.period.label;
      if (r.choice) rec.drill_seed = seed_hex(r.choice->seed);
      if (auto s = store_.record_restore(rec); !s) {
        r.warnings.push_back("could not write ops.restore_history: " + s.error().describe());
        say("warning: " + r.warnings.back());
      }
    }
    r.records = records;
  }

  const model::Policy& policy_;
  ports::SqlConnection& connection_;
  ops::OpsStore& store_;
  ports::Clock& clock_;
  ports::Sleeper& sleeper_;
  const DrillOptions& options_;
  std::ostream* progress_;
  const FailureHook& on_failure_;
  std::optional<std::vector<ops::BackupAttempt>> attempts_;           // FINISHED attempts, policy databases
  std::map<std::string, std::vector<ops::ManifestEntry>> manifests_;  // by attempt id, loaded on demand
  std::optional<restore::Snapshot> source_;                           // the chosen drill's source snapshot
};

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPassed:
      return "PASSED";
    case Verdict::kFailed:
      return "FAILED";
    case Verdict::kNotDue:
      return "NOT_DUE";
    case Verdict::kNoSnapshot:
      return "NO_SNAPSHOT";
    case Verdict::kPlanned:
      return "PLANNED";
  }
  return "FAILED";
}

std::optional<Duration> DrillReport::duration() const {
  if (!started_at || !finished_at) return std::nullopt;
  return *finished_at - *started_at;
}

DatabaseName scratch_database(const DrillName& name, Instant t, const TimeZone& zone) {
  const CivilDay d(zone.to_local(t));
  auto db = DatabaseName::parse(fmt::format("starkeep_drill_{}_{:04}{:02}{:02}", name.str(),
                                            static_cast<long long>(d.year()), d.month(), d.day()));
  return *db;  // a drill name is an identifier of at most 64 bytes: always a valid database name
}

Result<std::vector<PastDrill>> load_past_drills(ports::SqlConnection& connection,
                                                const DatabaseName& ops_database, const DrillName& name,
                                                const Period& period) {
  auto rows = connection.query(sql::render_drill_history_query(ops_database, name, period.begin, period.end));
  if (!rows) {
    const std::string text = error_text(rows.error());
    if (rows.error().code == ports::kServerError &&
        (contains(text, "Unknown table") || contains(text, "Unknown database") ||
         contains(text, "doesn't exist") || contains(text, "does not exist"))) {
      return std::vector<PastDrill>{};
    }
    return std::unexpected(std::move(rows.error()));
  }
  std::vector<PastDrill> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto run_id = rows->get(i, "run_id");
    auto at = rows->get(i, "target_time_utc");
    auto verification = rows->get(i, "verification");
    auto state = rows->get(i, "state");
    if (!run_id || !at || !verification || !state) {
      return sk::fail(std::string(ports::kResultError), "ops.restore_history: unexpected columns");
    }
    if (!*at) continue;
    auto instant = ops::sql::parse_datetime_utc(**at);
    if (!instant) return std::unexpected(std::move(instant.error()));
    out.push_back(PastDrill{std::string(run_id->value_or("")), *instant,
                            std::string(verification->value_or("")), std::string(state->value_or(""))});
  }
  return out;
}

Result<std::vector<ops::BackupAttempt>> load_policy_attempts(const model::Policy& policy,
                                                             ops::OpsStore& store) {
  std::vector<DatabaseName> databases;
  if (!policy.databases.all) {
    databases = policy.databases.include;
  } else {
    auto inventory = store.load_inventory();
    if (!inventory) return std::unexpected(std::move(inventory.error()));
    std::set<std::string> seen;
    for (const auto& rec : *inventory) {
      if (policy.databases.matches(rec.database) && seen.insert(rec.database.str()).second) {
        databases.push_back(rec.database);
      }
    }
  }
  std::vector<ops::BackupAttempt> out;
  for (const auto& db : databases) {
    auto attempts = store.load_backup_attempts(db);
    if (!attempts) return std::unexpected(std::move(attempts.error()));
    for (auto& a : *attempts) {
      if (a.state == ops::AttemptState::kFinished) out.push_back(std::move(a));
    }
  }
  return out;
}

namespace {

Status check_only(const model::Policy& policy, const DrillOptions& options) {
  if (!options.only || policy.find_drill(*options.only)) return sk::ok();
  std::string names;
  for (const auto& d : policy.drills) names += (names.empty() ? "" : ", ") + d.name.str();
  return sk::fail("drill.usage", "the policy has no drill '{}' (drills: {})", options.only->str(),
                  names.empty() ? "none" : names);
}

}  // namespace

Result<std::vector<DrillReport>> run_drills(const model::Policy& policy, ports::SqlConnection& connection,
                                            ops::OpsStore& store, ports::Clock& clock,
                                            ports::Sleeper& sleeper, const DrillOptions& options,
                                            std::ostream* progress, const FailureHook& on_failure) {
  if (auto s = check_only(policy, options); !s) return std::unexpected(s.error());
  Runner runner(policy, connection, store, clock, sleeper, options, progress, on_failure);
  return runner.run();
}

Result<std::vector<DrillReport>> run_drills(const model::Policy& policy, ports::SqlConnection& connection,
                                            ops::OpsStore& store, ports::Clock& clock,
                                            ports::Sleeper& sleeper, const DrillOptions& options,
                                            std::vector<restore::Snapshot> history, std::ostream* progress,
                                            const FailureHook& on_failure) {
  if (auto s = check_only(policy, options); !s) return std::unexpected(s.error());
  Runner runner(policy, connection, store, clock, sleeper, options, progress, on_failure);
  runner.preset_history(std::move(history));
  return runner.run();
}

nlohmann::json report_to_json(const DrillReport& r) {
  nlohmann::json j{{"drill", r.name.str()},
                   {"scope", std::string(model::to_string(r.scope))},
                   {"from", r.from.str()},
                   {"at", r.at.to_iso8601_utc()},
                   {"period",
                    {{"label", r.period.label},
                     {"begin", r.period.begin.to_iso8601_utc()},
                     {"end", r.period.end.to_iso8601_utc()},
                     {"scheduled", r.period.scheduled.to_iso8601_utc()}}},
                   {"due", r.due.due},
                   {"forced", r.due.forced},
                   {"reason", r.due.reason},
                   {"verdict", std::string(to_string(r.verdict))}};
  if (!r.run_id.empty()) j["run_id"] = r.run_id;
  if (r.choice) {
    const Choice& c = *r.choice;
    nlohmann::json cj{
        {"object", c.object()},
        {"database", c.database.str()},
        {"seed", seed_hex(c.seed)},
        {"index", c.index},
        {"candidates", c.candidates},
        {"snapshot",
         {{"label", c.snapshot.label.str()},
          {"repository", c.snapshot.repository.str()},
          {"slot", c.snapshot.slot ? nlohmann::json(c.snapshot.slot->to_iso8601_utc()) : nlohmann::json()},
          {"finished_at", c.snapshot.finished_at ? nlohmann::json(c.snapshot.finished_at->to_iso8601_utc())
                                                 : nlohmann::json()}}},
        {"sources", c.sources}};
    if (c.table) cj["table"] = c.table->str();
    if (c.partition) cj["partition"] = c.partition->str();
    j["choice"] = std::move(cj);
  }
  if (r.scratch) {
    j["scratch_database"] = r.scratch->str();
    j["scratch_dropped"] = r.scratch_dropped;
  }
  if (r.plan) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.plan->steps) {
      steps.push_back({{"label", s.label.str()},
                       {"repository", s.repository.str()},
                       {"backup_timestamp", s.backup_timestamp ? s.backup_timestamp->str() : ""},
                       {"sql", dialect::render_restore(restore::step_spec(*r.plan, s))}});
    }
    j["snapshots"] = std::move(steps);
  }
  if (!r.checks.empty() || r.verdict == Verdict::kPassed || r.verdict == Verdict::kFailed) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : r.checks) {
      checks.push_back({{"table", c.table},
                        {"partition", c.partition},
                        {"expected", fingerprint_json(c.expected.fingerprint)},
                        {"proof", std::string(verify::to_string(c.expected.proof))},
                        {"actual", fingerprint_json(c.actual)},
                        {"passed", c.passed}});
    }
    j["checksums"] = std::move(checks);
    j["verification"] = std::string(verify::to_string(r.verification));
  }
  if (r.started_at) j["started_at"] = r.started_at->to_iso8601_utc();
  if (r.finished_at) j["finished_at"] = r.finished_at->to_iso8601_utc();
  if (auto d = r.duration()) j["duration_seconds"] = d->seconds();
  if (r.error) j["error"] = {{"code", r.error->code}, {"message", r.error->message}};
  if (!r.warnings.empty()) j["warnings"] = r.warnings;
  return j;
}

std::string report_to_text(const DrillReport& r) {
  std::string out =
      fmt::format("drill \"{}\" ({} from tier \"{}\", period {}): {}\n", r.name.str(),
                  model::to_string(r.scope), r.from.str(), r.period.label, to_string(r.verdict));
  out += fmt::format("  {}\n", r.due.reason);
  if (r.choice) {
    const Choice& c = *r.choice;
    out += fmt::format("  chosen:    {} (candidate {} of {}, seed {} = hash of \"{}|{}\")\n", c.object(),
                       c.index + 1, c.candidates, seed_hex(c.seed), r.name.str(), r.period.label);
    out +=
        fmt::format("  snapshot:  '{}' in {}{}{}\n", c.snapshot.label.str(), c.snapshot.repository.str(),
                    c.snapshot.slot ? ", slot " + c.snapshot.slot->to_iso8601_utc() : "",
                    c.snapshot.finished_at ? ", finished " + c.snapshot.finished_at->to_iso8601_utc() : "");
  }
  if (r.plan) {
    for (const auto& s : r.plan->steps) {
      out += fmt::format("  restore:   {}\n", dialect::render_restore(restore::step_spec(*r.plan, s)));
    }
  }
  if (r.scratch) {
    out += fmt::format("  scratch:   {}{}\n", r.scratch->str(),
                       r.verdict == Verdict::kPlanned ? " (dry run: not created)"
                       : r.scratch_dropped            ? " (dropped)"
                       : r.scratch_created            ? " (KEPT)"
                                                      : "");
  }
  for (const auto& c : r.checks) {
    out += fmt::format("  checksum:  {}.{} expected {} ({}), actual {} → {}\n", c.table, c.partition,
                       fingerprint_text(c.expected.fingerprint), verify::to_string(c.expected.proof),
                       fingerprint_text(c.actual),
                       !c.expected.fingerprint ? "not verifiable"
                       : c.passed              ? "ok"
                                               : "MISMATCH");
  }
  if (r.started_at && r.finished_at) {
    out += fmt::format("  ran:       {} .. {} ({} s), run id {}\n", r.started_at->to_iso8601_utc(),
                       r.finished_at->to_iso8601_utc(), r.duration()->seconds(), r.run_id);
  }
  if (r.error) out += fmt::format("  error[{}]: {}\n", r.error->code, r.error->message);
  for (const auto& w : r.warnings) out += "  warning: " + w + "\n";
  return out;
}

}  // namespace sk::drill
