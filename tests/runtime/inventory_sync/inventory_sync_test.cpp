// Unit tests of the inventory sync against a RecordingSqlConnection: classification rules (defaults and rules
// files), catalog discovery in exactly two queries per database whatever the table count, manual classifications
// kept, tables that disappeared reported and not deleted, hostile names only inside quoted literals, and the
// export read back by the inventory loader of the compiler.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/inventory/inventory.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/inventory_sync/classification.h"
#include "runtime/inventory_sync/inventory_sync.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/fakes.h"

namespace sk::inventory_sync {
namespace {

using ports::make_rows;
using ports::RecordingSqlConnection;
using Row = ports::Rows::Row;

DatabaseName db(std::string_view s) { return *DatabaseName::parse(s); }

const Instant kNow = Instant::from_unix_seconds(1'757'811'600);  // 2025-09-14T01:00:00Z

ports::Rows databases(std::vector<std::string> names) {
  std::vector<Row> rows;
  for (auto& n : names) rows.push_back({n});
  return make_rows({"Database"}, std::move(rows));
}

// tables_config rows: name, partition key.
ports::Rows tables_config(std::vector<std::pair<std::string, std::string>> tables) {
  std::vector<Row> rows;
  for (auto& [name, key] : tables) rows.push_back({name, key, std::string("DUP_KEYS")});
  return make_rows({"TABLE_NAME", "PARTITION_KEY", "TABLE_MODEL"}, std::move(rows));
}

struct Part {
  std::string table, partition;
  int id;
  int version;
};
ports::Rows partitions_meta(std::vector<Part> parts) {
  std::vector<Row> rows;
  for (auto& p : parts) {
    rows.push_back({p.table, p.partition, std::to_string(p.id), std::to_string(p.version),
                    std::string("2025-09-14 09:00:00"), std::string("1757811600"), std::string("10"),
                    std::string("1000")});
  }
  return make_rows({"TABLE_NAME", "PARTITION_NAME", "PARTITION_ID", "VISIBLE_VERSION", "VISIBLE_VERSION_TIME",
                    "VISIBLE_VERSION_UNIX", "ROW_COUNT", "DATA_SIZE"},
                   std::move(rows));
}

struct Existing {
  std::string database, table, table_class;
  bool partitioned;
  std::string classified_by;
  std::optional<std::string> retired_at = std::nullopt;  // retired_at_utc
};
ports::Rows inventory_rows(std::vector<Existing> rows_in) {
  std::vector<Row> rows;
  for (auto& e : rows_in) {
    rows.push_back({e.database, e.table, e.table_class, std::string(e.partitioned ? "1" : "0"), std::string("{}"),
                    e.classified_by, std::string("2025-09-01 00:00:00"), std::string("2025-09-13 00:00:00"),
                    e.retired_at});
  }
  return make_rows({"database_name", "table_name", "table_class", "partitioned", "eligibility", "classified_by",
                    "first_seen_utc", "last_seen_utc", "retired_at_utc"},
                   std::move(rows));
}

class SyncTest : public ::testing::Test {
 protected:
  ops::OpsConfig config_{db("ops"), 1};
  ports::FakeClock clock_{kNow};
  RecordingSqlConnection conn_;
  ops::OpsStore store_{conn_, config_, clock_};

  SyncOptions options() { return SyncOptions{Scope{std::nullopt, db("ops")}, ClassificationRules::defaults()}; }
  std::size_t inserts() const { return conn_.count_matching("^INSERT INTO `ops`\\.`table_inventory`"); }
  std::string insert_text() const {
    std::string all;
    for (const auto& s : conn_.sql()) {
      if (s.starts_with("INSERT")) all += s + "\n";
    }
    return all;
  }
};

TEST(ClassificationRulesTest, DefaultsByPrefixThenPartitioning) {
  const auto rules = ClassificationRules::defaults();
  EXPECT_EQ(rules.classify("fact_orders", false), "fact");
  EXPECT_EQ(rules.classify("FCT_orders", false), "fact");
  EXPECT_EQ(rules.classify("dim_customer", false), "dimension");
  EXPECT_EQ(rules.classify("dim_calendar", true), "dimension");  // name rules come first
  EXPECT_EQ(rules.classify("events", true), "fact");
  EXPECT_EQ(rules.classify("events", false), "unclassified");
  EXPECT_EQ(rules.classify("factory", false), "unclassified");  // prefix is fact_, not fact
}

TEST(ClassificationRulesTest, RulesFileReplacesTheDefaults) {
  auto rules = parse_rules_json(R"({"rules": [{"prefix": "stg_", "class": "staging"},
                                               {"prefix": ["lkp_", "ref_"], "partitioned": false, "class": "lookup"}],
                                    "fallback": "other"})");
  ASSERT_TRUE(rules.has_value()) << rules.error().describe();
  EXPECT_EQ(rules->classify("stg_orders", true), "staging");
  EXPECT_EQ(rules->classify("ref_country", false), "lookup");
  EXPECT_EQ(rules->classify("ref_country", true), "other");  // both conditions must hold
  EXPECT_EQ(rules->classify("fact_orders", true), "other");  // defaults are not merged in
}

TEST(ClassificationRulesTest, RulesFileMistakesNameThePath) {
  auto bad_class = parse_rules_json(R"({"rules": [{"prefix": "x_", "class": "Fact"}]})");
  ASSERT_FALSE(bad_class.has_value());
  EXPECT_NE(bad_class.error().message.find("rules[0].class"), std::string::npos);
  auto no_condition = parse_rules_json(R"({"rules": [{"class": "fact"}]})");
  ASSERT_FALSE(no_condition.has_value());
  EXPECT_NE(no_condition.error().message.find("rules[0]"), std::string::npos);
  auto unknown = parse_rules_json(R"({"rules": [{"prefix": "a", "class": "a", "suffix": "b"}]})");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("rules[0].suffix"), std::string::npos);
  EXPECT_FALSE(parse_rules_json("not json").has_value());
}

