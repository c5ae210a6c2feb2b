// starkeep check: compile a policy (and, with --inventory, analyse coverage and restorability) and report every
// diagnostic. Exit 0 when there is no error (warnings allowed unless --warnings-as-errors), 1 otherwise.
#include <iostream>
#include <memory>

#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct CheckOptions {
  std::string policy;
  std::string inventory;
  std::string format = "text";
  std::string reference;
  bool warnings_as_errors = false;
};

int run_check(const CheckOptions& o) {
  Inputs inputs;
  if (int rc = load_inputs(o.policy, o.inventory, inputs, std::cerr); rc != kExitOk) return rc;
  const std::optional<CivilDay> reference = reference_day("check", o.reference, std::cerr);
  if (!reference) return kExitUsage;
  driver::CompileInput input{&*inputs.policy, inputs.inventory ? &*inputs.inventory : nullptr, *reference};
  const driver::Compilation c = driver::compile(input);
  const Format format = o.format == "json" ? Format::kJson : Format::kText;
  print_diagnostics(c, inputs, format, format == Format::kJson ? std::cout : std::cerr, true, true);
  if (c.has_errors()) return kExitErrors;
  if (o.warnings_as_errors && c.warning_count() > 0) return kExitErrors;
  return kExitOk;
}

}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Compile a policy and report every problem: syntax, names, types, units and policy-level checks; with "
      "--inventory also coverage (tables no tier backs up, cluster objects missing from the inventory) and "
      "restorability (restore points whose state is lost before they expire). Exit 0 when there is no error "
      "(warnings do not fail unless --warnings-as-errors), 1 when there is one.");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--inventory,-i", o->inventory, "The table inventory (JSON, see docs/inventory.md)");
  cmd->add_option("--format", o->format, "Diagnostics as 'text' (on stderr) or 'json' (on stdout)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--reference", o->reference,
                  "Day from which calendar and restorability checks name dates (default: today, UTC)");
  cmd->add_flag("--warnings-as-errors,-W", o->warnings_as_errors, "Exit 1 when there are warnings");
  cmd->callback([o, &exit_code] { exit_code = run_check(*o); });
}

}  // namespace sk::cli
