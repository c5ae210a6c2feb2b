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

struct DueInfo {
  size_t tier;
  Instant slot;
};

}  // namespace

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
  const TimeZone& zone = policy.time_zone;
  Plan plan;
  plan.policy = policy.name;
  plan.time_zone = zone.name();
  plan.at = at;

  // Databases: the policy's selection ∩ the inventory, plus databases the policy names that the inventory lacks.
  std::map<std::string, std::vector<size_t>> tables_by_db;  // only tables in policy databases
  for (size_t i = 0; i < inventory.tables.size(); ++i) {
    if (selection.in_policy(i)) tables_by_db[inventory.tables[i].database.str()].push_back(i);
  }
  std::vector<std::pair<DatabaseName, const std::vector<size_t>*>> dbs;
  static const std::vector<size_t> kNoTables;
  for (const auto& [name, idx] : tables_by_db) dbs.emplace_back(inventory.tables[idx[0]].database, &idx);
  if (!policy.databases.all) {
    for (const DatabaseName& db : policy.databases.include) {
      if (!tables_by_db.contains(db.str())) dbs.emplace_back(db, &kNoTables);
    }
  }
  std::sort(dbs.begin(), dbs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [db, idx] : dbs) plan.databases.push_back(db);

  // Due tiers.
  std::vector<DueInfo> due;
  for (size_t k = 0; k < policy.tiers.size(); ++k) {
    const model::Tier& tier = policy.tiers[k];
    auto slot = tier.schedule.latest_at_or_before(at, zone);
    if (slot && at < *slot + tier.window) due.push_back(DueInfo{k, *slot});
  }
  auto due_at = [&](size_t tier, Instant slot) {
    return std::any_of(due.begin(), due.end(), [&](const DueInfo& d) { return d.tier == tier && d.slot == slot; });
  };

  // Resolve coincidence on each local day that has a due tier.
  std::set<CivilDay> days;
  for (const DueInfo& d : due) days.insert(CivilDay(zone.to_local(d.slot)));
  for (const CivilDay& day : days) {
    for (const analysis::SlotGroup& g : calendar.day(day)) {
      const model::Tier& runner = policy.tiers[g.runner];
      const bool runner_due = due_at(g.runner, g.slot);
      for (size_t t : g.satisfied) {
        const Instant slot_t = calendar.firing_on(t, day);
        if (!due_at(t, slot_t)) continue;
        plan.due.push_back(DueTier{policy.tiers[t].name, slot_t, slot_t + policy.tiers[t].window, runner.name,
                                   runner_due});
      }
      if (!runner_due) continue;

      bool whole_database = false;
      for (size_t t : g.satisfied) whole_database |= policy.tiers[t].kind == model::BackupKind::kDatabase;
      std::optional<model::ChangeDetection> detection;
      for (size_t t : g.satisfied) {
        if (policy.tiers[t].kind == model::BackupKind::kChangedPartitions && (!detection || t == g.runner)) {
          detection = policy.tiers[t].changes;
        }
      }
      std::vector<TierName> satisfies;
      for (size_t t : g.satisfied) satisfies.push_back(policy.tiers[t].name);
      std::sort(satisfies.begin(), satisfies.end());
      const model::Repository* repo = policy.repository_for(runner);

      for (const auto& [db, idx] : dbs) {
        auto skip = [&](std::string reason) {
          plan.skipped.push_back(SkippedJob{db, runner.name, std::move(reason)});
        };
        BackupJob job{db,
                      runner.name,
                      satisfies,
                      g.slot,
                      g.slot + runner.window,
                      g.slot + g.retain,
                      g.retain,
                      policy.tiers[g.retain_from].name,
                      SnapshotLabel::parse("x").value(),
                      repo ? repo->name : RepositoryName::parse("default").value(),
                      whole_database,
                      {},
                      std::nullopt};
        if (!whole_database) {
          if (idx->empty()) {
            skip("the database is not in the inventory, so its tables are unknown");
            continue;
          }
          bool any_changed = false;
          for (size_t i : *idx) {
            analysis::Scope best = analysis::Scope::kNone;
            for (size_t t : g.satisfied) best = std::max(best, selection.scope(t, i));
            if (best == analysis::Scope::kNone) continue;
            TableScope scope =
                best == analysis::Scope::kWholeTable ? TableScope::kWholeTable : TableScope::kChangedPartitions;
            any_changed |= scope == TableScope::kChangedPartitions;
            job.tables.push_back(TableObject{inventory.tables[i].table, scope});
          }
          if (job.tables.empty()) {
            skip(fmt::format("no table of the database is selected by '{}'", runner.name.str()));
            continue;
          }
          std::sort(job.tables.begin(), job.tables.end(),
                    [](const TableObject& a, const TableObject& b) { return a.table < b.table; });
          if (any_changed) job.change_detection = detection;
        }
        auto label = runner.label.render(db, runner.name, runner.label_suffix, zone.to_local(g.slot));
        if (!label) {
          skip("the snapshot label cannot be rendered: " + label.error().message);
          continue;
        }
        job.label = std::move(*label);
        plan.jobs.push_back(std::move(job));
      }
    }
  }
  std::sort(plan.due.begin(), plan.due.end(), [](const DueTier& a, const DueTier& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.tier < b.tier;
  });
  std::stable_sort(plan.jobs.begin(), plan.jobs.end(), [](const BackupJob& a, const BackupJob& b) {
    if (a.slot != b.slot) return a.slot < b.slot;
    if (!(a.database == b.database)) return a.database < b.database;
    return a.tier < b.tier;
  });
  std::stable_sort(plan.skipped.begin(), plan.skipped.end(), [](const SkippedJob& a, const SkippedJob& b) {
    return !(a.database == b.database) ? a.database < b.database : a.tier < b.tier;
  });

  // Drills.
  for (const model::Drill& drill : policy.drills) {
    auto slot = drill.schedule.latest_at_or_before(at, zone);
    if (slot && at < *slot + kDrillWindow) {
      plan.drills.push_back(DrillDue{drill.name, *slot, drill.from, drill.scope, drill.verify});
    }
  }
  std::sort(plan.drills.begin(), plan.drills.end(), [](const DrillDue& a, const DrillDue& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.drill < b.drill;
  });
  return plan;
}

dialect::BackupJobSpec backup_spec(const BackupJob& job, dialect::Grammar grammar) {
  dialect::BackupJobSpec spec{job.database, job.label, job.repository, {}, std::nullopt, grammar};
  for (const TableObject& t : job.tables) {
    spec.tables.push_back(dialect::BackupTable{
        t.table, t.scope == TableScope::kWholeTable ? dialect::PartitionSelection::whole_table()
                                                    : dialect::PartitionSelection::bound_at_run_time()});
  }
  // The job's window is its server-side timeout too (StarRocks' minimum is 600 s).
  spec.timeout = std::max(job.deadline - job.slot, Duration::from_seconds(600));
  return spec;
}

std::string preview_sql(const BackupJob& job) { return dialect::render_backup(backup_spec(job)); }

}  // namespace sk::plan