TEST(DiscoveryTest, TwoQueriesPerDatabaseWithTheNameAsAQuotedLiteral) {
  RecordingSqlConnection conn;
  conn.set_strict(true);
  const std::string hostile = "sa`les'; DROP DATABASE x; -- ü";
  conn.on("information_schema\\.tables_config", tables_config({{"fact_orders", "`dt`"}, {"dim_customer", ""}}));
  conn.on("information_schema\\.partitions_meta",
          partitions_meta({{"fact_orders", "p2", 12, 4}, {"fact_orders", "p1", 11, 3}, {"dim_customer", "dim_customer", 20, 9},
                           {"unknown_table", "x", 1, 1}}));
  auto found = discover_database(conn, db(hostile));
  ASSERT_TRUE(found.has_value()) << found.error().describe();
  ASSERT_EQ(conn.statements().size(), 2u);
  EXPECT_EQ(conn.sql()[0], dialect::render_tables_config_query(db(hostile)));
  EXPECT_NE(conn.sql()[0].find(dialect::quote_string(hostile)), std::string::npos);
  EXPECT_NE(conn.sql()[1].find(dialect::quote_string(hostile)), std::string::npos);
  ASSERT_EQ(found->tables.size(), 2u);
  EXPECT_EQ(found->tables[0].table.str(), "fact_orders");
  EXPECT_TRUE(found->tables[0].partitioned);
  ASSERT_EQ(found->tables[0].partitions.size(), 2u);
  EXPECT_EQ(found->tables[0].partitions[0].name.str(), "p1");  // sorted by name
  EXPECT_EQ(found->tables[0].partitions[0].id, 11);
  EXPECT_EQ(found->tables[0].partitions[0].visible_version, 3);
  EXPECT_EQ(found->tables[0].partitions[0].row_count, 10);
  EXPECT_EQ(found->tables[0].partitions[0].data_size, 1000);
  EXPECT_EQ(found->tables[0].partitions[0].visible_version_time, kNow);
  EXPECT_FALSE(found->tables[1].partitioned);  // empty PARTITION_KEY
  EXPECT_EQ(found->tables[1].partitions.size(), 1u);
}

TEST_F(SyncTest, NewTablesClassifiedSystemAndOpsDatabasesSkipped) {
  conn_.on("^SHOW DATABASES", databases({"information_schema", "_statistics_", "ops", "sys", "sales"}));
  conn_.on("table_inventory", inventory_rows({}));
  conn_.on("tables_config", tables_config({{"fact_orders", "`dt`"}, {"dim_customer", ""}, {"events", "`d`"},
                                           {"misc", ""}}));
  conn_.on("partitions_meta", partitions_meta({}));
  auto report = sync_inventory(conn_, store_, options(), kNow);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  ASSERT_EQ(report->databases.size(), 1u);
  EXPECT_EQ(report->databases[0].str(), "sales");
  ASSERT_EQ(report->added.size(), 4u);
  std::map<std::string, std::string> classes;
  for (const auto& r : report->added) classes[r.table.str()] = r.table_class;
  EXPECT_EQ(classes["fact_orders"], "fact");
  EXPECT_EQ(classes["dim_customer"], "dimension");
  EXPECT_EQ(classes["events"], "fact");
  EXPECT_EQ(classes["misc"], "unclassified");
  EXPECT_EQ(conn_.count_matching("tables_config"), 1u);
  EXPECT_EQ(conn_.count_matching("partitions_meta"), 1u);
  EXPECT_EQ(inserts(), 1u);
  EXPECT_NE(insert_text().find("'misc', 'unclassified'"), std::string::npos) << insert_text();
  // The ops database is left out, and says so (issue 10 item 18: never skip a database silently).
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_EQ(report->warnings[0], "database ops skipped: it is starkeep's ops database (--ops-database); list it by "
                                 "name in `databases` to back it up");
}

