// `starkeep schedule` (the real binary, no cluster) on the schedule forms of issue 14 item 1: the fortnightly tier's
// firings two weeks apart from its anchor, the month-end tier on the last working days, and the slots that blackouts
// skip listed where they would have fired (text and JSON), not counted towards --next.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/starkeep.h"

namespace {

namespace fs = std::filesystem;

class ScheduleCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("starkeep-schedule-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    processes_ = std::make_unique<sk::test::Processes>(dir_ / "commands");
    starkeep_ = std::make_unique<sk::test::Starkeep>(*processes_, 9);
  }
  void TearDown() override {
    starkeep_.reset();
    processes_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  sk::test::Finished schedule(const std::string& from, const std::string& format) {
    return starkeep_->run({"schedule", "--policy", std::string(SK_SOURCE_DIR) + "/tests/golden/plan/blackout.skp",
                           "--from", from, "--next", "3", "--format", format});
  }

  fs::path dir_;
  std::unique_ptr<sk::test::Processes> processes_;
  std::unique_ptr<sk::test::Starkeep> starkeep_;
};

TEST_F(ScheduleCommand, ChristmasSlotsAreListedAsSkippedByTheBlackout) {
  const auto r = schedule("2026-12-23T00:00:00+01:00", "text");
  ASSERT_EQ(r.code, sk::cli::kExitOk) << r.describe();
  EXPECT_NE(r.out.find("tier daily (mon..sat at 01:00, not on 12-24..12-26, not between 22:00 and 06:00 on fri)"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  2026-12-23T01:00:00+01:00  2026-12-23T00:00:00Z\n"), std::string::npos) << r.out;
  for (const char* day : {"24", "25"}) {
    const std::string d(day);
    EXPECT_NE(r.out.find("  2026-12-" + d + "T01:00:00+01:00  2026-12-" + d +
                         "T00:00:00Z  skipped: blackout 'not on 12-24..12-26'\n"),
              std::string::npos)
        << day << "\n" << r.out;
  }
  // The 26th is a Saturday after a Friday night: skipped too (by the first blackout that covers it).
  EXPECT_NE(r.out.find("  2026-12-26T01:00:00+01:00  2026-12-26T00:00:00Z  skipped: blackout"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  2026-12-28T01:00:00+01:00"), std::string::npos) << r.out;
}

TEST_F(ScheduleCommand, JsonMarksSkippedSlotsAndCountsOnlyFirings) {
  const auto r = schedule("2026-12-23T00:00:00+01:00", "json");
  ASSERT_EQ(r.code, sk::cli::kExitOk) << r.describe();
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& daily = j.at("tiers").at(0);
  ASSERT_EQ(daily.at("tier"), "daily");
  int fired = 0, skipped = 0;
  for (const nlohmann::json& f : daily.at("firings")) {
    if (f.contains("skipped_by_blackout")) {
      ++skipped;
      EXPECT_FALSE(f.contains("satisfied_by"));
    } else {
      ++fired;
    }
  }
  EXPECT_EQ(fired, 3);    // 23rd, 28th, 29th
  EXPECT_EQ(skipped, 3);  // 24th, 25th, 26th
  EXPECT_EQ(daily.at("firings").at(1).at("skipped_by_blackout"), "not on 12-24..12-26");
  EXPECT_EQ(daily.at("firings").at(1).at("local"), "2026-12-24T01:00:00+01:00");
}

TEST_F(ScheduleCommand, FortnightAndMonthEndFireOnTheirDays) {
  const auto r = schedule("2026-01-01T00:00:00+01:00", "json");
  ASSERT_EQ(r.code, sk::cli::kExitOk) << r.describe();
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& fortnight = j.at("tiers").at(1);
  ASSERT_EQ(fortnight.at("schedule"), "every 2 weeks on sun at 01:00 from 2026-01-04, not on 12-24..12-26");
  EXPECT_EQ(fortnight.at("firings").at(0).at("local"), "2026-01-04T01:00:00+01:00");
  EXPECT_EQ(fortnight.at("firings").at(1).at("local"), "2026-01-18T01:00:00+01:00");
  EXPECT_EQ(fortnight.at("firings").at(2).at("local"), "2026-02-01T01:00:00+01:00");
  const nlohmann::json& monthend = j.at("tiers").at(2);
  ASSERT_EQ(monthend.at("schedule"), "last weekday of month at 22:00, not on 12-24..12-26");
  EXPECT_EQ(monthend.at("firings").at(0).at("local"), "2026-01-30T22:00:00+01:00");  // the 31st is a Saturday
  EXPECT_EQ(monthend.at("firings").at(1).at("local"), "2026-02-27T22:00:00+01:00");  // Friday; 28th Saturday
  EXPECT_EQ(monthend.at("firings").at(2).at("local"), "2026-03-31T22:00:00+02:00");  // Tuesday, summer time
}

}  // namespace
