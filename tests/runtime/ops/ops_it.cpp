// The ops schema and store against the StarRocks FE emulator: migrate() twice, every table created with the
// StarRocks DDL, records written and read back through the real MySQL protocol, upserts by id, hostile names;
// and ReconnectingConnection surviving the emulator dropping every connection.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>

#include "emulator/harness/gtest_fixture.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/ops/ops_schema.h"
#include "kernel/dialect/ops_sql.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/fakes.h"
#include "tests/support/must.h"

namespace sk::ops {
namespace {

using sk::test_support::must;

class OpsIt : public emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--enable-faults"}); }

  static mysql::ConnectionOptions options() {
    mysql::ConnectionOptions o;
    o.host = cluster().emulator().host();
    o.port = cluster().emulator().port();
    o.user = "root";
    o.password = "";
    return o;
  }
  static std::unique_ptr<mysql::MySqlConnection> open() {
    auto c = mysql::MySqlConnection::connect(options());
    EXPECT_TRUE(c.has_value()) << c.error().describe();
    return c ? std::move(*c) : nullptr;
  }
  static OpsConfig config(std::string_view db) { return OpsConfig{must(DatabaseName::parse(db)), 1}; }

  static std::set<std::string> tables_in(ports::SqlConnection& c, const OpsConfig& cfg) {
    std::set<std::string> out;
    auto rows = c.query("SHOW TABLES FROM `" + cfg.database.str() + "`");
    EXPECT_TRUE(rows.has_value()) << rows.error().describe();
    if (!rows) return out;
    const std::string column = "Tables_in_" + cfg.database.str();
    for (std::size_t i = 0; i < rows->size(); ++i) out.insert(std::string(*rows->get_required(i, column)));
    return out;
  }

