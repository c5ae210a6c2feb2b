#include "tests/fuzz/fuzz_pipeline.h"

#include <exception>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/driver/compile.h"
#include "compiler/plan/plan.h"
#include "tests/fuzz/fuzz_policy.h"

namespace sk::fuzz {
namespace {

constexpr std::string_view kInventory = R"json({
  "inventory_version": 1,
  "generated_at": "2025-09-14T00:00:00Z",
  "cluster_databases": [
    {"name": "sales", "tables": ["orders", "line_items", "customers", "fx_rates", "tmp_import"]},
    {"name": "crm", "tables": ["contacts", "activities"]},
    "app", "staging", "events", "marts", "ledger", "customers", "billing", "tenant_acme", "tmp"
  ],
  "tables": [
    {"database": "sales", "table": "orders", "class": "fact", "partitioned": true,
     "partitions": [
       {"name": "p20250912", "id": 101, "visible_version": 4, "visible_version_time": "2025-09-12T23:10:00Z",
        "row_count": 1000, "data_size": 120000},
       {"name": "p20250913", "id": 102, "visible_version": 7, "visible_version_time": "2025-09-13T23:10:00Z",
        "row_count": 1100, "data_size": 130000}]},
    {"database": "sales", "table": "line_items", "class": "fact", "partitioned": true,
     "eligibility": {"daily": false},
     "partitions": [
       {"name": "p20250913", "id": 201, "visible_version": 2, "visible_version_time": null}]},
    {"database": "sales", "table": "customers", "class": "dimension", "partitioned": false,
     "partitions": [{"name": "customers", "id": 301, "visible_version": 9, "row_count": 50}]},
    {"database": "sales", "table": "fx_rates", "class": "lookup", "partitioned": false},
    {"database": "sales", "table": "tmp_import", "class": "staging", "partitioned": false},
    {"database": "crm", "table": "contacts", "class": "dimension", "partitioned": false},
    {"database": "crm", "table": "activities", "class": "fact", "partitioned": true,
     "partitions": [{"name": "p202509", "id": 401, "visible_version": 3,
                     "visible_version_time": "2025-09-01T00:00:00+02:00"}]},
    {"database": "app", "table": "users", "partitioned": false},
    {"database": "staging", "table": "raw_events", "class": "staging", "partitioned": true},
    {"database": "events", "table": "clicks", "class": "fact", "partitioned": true},
    {"database": "marts", "table": "daily_revenue", "class": "fact", "partitioned": false},
    {"database": "ledger", "table": "entries", "class": "fact", "partitioned": true,
     "eligibility": {"weekly": false, "monthly": true}},
    {"database": "customers", "table": "profiles", "class": "dimension", "partitioned": false},
    {"database": "billing", "table": "invoices", "class": "fact", "partitioned": true},
    {"database": "tenant_acme", "table": "orders", "class": "fact", "partitioned": true}
  ]
})json";

// 2025-09-15T01:05:00Z, a Monday shortly after the usual 01:00 slots; the analysis reference day is the day before.
constexpr int64_t kPlanAt = 1757898300;
const CivilDay kReference(2025, 9, 14);

// Positions and sortedness of one sink's diagnostics, then both renderings.
std::string check_sink(const diag::SourceFile& file, const diag::DiagnosticSink& sink) {
  const std::vector<diag::Diagnostic>& all = sink.diagnostics();
  if (std::string problem = check_diagnostics(file, all); !problem.empty()) return problem;
  for (size_t i = 1; i < all.size(); ++i) {
    const auto& a = all[i - 1].range;
    const auto& b = all[i].range;
    if ((!a && b) || (a && b && a->begin > b->begin)) {
      return fmt::format("{}: diagnostics {} ({}) and {} ({}) are not sorted by position", file.path(), i - 1,
                         diag::code_text(all[i - 1].code), i, diag::code_text(all[i].code));
    }
  }
  return check_rendering(file, all);
}

}  // namespace

std::string_view fixed_inventory_json() { return kInventory; }

std::string check_policy_pipeline(const uint8_t* data, size_t size) {
  try {
    const diag::SourceFile policy("fuzz.skp", std::string(reinterpret_cast<const char*>(data), size));
    const diag::SourceFile inventory("inventory.json", std::string(kInventory));
    const driver::Compilation c = driver::compile(driver::CompileInput{&policy, &inventory, kReference});

    if (!c.inventory || c.inventory_diagnostics.has_errors()) return "the fixed inventory was rejected";
    if (!c.policy && !c.policy_diagnostics.has_errors()) return "no model, but no error in the policy";
    if (c.policy && !c.selection) return "a model and an inventory, but no selection";
    if (std::string p = check_sink(policy, c.policy_diagnostics); !p.empty()) return p;
    if (std::string p = check_sink(inventory, c.inventory_diagnostics); !p.empty()) return p;
    if (c.policy) {
      if (std::string p = check_model(*c.policy); !p.empty()) return p;
    }
    if (c.has_errors()) return {};

    const plan::Plan plan = driver::plan_at(c, Instant::from_unix_seconds(kPlanAt));
    const std::string text = plan::to_json_text(plan);
    const Result<plan::Plan> back = plan::plan_from_json(nlohmann::json::parse(text));
    if (!back) return "plan JSON does not read back: " + back.error().message;
    if (plan::to_json_text(*back) != text) return "plan JSON round trip is not byte-identical";
    (void)plan::render_preview(plan);
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  } catch (...) {
    return "unknown exception";
  }
  return {};
}

}  // namespace sk::fuzz
