// Unit tests of the emulator's BackupService against an in-memory catalog: statement texts, exact error
// messages, job state machines as seen through SHOW BACKUP/RESTORE, snapshot layout and round trip, and the
// job faults.
#include "emulator/backup/backup_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "emulator/backup/statements.h"
#include "tests/emulator/backup/fake_catalog.h"

namespace sk::emu {
namespace {

namespace fs = std::filesystem;
using testing::FakeCatalog;

ColumnSchema col(std::string name, std::string type, bool key = false, bool nullable = true) {
  ColumnSchema c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.is_key = key;
  c.nullable = nullable;
  return c;
}

TableSchema orders_schema(const std::string& db) {
  TableSchema t;
  t.database = db;
  t.name = "orders";
  t.keys_type = "DUP_KEYS";
  t.key_columns = {"id"};
  t.columns = {col("id", "BIGINT", true, false), col("dt", "DATE"), col("note", "VARCHAR(64)")};
  t.partition_type = "RANGE";
  t.partition_columns = {"dt"};
  PartitionSchema p1;
  p1.name = "p1";
  p1.upper = {"2024-02-01"};
  PartitionSchema p2;
  p2.name = "p2";
  p2.lower = {"2024-02-01"};
  p2.upper = {"2024-03-01"};
  t.partitions = {p1, p2};
  t.distribution_columns = {"id"};
  t.buckets = 2;
  return t;
}

TableSchema items_schema(const std::string& db) {
  TableSchema t;
  t.database = db;
  t.name = "items";
  t.keys_type = "PRI_KEYS";
  t.key_columns = {"k"};
  t.columns = {col("k", "INT", true, false), col("v", "STRING")};
  PartitionSchema p;
  p.name = "items";
  t.partitions = {p};
  return t;
}

class BackupServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sk_backup_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(root_);
    catalog_.add_table(orders_schema("sales"));
    catalog_.add_table(items_schema("sales"));
    catalog_.insert("sales", "orders", "p1",
                    {{"1", "2024-01-05", "plain"}, {"2", "2024-01-06", std::nullopt}});
    catalog_.insert("sales", "orders", "p2", {{"3", "2024-02-07", "日本語 ✓ émoji 🎉"}});
    catalog_.insert("sales", "items", "items", {{"10", "x"}, {"11", std::nullopt}});
    catalog_.create_database("empty_db").value();
    catalog_.create_database("other").value();
  }
  void TearDown() override {
    services_.clear();
    clusters_.clear();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  EmulatorConfig config(double scale = 2000) {
    EmulatorConfig c;
    c.repository_root = root_.string();
    c.time_scale = scale;
    c.job_fixed_seconds = 2.0;
    c.faults_enabled = true;
    return c;
  }

  BackupService& start(EmulatorConfig c, FakeCatalog* catalog = nullptr) {
    auto cluster = std::make_unique<ClusterState>(std::move(c));
    std::vector<BackendState> bes;
    for (int i = 0; i < 3; ++i) {
      BackendState b;
      b.id = 10001 + i;
      b.disks.push_back(DiskState{"/data" + std::to_string(i) + "/starrocks/storage", int64_t{1} << 40,
                                  int64_t{1} << 39, 0});
      bes.push_back(b);
    }
    cluster->set_backends(bes);
    services_.push_back(std::make_unique<BackupService>(catalog ? *catalog : catalog_, *cluster));
    clusters_.push_back(std::move(cluster));
    return *services_.back();
  }
  BackupService& svc() {
    if (services_.empty()) start(config());
    return *services_.front();
  }
  ClusterState& cluster() { return *clusters_.front(); }

  QueryResult run(BackupService& s, std::string_view sql, const std::string& db = "sales") {
    auto r = s.try_handle(SessionContext{"root", db}, sql);
    EXPECT_TRUE(r.has_value()) << sql;
    if (!r) return ErrorResult{0, "", "<not handled>"};
    return *r;
  }
  void ok(std::string_view sql, const std::string& db = "sales") { ok_on(svc(), sql, db); }
  void ok_on(BackupService& s, std::string_view sql, const std::string& db = "sales") {
    QueryResult r = run(s, sql, db);
    if (auto* e = std::get_if<ErrorResult>(&r)) ADD_FAILURE() << sql << " failed: " << e->message;
  }
  std::string err(std::string_view sql, const std::string& db = "sales") { return err_on(svc(), sql, db); }
  std::string err_on(BackupService& s, std::string_view sql, const std::string& db = "sales") {
    QueryResult r = run(s, sql, db);
    if (auto* e = std::get_if<ErrorResult>(&r)) return e->message;
    return "<no error>";
  }
  ResultSet rows(std::string_view sql, const std::string& db = "sales") { return rows_on(svc(), sql, db); }
  ResultSet rows_on(BackupService& s, std::string_view sql, const std::string& db = "sales") {
    QueryResult r = run(s, sql, db);
    if (auto* rs = std::get_if<ResultSet>(&r)) return *rs;
    if (auto* e = std::get_if<ErrorResult>(&r)) ADD_FAILURE() << sql << " failed: " << e->message;
    return {};
  }
  static std::optional<std::string> cell(const ResultSet& rs, size_t row, std::string_view column) {
    for (size_t i = 0; i < rs.columns.size(); ++i) {
      if (rs.columns[i].name == column) return rs.rows.at(row).at(i);
    }
    ADD_FAILURE() << "no column " << column;
    return std::nullopt;
  }
  static std::string str(const ResultSet& rs, size_t row, std::string_view column) {
    return cell(rs, row, column).value_or("<NULL>");
  }
  static std::vector<std::string> names(const ResultSet& rs) {
    std::vector<std::string> out;
    for (const Column& c : rs.columns) out.push_back(c.name);
    return out;
  }

  // Polls SHOW BACKUP/RESTORE until the job of `db` is FINISHED or CANCELLED; returns that row set.
  ResultSet wait_done(BackupService& s, bool restore, const std::string& db = "sales") {
    std::string sql = std::string(restore ? "SHOW RESTORE FROM " : "SHOW BACKUP FROM ") + db;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      ResultSet rs = rows_on(s, sql, db);
      if (!rs.rows.empty()) {
        std::string st = str(rs, 0, "State");
        if (st == "FINISHED" || st == "CANCELLED") return rs;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "job did not finish";
    return rows_on(s, sql, db);
  }
  ResultSet wait_done(bool restore = false, const std::string& db = "sales") {
    return wait_done(svc(), restore, db);
  }

  // Waits until the job of `db` shows `state`.
  void wait_state(BackupService& s, bool restore, const std::string& state, const std::string& db = "sales") {
    std::string sql = std::string(restore ? "SHOW RESTORE FROM " : "SHOW BACKUP FROM ") + db;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      ResultSet rs = rows_on(s, sql, db);
      if (!rs.rows.empty() && str(rs, 0, "State") == state) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ADD_FAILURE() << "job never reached " << state;
  }

  // A finished full backup of `sales` into repo `repo`; returns its backup timestamp.
  std::string backup_sales(const std::string& label, const std::string& on = "") {
    ok("BACKUP SNAPSHOT sales." + label + " TO repo" + on);
    ResultSet rs = wait_done();
    EXPECT_EQ(str(rs, 0, "State"), "FINISHED") << str(rs, 0, "Status");
    ResultSet snap = rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = '" + label + "'");
    return str(snap, 0, "Timestamp");
  }

  fs::path root_;
  FakeCatalog catalog_;
  std::vector<std::unique_ptr<ClusterState>> clusters_;
  std::vector<std::unique_ptr<BackupService>> services_;
};

// ------------------------------------------------------------------ routing and parsing

TEST_F(BackupServiceTest, OtherStatementsAreNotHandled) {
  for (std::string_view sql :
       {"SELECT 1", "CREATE TABLE t (a INT)", "SHOW BACKENDS", "SHOW DATABASES",
        "ADMIN EMULATOR SET BACKEND 10001 ALIVE = false", "DROP TABLE t", "insert into t values(1)",
        "SHOW PROC '/backends'", "CANCEL ALTER TABLE COLUMN FROM t"}) {
    EXPECT_FALSE(svc().try_handle(SessionContext{"root", "sales"}, sql).has_value()) << sql;
  }
}

TEST_F(BackupServiceTest, SyntaxErrorsAreReported) {
  EXPECT_EQ(
      err("BACKUP SNAPSHOT sales.l1 INTO repo"),
      "Getting syntax error at line 1, column 25. Detail message: Unexpected input 'INTO', the most similar "
      "input is {'TO'}.");
  // 3.4 grammar is refused before 3.4.
  EXPECT_TRUE(
      err("BACKUP DATABASE sales SNAPSHOT l1 TO repo ON (ALL TABLES)").starts_with("Getting syntax error"));
  EXPECT_TRUE(err("DROP SNAPSHOT l1 ON repo").starts_with("Getting syntax error"));
}

TEST_F(BackupServiceTest, ErrorCodeFollowsConfiguration) {
  EmulatorConfig c = config();
  c.error_code = 5064;
  c.error_sql_state = "42000";
  BackupService& s = start(c);
  QueryResult r = run(s, "DROP REPOSITORY nope");
  auto* e = std::get_if<ErrorResult>(&r);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, 5064);
  EXPECT_EQ(e->sql_state, "42000");
  EXPECT_EQ(e->message, "Repository does not exist");
  QueryResult r2 = run(svc(), "DROP REPOSITORY nope");
  EXPECT_EQ(std::get<ErrorResult>(r2).code, 5064);
}

TEST_F(BackupServiceTest, VersionParsing) {
  auto v = backup::Version::parse("3.4.1-abc");
  EXPECT_TRUE(v.at_least(3, 4));
  EXPECT_FALSE(v.at_least(3, 5));
  EXPECT_TRUE(backup::Version::parse("4.2.0").at_least(4, 2));
}

// ------------------------------------------------------------------ repositories

TEST_F(BackupServiceTest, CreateShowDropRepository) {
  ok("CREATE REPOSITORY `repo` WITH BROKER ON LOCATION \"s3a://bucket/backups/\" PROPERTIES "
     "(\"aws.s3.access_key\" = \"k\", \"aws.s3.secret_key\" = \"s\", \"aws.s3.endpoint\" = "
     "\"http://minio:9000\")");
  ok("create read only repository ro with broker on location 'hdfs://nn:8020/sr/bk'");
  EXPECT_TRUE(fs::exists(root_ / "bucket/backups/__starrocks_repository_repo/__repo_info"));
  EXPECT_TRUE(fs::exists(root_ / "hdfs/nn/sr/bk/__starrocks_repository_ro/__repo_info"));

  ResultSet rs = rows("SHOW REPOSITORIES");
  EXPECT_EQ(names(rs), (std::vector<std::string>{"RepoId", "RepoName", "CreateTime", "IsReadOnly", "Location",
                                                 "Broker", "ErrMsg"}));
  ASSERT_EQ(rs.rows.size(), 2u);
  EXPECT_EQ(str(rs, 0, "RepoName"), "repo");
  EXPECT_EQ(str(rs, 0, "IsReadOnly"), "false");
  EXPECT_EQ(str(rs, 0, "Location"), "s3a://bucket/backups");
  EXPECT_EQ(str(rs, 0, "Broker"), "");
  EXPECT_FALSE(cell(rs, 0, "ErrMsg").has_value());
  EXPECT_EQ(str(rs, 0, "CreateTime").size(), 19u);
  EXPECT_EQ(str(rs, 1, "IsReadOnly"), "true");

  EXPECT_EQ(err("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/other'"),
            "Failed to create repository: repository with same name already exist: repo");
  EXPECT_EQ(err("CREATE REPOSITORY r2 WITH BROKER hdfs_broker ON LOCATION 's3a://bucket/other'"),
            "broker does not exist: hdfs_broker");
  EXPECT_EQ(err("CREATE REPOSITORY r3 WITH BROKER ON LOCATION 'ftp://x/y'"),
            "Failed to create repository: Invalid location: ftp://x/y");
  ok("DROP REPOSITORY ro");
  EXPECT_EQ(rows("SHOW REPOSITORIES").rows.size(), 1u);
  EXPECT_EQ(err("DROP REPOSITORY ro"), "Repository does not exist");
  // The data stays in storage.
  EXPECT_TRUE(fs::exists(root_ / "hdfs/nn/sr/bk/__starrocks_repository_ro/__repo_info"));
}

TEST_F(BackupServiceTest, SecondClusterAdoptsRepositoryAndItsSnapshots) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string created = str(rows("SHOW REPOSITORIES"), 0, "CreateTime");
  std::string ts = backup_sales("l1");

