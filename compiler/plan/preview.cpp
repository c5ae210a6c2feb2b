// The human preview of a plan: what a reviewer reads in CI.
#include <map>

#include <fmt/format.h>

#include "compiler/plan/plan.h"

namespace sk::plan {
namespace {

// "2025-09-14 01:00 +02:00".
std::string local(const TimeZone& z, Instant t) {
  CivilSecond s = z.to_local(t);
  int off = z.utc_offset_seconds(t);
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} {}{:02}:{:02}", s.year(), s.month(), s.day(), s.hour(), s.minute(),
                     sign, off / 3600, (off % 3600) / 60);
}

std::string join_tiers(const std::vector<TierName>& tiers, const TierName& except) {
  std::string out;
  for (const auto& t : tiers) {
    if (t == except) continue;
    if (!out.empty()) out += ", ";
    out += t.str();
  }
  return out;
}

std::string drill_text(const DrillDue& d) {
  std::string what = d.scope == model::DrillScope::kPartition ? "one partition"
                     : d.scope == model::DrillScope::kTable  ? "one table"
                                                              : "a whole database";
  return fmt::format("restore {} from the latest '{}' snapshot into a scratch database, verify by {}", what,
                     d.from.str(), model::to_string(d.verify));
}

// For each job of a database with several jobs in the plan: "1 of 2 for sales, one after another: weekly, daily"
// (plan.jobs is in run order); empty for the others.
std::vector<std::string> run_order_texts(const Plan& plan) {
  std::map<std::string, std::vector<size_t>> by_database;
  for (size_t i = 0; i < plan.jobs.size(); ++i) by_database[plan.jobs[i].database.str()].push_back(i);
  std::vector<std::string> texts(plan.jobs.size());
  for (const auto& [db, jobs] : by_database) {
    if (jobs.size() < 2) continue;
    std::string order;
    for (size_t i : jobs) order += (order.empty() ? "" : ", ") + plan.jobs[i].tier.str();
    for (size_t k = 0; k < jobs.size(); ++k) {
      texts[jobs[k]] = fmt::format("{} of {} for {}, one after another: {}", k + 1, jobs.size(), db, order);
    }
  }
  return texts;
}

// Issue 10 item 11: the catch-up candidates; whether one runs depends on ops history, which the plan does not
// read. Empty when there are none.
std::string catch_up_text(const Plan& plan, const TimeZone& z) {
  if (plan.catch_ups.empty()) return {};
  std::string out = fmt::format(
      "\nCatch-up candidates ({}): taken by the runner only when ops history has no finished backup of the slot and "
      "the tier has backed the database up before\n",
      plan.catch_ups.size());
  for (const BackupJob& j : plan.catch_ups) {
    const std::string also = join_tiers(j.satisfies, j.tier);
    out += fmt::format("  {} — tier '{}'{}: catch-up of {}, label {}, window until {}\n", j.database.str(),
                       j.tier.str(), also.empty() ? "" : " (also satisfies " + also + ")", local(z, j.slot),
                       j.label.str(), local(z, j.deadline));
  }
  return out;
}

// Whether the tier covering `d` fires at the very instant of d's slot (always so for a covered sub-daily slot,
// which only a job at the same time covers); otherwise it fires earlier or later on the same local day.
bool covering_slot_is(const Plan& plan, const DueTier& d) {
  for (const DueTier& e : plan.due) {
    if (e.tier == d.satisfied_by) return e.slot == d.slot;
  }
  return false;
}

}  // namespace