  ports::FakeClock clock_{Instant::from_unix_seconds(1757811600)};
};

TEST_F(OpsIt, MigrateTwiceCreatesEveryTableOnceAndRecordsTheVersion) {
  auto c = open();
  ASSERT_TRUE(c);
  const OpsConfig cfg = config("ops_it_migrate");
  EXPECT_EQ(must(current_schema_version(*c, cfg)), 0);

  ASSERT_TRUE(migrate(*c, cfg, clock_, "runtime_ops_it").has_value());
  std::set<std::string> expected;
  for (const auto& t : ops_tables()) expected.insert(std::string(t.name));
  EXPECT_EQ(tables_in(*c, cfg), expected);
  EXPECT_EQ(must(current_schema_version(*c, cfg)), kLatestSchemaVersion);

  clock_.advance(std::chrono::hours(1));
  ASSERT_TRUE(migrate(*c, cfg, clock_, "runtime_ops_it again").has_value());
  auto rows = c->query(
      "SELECT `version`, `applied_at_utc`, `applied_by` FROM `ops_it_migrate`.`schema_version` ORDER BY `version`");
  ASSERT_TRUE(rows.has_value()) << rows.error().describe();
  ASSERT_EQ(rows->size(), 5u);  // steps 1 to 5; the second run applied nothing
  EXPECT_EQ(must(rows->get_int(0, "version")), 1);
  EXPECT_EQ(must(rows->get_int(1, "version")), 2);
  EXPECT_EQ(must(rows->get_int(2, "version")), 3);
  EXPECT_EQ(must(rows->get_int(3, "version")), 4);
  EXPECT_EQ(must(rows->get_required(0, "applied_by")), "runtime_ops_it");
  EXPECT_EQ(must(ops::sql::parse_datetime_utc(must(rows->get_required(0, "applied_at_utc")))).unix_seconds(), 1757811600);
  EXPECT_EQ(tables_in(*c, cfg), expected);
}

// An installation at schema 1 (restore_history without the step-2 columns, no table_partition_set): migrate adds
// both, records step 2, and the new columns take values.
TEST_F(OpsIt, UpgradeFromSchemaOneAddsPartitionSetsAndRestoreColumns) {
  auto c = open();
  ASSERT_TRUE(c);
  const OpsConfig cfg = config("ops_it_upgrade");
  ASSERT_TRUE(migrate(*c, cfg, clock_, "fresh").has_value());
  // Back to the schema-1 layout.
  for (const char* column : {"started_at_utc", "duration_seconds", "drill_period", "drill_seed"}) {
    auto s = c->execute(std::string("ALTER TABLE `ops_it_upgrade`.`restore_history` DROP COLUMN `") + column + "`",
                        ports::Idempotency::kIdempotent);
    ASSERT_TRUE(s.has_value()) << s.error().describe();
  }
  ASSERT_TRUE(c->execute("ALTER TABLE `ops_it_upgrade`.`table_inventory` DROP COLUMN `retired_at_utc`",
                         ports::Idempotency::kIdempotent)
                  .has_value());
  ASSERT_TRUE(c->execute("DROP TABLE `ops_it_upgrade`.`table_partition_set`", ports::Idempotency::kIdempotent)
                  .has_value());
  ASSERT_TRUE(c->execute("DROP TABLE `ops_it_upgrade`.`snapshot_expiry`", ports::Idempotency::kIdempotent)
                  .has_value());
  ASSERT_TRUE(c->execute("DELETE FROM `ops_it_upgrade`.`schema_version` WHERE `version` >= 2",
                         ports::Idempotency::kIdempotent)
                  .has_value());
  ASSERT_EQ(must(current_schema_version(*c, cfg)), 1);

  ASSERT_TRUE(migrate(*c, cfg, clock_, "upgrade").has_value());
  EXPECT_EQ(must(current_schema_version(*c, cfg)), kLatestSchemaVersion);
  EXPECT_TRUE(tables_in(*c, cfg).contains("table_partition_set"));
  // Step 4 (issue 10 item 15): table_inventory.retired_at_utc is back and read by load_inventory.
  ASSERT_TRUE(c->query("SELECT `retired_at_utc` FROM `ops_it_upgrade`.`table_inventory`").has_value());
  EXPECT_TRUE(tables_in(*c, cfg).contains("snapshot_expiry"));
  OpsStore store(*c, cfg, clock_);
  RestoreRecord r{make_id({"run-u", "0"}), "run-u", RestoreKind::kDrill, "table",
                  must(RepositoryName::parse("repo")), must(SnapshotLabel::parse("l1")),
                  *BackupTimestamp::from_server("2025-09-14-09-00-01-123"),
                  must(DatabaseName::parse("sales")), must(DatabaseName::parse("scratch")), {}, {},
                  AttemptState::kFinished, "FINISHED", 9, {}, {}, {}, "PASSED", "{}", "{}", false, {}};
  r.started_at = Instant::from_unix_seconds(1757811600);
  r.duration_seconds = 7;
  r.drill_period = "2025-Q3";
  r.drill_seed = "0123456789abcdef";
  ASSERT_TRUE(store.record_restore(r).has_value());
  auto rows =
      c->query("SELECT `duration_seconds`, `drill_period`, `drill_seed` FROM `ops_it_upgrade`.`restore_history`");
  ASSERT_TRUE(rows.has_value()) << rows.error().describe();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(must(rows->get_int(0, "duration_seconds")), 7);
  EXPECT_EQ(must(rows->get_required(0, "drill_period")), "2025-Q3");
  EXPECT_EQ(must(rows->get_required(0, "drill_seed")), "0123456789abcdef");
  // Again: step 2 is recorded, nothing is run.
  ASSERT_TRUE(migrate(*c, cfg, clock_, "again").has_value());
}

TEST_F(OpsIt, ConcurrentMigrationsFromSeveralRunnersAgree) {
  const OpsConfig cfg = config("ops_it_concurrent");
  constexpr int kRunners = 4;
  std::vector<Status> results(kRunners);
  std::vector<std::thread> runners;
  for (int i = 0; i < kRunners; ++i) {
    runners.emplace_back([&, i] {
      auto c = mysql::MySqlConnection::connect(options());
      if (!c) {
        results[static_cast<std::size_t>(i)] = std::unexpected(c.error());
        return;
      }
      ports::FakeClock clock(Instant::from_unix_seconds(1757811600));
      results[static_cast<std::size_t>(i)] = migrate(**c, cfg, clock, "runner " + std::to_string(i));
    });
  }
  for (auto& t : runners) t.join();
  for (const auto& r : results) EXPECT_TRUE(r.has_value()) << r.error().describe();
  auto c = open();
  ASSERT_TRUE(c);
  EXPECT_EQ(must(current_schema_version(*c, cfg)), kLatestSchemaVersion);
  auto rows = c->query("SELECT `version` FROM `ops_it_concurrent`.`schema_version`");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->size(), 5u);  // each step recorded by several runners is one upserted row
}

