// End to end on a real S3 API: the emulator's repositories are objects in s3rver (its S3 backend,
// docs/emulator.md), `starkeep run` backs up, `starkeep expire` deletes and `starkeep repository check` reads —
// the real binaries throughout.
//  * StarRocks 3.3 (no DROP SNAPSHOT): expire deletes each snapshot's objects through the S3 API, info and meta
//    first. Killed (SIGKILL) exactly between a snapshot's info objects and its content (the test-only
//    STARKEEP_TEST_PAUSE_AT=storage_info_deleted), the half-deleted snapshot is reported `partial` by repository
//    check and finished by the next expire; the kept restore points still restore.
//  * s3rver stopped at that same point: expire fails with a repository error (exit 14), raises
//    `repository.unreachable` through the policy's notifier, and ops.snapshot_expiry records nothing as deleted.
//  * StarRocks 4.2: DROP SNAPSHOT removes the snapshot's objects from the bucket; a `.part` leftover, a
//    content-only directory and a snapshot deleted behind starkeep's back (its objects removed in s3rver) are each
//    reported, the loss with an alert.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "emulator/harness/gtest_fixture.h"
#include "runtime/s3/object_store.h"
#include "runtime/s3/s3_client.h"
#include "runtime/s3/s3_config.h"
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

constexpr const char* kBucket = "exp-s3";
constexpr const char* kRepoRoot = "prod/__starrocks_repository_exp_repo/";

// Retention short enough that two simulated weeks expire something (as in expire_e2e_test.cpp); the repository
// is the s3rver bucket ({{endpoint}}: plain http on loopback, which the policy accepts for a store on this host).
constexpr const char* kPolicyTemplate = R"(policy "expire_s3_e2e" {
  timezone  = "UTC"
  databases = ["shop"]
  repository "exp_repo" {
    location = "s3a://exp-s3/prod"
    endpoint = "{{endpoint}}"
    region   = "us-east-1"
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
{{alerts}}}
)";

