// Cold-start disaster recovery end to end (issue 5 point 2), through the real `starkeep` binary: cluster A (its own
// MariaDB, StarRocks 3.3 grammar) runs `init`, `repository apply` and four days of `starkeep run --at …` with writes
// in between — each run also publishes a catalog snapshot; cluster B (a new emulator with a new MariaDB and an empty
// ops database, StarRocks 3.4) shares only the repository root. On B the runbook docs/runbooks/cold-start-recovery.md
// runs verbatim (its ```bash runbook cold-start blocks): init, repository apply, restore points, restore database
// `sales` to an instant between two backups. The result equals, row for row, reference copies taken on A at that
// instant, and is verified by the fingerprints recorded on A. Then on B: the 3.4 RESTORE grammar chosen by the server
// version and the pre-3.4 one when forced (the emulator accepts both), the recovery database reused and never
// overwritten, and a RESTORE past --wait-limit cancelled (exit 29) and recorded as CANCELLED.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/harness/cluster.h"
#include "runtime/ports/clock.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/gtest_sql.h"
#include "tests/support/fixtures.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace sk {
namespace {

namespace fs = std::filesystem;

using namespace sk::cli;  // NOLINT: kExit… (tools/starkeep/exit_codes.h)

// A finished command: its exit code and its output (stdout, with stderr interleaved unless asked otherwise).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

constexpr const char* kAccess = "AKIACOLDSTART0000001";
constexpr const char* kSecret = "coldstart/secret/key/0000000000000000000";

class Side {
 public:
  Side(std::unique_ptr<emu::harness::Cluster> cluster, std::string name, test::Processes& processes)
      : cluster_(std::move(cluster)),
        name_(std::move(name)),
        starkeep_(processes, cluster_->emulator().port(),
                  {std::string("STARKEEP_S3_ACCESS_KEY=") + kAccess, std::string("STARKEEP_S3_SECRET_KEY=") + kSecret}) {
    auto c = test::ClusterSql::connect(cluster_->emulator().port());
    EXPECT_TRUE(c) << c.error().describe();
    if (c) sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
  }
  [[nodiscard]] std::uint16_t port() const { return cluster_->emulator().port(); }
  // The connection settings and S3 keys as NAME=value words (for a shell's export).
  [[nodiscard]] std::string env() const {
    std::string out;
    for (const auto& e : starkeep_.env()) out += (out.empty() ? "" : " ") + e;
    return out;
  }
  // stdout and stderr together, or stdout alone (JSON documents).
  CommandResult starkeep(const std::string& args, bool with_stderr = true) {
    const test::Finished f =
        with_stderr ? starkeep_.run_merged(test::split_args(args)) : starkeep_.run(test::split_args(args));
    return {f.code, f.out};
  }
  void exec(const std::string& sql) { test::exec_ok(*sql_, sql, name_); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql, name_); }
  std::string cell(const ports::Rows& rows, std::size_t i, const char* column) { return test::cell(rows, i, column); }
  // Every row of a query as text, '|' between columns.
  std::string dump(const std::string& sql) { return test::as_text(query(sql)); }
  std::string orders(const std::string& table = "orders") {
    return dump("SELECT id, dt, amount FROM sales." + table + " ORDER BY id");
  }
  std::string customers() { return dump("SELECT id, name FROM sales.customers ORDER BY id"); }

 private:
  std::unique_ptr<emu::harness::Cluster> cluster_;
  std::string name_;
  test::Starkeep starkeep_;
  std::unique_ptr<test::ClusterSql> sql_;
};