  FakeCatalog other_catalog;
  other_catalog.add_table(orders_schema("sales"));
  BackupService& second = start(config(), &other_catalog);
  ok_on(second, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  EXPECT_EQ(str(rows_on(second, "SHOW REPOSITORIES"), 0, "CreateTime"), created);
  ResultSet snaps = rows_on(second, "SHOW SNAPSHOT ON repo");
  ASSERT_EQ(snaps.rows.size(), 1u);
  EXPECT_EQ(str(snaps, 0, "Snapshot"), "l1");
  EXPECT_EQ(str(snaps, 0, "Timestamp"), ts);
  EXPECT_EQ(str(snaps, 0, "Status"), "OK");
  // Labels are unique per repository, across clusters.
  EXPECT_EQ(err_on(second, "BACKUP SNAPSHOT sales.l1 TO repo"),
            "Snapshot with name 'l1' already exist in repository");
}

// ------------------------------------------------------------------ backup

TEST_F(BackupServiceTest, BackupSynchronousErrors) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("CREATE READ ONLY REPOSITORY ro WITH BROKER ON LOCATION 's3a://bucket/ro'");
  EXPECT_EQ(err("BACKUP SNAPSHOT nodb.l TO repo"),
            "Getting analyzing error. Detail message: Unknown database 'nodb'.");
  EXPECT_EQ(err("BACKUP SNAPSHOT l TO repo", ""),
            "Getting analyzing error. Detail message: No database selected.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO nope"),
            "Getting analyzing error. Detail message: Repository [nope] does not exist.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo ON (missing)"), "Unknown table 'missing'");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo ON (orders PARTITION (p9))"),
            "Getting analyzing error. Detail message: partition[p9] does not exist  in tableorders.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo ON (orders, items, orders)"),
            "Getting analyzing error. Detail message: Duplicated table: orders.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo ON (orders AS o)"),
            "Getting analyzing error. Detail message: Can not set alias for table in Backup Stmt: "
            "sales.orders AS o.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo PROPERTIES ('timeout' = '60')"),
            "Getting analyzing error. Detail message: timeout must be at least 10 min.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo PROPERTIES ('timeout' = 'abc')"),
            "Getting analyzing error. Detail message: Invalid timeout format: abc.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo PROPERTIES ('type' = 'delta')"),
            "Getting analyzing error. Detail message: Invalid backup job type: delta.");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo PROPERTIES ('type' = 'full', 'zz' = '1', 'aa' = '2')"),
            "Getting analyzing error. Detail message: Unknown backup job properties: [aa, zz].");
  EXPECT_EQ(err("BACKUP SNAPSHOT empty_db.l TO repo"), "Database: empty_db is empty");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO ro"), "Repository ro is read only");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo ON (orders TEMPORARY PARTITION (p1))"),
            "Do not support backing up temp partitions");
}