constexpr const char* kInventory = R"({"inventory_version": 1, "tables": [
  {"database": "shop", "table": "orders", "class": "fact", "partitioned": true},
  {"database": "shop", "table": "customers", "class": "dimension", "partitioned": false}]}
)";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class ExpireS3Base : public emu::testing::ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    ASSERT_NE(s3rver(), nullptr) << "the suite starts its cluster on s3rver";
    dir_ = fs::temp_directory_path() / fmt::format("starkeep-expire-s3-e2e-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    processes_ = std::make_unique<test::Processes>(dir_);
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
    write_policy("policy.skp", "");
    std::ofstream(dir_ / "inventory.json") << kInventory;
    auto endpoint = s3::Endpoint::parse(s3rver()->endpoint());
    ASSERT_TRUE(endpoint) << endpoint.error().describe();
    s3::S3Config config(*endpoint);
    config.bucket = kBucket;
    config.credentials = {std::string(emu::harness::kS3rverAccessKey), std::string(emu::harness::kS3rverSecretKey)};
    store_ = s3::make_s3_client(config);
  }
  void TearDown() override {
    processes_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // The policy with the s3rver endpoint and `alerts` (extra blocks) filled in.
  void write_policy(const std::string& name, const std::string& alerts) {
    std::string text = replace_all(kPolicyTemplate, "{{endpoint}}", s3rver()->endpoint());
    std::ofstream(dir_ / name) << replace_all(text, "{{alerts}}", alerts);
  }
  std::string policy(const std::string& name = "policy.skp") const { return (dir_ / name).string(); }

  void exec(const std::string& sql) { test::exec_ok(*sql_, sql); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql); }

  std::vector<std::string> argv_of(const std::string& args) const {
    std::vector<std::string> argv{test::starkeep_binary()};
    for (auto& a : test::split_args(args)) argv.push_back(std::move(a));
    for (const char* a : {"--host", "127.0.0.1", "--port"}) argv.emplace_back(a);
    argv.push_back(std::to_string(cluster().emulator().port()));
    argv.insert(argv.end(), {"--user", "root"});
    return argv;
  }
  // starkeep's own S3 requests sign with s3rver's keys (the variables `credentials = env` reads).
  test::SpawnOptions env_with(const std::vector<std::string>& extra = {}) const {
    test::SpawnOptions o;
    o.env = {fmt::format("STARKEEP_S3_ACCESS_KEY={}", emu::harness::kS3rverAccessKey),
             fmt::format("STARKEEP_S3_SECRET_KEY={}", emu::harness::kS3rverSecretKey)};
    o.env.insert(o.env.end(), extra.begin(), extra.end());
    return o;
  }
  Command starkeep(const std::string& args) { return processes_->run(argv_of(args), env_with()); }
  Command run_at(const std::string& at) {
    return starkeep(fmt::format("run --policy {} --inventory {} --at {} --poll-initial-ms 100", policy(),
                                (dir_ / "inventory.json").string(), at));
  }
  std::string expire_args(const std::string& extra, const std::string& policy_file = "policy.skp") const {
    return fmt::format("expire --policy {} --format json {}", policy(policy_file), extra);
  }

  // The shop database and the repository on s3rver (created with the endpoint and keys as PROPERTIES, as
  // `repository apply` sends them).
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
    exec(fmt::format(
        "CREATE REPOSITORY exp_repo WITH BROKER ON LOCATION 's3a://{}/prod' PROPERTIES ('aws.s3.endpoint' = '{}', "
        "'aws.s3.access_key' = '{}', 'aws.s3.secret_key' = '{}')",
        kBucket, s3rver()->endpoint(), emu::harness::kS3rverAccessKey, emu::harness::kS3rverSecretKey));
  }

  // Two simulated weeks: Sunday weekly, Monday and Tuesday dailies, next Sunday weekly, Monday daily.
  void two_weeks() {
    const std::vector<std::pair<std::string, std::string>> days{
        {"2025-07-06T01:05:00Z", ""},
        {"2025-07-07T01:05:00Z", "INSERT INTO shop.orders VALUES (3, '2025-07-07', 30)"},
        {"2025-07-08T01:05:00Z", "INSERT INTO shop.orders VALUES (4, '2025-06-08', 40)"},
        {"2025-07-13T01:05:00Z", ""},
        {"2025-07-14T01:05:00Z", "INSERT INTO shop.orders VALUES (5, '2025-07-14', 50)"}};
    for (const auto& [at, change] : days) {
      if (!change.empty()) exec(change);
      auto r = run_at(at);
      ASSERT_EQ(r.code, kExitOk) << at << "\n" << r.describe();
    }
  }

  std::string label_of_slot(const std::string& slot) {
    auto rows = query("SELECT label FROM ops.backup_history WHERE state = 'FINISHED' AND slot_utc = '" + slot + "'");
    EXPECT_EQ(rows.size(), 1u) << slot;
    return rows.empty() ? "" : cell(rows, 0, "label");
  }

  // label → Status of SHOW SNAPSHOT.
  std::map<std::string, std::string> listed() {
    auto rows = query("SHOW SNAPSHOT ON exp_repo");
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out[cell(rows, i, "Snapshot")] = cell(rows, i, "Status");
    return out;
  }
  std::set<std::string> listed_labels() {
    std::set<std::string> out;
    for (const auto& [label, status] : listed()) out.insert(label);
    return out;
  }

  // The object keys under a snapshot's directory in the bucket, relative to it (e.g. "__meta.<md5>").
  std::vector<std::string> objects_of(const std::string& label) {
    const std::string prefix = std::string(kRepoRoot) + "__ss_" + label + "/";
    auto listing = s3::list_all(*store_, prefix);
    EXPECT_TRUE(listing) << listing.error().describe();
    std::vector<std::string> out;
    if (!listing) return out;
    for (const auto& o : listing->objects) out.push_back(o.key.substr(prefix.size()));
    return out;
  }
  static bool any_starts_with(const std::vector<std::string>& keys, const std::string& prefix) {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return k.starts_with(prefix); });
  }

  static std::map<std::string, std::string> verdicts(const nlohmann::json& doc) {
    std::map<std::string, std::string> out;
    for (const auto& d : doc["decisions"]) out[d["label"]] = d["verdict"];
    return out;
  }
  // (kind, label) pairs of a repository check's JSON.
  static std::set<std::pair<std::string, std::string>> findings_of(const std::string& out) {
    std::set<std::pair<std::string, std::string>> found;
    const nlohmann::json doc = nlohmann::json::parse(out);
    for (const auto& f : doc["findings"]) found.emplace(f["kind"].get<std::string>(), f["label"].get<std::string>());
    return found;
  }
  // Every JSON line the command notifier wrote to `file`.
  static std::vector<nlohmann::json> alert_lines(const fs::path& file) {
    std::vector<nlohmann::json> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  // A notifier that appends each alert to `file` (one JSON line) and an alert `when` → it.
  static std::string file_alert(const fs::path& file, const std::string& name, const std::string& when) {
    return fmt::format(R"(  notifier "file" {{ command = "cat >> '{0}'; echo >> '{0}'" }}
  alert "{1}" {{ when = {2}; notify = "file"; severity = critical }}
)",
                       file.string(), name, when);
  }

  fs::path dir_;
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::ClusterSql> sql_;
  std::unique_ptr<s3::ObjectStore> store_;
};

