// The report's parts that come from other stages' logic, reused rather than re-derived: the restore-point timeline
// (expire's history model and the retention model) and the coverage (the compiler's selection and coverage
// analysis).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "compiler/analysis/analysis.h"
#include "compiler/analysis/retention.h"
#include "compiler/analysis/selection.h"
#include "compiler/diag/diagnostic.h"
#include "runtime/expire/expire_service.h"
#include "runtime/expire/history_model.h"
#include "runtime/report/report_model.h"

namespace sk::report {

std::vector<DatabaseTimeline> restore_timelines(const ReportInput& input) {
  std::set<std::pair<std::string, std::string>> expired;  // (repository, label) expire deleted or is deleting
  for (const ops::ExpiryRecord& e : input.expiries) expired.emplace(e.repository.str(), e.label.str());
  const auto include = [&](const restore::Snapshot& s) {
    return s.point() <= input.to && !expired.contains({s.attempt.repository.str(), s.attempt.label.str()});
  };
  const expire::ModelHistory model =
      expire::to_model(input.history, expire::tier_retention(*input.policy), input.policy->time_zone, include,
                       expire::tier_keeps(*input.policy));
  const analysis::retention::Evaluation eval = analysis::retention::evaluate(model.snapshots, input.to);
  std::map<std::string, DatabaseTimeline> by_db;
  for (std::size_t i = 0; i < model.snapshots.size(); ++i) {
    const restore::Snapshot& s = *model.source[i];
    auto [it, fresh] = by_db.try_emplace(s.attempt.database.str(), DatabaseTimeline{s.attempt.database, {}, 0});
    if (eval.verdicts[i].own_until <= input.to) continue;  // the restore point itself has expired
    it->second.points.push_back(RestorePoint{s.point(), s.attempt.label, s.attempt.tiers, eval.verdicts[i].own_until});
  }
  for (const analysis::retention::Hole& h : eval.holes) {
    if (eval.verdicts[h.point].own_until <= input.to) continue;
    ++by_db.at(model.snapshots[h.point].database).holes;
  }
  std::vector<DatabaseTimeline> out;
  for (auto& [name, timeline] : by_db) {
    std::stable_sort(timeline.points.begin(), timeline.points.end(),
                     [](const RestorePoint& a, const RestorePoint& b) { return a.at < b.at; });
    out.push_back(std::move(timeline));
  }
  return out;
}

namespace {

void collect(const diag::DiagnosticSink& sink, std::vector<Coverage::Finding>& out) {
  for (const diag::Diagnostic& d : sink.diagnostics()) {
    out.push_back(Coverage::Finding{std::string(diag::code_text(d.code)), std::string(diag::to_string(d.severity)),
                                    d.message});
  }
}

}  // namespace

Coverage coverage_of(const model::Policy& policy, const std::optional<inventory::Inventory>& inv) {
  Coverage out;
  for (const model::Tier& t : policy.tiers) out.tiers.push_back(Coverage::PerTier{t.name, 0});
  if (!inv || inv->tables.empty()) return out;
  out.inventory_known = true;
  const analysis::Selection selection = analysis::Selection::compute(policy, *inv);
  for (std::size_t t = 0; t < selection.tier_count(); ++t) out.tiers[t].tables = selection.selected_count(t);
  for (std::size_t i = 0; i < inv->tables.size(); ++i) {
    if (!selection.in_policy(i)) continue;
    ++out.tables_in_policy;
    if (selection.covered(i)) {
      ++out.tables_covered;
    } else {
      out.uncovered.push_back(inv->tables[i].display_name());
    }
  }
  std::sort(out.uncovered.begin(), out.uncovered.end());
  diag::DiagnosticSink policy_sink, inventory_sink;
  analysis::check_coverage(policy, *inv, selection, {policy_sink, inventory_sink});
  collect(policy_sink, out.findings);
  collect(inventory_sink, out.findings);
  return out;
}

}  // namespace sk::report
