// End to end: `starkeep expire` (the real binary) against the emulator, after `starkeep run --at …` has backed up
// two simulated weeks (a weekly full backup of every table on Sundays, daily changed partitions in between, a
// catalog snapshot after each run). Checks, on StarRocks 4.2 (DROP SNAPSHOT): the dry run's verdicts — expired
// incrementals, the newest daily and its weekly baseline kept, the catalog snapshots kept — with nothing
// deleted; the real expire deletes exactly the expired snapshots (SHOW SNAPSHOT and the repository directory),
// records each in ops.snapshot_expiry, and `restore points`/restores no longer offer them; every kept restore point
// still restores; a snapshot deleted behind starkeep's back is held and reported (exit 30); a deletion left
// half-done is resumed; `repository check` reports a missing, a partial, an unknown snapshot (exit 32). On StarRocks
// 3.3 (no DROP SNAPSHOT) expire refuses to delete anything (exit 78).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "emulator/harness/gtest_fixture.h"
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

constexpr const char* kPolicy = R"(policy "expire_e2e" {
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
    retain   = 2d
    window   = 2h
  }
  tier "weekly" {
    backup   = tables
    include  = tables where class == "fact" or class == "dimension"
    schedule = sun at 01:00
    retain   = 8d
    window   = 4h
  }
}
)";

constexpr const char* kInventory = R"({"inventory_version": 1, "tables": [
  {"database": "shop", "table": "orders", "class": "fact", "partitioned": true},
  {"database": "shop", "table": "customers", "class": "dimension", "partitioned": false}]}
)";