TEST_F(BackupServiceTest, BackupRefusesViewsAndOldListPartitioning) {
  TableSchema view = items_schema("sales");
  view.name = "v_items";
  view.table_type = "VIEW";
  catalog_.add_table(view);
  TableSchema list = items_schema("lists");
  list.name = "by_list";
  list.partition_type = "LIST";
  list.partition_columns = {"k"};
  catalog_.add_table(list);
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l TO repo ON (v_items)"), "Table 'v_items' is not a OLAP table");
  ok("BACKUP SNAPSHOT lists.l TO repo ON (by_list)");  // 3.3 accepts list partitioning
  EmulatorConfig c = config();
  c.starrocks_version = "3.2.9";
  BackupService& old = start(c);
  ok_on(old, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  EXPECT_EQ(
      err_on(old, "BACKUP SNAPSHOT lists.l2 TO repo ON (by_list)"),
      "Getting analyzing error. Detail message: List partition table does not support backup/restore job.");
  // 3.0-3.2 wrap handler errors.
  EXPECT_EQ(err_on(old, "BACKUP SNAPSHOT sales.l TO repo ON (v_items)"),
            "Unexpected exception: Table 'v_items' is not a OLAP table");
}

TEST_F(BackupServiceTest, BackupStatesAdvanceInOrderWithTimeColumns) {
  BackupService& s = start(config(100));  // 20 ms per state
  ok_on(s, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok_on(s, "BACKUP SNAPSHOT sales.l1 TO repo ON (orders PARTITION (p1), items) PROPERTIES ('type' = 'full')");
  EXPECT_EQ(str(rows_on(s, "SHOW BACKUP"), 0, "JobId"), "-1");  // no id before the PENDING step ran
  std::vector<std::string> seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  ResultSet last;
  while (std::chrono::steady_clock::now() < deadline) {
    ResultSet rs = rows_on(s, "SHOW BACKUP");
    ASSERT_EQ(rs.rows.size(), 1u);
    std::string st = str(rs, 0, "State");
    if (seen.empty() || seen.back() != st) {
      seen.push_back(st);
      bool snap_done = st == "UPLOAD_SNAPSHOT" || st == "UPLOADING" || st == "SAVE_META" ||
                       st == "UPLOAD_INFO" || st == "FINISHED";
      bool upload_done = st == "SAVE_META" || st == "UPLOAD_INFO" || st == "FINISHED";
      EXPECT_EQ(cell(rs, 0, "SnapshotFinishedTime").has_value(), snap_done) << st;
      EXPECT_EQ(cell(rs, 0, "UploadFinishedTime").has_value(), upload_done) << st;
      EXPECT_EQ(cell(rs, 0, "FinishedTime").has_value(), st == "FINISHED") << st;
      if (st != "PENDING") {
        EXPECT_NE(str(rs, 0, "JobId"), "-1") << st;  // allocated by the PENDING step
      }
      // The snapshot appears (with a timestamp) only after UPLOAD_INFO.
      ResultSet snap = rows_on(s, "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1'");
      EXPECT_EQ(str(snap, 0, "Status") == "OK", st == "FINISHED") << st;
    }
    last = rs;
    if (st == "FINISHED" || st == "CANCELLED") break;
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"PENDING", "SNAPSHOTING", "UPLOAD_SNAPSHOT", "UPLOADING",
                                            "SAVE_META", "UPLOAD_INFO", "FINISHED"}));
  EXPECT_EQ(names(last),
            (std::vector<std::string>{"JobId", "SnapshotName", "DbName", "State", "BackupObjs", "CreateTime",
                                      "SnapshotFinishedTime", "UploadFinishedTime", "FinishedTime",
                                      "UnfinishedTasks", "Progress", "TaskErrMsg", "Status", "Timeout"}));
  EXPECT_EQ(str(last, 0, "SnapshotName"), "l1");
  EXPECT_EQ(str(last, 0, "DbName"), "sales");
  EXPECT_EQ(str(last, 0, "BackupObjs"), "[sales.items], [sales.ordersPARTITIONS (p1)]");
  EXPECT_EQ(str(last, 0, "Status"), "[OK]");
  EXPECT_EQ(str(last, 0, "Timeout"), "86400");
  EXPECT_EQ(str(last, 0, "UnfinishedTasks"), "");
  EXPECT_EQ(str(last, 0, "Progress"), "");
  EXPECT_EQ(str(last, 0, "TaskErrMsg"), "");
}

