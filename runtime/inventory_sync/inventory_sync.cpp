#include "runtime/inventory_sync/inventory_sync.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "common/ascii.h"
#include "kernel/dialect/starrocks_dialect.h"

namespace sk::inventory_sync {
namespace {

template <typename T>
Result<T> with_context_r(Error e, std::string context) {
  e.context.push_back(std::move(context));
  return std::unexpected(std::move(e));
}

std::optional<std::int64_t> parse_int_prefix(std::string_view text) {
  // "1757811600" or "1757811600.000000" (UNIX_TIMESTAMP of a DATETIME with a fractional part).
  const auto dot = text.find('.');
  if (dot != std::string_view::npos) text = text.substr(0, dot);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

using Key = std::pair<std::string, std::string>;  // database, table

}  // namespace

bool is_system_database(std::string_view name) {
  static const std::set<std::string> kSystem = {"information_schema", "_statistics_", "sys", "mysql",
                                                "performance_schema", "starrocks_monitor"};
  return kSystem.contains(ascii::to_lower(name));
}

bool Scope::includes(const DatabaseName& db) const {
  if (selection) {
    const bool listed = !selection->all && std::find(selection->include.begin(), selection->include.end(), db) !=
                                               selection->include.end();
    if (listed) return true;  // an explicit listing wins even over the system/ops rule
    if (!selection->matches(db)) return false;
  }
  return !is_system_database(db.str()) && db != ops_database;
}

Result<std::vector<DatabaseName>> list_databases(ports::SqlConnection& connection, const Scope& scope,
                                                 std::vector<std::string>* warnings) {
  auto rows = connection.query(dialect::render_show_databases());
  if (!rows) return with_context_r<std::vector<DatabaseName>>(rows.error(), "listing databases");
  auto col = rows->column("Database");
  if (!col) return std::unexpected(col.error());
  std::vector<DatabaseName> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto cell = rows->at(i, *col);
    if (!cell) continue;
    auto name = DatabaseName::parse(*cell);
    if (!name) {
      if (warnings) warnings->push_back(fmt::format("database skipped: {}", name.error().message));
      continue;
    }
    if (scope.includes(*name)) {
      out.push_back(std::move(*name));
    } else if (*name == scope.ops_database && warnings) {
      // Never silently (issue 10 item 18): the selection matched it, and it is left out on purpose.
      if (!scope.selection || scope.selection->matches(*name)) {
        warnings->push_back(fmt::format("database {} skipped: it is starkeep's ops database (--ops-database); list it "
                                        "by name in `databases` to back it up",
                                        name->str()));
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<DiscoveredDatabase> discover_database(ports::SqlConnection& connection, const DatabaseName& db) {
  DiscoveredDatabase out{db, {}, {}};
  auto tables = connection.query(dialect::render_tables_config_query(db));
  if (!tables) return with_context_r<DiscoveredDatabase>(tables.error(), "reading tables_config of " + db.str());
  auto name_col = tables->column("TABLE_NAME");
  if (!name_col) return std::unexpected(name_col.error());
  auto key_col = tables->column("PARTITION_KEY");
  if (!key_col) return std::unexpected(key_col.error());
  std::map<std::string, std::size_t> index;  // table name → position in out.tables
  for (std::size_t i = 0; i < tables->size(); ++i) {
    auto cell = tables->at(i, *name_col);
    if (!cell) continue;
    auto name = TableName::parse(*cell);
    if (!name) {
      out.warnings.push_back(fmt::format("{}: table skipped: {}", db.str(), name.error().message));
      continue;
    }
    auto key = tables->at(i, *key_col);
    DiscoveredTable t{std::move(*name), key.has_value() && !key->empty(), {}};
    index.emplace(t.table.str(), out.tables.size());
    out.tables.push_back(std::move(t));
  }

  auto parts = connection.query(dialect::render_partitions_meta_query(db));
  if (!parts) return with_context_r<DiscoveredDatabase>(parts.error(), "reading partitions_meta of " + db.str());
  for (const char* c : {"TABLE_NAME", "PARTITION_NAME", "PARTITION_ID", "VISIBLE_VERSION"}) {
    if (auto r = parts->column(c); !r) return std::unexpected(r.error());
  }
  for (std::size_t i = 0; i < parts->size(); ++i) {
    auto table = parts->get_required(i, "TABLE_NAME");
    if (!table) return std::unexpected(table.error());
    auto it = index.find(std::string(*table));
    if (it == index.end()) continue;  // a table skipped above, or created between the two queries
    auto pname_text = parts->get_required(i, "PARTITION_NAME");
    if (!pname_text) return std::unexpected(pname_text.error());
    auto pname = PartitionName::parse(*pname_text);
    if (!pname) {
      out.warnings.push_back(fmt::format("{}.{}: partition skipped: {}", db.str(), *table, pname.error().message));
      continue;
    }
    inventory::PartitionEntry p{std::move(*pname), 0, 0, std::nullopt, 0, 0};
    auto id = parts->get_int(i, "PARTITION_ID");
    if (!id) return std::unexpected(id.error());
    auto version = parts->get_int(i, "VISIBLE_VERSION");
    if (!version) return std::unexpected(version.error());
    p.id = id->value_or(0);
    p.visible_version = version->value_or(0);
    if (parts->has_column("ROW_COUNT")) {
      auto v = parts->get_int(i, "ROW_COUNT");
      if (!v) return std::unexpected(v.error());
      p.row_count = std::max<std::int64_t>(0, v->value_or(0));
    }
    if (parts->has_column("DATA_SIZE")) {
      auto v = parts->get_int(i, "DATA_SIZE");
      if (!v) return std::unexpected(v.error());
      p.data_size = std::max<std::int64_t>(0, v->value_or(0));
    }
    if (parts->has_column("VISIBLE_VERSION_UNIX")) {
      auto v = parts->get(i, "VISIBLE_VERSION_UNIX");
      if (!v) return std::unexpected(v.error());
      if (*v) {
        if (auto secs = parse_int_prefix(**v); secs && *secs > 0) p.visible_version_time = Instant::from_unix_seconds(*secs);
      }
    }
    out.tables[it->second].partitions.push_back(std::move(p));
  }
  for (auto& t : out.tables) {
    std::sort(t.partitions.begin(), t.partitions.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  return out;
}

Result<SyncReport> sync_inventory(ports::SqlConnection& connection, ops::OpsStore& store, const SyncOptions& options,
                                  Instant now) {
  SyncReport report;
  auto dbs = list_databases(connection, options.scope, &report.warnings);
  if (!dbs) return std::unexpected(dbs.error());
  report.databases = *dbs;

  auto existing_rows = store.load_inventory();
  if (!existing_rows) return with_context_r<SyncReport>(existing_rows.error(), "reading ops.table_inventory");
  std::map<Key, ops::InventoryRecord> existing;
  for (auto& r : *existing_rows) existing.emplace(Key{r.database.str(), r.table.str()}, std::move(r));

  std::vector<ops::InventoryRecord> writes;
  std::set<Key> seen;
  for (const auto& db : *dbs) {
    auto found = discover_database(connection, db);
    if (!found) return std::unexpected(found.error());
    for (auto& w : found->warnings) report.warnings.push_back(std::move(w));
    for (const auto& t : found->tables) {
      Key key{db.str(), t.table.str()};
      seen.insert(key);
      auto it = existing.find(key);
      if (it == existing.end()) {
        ops::InventoryRecord r{db, t.table, options.rules.classify(t.table.str(), t.partitioned), t.partitioned, {},
                               ops::ClassifiedBy::kRule, now, now, std::nullopt};
        report.added.push_back(r);
        writes.push_back(std::move(r));
        continue;
      }
      ops::InventoryRecord r = it->second;
      std::vector<std::string> what;
      if (r.partitioned != t.partitioned) {
        what.push_back(fmt::format("partitioned {} → {}", r.partitioned, t.partitioned));
        r.partitioned = t.partitioned;
      }
      if (r.classified_by == ops::ClassifiedBy::kRule) {
        std::string by_rule = options.rules.classify(t.table.str(), t.partitioned);
        if (by_rule != r.table_class) {
          what.push_back(fmt::format("class {} → {}", r.table_class, by_rule));
          r.table_class = std::move(by_rule);
        }
      }
      r.last_seen = now;
      if (r.retired_at) {  // on the cluster again (re-created): selectable again
        what.push_back("back on the cluster (was retired " + r.retired_at->to_iso8601_utc() + ")");
        r.retired_at.reset();
      }
      if (what.empty()) {
        ++report.unchanged;
      } else {
        std::string joined;
        for (const auto& w : what) joined += (joined.empty() ? "" : ", ") + w;
        report.changed.push_back({r, std::move(joined)});
      }
      writes.push_back(std::move(r));
    }
  }
  // Gone from the cluster: retired (issue 10 item 15), not deleted — restores of older snapshots still name the
  // table, and a run no longer selects it. A table retired by an earlier sync stays as it is.
  for (const auto& [key, r] : existing) {
    if (seen.contains(key) || !options.scope.includes(r.database)) continue;
    if (r.retired_at) {
      ++report.retired_earlier;
      continue;
    }
    ops::InventoryRecord retired = r;
    retired.retired_at = now;
    report.gone.push_back(retired);
    writes.push_back(std::move(retired));
  }
  if (!writes.empty()) {
    if (auto s = store.upsert_inventory(writes); !s) {
      return with_context_r<SyncReport>(s.error(), "writing ops.table_inventory");
    }
  }
  return report;
}

Result<ExportResult> export_inventory(ports::SqlConnection& connection, ops::OpsStore& store, const Scope& scope,
                                      Instant generated_at) {
  ExportResult out;
  auto dbs = list_databases(connection, scope, &out.warnings);
  if (!dbs) return std::unexpected(dbs.error());
  auto rows = store.load_inventory();
  if (!rows) return with_context_r<ExportResult>(rows.error(), "reading ops.table_inventory");
  std::map<Key, const ops::InventoryRecord*> known;
  for (const auto& r : *rows) known.emplace(Key{r.database.str(), r.table.str()}, &r);

  nlohmann::json cluster_databases = nlohmann::json::array();
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& db : *dbs) {
    auto found = discover_database(connection, db);
    if (!found) return std::unexpected(found.error());
    for (auto& w : found->warnings) out.warnings.push_back(std::move(w));
    nlohmann::json names = nlohmann::json::array();
    for (const auto& t : found->tables) {
      names.push_back(t.table.str());
      auto it = known.find(Key{db.str(), t.table.str()});
      if (it == known.end()) {
        out.warnings.push_back(fmt::format("{}.{}: on the cluster but not in ops.table_inventory (run `starkeep "
                                           "inventory sync`); listed in cluster_databases only",
                                           db.str(), t.table.str()));
        continue;
      }
      const ops::InventoryRecord& r = *it->second;
      nlohmann::json entry;
      entry["database"] = db.str();
      entry["table"] = t.table.str();
      if (!r.table_class.empty() && r.table_class != "unclassified") entry["class"] = r.table_class;
      entry["partitioned"] = t.partitioned;
      if (!r.eligibility.empty()) {
        nlohmann::json e = nlohmann::json::object();
        for (const auto& [tier, ok] : r.eligibility) e[tier] = ok;
        entry["eligibility"] = e;
      }
      nlohmann::json partitions = nlohmann::json::array();
      for (const auto& p : t.partitions) {
        nlohmann::json pj;
        pj["name"] = p.name.str();
        pj["id"] = p.id;
        pj["visible_version"] = p.visible_version;
        pj["visible_version_time"] =
            p.visible_version_time ? nlohmann::json(p.visible_version_time->to_iso8601_utc()) : nlohmann::json();
        pj["row_count"] = p.row_count;
        pj["data_size"] = p.data_size;
        partitions.push_back(std::move(pj));
      }
      entry["partitions"] = std::move(partitions);
      tables.push_back(std::move(entry));
      ++out.tables;
    }
    cluster_databases.push_back({{"name", db.str()}, {"tables", std::move(names)}});
  }
  out.document = nlohmann::json::object();
  out.document["inventory_version"] = 1;
  out.document["generated_at"] = generated_at.to_iso8601_utc();
  out.document["cluster_databases"] = std::move(cluster_databases);
  out.document["tables"] = std::move(tables);
  return out;
}

Result<ops::InventoryRecord> classify_table(ops::OpsStore& store, const DatabaseName& db, const TableName& table,
                                            std::string_view table_class, Instant now) {
  (void)now;
  if (!is_valid_class(table_class)) {
    return sk::fail("inventory.class", "class '{}' is not a lower-case class name ([a-z][a-z0-9_-]*)", table_class);
  }
  auto rows = store.load_inventory(db);
  if (!rows) return with_context_r<ops::InventoryRecord>(rows.error(), "reading ops.table_inventory");
  for (auto& r : *rows) {
    if (r.table != table) continue;
    r.table_class = std::string(table_class);
    r.classified_by = ops::ClassifiedBy::kManual;
    if (auto s = store.upsert_inventory({r}); !s) {
      return with_context_r<ops::InventoryRecord>(s.error(), "writing ops.table_inventory");
    }
    return r;
  }
  return sk::fail("inventory.unknown_table",
                  "table {}.{} is not in the inventory; run `starkeep inventory sync` first", db.str(), table.str());
}

}  // namespace sk::inventory_sync
