// Drill periods and the due rule (runtime/drill/period.h) in Europe/Berlin: month, quarter and half-year
// boundaries are local midnights (22:00Z in summer, 23:00Z in winter), the drill's time is 06:00 local on the
// first day.
#include "runtime/drill/period.h"

#include <gtest/gtest.h>

#include "tests/runtime/drill/drill_test_support.h"

namespace sk::drill {
namespace {

using testing::at;
using testing::compile_policy;
using testing::drill_named;

class DrillPeriod : public ::testing::Test {
 protected:
  model::Policy policy_ = compile_policy();
  Period period(const char* drill, const char* t) {
    auto p = period_of(drill_named(policy_, drill), policy_.time_zone, at(t));
    EXPECT_TRUE(p) << p.error().describe();
    return p ? *p : Period{};
  }
};

TEST_F(DrillPeriod, MonthEndsAtLocalMidnightNotUtcMidnight) {
  // 2025-09-30 23:59:59 CEST is still September; 2025-10-01 00:00 CEST (22:00Z on the 30th) is October.
  Period sep = period("partition", "2025-09-30T21:59:59Z");
  EXPECT_EQ(sep.label, "2025-09");
  EXPECT_EQ(sep.begin, at("2025-08-31T22:00:00Z"));
  EXPECT_EQ(sep.end, at("2025-09-30T22:00:00Z"));
  EXPECT_EQ(sep.scheduled, at("2025-09-01T04:00:00Z"));  // 06:00 CEST on the 1st

  Period oct = period("partition", "2025-09-30T22:00:00Z");
  EXPECT_EQ(oct.label, "2025-10");
  EXPECT_EQ(oct.begin, at("2025-09-30T22:00:00Z"));
  EXPECT_EQ(oct.end, at("2025-10-31T23:00:00Z"));  // November starts in CET (+01:00)
  EXPECT_EQ(oct.scheduled, at("2025-10-01T04:00:00Z"));
}

TEST_F(DrillPeriod, QuarterBoundaries) {
  Period q2 = period("table", "2025-06-30T21:59:59Z");
  EXPECT_EQ(q2.label, "2025-Q2");
  EXPECT_EQ(q2.begin, at("2025-03-31T22:00:00Z"));
  EXPECT_EQ(q2.end, at("2025-06-30T22:00:00Z"));

  Period q3 = period("table", "2025-06-30T22:00:00Z");
  EXPECT_EQ(q3.label, "2025-Q3");
  EXPECT_EQ(q3.begin, at("2025-06-30T22:00:00Z"));
  EXPECT_EQ(q3.end, at("2025-09-30T22:00:00Z"));
  EXPECT_EQ(period("table", "2025-09-15T12:00:00Z").label, "2025-Q3");

  Period q1 = period("table", "2026-01-01T00:30:00Z");  // 01:30 CET on 1 January
  EXPECT_EQ(q1.label, "2026-Q1");
  EXPECT_EQ(q1.begin, at("2025-12-31T23:00:00Z"));
  EXPECT_EQ(q1.end, at("2026-03-31T22:00:00Z"));  // April starts in CEST
}

TEST_F(DrillPeriod, HalfYearBoundaries) {
  Period h2 = period("database", "2025-12-31T22:59:59Z");
  EXPECT_EQ(h2.label, "2025-H2");
  EXPECT_EQ(h2.begin, at("2025-06-30T22:00:00Z"));
  EXPECT_EQ(h2.end, at("2025-12-31T23:00:00Z"));

  Period h1 = period("database", "2025-12-31T23:00:00Z");
  EXPECT_EQ(h1.label, "2026-H1");
  EXPECT_EQ(h1.begin, at("2025-12-31T23:00:00Z"));
  EXPECT_EQ(h1.end, at("2026-06-30T22:00:00Z"));
  EXPECT_EQ(h1.scheduled, at("2026-01-01T05:00:00Z"));  // 06:00 CET
  EXPECT_EQ(period("database", "2026-04-01T10:00:00Z").label, "2026-H1");
}

TEST_F(DrillPeriod, OtherSchedulesAreLabelledByTheirFirstDay) {
  std::string text = testing::kPolicyText;
  text.replace(text.find("every = month"), 13, "every = week");
  model::Policy weekly = compile_policy(text);
  auto p =
      period_of(drill_named(weekly, "partition"), weekly.time_zone, at("2025-09-17T10:00:00Z"));  // Wednesday
  ASSERT_TRUE(p);
  EXPECT_EQ(p->label, "2025-09-15");  // Monday
  EXPECT_EQ(p->begin, at("2025-09-14T22:00:00Z"));
  EXPECT_EQ(p->end, at("2025-09-21T22:00:00Z"));
}

TEST_F(DrillPeriod, SeedIsFnv1aOfNameAndPeriod) {
  // Independently computed FNV-1a 64 values of the UTF-8 text.
  EXPECT_EQ(seed_of(*DrillName::parse("partition"), "2025-09"), 0x10942946256d07c4ULL);
  EXPECT_EQ(seed_of(*DrillName::parse("table"), "2025-Q3"), 0x42f2a7cfe00c7f45ULL);
  EXPECT_EQ(seed_of(*DrillName::parse("database"), "2025-H2"), 0xe51fd8f0531db1bcULL);
  EXPECT_EQ(seed_hex(0x10942946256d07c4ULL), "10942946256d07c4");
  EXPECT_EQ(seed_hex(7), "0000000000000007");
}

TEST_F(DrillPeriod, DueFromTheScheduledTimeOfThePeriod) {
  const Period oct = period("partition", "2025-10-01T03:59:00Z");
  // 05:59 CEST on 1 October: the period has begun but the drill's 06:00 has not come.
  Dueness early = is_due(oct, at("2025-10-01T03:59:00Z"), {}, false);
  EXPECT_FALSE(early.due);
  EXPECT_NE(early.reason.find("not due yet"), std::string::npos) << early.reason;
  EXPECT_TRUE(is_due(oct, at("2025-10-01T04:00:00Z"), {}, false).due);
  EXPECT_TRUE(is_due(oct, at("2025-10-20T12:00:00Z"), {}, false).due);
  // Forced: due whatever the time.
  Dueness forced = is_due(oct, at("2025-10-01T03:59:00Z"), {}, true);
  EXPECT_TRUE(forced.due);
  EXPECT_TRUE(forced.forced);
}

TEST_F(DrillPeriod, APassedDrillInThePeriodMakesItNotDue) {
  const Period oct = period("partition", "2025-10-15T12:00:00Z");
  const Instant t = at("2025-10-15T12:00:00Z");
  // 00:30 CEST on 1 October (22:30Z on 30 September) belongs to October.
  std::vector<PastDrill> passed{{"run-a", at("2025-09-30T22:30:00Z"), "PASSED", "FINISHED"}};
  Dueness d = is_due(oct, t, passed, false);
  EXPECT_FALSE(d.due);
  EXPECT_NE(d.reason.find("run-a"), std::string::npos) << d.reason;

  // A PASSED drill of September (21:30Z on the 30th = 23:30 CEST) does not count for October.
  EXPECT_TRUE(is_due(oct, t, {{"run-b", at("2025-09-30T21:30:00Z"), "PASSED", "FINISHED"}}, false).due);
  // A PASSED drill of November neither.
  EXPECT_TRUE(is_due(oct, t, {{"run-c", at("2025-10-31T23:00:00Z"), "PASSED", "FINISHED"}}, false).due);
  // FAILED or unfinished drills do not count.
  EXPECT_TRUE(is_due(oct, t,
                     {{"run-d", at("2025-10-02T10:00:00Z"), "FAILED", "CANCELLED"},
                      {"run-e", at("2025-10-03T10:00:00Z"), "", "SUBMITTING"}},
                     false)
                  .due);
  // Forced runs even after a PASSED one, and says so.
  Dueness forced = is_due(oct, t, passed, true);
  EXPECT_TRUE(forced.due);
  EXPECT_NE(forced.reason.find("already PASSED"), std::string::npos) << forced.reason;
}

TEST_F(DrillPeriod, QuarterAndHalfYearDuenessAcrossBoundaries) {
  // A table drill PASSED on 20 September (Q3) is not due again until Q4 begins at 06:00 CEST on 1 October.
  std::vector<PastDrill> q3{{"q3", at("2025-09-20T08:00:00Z"), "PASSED", "FINISHED"}};
  const Instant last_q3 = at("2025-09-30T21:59:59Z");
  EXPECT_FALSE(is_due(period("table", "2025-09-30T21:59:59Z"), last_q3, q3, false).due);
  const Instant q4_early = at("2025-10-01T03:00:00Z");
  EXPECT_FALSE(
      is_due(period("table", "2025-10-01T03:00:00Z"), q4_early, q3, false).due);  // before 06:00 local
  EXPECT_TRUE(is_due(period("table", "2025-10-01T04:00:00Z"), at("2025-10-01T04:00:00Z"), q3, false).due);

  // A database drill PASSED in March 2026 (H1) covers the whole of H1 and nothing of H2.
  std::vector<PastDrill> h1{{"h1", at("2026-03-10T08:00:00Z"), "PASSED", "FINISHED"}};
  EXPECT_FALSE(is_due(period("database", "2026-06-30T21:00:00Z"), at("2026-06-30T21:00:00Z"), h1, false).due);
  EXPECT_TRUE(is_due(period("database", "2026-07-01T09:00:00Z"), at("2026-07-01T09:00:00Z"), h1, false).due);
}

}  // namespace
}  // namespace sk::drill
