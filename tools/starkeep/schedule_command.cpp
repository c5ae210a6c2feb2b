// starkeep schedule: the next firings of every tier and drill, in the policy's zone and in UTC.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "compiler/analysis/calendar.h"
#include "compiler/plan/plan.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/schedule_emit_command.h"

namespace sk::cli {
namespace {

struct ScheduleOptions {
  std::string policy;
  int next = 5;
  std::string from = "now";
  std::string format = "text";
  ScheduleEmitFlags emit;  // --emit and its flags (schedule_emit_command.cpp)
};

// "1st", "2nd", "3rd", "4th", …
std::string ordinal(size_t n) {
  const char* suffix = n % 100 / 10 == 1 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return fmt::format("{}{}", n, suffix);
}

std::vector<Instant> next_firings(const Schedule& s, Instant from, const TimeZone& zone, int n) {
  std::vector<Instant> out;
  Instant t = from - Duration::from_seconds(1);  // "from" itself counts
  for (int i = 0; i < n; ++i) {
    auto next = s.next_after(t, zone);
    if (!next) break;
    out.push_back(*next);
    t = *next;
  }
  return out;
}

// The next n firings of a tier and, before each, the slots its blackouts skip (docs/language.md §7).
struct TierSlot {
  Schedule::Slot slot;
  const Blackout* skipped_by = nullptr;
};
std::vector<TierSlot> next_tier_slots(const Schedule& s, Instant from, const TimeZone& zone, int n) {
  std::vector<TierSlot> out;
  const Schedule base = s.without_blackouts();
  Instant t = from - Duration::from_seconds(1);
  for (int fired = 0, seen = 0; fired < n && seen < 10000; ++seen) {
    auto next = base.next_slot_after(t, zone);
    if (!next) break;
    const Blackout* b = s.skipped_by(next->day(), next->time());
    out.push_back(TierSlot{*next, b});
    if (b == nullptr) ++fired;
    t = next->at;
  }
  return out;
}

int run_schedule(const ScheduleOptions& o) {
  Inputs inputs;
  if (int rc = load_inputs(o.policy, "", inputs, std::cerr); rc != kExitOk) return rc;
  if (auto probe = parse_instant_flag(o.from, TimeZone::utc()); !probe) {
    std::cerr << "starkeep schedule: error: --from: " << probe.error().message << "\n";
    return kExitUsage;
  }
  const driver::Compilation c = driver::compile(driver::CompileInput{&*inputs.policy, nullptr});
  print_diagnostics(c, inputs, Format::kText, std::cerr, c.has_errors());
  if (c.has_errors()) return kExitErrors;
  const model::Policy& p = *c.policy;
  const TimeZone& zone = p.time_zone;
  const Instant from = *parse_instant_flag(o.from, zone);
  const analysis::Calendar cal(p);

  nlohmann::json tiers = nlohmann::json::array(), drills = nlohmann::json::array();
  std::string text = fmt::format("Next {} firings from {} (zone {})\n", o.next, from.to_string(zone), zone.name());
  for (size_t k = 0; k < p.tiers.size(); ++k) {
    const model::Tier& tier = p.tiers[k];
    text += fmt::format("\ntier {} ({})\n", tier.name.str(), tier.schedule.to_string());
    nlohmann::json entry{{"tier", tier.name.str()}, {"schedule", tier.schedule.to_string()}};
    // Issue 10 item 11: the latest slot, past its window, is still due (unless done) until the horizon ends.
    if (auto cu = plan::catch_up_slot(tier, zone, from)) {
      entry["catch_up"] = {{"slot_local", cu->slot.to_string(zone)}, {"slot_utc", cu->slot.to_iso8601_utc()},
                           {"until_local", cu->until.to_string(zone)}, {"until_utc", cu->until.to_iso8601_utc()}};
      text += fmt::format("  catch-up of {} ({}): due until {} unless the slot is done (the runner checks ops "
                          "history)\n",
                          cu->slot.to_string(zone), cu->slot.to_iso8601_utc(), cu->until.to_string(zone));
    }
    nlohmann::json firings = nlohmann::json::array();
    for (const TierSlot& ts : next_tier_slots(tier.schedule, from, zone, o.next)) {
      const Instant f = ts.slot.at;
      if (ts.skipped_by != nullptr) {
        const std::string why = "not " + ts.skipped_by->to_string();
        firings.push_back({{"local", f.to_string(zone)}, {"utc", f.to_iso8601_utc()}, {"skipped_by_blackout", why}});
        text += fmt::format("  {}  {}  skipped: blackout '{}'\n", f.to_string(zone), f.to_iso8601_utc(), why);
        continue;
      }
      const analysis::Calendar::Role role = cal.role_at(k, ts.slot.day(), f);
      const std::string by = p.tiers[role.runner].name.str();
      nlohmann::json firing{{"local", f.to_string(zone)},
                            {"utc", f.to_iso8601_utc()},
                            {"satisfied_by", by},
                            {"order", role.position},
                            {"jobs_that_day", role.jobs}};
      // A slot in a spring-forward gap fires at another clock time than it names (labels use the name).
      const bool moved = zone.to_local(f) != ts.slot.local;
      if (moved) firing["slot"] = fmt::format("{} {}", iso_date(ts.slot.day()), ts.slot.time().to_string());
      firings.push_back(std::move(firing));
      const std::string jobs = !tier.schedule.sub_daily() ? "that day" : "at that time";
      text += fmt::format("  {}  {}{}{}{}\n", f.to_string(zone), f.to_iso8601_utc(),
                          by == tier.name.str() ? "" : "  (satisfied by " + by + ")",
                          role.jobs < 2 ? "" : fmt::format("  (runs {} of {} jobs {})", ordinal(role.position),
                                                           role.jobs, jobs),
                          moved ? fmt::format("  (slot {}: the clocks go forward)", ts.slot.time().to_string()) : "");
    }
    entry["firings"] = std::move(firings);
    tiers.push_back(std::move(entry));
  }
  for (const model::Drill& d : p.drills) {
    text += fmt::format("\ndrill {} ({}, from '{}')\n", d.name.str(), d.schedule.to_string(), d.from.str());
    nlohmann::json firings = nlohmann::json::array();
    for (Instant f : next_firings(d.schedule, from, zone, o.next)) {
      firings.push_back({{"local", f.to_string(zone)}, {"utc", f.to_iso8601_utc()}});
      text += fmt::format("  {}  {}\n", f.to_string(zone), f.to_iso8601_utc());
    }
    drills.push_back({{"drill", d.name.str()}, {"schedule", d.schedule.to_string()}, {"firings", firings}});
  }
  if (o.format == "json") {
    nlohmann::json out{{"schedule_version", kScheduleJsonVersion},
                       {"policy", p.name},
                       {"time_zone", zone.name()},
                       {"from", from.to_iso8601_utc()},
                       {"tiers", tiers},
                       {"drills", drills}};
    std::cout << json_text(out, 2) << "\n";
  } else {
    std::cout << text;
  }
  return kExitOk;
}

}  // namespace

void register_schedule(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ScheduleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "schedule",
      "List the next firings of every tier and drill, in the policy's time zone and in UTC, marking firings whose "
      "job is run by a covering tier (e.g. the weekly on a first Sunday, satisfied by the monthly). With --emit "
      "TARGET --output DIR: write the cron file, systemd units, Kubernetes CronJobs or Airflow DAG that start run "
      "(at a cadence derived from the tiers' slots and windows), drill, expire and repository check "
      "(docs/operations.md, Scheduling).");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--next,-n", o->next, "How many firings per tier and drill")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--from", o->from, "Start instant ('now', ISO 8601, or local time in the policy's zone)")
      ->capture_default_str();
  cmd->add_option("--format", o->format, "'text' or 'json'")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_schedule_emit_flags(*cmd, o->emit);
  cmd->callback([o, &exit_code] {
    if (o->emit.target.empty() && !o->emit.output.empty()) {
      std::cerr << "starkeep schedule: error: --output needs --emit\n";
      exit_code = kExitUsage;
    } else if (!o->emit.target.empty() && o->emit.output.empty()) {
      std::cerr << "starkeep schedule: error: --emit needs --output DIR\n";
      exit_code = kExitUsage;
    } else {
      exit_code = o->emit.target.empty() ? run_schedule(*o) : run_schedule_emit(o->emit, o->policy, o->from, o->format);
    }
  });
}

}  // namespace sk::cli