// Base fixture: one cluster per suite at the suite's StarRocks version.
class ExpireE2eBase : public emu::testing::ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    dir_ = fs::temp_directory_path() / fmt::format("starkeep-expire-e2e-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    processes_ = std::make_unique<test::Processes>(dir_);
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
    std::ofstream(dir_ / "policy.skp") << kPolicy;
    std::ofstream(dir_ / "inventory.json") << kInventory;
  }
  void TearDown() override {
    processes_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void exec(const std::string& sql) { test::exec_ok(*sql_, sql); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql); }

  Command starkeep(const std::string& args) {
    std::vector<std::string> argv{test::starkeep_binary()};
    for (auto& a : test::split_args(args)) argv.push_back(std::move(a));
    const std::vector<std::string> connection{"--host", "127.0.0.1", "--port",
                                              std::to_string(cluster().emulator().port()), "--user", "root"};
    argv.insert(argv.end(), connection.begin(), connection.end());
    return processes_->run(argv);
  }
  Command run_at(const std::string& at) {
    return starkeep(fmt::format("run --policy {} --inventory {} --at {} --poll-initial-ms 100",
                                (dir_ / "policy.skp").string(), (dir_ / "inventory.json").string(), at));
  }
  Command expire(const std::string& extra) {
    return starkeep(fmt::format("expire --policy {} --format json {}", (dir_ / "policy.skp").string(), extra));
  }

  void create_shop() {
    exec("CREATE DATABASE shop");
    exec(
        "CREATE TABLE shop.orders (id BIGINT NOT NULL, dt DATE, amount INT) DUPLICATE KEY(id) PARTITION BY "
        "RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2025-07-01'), PARTITION p2 VALUES LESS THAN ('2025-08-01')) "
        "DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
    exec(
        "CREATE TABLE shop.customers (id INT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY "
        "HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
    exec("INSERT INTO shop.orders VALUES (1, '2025-06-05', 10), (2, '2025-07-06', 20)");
    exec("INSERT INTO shop.customers VALUES (1, 'ann')");
    exec(
        "CREATE REPOSITORY exp_repo WITH BROKER ON LOCATION 's3a://exp-bucket/prod' "
        "PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')");
  }

  // The label of the FINISHED backup of slot `slot` ("2025-07-06 01:00:00").
  std::string label_of_slot(const std::string& slot) {
    auto rows = query("SELECT label FROM ops.backup_history WHERE state = 'FINISHED' AND slot_utc = '" + slot + "'");
    EXPECT_EQ(rows.size(), 1u) << slot;
    return rows.empty() ? "" : cell(rows, 0, "label");
  }

  std::set<std::string> listed() {
    auto rows = query("SHOW SNAPSHOT ON exp_repo");
    std::set<std::string> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.insert(cell(rows, i, "Snapshot"));
    return out;
  }

  static std::map<std::string, std::string> verdicts(const nlohmann::json& doc) {
    std::map<std::string, std::string> out;
    for (const auto& d : doc["decisions"]) out[d["label"]] = d["verdict"];
    return out;
  }

  fs::path dir_;
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::ClusterSql> sql_;
};

class ExpireE2e : public ExpireE2eBase {
 protected:
  static void SetUpTestSuite() { start_cluster({"--time-scale", "50", "--starrocks-version", "4.2.0"}); }
};

TEST_F(ExpireE2e, TwoWeeksThenExpireDeletesExactlyWhatNoRetainedRestorePointNeeds) {
  create_shop();
  // Sunday weekly, Monday and Tuesday dailies, next Sunday weekly, Monday daily: a change before each daily.
  const std::vector<std::pair<std::string, std::string>> days{
      {"2025-07-06T01:05:00Z", ""},
      {"2025-07-07T01:05:00Z", "INSERT INTO shop.orders VALUES (3, '2025-07-07', 30)"},
      {"2025-07-08T01:05:00Z", "INSERT INTO shop.orders VALUES (4, '2025-06-08', 40)"},
      {"2025-07-13T01:05:00Z", ""},
      {"2025-07-14T01:05:00Z", "INSERT INTO shop.orders VALUES (5, '2025-07-14', 50)"}};
  for (const auto& [at, change] : days) {
    if (!change.empty()) exec(change);
    auto r = run_at(at);
    ASSERT_EQ(r.code, kExitOk) << at << "\n" << r.out << r.err;
  }
  const std::string w1 = label_of_slot("2025-07-06 01:00:00"), d1 = label_of_slot("2025-07-07 01:00:00"),
                    d2 = label_of_slot("2025-07-08 01:00:00"), w2 = label_of_slot("2025-07-13 01:00:00"),
                    d3 = label_of_slot("2025-07-14 01:00:00");
  const std::set<std::string> before = listed();
  ASSERT_TRUE(before.contains(w1) && before.contains(d3)) << fmt::format("{}", fmt::join(before, " "));
  std::set<std::string> catalogs;
  for (const auto& l : before) {
    if (l.starts_with("starkeep_catalog_")) catalogs.insert(l);
  }
  ASSERT_EQ(catalogs.size(), 5u);  // one per run

  // Dry run on Sunday 2025-07-20 noon: w1 (8d) and its dailies (2d) are past retention, w2 is within it, d3 is
  // the newest daily (kept, with its baseline w2).
  auto dry = expire("--at 2025-07-20T12:00:00Z --dry-run --detailed-exitcode");
  ASSERT_EQ(dry.code, kExitWorkDue) << dry.out << dry.err;
  auto doc = nlohmann::json::parse(dry.out);
  auto v = verdicts(doc);
  EXPECT_EQ(v[w1], "expire");
  EXPECT_EQ(v[d1], "expire");
  EXPECT_EQ(v[d2], "expire");
  EXPECT_EQ(v[w2], "keep");
  EXPECT_EQ(v[d3], "keep");
  // Catalog labels carry the real publication time (after --at here): all within their keep (unit tests cover
  // their expiry).
  for (const auto& c : catalogs) EXPECT_EQ(v[c], "keep") << c;
  for (const auto& d : doc["decisions"]) {
    if (d["label"] == d3) {
      EXPECT_EQ(d["reasons"][0], "newest daily snapshot of shop") << d.dump();
    }
  }
  EXPECT_EQ(listed(), before);  // nothing deleted
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'ops' AND "
                       "table_name = 'snapshot_expiry'"),
                 0, "n"),
            "1");  // created by run's migration; a dry run writes no row into it
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.snapshot_expiry"), 0, "n"), "0");

  // The real expire.
  auto real = expire("--at 2025-07-20T12:00:00Z");
  ASSERT_EQ(real.code, kExitOk) << real.out << real.err;
  std::set<std::string> expected{w2, d3};
  expected.insert(catalogs.begin(), catalogs.end());
  EXPECT_EQ(listed(), expected);
  const fs::path repo_dir = cluster().emulator().repository_root() / "exp-bucket" / "prod" / "__starrocks_repository_exp_repo";
  EXPECT_FALSE(fs::exists(repo_dir / ("__ss_" + w1)));
  EXPECT_TRUE(fs::exists(repo_dir / ("__ss_" + w2)));
  auto rows = query("SELECT label, state, method, snapshot_kind FROM ops.snapshot_expiry ORDER BY label");
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(cell(rows, i, "state"), "deleted") << cell(rows, i, "label");
    EXPECT_EQ(cell(rows, i, "method"), "drop_snapshot");
  }

  // Restores no longer offer the expired snapshots; the kept restore point still restores.
  auto gone = starkeep(fmt::format("restore table shop.orders --snapshot {} --as orders_old", d1));
  EXPECT_EQ(gone.code, kExitSnapshotMissing) << gone.out << gone.err;
  auto kept = starkeep(fmt::format("restore table shop.orders --snapshot {} --as orders_d3 --replication-num 1", d3));
  EXPECT_EQ(kept.code, kExitOk) << kept.out << kept.err;
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM shop.orders_d3"), 0, "n"), "5");

  // Nothing more is due; a second expire is a no-op.
  auto again = expire("--at 2025-07-20T12:00:00Z --detailed-exitcode");
  EXPECT_EQ(again.code, kExitOk) << again.out << again.err;
}

