// OpsStore against a recording connection: the SQL it writes (idempotent upserts by id, redacted error texts,
// batched manifests, one query per database for the change baseline) and how it reads rows back by name.
#include <gtest/gtest.h>

#include "common/utf8.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/fakes.h"
#include "tests/kernel/domain/printers.h"
#include "tests/support/must.h"

namespace sk::ops {
namespace {

using ports::make_rows;
using ports::RecordingSqlConnection;

using sk::test_support::must;

BackupAttempt attempt() {
  BackupAttempt a{"run-1",
                  must(SnapshotLabel::parse("sales_20250914_inc")),
                  must(RepositoryName::parse("s3_prod")),
                  must(DatabaseName::parse("sales")),
                  {must(TierName::parse("daily"))},
                  Instant::from_unix_seconds(1757811600),
                  BackupKind::kPartitions,
                  {{must(TableName::parse("orders")), {must(PartitionName::parse("p20250913"))}}},
                  AttemptState::kSubmitting,
                  {}, {}, 1, Instant::from_unix_seconds(1757811601), {}, {}, {}, {}, {}, {}};
  return a;
}

class OpsStoreTest : public ::testing::Test {
 protected:
  OpsStoreTest() : clock_(Instant::from_unix_seconds(1757815200)), store_(conn_, OpsConfig::defaults(), clock_) {}
  RecordingSqlConnection conn_;
  ports::FakeClock clock_;
  OpsStore store_;
};

TEST_F(OpsStoreTest, RecordBackupAttemptIsOneIdempotentUpsert) {
  ASSERT_TRUE(store_.record_backup_attempt(attempt()).has_value());
  ASSERT_EQ(conn_.statements().size(), 1u);
  const auto& s = conn_.statements()[0];
  EXPECT_EQ(s.idempotency, ports::Idempotency::kIdempotent);
  EXPECT_TRUE(s.sql.starts_with("INSERT INTO `ops`.`backup_history` (`attempt_id`, `run_id`, `label`"));
  EXPECT_NE(s.sql.find("'" + attempt().attempt_id() + "', 'run-1', 'sales_20250914_inc', 's3_prod', 'sales', 'daily', "
                       "'2025-09-14 01:00:00', 'partitions', " R"('[{\"partitions\":[\"p20250913\"],\"table\":\"orders\"}]', )"
                       "'SUBMITTING', NULL, NULL, 1, '2025-09-14 01:00:01', NULL, NULL, NULL, NULL, NULL, "
                       "'2025-09-14 02:00:00')"),
            std::string::npos)
      << s.sql;
}

TEST_F(OpsStoreTest, AttemptIdSeparatesRunners) {
  BackupAttempt a = attempt();
  BackupAttempt b = attempt();
  b.run_id = "run-2";
  EXPECT_NE(a.attempt_id(), b.attempt_id());
  EXPECT_EQ(a.attempt_id(), attempt().attempt_id());
}

TEST_F(OpsStoreTest, ErrorTextIsRedactedAndCut) {
  BackupAttempt a = attempt();
  a.state = AttemptState::kRejected;
  a.error_text = "ERROR 1064 (HY000): bad 'aws.s3.secret_key' = 'TOPSECRET' " + std::string(5000, 'x');
  ASSERT_TRUE(store_.record_backup_attempt(a).has_value());
  const std::string& sql = conn_.statements()[0].sql;
  EXPECT_EQ(sql.find("TOPSECRET"), std::string::npos);
  EXPECT_NE(sql.find("<redacted>"), std::string::npos);
  EXPECT_EQ(sql.find(std::string(4097, 'x')), std::string::npos);

  ASSERT_TRUE(store_.update_backup_state(a.attempt_id(), AttemptUpdate{.error_text = "IDENTIFIED BY 'pw123'"}).has_value());
  EXPECT_EQ(conn_.statements()[1].sql.find("pw123"), std::string::npos);
}

// Issue 10 items 6 + 16: a server error naming a statement cut inside a CJK character (the adapter used to cut
// at 300 bytes) made `UPDATE ... SET state = 'REJECTED'` invalid UTF-8, which a strict-mode server refuses, so
// the row stayed SUBMITTING. Every text written — whole rows and UPDATEs — is valid UTF-8 and fits its column.
TEST_F(OpsStoreTest, TextWrittenIsValidUtf8AndFitsItsColumn) {
  const std::string ding = "\xE8\xAE\xA2";  // 订
  const std::string cut_error = "ERROR 1064 (HY000): Unknown table; statement: BACKUP ... fact_" + ding.substr(0, 2);
  std::string long_cjk;
  for (int i = 0; i < 3000; ++i) long_cjk += ding;  // 9000 bytes, longer than error_text
  ASSERT_TRUE(store_
                  .update_backup_state("abc", AttemptUpdate{.state = AttemptState::kRejected,
                                                            .server_state = "PENDING\xFF",
                                                            .error_text = cut_error})
                  .has_value());
  BackupAttempt a = attempt();
  a.state = AttemptState::kRejected;
  a.error_text = "x" + long_cjk;
  a.server_state = std::string(100, 'S') + ding;
  ASSERT_TRUE(store_.record_backup_attempt(a).has_value());
  ASSERT_TRUE(store_.update_backup_state("abc", AttemptUpdate{.error_text = "x" + long_cjk}).has_value());
  ASSERT_EQ(conn_.statements().size(), 3u);
  for (const auto& st : conn_.statements()) EXPECT_TRUE(is_valid_utf8(st.sql)) << st.sql.substr(0, 200);
  const std::string& update = conn_.statements()[0].sql;
  EXPECT_NE(update.find("`state` = 'REJECTED'"), std::string::npos) << update;
  EXPECT_NE(update.find("`server_state` = 'PENDING\xEF\xBF\xBD'"), std::string::npos) << update;
  EXPECT_NE(update.find("fact_\xEF\xBF\xBD\xEF\xBF\xBD'"), std::string::npos) << update;
  // Cut to the column width between code points: error_text holds 4096 bytes, i.e. 'x' and 1365 characters.
  const std::string kept = "'x" + [&] {
    std::string s;
    for (int i = 0; i < 1365; ++i) s += ding;
    return s;
  }() + "'";
  EXPECT_NE(conn_.statements()[2].sql.find(kept), std::string::npos);
  EXPECT_NE(conn_.statements()[1].sql.find(kept), std::string::npos);
}

TEST_F(OpsStoreTest, UpdateWritesOnlyTheGivenFieldsById) {
  ASSERT_TRUE(store_
                  .update_backup_state("abc", AttemptUpdate{.state = AttemptState::kFinished,
                                                            .server_state = "FINISHED",
                                                            .job_id = 12345,
                                                            .finished_at = Instant::from_unix_seconds(1757813400)})
                  .has_value());
  EXPECT_EQ(conn_.statements()[0].sql,
            "UPDATE `ops`.`backup_history` SET `state` = 'FINISHED', `server_state` = 'FINISHED', `job_id` = 12345, "
            "`finished_at_utc` = '2025-09-14 01:30:00', `updated_at_utc` = '2025-09-14 02:00:00' WHERE `attempt_id` = "
            "'abc'");
}

TEST_F(OpsStoreTest, LoadBackupAttemptsReadsByColumnName) {
  // Columns deliberately in another order than the SELECT: reading is by name.
  conn_.on("FROM `ops`.`backup_history`",
           make_rows({"updated_at_utc", "attempt_id", "label", "run_id", "repository", "database_name", "tiers",
                      "slot_utc", "backup_kind", "objects", "state", "server_state", "job_id", "submit_tries",
                      "submitted_at_utc", "started_at_utc", "finished_at_utc", "error_text", "bytes",
                      "backup_timestamp"},
                     {{"2025-09-14 02:00:00", "id", "sales_20250914_full", "run-9", "s3_prod", "sales", "weekly,monthly",
                       std::nullopt, "database", "[]", "FINISHED", "FINISHED", "77", "2", "2025-09-14 01:00:01",
                       "2025-09-14 01:00:02", "2025-09-14 01:40:00", std::nullopt, "1048576",
                       "2025-09-14-09-00-01-123"}}));
  auto loaded = store_.load_backup_attempts(must(DatabaseName::parse("sales")));
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  ASSERT_EQ(loaded->size(), 1u);
  const BackupAttempt& a = (*loaded)[0];
  EXPECT_EQ(a.label.str(), "sales_20250914_full");
  ASSERT_EQ(a.tiers.size(), 2u);
  EXPECT_EQ(a.tiers[1].str(), "monthly");
  EXPECT_EQ(a.kind, BackupKind::kDatabase);
  EXPECT_EQ(a.state, AttemptState::kFinished);
  EXPECT_EQ(a.job_id, 77);
  EXPECT_EQ(a.submit_tries, 2);
  EXPECT_EQ(a.finished_at->unix_seconds(), 1757814000);
  EXPECT_EQ(a.bytes, 1048576);
  EXPECT_EQ(a.backup_timestamp, BackupTimestamp::from_server("2025-09-14-09-00-01-123"));
  EXPECT_FALSE(a.slot.has_value());
  EXPECT_NE(conn_.statements()[0].sql.find("WHERE `database_name` = 'sales'"), std::string::npos);

  ASSERT_TRUE(store_
                  .load_backup_attempts(must(DatabaseName::parse("sales")),
                                        {.label = must(SnapshotLabel::parse("sales_20250914_full")),
                                         .slot = Instant::from_unix_seconds(1757811600)})
                  .has_value());
  EXPECT_NE(conn_.statements()[1].sql.find("WHERE `database_name` = 'sales' AND `label` = 'sales_20250914_full' AND "
                                           "`slot_utc` = '2025-09-14 01:00:00' ORDER BY"),
            std::string::npos)
      << conn_.statements()[1].sql;
}

// A stored backup_timestamp that is NULL or empty is no timestamp: never an empty BackupTimestamp.
TEST_F(OpsStoreTest, NullOrEmptyBackupTimestampReadsAsNone) {
  conn_.on("FROM `ops`.`backup_history`",
           make_rows({"attempt_id", "run_id", "label", "repository", "database_name", "tiers", "slot_utc",
                      "backup_kind", "objects", "state", "server_state", "job_id", "submit_tries", "submitted_at_utc",
                      "started_at_utc", "finished_at_utc", "error_text", "bytes", "backup_timestamp", "updated_at_utc"},
                     {{"id1", "r", "l1", "s3", "db", "daily", std::nullopt, "tables", "[]", "FINISHED", std::nullopt,
                       std::nullopt, "0", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, "2025-09-14 02:00:00"},
                      {"id2", "r", "l2", "s3", "db", "daily", std::nullopt, "tables", "[]", "FINISHED", std::nullopt,
                       std::nullopt, "0", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "",
                       "2025-09-14 02:00:00"},
                      {"id3", "r", "l3", "s3", "db", "daily", std::nullopt, "tables", "[]", "FINISHED", std::nullopt,
                       std::nullopt, "0", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       " ", "2025-09-14 02:00:00"}}));
  auto loaded = store_.load_backup_attempts(must(DatabaseName::parse("db")));
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_FALSE((*loaded)[0].backup_timestamp.has_value()) << "NULL";
  EXPECT_FALSE((*loaded)[1].backup_timestamp.has_value()) << "empty text";
  EXPECT_EQ((*loaded)[2].backup_timestamp, BackupTimestamp::from_server(" ")) << "opaque: kept verbatim";
}

TEST_F(OpsStoreTest, CorruptRowsAreReportedNotGuessed) {
  conn_.on("FROM `ops`.`backup_history`",
           make_rows({"attempt_id", "run_id", "label", "repository", "database_name", "tiers", "slot_utc",
                      "backup_kind", "objects", "state", "server_state", "job_id", "submit_tries", "submitted_at_utc",
                      "started_at_utc", "finished_at_utc", "error_text", "bytes", "backup_timestamp", "updated_at_utc"},
                     {{"id", "r", "l", "s3", "db", "daily", std::nullopt, "tables", "[]", "EXPLODED", std::nullopt,
                       std::nullopt, "0", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, "2025-09-14 02:00:00"}}));
  auto loaded = store_.load_unfinished_attempts();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, "ops.corrupt");
  EXPECT_NE(conn_.statements()[0].sql.find("`state` IN ('SUBMITTING', 'RUNNING')"), std::string::npos);
}

TEST_F(OpsStoreTest, ManifestIsWrittenInBatches) {
  std::vector<ManifestEntry> entries;
  for (int i = 0; i < 1201; ++i) {
    entries.push_back(ManifestEntry{"att", must(RepositoryName::parse("s3_prod")),
                                    must(SnapshotLabel::parse("sales_20250914_inc")), must(DatabaseName::parse("sales")),
                                    must(TableName::parse("orders")), must(PartitionName::parse("p" + std::to_string(i))),
                                    1000 + i, 5, {}, 10, 2048, "murmur_hash3_32_sum", "123456789012345678901", 10, {}});
  }
  ASSERT_TRUE(store_.write_manifest(entries).has_value());
  EXPECT_EQ(conn_.statements().size(), 3u);  // 500 + 500 + 201 rows
  EXPECT_EQ(conn_.count_matching("^INSERT INTO `ops`.`backup_manifest`"), 3u);
  EXPECT_NE(conn_.statements()[2].sql.find("'p1200', 2200, 5, NULL, 10, 2048, 'murmur_hash3_32_sum', "
                                           "'123456789012345678901', 10, '2025-09-14 02:00:00')"),
            std::string::npos);
  EXPECT_NE(entries[0].entry_id(), entries[1].entry_id());
}

TEST_F(OpsStoreTest, LastManifestIsOneQueryJoinedToFinishedAttempts) {
  conn_.on("backup_manifest", make_rows({"table_name", "partition_name", "partition_id", "visible_version"},
                                        {{"orders", "p1", "11", "5"}, {"orders", "p2", "12", "9"}}));
  auto last = store_.load_last_manifest(must(DatabaseName::parse("sales")));
  ASSERT_TRUE(last.has_value()) << last.error().describe();
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[1].partition.str(), "p2");
  EXPECT_EQ((*last)[1].partition_id, 12);
  EXPECT_EQ((*last)[1].visible_version, 9);
  ASSERT_EQ(conn_.statements().size(), 1u);
  const std::string& sql = conn_.statements()[0].sql;
  EXPECT_NE(sql.find("INNER JOIN `ops`.`backup_history` AS h"), std::string::npos);
  EXPECT_NE(sql.find("h.`state` = 'FINISHED'"), std::string::npos);
  EXPECT_NE(sql.find("m.`database_name` = 'sales'"), std::string::npos);
}

