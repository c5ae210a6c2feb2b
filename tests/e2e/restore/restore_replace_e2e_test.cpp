// End-to-end partition replace and hostile names through the real `starkeep` binary against the emulator (faults
// on):
//  * issue 10 item 13: `restore partition DB.T p1 p2 --replace` replaces both live partitions in ONE statement — a
//    write fault injected into the second partition (ADMIN EMULATOR FAIL NEXT WRITE) leaves the live table exactly
//    as before (rows and VisibleVersions), success replaces both, and the replaced data is kept in
//    `<table>_p1_p2_replaced_<stamp>`, from which the documented statement brings it back;
//  * issue 10 item 18: `--database` / `--table` take names as they are — a database with dots, a backtick, quotes
//    and CJK characters, a table of 64 bytes — for table and partition restores, with no quoting.
// History rows, manifests and fingerprints are written through OpsStore as the runner writes them.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "emulator/harness/gtest_fixture.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/audited_connection.h"
#include "runtime/ports/clock.h"
#include "runtime/verify/fingerprint.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/gtest_sql.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace sk {
namespace {

using namespace sk::cli;  // NOLINT: kExit… (tools/starkeep/exit_codes.h)
using test::cell;

std::string q(const std::string& name) { return dialect::quote_identifier(name); }

class RestoreReplaceE2e : public emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--enable-faults", "--time-scale", "50"}); }