TEST_F(BackupServiceTest, SnapshotLayoutAndShowSnapshotShapes) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  ASSERT_EQ(ts.size(), 23u) << ts;  // yyyy-MM-dd-HH-mm-ss-SSS
  EXPECT_EQ(ts[4], '-');
  EXPECT_EQ(ts[19], '-');
  fs::path ss = root_ / "bucket/bk/__starrocks_repository_repo/__ss_l1";
  int metas = 0;
  int infos = 0;
  int data_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(ss)) {
    std::string n = e.path().filename().string();
    EXPECT_FALSE(n.ends_with(".part")) << n;
    if (n.starts_with("__meta.")) ++metas;
    if (n.starts_with("__info_" + ts + ".")) ++infos;
    if (n.find("_0_0.dat.") != std::string::npos) ++data_files;
  }
  EXPECT_EQ(metas, 1);
  EXPECT_EQ(infos, 1);
  EXPECT_EQ(data_files, 3);  // orders p1, p2, items
  EXPECT_TRUE(fs::exists(ss / "__ss_content"));

  ResultSet all = rows("SHOW SNAPSHOT ON repo");
  EXPECT_EQ(names(all), (std::vector<std::string>{"Snapshot", "Timestamp", "Status"}));
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(str(all, 0, "Timestamp"), ts);

  ResultSet one = rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1' AND TIMESTAMP = '" + ts + "'");
  EXPECT_EQ(names(one), (std::vector<std::string>{"Snapshot", "Timestamp", "Database", "Details", "Status"}));
  EXPECT_EQ(str(one, 0, "Database"), "sales");
  EXPECT_EQ(str(one, 0, "Status"), "OK");
  std::string details = str(one, 0, "Details");
  EXPECT_NE(details.find("\"orders\""), std::string::npos);
  EXPECT_NE(details.find("\"p2\""), std::string::npos);

  ResultSet bad =
      rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1' AND TIMESTAMP = '2000-01-01-00-00-00-000'");
  EXPECT_FALSE(cell(bad, 0, "Database").has_value());
  EXPECT_TRUE(str(bad, 0, "Status")
                  .starts_with("Failed to get info: Expected one file with path: "
                               "s3a://bucket/bk/__starrocks_repository_repo/__ss_l1/"
                               "__info_2000-01-01-00-00-00-000. get: 0"));

  ResultSet missing = rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT IN ('l1', 'nope')");
  ASSERT_EQ(missing.rows.size(), 2u);
  EXPECT_EQ(str(missing, 1, "Status"), "ERROR: no snapshot");
  EXPECT_EQ(err("SHOW SNAPSHOT ON nope"),
            "Getting analyzing error. Detail message: Repository nope does not exist.");

  // An unfinished upload of an info file shows as Invalid.
  std::ofstream(ss / "__info_2030-01-01-00-00-00-000.part") << "x";
  ResultSet partial = rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1'");
  EXPECT_EQ(str(partial, 0, "Timestamp"), ts + "\nInvalid: __info_2030-01-01-00-00-00-000.part");
}

TEST_F(BackupServiceTest, SnapshotCapturesDataAsOfSnapshotingStep) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR DELAY JOB AT UPLOAD_SNAPSHOT SECONDS 2000");
  ok("BACKUP SNAPSHOT sales.l1 TO repo ON (items)");
  wait_state(svc(), false, "UPLOAD_SNAPSHOT");
  catalog_.insert("sales", "items", "items", {{"12", "late write"}});
  ResultSet rs = wait_done();
  ASSERT_EQ(str(rs, 0, "State"), "FINISHED");
  std::string ts = str(rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1'"), 0, "Timestamp");
  ok("RESTORE SNAPSHOT other.l1 FROM repo ON (items) PROPERTIES ('backup_timestamp' = '" + ts + "')");
  ASSERT_EQ(str(wait_done(true, "other"), 0, "State"), "FINISHED");
  EXPECT_EQ(catalog_.rows("other", "items", "items").size(), 2u);
}

TEST_F(BackupServiceTest, OneJobPerDatabaseSharedByBackupAndRestore) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  ok("ADMIN EMULATOR DELAY JOB AT UPLOADING SECONDS 100000");
  ok("BACKUP SNAPSHOT sales.l2 TO repo");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l3 TO repo"),
            "Can only run one backup or restore job of a database at same time");
  EXPECT_EQ(err("RESTORE SNAPSHOT sales.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "')"),
            "Can only run one backup or restore job of a database at same time");
  // Another database is free.
  ok("RESTORE SNAPSHOT other.l1 FROM repo ON (items) PROPERTIES ('backup_timestamp' = '" + ts + "')");
  ok("CANCEL BACKUP FROM sales");
  ResultSet rs = rows("SHOW BACKUP FROM sales");
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_EQ(str(rs, 0, "Status"), "[COMMON_ERROR, msg: user cancelled]");
  EXPECT_TRUE(cell(rs, 0, "FinishedTime").has_value());
  EXPECT_EQ(err("CANCEL BACKUP FROM sales"),
            "Failed to cancel job: Job with label l2 can not be cancelled. state: "
            "CANCELLED");
  EXPECT_EQ(err("CANCEL RESTORE FROM sales"), "No restore is currently running");
  EXPECT_EQ(err("CANCEL BACKUP FROM empty_db"), "No backup job is currently running");
  // An existing snapshot occupies the label.
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l1 TO repo"), "Snapshot with name 'l1' already exist in repository");
  // SHOW without a database lists the latest job of every database.
  ResultSet all = rows("SHOW RESTORE", "");
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(str(all, 0, "DbName"), "other");
  EXPECT_EQ(rows("SHOW RESTORE FROM sales").rows.size(), 0u);  // latest sales job is a backup
  EXPECT_EQ(err("SHOW BACKUP FROM nodb"),
            "Getting analyzing error. Detail message: Unknown database 'nodb'.");
}

