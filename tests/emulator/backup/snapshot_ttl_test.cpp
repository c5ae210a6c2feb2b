// StarRocks 4.2's snapshot TTL in the emulator: the BACKUP `ttl` property and its analyzer errors (only from 4.2;
// before, an unknown property), the retention keys of the info file, SHOW SNAPSHOT's four retention columns in both
// forms, and the leader's automatic deletion of expired snapshots on the emulated cluster clock (ADMIN EMULATOR
// ADVANCE CLOCK).
#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "emulator/backup/backup_service.h"
#include "emulator/backup/snapshot_format.h"
#include "emulator/backup/snapshot_ttl.h"
#include "tests/emulator/backup/fake_catalog.h"

namespace sk::emu {
namespace {

namespace fs = std::filesystem;
using backup::parse_snapshot_ttl;
using backup::snapshot_expire_time_ms;
using testing::FakeCatalog;

int64_t ms_at(const cctz::time_zone& zone, cctz::civil_second cs) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(cctz::convert(cs, zone).time_since_epoch()).count();
}

TEST(SnapshotTtlParse, AcceptsNumberAndUnitWord) {
  auto seven = parse_snapshot_ttl("7 DAY");
  ASSERT_TRUE(seven && *seven);
  EXPECT_EQ((*seven)->amount, 7);
  EXPECT_EQ((*seven)->unit, backup::SnapshotTtl::Unit::kDay);
  EXPECT_EQ((*seven)->text, "7 DAY");
  auto hours = parse_snapshot_ttl("  12 hour ");
  ASSERT_TRUE(hours && *hours);
  EXPECT_EQ((*hours)->unit, backup::SnapshotTtl::Unit::kHour);
  EXPECT_EQ((*hours)->text, "  12 hour ") << "the info file keeps the value as written";
  for (const char* ok : {"1 MONTH", "30 second", "2 WEEK", "1 YEAR", "5 MINUTE", "3 days"}) {
    auto r = parse_snapshot_ttl(ok);
    EXPECT_TRUE(r && *r) << ok;
  }
}

TEST(SnapshotTtlParse, EmptyOrBlankKeepsForever) {
  auto empty = parse_snapshot_ttl("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);
  auto blank = parse_snapshot_ttl("   ");
  ASSERT_TRUE(blank);
  EXPECT_FALSE(*blank);
}

TEST(SnapshotTtlParse, RefusesWithTheFeMessages) {
  for (const char* bad : {"7d", "forever", "7 PARSEC", "DAY", "7", "7 DAY 2 HOUR"}) {
    auto r = parse_snapshot_ttl(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), std::string("Invalid ttl: '") + bad +
                             "'. Expected a duration such as '7 DAY' or '12 HOUR', or an empty value to keep the "
                             "snapshot forever");
  }
  for (const char* bad : {"0 DAY", "-1 DAY"}) {
    auto r = parse_snapshot_ttl(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), std::string("ttl must be a positive duration, but got: ") + bad);
  }
}

TEST(SnapshotTtlExpiry, CalendarArithmeticInTheFeZone) {
  cctz::time_zone shanghai;
  ASSERT_TRUE(cctz::load_time_zone("Asia/Shanghai", &shanghai));
  const int64_t jan31 = ms_at(shanghai, cctz::civil_second(2026, 1, 31, 10, 0, 0)) + 250;
  auto month = parse_snapshot_ttl("1 MONTH");
  EXPECT_EQ(snapshot_expire_time_ms(**month, jan31, shanghai),
            ms_at(shanghai, cctz::civil_second(2026, 2, 28, 10, 0, 0)) + 250)
      << "1 MONTH from 31 January is the last day of February, not 30 days later";
  auto days = parse_snapshot_ttl("7 DAY");
  EXPECT_EQ(snapshot_expire_time_ms(**days, jan31, shanghai),
            ms_at(shanghai, cctz::civil_second(2026, 2, 7, 10, 0, 0)) + 250);
  auto year = parse_snapshot_ttl("1 YEAR");
  const int64_t leap = ms_at(shanghai, cctz::civil_second(2028, 2, 29, 1, 2, 3));
  EXPECT_EQ(snapshot_expire_time_ms(**year, leap, shanghai), ms_at(shanghai, cctz::civil_second(2029, 2, 28, 1, 2, 3)));
  // Local calendar days across a DST change: 1 DAY keeps the wall-clock time (23 hours of real time here).
  cctz::time_zone berlin;
  ASSERT_TRUE(cctz::load_time_zone("Europe/Berlin", &berlin));
  const int64_t before = ms_at(berlin, cctz::civil_second(2026, 3, 28, 12, 0, 0));
  auto day = parse_snapshot_ttl("1 DAY");
  EXPECT_EQ(snapshot_expire_time_ms(**day, before, berlin) - before, int64_t{23} * 3600 * 1000);
}

