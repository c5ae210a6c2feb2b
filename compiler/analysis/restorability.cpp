// Restorability: the retention model (retention.h) applied to the snapshots the policy's calendar generates.
// Tables backed up identically (one Selection signature) share one simulation: every job of the calendar is a
// restore point, the jobs that back the signature up hold its state. Extensions (SK0508), holes without a
// full backup (SK0505) and changes no snapshot takes (SK0509) are reported once per signature.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>

#include "compiler/analysis/analysis.h"
#include "compiler/analysis/retention.h"

namespace sk::analysis {
namespace {

using diag::Code;
using retention::kNoSnapshot;

std::string local_minute(const TimeZone& zone, Instant t) {
  CivilSecond s = zone.to_local(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", s.year(), s.month(), s.day(), s.hour(), s.minute());
}

// Whole days, rounded up.
int64_t ceil_days(Duration d) { return (d.seconds() + 86399) / 86400; }

// Why part of a signature's state is in no snapshot: no full backup ever (lost_window false), or changes made
// in [from, to) that the changed_partitions tier `tier` did not take (its updated_within is shorter than
// `gap`, the time since the previous backup of these tables).
struct Missing {
  bool lost_window = false;
  Instant from, to;
  size_t tier = 0;
  Duration gap;
};

// The calendar as one signature sees it: one snapshot per job (same order as the jobs).
struct SignatureRun {
  std::vector<retention::Snapshot> snapshots;
  std::map<std::pair<size_t, size_t>, Missing> missing;  // (snapshot, inherited index) → cause
};

struct JobScope {
  Scope scope = Scope::kNone;
  size_t tier = 0;  // kChangedPartitions: the tier whose change detection applies (the widest)
};

JobScope job_scope(const model::Policy& policy, const std::string& signature, const SlotGroup& g) {
  JobScope out;
  auto widest = [&](size_t a, size_t b) {
    const auto& ca = policy.tiers[a].changes;
    const auto& cb = policy.tiers[b].changes;
    if (ca.mode != model::ChangeDetection::Mode::kUpdatedWithin || !ca.within) return a;
    if (cb.mode != model::ChangeDetection::Mode::kUpdatedWithin || !cb.within) return b;
    return *ca.within >= *cb.within ? a : b;
  };
  for (size_t t : g.satisfied) {
    if (signature[t] == 'W') return JobScope{Scope::kWholeTable, t};
    if (signature[t] != 'C') continue;
    out.tier = out.scope == Scope::kNone ? t : widest(out.tier, t);
    out.scope = Scope::kChangedPartitions;
  }
  return out;
}

// `retain` lengthened by `days`: days for a fixed span; whole months for calendar months, counting each month as
// its fewest days (28), so the result is at least `days` longer from any slot.
RetainPeriod longer_by(const RetainPeriod& retain, int64_t days) {
  if (!retain.calendar()) return Duration::from_days(retain.fixed().days() + days);
  auto r = RetainPeriod::months(std::min(retain.month_count() + (days + 27) / 28, RetainPeriod::kMaxMonths));
  return r ? *r : retain;
}

// "14d", "18 months", "the last 7", "14d or the last 3".
std::string retention_text(const model::Tier& t) {
  if (!t.keep) return t.retain.to_string();
  if (t.keep->alone) return fmt::format("the last {}", t.keep->count);
  return fmt::format("{} or the last {}", t.retain.to_string(), t.keep->count);
}

std::vector<retention::CountKeep> count_keeps(const model::Policy& policy) {
  std::vector<retention::CountKeep> out;
  for (const model::Tier& t : policy.tiers) {
    if (t.keep) out.push_back(retention::CountKeep{t.name.str(), t.keep->count});
  }
  return out;
}

SignatureRun simulate(const model::Policy& policy, const std::string& signature,
                      const std::vector<SlotGroup>& jobs) {
  const TimeZone& zone = policy.time_zone;
  SignatureRun run;
  std::vector<size_t> chain;  // the links since the last full backup, the full one first
  bool has_full = false;
  std::vector<Missing> lost;  // lost windows since the last full backup
  std::optional<Instant> last;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const SlotGroup& g = jobs[j];
    retention::Snapshot s{"",     policy.tiers[g.retain_from].name.str(), g.retain, "",
                          g.slot, retention::SnapshotKind::kTables,       {},       g.expires};
    const JobScope js = job_scope(policy, signature, g);
    if (js.scope == Scope::kWholeTable) {
      s.tables.push_back(retention::TableState{signature, {}, {}});
      chain.assign(1, j);
      has_full = true;
      lost.clear();
    } else if (js.scope == Scope::kChangedPartitions) {
      s.kind = retention::SnapshotKind::kPartitions;
      retention::TableState st{signature, {"changed partitions"}, {}};
      // Without a full backup the chain is broken from the start: nothing before is worth inheriting.
      if (has_full) {
        for (size_t l : chain) st.inherited.push_back(retention::Inherited{"", l});
      } else {
        run.missing[{j, st.inherited.size()}] = Missing{false, {}, {}, js.tier, {}};
        st.inherited.push_back(retention::Inherited{"never backed up in full", kNoSnapshot});
      }
      const model::ChangeDetection& cd = policy.tiers[js.tier].changes;
      if (last && cd.mode == model::ChangeDetection::Mode::kUpdatedWithin && cd.within &&
          g.slot - *cd.within > *last) {
        lost.push_back(Missing{true, *last, g.slot - *cd.within, js.tier, g.slot - *last});
      }
      for (const Missing& m : lost) {
        run.missing[{j, st.inherited.size()}] = m;
        st.inherited.push_back(retention::Inherited{
            fmt::format("changed between {} and {}", local_minute(zone, m.from), local_minute(zone, m.to)),
            kNoSnapshot});
      }
      s.tables.push_back(std::move(st));
      chain.push_back(j);
    }
    if (js.scope != Scope::kNone) last = g.slot;
    for (size_t t : g.satisfied) s.counts_for.push_back(policy.tiers[t].name.str());
    run.snapshots.push_back(std::move(s));
  }
  retention::apply_count_keeps(run.snapshots, count_keeps(policy));
  return run;
}

// The tables of one signature, for messages: the first kListedNames display names in order and how many there are
// (a signature can hold 40k tables; building and sorting every name cost more than the rest of the analysis).
constexpr size_t kListedNames = 10;
struct Group {
  std::vector<std::string> names;  // the first kListedNames display names, sorted
  size_t count = 0;                // all tables of the group
  std::string classes;             // "dimension, fact"
  [[nodiscard]] std::string text() const { return describe_tables_counted(names, count); }  // "40044 tables (…)"
};

// a.display_name() < b.display_name() ("db.table", compared as std::string compares), without building either.
bool display_less(const inventory::TableEntry& a, const inventory::TableEntry& b) {
  const std::array<std::string_view, 3> x{a.database.str(), ".", a.table.str()};
  const std::array<std::string_view, 3> y{b.database.str(), ".", b.table.str()};
  size_t xs = 0, xi = 0, ys = 0, yi = 0;
  while (true) {
    while (xs < x.size() && xi == x[xs].size()) ++xs, xi = 0;
    while (ys < y.size() && yi == y[ys].size()) ++ys, yi = 0;
    if (xs == x.size() || ys == y.size()) return xs == x.size() && ys != y.size();
    const auto cx = static_cast<unsigned char>(x[xs][xi++]);
    const auto cy = static_cast<unsigned char>(y[ys][yi++]);
    if (cx != cy) return cx < cy;
  }
}

Group describe_group(const inventory::Inventory& inventory, const std::vector<size_t>& tables) {
  Group g;
  g.count = tables.size();
  std::set<std::string_view> classes;
  for (size_t i : tables) {
    const std::string& c = inventory.tables[i].table_class;
    classes.insert(c.empty() ? std::string_view("unclassified") : std::string_view(c));
  }
  std::vector<size_t> order = tables;
  const auto listed = static_cast<std::ptrdiff_t>(std::min(kListedNames, order.size()));
  std::partial_sort(order.begin(), order.begin() + listed, order.end(),
                    [&](size_t a, size_t b) { return display_less(inventory.tables[a], inventory.tables[b]); });
  for (std::ptrdiff_t k = 0; k < listed; ++k) g.names.push_back(inventory.tables[order[k]].display_name());
  for (std::string_view c : classes) g.classes += (g.classes.empty() ? "" : ", ") + std::string(c);
  return g;
}

void note_affected(diag::Diagnostic& d, const Group& group) {
  if (group.count <= 1) return;
  std::string all;
  for (size_t k = 0; k < group.names.size(); ++k) all += (k ? ", " : "") + group.names[k];
  if (group.count > group.names.size()) all += fmt::format(", and {} more", group.count - group.names.size());
  d.note(std::nullopt, "affected tables: " + all);
}

// What one simulation shows and where to report it.
struct Context {
  const model::Policy& policy;
  const std::vector<SlotGroup>& jobs;
  const SignatureRun& run;
  const retention::Evaluation& ev;
  const Group& group;
  Instant examine_from, examine_to;
  int horizon_days;
  diag::DiagnosticSink& sink;
  [[nodiscard]] bool examined(size_t job) const {
    return jobs[job].slot >= examine_from && jobs[job].slot < examine_to;
  }
  // Why a hole's state is incomplete (simulate() registers every missing source it writes).
  [[nodiscard]] const Missing* cause(const retention::Hole& h) const {
    auto it = run.missing.find({h.holder, h.inherited});
    return it == run.missing.end() ? nullptr : &it->second;
  }
  // The holder's state has no full backup under it (a hole, SK0505): needs through it are not extensions.
  [[nodiscard]] bool without_baseline(size_t holder) const {
    const auto& inherited = run.snapshots[holder].tables.front().inherited;
    for (size_t h = 0; h < inherited.size(); ++h) {
      auto it = run.missing.find({holder, h});
      if (it != run.missing.end() && !it->second.lost_window) return true;
    }
    return false;
  }
};

// SK0508 for the snapshots of tier `tier` (index into policy.tiers) that the model keeps longer than the tier
// does.
void report_extension(const Context& c, size_t tier, const std::vector<size_t>& extended, size_t of_tier) {
  const TimeZone& zone = c.policy.time_zone;
  const model::Tier& t = c.policy.tiers[tier];
  Duration most, total;
  for (size_t s : extended) {
    const Duration e = c.ev.verdicts[s].keep_until - c.ev.verdicts[s].tier_until;
    most = std::max(most, e);
    total += e;
  }
  const size_t first = extended.front();
  const retention::Verdict& v = c.ev.verdicts[first];
  const size_t point = v.longest.point;
  const model::Tier& pt = c.policy.tiers[c.jobs[point].retain_from];
  auto& d = c.sink.report(Code::kRetentionExtended, t.retain_range, c.group.text(),
                          c.group.classes, t.name.str(), Duration::from_days(ceil_days(most)).to_string(),
                          retention_text(t), pt.name.str());
  const retention::TableState& held = c.run.snapshots[v.longest.holder].tables[v.longest.table];
  size_t base = v.longest.holder, incrementals = 0;
  for (const retention::Inherited& in : held.inherited) {
    if (in.from == kNoSnapshot) continue;
    if (incrementals++ == 0) base = in.from;
  }
  const std::string from = incrementals == 0
                               ? fmt::format("the '{}' full backup of {}", c.run.snapshots[base].tier,
                                             zone.local_date(c.jobs[base].slot))
                               : fmt::format("the '{}' full backup of {} and {} incrementals up to {}",
                                             c.run.snapshots[base].tier, zone.local_date(c.jobs[base].slot),
                                             incrementals, zone.local_date(c.jobs[v.longest.holder].slot));
  d.note(pt.name_range,
         fmt::format(
             "first: the '{}' restore point of {} (kept until {}) restores these tables from {}; the '{}' "
             "snapshot of {} among them is kept until {} instead of {}",
             pt.name.str(), local_minute(zone, c.jobs[point].slot), zone.local_date(v.longest.until), from,
             t.name.str(), zone.local_date(c.jobs[first].slot), zone.local_date(v.keep_until),
             zone.local_date(v.tier_until)));
  const double per_day = static_cast<double>(total.seconds()) / 86400.0 / std::max(1, c.horizon_days);
  d.note(std::nullopt,
         fmt::format(
             "{} of the {} '{}' snapshots taken between {} and {} live longer: {} snapshot-days beyond their "
             "retention, on average {:.1f} more '{}' snapshots per database in the repository at any time",
             extended.size(), of_tier, t.name.str(), zone.local_date(c.jobs[first].slot),
             zone.local_date(c.jobs[extended.back()].slot), ceil_days(total), per_day, t.name.str()));
  note_affected(d, c.group);
  const bool widen = pt.kind == model::BackupKind::kTables;
  const std::optional<diag::SourceRange> fix_at =
      widen && pt.include_range.end > 0 ? std::optional(pt.include_range) : std::nullopt;
  const std::string at_least = longer_by(t.retain, ceil_days(most)).to_string();
  d.note(fix_at, fmt::format("to avoid the extension, keep '{}' for at least {}{}", t.name.str(),
                             t.keep && t.keep->alone
                                 ? fmt::format("{} (retain = {}; keep = at least {})", at_least, at_least, t.keep->count)
                                 : at_least,
                             widen ? fmt::format(", or let '{}' back these tables up", pt.name.str()) : ""));
}

void report_extensions(const Context& c) {
  std::map<size_t, std::vector<size_t>> by_tier;  // tier → extended snapshots, in time order
  std::map<size_t, size_t> of_tier;               // tier → its snapshots of these tables, examined
  for (size_t s = 0; s < c.jobs.size(); ++s) {
    if (!c.examined(s) || c.run.snapshots[s].tables.empty()) continue;
    ++of_tier[c.jobs[s].retain_from];
    const retention::Verdict& v = c.ev.verdicts[s];
    if (v.keep_until > v.tier_until && !c.without_baseline(v.longest.holder)) {
      by_tier[c.jobs[s].retain_from].push_back(s);
    }
  }
  for (const auto& [tier, extended] : by_tier) report_extension(c, tier, extended, of_tier[tier]);
}

}  // namespace

namespace {

// SK0505: restore points of tables whose incrementals never get a full backup as baseline.
void report_no_baseline(const Context& c, const std::vector<retention::Hole>& holes) {
  const TimeZone& zone = c.policy.time_zone;
  const retention::Hole& h = holes.front();
  const model::Tier& pt = c.policy.tiers[c.jobs[h.point].retain_from];
  const model::Tier& held = c.policy.tiers[c.cause(h)->tier];
  auto& d = c.sink.report(Code::kRestoreHole, pt.name_range, c.group.text(), c.group.classes,
                          local_minute(zone, c.jobs[h.point].slot), pt.name.str(),
                          zone.local_date(c.run.snapshots[h.point].expires()));
  d.note(
      held.name_range,
      fmt::format(
          "only '{}' backs these tables up, and it takes changed partitions: no full backup ever gives its "
          "incrementals a baseline, so no state of these tables can be restored",
          held.name.str()));
  if (holes.size() > 1) {
    d.note(std::nullopt, fmt::format("the same happens for {} restore points between {} and {}", holes.size(),
                                     zone.local_date(c.jobs[h.point].slot),
                                     zone.local_date(c.jobs[holes.back().point].slot)));
  }
  note_affected(d, c.group);
  const std::optional<diag::SourceRange> fix_at =
      pt.include_range.end > 0 ? std::optional(pt.include_range) : std::nullopt;
  d.note(fix_at, "to close the hole, let a 'tables' or 'database' tier back these tables up in full");
}

// SK0509: changes a changed_partitions(updated_within = …) tier never takes because its window is shorter
// than the gap since the previous backup of the same tables.
void report_lost_changes(const Context& c, const std::vector<retention::Hole>& holes) {
  const TimeZone& zone = c.policy.time_zone;
  const retention::Hole& h = holes.front();
  const Missing& m = *c.cause(h);
  std::set<Instant> windows;
  Instant last_window = m.from;
  Duration max_gap = m.gap;
  for (const retention::Hole& o : holes) {
    const Missing& mo = *c.cause(o);
    windows.insert(mo.from);
    last_window = std::max(last_window, mo.from);
    max_gap = std::max(max_gap, mo.gap);
  }
  const model::Tier& t = c.policy.tiers[m.tier];
  const model::Tier& pt = c.policy.tiers[c.jobs[h.point].retain_from];
  auto& d = c.sink.report(Code::kChangesNeverBackedUp, t.kind_range, c.group.text(),
                          c.group.classes, local_minute(zone, m.from), local_minute(zone, m.to), t.name.str(),
                          t.changes.within->to_string(), m.gap.to_string());
  d.note(pt.name_range,
         fmt::format("from the '{}' restore point of {} on, restores of these tables miss them until "
                     "their next full backup",
                     pt.name.str(), local_minute(zone, c.jobs[h.point].slot)));
  if (windows.size() > 1) {
    d.note(std::nullopt, fmt::format("the same happens for {} windows between {} and {}", windows.size(),
                                     zone.local_date(m.from), zone.local_date(last_window)));
  }
  note_affected(d, c.group);
  d.note(std::nullopt,
         fmt::format("to close the hole, set updated_within to at least {} (the longest gap between "
                     "backups of these tables), or take changed_partitions without updated_within "
                     "(VisibleVersion since the last manifest)",
                     max_gap.to_string()));
}

void report_holes(const Context& c) {
  std::vector<retention::Hole> no_baseline, lost;
  std::set<size_t> seen_points;
  for (const retention::Hole& h : c.ev.holes) {
    if (!c.examined(h.point) || c.cause(h) == nullptr) continue;
    if (c.cause(h)->lost_window) {
      lost.push_back(h);
    } else if (seen_points.insert(h.point).second) {
      no_baseline.push_back(h);
    }
  }
  if (!no_baseline.empty()) report_no_baseline(c, no_baseline);
  if (!lost.empty()) report_lost_changes(c, lost);
}

// The jobs of the simulated period that take a snapshot (a job that selects no table anywhere is no restore
// point).
std::vector<SlotGroup> calendar_jobs(const Selection& selection, const Calendar& calendar, CivilDay first_day,
                                     CivilDay last_day) {
  auto takes_snapshot = [&](const SlotGroup& g) {
    return std::any_of(g.satisfied.begin(), g.satisfied.end(),
                       [&](size_t t) { return selection.selected_count(t) > 0; });
  };
  std::vector<SlotGroup> jobs;
  for (CivilDay d = first_day; d <= last_day; ++d) {
    for (SlotGroup& g : calendar.day(d)) {
      if (takes_snapshot(g)) jobs.push_back(std::move(g));
    }
  }
  return jobs;
}

}  // namespace

std::vector<retention::Snapshot> calendar_snapshots(const model::Policy& policy, const std::string& signature,
                                                    const std::vector<SlotGroup>& jobs) {
  return simulate(policy, signature, jobs).snapshots;
}

namespace {

// The calendar check_restorability simulates: the jobs, the covered tables by signature, the examined period.
struct Simulation {
  std::map<std::string, std::vector<size_t>> by_signature;  // tables backed up identically share one simulation
  std::vector<SlotGroup> jobs;
  Instant examine_from, examine_to;
};

Simulation simulation(const model::Policy& policy, const inventory::Inventory& inventory, const Selection& selection,
                      const Calendar& calendar, const Options& options) {
  Simulation out;
  for (size_t i = 0; i < inventory.tables.size(); ++i) {
    if (selection.in_policy(i) && selection.covered(i)) out.by_signature[selection.signature(i)].push_back(i);
  }
  if (out.by_signature.empty()) return out;
  // The simulated period: enough days before the reference for every chain to have a baseline, and after the
  // examined period for every restore point taken inside it to expire.
  int64_t max_retain_days = 0, max_gap_days = 1;
  for (const auto& t : policy.tiers) {
    max_retain_days = std::max(max_retain_days, t.retain.longest_days() + 1);
    // A count-based keep holds `count` snapshots, each up to the longest gap apart.
    if (t.keep) {
      max_retain_days = std::max(max_retain_days, t.keep->count * (t.schedule.max_interval().days() + 1) + 1);
    }
    max_gap_days = std::max(max_gap_days, t.schedule.max_interval().days() + 1);
  }
  const CivilDay first_day = options.reference - (max_retain_days + 2 * max_gap_days);
  const CivilDay last_day = options.reference + (options.horizon_days + max_retain_days + 2 * max_gap_days);
  out.jobs = calendar_jobs(selection, calendar, first_day, last_day);
  const TimeZone& zone = policy.time_zone;
  out.examine_from = zone.from_local(CivilSecond(options.reference));
  out.examine_to = zone.from_local(CivilSecond(options.reference + options.horizon_days));
  return out;
}

}  // namespace

void check_restorability(const model::Policy& policy, const inventory::Inventory& inventory,
                         const Selection& selection, const Calendar& calendar, const Options& options,
                         diag::DiagnosticSink& sink) {
  if (policy.tiers.empty()) return;
  const Simulation sim = simulation(policy, inventory, selection, calendar, options);
  for (const auto& [signature, tables] : sim.by_signature) {
    const SignatureRun run = simulate(policy, signature, sim.jobs);
    const retention::Evaluation ev = retention::evaluate(run.snapshots, sim.examine_from);
    const Group group = describe_group(inventory, tables);
    const Context c{policy, sim.jobs, run, ev, group, sim.examine_from, sim.examine_to, options.horizon_days, sink};
    report_holes(c);
    report_extensions(c);
  }
}

std::map<std::string, Duration> keep_horizons(const model::Policy& policy, const inventory::Inventory& inventory,
                                              const Selection& selection, const Calendar& calendar,
                                              const Options& options) {
  std::map<std::string, Duration> out;
  if (policy.tiers.empty()) return out;
  const Simulation sim = simulation(policy, inventory, selection, calendar, options);
  for (const auto& [signature, tables] : sim.by_signature) {
    const SignatureRun run = simulate(policy, signature, sim.jobs);
    const retention::Evaluation ev = retention::evaluate(run.snapshots, sim.examine_from);
    for (size_t s = 0; s < run.snapshots.size(); ++s) {
      const retention::Snapshot& snap = run.snapshots[s];
      if (snap.tables.empty() || sim.jobs[s].slot < sim.examine_from || sim.jobs[s].slot >= sim.examine_to) continue;
      Duration& longest = out[policy.tiers[sim.jobs[s].retain_from].name.str()];
      longest = std::max(longest, ev.verdicts[s].keep_until - snap.taken);
    }
  }
  return out;
}

}  // namespace sk::analysis
