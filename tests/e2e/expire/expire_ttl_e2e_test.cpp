// End to end on StarRocks 4.2 (the emulator with its snapshot TTL): starkeep never sets a ttl; an operator's own
// BACKUP ... PROPERTIES ("ttl" = "2 DAY") of a starkeep label is reported by `expire --dry-run` (exit 35, both dates)
// and `repository check` (finding `ttl`, with an alert); once the emulated cluster clock passes its expire_time the
// FE deletes it by itself, and `repository check` reports it missing, with an alert. And: a snapshot whose info file
// names another cluster (after starkeep moved to a new cluster on the same repository) is dropped with FORCE when
// ops.backup_history records it as starkeep's own.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "emulator/harness/emulator_process.h"
#include "emulator/harness/gtest_fixture.h"
#include "kernel/domain/time.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/gtest_sql.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace sk {
namespace {

namespace fs = std::filesystem;
using namespace sk::cli;  // NOLINT: kExit… (tools/starkeep/exit_codes.h)
using Command = test::Finished;
using test::cell;

constexpr const char* kTtlPolicy = R"(policy "expire_ttl_e2e" {
  timezone  = "UTC"
  databases = ["shop"]
  repository "exp_repo" {
    location = "s3a://exp-bucket/prod"
    endpoint = "https://s3.eu-west-1.amazonaws.com"
    region   = "eu-west-1"
  }
  tier "daily" {
    backup   = changed_partitions
    include  = tables where class == "fact" and partitioned
    schedule = mon..sat at 01:00
    retain   = 14d
    window   = 2h
  }
  tier "weekly" {
    backup   = tables
    include  = tables where class == "fact" or class == "dimension"
    schedule = sun at 01:00
    retain   = 90d
    window   = 4h
  }
  notifier "file" { command = "cat >> '{{sink}}'; echo >> '{{sink}}'" }
  alert "repository" { when = repository.finding in [missing, ttl]; notify = "file"; severity = critical }
}
)";

constexpr const char* kTtlInventory = R"({"inventory_version": 1, "tables": [
  {"database": "shop", "table": "orders", "class": "fact", "partitioned": true},
  {"database": "shop", "table": "customers", "class": "dimension", "partitioned": false}]}
)";

std::string replace_sink(std::string text, const std::string& sink) {
  for (std::size_t at; (at = text.find("{{sink}}")) != std::string::npos;) text.replace(at, 8, sink);
  return text;
}

// Slots near the host's clock, so the emulator's TTL expiry (its clock plus the ttl) is comparable with the
// policy's keep horizons: the Sunday at least two days back, and the Monday after it.
struct Slots {
  Instant sunday;  // 01:00 UTC
  Instant monday;
};
Slots recent_slots() {
  const auto now = Instant::from_unix_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  constexpr std::int64_t kDay = 86400;
  std::int64_t day = now.unix_seconds() / kDay - 2;  // days since 1970-01-01, a Thursday
  while ((day + 4) % 7 != 0) --day;                  // back to a Sunday
  const Instant sunday = Instant::from_unix_seconds(day * kDay + 3600);
  return {sunday, sunday + Duration::from_days(1)};
}

std::string compact_date(Instant t) { return t.to_iso8601_utc().substr(0, 4) + t.to_iso8601_utc().substr(5, 2) +
                                             t.to_iso8601_utc().substr(8, 2); }