TEST_F(SyncTest, ManualClassificationIsNeverOverwrittenRuleClassesAreRefreshed) {
  conn_.on("^SHOW DATABASES", databases({"sales"}));
  conn_.on("table_inventory", inventory_rows({{"sales", "fact_orders", "dimension", true, "manual"},
                                              {"sales", "events", "unclassified", false, "rule"},
                                              {"sales", "dropped_table", "fact", true, "rule"}}));
  conn_.on("tables_config", tables_config({{"fact_orders", "`dt`"}, {"events", "`d`"}}));
  conn_.on("partitions_meta", partitions_meta({}));
  auto report = sync_inventory(conn_, store_, options(), kNow);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_TRUE(report->added.empty());
  EXPECT_EQ(report->unchanged, 1u);  // fact_orders: manual, same partitioning
  ASSERT_EQ(report->changed.size(), 1u);
  EXPECT_EQ(report->changed[0].record.table.str(), "events");
  EXPECT_EQ(report->changed[0].record.table_class, "fact");  // now partitioned → the rule says fact
  ASSERT_EQ(report->gone.size(), 1u);
  EXPECT_EQ(report->gone[0].table.str(), "dropped_table");
  const std::string ins = insert_text();
  EXPECT_NE(ins.find("'fact_orders', 'dimension', TRUE"), std::string::npos) << ins;
  EXPECT_NE(ins.find("'manual'"), std::string::npos) << ins;
  EXPECT_EQ(conn_.count_matching("^DELETE"), 0u) << "a gone table is kept for restores of older snapshots";
}

// Issue 10 item 15: a gone table is retired (retired_at_utc = the sync's instant, the row kept); a table an earlier
// sync retired is not reported again; a retired table that is back on the cluster is selectable again.
TEST_F(SyncTest, GoneTablesAreRetiredOnceAndComeBackWhenSeenAgain) {
  conn_.on("^SHOW DATABASES", databases({"sales"}));
  conn_.on("table_inventory", inventory_rows({{"sales", "dim_store", "dimension", false, "rule"},
                                              {"sales", "old_dim", "dimension", false, "rule", "2025-09-10 00:00:00"},
                                              {"sales", "fact_orders", "fact", true, "rule", "2025-09-10 00:00:00"}}));
  conn_.on("tables_config", tables_config({{"fact_orders", "`dt`"}}));
  conn_.on("partitions_meta", partitions_meta({}));
  auto report = sync_inventory(conn_, store_, options(), kNow);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  ASSERT_EQ(report->gone.size(), 1u);
  EXPECT_EQ(report->gone[0].table.str(), "dim_store");
  ASSERT_TRUE(report->gone[0].retired_at.has_value());
  EXPECT_EQ(*report->gone[0].retired_at, kNow);
  EXPECT_EQ(report->retired_earlier, 1u);  // old_dim
  ASSERT_EQ(report->changed.size(), 1u);
  EXPECT_EQ(report->changed[0].record.table.str(), "fact_orders");
  EXPECT_FALSE(report->changed[0].record.retired_at.has_value());
  const std::string ins = insert_text();
  EXPECT_NE(ins.find("'dim_store'"), std::string::npos) << ins;
  EXPECT_EQ(ins.find("'old_dim'"), std::string::npos) << ins;
  EXPECT_EQ(conn_.count_matching("^DELETE"), 0u);
}

TEST_F(SyncTest, PolicySelectionLimitsTheDatabases) {
  model::DatabaseSelection selection;
  selection.all = false;
  selection.include = {db("crm")};
  conn_.on("^SHOW DATABASES", databases({"sales", "crm"}));
  conn_.on("table_inventory", inventory_rows({{"sales", "t", "fact", false, "rule"}}));
  conn_.on("tables_config", tables_config({{"contacts", ""}}));
  conn_.on("partitions_meta", partitions_meta({}));
  auto report = sync_inventory(conn_, store_, SyncOptions{Scope{selection, db("ops")}, ClassificationRules::defaults()}, kNow);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  ASSERT_EQ(report->databases.size(), 1u);
  EXPECT_EQ(report->databases[0].str(), "crm");
  EXPECT_TRUE(report->gone.empty()) << "sales is out of scope, its rows are not 'gone'";
  EXPECT_TRUE(report->warnings.empty()) << "ops was never selected: nothing to say";
  EXPECT_EQ(conn_.count_matching("tables_config"), 1u);
}