TEST_F(ExpireE2e, ASnapshotDeletedBehindStarkeepsBackIsHeldAndAHalfDoneDeletionIsResumed) {
  // Each ctest case is its own process, hence its own cluster.
  create_shop();
  ASSERT_EQ(run_at("2025-09-07T01:05:00Z").code, kExitOk);  // Sunday
  exec("INSERT INTO shop.orders VALUES (3, '2025-07-08', 30)");
  ASSERT_EQ(run_at("2025-09-08T01:05:00Z").code, kExitOk);
  exec("INSERT INTO shop.orders VALUES (4, '2025-07-09', 40)");
  ASSERT_EQ(run_at("2025-09-09T01:05:00Z").code, kExitOk);
  const std::string w = label_of_slot("2025-09-07 01:00:00"), d1 = label_of_slot("2025-09-08 01:00:00"),
                    d2 = label_of_slot("2025-09-09 01:00:00");
  // d1 vanishes from storage behind starkeep's back.
  const fs::path repo_dir = cluster().emulator().repository_root() / "exp-bucket" / "prod" / "__starrocks_repository_exp_repo";
  ASSERT_TRUE(fs::exists(repo_dir / ("__ss_" + d1)));
  fs::remove_all(repo_dir / ("__ss_" + d1));
  // On 09-13 d1's retention is over and no retained restore point needs it (d2, the newest daily, captured p2
  // again and inherits p1 from w): the model expires d1, but the repository no longer lists it.
  auto r = expire("--at 2025-09-13T12:00:00Z");
  EXPECT_EQ(r.code, kExitExpireHeld) << r.out << r.err;
  auto v = verdicts(nlohmann::json::parse(r.out));
  EXPECT_EQ(v[d1], "hold");
  EXPECT_EQ(v[w], "keep");
  EXPECT_EQ(v[d2], "keep");
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.snapshot_expiry WHERE label = '" + d1 + "'"), 0, "n"), "0");

  // A deletion recorded as begun (an expire killed between its record and DROP SNAPSHOT) is finished next time.
  std::string oldest_catalog;
  for (const auto& l : listed()) {
    if (l.starts_with("starkeep_catalog_") && (oldest_catalog.empty() || l < oldest_catalog)) oldest_catalog = l;
  }
  ASSERT_FALSE(oldest_catalog.empty());
  exec(fmt::format(
      "INSERT INTO ops.snapshot_expiry (expiry_id, run_id, repository, label, database_name, snapshot_kind, tiers, "
      "backup_timestamp, method, state, reason, decided_at_utc, finished_at_utc, error_text, updated_at_utc) VALUES "
      "('00000000000000000000000000000001', 'killed', 'exp_repo', '{}', 'ops', 'catalog', '', NULL, "
      "'drop_snapshot', 'deleting', 'killed test', '2025-09-12 00:00:00', NULL, NULL, '2025-09-12 00:00:00')",
      oldest_catalog));
  // At 09-08 noon the catalog snapshot of 09-07 is within its 2 days: only the record makes it go.
  auto resumed = expire("--at 2025-09-08T12:00:00Z");
  EXPECT_EQ(resumed.code, kExitOk) << resumed.out << resumed.err;
  EXPECT_FALSE(listed().contains(oldest_catalog));
  const nlohmann::json resumed_doc = nlohmann::json::parse(resumed.out);
  for (const auto& d : resumed_doc["decisions"]) {
    if (d["label"] == oldest_catalog) {
      EXPECT_TRUE(d["resumed"].get<bool>()) << d.dump();
    }
  }
}