class ExpireTtlE2e : public emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    start_cluster({"--time-scale", "50", "--starrocks-version", "4.2.0", "--enable-faults"});
  }
  void SetUp() override {
    ClusterFixture::SetUp();
    dir_ = fs::temp_directory_path() / fmt::format("starkeep-expire-ttl-e2e-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    processes_ = std::make_unique<test::Processes>(dir_);
    sql_ = connect_sql(cluster().emulator().port());
    ASSERT_TRUE(sql_);
    std::ofstream(dir_ / "policy.skp") << replace_sink(kTtlPolicy, (dir_ / "alerts.jsonl").string());
    std::ofstream(dir_ / "inventory.json") << kTtlInventory;
  }
  void TearDown() override {
    processes_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  static std::unique_ptr<test::ClusterSql> connect_sql(uint16_t port) {
    auto c = test::ClusterSql::connect(port);
    EXPECT_TRUE(c) << c.error().describe();
    return c ? std::make_unique<test::ClusterSql>(std::move(*c)) : nullptr;
  }
  void exec(const std::string& sql) { test::exec_ok(*sql_, sql); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql); }

  Command starkeep(const std::string& args, uint16_t port = 0) {
    std::vector<std::string> argv{test::starkeep_binary()};
    for (auto& a : test::split_args(args)) argv.push_back(std::move(a));
    const std::vector<std::string> connection{
        "--host", "127.0.0.1", "--port", std::to_string(port != 0 ? port : cluster().emulator().port()), "--user",
        "root"};
    argv.insert(argv.end(), connection.begin(), connection.end());
    return processes_->run(argv);
  }
  Command run_at(Instant at) {
    return starkeep(fmt::format("run --policy {} --inventory {} --at {} --poll-initial-ms 100",
                                (dir_ / "policy.skp").string(), (dir_ / "inventory.json").string(),
                                (at + Duration::from_minutes(5)).to_iso8601_utc()));
  }
  std::string policy() const { return (dir_ / "policy.skp").string(); }

  void create_shop(test::ClusterSql& sql) {
    test::exec_ok(sql, "CREATE DATABASE shop");
    test::exec_ok(sql,
                  "CREATE TABLE shop.orders (id BIGINT NOT NULL, dt DATE, amount INT) DUPLICATE KEY(id) PARTITION BY "
                  "RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2025-07-01'), PARTITION p2 VALUES LESS THAN "
                  "('2025-08-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
    test::exec_ok(sql,
                  "CREATE TABLE shop.customers (id INT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY "
                  "HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
    test::exec_ok(sql, "INSERT INTO shop.orders VALUES (1, '2025-06-05', 10), (2, '2025-07-06', 20)");
    test::exec_ok(sql, "INSERT INTO shop.customers VALUES (1, 'ann')");
    create_repository(sql);
  }
  static void create_repository(test::ClusterSql& sql) {
    test::exec_ok(sql,
                  "CREATE REPOSITORY exp_repo WITH BROKER ON LOCATION 's3a://exp-bucket/prod' "
                  "PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')");
  }

  // SHOW SNAPSHOT ON exp_repo: label → the row's TTL and ExpireTime ("<NULL>" for NULL).
  std::map<std::string, std::pair<std::string, std::string>> snapshots() {
    auto rows = query("SHOW SNAPSHOT ON exp_repo");
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto text = [&](const char* column) {
        auto v = rows.get(i, column);
        return v && *v ? std::string(**v) : std::string("<NULL>");
      };
      out[text("Snapshot")] = {text("TTL"), text("ExpireTime")};
    }
    return out;
  }
  void await_backup_finished(const std::string& label) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      auto rows = query("SHOW BACKUP FROM shop");
      if (!rows.empty() && cell(rows, 0, "SnapshotName") == label && cell(rows, 0, "State") == "FINISHED") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the operator's backup " << label << " did not finish";
  }
  static std::set<std::pair<std::string, std::string>> findings_of(const std::string& out) {
    std::set<std::pair<std::string, std::string>> found;
    const nlohmann::json doc = nlohmann::json::parse(out);
    for (const auto& f : doc["findings"]) found.emplace(f["kind"].get<std::string>(), f["label"].get<std::string>());
    return found;
  }
  std::vector<nlohmann::json> alert_lines() {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ / "alerts.jsonl");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::ClusterSql> sql_;
};