// Pitfall 13 / performance target: the round trips depend on the number of databases, not of tables.
TEST_F(SyncTest, RoundTripsDoNotGrowWithTheTableCount) {
  auto run = [&](int tables_per_db) {
    RecordingSqlConnection conn;
    ops::OpsStore store(conn, config_, clock_);
    std::vector<std::pair<std::string, std::string>> tables;
    std::vector<Part> parts;
    for (int i = 0; i < tables_per_db; ++i) {
      tables.emplace_back("fact_" + std::to_string(i), "`dt`");
      for (int p = 0; p < 3; ++p) parts.push_back({"fact_" + std::to_string(i), "p" + std::to_string(p), i * 10 + p, 2});
    }
    conn.on("^SHOW DATABASES", databases({"a", "b", "c"}));
    conn.on("table_inventory", inventory_rows({}));
    conn.on("tables_config", tables_config(tables));
    conn.on("partitions_meta", partitions_meta(parts));
    auto report = sync_inventory(conn, store, options(), kNow);
    EXPECT_TRUE(report.has_value());
    EXPECT_EQ(report->added.size(), static_cast<std::size_t>(3 * tables_per_db));
    return conn.statements().size();
  };
  const std::size_t few = run(2);
  const std::size_t many = run(150);
  EXPECT_EQ(few, many);
  EXPECT_EQ(few, 1u /*SHOW DATABASES*/ + 1u /*load*/ + 3u * 2u /*catalog*/ + 1u /*upsert batch*/);
}

TEST_F(SyncTest, ClassifyMarksManualAndRefusesUnknownTablesAndBadClasses) {
  conn_.on("table_inventory` WHERE", inventory_rows({{"sales", "events", "fact", true, "rule"}}));
  auto r = classify_table(store_, db("sales"), *TableName::parse("events"), "dimension", kNow);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->classified_by, ops::ClassifiedBy::kManual);
  EXPECT_NE(insert_text().find("'events', 'dimension', TRUE, '{}', 'manual'"), std::string::npos) << insert_text();

  auto unknown = classify_table(store_, db("sales"), *TableName::parse("nope"), "fact", kNow);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, "inventory.unknown_table");
  auto bad = classify_table(store_, db("sales"), *TableName::parse("events"), "Fact Table", kNow);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, "inventory.class");
}

TEST_F(SyncTest, ExportIsAValidInventoryFileAndKeepsHostileNames) {
  const std::string hostile_db = "q`db\"ü";
  const std::string hostile_table = "t`a'b ünï";
  conn_.on("^SHOW DATABASES", databases({hostile_db, "ops"}));
  conn_.on("table_inventory", inventory_rows({{hostile_db, hostile_table, "fact", true, "manual"},
                                              {hostile_db, "misc", "unclassified", false, "rule"}}));
  conn_.on("tables_config", tables_config({{hostile_table, "`dt`"}, {"misc", ""}, {"not_synced", ""}}));
  conn_.on("partitions_meta", partitions_meta({{hostile_table, "p1", 5, 7}, {"misc", "misc", 6, 1}}));
  auto result = export_inventory(conn_, store_, Scope{std::nullopt, db("ops")}, kNow);
  ASSERT_TRUE(result.has_value()) << result.error().describe();
  EXPECT_EQ(result->tables, 2u);
  ASSERT_EQ(result->warnings.size(), 2u);
  EXPECT_NE(result->warnings[0].find("database ops skipped"), std::string::npos);
  EXPECT_NE(result->warnings[1].find("not_synced"), std::string::npos);

  auto loaded = inventory::load_inventory_json(result->document.dump(2));
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe() << "\n" << result->document.dump(2);
  ASSERT_EQ(loaded->tables.size(), 2u);
  EXPECT_EQ(loaded->tables[0].database.str(), hostile_db);
  EXPECT_EQ(loaded->tables[0].table.str(), hostile_table);
  EXPECT_EQ(loaded->tables[0].table_class, "fact");
  EXPECT_TRUE(loaded->tables[0].partitioned);
  ASSERT_EQ(loaded->tables[0].partitions.size(), 1u);
  EXPECT_EQ(loaded->tables[0].partitions[0].visible_version, 7);
  EXPECT_EQ(loaded->tables[0].partitions[0].visible_version_time, kNow);
  EXPECT_EQ(loaded->tables[1].table_class, "");  // "unclassified" is written as no class
  ASSERT_EQ(loaded->cluster_databases.size(), 1u);
  ASSERT_TRUE(loaded->cluster_databases[0].tables.has_value());
  EXPECT_EQ(loaded->cluster_databases[0].tables->size(), 3u);
  EXPECT_EQ(loaded->generated_at, kNow);
}

}  // namespace
}  // namespace sk::inventory_sync