TEST_F(ExpireE2e, RepositoryCheckFindsMissingPartialUnknownAndOverdueSnapshots) {
  create_shop();
  ASSERT_EQ(run_at("2025-09-07T01:05:00Z").code, kExitOk);  // Sunday
  exec("INSERT INTO shop.orders VALUES (3, '2025-07-08', 30)");
  ASSERT_EQ(run_at("2025-09-08T01:05:00Z").code, kExitOk);
  exec("INSERT INTO shop.orders VALUES (4, '2025-07-09', 40)");
  ASSERT_EQ(run_at("2025-09-09T01:05:00Z").code, kExitOk);
  const std::string d1 = label_of_slot("2025-09-08 01:00:00"), d2 = label_of_slot("2025-09-09 01:00:00");
  const std::string policy = (dir_ / "policy.skp").string();

  auto clean = starkeep("repository check --policy " + policy + " --at 2025-09-09T12:00:00Z");
  EXPECT_EQ(clean.code, kExitOk) << clean.out << clean.err;

  // d1 deleted behind starkeep's back, an unfinished upload next to d2, a backup starkeep did not take.
  const fs::path repo_dir =
      cluster().emulator().repository_root() / "exp-bucket" / "prod" / "__starrocks_repository_exp_repo";
  fs::remove_all(repo_dir / ("__ss_" + d1));
  std::ofstream(repo_dir / ("__ss_" + d2) / "__info_2025-09-09-09-30-00-000.part") << "{";
  exec("BACKUP SNAPSHOT shop.hand_made TO exp_repo ON (customers)");
  for (int i = 0; i < 300; ++i) {
    auto rows = query("SHOW BACKUP FROM shop");
    if (!rows.empty() && cell(rows, 0, "State") == "FINISHED") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto found = starkeep("repository check --policy " + policy + " --at 2025-09-30T12:00:00Z --format json");
  ASSERT_EQ(found.code, kExitRepositoryMissing) << found.out << found.err;
  std::multimap<std::string, std::string> kinds;  // kind → label
  const nlohmann::json doc = nlohmann::json::parse(found.out);
  for (const auto& f : doc["findings"]) {
    kinds.emplace(f["kind"].get<std::string>(), f["label"].get<std::string>());
  }
  auto has = [&](const std::string& kind, const std::string& label) {
    auto [b, e] = kinds.equal_range(kind);
    return std::any_of(b, e, [&](const auto& kv) { return kv.second == label; });
  };
  EXPECT_TRUE(has("missing", d1)) << found.out;
  EXPECT_TRUE(has("partial", d2)) << found.out;
  EXPECT_TRUE(has("unknown", "hand_made")) << found.out;
  EXPECT_EQ(kinds.count("missing"), 1u) << found.out;
  // On 09-30 the weekly of 09-07 (8 days) is past its expiry but is the newest weekly: kept, not overdue.
  EXPECT_FALSE(has("overdue", label_of_slot("2025-09-07 01:00:00"))) << found.out;
  EXPECT_TRUE(doc["alerts"].empty()) << "the policy has no repository.finding alert";

  // The same check under a policy that alerts on lost and leftover snapshots: one alert per matching finding,
  // delivered through a command notifier (one JSON line each), none for the unknown snapshot.
  std::string alerting = kPolicy;
  const fs::path sink = dir_ / "alerts.jsonl";
  alerting.insert(alerting.rfind('}'), fmt::format(R"(  notifier "file" {{ command = "cat >> '{}'; echo >> '{}'" }}
  alert "lost_or_leftover" {{ when = repository.finding in [missing, partial]; notify = "file"; severity = critical }}
)",
                                                   sink.string(), sink.string()));
  std::ofstream(dir_ / "alerting.skp") << alerting;
  auto alerted = starkeep("repository check --policy " + (dir_ / "alerting.skp").string() +
                          " --at 2025-09-30T12:00:00Z --format json");
  ASSERT_EQ(alerted.code, kExitRepositoryMissing) << alerted.out << alerted.err;
  const nlohmann::json alerted_doc = nlohmann::json::parse(alerted.out);
  EXPECT_EQ(alerted_doc["alerts"].size(), 2u) << alerted.out;
  std::ifstream lines(sink);
  std::map<std::string, nlohmann::json> by_label;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    nlohmann::json event = nlohmann::json::parse(line);
    by_label[event["labels"]["label"].get<std::string>()] = event;
  }
  ASSERT_EQ(by_label.size(), 2u) << "one alert for missing d1, one for partial d2, none for hand_made";
  EXPECT_EQ(by_label[d1]["summary"], "Repository exp_repo: snapshot " + d1 + " is missing");
  EXPECT_EQ(by_label[d1]["severity"], "critical");
  EXPECT_EQ(by_label[d1]["labels"]["repository"], "exp_repo");
  EXPECT_EQ(by_label[d1]["labels"]["database"], "shop");
  EXPECT_EQ(by_label[d2]["summary"], "Repository exp_repo: snapshot " + d2 + " is partial");
}