TEST_F(OpsStoreTest, HostileNamesAreQuotedValues) {
  BackupAttempt a = attempt();
  a.database = must(DatabaseName::parse("x'; DROP DATABASE ops; --"));
  ASSERT_TRUE(store_.record_backup_attempt(a).has_value());
  EXPECT_NE(conn_.statements()[0].sql.find("'x\\'; DROP DATABASE ops; --'"), std::string::npos);
}

TEST_F(OpsStoreTest, InventoryRoundTrip) {
  InventoryRecord rec{must(DatabaseName::parse("sales")), must(TableName::parse("orders")), "fact", true,
                      {{"weekly", false}}, ClassifiedBy::kManual, Instant::from_unix_seconds(1757800000),
                      Instant::from_unix_seconds(1757811600)};
  ASSERT_TRUE(store_.upsert_inventory({rec}).has_value());
  EXPECT_NE(conn_.statements()[0].sql.find(R"('sales', 'orders', 'fact', TRUE, '{\"weekly\":false}', 'manual')"),
            std::string::npos);
  conn_.on("FROM `ops`.`table_inventory`",
           make_rows({"database_name", "table_name", "table_class", "partitioned", "eligibility", "classified_by",
                      "first_seen_utc", "last_seen_utc", "retired_at_utc"},
                     {{"sales", "orders", "fact", "1", "{\"weekly\":false}", "manual", "2025-09-13 21:46:40",
                       "2025-09-14 01:00:00", std::nullopt}}));
  auto loaded = store_.load_inventory(must(DatabaseName::parse("sales")));
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].eligibility, rec.eligibility);
  EXPECT_TRUE((*loaded)[0].partitioned);
  EXPECT_EQ((*loaded)[0].first_seen, rec.first_seen);
  EXPECT_EQ((*loaded)[0].classified_by, ClassifiedBy::kManual);
}