  void SetUp() override {
    ClusterFixture::SetUp();
    processes_ = std::make_unique<test::Processes>(std::filesystem::temp_directory_path() /
                                                   ("starkeep-replace-e2e-" + std::to_string(::getpid())));
    starkeep_ = std::make_unique<test::Starkeep>(*processes_, cluster().emulator().port());
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
    ASSERT_TRUE(ops::migrate(sql_->connection(), config_, clock_, "replace_e2e"));
    store_ = std::make_unique<ops::OpsStore>(sql_->connection(), config_, clock_);
  }
  void TearDown() override {
    const auto dir = processes_->dir();
    store_.reset();
    starkeep_.reset();
    processes_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir);
  }

  void exec(const std::string& sql) { test::exec_ok(*sql_, sql); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql); }

  // `db`.`t` with three monthly partitions p1..p3 and one replica.
  void create_table(const std::string& db, const std::string& table) {
    exec("CREATE DATABASE IF NOT EXISTS " + q(db));
    exec("CREATE TABLE " + q(db) + "." + q(table) +
         " (id BIGINT NOT NULL, dt DATE, note VARCHAR(64)) DUPLICATE KEY(id) "
         "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2024-02-01'), "
         "PARTITION p2 VALUES LESS THAN ('2024-03-01'), PARTITION p3 VALUES LESS THAN ('2024-04-01')) "
         "DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ('replication_num' = '1')");
  }

  std::string dump(const std::string& db, const std::string& table) {
    auto rows = query("SELECT id, dt, note FROM " + q(db) + "." + q(table) + " ORDER BY id");
    std::string out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out += cell(rows, i, "id") + "|" + cell(rows, i, "dt") + "|" + cell(rows, i, "note") + "\n";
    }
    return out;
  }
  // "p1=2 p2=3 p3=1": the live table's VisibleVersions.
  std::string versions(const std::string& db, const std::string& table) {
    auto rows = query("SELECT PARTITION_NAME, VISIBLE_VERSION FROM information_schema.partitions_meta WHERE DB_NAME = " +
                      dialect::quote_string(db) + " AND TABLE_NAME = " + dialect::quote_string(table) +
                      " ORDER BY PARTITION_NAME");
    std::string out;
    for (std::size_t i = 0; i < rows.size(); ++i)
      out += (i ? " " : "") + cell(rows, i, "PARTITION_NAME") + "=" + cell(rows, i, "VISIBLE_VERSION");
    return out;
  }

  void wait_backup(const std::string& db) {
    for (int i = 0; i < 600; ++i) {
      auto rows = query("SHOW BACKUP FROM " + q(db));
      if (rows.size() == 1 && cell(rows, 0, "State") == "FINISHED") return;
      ASSERT_FALSE(rows.size() == 1 && cell(rows, 0, "State") == "CANCELLED") << cell(rows, 0, "Status");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "backup did not finish";
  }

  // A whole-table BACKUP of `db`.`table` to `repo` with its history row, manifest (versions read before the
  // submit) and fingerprints, as the runner records them.
  // Returns the fingerprint outcome; statements of the fingerprint step go through `via` when given.
  verify::RecordOutcome backup(const std::string& db, const std::string& table, const std::string& label,
                               ports::SqlConnection* via = nullptr) {
    verify::RecordOutcome outcome;
    backup_into(db, table, label, via ? *via : sql_->connection(), outcome);
    return outcome;
  }
  void backup_into(const std::string& db, const std::string& table, const std::string& label,
                   ports::SqlConnection& via, verify::RecordOutcome& outcome) {
    auto meta = query("SELECT PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION, UNIX_TIMESTAMP(VISIBLE_VERSION_TIME) "
                      "AS VISIBLE_VERSION_UNIX FROM information_schema.partitions_meta "
                      "WHERE DB_NAME = " + dialect::quote_string(db) + " AND TABLE_NAME = " +
                      dialect::quote_string(table) + " AND IS_TEMP = 0");
    exec("BACKUP SNAPSHOT " + q(db) + "." + label + " TO " + repo_ + " ON (" + q(table) + ")");
    wait_backup(db);
    auto snaps = query("SHOW SNAPSHOT ON " + repo_ + " WHERE SNAPSHOT = '" + label + "'");
    ASSERT_EQ(snaps.size(), 1u);
    ops::BackupAttempt a{.run_id = "e2e",
                         .label = *SnapshotLabel::parse(label),
                         .repository = *RepositoryName::parse(repo_),
                         .database = *DatabaseName::parse(db)};
    a.kind = ops::BackupKind::kTables;
    a.state = ops::AttemptState::kFinished;
    a.server_state = "FINISHED";
    a.finished_at = clock_.now();
    a.backup_timestamp = BackupTimestamp::from_server(cell(snaps, 0, "Timestamp"));
    a.objects.push_back(ops::BackupObject{*TableName::parse(table), {}});
    ASSERT_TRUE(store_->record_backup_attempt(a));
    std::vector<ops::ManifestEntry> entries;
    for (std::size_t i = 0; i < meta.size(); ++i) {
      entries.push_back(ops::ManifestEntry{.attempt_id = a.attempt_id(),
                                           .repository = a.repository,
                                           .label = a.label,
                                           .database = a.database,
                                           .table = *TableName::parse(table),
                                           .partition = *PartitionName::parse(cell(meta, i, "PARTITION_NAME")),
                                           .partition_id = std::stoll(cell(meta, i, "PARTITION_ID")),
                                           .visible_version = std::stoll(cell(meta, i, "VISIBLE_VERSION"))});
      // As the runner's binding reads it (executor/binding.cpp): what fingerprint reuse keys on.
      entries.back().visible_version_time =
          Instant::from_unix_seconds(std::stoll(cell(meta, i, "VISIBLE_VERSION_UNIX")));
    }
    ASSERT_EQ(entries.size(), 3u);
    ASSERT_TRUE(store_->write_manifest(entries));
    ops::OpsStore store(via, config_, clock_);
    auto recorded = verify::record_fingerprints(via, store, a.label, a.database);
    ASSERT_TRUE(recorded) << recorded.error().describe();
    EXPECT_EQ(recorded->recorded, 3);
    outcome = *recorded;
  }

  std::vector<std::string> tables_like(const std::string& db, const std::string& pattern) {
    auto rows = query("SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = " +
                      dialect::quote_string(db) + " AND TABLE_NAME LIKE " + dialect::quote_string(pattern));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(cell(rows, i, "TABLE_NAME"));
    return out;
  }

  test::Finished run(const std::vector<std::string>& args) { return starkeep_->run_merged(args); }

  // A repository of the test's own (the tests of this file share one cluster when the binary runs alone).
  void create_repository(const std::string& name) {
    repo_ = name;
    exec("CREATE REPOSITORY " + name + " WITH BROKER ON LOCATION 's3a://replace-bucket/" + name + "'");
  }

  std::string repo_;
  ports::SystemClock clock_;
  ops::OpsConfig config_{*DatabaseName::parse("ops"), 1};
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::Starkeep> starkeep_;
  std::unique_ptr<test::ClusterSql> sql_;
  std::unique_ptr<ops::OpsStore> store_;
};

