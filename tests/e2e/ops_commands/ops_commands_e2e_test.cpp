// End-to-end tests of the set-up commands: the REAL starkeep binary (tests/support/starkeep.h) against the StarRocks FE
// emulator backed by MariaDB. init twice; inventory sync over a partitioned fact table, a dimension table and a
// hostile name (backtick, quote, unicode); a manual classification surviving the next sync; export read by
// `starkeep check` and `starkeep plan`; repository apply creating the repository (SHOW REPOSITORIES), verifying it
// the second time, reporting drift, refusing an http endpoint and missing keys — and never printing a secret.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "emulator/harness/gtest_fixture.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace {

namespace fs = std::filesystem;
using namespace sk::cli;  // NOLINT: kExit… (tools/starkeep/exit_codes.h)

constexpr const char* kSecret = "e2eSECRETkey/ShouldNeverBePrinted+123";
constexpr const char* kAccess = "AKIAE2EACCESSKEY0001";
const std::string kHostile = "we`ird'tbl_ü表";

using sk::test::slurp;

struct CliRun {
  int code = -1;
  std::string out, err;
};

class OpsCommandsE2e : public sk::emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({}); }

  void SetUp() override {
    ClusterFixture::SetUp();
    dir_ = fs::temp_directory_path() /
           ("starkeep-opscmd-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    processes_ = std::make_unique<sk::test::Processes>(dir_ / "commands");
  }
  void TearDown() override {
    processes_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs starkeep without the S3 key variables, plus `env`, with the cluster's connection flags appended when
  // `with_cluster` is true.
  CliRun starkeep(std::vector<std::string> args, bool with_cluster = true, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv{sk::test::starkeep_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    if (with_cluster) {
      for (std::string a : {std::string("--host"), cluster().emulator().host(), std::string("--port"),
                            std::to_string(cluster().emulator().port()), std::string("--user"), std::string("root")}) {
        argv.push_back(std::move(a));
      }
    }
    sk::test::SpawnOptions options{.unset = {"STARKEEP_S3_ACCESS_KEY", "STARKEEP_S3_SECRET_KEY"}};
    for (const auto& [k, v] : env) options.env.push_back(k + "=" + v);
    const sk::test::Finished f = processes_->run(argv, options);
    return {f.code, f.out, f.err};
  }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // A new session per statement (as the commands under test open their own).
  void exec(const std::string& sql) {
    auto c = sk::test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    auto s = c->exec(sql);
    ASSERT_TRUE(s) << sql << ": " << s.error().describe();
  }
  // The named columns of every row ("" for NULL).
  std::vector<std::map<std::string, std::string>> query(const std::string& sql, const std::vector<std::string>& columns) {
    auto c = sk::test::ClusterSql::connect(cluster().emulator().port());
    EXPECT_TRUE(c) << c.error().describe();
    if (!c) return {};
    auto rows = c->query(sql);
    EXPECT_TRUE(rows) << sql << ": " << (rows ? "" : rows.error().describe());
    std::vector<std::map<std::string, std::string>> out;
    for (std::size_t i = 0; rows && i < rows->size(); ++i) {
      std::map<std::string, std::string> row;
      for (const auto& col : columns) row[col] = sk::test::cell(*rows, i, col.c_str(), "");
      out.push_back(std::move(row));
    }
    return out;
  }

  static std::string policy_text(const std::string& repository_body) {
    return "policy \"e2e\" {\n"
           "  timezone  = \"UTC\"\n"
           "  databases = [\"e2e_sales\"]\n"
           "  repository \"e2e_repo\" { " + repository_body + " }\n"
           "  tier \"daily\" {\n"
           "    backup   = tables\n"
           "    include  = tables where class == \"fact\"\n"
           "    schedule = daily at 02:00\n"
           "    retain   = 7d\n"
           "  }\n"
           "  tier \"weekly\" {\n"
           "    backup = database; schedule = sun at 03:00; retain = 30d; precedence = 10; covers = [\"daily\"]\n"
           "  }\n"
           "}\n";
  }
  static std::string good_repository() {
    return "location = \"s3a://e2e-bucket/starkeep\"; endpoint = \"https://s3.example.test\"; region = "
           "\"us-east-1\"";
  }

  fs::path dir_;
  std::unique_ptr<sk::test::Processes> processes_;
};

TEST_F(OpsCommandsE2e, InitTwiceIsIdempotent) {
  CliRun first = starkeep({"init", "--ops-database", "e2e_ops_init", "--replication-num", "1"});
  ASSERT_EQ(first.code, kExitOk) << first.out << first.err;
  EXPECT_NE(first.out.find("version 0 -> 5"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("table_inventory"), std::string::npos) << first.out;
  CliRun second = starkeep({"init", "--ops-database", "e2e_ops_init", "--replication-num", "1"});
  ASSERT_EQ(second.code, kExitOk) << second.out << second.err;
  EXPECT_NE(second.out.find("up to date"), std::string::npos) << second.out;
  auto versions = query("SELECT version FROM `e2e_ops_init`.`schema_version`", {"version"});
  EXPECT_EQ(versions.size(), 5u);  // steps 1 to 5, each recorded once
}

// A user's database with the ops database's name is never taken over (issue 10 item 18): init refuses, exit 78,
// says how to choose another, and creates nothing in it.
TEST_F(OpsCommandsE2e, InitRefusesAUserDatabaseAsTheOpsDatabase) {
  exec("CREATE DATABASE e2e_user_ops");
  exec("CREATE TABLE e2e_user_ops.orders (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
       "PROPERTIES ('replication_num' = '1')");
  CliRun refused = starkeep({"init", "--ops-database", "e2e_user_ops", "--replication-num", "1"});
  EXPECT_EQ(refused.code, kExitConfig) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("database e2e_user_ops exists and holds 1 table(s) that are not starkeep's (orders)"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--ops-database"), std::string::npos) << refused.err;
  const auto tables = query("SHOW TABLES FROM e2e_user_ops", {"Tables_in_e2e_user_ops"});
  ASSERT_EQ(tables.size(), 1u) << "nothing created in the user's database";
  EXPECT_EQ(tables[0].at("Tables_in_e2e_user_ops"), "orders");
}

// Exit codes shared by every command (tools/starkeep/exit_codes.h): 16 the cluster cannot be reached, 69 it answered
// but refused a statement, 78 bad connection settings — the same for every command that talks to the cluster.
TEST_F(OpsCommandsE2e, InitUnreachableClusterExits16) {
  CliRun r = starkeep({"init", "--host", "127.0.0.1", "--port", "1", "--connect-timeout", "2"}, false);
  EXPECT_EQ(r.code, kExitConnection) << r.out << r.err;
}

TEST_F(OpsCommandsE2e, EveryClusterCommandExits16WhenUnreachable69WhenRefused78OnBadSettings) {
  std::ofstream(dir_ / "p.skp") << R"(policy "codes" {
  timezone  = "UTC"
  databases = ["codes_db"]
  repository "codes_repo" {
    location = "s3a://b/codes"
    endpoint = "https://s3.eu-west-1.amazonaws.com"
    region   = "eu-west-1"
  }
  tier "daily" {
    backup   = tables
    include  = tables where class == "fact"
    schedule = mon..sun at 01:00
    retain   = 7d
    window   = 2h
  }
}
)";
  std::ofstream(dir_ / "inv.json") << R"({"inventory_version": 1, "tables": [
  {"database": "codes_db", "table": "t", "class": "fact", "partitioned": false}]})";
  const std::string policy = (dir_ / "p.skp").string();
  const std::string inventory = (dir_ / "inv.json").string();
  const std::vector<std::vector<std::string>> commands = {
      {"init"},
      {"inventory", "sync"},
      {"inventory", "export", "--out", "-"},
      {"status"},
      {"run", "--policy", policy, "--inventory", inventory, "--at", "2025-09-15T01:05:00Z"},
      {"restore", "table", "codes_db.t", "--as-of", "2025-09-15T02:00:00Z", "--dry-run"},
  };
  const std::vector<std::string> unreachable = {"--host", "127.0.0.1", "--port", "1", "--connect-timeout", "1"};
  for (auto args : commands) {
    const std::string name = args[0] + (args.size() > 1 && args[1][0] != '-' ? " " + args[1] : "");
    auto a = args;
    a.insert(a.end(), unreachable.begin(), unreachable.end());
    CliRun r = starkeep(a, false, {{"STARKEEP_S3_ACCESS_KEY", "k"}, {"STARKEEP_S3_SECRET_KEY", "s"}});
    EXPECT_EQ(r.code, kExitConnection) << name << ": " << r.out << r.err;
    auto b = args;
    b.insert(b.end(), {"--password-file", (dir_ / "no-such-file").string()});
    r = starkeep(b, true);
    EXPECT_EQ(r.code, kExitConfig) << name << ": " << r.out << r.err;
  }
  // Refused: reading ops tables of an ops database that was never created.
  for (auto args : std::vector<std::vector<std::string>>{{"status", "--ops-database", "codes_never_created"},
                                                        {"inventory", "export", "--out", "-", "--ops-database",
                                                         "codes_never_created"}}) {
    CliRun r = starkeep(args, true);
    EXPECT_EQ(r.code, kExitRefused) << args[0] << ": " << r.out << r.err;
  }
}