TEST_F(OpsStoreTest, RunMarkersAreAdvisoryRowsPerRunAndDatabase) {
  RunMarker m{"run-1", must(DatabaseName::parse("sales")), "2025-09-14T01:00:00Z daily", "host-a", 4242,
              RunState::kActive, clock_.now(), clock_.now(), {}};
  ASSERT_TRUE(store_.mark_run(m).has_value());
  clock_.advance(std::chrono::seconds(30));
  ASSERT_TRUE(store_.heartbeat(m).has_value());
  ASSERT_TRUE(store_.finish_run(m, RunState::kDone).has_value());
  ASSERT_EQ(conn_.statements().size(), 3u);
  EXPECT_NE(conn_.statements()[1].sql.find("SET `heartbeat_at_utc` = '2025-09-14 02:00:30' WHERE `marker_id` = '" +
                                           m.marker_id() + "'"),
            std::string::npos);
  EXPECT_NE(conn_.statements()[2].sql.find("`state` = 'DONE'"), std::string::npos);
  RunMarker other = m;
  other.run_id = "run-2";
  EXPECT_NE(m.marker_id(), other.marker_id());  // two runners never overwrite each other's marker
}

TEST_F(OpsStoreTest, RestoreAndLineageRows) {
  RestoreRecord r{make_id({"run-1", "0"}), "run-1", RestoreKind::kDrill, "partition",
                  must(RepositoryName::parse("s3_prod")), must(SnapshotLabel::parse("sales_20250914_inc")),
                  *BackupTimestamp::from_server("2025-09-14-09-00-01-123"), must(DatabaseName::parse("sales")),
                  must(DatabaseName::parse("sk_drill_sales")), {}, {}, AttemptState::kFinished, "FINISHED", 9, {}, {},
                  {}, "PASSED", "{}", "{}", false, {}};
  ASSERT_TRUE(store_.record_restore(r).has_value());
  EXPECT_NE(conn_.statements()[0].sql.find("'drill', 'partition', 's3_prod'"), std::string::npos);
  LineageEdge e{must(RepositoryName::parse("s3_prod")), must(SnapshotLabel::parse("sales_20250915_inc")),
                must(DatabaseName::parse("sales")), must(RepositoryName::parse("s3_prod")),
                must(SnapshotLabel::parse("sales_20250914_full")), "baseline", {}};
  ASSERT_TRUE(store_.record_lineage({e}).has_value());
  EXPECT_NE(conn_.statements()[1].sql.find("'sales_20250914_full', 'baseline', '2025-09-14 02:00:00')"),
            std::string::npos);
}