TEST_F(BackupServiceTest, ConcurrentSubmissionsGetExactlyOneSlot) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR DELAY JOB AT PENDING SECONDS 100000");
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = svc().try_handle(SessionContext{"root", "sales"},
                                "BACKUP SNAPSHOT sales.c" + std::to_string(i) + " TO repo");
      if (r && std::holds_alternative<OkResult>(*r)) {
        ++accepted;
      } else if (r && std::get<ErrorResult>(*r).message ==
                          "Can only run one backup or restore job of a database at same time") {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

// ------------------------------------------------------------------ restore

TEST_F(BackupServiceTest, RestoreSynchronousErrors) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  std::string props = "PROPERTIES ('backup_timestamp' = '" + ts + "')";
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM repo"),
            "Getting analyzing error. Detail message: Missing backup_timestamp property.");
  EXPECT_EQ(
      err("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "', 'k' = 'v')"),
      "Getting analyzing error. Detail message: Unknown restore job properties: [k].");
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts +
                "', 'allow_load' = 'maybe')"),
            "Getting analyzing error. Detail message: Invalid allow load value: maybe.");
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts +
                "', 'timeout' = '599')"),
            "Getting analyzing error. Detail message: timeout must be at least 10 min.");
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM repo ON (orders, orders) " + props),
            "Getting analyzing error. Detail message: Duplicated table: orders.");
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM repo ON (orders AS x, items AS x) " + props),
            "Getting analyzing error. Detail message: Duplicated alias name: x.");
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM nope " + props), "Repository nope does not exist");
  EXPECT_EQ(
      err("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '2020-01-01-00-00-00-000')"),
      "Failed to get info of snapshot 'l1' because: Expected one file with path: "
      "s3a://bucket/bk/__starrocks_repository_repo/__ss_l1/__info_2020-01-01-00-00-00-000. get: 0. Maybe "
      "specified wrong backup timestamp");
  EXPECT_EQ(err("RESTORE SNAPSHOT nodb.l1 FROM repo " + props), "Unknown database 'nodb'");
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM repo ON (ghost) " + props),
            "Table ghost does not exist in snapshot l1");
  EXPECT_EQ(err("RESTORE SNAPSHOT other.l1 FROM repo ON (orders PARTITION (p7)) " + props),
            "Partition p7 of table orders does not exist in snapshot l1");
}

TEST_F(BackupServiceTest, RestoreRoundTripWithAliasNullsAndUnicode) {
  BackupService& s = start(config(100));
  ok_on(s, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok_on(s, "BACKUP SNAPSHOT sales.l1 TO repo");
  ASSERT_EQ(str(wait_done(s, false), 0, "State"), "FINISHED");
  std::string ts = str(rows_on(s, "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1'"), 0, "Timestamp");
  ok_on(s,
        "RESTORE SNAPSHOT other.l1 FROM repo ON (orders AS orders_copy, items) PROPERTIES "
        "('backup_timestamp' = '" +
            ts + "', 'replication_num' = '3', 'timeout' = '3600')");
  std::vector<std::string> seen;
  ResultSet last;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    ResultSet rs = rows_on(s, "SHOW RESTORE FROM other", "");
    std::string st = str(rs, 0, "State");
    if (seen.empty() || seen.back() != st) {
      seen.push_back(st);
      EXPECT_EQ(cell(rs, 0, "MetaPreparedTime").has_value(), st != "PENDING") << st;
      EXPECT_EQ(cell(rs, 0, "SnapshotFinishedTime").has_value(), st != "PENDING" && st != "SNAPSHOTING")
          << st;
      EXPECT_EQ(cell(rs, 0, "DownloadFinishedTime").has_value(),
                st == "COMMIT" || st == "COMMITTING" || st == "FINISHED")
          << st;
      EXPECT_EQ(cell(rs, 0, "FinishedTime").has_value(), st == "FINISHED") << st;
    }
    last = rs;
    if (st == "FINISHED" || st == "CANCELLED") break;
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"PENDING", "SNAPSHOTING", "DOWNLOAD", "DOWNLOADING", "COMMIT",
                                            "COMMITTING", "FINISHED"}));
  EXPECT_EQ(names(last),
            (std::vector<std::string>{"JobId", "Label", "Timestamp", "DbName", "State", "AllowLoad",
                                      "ReplicationNum", "RestoreObjs", "CreateTime", "MetaPreparedTime",
                                      "SnapshotFinishedTime", "DownloadFinishedTime", "FinishedTime",
                                      "UnfinishedTasks", "Progress", "TaskErrMsg", "Status", "Timeout"}));
  EXPECT_EQ(str(last, 0, "Label"), "l1");
  EXPECT_EQ(str(last, 0, "Timestamp"), ts);
  EXPECT_EQ(str(last, 0, "AllowLoad"), "false");
  EXPECT_EQ(str(last, 0, "ReplicationNum"), "3");
  EXPECT_EQ(str(last, 0, "RestoreObjs"), "items, orders PARTITIONS [p1, p2]");
  EXPECT_EQ(str(last, 0, "Timeout"), "3600");
  EXPECT_EQ(str(last, 0, "Status"), "[OK]");

  EXPECT_EQ(catalog_.rows("other", "orders_copy", "p1"), catalog_.rows("sales", "orders", "p1"));
  EXPECT_EQ(catalog_.rows("other", "orders_copy", "p2"), catalog_.rows("sales", "orders", "p2"));
  EXPECT_EQ(catalog_.rows("other", "items", "items"), catalog_.rows("sales", "items", "items"));
  auto p2 = catalog_.rows("other", "orders_copy", "p2");
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p2[0][2], std::optional<std::string>("日本語 ✓ émoji 🎉"));
  EXPECT_FALSE(catalog_.rows("other", "orders_copy", "p1")[1][2].has_value());
  // The restored partitions carry the snapshot's VisibleVersion.
  auto restored = catalog_.find_table("other", "orders_copy").value().value();
  auto source = catalog_.find_table("sales", "orders").value().value();
  EXPECT_EQ(restored.partitions[0].visible_version, source.partitions[0].visible_version);
}

TEST_F(BackupServiceTest, RestoreOverwritesSameSchemaAndRefusesDifferentSchema) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1", " ON (orders)");
  catalog_.insert("sales", "orders", "p1", {{"99", "2024-01-30", "after backup"}});
  ok("RESTORE SNAPSHOT sales.l1 FROM repo ON (orders PARTITION (p1)) PROPERTIES ('backup_timestamp' = '" +
     ts + "')");
  ASSERT_EQ(str(wait_done(true), 0, "State"), "FINISHED");
  EXPECT_EQ(catalog_.rows("sales", "orders", "p1").size(), 2u);

  TableSchema different = orders_schema("other");
  different.columns[2].type = "VARCHAR(10)";
  catalog_.add_table(different);
  ok("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "')");
  ResultSet rs = wait_done(true, "other");
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_EQ(str(rs, 0, "Status"),
            "[COMMON_ERROR, msg: Table orders already exist but with different schema, errMsg: column: note "
            "VARCHAR(10) NULL in existed table is different from the column in backup snapshot, column: note "
            "VARCHAR(64) NULL]");
}

