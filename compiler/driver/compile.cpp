#include "compiler/driver/compile.h"

#include <cassert>

#include "compiler/analysis/calendar.h"
#include "compiler/sema/build_model.h"
#include "compiler/syntax/parse.h"

namespace sk::driver {

Compilation compile(const CompileInput& input) {
  assert(input.policy != nullptr);
  Compilation c;
  const ast::Policy tree = syntax::parse(*input.policy, c.policy_diagnostics);
  c.policy = sema::build_model(tree, c.policy_diagnostics, sema::Options{input.reference});
  if (input.inventory != nullptr) {
    c.inventory = inventory::load_inventory_json(input.inventory->text(), c.inventory_diagnostics);
  }
  if (c.policy && c.inventory) {
    std::vector<std::string> known = c.inventory->classes();
    known.insert(known.end(), inventory::default_rule_classes().begin(), inventory::default_rule_classes().end());
    sema::check_class_literals(*c.policy, known, c.policy_diagnostics);
    c.selection = analysis::Selection::compute(*c.policy, *c.inventory);
    analysis::analyze(*c.policy, *c.inventory, *c.selection, analysis::Calendar(*c.policy),
                      analysis::Options{input.reference, 365},
                      analysis::Sinks{c.policy_diagnostics, c.inventory_diagnostics});
  }
  c.policy_diagnostics.sort_by_position();
  c.inventory_diagnostics.sort_by_position();
  return c;
}

std::map<std::string, Duration> keep_horizons(const Compilation& c, CivilDay reference) {
  assert(c.policy && c.inventory && c.selection);
  return analysis::keep_horizons(*c.policy, *c.inventory, *c.selection, analysis::Calendar(*c.policy),
                                 analysis::Options{reference, 365});
}

plan::Plan plan_at(const Compilation& c, Instant at) {
  assert(c.policy && c.inventory && c.selection);
  return plan::make_plan(*c.policy, *c.inventory, at, *c.selection, analysis::Calendar(*c.policy));
}

}  // namespace sk::driver