TEST_F(ExpireTtlE2e, AnOperatorsShortTtlIsReportedThenTheFeDeletesItAndItIsMissing) {
  create_shop(*sql_);
  const Slots slots = recent_slots();
  ASSERT_EQ(run_at(slots.sunday).code, kExitOk);
  // starkeep sets no ttl on anything it writes: data, catalog and canary snapshots.
  auto before = snapshots();
  ASSERT_FALSE(before.empty());
  for (const auto& [label, retention] : before) {
    EXPECT_EQ(retention.first, "<NULL>") << label;
    EXPECT_EQ(retention.second, "<NULL>") << label;
  }

  // Monday: before starkeep's run, an operator backs the slot up by hand under starkeep's label, with a ttl.
  const std::string daily = "shop_" + compact_date(slots.monday) + "_inc";
  exec("INSERT INTO shop.orders VALUES (3, '2025-07-07', 30)");
  exec("BACKUP SNAPSHOT shop." + daily + " TO exp_repo ON (orders) PROPERTIES ('ttl' = '2 DAY')");
  await_backup_finished(daily);
  auto run = run_at(slots.monday);
  ASSERT_EQ(run.code, kExitAlreadyHandled) << run.describe();
  ASSERT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.backup_history WHERE state = 'FINISHED' AND label = '" + daily +
                       "'"),
                 0, "n"),
            "1")
      << "the run records the slot's existing snapshot";
  const std::string expire_text = snapshots().at(daily).second;
  ASSERT_NE(expire_text, "<NULL>");
  EXPECT_EQ(snapshots().at(daily).first, "2 DAY");

  // The FE deletes it 2 days after it finished; the policy keeps the daily restore point 14 days.
  const std::string at = "--at " + (slots.monday + Duration::from_hours(12)).to_iso8601_utc();
  auto dry = starkeep(fmt::format("expire --policy {} --format json --dry-run {}", policy(), at));
  ASSERT_EQ(dry.code, kExitExpireTtl) << dry.describe();
  const nlohmann::json doc = nlohmann::json::parse(dry.out);
  nlohmann::json decision;
  for (const auto& d : doc["decisions"]) {
    if (d["label"] == daily) decision = d;
  }
  ASSERT_FALSE(decision.is_null()) << dry.out;
  EXPECT_EQ(decision["verdict"], "keep");
  ASSERT_TRUE(decision["ttl"].is_object()) << decision.dump(2);
  EXPECT_EQ(decision["ttl"]["ttl"], "2 DAY");
  EXPECT_EQ(decision["ttl"]["expire_time"], expire_text);
  // ExpireTime is printed in the cluster's zone (the emulator's default, Asia/Shanghai): read back to UTC.
  std::string local = expire_text.substr(0, 19);
  local[10] = ' ';
  local[13] = ':';
  local[16] = ':';
  const Instant expires = *Instant::parse(local, *TimeZone::parse("Asia/Shanghai"));
  EXPECT_EQ(decision["ttl"]["expires"], expires.to_iso8601_utc());
  EXPECT_EQ(decision["keep_until"], (slots.monday + Duration::from_days(14)).to_iso8601_utc());
  EXPECT_EQ(decision["reasons"].back(),
            "WARNING: its StarRocks ttl '2 DAY' deletes it on " + expires.to_iso8601_utc().substr(0, 10) +
                " and with it the only daily restore point " + slots.monday.to_iso8601_utc().substr(0, 10) +
                " of shop")
      << decision.dump(2);
  EXPECT_EQ(doc["counts"]["ttl_early"], 1);
  auto text = starkeep(fmt::format("expire --policy {} --dry-run {}", policy(), at));
  EXPECT_EQ(text.code, kExitExpireTtl);
  EXPECT_NE(text.out.find("WARNING: its StarRocks ttl '2 DAY' deletes it on"), std::string::npos) << text.out;

  auto check = starkeep(fmt::format("repository check --policy {} {} --format json", policy(), at));
  ASSERT_EQ(check.code, kExitRepositoryFindings) << check.describe();
  EXPECT_EQ(findings_of(check.out), (std::set<std::pair<std::string, std::string>>{{"ttl", daily}})) << check.out;
  const nlohmann::json check_doc = nlohmann::json::parse(check.out);
  EXPECT_EQ(check_doc["findings"][0]["severity"], "critical") << "the only daily restore point";
  auto alerts = alert_lines();
  ASSERT_EQ(alerts.size(), 1u) << check.out;
  EXPECT_EQ(alerts[0]["labels"]["label"], daily);
  EXPECT_EQ(alerts[0]["summary"],
            "Repository exp_repo: snapshot " + daily + " has a StarRocks ttl that deletes it before its keep horizon");

  // Past its expire_time on the cluster's clock, the FE deletes it by itself.
  exec("ADMIN EMULATOR ADVANCE CLOCK 3 DAYS");
  EXPECT_FALSE(snapshots().contains(daily));
  auto lost = starkeep(fmt::format("repository check --policy {} {} --format json", policy(), at));
  ASSERT_EQ(lost.code, kExitRepositoryMissing) << lost.describe();
  EXPECT_TRUE(findings_of(lost.out).contains({"missing", daily})) << lost.out;
  alerts = alert_lines();
  ASSERT_EQ(alerts.size(), 2u) << lost.out;
  EXPECT_EQ(alerts[1]["summary"], "Repository exp_repo: snapshot " + daily + " is missing");
}