TEST_F(BackupServiceTest, RestoreIntoExistingTableChecksPartitions) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  std::string props = "PROPERTIES ('backup_timestamp' = '" + ts + "'";
  auto status_of = [&](const std::string& sql) {
    ok(sql);
    return str(wait_done(true, "other"), 0, "Status");
  };
  // Same partitions, but created with 1 replica while the restore asks for the default 3.
  TableSchema one_replica = orders_schema("other");
  for (PartitionSchema& p : one_replica.partitions) p.replication_num = 1;
  catalog_.add_table(one_replica);
  EXPECT_EQ(
      status_of("RESTORE SNAPSHOT other.l1 FROM repo ON (orders) " + props + ")"),
      "[COMMON_ERROR, msg: Partition p1 in table orders has different replication num '1' with partition in "
      "repository, which is 3]");
  EXPECT_EQ(
      status_of("RESTORE SNAPSHOT other.l1 FROM repo ON (orders) " + props + ", 'replication_num' = '1')"),
      "[OK]");

  // Same name, other range.
  TableSchema shifted = orders_schema("other");
  shifted.name = "shifted";
  shifted.partitions[0].upper = {"2024-01-15"};
  shifted.partitions[1].lower = {"2024-01-15"};
  catalog_.add_table(shifted);
  EXPECT_EQ(
      status_of("RESTORE SNAPSHOT other.l1 FROM repo ON (orders AS shifted) " + props + ")"),
      "[COMMON_ERROR, msg: Partition p1 in table shifted has different range with partition in repository]");

  // A missing partition whose range overlaps an existing one.
  TableSchema overlapping = orders_schema("other");
  overlapping.name = "overlapping";
  overlapping.partitions.pop_back();
  overlapping.partitions[0].name = "p_old";
  catalog_.add_table(overlapping);
  EXPECT_EQ(status_of("RESTORE SNAPSHOT other.l1 FROM repo ON (orders AS overlapping) " + props + ")"),
            "[COMMON_ERROR, msg: Partition p1 in table overlapping has conflict range with existing ranges]");

  // An unpartitioned table's only partition is named after the table, so an alias does not match it.
  TableSchema items2 = items_schema("other");
  items2.name = "items2";
  items2.partitions[0].name = "items2";
  catalog_.add_table(items2);
  EXPECT_EQ(status_of("RESTORE SNAPSHOT other.l1 FROM repo ON (items AS items2) " + props + ")"),
            "[COMMON_ERROR, msg: No partition exist in single partitioned table items2]");
}

TEST_F(BackupServiceTest, CancelledRestoreDropsCreatedTables) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  ok("ADMIN EMULATOR DELAY JOB AT DOWNLOAD SECONDS 100000");
  ok("RESTORE SNAPSHOT other.l1 FROM repo ON (items AS i2) PROPERTIES ('backup_timestamp' = '" + ts + "')");
  wait_state(svc(), true, "DOWNLOAD", "other");
  EXPECT_TRUE(catalog_.find_table("other", "i2").value().has_value());
  ok("CANCEL RESTORE FROM other");
  ResultSet rs = rows("SHOW RESTORE FROM other");
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_EQ(str(rs, 0, "Status"), "[COMMON_ERROR, msg: user cancelled, current state: DOWNLOAD]");
  EXPECT_FALSE(catalog_.find_table("other", "i2").value().has_value());
}

TEST_F(BackupServiceTest, RestoreNeedsEnoughBackendsForNewReplicas) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  cluster().update_backends([](std::vector<BackendState>& bes) {
    bes[1].alive = false;
    bes[2].alive = false;
  });
  ok("RESTORE SNAPSHOT other.l1 FROM repo ON (items) PROPERTIES ('backup_timestamp' = '" + ts + "')");
  ResultSet rs = wait_done(true, "other");
  EXPECT_EQ(str(rs, 0, "Status"),
            "[COMMON_ERROR, msg: failed to find 3 different hosts to create table: items]");
  EXPECT_FALSE(cell(rs, 0, "MetaPreparedTime").has_value());
  EXPECT_TRUE(cell(rs, 0, "FinishedTime").has_value());
  EXPECT_NE(str(rs, 0, "JobId"), "-1");
  ok("RESTORE SNAPSHOT other.l1 FROM repo ON (items) PROPERTIES ('backup_timestamp' = '" + ts +
     "', 'replication_num' = '1')");
  EXPECT_EQ(str(wait_done(true, "other"), 0, "State"), "FINISHED");
}

TEST_F(BackupServiceTest, RestoreDiskLimitAndTimeouts) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  cluster().update_backends([](std::vector<BackendState>& bes) { bes[0].disks[0].avail_bytes = 10; });
  ok("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "')");
  ResultSet rs = wait_done(true, "other");
  std::string status = str(rs, 0, "Status");
  EXPECT_TRUE(
      status.starts_with("[COMMON_ERROR, msg: disk /data0/starrocks/storage on backend 10001 exceed limit "
                         "usage, path hash: "))
      << status;
  EXPECT_FALSE(catalog_.find_table("other", "orders").value().has_value());  // created tables dropped again

  cluster().update_backends(
      [](std::vector<BackendState>& bes) { bes[0].disks[0].avail_bytes = int64_t{1} << 39; });
  ok("ADMIN EMULATOR DELAY JOB AT DOWNLOADING SECONDS 100000");
  ok("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "', 'timeout' = '600')");
  EXPECT_EQ(str(wait_done(true, "other"), 0, "Status"),
            "[TIMEOUT, msg: restore job with label: l1  timeout.]");

  ok("ADMIN EMULATOR DELAY JOB AT SAVE_META SECONDS 100000");
  ok("BACKUP SNAPSHOT sales.l9 TO repo PROPERTIES ('timeout' = '600')");
  ResultSet b = wait_done();
  EXPECT_EQ(str(b, 0, "Status"), "[TIMEOUT, msg: ]");
  EXPECT_EQ(str(b, 0, "Timeout"), "600");
}

TEST_F(BackupServiceTest, TaskColumnsDuringSnapshotAndUpload) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR DELAY JOB AT SNAPSHOTING SECONDS 100000");
  ok("ADMIN EMULATOR DELAY JOB AT UPLOADING SECONDS 100000");
  ok("BACKUP SNAPSHOT sales.l1 TO repo");
  wait_state(svc(), false, "SNAPSHOTING");
  ResultSet snap = rows("SHOW BACKUP");
  // One emulated tablet per partition: orders p1, p2 and items, each on some BE.
  EXPECT_TRUE(std::regex_match(str(snap, 0, "UnfinishedTasks"),
                               std::regex(R"(\d+=1000[1-3], \d+=1000[1-3], \d+=1000[1-3])")))
      << str(snap, 0, "UnfinishedTasks");
  EXPECT_EQ(str(snap, 0, "Progress"), "");
  ok("CANCEL BACKUP");
  ok("BACKUP SNAPSHOT sales.l2 TO repo");
  wait_state(svc(), false, "UPLOADING");
  ResultSet up = rows("SHOW BACKUP");
  EXPECT_TRUE(
      std::regex_match(str(up, 0, "Progress"), std::regex(R"(\[\d+: 0/1\], \[\d+: 0/1\], \[\d+: 0/1\])")))
      << str(up, 0, "Progress");
  EXPECT_TRUE(
      std::regex_match(str(up, 0, "UnfinishedTasks"), std::regex(R"(\d+=10001, \d+=10002, \d+=10003)")))
      << str(up, 0, "UnfinishedTasks");
  ok("CANCEL BACKUP");
  EXPECT_EQ(str(rows("SHOW BACKUP"), 0, "UnfinishedTasks"), "");
}

