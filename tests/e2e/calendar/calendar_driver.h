// The simulated-calendar driver shared by the calendar end-to-end tests (issue 4 point 10, issue 5 point 6,
// pitfalls §3 and §5): the REAL `starkeep` binary against the emulator, one simulated day at a time
// (`starkeep run --at <day> 01:05 UTC`), data written between runs (and while a snapshot is taken) with plain SQL,
// and helpers that read what the runner left behind (ops.backup_history, ops.backup_manifest, SHOW SNAPSHOT).
//
//   class SixWeeks : public CalendarFixture {
//    protected:
//     static void SetUpTestSuite() { start_calendar_cluster("Asia/Shanghai"); }
//   };
//
// One cluster per test suite (each ctest case is its own process, so its own cluster); every database and
// repository name carries the pid. Not thread-safe: one test thread drives everything.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/harness/gtest_fixture.h"
#include "tests/runtime/alerts/http_receiver.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace sk::e2e::calendar {

// Exit codes of `starkeep run` / `restore`: the product's table (tools/starkeep/exit_codes.h, docs/operations.md).
using namespace sk::cli;  // NOLINT: kExit…

// One simulated day of the calendar. Runs happen at 01:05 UTC, five minutes after the production tiers' slots.
struct SimDay {
  int index = 0;                // 0 = the calendar's first day
  std::chrono::sys_days date{};

  [[nodiscard]] std::string at() const;        // "2027-03-01T01:05:00Z" (the --at instant)
  [[nodiscard]] std::string compact() const;   // "20270301" ({date} of labels)
  [[nodiscard]] std::string iso_date() const;  // "2027-03-01" (a DATE value)
  [[nodiscard]] std::string slot_utc() const;  // "2027-03-01 01:00:00" (ops.backup_history.slot_utc)
  [[nodiscard]] bool sunday() const;
  [[nodiscard]] bool first_sunday() const;      // the production monthly's day
  // The production policy's label suffix for the day: "inc" (daily), "full" (weekly), "base" (monthly).
  [[nodiscard]] std::string suffix() const;
  [[nodiscard]] std::string label(const std::string& db) const { return db + "_" + compact() + "_" + suffix(); }
};

// Range partitions of the fact tables (name, exclusive upper bound): February, March and April 2027.
using PartitionBounds = std::vector<std::pair<std::string, std::string>>;
inline const PartitionBounds kMonthlyPartitions = {
    {"p2027_02", "2027-03-01"}, {"p2027_03", "2027-04-01"}, {"p2027_04", "2027-05-01"}};

// `count` consecutive days from `first` (yyyy, mm, dd).
[[nodiscard]] std::vector<SimDay> make_calendar(int y, unsigned m, unsigned d, int count);

// The end of one starkeep invocation, and a started one (see CalendarFixture::spawn): tests/support/process.h.
using test::Finished;
using test::Proc;

// A loopback HTTP/1.1 receiver for Alertmanager v2 posts (the alerts tests' HttpReceiver, answering 200): every
// alert of every request body (a JSON array). take() and request_lines() from the test thread.
class AlertReceiver {
 public:
  // Listens on 127.0.0.1 on a free port (HttpReceiver aborts the test program when it cannot bind).
  bool start();
  void stop();
  [[nodiscard]] std::uint16_t port() const;
  // The firing alerts received since the last call (each an Alertmanager alert object), in arrival order. A
  // good run also posts resolutions (alerts with endsAt, docs/alerts.md): those are left to resolved().
  [[nodiscard]] std::vector<nlohmann::json> take();
  // Every resolution received so far.
  [[nodiscard]] std::vector<nlohmann::json> resolved() const;
  // Request lines of every request so far ("POST /api/v2/alerts HTTP/1.1").
  [[nodiscard]] std::vector<std::string> request_lines() const;

 private:
  std::unique_ptr<alerts::testing::HttpReceiver> receiver_;
  std::size_t taken_ = 0;  // requests already returned by take()
};

// One row written by the data writer, and where it landed.
struct Write {
  std::string db, table, partition;
  std::int64_t id = 0;
  std::int64_t version = 0;  // the partition's VisibleVersion right after the write committed
  int day = 0;               // simulated day index
  bool racing = false;       // written while that day's snapshot of `db` was being uploaded
  bool fact = false;         // a partitioned fact table (daily tier); otherwise weekly
};

// One row of ops.backup_history (the columns the tests assert).
struct HistoryRow {
  std::string label, state, tiers, kind, database, slot, error_text, attempt_id, backup_timestamp;
};

class CalendarFixture : public emu::testing::ClusterFixture {
 protected:
  // Starts the suite's cluster: faults on, 3 BEs with a known disk size, jobs 100× faster, in `time_zone`.
  static void start_calendar_cluster(const std::string& time_zone);
  // The same with the repositories on a fresh s3rver holding `bucket` (the emulator's S3 backend), at StarRocks
  // `version`, jobs 1000× faster (the S3 requests are the cost there); starkeep then signs its own S3 requests with
  // s3rver's keys.
  static void start_calendar_cluster_on_s3(const std::string& time_zone, const std::string& version,
                                           const std::string& bucket);
  static constexpr std::int64_t kDiskTotal = 1'000'000'000'000;
  static constexpr std::int64_t kDiskAvail = 800'000'000'000;

