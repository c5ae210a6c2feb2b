// SQL transcript of `starkeep drill` (sk::drill::run_drills with the FINISHED snapshots given) against a
// scripted cluster: one partition drill that is due, restores its partition into a fresh scratch database,
// verifies it against the recorded fingerprint (PASSED), records it in ops.restore_history and drops the
// scratch database. See transcript.h.
#include <gtest/gtest.h>

#include <sstream>

#include "runtime/drill/drill_runner.h"
#include "runtime/ports/fakes.h"
#include "tests/golden/transcripts/transcript.h"
#include "tests/runtime/drill/drill_test_support.h"

namespace sk::drill {
namespace {

using ports::make_rows;
using testing::at;

TEST(DrillTranscript, PassingPartitionDrill) {
  ports::RecordingSqlConnection conn;
  ports::FakeClock clock;
  ports::FakeSleeper sleeper;  // does not advance the clock (transcript.h)
  clock.set(at("2025-09-17T06:30:00Z"));
  ops::OpsStore store(conn, ops::OpsConfig{*DatabaseName::parse("ops"), 1}, clock);

  conn.on("FROM `ops`.`restore_history` WHERE kind = 'drill' AND drill_name",
          make_rows({"run_id", "target_time_utc", "verification", "state"}, {}));
  conn.on(
      "^SHOW SNAPSHOT ON `repo` WHERE SNAPSHOT = 'sales_0916_inc'",
      make_rows({"Snapshot", "Timestamp", "Status"}, {{"sales_0916_inc", "2025-09-16-08-10-00-123", "OK"}}));
  conn.on("information_schema.tables", make_rows({"TABLE_NAME"}, {}));
  // Before the RESTORE: an older job of another drill; then ours, one state per poll.
  conn.on("^SHOW RESTORE",
          make_rows({"JobId", "Label", "State", "Status", "TaskErrMsg"},
                    {{"41", "sales_0901_inc", "FINISHED", "[OK]", ""}}),
          1);
  for (const char* state : {"PENDING", "DOWNLOADING", "DOWNLOADING", "COMMITTING"}) {
    conn.on("^SHOW RESTORE",
            make_rows({"JobId", "Label", "State", "Status", "TaskErrMsg"},
                      {{"42", "sales_0916_inc", state, "[OK]", ""}}),
            1);
  }
  conn.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State", "Status", "TaskErrMsg"},
                                     {{"42", "sales_0916_inc", "FINISHED", "[OK]", ""}}));
  conn.on("partitions_meta",
          make_rows({"TABLE_NAME", "PARTITION_NAME", "VISIBLE_VERSION"}, {{"orders", "p3", "2"}}));
  conn.on("information_schema.columns", make_rows({"COLUMN_NAME"}, {{"id"}, {"dt"}}));
  conn.on("murmur_hash3_32", make_rows({"row_count", "row_hash_sum"}, {{"7", "-1234"}}));

  auto snapshot = testing::snapshot("sales", "sales_0916_inc", {"daily"}, ops::BackupKind::kPartitions,
                                    "2025-09-16T00:10:00Z", {{"orders", {"p3"}}});
  snapshot.entries[0].checksum_algorithm = std::string(verify::kAlgorithm);
  snapshot.entries[0].checksum = "-1234";
  snapshot.entries[0].checksum_row_count = 7;

  DrillOptions options;
  options.at = at("2025-09-17T06:30:00Z");
  options.invocation = "test";
  options.only = *DrillName::parse("partition");
  options.execute.poll_initial = std::chrono::milliseconds(10);
  std::ostringstream progress;
  auto reports = run_drills(testing::compile_policy(), conn, store, clock, sleeper, options, {snapshot},
                            &progress, [](const DrillReport&) {});
  ASSERT_TRUE(reports) << reports.error().describe();
  ASSERT_EQ(reports->size(), 1u);
  ASSERT_EQ(reports->front().verdict, Verdict::kPassed) << progress.str();
  transcript::expect_transcript(
      conn, "drill_partition_passed",
      "drill: partition drill from daily, sales.orders p3 into the scratch database, PASSED");
}

}  // namespace
}  // namespace sk::drill