TEST_F(BackupServiceTest, BackupWithoutAliveBackendCannotChooseReplica) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  cluster().update_backends([](std::vector<BackendState>& bes) {
    for (auto& b : bes) b.alive = false;
  });
  ok("BACKUP SNAPSHOT sales.l1 TO repo ON (items)");
  ResultSet rs = wait_done();
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  std::string status = str(rs, 0, "Status");
  EXPECT_TRUE(status.starts_with("[COMMON_ERROR, msg: failed to choose replica to make snapshot for tablet "))
      << status;
  EXPECT_TRUE(status.ends_with(". visible version: 2]")) << status;
  EXPECT_NE(str(rs, 0, "JobId"), "-1");
}

TEST_F(BackupServiceTest, LabelsCannotEscapeTheRepository) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.`../../x` TO repo"),
            "Getting analyzing error. Detail message: Incorrect label name '../../x'.");
  EXPECT_EQ(err("CREATE REPOSITORY `a/b` WITH BROKER ON LOCATION 's3a://bucket/bk'"),
            "Getting analyzing error. Detail message: Incorrect repository name 'a/b'.");
}

TEST_F(BackupServiceTest, BackupOverDiskLimitCancelsInSnapshoting) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  cluster().update_backends([](std::vector<BackendState>& bes) { bes[2].disks[0].avail_bytes = 1000; });
  ok("BACKUP SNAPSHOT sales.l1 TO repo ON (items)");
  ResultSet rs = wait_done();
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_EQ(str(rs, 0, "Status"),
            "[COMMON_ERROR, msg: make snapshot failed. disk /data2/starrocks/storage on backend "
            "10003 exceed limit usage]");
  EXPECT_TRUE(str(rs, 0, "TaskErrMsg")
                  .ends_with(": make snapshot failed. disk /data2/starrocks/storage on backend "
                             "10003 exceed limit usage]"));
  EXPECT_TRUE(cell(rs, 0, "SnapshotFinishedTime") == std::nullopt);
}

// ------------------------------------------------------------------ grammar switches

TEST_F(BackupServiceTest, Grammar34DatabaseClauses) {
  EmulatorConfig c = config();
  c.starrocks_version = "3.4.2";
  BackupService& s = start(c);
  ok_on(s, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok_on(s, "BACKUP DATABASE sales SNAPSHOT l1 TO repo ON (TABLE orders PARTITION (p2), TABLE items)", "");
  ASSERT_EQ(str(wait_done(s, false), 0, "State"), "FINISHED");
  std::string ts = str(rows_on(s, "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l1'"), 0, "Timestamp");
  EXPECT_EQ(err_on(s,
                   "RESTORE SNAPSHOT l1 FROM repo DATABASE wrong AS fresh ON (ALL TABLES) PROPERTIES "
                   "('backup_timestamp' = '" +
                       ts + "')",
                   ""),
            "target database: wrong is not existed in snapshot");
  ok_on(s,
        "RESTORE SNAPSHOT l1 FROM repo DATABASE sales AS fresh ON (ALL TABLES) PROPERTIES "
        "('backup_timestamp' = '" +
            ts + "')",
        "");
  ASSERT_EQ(str(wait_done(s, true, "fresh"), 0, "State"), "FINISHED");
  EXPECT_EQ(catalog_.rows("fresh", "orders", "p2").size(), 1u);
  EXPECT_TRUE(catalog_.rows("fresh", "orders", "p1").empty());
  EXPECT_EQ(catalog_.rows("fresh", "items", "items").size(), 2u);
}

TEST_F(BackupServiceTest, DropSnapshotIn42) {
  EmulatorConfig c = config();
  c.starrocks_version = "4.2.0";
  BackupService& s = start(c);
  ok_on(s, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok_on(s, "BACKUP SNAPSHOT sales.l1 TO repo ON (items)");
  ASSERT_EQ(str(wait_done(s, false), 0, "State"), "FINISHED");
  EXPECT_EQ(err_on(s, "DROP SNAPSHOT nope ON repo"), "Snapshot does not exist in repository repo: nope");
  EXPECT_EQ(err_on(s, "DROP SNAPSHOT l1 ON nope"), "Repository does not exist: nope");
  // Another cluster sharing the repository does not own it.
  BackupService& other = start(c);
  ok_on(other, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string e = err_on(other, "DROP SNAPSHOT l1 ON repo");
  EXPECT_TRUE(e.starts_with("Snapshot l1 in repository repo was created by cluster ")) << e;
  EXPECT_TRUE(e.ends_with(". Use DROP SNAPSHOT ... FORCE to drop it anyway")) << e;
  ok_on(s, "DROP SNAPSHOT l1 ON repo");
  EXPECT_TRUE(rows_on(s, "SHOW SNAPSHOT ON repo").rows.empty());
  ok_on(s, "BACKUP SNAPSHOT sales.l1 TO repo ON (items)");  // the label is free again
  ASSERT_EQ(str(wait_done(s, false), 0, "State"), "FINISHED");
  ok_on(other, "DROP SNAPSHOT l1 ON repo FORCE");
  EXPECT_TRUE(rows_on(s, "SHOW SNAPSHOT ON repo").rows.empty());
}

// ------------------------------------------------------------------ faults

TEST_F(BackupServiceTest, FaultsNeedFaultsEnabled) {
  EmulatorConfig c = config();
  c.faults_enabled = false;
  BackupService& s = start(c);
  EXPECT_EQ(err_on(s, "ADMIN EMULATOR REFUSE NEXT SUBMITS 1"),
            "Getting syntax error at line 1, column 6. Detail message: Unexpected input 'EMULATOR', the most "
            "similar "
            "input is {<EOF>, ';'}.");
}

TEST_F(BackupServiceTest, FailJobAtStateWithStatus) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR FAIL JOB AT UPLOADING IN DATABASE other WITH STATUS 'not this db'");
  ok("ADMIN EMULATOR FAIL JOB AT UPLOADING WITH STATUS '[BAD_CONNECTION, msg: broken pipe]'");
  ok("BACKUP SNAPSHOT sales.l1 TO repo");
  ResultSet rs = wait_done();
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_EQ(str(rs, 0, "Status"), "[BAD_CONNECTION, msg: broken pipe]");
  EXPECT_TRUE(cell(rs, 0, "SnapshotFinishedTime").has_value());
  ok("BACKUP SNAPSHOT sales.l2 TO repo");  // the fault was used up
  EXPECT_EQ(str(wait_done(), 0, "State"), "FINISHED");
  ok("ADMIN EMULATOR FAIL JOB AT COMMIT");
  std::string ts = str(rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'l2'"), 0, "Timestamp");
  ok("RESTORE SNAPSHOT other.l2 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "')");
  EXPECT_EQ(str(wait_done(true, "other"), 0, "Status"), "[COMMON_ERROR, msg: injected failure at COMMIT]");
  EXPECT_FALSE(catalog_.find_table("other", "orders").value().has_value());
}

TEST_F(BackupServiceTest, ForeignBackupOccupiesTheSlot) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR START FOREIGN BACKUP IN DATABASE sales SECONDS 100000");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l1 TO repo"),
            "Can only run one backup or restore job of a database at same time");
  ResultSet rs = rows("SHOW BACKUP FROM sales");
  EXPECT_TRUE(str(rs, 0, "SnapshotName").starts_with("foreign_backup_"));
  EXPECT_NE(str(rs, 0, "State"), "FINISHED");
  ok("CANCEL BACKUP FROM sales");
  ok("BACKUP SNAPSHOT sales.l1 TO repo");
}

TEST_F(BackupServiceTest, RefuseNextSubmits) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR REFUSE NEXT SUBMITS 2");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l1 TO repo"),
            "Another backup or restore job is being submitted. Please wait and try again");
  EXPECT_EQ(err("BACKUP SNAPSHOT sales.l1 TO repo"),
            "Another backup or restore job is being submitted. Please wait and try again");
  ok("BACKUP SNAPSHOT sales.l1 TO repo");
}