TEST_F(OpsCommandsE2e, InventorySyncClassifyExportCheckPlan) {
  ASSERT_EQ(starkeep({"init", "--replication-num", "1"}).code, kExitOk);
  exec("CREATE DATABASE e2e_sales");
  exec("CREATE DATABASE e2e_other");
  exec("CREATE TABLE e2e_sales.fact_orders (dt DATE NOT NULL, id INT NOT NULL, amount INT) DUPLICATE KEY(dt, id) "
       "PARTITION BY RANGE(dt) (PARTITION p2024 VALUES LESS THAN ('2025-01-01'), PARTITION p2025 VALUES LESS THAN "
       "('2026-01-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")");
  exec("CREATE TABLE e2e_sales.dim_customer (id INT NOT NULL, name VARCHAR(64)) DUPLICATE KEY(id) "
       "DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")");
  exec("CREATE TABLE e2e_sales.`we``ird'tbl_ü表` (id INT NOT NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
       "BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")");
  exec("CREATE TABLE e2e_other.fact_ignored (id INT NOT NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
       "PROPERTIES (\"replication_num\" = \"1\")");
  exec("INSERT INTO e2e_sales.fact_orders VALUES ('2025-09-13', 1, 10), ('2025-09-13', 2, 20)");
  const fs::path policy = write("p.skp", policy_text(good_repository()));

  CliRun sync = starkeep({"inventory", "sync", "--policy", policy.string()});
  ASSERT_EQ(sync.code, kExitOk) << sync.out << sync.err;
  EXPECT_NE(sync.out.find("3 new"), std::string::npos) << sync.out;
  auto rows = query("SELECT database_name, table_name, table_class, partitioned, classified_by FROM "
                    "ops.table_inventory ORDER BY table_name",
                    {"database_name", "table_name", "table_class", "partitioned", "classified_by"});
  ASSERT_EQ(rows.size(), 3u);  // e2e_other is outside the policy's databases
  std::map<std::string, std::map<std::string, std::string>> by_table;
  for (auto& r : rows) by_table[r["table_name"]] = r;
  ASSERT_TRUE(by_table.contains("fact_orders"));
  EXPECT_EQ(by_table["fact_orders"]["table_class"], "fact");
  EXPECT_EQ(by_table["fact_orders"]["partitioned"], "1");
  EXPECT_EQ(by_table["dim_customer"]["table_class"], "dimension");
  EXPECT_EQ(by_table["dim_customer"]["partitioned"], "0");
  ASSERT_TRUE(by_table.contains(kHostile)) << "hostile name did not round-trip";
  EXPECT_EQ(by_table[kHostile]["table_class"], "unclassified");

  // A manual classification survives the next sync.
  CliRun cls = starkeep({"inventory", "classify", "--database", "e2e_sales", "--table", kHostile, "--class", "fact"});
  ASSERT_EQ(cls.code, kExitOk) << cls.out << cls.err;
  CliRun cls_dim = starkeep({"inventory", "classify", "e2e_sales.fact_orders", "--class", "dimension"});
  ASSERT_EQ(cls_dim.code, kExitOk) << cls_dim.out << cls_dim.err;
  CliRun unknown = starkeep({"inventory", "classify", "e2e_sales.nope", "--class", "fact"});
  EXPECT_EQ(unknown.code, kExitErrors) << unknown.out << unknown.err;
  exec("DROP TABLE e2e_sales.dim_customer");
  CliRun again = starkeep({"inventory", "sync", "--policy", policy.string()});
  ASSERT_EQ(again.code, kExitOk) << again.out << again.err;
  EXPECT_NE(again.out.find("0 new"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("1 gone"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("gone     e2e_sales.dim_customer"), std::string::npos) << again.out;
  rows = query("SELECT table_name, table_class, classified_by FROM ops.table_inventory",
               {"table_name", "table_class", "classified_by"});
  ASSERT_EQ(rows.size(), 3u);  // the dropped table is kept, not deleted
  for (auto& r : rows) {
    if (r["table_name"] == kHostile) {
      EXPECT_EQ(r["table_class"], "fact");
      EXPECT_EQ(r["classified_by"], "manual");
    }
    if (r["table_name"] == "fact_orders") {
      EXPECT_EQ(r["table_class"], "dimension");
      EXPECT_EQ(r["classified_by"], "manual");
    }
  }
  ASSERT_EQ(starkeep({"inventory", "classify", "e2e_sales.fact_orders", "--class", "fact"}).code, kExitOk);

  // Export → a file check and plan accept.
  const fs::path inventory = dir_ / "inventory.json";
  CliRun exp = starkeep({"inventory", "export", "--policy", policy.string(), "--out", inventory.string()});
  ASSERT_EQ(exp.code, kExitOk) << exp.out << exp.err;
  const auto doc = nlohmann::json::parse(slurp(inventory));
  EXPECT_EQ(doc["inventory_version"], 1);
  ASSERT_EQ(doc["tables"].size(), 2u) << doc.dump(2);
  bool saw_hostile = false, saw_orders = false;
  for (const auto& t : doc["tables"]) {
    if (t["table"] == kHostile) {
      saw_hostile = true;
      EXPECT_EQ(t["class"], "fact");
      EXPECT_FALSE(t["partitioned"].get<bool>());
      ASSERT_EQ(t["partitions"].size(), 1u);
    }
    if (t["table"] == "fact_orders") {
      saw_orders = true;
      EXPECT_TRUE(t["partitioned"].get<bool>());
      ASSERT_EQ(t["partitions"].size(), 2u);
      EXPECT_EQ(t["partitions"][1]["name"], "p2025");
      EXPECT_GE(t["partitions"][1]["visible_version"].get<int>(), 2) << "the INSERT advanced the version";
      EXPECT_GT(t["partitions"][1]["id"].get<long>(), 0);
    }
  }
  EXPECT_TRUE(saw_hostile && saw_orders) << doc.dump(2);

  CliRun check = starkeep({"check", "--policy", policy.string(), "--inventory", inventory.string()}, false);
  EXPECT_EQ(check.code, kExitOk) << check.out << check.err;
  CliRun plan = starkeep({"plan", "--policy", policy.string(), "--inventory", inventory.string(), "--at",
                       "2025-09-15T02:00:00Z", "--format", "json"},
                      false);
  ASSERT_EQ(plan.code, kExitOk) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("fact_orders"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("\"e2e_sales\""), std::string::npos) << plan.out;
}

// Inputs are read with read(2): a pipe (`--inventory <(…)`) is read to its end, and what is not a readable file
// is a clean "cannot read" (exit kExitNoInput), never a crash or an empty inventory.
TEST_F(OpsCommandsE2e, CheckReadsAnInventoryFromAPipeAndRefusesADirectory) {
  const fs::path policy = write("p.skp", policy_text(good_repository()));
  std::string inventory = R"({"inventory_version": 1, "tables": [)";
  for (int i = 0; i < 2000; ++i) {  // about 190 KB: more than one pipe buffer and one read chunk
    inventory += fmt::format(R"({}{{"database": "e2e_sales", "table": "fact_{:05}", "class": "fact", )"
                             R"("partitioned": false}})",
                             i ? ", " : "", i);
  }
  inventory += "]}";
  const fs::path file = write("inv.json", inventory);
  // As a user writes it in a shell: bash hands starkeep a pipe (/dev/fd/N).
  const sk::test::Finished piped = processes_->run(
      {"/bin/bash", "-c",
       fmt::format("'{}' check --policy '{}' --inventory <(cat '{}')", sk::test::starkeep_binary(), policy.string(),
                   file.string())});
  EXPECT_EQ(piped.code, kExitOk) << piped.out << piped.err;
  const size_t pipe_summary = piped.err.find("; /dev/fd/");
  ASSERT_NE(pipe_summary, std::string::npos) << piped.err;
  EXPECT_NE(piped.err.find(": 0 errors, 0 warnings\n", pipe_summary), std::string::npos) << piped.err;
  CliRun as_file = starkeep({"check", "--policy", policy.string(), "--inventory", file.string()}, false);
  EXPECT_EQ(as_file.code, kExitOk) << as_file.out << as_file.err;

  CliRun directory = starkeep({"check", "--policy", policy.string(), "--inventory", dir_.string()}, false);
  EXPECT_EQ(directory.code, kExitNoInput) << directory.out << directory.err;
  EXPECT_NE(directory.err.find("cannot read '" + dir_.string() + "': Is a directory"), std::string::npos)
      << directory.err;
  CliRun missing = starkeep({"check", "--policy", (dir_ / "absent.skp").string()}, false);
  EXPECT_EQ(missing.code, kExitNoInput) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("No such file or directory"), std::string::npos) << missing.err;
}

TEST_F(OpsCommandsE2e, RepositoryApplyCreatesThenVerifiesAndNeverPrintsKeys) {
  const fs::path policy = write("p.skp", policy_text(good_repository()));
  const std::map<std::string, std::string> keys = {{"STARKEEP_S3_ACCESS_KEY", kAccess},
                                                   {"STARKEEP_S3_SECRET_KEY", kSecret}};
  CliRun missing = starkeep({"repository", "apply", "--policy", policy.string()});
  EXPECT_EQ(missing.code, kExitConfig) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("STARKEEP_S3_ACCESS_KEY"), std::string::npos) << missing.err;

  // A dry run needs no keys: it warns about each missing one (issue 10 item 21) and still changes nothing.
  CliRun keyless = starkeep({"repository", "apply", "--policy", policy.string(), "--dry-run"});
  EXPECT_EQ(keyless.code, kExitOk) << keyless.out << keyless.err;
  EXPECT_NE(keyless.out.find("would_create"), std::string::npos) << keyless.out;
  EXPECT_NE(keyless.err.find("warning: STARKEEP_S3_ACCESS_KEY is not set"), std::string::npos) << keyless.err;
  EXPECT_NE(keyless.err.find("warning: STARKEEP_S3_SECRET_KEY is not set"), std::string::npos) << keyless.err;
  CliRun dry = starkeep({"repository", "apply", "--policy", policy.string(), "--dry-run"}, true, keys);
  ASSERT_EQ(dry.code, kExitOk) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("would_create"), std::string::npos) << dry.out;
  EXPECT_TRUE(query("SHOW REPOSITORIES", {"RepoName"}).empty());

  CliRun created = starkeep({"repository", "apply", "--policy", policy.string(), "--verbose"}, true, keys);
  ASSERT_EQ(created.code, kExitOk) << created.out << created.err;
  EXPECT_NE(created.out.find("repository e2e_repo: created"), std::string::npos) << created.out;
  EXPECT_NE(created.err.find("CREATE REPOSITORY"), std::string::npos) << created.err;
  for (const CliRun* r : {&dry, &created}) {
    EXPECT_EQ(r->out.find(kSecret), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kSecret), std::string::npos) << r->err;
    EXPECT_EQ(r->out.find(kAccess), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kAccess), std::string::npos) << r->err;
  }
  auto repos = query("SHOW REPOSITORIES", {"RepoName", "Location", "IsReadOnly"});
  ASSERT_EQ(repos.size(), 1u);
  EXPECT_EQ(repos[0]["RepoName"], "e2e_repo");
  EXPECT_EQ(repos[0]["Location"], "s3a://e2e-bucket/starkeep");
  EXPECT_EQ(repos[0]["IsReadOnly"], "false");

  CliRun verified = starkeep({"repository", "apply", "--policy", policy.string()}, true, keys);
  ASSERT_EQ(verified.code, kExitOk) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("repository e2e_repo: verified"), std::string::npos) << verified.out;
  EXPECT_EQ(query("SHOW REPOSITORIES", {"RepoName"}).size(), 1u);

  const fs::path moved = write("moved.skp", policy_text("location = \"s3a://e2e-bucket/elsewhere\"; endpoint = "
                                                        "\"https://s3.example.test\""));
  CliRun drift = starkeep({"repository", "apply", "--policy", moved.string()}, true, keys);
  EXPECT_EQ(drift.code, kExitDrift) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("drift: location"), std::string::npos) << drift.out;
}