TEST(SnapshotInfoFile, RetentionKeysOnlyWhenSet) {
  backup::SnapshotInfo info;
  info.label = "l1";
  info.db_name = "sales";
  info.cluster_id = "42";
  auto plain = backup::info_to_json(info, true);
  EXPECT_FALSE(plain.contains("finish_time"));
  EXPECT_FALSE(plain.contains("ttl"));
  EXPECT_FALSE(plain.contains("expire_time"));
  info.finish_time_ms = 1000;
  info.ttl = "7 DAY";
  info.expire_time_ms = 605001000;
  auto j = backup::info_to_json(info, true);
  EXPECT_EQ(j.at("finish_time").get<int64_t>(), 1000);
  EXPECT_EQ(j.at("ttl").get<std::string>(), "7 DAY");
  EXPECT_EQ(j.at("expire_time").get<int64_t>(), 605001000);
  auto back = backup::info_from_json(j.dump());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->finish_time_ms, info.finish_time_ms);
  EXPECT_EQ(back->ttl, info.ttl);
  EXPECT_EQ(back->expire_time_ms, info.expire_time_ms);
}

TableSchema ttl_items_schema() {
  TableSchema t;
  t.database = "sales";
  t.name = "items";
  t.keys_type = "PRI_KEYS";
  t.key_columns = {"k"};
  ColumnSchema k;
  k.name = "k";
  k.type = "INT";
  k.is_key = true;
  k.nullable = false;
  t.columns = {k};
  PartitionSchema p;
  p.name = "items";
  t.partitions = {p};
  return t;
}