// snapshot_expiry: a deletion recorded before it starts and settled after it reads back field by field; the
// unfinished restores are what expire must not delete.
TEST_F(OpsIt, ExpiryRowsRoundTripAndUnfinishedRestoresAreListed) {
  auto c = open();
  ASSERT_TRUE(c);
  const OpsConfig cfg = config("ops_it_expiry");
  ASSERT_TRUE(migrate(*c, cfg, clock_, "t").has_value());
  OpsStore store(*c, cfg, clock_);
  ExpiryRecord r{"run-e", must(RepositoryName::parse("repo")), must(SnapshotLabel::parse("sales_20250901_inc")),
                 must(DatabaseName::parse("sales"))};
  r.tiers = {must(TierName::parse("daily"))};
  r.backup_timestamp = BackupTimestamp::from_server("2025-09-01-01-00-01-123");
  r.reason = "daily, retained 14d, needed by no retained restore point";
  r.decided_at = Instant::from_unix_seconds(1757811600);
  ASSERT_TRUE(store.record_expiry(r).has_value());
  auto loaded = must(store.load_expiries());
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].state, ExpiryState::kDeleting);
  EXPECT_EQ(loaded[0].label.str(), "sales_20250901_inc");
  EXPECT_EQ(loaded[0].backup_timestamp->str(), "2025-09-01-01-00-01-123");
  EXPECT_EQ(loaded[0].tiers.size(), 1u);
  EXPECT_FALSE(loaded[0].finished_at.has_value());
  r.state = ExpiryState::kFailed;
  r.method = ExpiryMethod::kStorage;
  r.finished_at = Instant::from_unix_seconds(1757811660);
  r.error_text = "AccessDenied with secret_key = 'abc'";
  ASSERT_TRUE(store.record_expiry(r).has_value());
  loaded = must(store.load_expiries());
  ASSERT_EQ(loaded.size(), 1u);  // one row per snapshot
  EXPECT_EQ(loaded[0].state, ExpiryState::kFailed);
  EXPECT_EQ(loaded[0].method, ExpiryMethod::kStorage);
  EXPECT_EQ(loaded[0].finished_at->unix_seconds(), 1757811660);
  EXPECT_EQ(loaded[0].error_text->find("abc"), std::string::npos) << *loaded[0].error_text;  // redacted

  RestoreRecord running{make_id({"run-r", "0"}), "run-r", RestoreKind::kRestore, {},
                        must(RepositoryName::parse("repo")), must(SnapshotLabel::parse("sales_20250902_inc")),
                        *BackupTimestamp::from_server("2025-09-02-01-00-01-123"),
                        must(DatabaseName::parse("sales")), must(DatabaseName::parse("sales_r"))};
  running.state = AttemptState::kRunning;
  RestoreRecord done = running;
  done.restore_id = make_id({"run-r", "1"});
  done.label = must(SnapshotLabel::parse("sales_20250903_inc"));
  done.state = AttemptState::kFinished;
  ASSERT_TRUE(store.record_restore(running).has_value());
  ASSERT_TRUE(store.record_restore(done).has_value());
  auto unfinished = must(store.load_unfinished_restores());
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].label.str(), "sales_20250902_inc");
}

TEST_F(OpsIt, KeysAreStarRocksPrimaryKeys) {
  auto c = open();
  ASSERT_TRUE(c);
  const OpsConfig cfg = config("ops_it_keys");
  ASSERT_TRUE(migrate(*c, cfg, clock_, "t").has_value());
  auto rows = c->query("SHOW CREATE TABLE `ops_it_keys`.`backup_history`");
  ASSERT_TRUE(rows.has_value()) << rows.error().describe();
  const std::string ddl(must(rows->get_required(0, "Create Table")));
  EXPECT_NE(ddl.find("PRIMARY KEY(`attempt_id`)"), std::string::npos) << ddl;
}

TEST_F(OpsIt, HostileOpsDatabaseNameIsQuoted) {
  auto c = open();
  ASSERT_TRUE(c);
  const OpsConfig cfg = config("ops`it x");
  ASSERT_TRUE(migrate(*c, cfg, clock_, "t").has_value());
  EXPECT_EQ(must(current_schema_version(*c, cfg)), kLatestSchemaVersion);
}