class ColdStartE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("starkeep-coldstart-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "repository");
    const char* env_bin = std::getenv("STARKEEP_EMULATOR_BIN");
    binary_ = env_bin != nullptr ? fs::path(env_bin) : fs::path(STARKEEP_EMULATOR_BIN);
    test::E2ePolicy policy{.name = "dr",
                           .databases = {"sales"},
                           .repository = "dr_repo",
                           .location = "s3a://dr-bucket/cold",
                           .precheck = "snapshot_disk_free >= 15%"};
    std::ofstream(dir_ / "policy.skp") << policy.text();
    std::ofstream(dir_ / "inventory.json") << R"({
  "inventory_version": 1,
  "tables": [
    {"database": "sales", "table": "orders", "class": "fact", "partitioned": true},
    {"database": "sales", "table": "customers", "class": "dimension", "partitioned": false}
  ]
}
)";
  }
  void TearDown() override {
    processes_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::unique_ptr<Side> start(const std::string& name, std::vector<std::string> args) {
    emu::harness::ClusterOptions o;
    o.emulator_binary = binary_;
    o.emulator_args = std::move(args);
    o.repository_root = dir_ / "repository";
    auto c = emu::harness::Cluster::start(o);
    EXPECT_TRUE(c) << name << ": " << c.error().describe();
    if (!c) return nullptr;
    if (!processes_) processes_ = std::make_unique<test::Processes>(dir_ / "commands");
    return std::make_unique<Side>(std::move(*c), name, *processes_);
  }

  std::string run_args(const char* at) const {
    return "run --policy " + (dir_ / "policy.skp").string() + " --inventory " + (dir_ / "inventory.json").string() +
           " --at " + at + " --poll-initial-ms 100";
  }

  // The ```bash runbook cold-start blocks of the runbook, in order.
  static std::vector<std::string> runbook_blocks() {
    return test::fenced_blocks(fs::path(SK_SOURCE_DIR) / "docs" / "runbooks" / "cold-start-recovery.md",
                               "```bash runbook cold-start");
  }

  fs::path dir_;
  fs::path binary_;
  std::unique_ptr<test::Processes> processes_;
};