class ExpireE2ePre42 : public ExpireE2eBase {
 protected:
  static void SetUpTestSuite() { start_cluster({"--time-scale", "50", "--starrocks-version", "3.3.0"}); }
};

TEST_F(ExpireE2ePre42, WithoutDropSnapshotNothingIsDeletedAndTheDryRunStillDecides) {
  create_shop();
  ASSERT_EQ(run_at("2025-07-06T01:05:00Z").code, kExitOk);
  ASSERT_EQ(run_at("2025-07-13T01:05:00Z").code, kExitOk);
  const std::set<std::string> before = listed();
  auto dry = expire("--at 2025-08-01T00:00:00Z --dry-run --detailed-exitcode");
  ASSERT_EQ(dry.code, kExitWorkDue) << dry.out << dry.err;
  EXPECT_FALSE(nlohmann::json::parse(dry.out)["drop_snapshot"].get<bool>());
  auto real = expire("--at 2025-08-01T00:00:00Z");
  EXPECT_EQ(real.code, kExitConfig) << real.out << real.err;
  EXPECT_NE(real.err.find("no DROP SNAPSHOT"), std::string::npos) << real.err;
  EXPECT_EQ(listed(), before);
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.snapshot_expiry"), 0, "n"), "0");
}

}  // namespace
}  // namespace sk