std::string render_preview(const Plan& plan) {
  auto zone = TimeZone::parse(plan.time_zone);
  const TimeZone z = zone ? *zone : TimeZone::utc();
  std::string out;
  out += fmt::format("Plan for policy \"{}\" at {} ({}, {})\n", plan.policy, local(z, plan.at), plan.time_zone,
                     plan.at.to_iso8601_utc());
  out += fmt::format("Databases: ");
  for (size_t i = 0; i < plan.databases.size(); ++i) out += (i ? ", " : "") + plan.databases[i].str();
  out += plan.databases.empty() ? "(none)\n" : "\n";

  out += "\nDue tiers\n";
  if (plan.due.empty()) out += "  none\n";
  for (const DueTier& d : plan.due) {
    std::string how = d.satisfied_by == d.tier ? "runs its own job"
                      : d.runs_now ? fmt::format("satisfied by '{}' ({}; runs once)", d.satisfied_by.str(),
                                                 covering_slot_is(plan, d) ? "same time" : "same day")
                                   : fmt::format("satisfied by '{}', whose job is not due now", d.satisfied_by.str());
    out += fmt::format("  {:<10} slot {}, window until {}: {}\n", d.tier.str(), local(z, d.slot),
                       local(z, d.window_end), how);
  }

  out += fmt::format("\nBackup jobs ({})\n", plan.jobs.size());
  if (plan.jobs.empty()) out += "  none\n";
  const std::vector<std::string> orders = run_order_texts(plan);
  for (size_t n = 0; n < plan.jobs.size(); ++n) {
    const BackupJob& j = plan.jobs[n];
    std::string also = join_tiers(j.satisfies, j.tier);
    out += fmt::format("  {} — tier '{}'{}\n", j.database.str(), j.tier.str(),
                       also.empty() ? "" : " (also satisfies " + also + ")");
    if (!orders[n].empty()) out += fmt::format("    order       {}\n", orders[n]);
    out += fmt::format("    label       {}\n", j.label.str());
    out += fmt::format("    repository  {}\n", j.repository.str());
    out += fmt::format("    slot        {}, window until {} (then {}), timeout {}\n", local(z, j.slot),
                       local(z, j.deadline), model::to_string(j.on_overrun), j.timeout.to_string());
    out += fmt::format("    expires     {} ({}, from '{}')\n", local(z, j.expires), j.retain.to_string(),
                       j.retain_from.str());
    if (j.whole_database) {
      out += "    objects     the whole database\n";
    } else {
      size_t changed = 0;
      for (const auto& t : j.tables) changed += t.scope == TableScope::kChangedPartitions;
      out += fmt::format("    objects     {} table{}", j.tables.size(), j.tables.size() == 1 ? "" : "s");
      if (changed == j.tables.size()) {
        out += ", changed partitions only\n";
      } else if (changed > 0) {
        out += fmt::format(" ({} whole, {} changed partitions only)\n", j.tables.size() - changed, changed);
      } else {
        out += ", whole tables\n";
      }
      for (const auto& t : j.tables) {
        out += fmt::format("      {}{}\n", t.table.str(), t.scope == TableScope::kChangedPartitions ? "  [changed partitions]" : "");
      }
      if (j.change_detection) {
        out += j.change_detection->mode == model::ChangeDetection::Mode::kVisibleVersion
                   ? "    partitions  those whose VisibleVersion differs from the last manifest (bound at run time)\n"
                   : fmt::format("    partitions  those whose VisibleVersionTime is within {} before the slot "
                                 "(bound at run time)\n",
                                 j.change_detection->within ? j.change_detection->within->to_string() : "?");
      }
    }
    out += fmt::format("    sql         {}\n", preview_sql(j));
  }

  out += catch_up_text(plan, z);

  if (!plan.skipped.empty()) {
    out += fmt::format("\nSkipped ({})\n", plan.skipped.size());
    for (const SkippedJob& s : plan.skipped) {
      out += fmt::format("  {} — tier '{}': {}\n", s.database.str(), s.tier.str(), s.reason);
    }
  }

  out += fmt::format("\nDrills due ({})\n", plan.drills.size());
  if (plan.drills.empty()) out += "  none\n";
  for (const DrillDue& d : plan.drills) {
    out += fmt::format("  {:<10} slot {}: {}\n", d.drill.str(), local(z, d.slot), drill_text(d));
  }
  return out;
}

}  // namespace sk::plan