// ---------------------------------------------------------------------------------------------------------------
// StarRocks 3.3: deletion through the S3 API.

class ExpireS3Pre42 : public ExpireS3Base {
 protected:
  static void SetUpTestSuite() {
    start_cluster_on_s3({"--time-scale", "50", "--starrocks-version", "3.3.0"}, {kBucket});
  }
};

TEST_F(ExpireS3Pre42, TheClusterWritesSnapshotsToS3AsStarRocksDoes) {
  create_shop();
  ASSERT_EQ(run_at("2025-07-06T01:05:00Z").code, kExitOk);
  const std::string w1 = label_of_slot("2025-07-06 01:00:00");
  const auto keys = objects_of(w1);
  // __meta.<md5>, __info_<timestamp>.<md5>, and the content; every upload renamed (no .part left behind).
  EXPECT_TRUE(any_starts_with(keys, "__meta.")) << fmt::format("{}", fmt::join(keys, "\n"));
  EXPECT_TRUE(any_starts_with(keys, "__info_")) << fmt::format("{}", fmt::join(keys, "\n"));
  EXPECT_TRUE(any_starts_with(keys, "__ss_content/__db_")) << fmt::format("{}", fmt::join(keys, "\n"));
  for (const auto& k : keys) EXPECT_FALSE(k.ends_with(".part")) << k;
  auto repo_info = store_->get_object(std::string(kRepoRoot) + "__repo_info");
  EXPECT_TRUE(repo_info) << repo_info.error().describe();
  EXPECT_EQ(listed()[w1], "OK");
  // A restore reads it back from S3.
  auto restored = starkeep(fmt::format("restore table shop.orders --snapshot {} --as orders_w1 --replication-num 1", w1));
  ASSERT_EQ(restored.code, kExitOk) << restored.describe();
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM shop.orders_w1"), 0, "n"), "2");
}

TEST_F(ExpireS3Pre42, AKilledDeletionIsReportedPartialAndResumedByTheNextExpire) {
  create_shop();
  two_weeks();
  const std::string w1 = label_of_slot("2025-07-06 01:00:00"), d1 = label_of_slot("2025-07-07 01:00:00"),
                    d2 = label_of_slot("2025-07-08 01:00:00"), w2 = label_of_slot("2025-07-13 01:00:00"),
                    d3 = label_of_slot("2025-07-14 01:00:00");
  const std::string at = "--at 2025-07-20T12:00:00Z";

  // SIGKILL exactly after the first snapshot's info and meta objects are deleted, its content not yet.
  test::Proc p = processes_->spawn(argv_of(expire_args(at)), env_with({"STARKEEP_TEST_PAUSE_AT=storage_info_deleted"}));
  ASSERT_TRUE(processes_->wait_stopped(p)) << "expire never reached storage_info_deleted";
  (void)processes_->kill_now(p);
  auto deleting = query("SELECT label, method FROM ops.snapshot_expiry WHERE state = 'deleting'");
  ASSERT_EQ(deleting.size(), 1u);
  const std::string half = cell(deleting, 0, "label");
  EXPECT_EQ(cell(deleting, 0, "method"), "storage");
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.snapshot_expiry WHERE state = 'deleted'"), 0, "n"), "0");
  const auto left = objects_of(half);
  EXPECT_FALSE(any_starts_with(left, "__info_")) << half;
  EXPECT_FALSE(any_starts_with(left, "__meta")) << half;
  EXPECT_TRUE(any_starts_with(left, "__ss_content/")) << half;
  // StarRocks lists the directory (it still has objects) without a snapshot in it.
  EXPECT_EQ(listed()[half], "ERROR: no snapshot");

  // Until the next expire, repository check reports it.
  auto check = starkeep(fmt::format("repository check --policy {} {} --format json", policy(), at));
  EXPECT_EQ(check.code, kExitRepositoryFindings) << check.describe();
  EXPECT_TRUE(findings_of(check.out).contains({"partial", half})) << check.out;

  // The next expire finishes it first, then deletes the rest; every expired snapshot's objects are gone.
  auto resumed = starkeep(expire_args(at));
  ASSERT_EQ(resumed.code, kExitOk) << resumed.describe();
  const nlohmann::json doc = nlohmann::json::parse(resumed.out);
  bool saw_resumed = false;
  for (const auto& d : doc["decisions"]) {
    if (d["label"] == half) saw_resumed = d["resumed"].get<bool>();
  }
  EXPECT_TRUE(saw_resumed) << resumed.out;
  const auto v = verdicts(doc);
  for (const auto& gone : {w1, d1, d2}) {
    EXPECT_EQ(v.at(gone), "expire") << gone;
    EXPECT_TRUE(objects_of(gone).empty()) << gone;
  }
  for (const auto& kept : {w2, d3}) {
    EXPECT_EQ(v.at(kept), "keep") << kept;
    EXPECT_TRUE(any_starts_with(objects_of(kept), "__info_")) << kept;
  }
  auto rows = query("SELECT label, state, method FROM ops.snapshot_expiry ORDER BY label");
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(cell(rows, i, "state"), "deleted") << cell(rows, i, "label");
    EXPECT_EQ(cell(rows, i, "method"), "storage") << cell(rows, i, "label");
  }
  const std::set<std::string> now = listed_labels();
  for (const auto& gone : {w1, d1, d2}) EXPECT_FALSE(now.contains(gone)) << gone;

  auto clean = starkeep(fmt::format("repository check --policy {} {} --format json", policy(), at));
  EXPECT_EQ(clean.code, kExitOk) << clean.describe();

  // The kept restore point still restores from S3 (d3 on top of w2).
  auto kept = starkeep(fmt::format("restore table shop.orders --snapshot {} --as orders_d3 --replication-num 1", d3));
  ASSERT_EQ(kept.code, kExitOk) << kept.describe();
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM shop.orders_d3"), 0, "n"), "5");
}