TEST_F(OpsStoreTest, RestoreRowsCarryStartDurationPeriodAndSeed) {
  RestoreRecord r{make_id({"run-1", "0"}), "run-1", RestoreKind::kDrill, "partition",
                  must(RepositoryName::parse("s3_prod")), must(SnapshotLabel::parse("sales_20250914_inc")),
                  *BackupTimestamp::from_server("2025-09-14-09-00-01-123"), must(DatabaseName::parse("sales")),
                  must(DatabaseName::parse("sk_drill_sales")), {}, {}, AttemptState::kFinished, "FINISHED", 9, {}, {},
                  {}, "PARTIAL", "{}", "{}", false, {}};
  r.started_at = Instant::from_unix_seconds(1757811600);
  r.duration_seconds = 42;
  r.drill_period = "2025-Q3";
  r.drill_seed = "00ff00ff00ff00ff";
  ASSERT_TRUE(store_.record_restore(r).has_value());
  EXPECT_NE(conn_.statements()[0].sql.find("`started_at_utc`, `duration_seconds`, `drill_period`, `drill_seed`) "
                                           "VALUES"),
            std::string::npos)
      << conn_.statements()[0].sql;
  EXPECT_NE(conn_.statements()[0].sql.find("'PARTIAL'"), std::string::npos);
  EXPECT_NE(conn_.statements()[0].sql.find("'2025-09-14 01:00:00', 42, '2025-Q3', '00ff00ff00ff00ff')"),
            std::string::npos)
      << conn_.statements()[0].sql;
  r.drill_seed = "00ff00ff00ff00ff0";  // 17 bytes
  EXPECT_FALSE(store_.record_restore(r).has_value());
}

