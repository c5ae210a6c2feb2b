// Issue 10 item 11: which catch-up candidates the runner takes, from ops history alone (runtime/executor/catch_up.h).
#include <gtest/gtest.h>

#include "compiler/plan/plan.h"
#include "runtime/executor/catch_up.h"
#include "tests/compiler/plan/production_policy.h"

namespace sk::executor {
namespace {

Instant utc(const char* text) { return Instant::parse(text, TimeZone::utc()).value(); }

class CatchUpDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The production policy on the Monday after the first Sunday of September 2025: sales' monthly candidate.
    const auto policy = sk::testing::production_policy();
    const plan::Plan plan = plan::make_plan(policy, sk::testing::production_inventory(), utc("2025-09-08T01:05:00Z"));
    for (const auto& j : plan.catch_ups) {
      if (j.database.str() == "sales") job_ = j;
    }
    ASSERT_TRUE(job_.has_value());
    ASSERT_EQ(job_->label.str(), "sales_20250907_base");
  }

  static ops::BackupAttempt attempt(const char* label, const char* slot, ops::AttemptState state,
                                    std::vector<const char*> tiers) {
    ops::BackupAttempt a{"run-x", SnapshotLabel::parse(label).value(), RepositoryName::parse("s3_prod").value(),
                         DatabaseName::parse("sales").value()};
    for (const char* t : tiers) a.tiers.push_back(TierName::parse(t).value());
    a.slot = utc(slot);
    a.state = state;
    return a;
  }

  std::optional<plan::BackupJob> job_;
};

TEST_F(CatchUpDecisionTest, AMissedSlotOfATierThatBackedUpBeforeIsTaken) {
  const std::vector<ops::BackupAttempt> history{
      attempt("sales_20250803_base", "2025-08-03T01:00:00Z", ops::AttemptState::kFinished, {"monthly", "weekly"}),
      attempt("sales_20250906_inc", "2025-09-06T01:00:00Z", ops::AttemptState::kFinished, {"daily"})};
  const CatchUpDecision d = decide_catch_up(*job_, history);
  EXPECT_TRUE(d.take) << d.reason;
  EXPECT_NE(d.reason.find("catch-up of 2025-09-07T01:00:00Z"), std::string::npos) << d.reason;
}

TEST_F(CatchUpDecisionTest, AFailedAttemptOfTheSlotDoesNotMakeItDone) {
  const std::vector<ops::BackupAttempt> history{
      attempt("sales_20250803_base", "2025-08-03T01:00:00Z", ops::AttemptState::kFinished, {"monthly", "weekly"}),
      attempt("sales_20250907_base", "2025-09-07T01:00:00Z", ops::AttemptState::kCancelled, {"monthly", "weekly"})};
  EXPECT_TRUE(decide_catch_up(*job_, history).take);
}

TEST_F(CatchUpDecisionTest, ADoneSlotIsNotBackedUpAgainWhateverItsRetryLabel) {
  const std::vector<ops::BackupAttempt> history{
      attempt("sales_20250803_base", "2025-08-03T01:00:00Z", ops::AttemptState::kFinished, {"monthly", "weekly"}),
      attempt("sales_20250907_base", "2025-09-07T01:00:00Z", ops::AttemptState::kCancelled, {"monthly", "weekly"}),
      attempt("sales_20250907_base_r1", "2025-09-07T01:00:00Z", ops::AttemptState::kFinished, {"monthly", "weekly"})};
  const CatchUpDecision d = decide_catch_up(*job_, history);
  EXPECT_FALSE(d.take);
  EXPECT_NE(d.reason.find("the slot is done (snapshot sales_20250907_base_r1"), std::string::npos) << d.reason;
}

TEST_F(CatchUpDecisionTest, ATierThatNeverBackedUpTheDatabaseMissedNothing) {
  // Weeklies and dailies exist, but no monthly: a covered tier's backup holds less than the monthly would.
  const std::vector<ops::BackupAttempt> history{
      attempt("sales_20250831_full", "2025-08-31T01:00:00Z", ops::AttemptState::kFinished, {"weekly"}),
      attempt("sales_20250803_base", "2025-08-03T01:00:00Z", ops::AttemptState::kCancelled, {"monthly", "weekly"})};
  const CatchUpDecision d = decide_catch_up(*job_, history);
  EXPECT_FALSE(d.take);
  EXPECT_NE(d.reason.find("has not backed up sales before"), std::string::npos) << d.reason;
  EXPECT_FALSE(decide_catch_up(*job_, {}).take);
}

TEST_F(CatchUpDecisionTest, ALaterBackupOfTheTierMeansTheSlotIsNotCaughtUp) {
  const std::vector<ops::BackupAttempt> history{
      attempt("sales_20251005_base", "2025-10-05T01:00:00Z", ops::AttemptState::kFinished, {"monthly", "weekly"})};
  const CatchUpDecision d = decide_catch_up(*job_, history);
  EXPECT_FALSE(d.take);
  EXPECT_NE(d.reason.find("a later backup of the tier exists"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace sk::executor
