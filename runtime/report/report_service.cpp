#include "runtime/report/report_service.h"

#include <utility>

#include "common/error_codes.h"
#include "runtime/expire/expire_service.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/atomic_file.h"

namespace sk::report {
namespace {

// The expiries (ops schema 3 and later; an older schema has none and is not migrated by a report).
Result<std::vector<ops::ExpiryRecord>> load_expiries(ops::OpsStore& store, const Env& env) {
  auto version = ops::current_schema_version(env.connection, env.ops);
  if (!version) return std::unexpected(std::move(version.error()));
  if (*version < 3) return std::vector<ops::ExpiryRecord>{};
  return store.load_expiries();
}

RepositoryFindings repository_findings(const model::Policy& policy, const Env& env, const Request& request) {
  if (!request.check_repositories) return {false, "skipped (--skip-repository-check)", {}};
  auto checked = expire::check_repositories(policy, {env.connection, env.ops, env.clock}, {request.to, {}, true, {}});
  if (!checked) return {false, checked.error().describe(), {}};
  return {true, {}, std::move(checked->findings)};
}

Status load_rows(ops::OpsStore& store, const Env& env, ReportInput& in) {
  auto attempts = store.load_all_attempts();
  if (!attempts) return std::unexpected(std::move(attempts.error()));
  in.attempts = std::move(*attempts);
  auto drills = store.load_restores(ops::RestoreKind::kDrill);
  if (!drills) return std::unexpected(std::move(drills.error()));
  in.drills = std::move(*drills);
  auto history = expire::load_finished_history(store);
  if (!history) return std::unexpected(std::move(history.error()));
  in.history = std::move(*history);
  auto expiries = load_expiries(store, env);
  if (!expiries) return std::unexpected(std::move(expiries.error()));
  in.expiries = std::move(*expiries);
  auto inventory = store.load_inventory();
  if (!inventory) return std::unexpected(std::move(inventory.error()));
  in.inventory = to_inventory(*inventory);
  return {};
}

}  // namespace

Status write_file_atomically(const std::string& path, const std::string& text) {
  return ports::write_file_atomically(path, text, {errc::kReportWrite, "the report "});
}

inventory::Inventory to_inventory(const std::vector<ops::InventoryRecord>& records) {
  inventory::Inventory inv;
  for (const ops::InventoryRecord& r : records) {
    if (r.retired_at) continue;  // gone from the cluster: not a table to cover any more
    inventory::TableEntry t{r.database, r.table, r.table_class, r.partitioned, r.eligibility, {}, {}};
    inv.tables.push_back(std::move(t));
  }
  return inv;
}

Result<Report> make_report(const model::Policy& policy, const Env& env, const Request& request) {
  if (!(request.from < request.to)) {
    return fail(errc::kReportUsage, "--from {} is not before --to {}", request.from.to_iso8601_utc(),
                request.to.to_iso8601_utc());
  }
  ops::OpsStore store(env.connection, env.ops, env.clock);
  ReportInput in{&policy, request.from, request.to};
  if (auto s = load_rows(store, env, in); !s) return std::unexpected(std::move(s.error()));
  in.repository = repository_findings(policy, env, request);
  return build_report(in);
}

}  // namespace sk::report
