#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/analysis/calendar.h"
#include "compiler/analysis/selection.h"
#include "compiler/plan/plan.h"

namespace sk::plan {
namespace {

constexpr Duration kDrillWindow = Duration::from_days(1);

// What make_plan reads; one bundle so the steps below take it whole.
struct PlanInputs {
  const model::Policy& policy;
  const inventory::Inventory& inventory;
  const analysis::Selection& selection;
  const analysis::Calendar& calendar;
  Instant at;
};

struct DueInfo {
  size_t tier;
  Instant slot;
  bool catch_up = false;  // past the window (issue 10 item 11)
  CivilDay day;          // the slot's nominal local date
};

// A database the plan covers, with the inventory indices of its tables in the policy (none: the policy names the
// database but the inventory lacks it).
struct PlanDatabase {
  DatabaseName name;
  std::vector<size_t> tables;
};

// What the tiers of one slot group ask of its jobs, the same for every database.
struct GroupJobShape {
  bool whole_database = false;                      // some satisfied tier backs up whole databases
  std::optional<model::ChangeDetection> detection;  // the runner's, else the first changed-partitions tier's
  std::vector<TierName> satisfies;                  // sorted by name
};

// The policy's selection ∩ the inventory, plus databases the policy names that the inventory lacks; by name.
std::vector<PlanDatabase> plan_databases(const PlanInputs& in) {
  std::map<std::string, std::vector<size_t>> tables_by_db;  // only tables in policy databases
  for (size_t i = 0; i < in.inventory.tables.size(); ++i) {
    if (in.selection.in_policy(i)) tables_by_db[in.inventory.tables[i].database.str()].push_back(i);
  }
  std::vector<PlanDatabase> dbs;
  for (const auto& [name, idx] : tables_by_db) dbs.push_back(PlanDatabase{in.inventory.tables[idx[0]].database, idx});
  if (!in.policy.databases.all) {
    for (const DatabaseName& db : in.policy.databases.include) {
      if (!tables_by_db.contains(db.str())) dbs.push_back(PlanDatabase{db, {}});
    }
  }
  std::sort(dbs.begin(), dbs.end(), [](const PlanDatabase& a, const PlanDatabase& b) { return a.name < b.name; });
  return dbs;
}

// The tiers whose latest slot at or before `at` is still inside its window (one slot per tier: the latest, also for
// a tier that fires several times a day), and those whose latest slot is past its window but inside its catch-up
// horizon (catch-ups).
std::vector<DueInfo> due_tiers(const PlanInputs& in) {
  std::vector<DueInfo> due;
  for (size_t k = 0; k < in.policy.tiers.size(); ++k) {
    const model::Tier& tier = in.policy.tiers[k];
    auto slot = tier.schedule.latest_slot_at_or_before(in.at, in.policy.time_zone);
    if (!slot) continue;
    if (in.at < slot->at + tier.window) {
      due.push_back(DueInfo{k, slot->at, false, slot->day()});
    } else if (auto c = catch_up_slot(tier, in.policy.time_zone, in.at)) {
      due.push_back(DueInfo{k, c->slot, true, slot->day()});
    }
  }
  return due;
}

const DueInfo* find_due(const std::vector<DueInfo>& due, size_t tier, Instant slot) {
  auto it = std::find_if(due.begin(), due.end(), [&](const DueInfo& d) { return d.tier == tier && d.slot == slot; });
  return it == due.end() ? nullptr : &*it;
}

bool is_due(const std::vector<DueInfo>& due, size_t tier, Instant slot) {
  return find_due(due, tier, slot) != nullptr;
}

// Records each due tier of the group with the tier that satisfies it (the group's runner).
void add_due_tiers(const PlanInputs& in, const std::vector<DueInfo>& due, const analysis::SlotGroup& g, CivilDay day,
                   Plan& plan) {
  const model::Tier& runner = in.policy.tiers[g.runner];
  const bool runner_due = is_due(due, g.runner, g.slot);
  for (size_t t : g.satisfied) {
    // A sub-daily tier's slot in this group is the group's (it joins a job only at the same instant).
    const Instant slot_t = in.policy.tiers[t].schedule.sub_daily() ? g.slot : in.calendar.firing_on(t, day);
    const DueInfo* d = find_due(due, t, slot_t);
    if (d == nullptr || d->catch_up) continue;  // catch-ups are listed by their jobs (Plan::catch_ups)
    plan.due.push_back(
        DueTier{in.policy.tiers[t].name, slot_t, slot_t + in.policy.tiers[t].window, runner.name, runner_due});
  }
}

GroupJobShape job_shape(const model::Policy& policy, const analysis::SlotGroup& g) {
  GroupJobShape shape;
  for (size_t t : g.satisfied) shape.whole_database |= policy.tiers[t].kind == model::BackupKind::kDatabase;
  for (size_t t : g.satisfied) {
    if (policy.tiers[t].kind == model::BackupKind::kChangedPartitions && (!shape.detection || t == g.runner)) {
      shape.detection = policy.tiers[t].changes;
    }
  }
  for (size_t t : g.satisfied) shape.satisfies.push_back(policy.tiers[t].name);
  std::sort(shape.satisfies.begin(), shape.satisfies.end());
  return shape;
}

// The group's job for `db` before its tables and label are known.
BackupJob job_skeleton(const model::Policy& policy, const analysis::SlotGroup& g, const GroupJobShape& shape,
                       const DatabaseName& db) {
  const model::Tier& runner = policy.tiers[g.runner];
  const model::Repository* repo = policy.repository_for(runner);
  return BackupJob{db,
                   runner.name,
                   shape.satisfies,
                   g.slot,
                   g.slot + runner.window,
                   g.expires,
                   g.retain,
                   policy.tiers[g.retain_from].name,
                   SnapshotLabel::parse("x").value(),
                   repo ? repo->name : RepositoryName::parse("default").value(),
                   shape.whole_database,
                   {},
                   std::nullopt,
                   runner.timeout,
                   runner.on_overrun};
}

// The tables of `db` some satisfied tier selects, each with the widest scope asked for, sorted by name.
std::vector<TableObject> selected_tables(const PlanInputs& in, const analysis::SlotGroup& g, const PlanDatabase& db) {
  std::vector<TableObject> tables;
  for (size_t i : db.tables) {
    analysis::Scope best = analysis::Scope::kNone;
    for (size_t t : g.satisfied) best = std::max(best, in.selection.scope(t, i));
    if (best == analysis::Scope::kNone) continue;
    tables.push_back(TableObject{in.inventory.tables[i].table, best == analysis::Scope::kWholeTable
                                                                   ? TableScope::kWholeTable
                                                                   : TableScope::kChangedPartitions});
  }
  std::sort(tables.begin(), tables.end(),
            [](const TableObject& a, const TableObject& b) { return a.table < b.table; });
  return tables;
}

// Adds the group's job for `db` on local `day` to the plan, or a skipped job saying why it has nothing to back up.
// The label is rendered from the slot's nominal local time (the runner's slot as its schedule names it), as LabelTemplate
// requires: on a spring-forward day 02:15 and 02:30 fire at the same instant (03:00) but keep their own labels.
void add_database_job(const PlanInputs& in, const analysis::SlotGroup& g, const GroupJobShape& shape,
                      const PlanDatabase& db, Plan& plan) {
  const model::Tier& runner = in.policy.tiers[g.runner];
  auto skip = [&](std::string reason) {
    plan.skipped.push_back(SkippedJob{db.name, runner.name, std::move(reason)});
  };
  BackupJob job = job_skeleton(in.policy, g, shape, db.name);
  if (!shape.whole_database) {
    if (db.tables.empty()) return skip("the database is not in the inventory, so its tables are unknown");
    job.tables = selected_tables(in, g, db);
    if (job.tables.empty()) {
      return skip(fmt::format("no table of the database is selected by '{}'", runner.name.str()));
    }
    const bool any_changed = std::any_of(job.tables.begin(), job.tables.end(), [](const TableObject& t) {
      return t.scope == TableScope::kChangedPartitions;
    });
    if (any_changed) job.change_detection = shape.detection;
  }
  auto label = runner.label.render(db.name, runner.name, runner.label_suffix, g.local);
  if (!label) return skip("the snapshot label cannot be rendered: " + label.error().message);
  job.label = std::move(*label);
  plan.jobs.push_back(std::move(job));
}

// Resolves coincidence on each local day that has a due tier: every due tier is recorded with the tier whose job
// satisfies it, and each runner that is due itself gets a job (or a skipped job) per database. Jobs are added in
// the order they run (plan.h): day by day, and on one day in the calendar's run order (higher precedence first).
void add_due_work(const PlanInputs& in, const std::vector<PlanDatabase>& dbs, Plan& plan) {
  const std::vector<DueInfo> due = due_tiers(in);
  std::set<CivilDay> days;
  for (const DueInfo& d : due) days.insert(d.day);
  for (const CivilDay& day : days) {
    for (const analysis::SlotGroup& g : in.calendar.run_order(day)) {
      add_due_tiers(in, due, g, day, plan);
      const DueInfo* runner_due = find_due(due, g.runner, g.slot);
      if (runner_due == nullptr) continue;
      const GroupJobShape shape = job_shape(in.policy, g);
      if (!runner_due->catch_up) {
        for (const PlanDatabase& db : dbs) add_database_job(in, g, shape, db, plan);
        continue;
      }
      // A catch-up keeps the missed slot (and its label); its window, for the overrun alert, starts now. Its
      // skipped jobs are not listed (nothing would have been missed).
      Plan candidates;
      for (const PlanDatabase& db : dbs) add_database_job(in, g, shape, db, candidates);
      for (BackupJob& job : candidates.jobs) {
        job.catch_up = true;
        job.deadline = in.at + in.policy.tiers[g.runner].window;
        plan.catch_ups.push_back(std::move(job));
      }
    }
  }
}

// A slot that a blackout skipped (docs/language.md §7: skipped, not moved) is listed, per database, as a skipped job
// while it would have been inside its window, so the plan says why the tier does not run.
void add_blackout_skips(const PlanInputs& in, const std::vector<PlanDatabase>& dbs, Plan& plan) {
  const TimeZone& zone = in.policy.time_zone;
  for (const model::Tier& tier : in.policy.tiers) {
    if (tier.schedule.blackouts().empty()) continue;
    const Schedule base = tier.schedule.without_blackouts();
    auto slot = base.latest_slot_at_or_before(in.at, zone);
    if (!slot || !(in.at < slot->at + tier.window)) continue;
    const Blackout* b = tier.schedule.skipped_by(slot->day(), slot->time());
    if (b == nullptr) continue;
    const std::string reason = fmt::format(
        "the slot of {:04}-{:02}-{:02} {:02}:{:02} falls in the blackout 'not {}': skipped, not moved",
        slot->local.year(), slot->local.month(), slot->local.day(), slot->local.hour(), slot->local.minute(),
        b->to_string());
    for (const PlanDatabase& db : dbs) plan.skipped.push_back(SkippedJob{db.name, tier.name, reason});
  }
}

void add_due_drills(const PlanInputs& in, Plan& plan) {
  for (const model::Drill& drill : in.policy.drills) {
    auto slot = drill.schedule.latest_at_or_before(in.at, in.policy.time_zone);
    if (slot && in.at < *slot + kDrillWindow) {
      plan.drills.push_back(DrillDue{drill.name, *slot, drill.from, drill.scope, drill.verify});
    }
  }
}

// The orders plan.h promises for each list.
void sort_plan(Plan& plan) {
  std::sort(plan.due.begin(), plan.due.end(), [](const DueTier& a, const DueTier& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.tier < b.tier;
  });
  // plan.jobs stay in the run order add_due_work produced them in.
  std::stable_sort(plan.skipped.begin(), plan.skipped.end(), [](const SkippedJob& a, const SkippedJob& b) {
    return !(a.database == b.database) ? a.database < b.database : a.tier < b.tier;
  });
  std::sort(plan.drills.begin(), plan.drills.end(), [](const DrillDue& a, const DrillDue& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.drill < b.drill;
  });
}

}  // namespace

std::optional<CatchUpSlot> catch_up_slot(const model::Tier& tier, const TimeZone& zone, Instant at) {
  if (tier.catch_up.kind == model::CatchUp::Kind::kNone) return std::nullopt;
  auto slot = tier.schedule.latest_at_or_before(at, zone);
  if (!slot || at < *slot + tier.window) return std::nullopt;
  auto next = tier.schedule.next_after(at, zone);  // the latest slot stays the latest until then
  if (!next) return std::nullopt;
  Instant until = *next;
  if (tier.catch_up.kind == model::CatchUp::Kind::kWithin) until = std::min(until, *slot + tier.catch_up.within);
  if (!(at < until)) return std::nullopt;
  return CatchUpSlot{*slot, until};
}

std::string_view to_string(TableScope scope) {
  return scope == TableScope::kWholeTable ? "table" : "changed_partitions";
}

Plan make_plan(const model::Policy& policy, const inventory::Inventory& inventory, Instant at) {
  const analysis::Selection selection = analysis::Selection::compute(policy, inventory);
  const analysis::Calendar calendar(policy);
  return make_plan(policy, inventory, at, selection, calendar);
}

Plan make_plan(const model::Policy& policy, const inventory::Inventory& inventory, Instant at,
               const analysis::Selection& selection, const analysis::Calendar& calendar) {
  const PlanInputs in{policy, inventory, selection, calendar, at};
  Plan plan;
  plan.policy = policy.name;
  plan.time_zone = policy.time_zone.name();
  plan.at = at;
  const std::vector<PlanDatabase> dbs = plan_databases(in);
  for (const PlanDatabase& db : dbs) plan.databases.push_back(db.name);
  add_due_work(in, dbs, plan);
  add_blackout_skips(in, dbs, plan);
  add_due_drills(in, plan);
  sort_plan(plan);
  return plan;
}

dialect::BackupJobSpec backup_spec(const BackupJob& job, dialect::Grammar grammar) {
  dialect::BackupJobSpec spec{job.database, job.label, job.repository, {}, std::nullopt, grammar};
  for (const TableObject& t : job.tables) {
    spec.tables.push_back(dialect::BackupTable{
        t.table, t.scope == TableScope::kWholeTable ? dialect::PartitionSelection::whole_table()
                                                    : dialect::PartitionSelection::bound_at_run_time()});
  }
  // The tier's timeout, not its window (issue 10 item 9): a slow but healthy job runs on past the window, where the
  // overrun alert fires (StarRocks' minimum is 600 s; sema refuses less).
  spec.timeout = std::max(job.timeout, Duration::from_seconds(model::kMinJobTimeoutSeconds));
  return spec;
}

std::string preview_sql(const BackupJob& job) { return dialect::render_backup(backup_spec(job)); }

}  // namespace sk::plan