TEST_F(ColdStartE2e, EmptyClusterRestoresADatabaseToAnInstantFromTheRepositoryAlone) {
  ports::SystemClock clock;
  auto a = start("A", {"--time-scale", "50", "--enable-faults"});
  auto b = start("B", {"--time-scale", "50", "--starrocks-version", "3.4.1", "--enable-faults"});
  ASSERT_TRUE(a && b);

  // ---- cluster A: the production cluster ----
  ASSERT_EQ(a->starkeep("init --replication-num 1").exit_code, kExitOk);
  a->exec("CREATE DATABASE sales");
  a->exec("CREATE TABLE sales.orders (id BIGINT NOT NULL, dt DATE, amount INT) DUPLICATE KEY(id) "
          "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2025-09-01'), "
          "PARTITION p2 VALUES LESS THAN ('2025-10-01'), PARTITION p3 VALUES LESS THAN ('2025-11-01')) "
          "DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ('replication_num' = '1')");
  a->exec("CREATE TABLE sales.customers (id INT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id) "
          "DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  a->exec("INSERT INTO sales.orders VALUES (1, '2025-08-05', 10), (2, '2025-09-06', 20), (3, '2025-10-07', 30)");
  a->exec("INSERT INTO sales.customers VALUES (1, 'ann'), (2, NULL)");
  auto applied = a->starkeep("repository apply --policy " + (dir_ / "policy.skp").string());
  ASSERT_EQ(applied.exit_code, kExitOk) << applied.output;

  // Sunday's catalog BACKUP fails: a warning and an alert; the run and its backup succeed all the same.
  a->exec("ADMIN EMULATOR FAIL JOB AT UPLOADING IN DATABASE ops WITH STATUS 'injected catalog upload failure'");
  auto sunday = a->starkeep(run_args("2025-09-14T01:05:00Z"));  // weekly: customers
  ASSERT_EQ(sunday.exit_code, kExitOk) << sunday.output;
  EXPECT_NE(sunday.output.find("catalog snapshot not published to repository dr_repo"), std::string::npos)
      << sunday.output;
  EXPECT_TRUE(std::regex_search(sunday.output,
                                std::regex("alert.*catalog snapshot starkeep_catalog_[0-9]+_[0-9a-f]+ not published to "
                                           "dr_repo")))
      << "the job_failed alert:\n" << sunday.output;
  EXPECT_NE(sunday.output.find("injected catalog upload failure"), std::string::npos) << sunday.output;
  auto monday = a->starkeep(run_args("2025-09-15T01:05:00Z"));  // daily: every orders partition (first time)
  ASSERT_EQ(monday.exit_code, kExitOk) << monday.output;
  EXPECT_NE(monday.output.find("catalog snapshot starkeep_catalog_"), std::string::npos) << monday.output;
  a->exec("INSERT INTO sales.orders VALUES (4, '2025-09-16', 40)");
  auto tuesday = a->starkeep(run_args("2025-09-16T01:05:00Z"));  // daily: p2
  ASSERT_EQ(tuesday.exit_code, kExitOk) << tuesday.output;

  // T: between Tuesday's and Wednesday's backups; the reference copies are the live data at T.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const Instant t = clock.now();
  const std::string orders_at_t = a->orders();
  const std::string customers_at_t = a->customers();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  a->exec("INSERT INTO sales.orders VALUES (5, '2025-08-20', 50), (6, '2025-10-21', 60)");
  a->exec("INSERT INTO sales.customers VALUES (3, 'cy')");
  auto wednesday = a->starkeep(run_args("2025-09-17T01:05:00Z"));  // daily: p1, p3
  ASSERT_EQ(wednesday.exit_code, kExitOk) << wednesday.output;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const Instant t2 = clock.now();
  const std::string orders_at_t2 = a->orders();
  ASSERT_NE(orders_at_t, orders_at_t2);

  auto catalogs = a->query("SHOW SNAPSHOT ON dr_repo");
  int catalog_count = 0;
  for (std::size_t i = 0; i < catalogs.size(); ++i) {
    if (a->cell(catalogs, i, "Snapshot").starts_with("starkeep_catalog_")) ++catalog_count;
  }
  EXPECT_EQ(catalog_count, 3) << "one per run that finished a backup, but Sunday's failed (the next ones cover it)";
  // By hand, too (the newest catalog then).
  auto manual = a->starkeep("catalog publish --repository dr_repo --format json", false);
  ASSERT_EQ(manual.exit_code, kExitOk) << manual.output;
  const auto manual_json = nlohmann::json::parse(manual.output);
  EXPECT_TRUE(manual_json["label"].get<std::string>().starts_with("starkeep_catalog_")) << manual.output;
  EXPECT_EQ(a->query("SHOW SNAPSHOT ON dr_repo WHERE SNAPSHOT = '" + manual_json["label"].get<std::string>() + "'")
                .size(),
            1u);

  // ---- cluster B: empty, same repository root; the runbook verbatim ----
  EXPECT_TRUE(b->query("SHOW DATABASES LIKE 'sales'").empty());
  const auto blocks = runbook_blocks();
  ASSERT_EQ(blocks.size(), 4u);
  std::vector<CommandResult> outputs;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string env = "set -euo pipefail; export PATH=" + fs::path(test::starkeep_binary()).parent_path().string() +
                            ":$PATH " + b->env() + " POLICY=" + (dir_ / "policy.skp").string() +
                            " REPO=dr_repo DB=sales TABLE=customers AS_OF=" + t.to_iso8601_utc() + "; ";
    const test::Finished out = processes_->shell(env + blocks[i]);
    outputs.push_back({out.code, out.out});
    ASSERT_EQ(outputs.back().exit_code, kExitOk) << "block " << i + 1 << ":\n" << blocks[i] << "\n---\n"
                                           << outputs.back().output;
  }
  // Restore points: every data snapshot of A, from the catalog restored on B.
  EXPECT_NE(outputs[1].output.find("restored into ops_recovered"), std::string::npos) << outputs[1].output;
  EXPECT_NE(outputs[1].output.find("sales_20250916"), std::string::npos) << outputs[1].output;
  EXPECT_EQ(outputs[1].output.find("starkeep_catalog_2025", outputs[1].output.find("DATABASE")), std::string::npos)
      << "catalog snapshots are not restore points:\n" << outputs[1].output;
  // The restore: 3.4 grammar on B (server version 3.4.1), verified, equal to A at T row for row.
  const std::string& restore = outputs[2].output;
  EXPECT_NE(restore.find("already in ops_recovered"), std::string::npos) << restore;
  EXPECT_NE(restore.find("DATABASE `sales` ON (TABLE"), std::string::npos) << "3.4 grammar:\n" << restore;
  EXPECT_NE(restore.find("Restored into sales: verification PASSED"), std::string::npos) << restore;
  EXPECT_EQ(b->orders(), orders_at_t);
  EXPECT_EQ(b->customers(), customers_at_t);
  auto history = b->query("SELECT label, state, verification FROM ops.restore_history ORDER BY label");
  ASSERT_GE(history.size(), 2u) << "a weekly and at least one daily step";
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(b->cell(history, i, "state"), "FINISHED");
    EXPECT_EQ(b->cell(history, i, "verification"), "PASSED");
  }

  // Adopted: B's own ops tables know A's FINISHED backups, and a plan from them (no --from-repository) uses them.
  EXPECT_NE(outputs[3].output.find("Adopted catalog snapshot"), std::string::npos) << outputs[3].output;
  EXPECT_NE(outputs[3].output.find("'sales_20250914_"), std::string::npos) << outputs[3].output;
  auto adopted = b->query("SELECT label FROM ops.backup_history WHERE state = 'FINISHED' ORDER BY label");
  EXPECT_EQ(adopted.size(), 4u);
  EXPECT_TRUE(b->query("SELECT label FROM ops.backup_history WHERE state <> 'FINISHED'").empty());

  // Restore points as JSON: the four data snapshots, in time order, fingerprinted; the catalog reused.
  auto points = b->starkeep("restore points --repository dr_repo --database sales --format json");
  ASSERT_EQ(points.exit_code, kExitOk) << points.output;
  auto j = nlohmann::json::parse(points.output);
  EXPECT_EQ(j["restore_version"], 1) << "issue 11 item 11: every restore JSON document is versioned";
  EXPECT_EQ(j["catalog"]["reused"], true);
  ASSERT_EQ(j["restore_points"].size(), 4u) << j.dump(2);
  EXPECT_EQ(j["restore_points"][0]["kind"], "tables");
  EXPECT_EQ(j["restore_points"][3]["kind"], "partitions");
  for (const auto& p : j["restore_points"]) {
    EXPECT_FALSE(p["label"].get<std::string>().starts_with("starkeep_catalog_"));
    EXPECT_EQ(p["fingerprinted_partitions"], p["partitions"]) << p.dump();
  }

  // The plan as JSON names the catalog it came from.
  auto plan_json = b->starkeep("restore database sales --as-of " + t.to_iso8601_utc() +
                               " --from-repository dr_repo --dry-run --format json",
                               false);
  ASSERT_EQ(plan_json.exit_code, kExitOk) << plan_json.output;
  auto pj = nlohmann::json::parse(plan_json.output);
  EXPECT_EQ(pj["restore_version"], 1);
  EXPECT_EQ(pj["restore_plan_version"], 1);
  EXPECT_EQ(pj["catalog"]["label"], j["catalog"]["label"]);
  EXPECT_EQ(j["catalog"]["label"], manual_json["label"]) << "the newest catalog snapshot is used";
  EXPECT_EQ(pj["catalog"]["reused"], true);
  EXPECT_EQ(pj["steps"].size(), 3u) << "Sunday's weekly, Monday's and Tuesday's dailies";

  // The pre-3.4 grammar, forced, on the same 3.4 server: one table as of T2 under a new name.
  auto forced = b->starkeep("restore table sales.orders --as-of " + t2.to_iso8601_utc() +
                            " --from-repository dr_repo --as orders_t2 --restore-grammar pre-3.4");
  ASSERT_EQ(forced.exit_code, kExitOk) << forced.output;
  EXPECT_NE(forced.output.find("RESTORE SNAPSHOT `sales`.`sales_2025091"), std::string::npos) << forced.output;
  EXPECT_NE(forced.output.find("verification PASSED"), std::string::npos) << forced.output;
  EXPECT_EQ(b->orders("orders_t2"), orders_at_t2);
  EXPECT_EQ(b->orders(), orders_at_t) << "the restored database is untouched";

  // The recovery database is never overwritten by something else.
  auto refused = b->starkeep("restore points --repository dr_repo --recovery-database sales");
  EXPECT_EQ(refused.exit_code, kExitTargetExists) << refused.output;

  // The wait limit: a RESTORE held in DOWNLOADING is cancelled after 2 s; the history says so.
  b->exec("ADMIN EMULATOR DELAY JOB AT DOWNLOADING IN DATABASE sales SECONDS 100000");
  auto slow = b->starkeep("restore table sales.orders --as-of " + t2.to_iso8601_utc() +
                          " --from-repository dr_repo --as orders_slow --wait-limit 2");
  EXPECT_EQ(slow.exit_code, kExitRestoreTimeout) << slow.output;
  EXPECT_NE(slow.output.find("CANCEL RESTORE FROM `sales`"), std::string::npos) << slow.output;
  auto show = b->query("SHOW RESTORE FROM sales");
  ASSERT_EQ(show.size(), 1u);
  EXPECT_EQ(b->cell(show, 0, "State"), "CANCELLED");
  EXPECT_NE(b->cell(show, 0, "Status").find("user cancelled"), std::string::npos);
  auto cancelled = b->query("SELECT state, server_state, error_text FROM ops.restore_history WHERE state = "
                            "'CANCELLED'");
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(b->cell(cancelled, 0, "server_state"), "CANCELLED");
  EXPECT_NE(b->cell(cancelled, 0, "error_text").find("wait limit"), std::string::npos);
  EXPECT_TRUE(b->query("SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = 'sales' AND "
                       "TABLE_NAME = 'orders_slow'")
                  .empty())
      << "the server dropped what it created";

  // The repository loses Wednesday's snapshot (an S3 lifecycle rule, a manual delete): the catalog still knows it,
  // but only what SHOW SNAPSHOT lists is offered or planned — as of T2 the orders come from Monday and Tuesday.
  std::string wednesday_label;
  for (const auto& entry : fs::directory_iterator(dir_ / "repository" / "dr-bucket" / "cold" /
                                                  "__starrocks_repository_dr_repo")) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("__ss_sales_20250917")) {
      wednesday_label = name.substr(5);
      fs::remove_all(entry.path());
    }
  }
  ASSERT_FALSE(wednesday_label.empty());
  auto fewer = b->starkeep("restore points --repository dr_repo --database sales --format json");
  ASSERT_EQ(fewer.exit_code, kExitOk) << fewer.output;
  auto fj = nlohmann::json::parse(fewer.output);
  EXPECT_EQ(fj["catalog"]["reused"], true);
  ASSERT_EQ(fj["restore_points"].size(), 3u) << fj.dump(2);
  for (const auto& p : fj["restore_points"]) EXPECT_NE(p["label"], wednesday_label);
  auto without = b->starkeep("restore table sales.orders --as-of " + t2.to_iso8601_utc() +
                             " --from-repository dr_repo --as orders_without_wed");
  ASSERT_EQ(without.exit_code, kExitOk) << without.output;
  EXPECT_NE(without.output.find("skipped " + wednesday_label), std::string::npos) << without.output;
  EXPECT_EQ(b->orders("orders_without_wed"), orders_at_t);

  // The newest catalog snapshot is damaged: the restore of it is cancelled (BAD_FILE), the error names the older
  // catalogs, and one of them can be chosen on purpose.
  const std::string newest = j["catalog"]["label"].get<std::string>();
  b->exec("ADMIN EMULATOR CORRUPT SNAPSHOT " + newest + " ON dr_repo");
  auto damaged = b->starkeep("restore points --repository dr_repo --recovery-database ops_fallback");
  EXPECT_EQ(damaged.exit_code, kExitRestoreFailed) << damaged.output;
  std::smatch older;
  ASSERT_TRUE(std::regex_search(damaged.output, older,
                                std::regex("older catalog snapshots: (starkeep_catalog_[0-9]+_[0-9a-f]+)")))
      << damaged.output;
  EXPECT_NE(damaged.output.find("BAD_FILE"), std::string::npos) << damaged.output;
  auto chosen = b->starkeep("restore points --repository dr_repo --recovery-database ops_fallback --format json "
                            "--catalog " + older[1].str());
  ASSERT_EQ(chosen.exit_code, kExitOk) << chosen.output;
  auto cj = nlohmann::json::parse(chosen.output);
  EXPECT_EQ(cj["catalog"]["label"], older[1].str());
  EXPECT_EQ(cj["restore_points"].size(), 3u) << "published after Tuesday's run: Sunday, Monday, Tuesday";
}

