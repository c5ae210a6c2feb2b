// Static analysis of a policy against an inventory: coverage (tables no tier backs up, cluster objects missing from
// the inventory, policy databases absent from it, tiers selecting nothing, labels that cannot be rendered) and
// restorability (the retention model over the simulated calendar: extensions and holes). Findings are diagnostics
// (SK04xx/SK05xx, compiler/diag/codes_analysis.def): those about the inventory file go to the inventory sink, those
// about the policy to the policy sink.
// Pure; thread-safe for distinct sinks.
#pragma once

#include <map>
#include <string>

#include "compiler/analysis/calendar.h"
#include "compiler/analysis/retention.h"
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

// SK0413, SK0501–SK0504, SK0506, SK0507, SK0510, SK0511. Excluded tables are not reported as uncovered (SK0501).
void check_coverage(const model::Policy& policy, const inventory::Inventory& inventory, const Selection& selection,
                    Sinks sinks);

// SK0505, SK0508, SK0509: the retention model (retention.h) over the calendar's snapshots from `first_day` through a
// year after options.reference: every job is a database-wide restore point, kept for its retention, and keeps what it
// needs. Per group of identically backed-up tables: snapshots kept longer than their own tier keeps them
// (extensions, with the exact minimum retention that avoids them), incrementals without a full baseline and changes
// an `updated_within` tier never takes (holes), each once with the first concrete date and how often it recurs.
void check_restorability(const model::Policy& policy, const inventory::Inventory& inventory,
                         const Selection& selection, const Calendar& calendar, const Options& options,
                         diag::DiagnosticSink& sink);

// How long each tier's snapshots must stay in the repository, counted from when they are taken: the longest keep
// the retention model gives one of them (own retention, restore chains, count-based keeps) among the snapshots
// check_restorability examines. By tier name; a tier that takes no snapshot of the inventory's tables is absent.
// What S3 lifecycle rules must never undercut (lifecycle.h).
[[nodiscard]] std::map<std::string, Duration> keep_horizons(const model::Policy& policy,
                                                            const inventory::Inventory& inventory,
                                                            const Selection& selection, const Calendar& calendar,
                                                            const Options& options);

// The tables the policy's exclusions leave out, per exclusion in declaration order (those that exclude nothing
// left out): what `check` lists as excluded, text and JSON.
struct ExcludedTables {
  std::string reason;
  std::string rule;                 // the predicate's canonical text: table matches "tmp_*"
  std::vector<std::string> tables;  // "sales.tmp_a", in inventory order
};
[[nodiscard]] std::vector<ExcludedTables> excluded_tables(const model::Policy& policy,
                                                          const inventory::Inventory& inventory,
                                                          const Selection& selection);

// The retention model's snapshots check_restorability simulates for the tables backed up as `signature`
// (Selection::signature) by `jobs` (the calendar's jobs in time order, one per element, count-based keeps
// applied): one per job, in the same order. For tests that hold `expire` to the same verdicts.
[[nodiscard]] std::vector<retention::Snapshot> calendar_snapshots(const model::Policy& policy,
                                                                  const std::string& signature,
                                                                  const std::vector<SlotGroup>& jobs);

// "sales.orders" for one name, "3 tables (sales.a, sales.b, sales.c)" for several, at most `max_listed` named.
std::string describe_tables(const std::vector<std::string>& names, size_t max_listed = 5);
// The same for `count` tables of which only the first (in order) are given: at least min(count, max_listed).
std::string describe_tables_counted(const std::vector<std::string>& first_names, size_t count,
                                    size_t max_listed = 5);

}  // namespace sk::analysis