TEST_F(OpsCommandsE2e, HttpEndpointIsRefused) {
  const fs::path policy =
      write("http.skp", policy_text("location = \"s3a://e2e-bucket/plain\"; endpoint = \"http://minio:9000\""));
  CliRun r = starkeep({"repository", "apply", "--policy", policy.string()}, true,
                   {{"STARKEEP_S3_ACCESS_KEY", kAccess}, {"STARKEEP_S3_SECRET_KEY", kSecret}});
  EXPECT_NE(r.code, kExitOk);
  EXPECT_EQ(r.code, kExitErrors) << r.out << r.err;  // the compiler refuses it (SK0305) before anything is sent
  EXPECT_NE(r.err.find("HTTPS"), std::string::npos) << r.err;
  for (auto& repo : query("SHOW REPOSITORIES", {"Location"})) {
    EXPECT_EQ(repo["Location"].find("plain"), std::string::npos) << "the http repository was created";
  }
}

TEST_F(OpsCommandsE2e, SecurityDocumentsFromThePolicy) {
  const fs::path policy = write("p.skp", policy_text(good_repository()));
  CliRun r = starkeep({"repository", "security", "--policy", policy.string()}, false);
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["bucket"], "e2e-bucket");
  EXPECT_EQ(doc["object_lock"]["Rule"]["DefaultRetention"]["Days"], 30);  // the longest tier retention
  EXPECT_EQ(doc["bucket_policy"]["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"], "false");
}

