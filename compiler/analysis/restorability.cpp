#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/analysis/analysis.h"
#include "compiler/analysis/chains.h"

namespace sk::analysis {
namespace {

using diag::Code;

std::string local_day(const TimeZone& zone, Instant t) {
  CivilSecond s = zone.to_local(t);
  return fmt::format("{:04}-{:02}-{:02}", s.year(), s.month(), s.day());
}

std::string local_minute(const TimeZone& zone, Instant t) {
  CivilSecond s = zone.to_local(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", s.year(), s.month(), s.day(), s.hour(), s.minute());
}

// One job of the simulated calendar.
struct Job {
  SlotGroup group;
  Instant expires;
};

// One table signature's backups: links plus the job each came from.
struct Timeline {
  std::vector<ChainLink> links;
  std::vector<size_t> job;  // index into jobs, per link
};

struct Hole {
  size_t point;    // job index of the restore point
  size_t backup;   // link index holding the table's state at the point
  Instant gone;    // when that state is gone
};

}  // namespace

void check_restorability(const model::Policy& policy, const inventory::Inventory& inventory,
                         const Selection& selection, const Calendar& calendar, const Options& options,
                         diag::DiagnosticSink& sink) {
  if (policy.tiers.empty()) return;
  const TimeZone& zone = policy.time_zone;

  // Signatures of the covered tables in policy databases (tables backed up identically share one simulation).
  std::map<std::string, std::vector<size_t>> by_signature;
  for (size_t i = 0; i < inventory.tables.size(); ++i) {
    if (selection.in_policy(i) && selection.covered(i)) by_signature[selection.signature(i)].push_back(i);
  }
  if (by_signature.empty()) return;

  // The simulated period: enough days before the reference for every chain to have a baseline, and after the
  // examined period for every chain that starts inside it to end and expire.
  int64_t max_retain_days = 0, max_gap_days = 1;
  for (const auto& t : policy.tiers) {
    max_retain_days = std::max(max_retain_days, t.retain.days() + 1);
    max_gap_days = std::max(max_gap_days, t.schedule.max_interval().days() + 1);
  }
  const CivilDay first_day = options.reference - (max_retain_days + 2 * max_gap_days);
  const CivilDay last_day = options.reference + (options.horizon_days + max_retain_days + 2 * max_gap_days);
  const Instant examine_from = zone.from_local(CivilSecond(options.reference));
  const Instant examine_to = zone.from_local(CivilSecond(options.reference + options.horizon_days));

  // A job that selects no table anywhere takes no snapshot, so it is no restore point.
  auto takes_snapshot = [&](const SlotGroup& g) {
    return std::any_of(g.satisfied.begin(), g.satisfied.end(),
                       [&](size_t t) { return selection.selected_count(t) > 0; });
  };
  std::vector<Job> jobs;
  for (CivilDay d = first_day; d <= last_day; ++d) {
    for (SlotGroup& g : calendar.day(d)) {
      if (!takes_snapshot(g)) continue;
      Instant expires = g.slot + g.retain;
      jobs.push_back(Job{std::move(g), expires});
    }
  }

  for (const auto& [signature, tables] : by_signature) {
    // The table's backups.
    Timeline tl;
    for (size_t j = 0; j < jobs.size(); ++j) {
      bool in = false, full = false;
      for (size_t t : jobs[j].group.satisfied) {
        if (signature[t] == '-') continue;
        in = true;
        full |= signature[t] == 'W';
      }
      if (!in) continue;
      tl.links.push_back(ChainLink{jobs[j].group.slot, jobs[j].expires, full});
      tl.job.push_back(j);
    }
    if (tl.links.empty()) continue;
    const std::vector<Keep> keep = chain_aware_keep(tl.links);

    // Every restore point in the examined period.
    std::vector<Hole> holes;
    size_t b = 0;  // first link after the point (advanced monotonically)
    for (size_t j = 0; j < jobs.size(); ++j) {
      const Job& p = jobs[j];
      if (p.group.slot < examine_from || p.group.slot >= examine_to) continue;
      while (b < tl.links.size() && tl.links[b].taken <= p.group.slot) ++b;
      if (b == 0) continue;  // nothing taken yet
      const size_t latest = b - 1;
      const RestoreChain chain = restore_chain(tl.links, latest);
      if (!chain.has_baseline) {
        holes.push_back(Hole{j, latest, p.group.slot});
      } else if (keep[latest].until < p.expires) {
        holes.push_back(Hole{j, latest, keep[latest].until});
      }
    }
    if (holes.empty()) continue;

    // Report the first hole, its cause, and how often it recurs.
    const Hole& h = holes.front();
    const Job& point = jobs[h.point];
    const model::Tier& point_tier = policy.tiers[point.group.runner];
    std::vector<std::string> names;
    std::set<std::string> classes;
    for (size_t i : tables) {
      names.push_back(inventory.tables[i].display_name());
      classes.insert(inventory.tables[i].table_class.empty() ? "unclassified" : inventory.tables[i].table_class);
    }
    std::sort(names.begin(), names.end());
    std::string class_list;
    for (const std::string& c : classes) class_list += (class_list.empty() ? "" : ", ") + c;

    auto& d = sink.report(Code::kRestoreHole, point_tier.name_range, describe_tables(names), class_list,
                          local_minute(zone, point.group.slot), point_tier.name.str(),
                          local_day(zone, point.expires), local_day(zone, h.gone));

    const ChainLink& held = tl.links[h.backup];
    const Job& held_job = jobs[tl.job[h.backup]];
    const model::Tier& held_tier = policy.tiers[held_job.group.runner];
    const RestoreChain chain = restore_chain(tl.links, h.backup);
    if (!chain.has_baseline) {
      d.note(held_tier.name_range,
             fmt::format("only '{}' backs these tables up, and it takes changed partitions: no full backup ever "
                         "gives its incrementals a baseline, so no state of these tables can be restored",
                         held_tier.name.str()));
    } else if (held.full) {
      d.note(held_tier.retain_range,
             fmt::format("their state at {} is held only by the '{}' backup of {}, which is kept for {} (until {})",
                         local_day(zone, point.group.slot), held_tier.name.str(), local_day(zone, held.taken),
                         held_job.group.retain.to_string(), local_day(zone, keep[h.backup].until)));
    } else {
      const ChainLink& base = tl.links[chain.links.front()];
      const model::Tier& base_tier = policy.tiers[jobs[tl.job[chain.links.front()]].group.runner];
      const size_t last = keep[h.backup].because;
      d.note(held_tier.retain_range,
             fmt::format("changes after the '{}' full backup of {} are kept only in '{}' incrementals, which expire "
                         "after {}; their state at {} is the incremental of {}",
                         base_tier.name.str(), local_day(zone, base.taken), held_tier.name.str(),
                         held_job.group.retain.to_string(), local_day(zone, point.group.slot),
                         local_day(zone, held.taken)));
      d.note(std::nullopt,
             fmt::format("chain-aware retention keeps that chain until its last incremental (of {}) expires on {}; "
                         "from then the state of {} is gone",
                         local_day(zone, tl.links[last].taken), local_day(zone, keep[h.backup].until),
                         local_day(zone, point.group.slot)));
    }
    if (holes.size() > 1) {
      d.note(std::nullopt, fmt::format("the same happens for {} restore points between {} and {}", holes.size(),
                                       local_day(zone, jobs[holes.front().point].group.slot),
                                       local_day(zone, jobs[holes.back().point].group.slot)));
    }
    if (tables.size() > 1) {
      std::string all;
      for (size_t k = 0; k < names.size() && k < 10; ++k) all += (k ? ", " : "") + names[k];
      if (names.size() > 10) all += fmt::format(", and {} more", names.size() - 10);
      d.note(std::nullopt, "affected tables: " + all);
    }
    const std::optional<diag::SourceRange> fix_at =
        point_tier.include_range.end > 0 ? std::optional(point_tier.include_range) : std::nullopt;
    if (!chain.has_baseline) {
      d.note(fix_at, "to close the hole, let a 'tables' or 'database' tier back these tables up in full");
    } else {
      d.note(fix_at, fmt::format("to close the hole, let '{}' back these tables up too, or keep '{}' for at least {}",
                                 point_tier.name.str(), held_tier.name.str(),
                                 policy.tiers[point.group.retain_from].retain.to_string()));
    }
  }
}

}  // namespace sk::analysis
