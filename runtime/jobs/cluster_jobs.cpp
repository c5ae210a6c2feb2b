#include "runtime/jobs/cluster_jobs.h"

#include <array>
#include <string_view>

#include "kernel/dialect/starrocks_dialect.h"
#include "kernel/domain/names.h"
#include "runtime/jobs/lifecycle.h"

namespace sk::jobs {

Result<std::vector<DatabaseJob>> current_jobs(ports::SqlConnection& conn) {
  static constexpr std::array<std::string_view, 3> kSystem = {"information_schema", "_statistics_", "sys"};
  auto databases = conn.query(dialect::render_show_databases());
  if (!databases) return std::unexpected(std::move(databases.error()).with_context("listing the databases"));
  std::vector<DatabaseJob> out;
  for (std::size_t i = 0; i < databases->size(); ++i) {
    auto name = databases->get(i, "Database");
    if (!name || !*name) continue;
    bool system = false;
    for (auto s : kSystem) system = system || **name == s;
    auto db = DatabaseName::parse(**name);
    if (system || !db) continue;
    for (JobKind kind : {JobKind::kBackup, JobKind::kRestore}) {
      auto job = latest_job(conn, kind, *db);
      if (!job) {
        if (ports::is_connection_error(job.error())) return std::unexpected(std::move(job.error()));
        continue;  // e.g. dropped since SHOW DATABASES
      }
      if (*job) out.push_back({db->str(), kind, std::move(**job)});
    }
  }
  return out;
}

}  // namespace sk::jobs