TEST_F(ExpireS3Pre42, S3StoppedDuringDeletionIsARepositoryErrorWithAnAlertAndNothingIsRecordedAsDeleted) {
  const fs::path sink = dir_ / "alerts.jsonl";
  write_policy("alerting.skp", file_alert(sink, "repo_down", "repository.unreachable"));
  create_shop();
  two_weeks();
  const std::string at = "--at 2025-07-20T12:00:00Z";

  test::Proc p = processes_->spawn(argv_of(expire_args(at, "alerting.skp")),
                                   env_with({"STARKEEP_TEST_PAUSE_AT=storage_info_deleted"}));
  ASSERT_TRUE(processes_->wait_stopped(p)) << "expire never reached storage_info_deleted";
  const fs::path bucket_dir = s3rver()->data_dir() / kBucket;
  s3rver()->stop();  // the S3 endpoint goes away with one snapshot half deleted
  processes_->signal(p, SIGCONT);
  const Command r = processes_->wait(p);
  EXPECT_EQ(r.code, kExitRepository) << r.describe();
  EXPECT_NE(r.err.find("s3://exp-s3"), std::string::npos) << r.err;  // the S3 error names the bucket

  // Nothing is recorded as deleted; the half-deleted snapshot stays `deleting` for the next expire.
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.snapshot_expiry WHERE state = 'deleted'"), 0, "n"), "0");
  auto deleting = query("SELECT label FROM ops.snapshot_expiry WHERE state = 'deleting'");
  ASSERT_EQ(deleting.size(), 1u);
  const std::string half = cell(deleting, 0, "label");
  EXPECT_TRUE(fs::exists(bucket_dir / "prod" / "__starrocks_repository_exp_repo" / ("__ss_" + half) / "__ss_content"))
      << "its content is still in the bucket";

  // One repository.unreachable alert, for the repository and the snapshot it failed on.
  const auto alerts = alert_lines(sink);
  ASSERT_EQ(alerts.size(), 1u) << test::slurp(sink);
  EXPECT_EQ(alerts[0]["alert"], "repo_down") << alerts[0].dump();
  EXPECT_EQ(alerts[0]["summary"], "Repository exp_repo is unreachable") << alerts[0].dump();
  EXPECT_EQ(alerts[0]["labels"]["repository"], "exp_repo") << alerts[0].dump();
  EXPECT_EQ(alerts[0]["labels"]["label"], half) << alerts[0].dump();
  EXPECT_EQ(alerts[0]["severity"], "critical") << alerts[0].dump();

  // The cluster sees the repository fail too (its ping lists the bucket).
  auto repos = query("SHOW REPOSITORIES");
  ASSERT_EQ(repos.size(), 1u);
  EXPECT_FALSE(cell(repos, 0, "ErrMsg").empty());
}

