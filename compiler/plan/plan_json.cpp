// Plan ⇄ JSON. Derived fields (local times, SQL, the change selector text) are written for readers and ignored on
// reading; they are recomputed, so JSON → Plan → JSON is byte-identical.
#include <fmt/format.h>

#include "common/json_text.h"
#include "compiler/plan/plan.h"

namespace sk::plan {
namespace {

using nlohmann::json;

std::string utc(Instant t) { return t.to_iso8601_utc(); }

std::string selector_text(const model::ChangeDetection& cd) {
  if (cd.mode == model::ChangeDetection::Mode::kUpdatedWithin) {
    return fmt::format("partitions whose VisibleVersionTime is within {} before the slot",
                       cd.within ? cd.within->to_string() : "?");
  }
  return "partitions whose VisibleVersion differs from the last manifest";
}

// ---- reading helpers: every failure names the path of the field ----

Result<const json*> field(const json& obj, const std::string& path, const char* key) {
  if (!obj.is_object()) return sk::fail("plan.json", "{}: expected an object", path);
  auto it = obj.find(key);
  if (it == obj.end()) return sk::fail("plan.json", "{}: missing field '{}'", path, key);
  return &*it;
}

Result<std::string> get_string(const json& obj, const std::string& path, const char* key) {
  auto f = field(obj, path, key);
  if (!f) return std::unexpected(f.error());
  if (!(*f)->is_string()) return sk::fail("plan.json", "{}.{}: expected a string", path, key);
  return (*f)->get<std::string>();
}

Result<bool> get_bool(const json& obj, const std::string& path, const char* key) {
  auto f = field(obj, path, key);
  if (!f) return std::unexpected(f.error());
  if (!(*f)->is_boolean()) return sk::fail("plan.json", "{}.{}: expected a boolean", path, key);
  return (*f)->get<bool>();
}

Result<const json*> get_array(const json& obj, const std::string& path, const char* key) {
  auto f = field(obj, path, key);
  if (!f) return std::unexpected(f.error());
  if (!(*f)->is_array()) return sk::fail("plan.json", "{}.{}: expected an array", path, key);
  return *f;
}

template <typename T, typename Parse>
Result<T> get_parsed(const json& obj, const std::string& path, const char* key, Parse parse) {
  auto s = get_string(obj, path, key);
  if (!s) return std::unexpected(s.error());
  auto v = parse(*s);
  if (!v) return sk::fail("plan.json", "{}.{}: {}", path, key, v.error().message);
  return std::move(*v);
}

Result<Instant> get_instant(const json& obj, const std::string& path, const char* key) {
  return get_parsed<Instant>(obj, path, key, [](const std::string& s) { return Instant::parse(s, TimeZone::utc()); });
}

#define SK_TRY(var, expr)                                  \
  auto var##_r = (expr);                                   \
  if (!var##_r) return std::unexpected(var##_r.error());   \
  auto var = std::move(*var##_r)

Result<model::DrillScope> parse_scope(const std::string& s) {
  if (s == "partition") return model::DrillScope::kPartition;
  if (s == "table") return model::DrillScope::kTable;
  if (s == "database") return model::DrillScope::kDatabase;
  return sk::fail("plan.json", "unknown drill scope '{}'", s);
}

Result<model::Verification> parse_verify(const std::string& s) {
  if (s == "checksum") return model::Verification::kChecksum;
  if (s == "row_count") return model::Verification::kRowCount;
  return sk::fail("plan.json", "unknown verification '{}'", s);
}

// One job of `jobs` or `catch_ups`.
json job_to_json(const BackupJob& j, const TimeZone& z) {
  json satisfies = json::array();
  for (const auto& t : j.satisfies) satisfies.push_back(t.str());
  json tables = json::array();
  for (const TableObject& t : j.tables) tables.push_back(json{{"table", t.table.str()}, {"scope", to_string(t.scope)}});
  json job{{"database", j.database.str()},
           {"tier", j.tier.str()},
           {"satisfies", std::move(satisfies)},
           {"slot", utc(j.slot)},
           {"slot_local", j.slot.to_string(z)},
           {"deadline", utc(j.deadline)},
           {"timeout", j.timeout.to_string()},
           {"on_overrun", model::to_string(j.on_overrun)},
           {"expires", utc(j.expires)},
           {"expires_local", j.expires.to_string(z)},
           {"retain", j.retain.to_string()},
           {"retain_from", j.retain_from.str()},
           {"label", j.label.str()},
           {"repository", j.repository.str()},
           {"whole_database", j.whole_database},
           {"tables", std::move(tables)},
           {"sql", preview_sql(j)}};
  if (j.catch_up) job["catch_up"] = true;  // issue 10 item 11: present only on a catch-up
  if (j.change_detection) {
    json cd{{"mode", j.change_detection->mode == model::ChangeDetection::Mode::kVisibleVersion ? "visible_version"
                                                                                              : "updated_within"},
            {"selector", selector_text(*j.change_detection)},
            {"bound_at", "run time"}};
    if (j.change_detection->within) cd["within"] = j.change_detection->within->to_string();
    job["change_detection"] = std::move(cd);
  }
  return job;
}

}  // namespace

json to_json(const Plan& plan) {
  auto zone = TimeZone::parse(plan.time_zone);
  const TimeZone z = zone ? *zone : TimeZone::utc();
  json out = json::object();
  out["plan_version"] = kPlanVersion;
  out["policy"] = plan.policy;
  out["time_zone"] = plan.time_zone;
  out["at"] = utc(plan.at);
  out["at_local"] = plan.at.to_string(z);
  out["has_work"] = plan.has_work();
  json dbs = json::array();
  for (const auto& d : plan.databases) dbs.push_back(d.str());
  out["databases"] = std::move(dbs);

  json due = json::array();
  for (const DueTier& d : plan.due) {
    due.push_back(json{{"tier", d.tier.str()},
                       {"slot", utc(d.slot)},
                       {"slot_local", d.slot.to_string(z)},
                       {"window_end", utc(d.window_end)},
                       {"satisfied_by", d.satisfied_by.str()},
                       {"runs_now", d.runs_now}});
  }
  out["due"] = std::move(due);

  json jobs = json::array();
  for (const BackupJob& j : plan.jobs) jobs.push_back(job_to_json(j, z));
  out["jobs"] = std::move(jobs);
  if (!plan.catch_ups.empty()) {  // issue 10 item 11: present only when there are candidates
    json catch_ups = json::array();
    for (const BackupJob& j : plan.catch_ups) catch_ups.push_back(job_to_json(j, z));
    out["catch_ups"] = std::move(catch_ups);
  }

  json skipped = json::array();
  for (const SkippedJob& s : plan.skipped) {
    skipped.push_back(json{{"database", s.database.str()}, {"tier", s.tier.str()}, {"reason", s.reason}});
  }
  out["skipped"] = std::move(skipped);

  json drills = json::array();
  for (const DrillDue& d : plan.drills) {
    drills.push_back(json{{"drill", d.drill.str()},
                          {"slot", utc(d.slot)},
                          {"slot_local", d.slot.to_string(z)},
                          {"from", d.from.str()},
                          {"scope", model::to_string(d.scope)},
                          {"verify", model::to_string(d.verify)}});
  }
  out["drills"] = std::move(drills);
  return out;
}

std::string to_json_text(const Plan& plan) { return json_text(to_json(plan), 2) + "\n"; }

namespace {

Status read_databases(const json& j, Plan& p) {
  SK_TRY(dbs, get_array(j, "plan", "databases"));
  for (size_t i = 0; i < dbs->size(); ++i) {
    const json& d = (*dbs)[i];
    if (!d.is_string()) return sk::fail("plan.json", "plan.databases[{}]: expected a string", i);
    auto name = DatabaseName::parse(d.get<std::string>());
    if (!name) return sk::fail("plan.json", "plan.databases[{}]: {}", i, name.error().message);
    p.databases.push_back(std::move(*name));
  }
  return {};
}

Status read_due(const json& j, Plan& p) {
  SK_TRY(due, get_array(j, "plan", "due"));
  for (size_t i = 0; i < due->size(); ++i) {
    const json& d = (*due)[i];
    const std::string path = fmt::format("plan.due[{}]", i);
    SK_TRY(tier, get_parsed<TierName>(d, path, "tier", TierName::parse));
    SK_TRY(slot, get_instant(d, path, "slot"));
    SK_TRY(window_end, get_instant(d, path, "window_end"));
    SK_TRY(by, get_parsed<TierName>(d, path, "satisfied_by", TierName::parse));
    SK_TRY(runs_now, get_bool(d, path, "runs_now"));
    p.due.push_back(DueTier{std::move(tier), slot, window_end, std::move(by), runs_now});
  }
  return {};
}

Status read_satisfies(const json& o, const std::string& path, BackupJob& job) {
  SK_TRY(satisfies, get_array(o, path, "satisfies"));
  for (size_t k = 0; k < satisfies->size(); ++k) {
    const json& s = (*satisfies)[k];
    auto name =
        s.is_string() ? TierName::parse(s.get<std::string>()) : sk::fail("plan.json", "expected a string");
    if (!name) return sk::fail("plan.json", "{}.satisfies[{}]: {}", path, k, name.error().message);
    job.satisfies.push_back(std::move(*name));
  }
  return {};
}

Status read_job_tables(const json& o, const std::string& path, BackupJob& job) {
  SK_TRY(tables, get_array(o, path, "tables"));
  for (size_t k = 0; k < tables->size(); ++k) {
    const std::string tpath = fmt::format("{}.tables[{}]", path, k);
    SK_TRY(table, get_parsed<TableName>((*tables)[k], tpath, "table", TableName::parse));
    SK_TRY(scope, get_string((*tables)[k], tpath, "scope"));
    if (scope != "table" && scope != "changed_partitions") {
      return sk::fail("plan.json", "{}.scope: expected \"table\" or \"changed_partitions\"", tpath);
    }
    job.tables.push_back(TableObject{
        std::move(table), scope == "table" ? TableScope::kWholeTable : TableScope::kChangedPartitions});
  }
  return {};
}

// The optional change_detection object of a job.
Status read_change_detection(const json& o, const std::string& path, BackupJob& job) {
  auto cd = o.find("change_detection");
  if (cd == o.end()) return {};
  const std::string cpath = path + ".change_detection";
  SK_TRY(mode, get_string(*cd, cpath, "mode"));
  model::ChangeDetection det;
  if (mode == "visible_version") {
    det.mode = model::ChangeDetection::Mode::kVisibleVersion;
  } else if (mode == "updated_within") {
    det.mode = model::ChangeDetection::Mode::kUpdatedWithin;
  } else {
    return sk::fail("plan.json", "{}.mode: expected \"visible_version\" or \"updated_within\"", cpath);
  }
  if (cd->contains("within")) {
    SK_TRY(within, get_parsed<Duration>(*cd, cpath, "within", Duration::parse));
    det.within = within;
  }
  job.change_detection = det;
  return {};
}

Result<BackupJob> read_job(const json& o, const std::string& path) {
  SK_TRY(db, get_parsed<DatabaseName>(o, path, "database", DatabaseName::parse));
  SK_TRY(tier, get_parsed<TierName>(o, path, "tier", TierName::parse));
  SK_TRY(slot, get_instant(o, path, "slot"));
  SK_TRY(deadline, get_instant(o, path, "deadline"));
  SK_TRY(expires, get_instant(o, path, "expires"));
  SK_TRY(retain, get_parsed<RetainPeriod>(o, path, "retain", RetainPeriod::parse));
  SK_TRY(retain_from, get_parsed<TierName>(o, path, "retain_from", TierName::parse));
  SK_TRY(label, get_parsed<SnapshotLabel>(o, path, "label", SnapshotLabel::parse));
  SK_TRY(repo, get_parsed<RepositoryName>(o, path, "repository", RepositoryName::parse));
  SK_TRY(whole, get_bool(o, path, "whole_database"));
  BackupJob job{
      std::move(db),    std::move(tier), {},    slot, deadline,    expires, retain, std::move(retain_from),
      std::move(label), std::move(repo), whole, {},   std::nullopt};
  if (auto s = read_satisfies(o, path, job); !s) return std::unexpected(s.error());
  if (auto s = read_job_tables(o, path, job); !s) return std::unexpected(s.error());
  if (auto s = read_change_detection(o, path, job); !s) return std::unexpected(s.error());
  // Absent in plans written before issue 10 item 9: the defaults.
  if (o.contains("timeout")) {
    SK_TRY(timeout, get_parsed<Duration>(o, path, "timeout", Duration::parse));
    job.timeout = timeout;
  }
  if (o.contains("on_overrun")) {
    SK_TRY(action, get_string(o, path, "on_overrun"));
    if (action != "alert" && action != "cancel") {
      return sk::fail("plan.json", "{}.on_overrun: expected \"alert\" or \"cancel\"", path);
    }
    job.on_overrun = action == "cancel" ? model::OverrunAction::kCancel : model::OverrunAction::kAlert;
  }
  if (o.contains("catch_up")) {
    SK_TRY(catch_up, get_bool(o, path, "catch_up"));
    job.catch_up = catch_up;
  }
  return job;
}

Status read_jobs(const json& j, Plan& p) {
  SK_TRY(jobs, get_array(j, "plan", "jobs"));
  for (size_t i = 0; i < jobs->size(); ++i) {
    SK_TRY(job, read_job((*jobs)[i], fmt::format("plan.jobs[{}]", i)));
    p.jobs.push_back(std::move(job));
  }
  if (!j.contains("catch_ups")) return {};  // absent: no candidates (and in plans before issue 10 item 11)
  SK_TRY(catch_ups, get_array(j, "plan", "catch_ups"));
  for (size_t i = 0; i < catch_ups->size(); ++i) {
    SK_TRY(job, read_job((*catch_ups)[i], fmt::format("plan.catch_ups[{}]", i)));
    if (!job.catch_up) return sk::fail("plan.json", "plan.catch_ups[{}].catch_up: expected true", i);
    p.catch_ups.push_back(std::move(job));
  }
  return {};
}

Status read_skipped(const json& j, Plan& p) {
  SK_TRY(skipped, get_array(j, "plan", "skipped"));
  for (size_t i = 0; i < skipped->size(); ++i) {
    const std::string path = fmt::format("plan.skipped[{}]", i);
    SK_TRY(db, get_parsed<DatabaseName>((*skipped)[i], path, "database", DatabaseName::parse));
    SK_TRY(tier, get_parsed<TierName>((*skipped)[i], path, "tier", TierName::parse));
    SK_TRY(reason, get_string((*skipped)[i], path, "reason"));
    p.skipped.push_back(SkippedJob{std::move(db), std::move(tier), std::move(reason)});
  }
  return {};
}

Status read_drills(const json& j, Plan& p) {
  SK_TRY(drills, get_array(j, "plan", "drills"));
  for (size_t i = 0; i < drills->size(); ++i) {
    const json& o = (*drills)[i];
    const std::string path = fmt::format("plan.drills[{}]", i);
    SK_TRY(name, get_parsed<DrillName>(o, path, "drill", DrillName::parse));
    SK_TRY(slot, get_instant(o, path, "slot"));
    SK_TRY(from, get_parsed<TierName>(o, path, "from", TierName::parse));
    SK_TRY(scope, get_parsed<model::DrillScope>(o, path, "scope", parse_scope));
    SK_TRY(verify, get_parsed<model::Verification>(o, path, "verify", parse_verify));
    p.drills.push_back(DrillDue{std::move(name), slot, std::move(from), scope, verify});
  }
  return {};
}

}  // namespace

Result<Plan> plan_from_json(const json& j) {
  if (!j.is_object()) return sk::fail("plan.json", "the plan: expected an object");
  auto version = j.find("plan_version");
  if (version == j.end() || !version->is_number_integer() || version->get<int64_t>() != kPlanVersion) {
    return sk::fail("plan.json", "plan_version: expected {}", kPlanVersion);
  }
  Plan p;
  const std::string root = "plan";
  SK_TRY(policy, get_string(j, root, "policy"));
  SK_TRY(tz, get_string(j, root, "time_zone"));
  if (auto z = TimeZone::parse(tz); !z) return sk::fail("plan.json", "plan.time_zone: {}", z.error().message);
  SK_TRY(at, get_instant(j, root, "at"));
  p.policy = std::move(policy);
  p.time_zone = std::move(tz);
  p.at = at;
  for (auto read_part : {read_databases, read_due, read_jobs, read_skipped, read_drills}) {
    if (auto s = read_part(j, p); !s) return std::unexpected(s.error());
  }
  return p;
}

}  // namespace sk::plan
