// Semantic analysis: ast::Policy → model::Policy. Interprets every block, key and value, reports every problem in
// one run (SK02xx names/types/units, SK03xx policy-level checks) with exact ranges, notes and suggestions, and
// returns a model only when there is no error. Pure; thread-safe for distinct sinks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "kernel/domain/time.h"
#include "compiler/model/policy.h"

namespace sk::sema {

struct Options {
  // Calendar checks (tiers due on the same day, covers that never coincide) scan a full 400-year Gregorian cycle
  // starting here, and name the first coinciding day on or after it. Fixed by default so diagnostics are
  // reproducible; the CLI may pass today's date.
  CivilDay calendar_start = CivilDay(2025, 1, 1);
};

// nullopt iff at least one error was reported (warnings do not prevent the model).
std::optional<model::Policy> build_model(const ast::Policy& policy, diag::DiagnosticSink& sink,
                                         const Options& options = {});

// SK0227: a class literal of an include rule (`class == "fcat"`, `class in ["lokup"]`) that is not among
// `known_classes` (the driver passes the inventory's classes and those the classification rules assign) is an error
// at the literal, with the closest known class as did-you-mean. Each distinct literal is reported once per rule.
void check_class_literals(const model::Policy& policy, const std::vector<std::string>& known_classes,
                          diag::DiagnosticSink& sink);

}  // namespace sk::sema