TEST_F(BackupServiceTest, ClearJobFaultsForgetsPendingFaults) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR REFUSE NEXT SUBMITS 5");
  ok("ADMIN EMULATOR FAIL JOB AT UPLOADING");
  ok("admin emulator delay job at save_meta seconds 100000");
  ok("ADMIN EMULATOR CLEAR JOB FAULTS");
  ok("BACKUP SNAPSHOT sales.l1 TO repo ON (items)");
  EXPECT_EQ(str(wait_done(), 0, "State"), "FINISHED");
  EXPECT_TRUE(err("ADMIN EMULATOR DELAY JOB AT FINISHED SECONDS 1").starts_with("Getting syntax error"));
}

TEST_F(BackupServiceTest, CorruptSnapshotFailsRestoreChecksum) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  ok("ADMIN EMULATOR CORRUPT SNAPSHOT l1 ON repo");
  EXPECT_EQ(err("ADMIN EMULATOR CORRUPT SNAPSHOT nope ON repo"),
            "Snapshot nope has no data file in repository repo");
  ok("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "')");
  ResultSet rs = wait_done(true, "other");
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_TRUE(std::regex_match(
      str(rs, 0, "Status"),
      std::regex(R"(\[BAD_FILE, msg: md5sum does not equal\. local: [0-9a-f]{32}, remote: [0-9a-f]{32}\])")))
      << str(rs, 0, "Status");
  EXPECT_FALSE(catalog_.find_table("other", "orders").value().has_value());
}

TEST_F(BackupServiceTest, UnreachableRepositoryAndLocation) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  std::string ts = backup_sales("l1");
  ok("ADMIN EMULATOR DELAY JOB AT UPLOADING SECONDS 2000");
  ok("BACKUP SNAPSHOT sales.l2 TO repo");
  wait_state(svc(), false, "UPLOADING");
  ok("ADMIN EMULATOR SET REPOSITORY repo UNREACHABLE = true");
  ResultSet repos = rows("SHOW REPOSITORIES");
  std::string msg = str(repos, 0, "ErrMsg");
  EXPECT_EQ(msg[4], '-');
  EXPECT_EQ(msg.substr(19, 2), ": ");
  ResultSet rs = wait_done();
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_TRUE(str(rs, 0, "Status")
                  .starts_with("[COMMON_ERROR, msg: failed to upload snapshot files to "
                               "s3a://bucket/bk/__starrocks_repository_repo/__ss_l2/__ss_content: "
                               "Status Code: 503"))
      << str(rs, 0, "Status");
  EXPECT_NE(str(rs, 0, "TaskErrMsg"), "");
  EXPECT_TRUE(err("RESTORE SNAPSHOT other.l1 FROM repo PROPERTIES ('backup_timestamp' = '" + ts + "')")
                  .starts_with("Failed to get info of snapshot 'l1' because: failed to list remote path: "));
  ok("ADMIN EMULATOR SET REPOSITORY repo UNREACHABLE = false");
  EXPECT_FALSE(cell(rows("SHOW REPOSITORIES"), 0, "ErrMsg").has_value());

  ok("ADMIN EMULATOR SET LOCATION 's3a://down' UNREACHABLE = true");
  EXPECT_EQ(err("CREATE REPOSITORY r2 WITH BROKER ON LOCATION 's3a://down/x'"),
            "Failed to create repository: failed to list remote path: "
            "s3a://down/x/__starrocks_repository_r2/__repo_info. msg: listPath failed");
  ok("ADMIN EMULATOR SET LOCATION 's3a://down' UNREACHABLE = false");
  ok("CREATE REPOSITORY r2 WITH BROKER ON LOCATION 's3a://down/x'");
}

TEST_F(BackupServiceTest, StorageReadOnlyFailsUploads) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR SET REPOSITORY repo READ ONLY = true");
  ok("BACKUP SNAPSHOT sales.l1 TO repo");
  ResultSet rs = wait_done();
  EXPECT_EQ(str(rs, 0, "State"), "CANCELLED");
  EXPECT_NE(str(rs, 0, "Status").find("Access Denied"), std::string::npos);
  // SHOW REPOSITORIES still reports the repository as writable: the refusal is the storage's.
  EXPECT_EQ(str(rows("SHOW REPOSITORIES"), 0, "IsReadOnly"), "false");
}

TEST_F(BackupServiceTest, DropRepositoryRefusedWhileJobRuns) {
  ok("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
  ok("ADMIN EMULATOR DELAY JOB AT UPLOADING SECONDS 100000");
  ok("BACKUP SNAPSHOT sales.l1 TO repo");
  EXPECT_EQ(err("DROP REPOSITORY repo"),
            "Backup or restore job is running on this repository. Can not drop it");
  ok("CANCEL BACKUP");
  ok("DROP REPOSITORY repo");
}

}  // namespace
}  // namespace sk::emu