class SnapshotTtlService : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sk_ttl_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(root_);
    catalog_.add_table(ttl_items_schema());
    catalog_.insert("sales", "items", "items", {{"10"}, {"11"}});
  }
  void TearDown() override {
    services_.clear();
    clusters_.clear();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  BackupService& start(const std::string& version) {
    EmulatorConfig c;
    c.repository_root = root_.string();
    c.time_scale = 2000;
    c.faults_enabled = true;
    c.starrocks_version = version;
    c.time_zone = "UTC";
    auto cluster = std::make_unique<ClusterState>(std::move(c));
    BackendState b;
    b.disks.push_back(DiskState{"/data/starrocks/storage", int64_t{1} << 40, int64_t{1} << 39, 0});
    cluster->set_backends({b});
    services_.push_back(std::make_unique<BackupService>(catalog_, *cluster));
    clusters_.push_back(std::move(cluster));
    BackupService& s = *services_.back();
    ok(s, "CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://bucket/bk'");
    return s;
  }

  QueryResult run(BackupService& s, std::string_view sql) {
    auto r = s.try_handle(SessionContext{"root", "sales"}, sql);
    EXPECT_TRUE(r.has_value()) << sql;
    if (!r) return ErrorResult{0, "", "<not handled>"};
    return *r;
  }
  void ok(BackupService& s, std::string_view sql) {
    QueryResult r = run(s, sql);
    if (auto* e = std::get_if<ErrorResult>(&r)) ADD_FAILURE() << sql << " failed: " << e->message;
  }
  std::string err(BackupService& s, std::string_view sql) {
    QueryResult r = run(s, sql);
    if (auto* e = std::get_if<ErrorResult>(&r)) return e->message;
    return "<no error>";
  }
  ResultSet rows(BackupService& s, std::string_view sql) {
    QueryResult r = run(s, sql);
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
  static std::vector<std::string> names(const ResultSet& rs) {
    std::vector<std::string> out;
    for (const Column& c : rs.columns) out.push_back(c.name);
    return out;
  }
  // Backs up `items` under `label` with the given PROPERTIES clause and waits for FINISHED.
  void backup(BackupService& s, const std::string& label, const std::string& props) {
    ok(s, "BACKUP SNAPSHOT sales." + label + " TO repo ON (items)" + props);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      ResultSet rs = rows(s, "SHOW BACKUP FROM sales");
      if (!rs.rows.empty() && cell(rs, 0, "State") == "FINISHED") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "backup " << label << " did not finish";
  }
  // Waits until SHOW SNAPSHOT no longer lists `label` (the cleaner runs on the service's timer thread).
  bool gone(BackupService& s, const std::string& label) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      ResultSet rs = rows(s, "SHOW SNAPSHOT ON repo");
      bool listed = false;
      for (size_t i = 0; i < rs.rows.size(); ++i) listed = listed || cell(rs, i, "Snapshot") == label;
      if (!listed) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  bool listed(BackupService& s, const std::string& label) {
    ResultSet rs = rows(s, "SHOW SNAPSHOT ON repo");
    for (size_t i = 0; i < rs.rows.size(); ++i) {
      if (cell(rs, i, "Snapshot") == label) return true;
    }
    return false;
  }

  fs::path root_;
  FakeCatalog catalog_;
  std::vector<std::unique_ptr<ClusterState>> clusters_;
  std::vector<std::unique_ptr<BackupService>> services_;
};

TEST_F(SnapshotTtlService, TtlIsAnUnknownPropertyBefore42) {
  BackupService& s = start("4.1.0");
  EXPECT_EQ(err(s, "BACKUP SNAPSHOT sales.l1 TO repo ON (items) PROPERTIES ('ttl' = '7 DAY')"),
            "Getting analyzing error. Detail message: Unknown backup job properties: [ttl].");
  ok(s, "BACKUP SNAPSHOT sales.l0 TO repo ON (items)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && !listed(s, "l0")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(names(rows(s, "SHOW SNAPSHOT ON repo")), (std::vector<std::string>{"Snapshot", "Timestamp", "Status"}));
}

TEST_F(SnapshotTtlService, TtlErrorsAreSynchronousAnalyzerErrorsIn42) {
  BackupService& s = start("4.2.0");
  EXPECT_EQ(err(s, "BACKUP SNAPSHOT sales.l1 TO repo ON (items) PROPERTIES ('ttl' = '7d')"),
            "Getting analyzing error. Detail message: Invalid ttl: '7d'. Expected a duration such as '7 DAY' or "
            "'12 HOUR', or an empty value to keep the snapshot forever.");
  EXPECT_EQ(err(s, "BACKUP SNAPSHOT sales.l1 TO repo ON (items) PROPERTIES ('ttl' = '0 DAY')"),
            "Getting analyzing error. Detail message: ttl must be a positive duration, but got: 0 DAY.");
  EXPECT_TRUE(rows(s, "SHOW BACKUP FROM sales").rows.empty()) << "no job was created";
}

TEST_F(SnapshotTtlService, ShowSnapshotRetentionColumnsIn42) {
  BackupService& s = start("4.2.0");
  backup(s, "kept", "");
  backup(s, "short", " PROPERTIES ('ttl' = '1 HOUR')");
  ResultSet all = rows(s, "SHOW SNAPSHOT ON repo");
  EXPECT_EQ(names(all), (std::vector<std::string>{"Snapshot", "Timestamp", "Status", "ClusterId", "FinishTime",
                                                  "TTL", "ExpireTime"}));
  ASSERT_EQ(all.rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const bool is_short = cell(all, i, "Snapshot") == "short";
    EXPECT_TRUE(cell(all, i, "ClusterId").has_value());
    ASSERT_TRUE(cell(all, i, "FinishTime").has_value());
    EXPECT_EQ(cell(all, i, "TTL"), is_short ? std::optional<std::string>("1 HOUR") : std::nullopt);
    EXPECT_EQ(cell(all, i, "ExpireTime").has_value(), is_short);
    if (is_short) {
      // Both in SHOW SNAPSHOT's Timestamp format; the expiry is the finish time plus one hour (UTC zone here).
      const std::string finish = *cell(all, i, "FinishTime");
      const std::string expire = *cell(all, i, "ExpireTime");
      ASSERT_EQ(finish.size(), 23u) << finish;
      EXPECT_EQ(std::stoi(expire.substr(11, 2)), (std::stoi(finish.substr(11, 2)) + 1) % 24) << finish << " " << expire;
      EXPECT_EQ(finish.substr(13), expire.substr(13));
      const std::string ts = *cell(all, i, "Timestamp");
      ResultSet detail = rows(s, "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'short' AND TIMESTAMP = '" + ts + "'");
      EXPECT_EQ(names(detail), (std::vector<std::string>{"Snapshot", "Timestamp", "Database", "Details", "Status",
                                                         "ClusterId", "FinishTime", "TTL", "ExpireTime"}));
      EXPECT_EQ(cell(detail, 0, "TTL"), "1 HOUR");
      EXPECT_EQ(cell(detail, 0, "ExpireTime"), expire);
    }
  }
  // A wrong timestamp: the info file cannot be read, every retention column is NULL.
  ResultSet wrong = rows(s, "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'short' AND TIMESTAMP = 'nope'");
  EXPECT_FALSE(cell(wrong, 0, "ClusterId").has_value());
  EXPECT_FALSE(cell(wrong, 0, "FinishTime").has_value());
}

TEST_F(SnapshotTtlService, ExpiredSnapshotsAreDeletedOnTheClusterClock) {
  BackupService& s = start("4.2.0");
  backup(s, "forever", "");
  backup(s, "week", " PROPERTIES ('ttl' = '7 DAY')");
  backup(s, "hour", " PROPERTIES ('ttl' = '1 HOUR')");
  // ADVANCE CLOCK runs one cleaner round before it answers: not yet due, nothing is deleted.
  ok(s, "ADMIN EMULATOR ADVANCE CLOCK 59 MINUTES");
  EXPECT_TRUE(listed(s, "hour"));
  ok(s, "ADMIN EMULATOR ADVANCE CLOCK 2 MINUTES");
  EXPECT_FALSE(listed(s, "hour")) << "the cleaner deletes a snapshot once its expire_time has passed";
  EXPECT_FALSE(fs::exists(root_ / "bucket/bk/__starrocks_repository_repo/__ss_hour")) << "the whole directory";
  EXPECT_TRUE(listed(s, "week"));
  EXPECT_TRUE(listed(s, "forever"));
  ok(s, "ADMIN EMULATOR ADVANCE CLOCK 7 DAYS");
  EXPECT_FALSE(listed(s, "week"));
  EXPECT_TRUE(listed(s, "forever")) << "a snapshot without ttl is never deleted";
}

TEST_F(SnapshotTtlService, AnotherClustersSnapshotIsNeverDeleted) {
  BackupService& writer = start("4.2.0");
  backup(writer, "theirs", " PROPERTIES ('ttl' = '1 HOUR')");
  BackupService& other = start("4.2.0");
  ok(other, "ADMIN EMULATOR ADVANCE CLOCK 2 HOURS");  // the other cluster's cleaner round
  EXPECT_TRUE(listed(other, "theirs")) << "the info file names another cluster";
  // Its own cluster deletes it once its own clock passes the expiry.
  ok(writer, "ADMIN EMULATOR ADVANCE CLOCK 2 HOURS");
  EXPECT_FALSE(listed(writer, "theirs"));
}

TEST_F(SnapshotTtlService, TheCleanerRunsByItselfOnTheLeader) {
  BackupService& s = start("4.2.0");
  backup(s, "brief", " PROPERTIES ('ttl' = '1 SECOND')");
  EXPECT_TRUE(gone(s, "brief")) << "the leader's daemon deletes it within a round or two, untouched by clients";
}

TEST_F(SnapshotTtlService, ARunningRestoreKeepsAnExpiredSnapshot) {
  BackupService& s = start("4.2.0");
  backup(s, "read", " PROPERTIES ('ttl' = '1 HOUR')");
  ResultSet snap = rows(s, "SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'read'");
  const std::string ts = cell(snap, 0, "Timestamp").value_or("");
  ok(s, "ADMIN EMULATOR DELAY JOB AT DOWNLOADING SECONDS 100000");
  ok(s, "RESTORE SNAPSHOT sales.read FROM repo ON (items AS items_copy) PROPERTIES ('backup_timestamp' = '" + ts + "')");
  ok(s, "ADMIN EMULATOR ADVANCE CLOCK 2 HOURS");
  EXPECT_TRUE(listed(s, "read")) << "an unfinished RESTORE reads it";
  ok(s, "CANCEL RESTORE FROM sales");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    ResultSet rs = rows(s, "SHOW RESTORE FROM sales");
    if (!rs.rows.empty() && cell(rs, 0, "State") == "CANCELLED") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ok(s, "ADMIN EMULATOR ADVANCE CLOCK 1 SECOND");
  EXPECT_FALSE(listed(s, "read"));
}

TEST_F(SnapshotTtlService, AdvanceClockIsAFaultStatement) {
  BackupService& s = start("4.2.0");
  EXPECT_EQ(err(s, "ADMIN EMULATOR ADVANCE CLOCK 3 PARSECS").substr(0, 22), "Getting syntax error a");
}

}  // namespace
}  // namespace sk::emu
