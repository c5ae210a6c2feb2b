// starkeep plan: what a run at an instant would do, per database, with the SQL it implies.
#include <iostream>
#include <memory>

#include "compiler/plan/plan.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct PlanOptions {
  std::string policy;
  std::string inventory;
  std::string at = "now";
  std::string format = "text";
  bool detailed_exitcode = false;
};

int run_plan(const PlanOptions& o) {
  Inputs inputs;
  if (int rc = load_inputs(o.policy, o.inventory, inputs, std::cerr); rc != kExitOk) return rc;
  // The instant's local forms are read in the policy's zone; until the policy is compiled, check the syntax in UTC.
  if (auto probe = parse_instant_flag(o.at, TimeZone::utc()); !probe) {
    std::cerr << "starkeep plan: error: --at: " << probe.error().message << "\n";
    return kExitUsage;
  }
  // Restorability dates start at the planned day, which the policy's zone decides: compile the policy alone first
  // (milliseconds) for its zone, then everything once. (Compiling everything twice cost a second inventory load and
  // analysis, and both inventories were alive at once: issue 11 item 9.)
  driver::CompileInput input{&*inputs.policy, nullptr, CivilDay(2025, 1, 1)};
  if (const driver::Compilation front = driver::compile(input); front.policy) {
    input.reference = CivilDay(front.policy->time_zone.to_local(*parse_instant_flag(o.at, front.policy->time_zone)));
  }
  input.inventory = &*inputs.inventory;
  const driver::Compilation c = driver::compile(input);
  const Format format = o.format == "json" ? Format::kJson : Format::kText;
  print_diagnostics(c, inputs, Format::kText, std::cerr, c.has_errors());
  if (c.has_errors()) return kExitErrors;
  const Instant at = *parse_instant_flag(o.at, c.policy->time_zone);
  const plan::Plan p = driver::plan_at(c, at);
  std::cout << (format == Format::kJson ? plan::to_json_text(p) : plan::render_preview(p));
  if (o.detailed_exitcode && p.has_work()) return kExitWorkDue;
  return kExitOk;
}

}  // namespace

void register_plan(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Show what a run at an instant would do: the tiers due (a tier is due from its slot until its window ends), "
      "how coinciding tiers are resolved (the covering tier runs once and counts for both), one backup job per "
      "database with its label, objects, retention expiry and StarRocks SQL (changed partitions are bound at run "
      "time), and the drills due. Pure: no cluster access. Exit 0 on success (with --detailed-exitcode: 0 nothing "
      "due, 2 work due), 1 when the policy or inventory has errors.");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--inventory,-i", o->inventory, "The table inventory (JSON, see docs/inventory.md)")->required();
  cmd->add_option("--at", o->at,
                  "The instant to plan for: 'now', '2025-09-14T01:05:00Z', '2025-09-14T03:05:00+02:00', or local "
                  "time in the policy's zone: '2025-09-14 01:05'")
      ->capture_default_str();
  cmd->add_option("--format", o->format, "'text' (the human preview) or 'json' (the versioned plan)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--detailed-exitcode", o->detailed_exitcode, "Exit 2 when work is due, 0 when nothing is");
  cmd->callback([o, &exit_code] { exit_code = run_plan(*o); });
}

}  // namespace sk::cli