TEST_F(OpsIt, StoreWritesAndReadsBackThroughTheProtocol) {
  auto c = open();
  ASSERT_TRUE(c);
  const OpsConfig cfg = config("ops_it_store");
  ASSERT_TRUE(migrate(*c, cfg, clock_, "t").has_value());
  OpsStore store(*c, cfg, clock_);
  const auto sales = must(DatabaseName::parse("sales"));

  BackupAttempt a{"run-1",
                  must(SnapshotLabel::parse("sales_20250914_inc")),
                  must(RepositoryName::parse("s3_prod")),
                  sales,
                  {must(TierName::parse("daily"))},
                  clock_.now(),
                  BackupKind::kPartitions,
                  {{must(TableName::parse("orders")), {must(PartitionName::parse("p1"))}}},
                  AttemptState::kSubmitting,
                  {}, {}, 1, clock_.now(), {}, {}, "it's a 'quoted' \\ text", {}, {}, {}};
  ASSERT_TRUE(store.record_backup_attempt(a).has_value());
  ASSERT_TRUE(store.record_backup_attempt(a).has_value());  // upsert by id: still one row

  ManifestEntry e{a.attempt_id(), a.repository, a.label, sales, must(TableName::parse("orders")),
                  must(PartitionName::parse("p1")), 11, 5, clock_.now(), 100, 4096, "murmur_hash3_32_sum",
                  "98765432109876543210", 100, {}};
  ASSERT_TRUE(store.write_manifest({e}).has_value());
  // Not finished yet: no baseline.
  EXPECT_TRUE(must(store.load_last_manifest(sales)).empty());
  auto unfinished = must(store.load_unfinished_attempts());
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].error_text, "it's a 'quoted' \\ text");

  clock_.advance(std::chrono::minutes(30));
  ASSERT_TRUE(store
                  .update_backup_state(a.attempt_id(), AttemptUpdate{.state = AttemptState::kFinished,
                                                                     .server_state = "FINISHED",
                                                                     .job_id = 4242,
                                                                     .finished_at = clock_.now(),
                                                                     .backup_timestamp = BackupTimestamp::from_server(
                                                                         "2025-09-14-09-30-00-123")})
                  .has_value());
  auto loaded = must(store.load_backup_attempts(sales));
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].state, AttemptState::kFinished);
  EXPECT_EQ(loaded[0].job_id, 4242);
  EXPECT_EQ(loaded[0].finished_at, clock_.now());
  EXPECT_EQ(loaded[0].slot, Instant::from_unix_seconds(1757811600));
  EXPECT_EQ(loaded[0].objects, a.objects);
  EXPECT_TRUE(must(store.load_unfinished_attempts()).empty());
  EXPECT_EQ(must(store.load_backup_attempts(sales, {.label = a.label, .slot = a.slot})).size(), 1u);
  EXPECT_TRUE(must(store.load_backup_attempts(sales, {.slot = clock_.now()})).empty());

  auto last = must(store.load_last_manifest(sales));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].partition_id, 11);
  EXPECT_EQ(last[0].visible_version, 5);
  auto manifest = must(store.load_manifest(a.attempt_id()));
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0].checksum, "98765432109876543210");
  EXPECT_EQ(manifest[0].visible_version_time, Instant::from_unix_seconds(1757811600));

  RunMarker m{"run-1", sales, "2025-09-14T01:00:00Z daily", "host", 7, RunState::kActive, clock_.now(), clock_.now(), {}};
  ASSERT_TRUE(store.mark_run(m).has_value());
  ASSERT_EQ(must(store.load_active_runs(sales)).size(), 1u);
  ASSERT_TRUE(store.finish_run(m, RunState::kDone).has_value());
  EXPECT_TRUE(must(store.load_active_runs(sales)).empty());

  InventoryRecord inv{sales, must(TableName::parse("orders")), "fact", true, {{"weekly", false}},
                      ClassifiedBy::kRule, clock_.now(), clock_.now()};
  ASSERT_TRUE(store.upsert_inventory({inv}).has_value());
  auto inventory = must(store.load_inventory(sales));
  ASSERT_EQ(inventory.size(), 1u);
  EXPECT_EQ(inventory[0].eligibility, inv.eligibility);
  EXPECT_TRUE(inventory[0].partitioned);
}

TEST_F(OpsIt, ReconnectingConnectionSurvivesDroppedConnections) {
  ports::FakeSleeper sleeper;
  mysql::ReconnectingConnection conn(mysql::mysql_connection_factory(options()), sleeper);
  ASSERT_TRUE(conn.query("SHOW DATABASES").has_value());
  EXPECT_EQ(conn.sessions_opened(), 1);
  {
    auto admin = open();
    ASSERT_TRUE(admin);
    (void)admin->execute("ADMIN EMULATOR DROP CONNECTIONS");  // may drop this session too
  }
  auto rows = conn.query("SHOW DATABASES");
  ASSERT_TRUE(rows.has_value()) << rows.error().describe();
  EXPECT_TRUE(rows->has_column("Database"));
  EXPECT_EQ(conn.sessions_opened(), 2);
}

}  // namespace
}  // namespace sk::ops
