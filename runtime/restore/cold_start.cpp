#include "runtime/restore/cold_start.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "kernel/dialect/restore_sql.h"
#include "runtime/restore/executor.h"

namespace sk::restore {
namespace {

const catalog::RepositorySnapshot* find_listed(const std::vector<catalog::RepositorySnapshot>& listed,
                                               const SnapshotLabel& label) {
  for (const auto& s : listed) {
    if (s.ok() && s.label == label.str()) return &s;
  }
  return nullptr;
}

std::string tiers_text(const std::vector<TierName>& tiers) {
  std::string out;
  for (const auto& t : tiers) out += (out.empty() ? "" : ",") + t.str();
  return out.empty() ? "-" : out;
}

}  // namespace

std::vector<Snapshot> listed_only(std::vector<Snapshot> history, const RepositoryName& repository,
                                  const std::vector<catalog::RepositorySnapshot>& listed,
                                  std::vector<std::string>* dropped) {
  std::vector<Snapshot> out;
  for (auto& s : history) {
    if (s.attempt.repository != repository) continue;
    if (find_listed(listed, s.attempt.label) == nullptr) {
      if (dropped) {
        dropped->push_back(fmt::format("{}: in the catalog but not usable in repository {}", s.attempt.label.str(),
                                       repository.str()));
      }
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<RestorePoint>> restore_points(ports::SqlConnection& connection, ops::OpsStore& catalog_store,
                                                 const std::optional<DatabaseName>& database,
                                                 const RepositoryName& repository,
                                                 const std::vector<catalog::RepositorySnapshot>& listed) {
  std::vector<DatabaseName> databases;
  if (database) {
    databases.push_back(*database);
  } else {
    auto rows = connection.query(dialect::render_history_databases_query(catalog_store.config().database));
    if (!rows) return std::unexpected(std::move(rows.error()));
    for (std::size_t i = 0; i < rows->size(); ++i) {
      auto cell = rows->get(i, "database_name");
      if (!cell) return std::unexpected(std::move(cell.error()));
      if (!*cell) continue;
      auto d = DatabaseName::parse(**cell);
      if (!d) return sk::fail("ops.corrupt", "catalog: bad database name '{}'", **cell);
      databases.push_back(*d);
    }
  }
  std::vector<RestorePoint> out;
  for (const auto& db : databases) {
    auto history = load_history(catalog_store, db);
    if (!history) return std::unexpected(std::move(history.error()));
    auto usable = listed_only(std::move(*history), repository, listed);
    std::vector<RestorePoint> points;
    for (const auto& s : usable) {
      // The recorded timestamp when the repository lists it, else the newest listed (listed_only kept only
      // labels listed as usable, which have one).
      const auto* l = find_listed(listed, s.attempt.label);
      const auto& recorded = s.attempt.backup_timestamp;
      const bool recorded_listed =
          recorded && std::find(l->timestamps.begin(), l->timestamps.end(), *recorded) != l->timestamps.end();
      RestorePoint p{db,
                     s.attempt.label,
                     s.attempt.repository,
                     s.attempt.kind,
                     s.attempt.tiers,
                     s.point(),
                     recorded_listed ? *recorded : l->timestamps.back(),
                     0,
                     0,
                     0};
      std::set<std::string> tables;
      for (const auto& e : s.entries) {
        tables.insert(e.table.str());
        ++p.partitions;
        if (e.checksum) ++p.fingerprinted;
      }
      p.tables = tables.size();
      points.push_back(std::move(p));
    }
    std::stable_sort(points.begin(), points.end(), [](const RestorePoint& a, const RestorePoint& b) {
      return std::tie(a.point, a.label) < std::tie(b.point, b.label);
    });
    out.insert(out.end(), points.begin(), points.end());
  }
  return out;
}

nlohmann::json points_to_json(const catalog::Recovered& recovered, const std::vector<RestorePoint>& points) {
  nlohmann::json j;
  j["repository"] = recovered.catalog.repository.str();
  j["catalog"] = {{"label", recovered.catalog.label.str()},
                  {"backup_timestamp", recovered.catalog.backup_timestamp.str()},
                  {"published_at", recovered.catalog.published_at.to_iso8601_utc()},
                  {"recovery_database", recovered.database.str()},
                  {"reused", recovered.reused}};
  j["restore_points"] = nlohmann::json::array();
  for (const auto& p : points) {
    nlohmann::json tiers = nlohmann::json::array();
    for (const auto& t : p.tiers) tiers.push_back(t.str());
    j["restore_points"].push_back({{"database", p.database.str()},
                                   {"label", p.label.str()},
                                   {"kind", std::string(ops::to_string(p.kind))},
                                   {"tiers", tiers},
                                   {"point", p.point.to_iso8601_utc()},
                                   {"backup_timestamp", p.backup_timestamp.str()},
                                   {"tables", p.tables},
                                   {"partitions", p.partitions},
                                   {"fingerprinted_partitions", p.fingerprinted}});
  }
  return j;
}

std::string points_to_text(const catalog::Recovered& recovered, const std::vector<RestorePoint>& points) {
  std::string out = fmt::format("Repository {}: catalog snapshot '{}' (published {}, backup_timestamp {}) {} {}\n",
                                recovered.catalog.repository.str(), recovered.catalog.label.str(),
                                recovered.catalog.published_at.to_iso8601_utc(), recovered.catalog.backup_timestamp,
                                recovered.reused ? "already in" : "restored into", recovered.database.str());
  if (points.empty()) return out + "No restore points.\n";
  out += fmt::format("{:<24} {:<22} {:<36} {:<11} {:<16} {:>6} {:>10} {}\n", "DATABASE", "POINT (UTC)", "SNAPSHOT",
                     "KIND", "TIERS", "TABLES", "PARTITIONS", "FINGERPRINTED");
  for (const auto& p : points) {
    out += fmt::format("{:<24} {:<22} {:<36} {:<11} {:<16} {:>6} {:>10} {}\n", p.database.str(),
                       p.point.to_iso8601_utc(), p.label.str(), ops::to_string(p.kind), tiers_text(p.tiers), p.tables,
                       p.partitions, p.fingerprinted);
  }
  out += "Restore to any instant at or after a point: starkeep restore database DB --as-of T --from-repository REPO\n";
  return out;
}

}  // namespace sk::restore