// Issue 10 item 13.
TEST_F(RestoreReplaceE2e, PartitionReplaceIsOneAtomicStepAndKeepsTheOldData) {
  create_table("atom", "orders");
  create_repository("repo_atom");
  exec("INSERT INTO atom.orders VALUES (1, '2024-01-05', 'a'), (2, '2024-02-06', 'b'), (3, '2024-03-07', 'c')");
  backup("atom", "orders", "full1");
  const std::string at_backup = dump("atom", "orders");
  exec("INSERT INTO atom.orders VALUES (4, '2024-01-10', 'd'), (5, '2024-02-11', 'e'), (6, '2024-03-12', 'f')");
  const std::string live = dump("atom", "orders");
  const std::string live_versions = versions("atom", "orders");

  // A write fault in p2: the replace of p1 and p2 fails as a whole; nothing of the live table changed.
  exec("ADMIN EMULATOR FAIL NEXT WRITE TO atom.orders PARTITION p2");
  auto failed = run({"restore", "partition", "atom.orders", "p1", "p2", "--snapshot", "full1", "--as", "stage1",
                     "--replace"});
  EXPECT_EQ(failed.code, kExitRestoreFailed) << failed.out;
  EXPECT_NE(failed.out.find("emulated fault"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("INSERT OVERWRITE `atom`.`orders` PARTITION (`p1`, `p2`) SELECT * FROM "
                            "`atom`.`stage1`"),
            std::string::npos)
      << "one statement over both partitions\n" << failed.out;
  EXPECT_EQ(dump("atom", "orders"), live) << "a failure halfway leaves the live table exactly as before";
  EXPECT_EQ(versions("atom", "orders"), live_versions);
  EXPECT_TRUE(tables_like("atom", "orders_p1_p2_replaced_%").empty())
      << "the copy of unchanged data is not left behind";

  // Success: both partitions as of the backup, p3 untouched; the replaced rows kept aside.
  auto ok = run({"restore", "partition", "atom.orders", "p1", "p2", "--snapshot", "full1", "--as", "stage2",
                 "--replace"});
  ASSERT_EQ(ok.code, kExitOk) << ok.out;
  EXPECT_EQ(dump("atom", "orders"), "1|2024-01-05|a\n2|2024-02-06|b\n3|2024-03-07|c\n6|2024-03-12|f\n") << ok.out;
  EXPECT_NE(at_backup, dump("atom", "orders"));
  auto kept = tables_like("atom", "orders_p1_p2_replaced_%");
  ASSERT_EQ(kept.size(), 1u) << ok.out;
  const std::string previous = kept.front();
  EXPECT_NE(ok.out.find("kept in atom." + previous), std::string::npos) << ok.out;
  EXPECT_EQ(dump("atom", previous), "1|2024-01-05|a\n2|2024-02-06|b\n4|2024-01-10|d\n5|2024-02-11|e\n");

  // The documented way back (docs/runbooks/restore-partition.md).
  exec("INSERT OVERWRITE atom.orders PARTITION (p1, p2) SELECT * FROM atom." + q(previous));
  EXPECT_EQ(dump("atom", "orders"), live);

  auto history = query("SELECT label, swapped, verification FROM ops.restore_history WHERE source_database = "
                       "'atom' ORDER BY swapped");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(cell(history, 0, "swapped"), "0") << "the failed replace";
  EXPECT_EQ(cell(history, 1, "swapped"), "1");
  EXPECT_EQ(cell(history, 1, "verification"), "PASSED");
}

// Issue 10 item 18: --database and --table take hostile names as they are.
TEST_F(RestoreReplaceE2e, DatabaseAndTableOptionsTakeNamesAsTheyAre) {
  const std::string db = "my.db`'\"销售";
  const std::string table = "t.订单_" + std::string(64 - 9, 'x');  // 64 bytes: 订单 is 6 of them
  ASSERT_EQ(table.size(), 64u);
  create_table(db, table);
  create_repository("repo_names");
  exec("INSERT INTO " + q(db) + "." + q(table) + " VALUES (1, '2024-01-05', 'a'), (2, '2024-02-06', 'b')");
  backup(db, table, "named1");

  auto whole = run({"restore", "table", "--database", db, "--table", table, "--snapshot", "named1", "--as",
                    "t_back", "--format", "json"});
  ASSERT_EQ(whole.code, kExitOk) << whole.out;
  EXPECT_EQ(dump(db, "t_back"), dump(db, table));
  EXPECT_NE(whole.out.find("\"verification\": \"PASSED\""), std::string::npos) << whole.out;

  auto part = run({"restore", "partition", "--database", db, "--table", table, "p2", "--snapshot", "named1"});
  ASSERT_EQ(part.code, kExitOk) << part.out;
  auto restored = tables_like(db, "%_p2_restored_%");
  ASSERT_EQ(restored.size(), 1u) << part.out;
  EXPECT_EQ(dump(db, restored.front()), "2|2024-02-06|b\n");

  // The database alone (into another database), and the usage errors.
  auto database = run({"restore", "database", "--database", db, "--snapshot", "named1", "--into", "names_copy",
                       "--dry-run"});
  EXPECT_EQ(database.code, kExitOk) << database.out;
  EXPECT_EQ(run({"restore", "table", "--database", db, "--snapshot", "named1", "--dry-run"}).code, kExitUsage);
  EXPECT_EQ(run({"restore", "table", "--table", table, "--snapshot", "named1", "--dry-run"}).code, kExitUsage);
  EXPECT_EQ(run({"restore", "partition", "--database", db, "--table", table, "--snapshot", "named1", "--dry-run"})
                .code,
            kExitUsage)
      << "a partition restore names its partitions";
  EXPECT_EQ(run({"restore", "partition", "--database", db, "--table", table, "p1", "p1", "--snapshot", "named1",
                 "--dry-run"})
                .code,
            kExitUsage);
  EXPECT_EQ(run({"restore", "table", "my.db.t", "--snapshot", "named1", "--dry-run"}).code, kExitUsage)
      << "an unquoted dotted name is ambiguous";
}

// Counts the statements that pass through, and the fingerprint scans among them.
struct CountingSink final : ports::StatementSink {
  void on_statement(const ports::StatementEvent& event) override {
    ++statements;
    if (event.sql.starts_with("SELECT COUNT(*) AS row_count")) ++scans;
  }
  int statements = 0;
  int scans = 0;
};

// Issue 10 item 14: a partition whose content was fingerprinted before is not scanned again; never across a
// replaced table's data or a recreated table (new partition ids).
TEST_F(RestoreReplaceE2e, FingerprintsOfUnchangedPartitionsAreReusedOnlyWhenSafe) {
  create_table("reuse", "t");
  create_repository("repo_reuse");
  exec("INSERT INTO reuse.t VALUES (1, '2024-01-05', 'a'), (2, '2024-02-06', 'b'), (3, '2024-03-07', 'c')");
  CountingSink sink;
  ports::AuditedConnection counted(sql_->connection(), sink, clock_);
  auto scans = [&](const std::string& label) {
    const int before = sink.scans;
    const verify::RecordOutcome out = backup("reuse", "t", label, &counted);
    return std::pair{out.reused, sink.scans - before};
  };
  EXPECT_EQ(scans("m1"), std::pair(0, 3)) << "nothing recorded before: every partition scanned";

  exec("INSERT INTO reuse.t VALUES (4, '2024-02-10', 'd')");
  EXPECT_EQ(scans("m2"), std::pair(2, 1)) << "only the written partition p2 is scanned";
  auto manifest = query("SELECT partition_name, checksum, checksum_row_count FROM ops.backup_manifest WHERE label "
                        "IN ('m1', 'm2') ORDER BY partition_name, label");
  ASSERT_EQ(manifest.size(), 6u);
  EXPECT_EQ(cell(manifest, 0, "checksum"), cell(manifest, 1, "checksum")) << "p1: the same value, copied";
  EXPECT_NE(cell(manifest, 2, "checksum"), cell(manifest, 3, "checksum")) << "p2 changed";
  EXPECT_EQ(cell(manifest, 3, "checksum_row_count"), "2");

  // A restore that replaced live data of the table: nothing recorded before it is reused for that table.
  auto replaced = run({"restore", "partition", "reuse.t", "p1", "--snapshot", "m1", "--as", "t_p1", "--replace",
                       "--drop-old"});
  ASSERT_EQ(replaced.code, kExitOk) << replaced.out;
  // Instants are whole seconds, and a value recorded in the second of a replace is not trusted: m3 starts after it.
  const std::int64_t replaced_second = clock_.now().unix_seconds();
  while (clock_.now().unix_seconds() == replaced_second) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(scans("m3"), std::pair(0, 3));
  EXPECT_EQ(scans("m4"), std::pair(3, 0)) << "recorded after the replace: reused";

  // The table dropped and created again with the same rows: new partition ids, nothing reused.
  exec("DROP TABLE reuse.t");
  create_table("reuse", "t");
  exec("INSERT INTO reuse.t VALUES (1, '2024-01-05', 'a'), (2, '2024-02-06', 'b'), (3, '2024-03-07', 'c')");
  EXPECT_EQ(scans("m5"), std::pair(0, 3));
}

}  // namespace
}  // namespace sk