// Issue 12 item 2: without the S3 keys, `repository check` cannot list the repository in storage — it says so, in
// text and JSON, instead of passing silently.
TEST_F(OpsCommandsE2e, RepositoryCheckWithoutStorageKeysSaysTheListingWasNotDone) {
  const fs::path policy = write("p.skp", policy_text(good_repository()));
  ASSERT_EQ(starkeep({"init", "--ops-database", "e2e_ops_chk", "--replication-num", "1"}).code, kExitOk);
  CliRun created = starkeep({"repository", "apply", "--policy", policy.string()}, true,
                            {{"STARKEEP_S3_ACCESS_KEY", kAccess}, {"STARKEEP_S3_SECRET_KEY", kSecret}});
  ASSERT_EQ(created.code, kExitOk) << created.out << created.err;

  CliRun text = starkeep({"repository", "check", "--policy", policy.string(), "--ops-database", "e2e_ops_chk"});
  EXPECT_EQ(text.code, kExitOk) << text.out << text.err;
  EXPECT_NE(text.out.find("storage listing of e2e_repo: NOT DONE ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("STARKEEP_S3_ACCESS_KEY"), std::string::npos) << text.out;

  CliRun json = starkeep(
      {"repository", "check", "--policy", policy.string(), "--ops-database", "e2e_ops_chk", "--format", "json"});
  ASSERT_EQ(json.code, kExitOk) << json.out << json.err;
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc.at("storage").size(), 1u) << json.out;
  EXPECT_EQ(doc.at("storage")[0].at("repository"), "e2e_repo");
  EXPECT_EQ(doc.at("storage")[0].at("listed"), false);
  EXPECT_NE(doc.at("storage")[0].at("detail").get<std::string>().find("STARKEEP_S3_ACCESS_KEY"), std::string::npos);
  EXPECT_TRUE(doc.at("posture").empty()) << json.out;  // nothing read from the bucket: no posture claimed
}

}  // namespace
