// Static analysis of a policy against an inventory: coverage (tables no tier backs up, cluster objects missing from
// the inventory, policy databases absent from it, tiers selecting nothing, labels that cannot be rendered) and
// restorability (restore points inside retention whose state of some table is gone early, found by simulating the
// calendar with chain-aware retention). Findings are diagnostics (SK04xx/SK05xx, compiler/diag/codes_analysis.def):
// those about the inventory file go to the inventory sink, those about the policy to the policy sink.
// Pure; thread-safe for distinct sinks.
#pragma once

#include "compiler/analysis/calendar.h"
#include "compiler/analysis/selection.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/inventory/inventory.h"
#include "compiler/model/policy.h"

namespace sk::analysis {

struct Options {
  // Restorability examines restore points taken in [reference, reference + horizon_days) (local days) and names
  // the first hole on or after reference. Fixed by default so diagnostics are reproducible; the CLI passes today.
  CivilDay reference = CivilDay(2025, 1, 1);
  int horizon_days = 365;
};

struct Sinks {
  diag::DiagnosticSink& policy;
  diag::DiagnosticSink& inventory;
};

// Everything below, in this order.
void analyze(const model::Policy& policy, const inventory::Inventory& inventory, const Selection& selection,
             const Calendar& calendar, const Options& options, Sinks sinks);

// SK0413, SK0501–SK0504, SK0506, SK0507.
void check_coverage(const model::Policy& policy, const inventory::Inventory& inventory, const Selection& selection,
                    Sinks sinks);

// SK0505: for every restore point (one job of the calendar, kept slot + retention) in the examined period and every
// covered table, the table's state at the point lives in its latest backup at or before it; if chain-aware
// retention drops that backup before the restore point expires, the point is a hole for that table. Tables that
// are backed up identically are reported together, once, with the first hole, its cause and how often it recurs.
void check_restorability(const model::Policy& policy, const inventory::Inventory& inventory,
                         const Selection& selection, const Calendar& calendar, const Options& options,
                         diag::DiagnosticSink& sink);

// "sales.orders" for one name, "3 tables (sales.a, sales.b, sales.c)" for several, at most `max_listed` named.
std::string describe_tables(const std::vector<std::string>& names, size_t max_listed = 5);

}  // namespace sk::analysis
