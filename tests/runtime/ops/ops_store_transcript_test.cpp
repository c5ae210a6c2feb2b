// SQL transcript of the ops schema and store: every statement migrate() and each OpsStore call sends against
// a scripted connection, in order and byte for byte, plus a digest of what the reads returned, compared with
// ops_store_transcript.golden (UPDATE_GOLDEN=1 rewrites it). A refactoring of the store or of the ops SQL in
// the kernel shows up here statement by statement.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/fakes.h"
#include "tests/support/must.h"

namespace sk::ops {
namespace {

using ports::make_rows;
using ports::RecordingSqlConnection;

using sk::test_support::must;

const char* const kGolden = SK_SOURCE_DIR "/tests/runtime/ops/ops_store_transcript.golden";

std::string time_text(const std::optional<Instant>& t) {
  return t ? std::to_string(t->unix_seconds()) : std::string("-");
}

// Canned rows for every table, with every column (readers pick theirs by name).
void script(RecordingSqlConnection& conn) {
  conn.on("FROM `ops`.`table_inventory`",
          make_rows({"inventory_id", "database_name", "table_name", "table_class", "partitioned",
                     "eligibility", "classified_by", "first_seen_utc", "last_seen_utc", "retired_at_utc"},
                    {{"i1", "sales", "orders", "fact", "1", R"({"weekly":false})", "manual",
                      "2025-09-13 21:46:40", "2025-09-14 01:00:00", std::nullopt}}));
  conn.on("FROM `ops`.`backup_history`",
          make_rows({"attempt_id",      "run_id",     "label",        "repository",       "database_name",
                     "tiers",           "slot_utc",   "backup_kind",  "objects",          "state",
                     "server_state",    "job_id",     "submit_tries", "submitted_at_utc", "started_at_utc",
                     "finished_at_utc", "error_text", "bytes",        "backup_timestamp", "updated_at_utc"},
                    {{"a1",
                      "run-9",
                      "sales_20250914_full",
                      "s3_prod",
                      "sales",
                      "weekly,monthly",
                      "2025-09-14 01:00:00",
                      "tables",
                      R"([{"table":"orders","partitions":["p1"]}])",
                      "RUNNING",
                      "PENDING",
                      "77",
                      "2",
                      "2025-09-14 01:00:01",
                      std::nullopt,
                      std::nullopt,
                      "boom",
                      std::nullopt,
                      std::nullopt,
                      "2025-09-14 02:00:00"}}));
  conn.on("INNER JOIN", make_rows({"table_name", "partition_name", "partition_id", "visible_version"},
                                  {{"orders", "p1", "11", "5"}}));
  conn.on(
      "FROM `ops`.`backup_manifest`",
      make_rows({"entry_id", "attempt_id", "repository", "label", "database_name", "table_name",
                 "partition_name", "partition_id", "visible_version", "visible_version_time_utc", "row_count",
                 "data_size", "checksum_algorithm", "checksum", "checksum_row_count", "recorded_at_utc"},
                {{"e1", "a1", "s3_prod", "sales_20250914_full", "sales", "orders", "p1", "11", "5",
                  "2025-09-13 23:00:00", "10", "2048", "murmur_hash3_32_sum", "123", "10",
                  "2025-09-14 02:00:00"}}));
  conn.on("FROM `ops`.`table_partition_set`",
          make_rows({"set_id", "attempt_id", "repository", "label", "database_name", "table_name",
                     "partitions", "recorded_at_utc"},
                    {{"s1", "a1", "s3_prod", "sales_20250914_full", "sales", "orders", R"(["p1","p2"])",
                      "2025-09-14 02:00:00"}}));
  conn.on("FROM `ops`.`snapshot_lineage`",
          make_rows({"edge_id", "repository", "label", "database_name", "depends_on_repository",
                     "depends_on_label", "reason", "recorded_at_utc"},
                    {{"g1", "s3_prod", "sales_20250915_inc", "sales", "s3_prod", "sales_20250914_full",
                      "baseline", "2025-09-14 02:00:00"}}));
  conn.on("FROM `ops`.`run_status`",
          make_rows({"marker_id", "run_id", "database_name", "slot", "host", "pid", "state", "started_at_utc",
                     "heartbeat_at_utc", "finished_at_utc", "process_start"},
                    {{"m1", "run-1", "sales", "slot", "host-a", "4242", "ACTIVE", "2025-09-14 01:00:00",
                      "2025-09-14 01:00:30", std::nullopt, "boot-a/1200"}}));
}

void writes(OpsStore& store, ports::FakeClock& clock) {
  const auto sales = must(DatabaseName::parse("sales"));
  const auto repo = must(RepositoryName::parse("s3_prod"));
  const auto full = must(SnapshotLabel::parse("sales_20250914_full"));
  const auto orders = must(TableName::parse("orders"));
  ASSERT_TRUE(store.upsert_inventory({{sales,
                                       orders,
                                       "fact",
                                       true,
                                       {{"weekly", false}},
                                       ClassifiedBy::kManual,
                                       Instant::from_unix_seconds(1757800000),
                                       Instant::from_unix_seconds(1757811600)},
                                      {sales,
                                       must(TableName::parse("dim")),
                                       "dimension",
                                       false,
                                       {},
                                       ClassifiedBy::kRule,
                                       Instant::from_unix_seconds(1757800000),
                                       Instant::from_unix_seconds(1757811600)}}));
  BackupAttempt a{"run-1",
                  full,
                  repo,
                  sales,
                  {must(TierName::parse("weekly"))},
                  Instant::from_unix_seconds(1757811600),
                  BackupKind::kPartitions,
                  {{orders, {must(PartitionName::parse("p1"))}}},
                  AttemptState::kSubmitting,
                  std::string("PENDING"),
                  5,
                  1,
                  Instant::from_unix_seconds(1757811601),
                  {},
                  {},
                  std::string("ERROR 'aws.s3.secret_key' = 'TOPSECRET'"),
                  4096,
                  BackupTimestamp::from_server("ts"),
                  {}};
  ASSERT_TRUE(store.record_backup_attempt(a));
  ASSERT_TRUE(store.update_backup_state(
      a.attempt_id(),
      AttemptUpdate{AttemptState::kFinished, "FINISHED", 12345, 2, Instant::from_unix_seconds(1757811601),
                    Instant::from_unix_seconds(1757811602), Instant::from_unix_seconds(1757813400),
                    "IDENTIFIED BY 'pw123'", 1048576,
                    BackupTimestamp::from_server("2025-09-14-09-00-01-123")}));
  ASSERT_TRUE(store.update_backup_state(a.attempt_id(), AttemptUpdate{.state = AttemptState::kLost}));
  std::vector<ManifestEntry> entries;
  for (int i = 0; i < 2; ++i) {
    entries.push_back({a.attempt_id(),
                       repo,
                       full,
                       sales,
                       orders,
                       must(PartitionName::parse("p" + std::to_string(i))),
                       10 + i,
                       5,
                       Instant::from_unix_seconds(1757800000),
                       10,
                       2048,
                       "murmur_hash3_32_sum",
                       "123",
                       10,
                       {}});
  }
  entries[1].visible_version_time.reset();
  entries[1].checksum.reset();
  ASSERT_TRUE(store.write_manifest(entries));
  ASSERT_TRUE(store.write_partition_sets({{a.attempt_id(), repo, full, sales, orders, {"p0", "p1"}, {}}}));
  ASSERT_TRUE(store.record_lineage(
      {{repo, must(SnapshotLabel::parse("sales_20250915_inc")), sales, repo, full, "baseline", {}}}));
  RestoreRecord r{make_id({"run-1", "0"}),
                  "run-1",
                  RestoreKind::kDrill,
                  "partition",
                  repo,
                  full,
                  *BackupTimestamp::from_server("ts"),
                  sales,
                  must(DatabaseName::parse("sk_drill_sales")),
                  {{orders, {}}},
                  Instant::from_unix_seconds(1757811600),
                  AttemptState::kFinished,
                  "FINISHED",
                  9,
                  Instant::from_unix_seconds(1757811601),
                  Instant::from_unix_seconds(1757811700),
                  std::string("e"),
                  "PASSED",
                  "{}",
                  "{}",
                  true,
                  {}};
  r.started_at = Instant::from_unix_seconds(1757811600);
  r.duration_seconds = 100;
  r.drill_period = "2025-Q3";
  r.drill_seed = "00ff00ff00ff00ff";
  ASSERT_TRUE(store.record_restore(r));
  RunMarker m{"run-1",     sales,       "2025-09-14T01:00:00Z daily",
              "host-a",    4242,        RunState::kActive,
              clock.now(), clock.now(), {}};
  ASSERT_TRUE(store.mark_run(m));
  clock.advance(std::chrono::seconds(30));
  ASSERT_TRUE(store.heartbeat(m));
  ASSERT_TRUE(store.finish_run(m, RunState::kAbandoned));
}

std::string reads(OpsStore& store) {
  const auto sales = must(DatabaseName::parse("sales"));
  std::ostringstream out;
  for (const auto& rec : must(store.load_inventory())) out << "inventory " << rec.table.str() << "\n";
  for (const auto& rec : must(store.load_inventory(sales))) {
    out << "inventory " << rec.database.str() << "." << rec.table.str() << " " << rec.table_class << " "
        << rec.partitioned << " " << rec.eligibility.size() << " " << to_string(rec.classified_by) << " "
        << rec.first_seen.unix_seconds() << " " << rec.last_seen.unix_seconds() << "\n";
  }
  auto attempts = must(store.load_backup_attempts(sales));
  auto filtered =
      must(store.load_backup_attempts(sales, {.label = must(SnapshotLabel::parse("sales_20250914_full")),
                                              .slot = Instant::from_unix_seconds(1757811600)}));
  auto unfinished = must(store.load_unfinished_attempts());
  for (const auto* list : {&attempts, &filtered, &unfinished}) {
    for (const auto& a : *list) {
      out << "attempt " << a.attempt_id() << " " << a.run_id << " " << a.label.str() << " " << a.tiers.size()
          << " " << time_text(a.slot) << " " << to_string(a.kind) << " " << objects_to_json(a.objects) << " "
          << to_string(a.state) << " " << a.server_state.value_or("-") << " " << a.job_id.value_or(-1) << " "
          << a.submit_tries << " " << time_text(a.submitted_at) << " " << time_text(a.started_at) << " "
          << a.error_text.value_or("-") << " " << a.bytes.value_or(-1) << " " << a.updated_at.unix_seconds()
          << "\n";
    }
  }
  for (const auto& l : must(store.load_last_manifest(sales))) {
    out << "last " << l.table.str() << " " << l.partition.str() << " " << l.partition_id << " "
        << l.visible_version << "\n";
  }
  for (const auto& e : must(store.load_manifest("a1"))) {
    out << "manifest " << e.entry_id() << " " << e.partition_id << " " << time_text(e.visible_version_time)
        << " " << e.row_count.value_or(-1) << " " << e.checksum.value_or("-") << " "
        << e.recorded_at.unix_seconds() << "\n";
  }
  for (const auto& s : must(store.load_partition_sets("a1"))) {
    out << "set " << s.set_id() << " " << s.partitions.size() << " " << s.recorded_at.unix_seconds() << "\n";
  }
  for (const auto& e : must(store.load_lineage(must(RepositoryName::parse("s3_prod")),
                                               must(SnapshotLabel::parse("sales_20250915_inc"))))) {
    out << "lineage " << e.edge_id() << " " << e.reason << " " << e.recorded_at.unix_seconds() << "\n";
  }
  for (const auto& m : must(store.load_active_runs(sales))) {
    out << "run " << m.marker_id() << " " << m.slot << " " << m.host << " " << m.pid << " "
        << to_string(m.state) << " " << m.heartbeat_at.unix_seconds() << " " << time_text(m.finished_at)
        << "\n";
  }
  return out.str();
}

TEST(OpsStoreTranscript, EveryStatementAndEveryReadMatchesTheGolden) {
  RecordingSqlConnection conn;
  ports::FakeClock clock(Instant::from_unix_seconds(1757815200));
  conn.on("^SHOW TABLES", make_rows({"Tables_in_ops"}, {{"schema_version"}}));
  conn.on("^SELECT `version`", make_rows({"version"}, {}));
  std::ostringstream transcript;
  ASSERT_TRUE(migrate(conn, OpsConfig{*DatabaseName::parse("ops"), 1}, clock, "starkeep test"));
  EXPECT_EQ(must(current_schema_version(conn, OpsConfig::defaults())), 0);
  script(conn);
  OpsStore store(conn, OpsConfig::defaults(), clock);
  writes(store, clock);
  const std::string digest = reads(store);
  for (const auto& s : conn.statements())
    transcript << (s.is_query ? "query   " : "execute ") << s.sql << "\n";
  transcript << "-- read back\n" << digest;

  const std::string actual = transcript.str();
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::ofstream(kGolden, std::ios::binary | std::ios::trunc) << actual;
    return;
  }
  std::ifstream in(kGolden, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing " << kGolden << " (run with UPDATE_GOLDEN=1)";
  std::stringstream expected_text;
  expected_text << in.rdbuf();
  // Line by line, so a difference names the one statement that changed.
  std::istringstream expected(expected_text.str());
  std::istringstream got(actual);
  std::string want_line;
  std::string got_line;
  for (int line = 1;; ++line) {
    const bool more_want = static_cast<bool>(std::getline(expected, want_line));
    const bool more_got = static_cast<bool>(std::getline(got, got_line));
    if (!more_want && !more_got) break;
    ASSERT_EQ(more_want ? want_line : "<end>", more_got ? got_line : "<end>") << kGolden << ":" << line;
  }
}

}  // namespace
}  // namespace sk::ops