TEST_F(ExpireTtlE2e, ASnapshotOfAnotherClusterThatTheHistoryOwnsIsDroppedWithForce) {
  create_shop(*sql_);
  const Slots slots = recent_slots();
  ASSERT_EQ(run_at(slots.sunday - Duration::from_days(7)).code, kExitOk);
  ASSERT_EQ(run_at(slots.sunday).code, kExitOk);
  const std::string old_weekly = "shop_" + compact_date(slots.sunday - Duration::from_days(7)) + "_full";
  ASSERT_TRUE(snapshots().contains(old_weekly));

  // starkeep moves to a new cluster (a new FE, a new cluster id) on the same data and repository.
  emu::harness::EmulatorOptions options;
  options.binary = emulator_binary();
  options.work_dir = dir_;
  options.repository_root = cluster().emulator().repository_root();
  options.mariadb_port = cluster().mariadb().port();
  options.extra_args = {"--time-scale", "50", "--starrocks-version", "4.2.0"};
  auto fresh = emu::harness::EmulatorProcess::start(options);
  ASSERT_TRUE(fresh) << fresh.error().describe();
  auto fresh_sql = connect_sql((*fresh)->port());
  ASSERT_TRUE(fresh_sql);
  create_repository(*fresh_sql);
  auto refused = fresh_sql->exec("DROP SNAPSHOT " + old_weekly + " ON exp_repo");
  ASSERT_FALSE(refused) << "the new cluster does not own it";

  // 91 days after the older weekly: it expires (the newer weekly is the newest, kept).
  const std::string at = "--at " + (slots.sunday - Duration::from_days(7) + Duration::from_days(91)).to_iso8601_utc();
  auto expired = starkeep(fmt::format("expire --policy {} --format json {}", policy(), at), (*fresh)->port());
  // The data snapshot is forced; the old cluster's expired catalog snapshot (recognised by its label only, never
  // recorded in the history) is not: its refusal is reported with what to do (exit 31), not retried silently.
  EXPECT_EQ(expired.code, kExitExpireFailed) << expired.describe();
  EXPECT_NE(expired.err.find(old_weekly + ": its info file names another cluster; ops.backup_history records it as "
                                          "starkeep's own, so DROP SNAPSHOT ... FORCE"),
            std::string::npos)
      << expired.err;
  EXPECT_FALSE(snapshots().contains(old_weekly));
  EXPECT_EQ(cell(query("SELECT state FROM ops.snapshot_expiry WHERE label = '" + old_weekly + "'"), 0, "state"),
            "deleted");
  auto failed = query("SELECT label, error_text FROM ops.snapshot_expiry WHERE state = 'failed'");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_TRUE(cell(failed, 0, "label").starts_with("starkeep_catalog_"));
  EXPECT_NE(cell(failed, 0, "error_text").find("if this catalog snapshot is yours, drop it by hand with DROP SNAPSHOT "
                                               "... FORCE"),
            std::string::npos)
      << cell(failed, 0, "error_text");
  (*fresh)->stop();
}

}  // namespace
}  // namespace sk
