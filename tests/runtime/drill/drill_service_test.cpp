// The drill service's summary (runtime/drill/drill_service.h): which drill decides the invocation's exit code.
#include <gtest/gtest.h>

#include "common/error_codes.h"
#include "runtime/drill/drill_service.h"

namespace sk::drill {
namespace {

DrillReport report(Verdict verdict, std::optional<Error> error = std::nullopt) {
  DrillReport r{.name = *DrillName::parse("d"), .from = *TierName::parse("daily"), .at = Instant{}};
  r.verdict = verdict;
  r.error = std::move(error);
  return r;
}

TEST(DrillServiceSummary, NothingDueWithoutReports) {
  EXPECT_EQ(summarize({}).kind, Summary::Kind::kNothingDue);
  EXPECT_EQ(summarize({report(Verdict::kNotDue)}).kind, Summary::Kind::kNothingDue);
}

TEST(DrillServiceSummary, FirstFailureWinsOverEverythingElse) {
  std::vector<DrillReport> reports{report(Verdict::kPassed), report(Verdict::kNoSnapshot),
                                   report(Verdict::kFailed, Error{"drill.unverified", "x", {}}),
                                   report(Verdict::kFailed, Error{"restore.timeout", "y", {}})};
  const Summary s = summarize(reports);
  ASSERT_EQ(s.kind, Summary::Kind::kFailed);
  ASSERT_NE(s.failure, nullptr);
  EXPECT_EQ(exit_code_for(*s.failure), kExitVerifyFailed);
}

TEST(DrillServiceSummary, NoSnapshotBeatsPassed) {
  EXPECT_EQ(summarize({report(Verdict::kPassed), report(Verdict::kNoSnapshot)}).kind,
            Summary::Kind::kNothingToRestore);
  EXPECT_EQ(summarize({report(Verdict::kPlanned), report(Verdict::kNotDue)}).kind, Summary::Kind::kRan);
}

TEST(DrillServiceSummary, InvocationIdsDiffer) {
  const Instant t = Instant::from_unix_seconds(1'757'811'600);
  EXPECT_NE(new_invocation_id(t), new_invocation_id(t));  // 16 random bits: equal 1 in 65536
  EXPECT_TRUE(new_invocation_id(t).starts_with("20250914T010000Z-"));
}

}  // namespace
}  // namespace sk::drill
