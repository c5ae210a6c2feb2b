// The compiler facade: one function that reads like the pipeline — parse → build the model → load the inventory →
// analyse (coverage, restorability) → plan. No logic of its own; the CLI and tests call it.
// Not thread-safe per Compilation; distinct compilations may run in parallel.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "compiler/analysis/analysis.h"
#include "compiler/analysis/selection.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/inventory/inventory.h"
#include "compiler/model/policy.h"
#include "compiler/plan/plan.h"

namespace sk::driver {

struct CompileInput {
  const diag::SourceFile* policy = nullptr;     // required
  const diag::SourceFile* inventory = nullptr;  // optional: without it, no coverage/restorability/plan
  // Reference day for calendar checks and restorability (policy zone); fixed by default for reproducible output.
  CivilDay reference = CivilDay(2025, 1, 1);
};

struct Compilation {
  // Positions in the policy file and in the inventory file; each keeps the first kMaxKeptDiagnostics reported.
  diag::DiagnosticSink policy_diagnostics{diag::kMaxKeptDiagnostics};
  diag::DiagnosticSink inventory_diagnostics{diag::kMaxKeptDiagnostics};
  std::optional<model::Policy> policy;         // set when the policy has no error
  std::optional<inventory::Inventory> inventory;
  std::optional<analysis::Selection> selection;  // set when both policy and inventory loaded

  [[nodiscard]] bool has_errors() const {
    return policy_diagnostics.has_errors() || inventory_diagnostics.has_errors();
  }
  [[nodiscard]] size_t error_count() const {
    return policy_diagnostics.error_count() + inventory_diagnostics.error_count();
  }
  [[nodiscard]] size_t warning_count() const {
    return policy_diagnostics.warning_count() + inventory_diagnostics.warning_count();
  }
};

// parse → build_model → load_inventory_json → analysis. Diagnostics are sorted by position.
[[nodiscard]] Compilation compile(const CompileInput& input);

// analysis::keep_horizons on a compilation without errors that has an inventory (precondition), for the S3
// lifecycle rules (analysis/lifecycle.h); `reference` as given to compile().
[[nodiscard]] std::map<std::string, Duration> keep_horizons(const Compilation& compilation, CivilDay reference);

// plan::make_plan on a compilation without errors that has an inventory (precondition).
[[nodiscard]] plan::Plan plan_at(const Compilation& compilation, Instant at);

}  // namespace sk::driver