TEST_F(OpsStoreTest, PartitionSetsRoundTrip) {
  PartitionSet set{"a1", must(RepositoryName::parse("s3_prod")), must(SnapshotLabel::parse("sales_20250914_inc")),
                   must(DatabaseName::parse("sales")), must(TableName::parse("orders")), {"p1", "p2"}, {}};
  ASSERT_TRUE(store_.write_partition_sets({set}).has_value());
  EXPECT_NE(conn_.statements()[0].sql.find("INSERT INTO `ops`.`table_partition_set`"), std::string::npos);
  EXPECT_NE(conn_.statements()[0].sql.find(R"('[\"p1\",\"p2\"]')"), std::string::npos)
      << conn_.statements()[0].sql;
  EXPECT_NE(conn_.statements()[0].sql.find("'" + set.set_id() + "', 'a1'"), std::string::npos);

  conn_.on("FROM `ops`.`table_partition_set` WHERE `attempt_id` = 'a1'",
           make_rows({"attempt_id", "repository", "label", "database_name", "table_name", "partitions",
                      "recorded_at_utc"},
                     {{"a1", "s3_prod", "sales_20250914_inc", "sales", "orders", "[\"p1\",\"p2\"]",
                       "2025-09-14 02:00:00"}}));
  auto loaded = store_.load_partition_sets("a1");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].partitions, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ((*loaded)[0].table.str(), "orders");

  conn_.on("FROM `ops`.`table_partition_set` WHERE `attempt_id` = 'bad'",
           make_rows({"attempt_id", "repository", "label", "database_name", "table_name", "partitions",
                      "recorded_at_utc"},
                     {{"bad", "s3_prod", "sales_20250914_inc", "sales", "orders", "p1,p2", "2025-09-14 02:00:00"}}));
  auto corrupt = store_.load_partition_sets("bad");
  ASSERT_FALSE(corrupt);
  EXPECT_EQ(corrupt.error().code, "ops.corrupt");
}

TEST(OpsObjects, JsonRoundTrip) {
  std::vector<BackupObject> objects = {
      {must(TableName::parse("orders")), {must(PartitionName::parse("p1")), must(PartitionName::parse("p2"))}},
      {must(TableName::parse("dim \"x\"")), {}}};
  auto back = objects_from_json(objects_to_json(objects));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, objects);
  EXPECT_FALSE(objects_from_json("{").has_value());
  EXPECT_FALSE(objects_from_json("[{\"partitions\":[]}]").has_value());
}

}  // namespace
}  // namespace sk::ops