  void SetUp() override;
  void TearDown() override;

  // ---- SQL through the emulator (tests/support/cluster_sql.h; reconnects once after a dropped connection) ----
  void exec(const std::string& sql);
  [[nodiscard]] ports::Rows query(const std::string& sql);
  [[nodiscard]] static std::string cell(const ports::Rows& rows, std::size_t i, const char* column);
  void reconnect();

  // ---- starkeep ----
  // Starts `starkeep <args>` with STARKEEP_HOST/PORT/USER of the cluster (and the S3 keys) in its environment
  // (tests/support/starkeep.h).
  Proc spawn(const std::vector<std::string>& args);
  Finished wait(const Proc& p);
  Finished starkeep(const std::vector<std::string>& args) { return wait(spawn(args)); }
  // `starkeep run --policy <policy_> --at <day> ...` (ops.table_inventory as the inventory).
  std::vector<std::string> run_args(const SimDay& day, const std::vector<std::string>& extra = {}) const;
  Finished run_day(const SimDay& day, const std::vector<std::string>& extra = {}) {
    return starkeep(run_args(day, extra));
  }
  // init, repository apply and inventory sync for policy_ (asserts each succeeds).
  void set_up_starkeep();
  void inventory_sync();

  // ---- policy ----
  // policies/production.skp with the databases, the repository name and location, and the notifier webhook
  // replaced (each replacement must match exactly once, so the test follows the production policy as it changes).
  [[nodiscard]] static std::string production_policy(const std::string& db_sales, const std::string& db_crm,
                                                     const std::string& repository, const std::string& location,
                                                     const std::string& webhook);
  void write_policy(const std::string& text);

  // ---- data ----
  // CREATE TABLE db.table (id BIGINT, dt DATE, note VARCHAR(64)): range-partitioned on dt by `partitions`
  // ((name, exclusive upper bound) pairs) as a DUPLICATE KEY table, or, with no partitions, an unpartitioned
  // PRIMARY KEY table (an INSERT of an existing id upserts). replication_num 1.
  void create_table(const std::string& db, const std::string& table, const PartitionBounds& partitions);
  // INSERT one row into db.table (a new id, or `id` to upsert); records the write with its partition's new
  // VisibleVersion. `fact`: the table is a partitioned fact table.
  Write insert(const std::string& db, const std::string& table, const std::string& dt, int day, bool racing = false,
               std::optional<std::int64_t> id = std::nullopt);
  [[nodiscard]] std::int64_t partition_version(const std::string& db, const std::string& table,
                                               const std::string& partition);
  // The partition of db.table holding `dt` (from create_table's bounds); the table name when unpartitioned.
  [[nodiscard]] std::string partition_of(const std::string& db, const std::string& table, const std::string& dt) const;
  // Every row of db.table as "c1|c2|..." (NULL as \N), sorted.
  [[nodiscard]] std::vector<std::string> dump(const std::string& db, const std::string& table,
                                              const std::string& partition = "");
  [[nodiscard]] std::vector<std::string> tables_of(const std::string& db);

  // ---- what the runner and the server recorded ----
  [[nodiscard]] std::vector<HistoryRow> history(const std::string& db, const std::string& slot_utc = "");
  // label → Status of SHOW SNAPSHOT ON repo.
  [[nodiscard]] std::map<std::string, std::string> snapshots(const std::string& repo);
  // table → partitions the snapshot holds, from SHOW SNAPSHOT ... Details (the server's BackupJobInfo).
  [[nodiscard]] std::map<std::string, std::set<std::string>> snapshot_contents(const std::string& repo,
                                                                              const std::string& label);
  // (table, partition) → VisibleVersion recorded in ops.backup_manifest for the FINISHED attempt of `label`.
  [[nodiscard]] std::map<std::pair<std::string, std::string>, std::int64_t> manifest(const std::string& db,
                                                                                     const std::string& label);
  // State of the database's latest backup job on the server (SHOW BACKUP), with its label.
  [[nodiscard]] std::optional<std::pair<std::string, std::string>> server_job(const std::string& db);
  // Waits (bounded) until SHOW BACKUP FROM db shows `label` in `state`.
  bool wait_for_job_state(const std::string& db, const std::string& label, const std::string& state, int seconds = 60);

  // ---- instants (restores) ----
  // A UTC instant at second precision that every backup finished so far is at or before, and no later one will
  // be: returns floor(now) and waits until the wall clock is past that second.
  std::string instant_now();

  // A restore into a new database; returns the finished command.
  Finished restore_database(const std::string& db, const std::string& as_of, const std::string& into);
  // Reference copies: CREATE DATABASE ref; CREATE TABLE ref.t AS SELECT * FROM db.t for every table of db.
  void copy_database(const std::string& db, const std::string& ref);
  // Every table of `expected_db` has a table of the same name in `restored_db` with the same rows (sorted), and
  // `restored_db` has no other table.
  void expect_same_tables(const std::string& expected_db, const std::string& restored_db);

  std::filesystem::path dir_;
  std::filesystem::path policy_;
  std::string pid_;  // the test process id, in every name
  std::unique_ptr<test::ClusterSql> sql_;
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::Starkeep> starkeep_;
  std::int64_t next_id_ = 1;
  std::map<std::string, PartitionBounds> ranges_;  // "db.table" → bounds
};

}  // namespace sk::e2e::calendar
