// The progress displays of long waits (issue 13 item 6) on a string stream: the terminal's ONE line rewritten in
// place and cleared at the end, the plain lines on a state change or at most once per interval (fake clock), and
// the estimate from earlier jobs of the same tier.
#include "runtime/progress/progress_view.h"

#include <gtest/gtest.h>

#include <sstream>

#include "runtime/ports/fakes.h"

namespace sk::progress {
namespace {

using namespace std::chrono_literals;

ports::ProgressUpdate update(const std::string& task, const std::string& state, std::chrono::seconds elapsed) {
  ports::ProgressUpdate u;
  u.task = task;
  u.state = state;
  u.elapsed = elapsed;
  return u;
}

TEST(ProgressText, StateElapsedAndTheUsualDuration) {
  EXPECT_EQ(human_duration(12s), "12s");
  EXPECT_EQ(human_duration(245s), "4m05s");
  EXPECT_EQ(human_duration(3723s), "1h02m03s");
  auto u = update("backup shop daily shop_20250915_inc", "UPLOADING", 65s);
  EXPECT_EQ(describe(u), "backup shop daily shop_20250915_inc: UPLOADING, 1m05s");
  u.typical = 250s;
  u.earlier = 5;
  EXPECT_EQ(describe(u), "backup shop daily shop_20250915_inc: UPLOADING, 1m05s (usually 4m10s, from 5 earlier)");
}

TEST(TerminalProgress, OneLineRewrittenInPlaceWithEveryRunningTaskAndClearedAtTheEnd) {
  std::ostringstream out;
  TerminalProgress t(out, 200);
  t.update(update("backup a daily l1", "SNAPSHOTING", 1s));
  t.update(update("backup b daily l2", "UPLOADING", 2s));
  t.update(update("backup a daily l1", "UPLOADING", 3s));
  t.done("backup a daily l1");
  t.done("backup b daily l2");
  const std::string text = out.str();
  EXPECT_EQ(text.find('\n'), std::string::npos) << "never a new line on the terminal";
  EXPECT_EQ(text,
            "\rbackup a daily l1: SNAPSHOTING, 1s\x1b[K"
            "\rbackup a daily l1: SNAPSHOTING, 1s | backup b daily l2: UPLOADING, 2s\x1b[K"
            "\rbackup a daily l1: UPLOADING, 3s | backup b daily l2: UPLOADING, 2s\x1b[K"
            "\rbackup b daily l2: UPLOADING, 2s\x1b[K"
            "\r\x1b[K");
}

TEST(TerminalProgress, TheLineIsCutToTheTerminalsWidth) {
  std::ostringstream out;
  TerminalProgress t(out, 20);
  t.update(update("backup a_very_long_database_name daily label", "UPLOADING", 1s));
  EXPECT_EQ(out.str(), "\rbackup a_very_long_…\x1b[K");
}

TEST(PlainProgress, ALineOnEachStateChangeOtherwiseAtMostOncePerInterval) {
  std::ostringstream out;
  ports::FakeClock clock;
  PlainProgress p(out, clock, 30s);
  for (int second = 0; second < 100; ++second) {  // a poll per second: PENDING, then UPLOADING from 10 s
    p.update(update("backup a daily l1", second < 10 ? "PENDING" : "UPLOADING", std::chrono::seconds(second)));
    clock.advance(1s);
  }
  EXPECT_EQ(out.str(),
            "progress: backup a daily l1: PENDING, 0s\n"
            "progress: backup a daily l1: UPLOADING, 10s\n"
            "progress: backup a daily l1: UPLOADING, 40s\n"
            "progress: backup a daily l1: UPLOADING, 1m10s\n");
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
}

ops::BackupAttempt attempt(const std::string& tier, ops::AttemptState state, std::int64_t submitted,
                           std::int64_t seconds) {
  ops::BackupAttempt a{"run", *SnapshotLabel::parse("l" + std::to_string(submitted)),
                       *RepositoryName::parse("r"), *DatabaseName::parse("shop")};
  a.tiers = {*TierName::parse(tier)};
  a.state = state;
  a.submitted_at = Instant::from_unix_seconds(submitted);
  a.started_at = Instant::from_unix_seconds(submitted + 5);
  a.finished_at = Instant::from_unix_seconds(submitted + 5 + seconds);
  return a;
}

TEST(TypicalBackup, TheMedianOfTheNewestFinishedJobsOfTheTier) {
  const TierName daily = *TierName::parse("daily");
  EXPECT_FALSE(typical_backup({}, daily).has_value()) << "no history, no estimate";
  std::vector<ops::BackupAttempt> h{attempt("daily", ops::AttemptState::kFinished, 1000, 100),
                                    attempt("daily", ops::AttemptState::kFinished, 2000, 300),
                                    attempt("daily", ops::AttemptState::kFinished, 3000, 200),
                                    attempt("daily", ops::AttemptState::kCancelled, 4000, 5),
                                    attempt("weekly", ops::AttemptState::kFinished, 5000, 9000)};
  const auto t = typical_backup(h, daily);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->duration, 200s);
  EXPECT_EQ(t->from, 3);
  const auto newest_two = typical_backup(h, daily, 2);  // 300 and 200 s: the lower middle
  ASSERT_TRUE(newest_two.has_value());
  EXPECT_EQ(newest_two->duration, 200s);
  EXPECT_EQ(newest_two->from, 2);
}

}  // namespace
}  // namespace sk::progress