// ---------------------------------------------------------------------------------------------------------------
// StarRocks 4.2: DROP SNAPSHOT, and what repository check finds in the bucket.

class ExpireS3At42 : public ExpireS3Base {
 protected:
  static void SetUpTestSuite() {
    start_cluster_on_s3({"--time-scale", "50", "--starrocks-version", "4.2.0"}, {kBucket});
  }
};

TEST_F(ExpireS3At42, DropSnapshotEmptiesTheBucketPrefixAndRepositoryCheckReportsLeftoversAndLosses) {
  create_shop();
  ASSERT_EQ(run_at("2025-09-07T01:05:00Z").code, kExitOk);  // Sunday
  exec("INSERT INTO shop.orders VALUES (3, '2025-07-08', 30)");
  ASSERT_EQ(run_at("2025-09-08T01:05:00Z").code, kExitOk);
  exec("INSERT INTO shop.orders VALUES (4, '2025-07-09', 40)");
  ASSERT_EQ(run_at("2025-09-09T01:05:00Z").code, kExitOk);
  const std::string w = label_of_slot("2025-09-07 01:00:00"), d1 = label_of_slot("2025-09-08 01:00:00"),
                    d2 = label_of_slot("2025-09-09 01:00:00");
  ASSERT_FALSE(objects_of(d1).empty());

  // On 09-13 d1 is past its 2 days and no retained restore point needs it: DROP SNAPSHOT, and its objects leave
  // the bucket.
  auto real = starkeep(expire_args("--at 2025-09-13T12:00:00Z"));
  ASSERT_EQ(real.code, kExitOk) << real.describe();
  EXPECT_EQ(verdicts(nlohmann::json::parse(real.out))[d1], "expire") << real.out;
  EXPECT_TRUE(objects_of(d1).empty());
  EXPECT_FALSE(objects_of(w).empty());
  EXPECT_EQ(cell(query("SELECT method FROM ops.snapshot_expiry WHERE label = '" + d1 + "'"), 0, "method"),
            "drop_snapshot");

  // Behind starkeep's back: w's objects removed from the bucket, an unfinished upload next to d2, and a
  // directory with content only.
  std::vector<std::string> w_keys;
  for (const auto& k : objects_of(w)) w_keys.push_back(std::string(kRepoRoot) + "__ss_" + w + "/" + k);
  ASSERT_TRUE(s3::delete_keys(*store_, w_keys).complete());
  ASSERT_TRUE(store_->put_object(std::string(kRepoRoot) + "__ss_" + d2 + "/__info_2025-09-09-09-30-00-000.part", "{"));
  ASSERT_TRUE(store_->put_object(std::string(kRepoRoot) +
                                     "__ss_ghost/__ss_content/__db_1/__tbl_2/__part_3/__idx_2/__4/__5/4_0_0.dat."
                                     "0123456789abcdef0123456789abcdef",
                                 "[]"));

  const fs::path sink = dir_ / "alerts.jsonl";
  write_policy("alerting.skp", file_alert(sink, "lost_or_leftover", "repository.finding in [missing, partial]"));
  auto found = starkeep(fmt::format("repository check --policy {} --at 2025-09-13T12:00:00Z --format json",
                                    policy("alerting.skp")));
  ASSERT_EQ(found.code, kExitRepositoryMissing) << found.describe();
  const auto findings = findings_of(found.out);
  EXPECT_TRUE(findings.contains({"missing", w})) << found.out;
  EXPECT_TRUE(findings.contains({"partial", d2})) << found.out;     // the .part upload
  EXPECT_TRUE(findings.contains({"partial", "ghost"})) << found.out;  // content without info (listed by StarRocks)
  EXPECT_FALSE(findings.contains({"missing", d1})) << "expired by starkeep, not lost: " << found.out;
  std::map<std::string, nlohmann::json> by_label;
  for (const auto& a : alert_lines(sink)) by_label[a["labels"]["label"].get<std::string>()] = a;
  ASSERT_TRUE(by_label.contains(w)) << found.out;
  EXPECT_EQ(by_label[w]["summary"], "Repository exp_repo: snapshot " + w + " is missing");
  EXPECT_EQ(by_label[w]["severity"], "critical");
  EXPECT_TRUE(by_label.contains(d2)) << found.out;
  EXPECT_TRUE(by_label.contains("ghost")) << found.out;
  EXPECT_EQ(by_label.size(), 3u) << found.out;
}

}  // namespace
}  // namespace sk