// Issue 10 item 10 (whose snapshot): two clusters with a database of the same name share one repository (the
// cold-start set-up). A's Sunday weekly writes sales_20250914_full; B's run for the same slot must not record A's
// snapshot as its own backup (B's data is not in it): it takes the next label and backs up its own data; A still
// sees its own snapshot as the slot's backup.
TEST_F(ColdStartE2e, TwoClustersSharingARepositoryEachBackUpTheirOwnSlot) {
  auto a = start("A", {"--time-scale", "50"});
  auto b = start("B", {"--time-scale", "50"});
  ASSERT_TRUE(a && b);
  for (Side* side : {a.get(), b.get()}) {
    ASSERT_EQ(side->starkeep("init --replication-num 1").exit_code, kExitOk);
    side->exec("CREATE DATABASE sales");
    side->exec("CREATE TABLE sales.orders (id BIGINT NOT NULL, dt DATE, amount INT) DUPLICATE KEY(id) "
               "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2025-10-01')) "
               "DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
    side->exec("CREATE TABLE sales.customers (id INT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id) "
               "DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
    auto applied = side->starkeep("repository apply --policy " + (dir_ / "policy.skp").string());
    ASSERT_EQ(applied.exit_code, kExitOk) << applied.output;
  }
  a->exec("INSERT INTO sales.customers VALUES (1, 'ann')");
  b->exec("INSERT INTO sales.customers VALUES (7, 'bea'), (8, 'cid')");

  auto on_a = a->starkeep(run_args("2025-09-14T01:05:00Z"));
  ASSERT_EQ(on_a.exit_code, kExitOk) << on_a.output;
  auto on_b = b->starkeep(run_args("2025-09-14T01:05:00Z"));
  ASSERT_EQ(on_b.exit_code, kExitOk) << "B's slot is not done by A's snapshot:\n" << on_b.output;
  EXPECT_NE(on_b.output.find("snapshot sales_20250914_full in repository dr_repo is not this cluster's backup of "
                             "sales"),
            std::string::npos)
      << on_b.output;
  auto b_rows = b->query("SELECT label, state, error_text FROM ops.backup_history WHERE database_name = 'sales'");
  ASSERT_EQ(b_rows.size(), 1u) << b->dump("SELECT label, state, error_text FROM ops.backup_history");
  EXPECT_EQ(b->cell(b_rows, 0, "label"), "sales_20250914_full_r1");
  EXPECT_EQ(b->cell(b_rows, 0, "state"), "FINISHED");
  auto a_rows = a->query("SELECT label, state FROM ops.backup_history WHERE database_name = 'sales'");
  ASSERT_EQ(a_rows.size(), 1u);
  EXPECT_EQ(a->cell(a_rows, 0, "label"), "sales_20250914_full");

  // B's snapshot holds B's rows (two customers); A's run again: its own snapshot is the slot's backup.
  auto detail = b->query("SHOW SNAPSHOT ON dr_repo WHERE SNAPSHOT = 'sales_20250914_full_r1'");
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(b->cell(detail, 0, "Status"), "OK");
  auto again = a->starkeep(run_args("2025-09-14T01:05:00Z"));
  EXPECT_EQ(again.exit_code, kExitAlreadyHandled) << again.output;
  EXPECT_EQ(again.output.find("not this cluster's backup"), std::string::npos) << again.output;
}

}  // namespace
}  // namespace sk
