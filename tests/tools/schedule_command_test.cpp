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
  sk::test::Finished schedule(const std::string& from, const std::string& format,
                              const std::string& policy = "blackout.skp", int next = 3) {
    return starkeep_->run({"schedule", "--policy", std::string(SK_SOURCE_DIR) + "/tests/golden/plan/" + policy,
                           "--from", from, "--next", std::to_string(next), "--format", format});
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

// Issue 14 item 1: a tier that fires several times a day lists each slot; the slot the nightly covers says so; on the
// spring-forward night the 02:05 slot is absorbed by 03:05 and the 02:30 slot of the four-hourly tier fires at
// 03:30 CEST and says which slot it is; slots in the office-hours blackout are listed as skipped. The hourly tier's
// latest slot before the start (23:05) is a catch-up candidate until its next firing, an hour later.
TEST_F(ScheduleCommand, SubDailySlotsAroundTheSpringForwardNight) {
  const auto r = schedule("2026-03-29T00:00:00+01:00", "text", "subdaily.skp", 4);
  ASSERT_EQ(r.code, sk::cli::kExitOk) << r.describe();
  EXPECT_NE(r.out.find("tier hourly (every hour at :05)\n"
                       "  catch-up of 2026-03-28T23:05:00+01:00 (2026-03-28T22:05:00Z): due until "
                       "2026-03-29T00:05:00+01:00 unless the slot is done (the runner checks ops history)\n"
                       "  2026-03-29T00:05:00+01:00  2026-03-28T23:05:00Z\n"
                       "  2026-03-29T01:05:00+01:00  2026-03-29T00:05:00Z  (satisfied by nightly)\n"
                       "  2026-03-29T03:05:00+02:00  2026-03-29T01:05:00Z\n"
                       "  2026-03-29T04:05:00+02:00  2026-03-29T02:05:00Z\n"),
            std::string::npos)
      << r.out;
  const auto j = nlohmann::json::parse(schedule("2026-03-29T00:00:00+01:00", "json", "subdaily.skp", 4).out);
  const nlohmann::json& hourly = j.at("tiers").at(0);
  ASSERT_EQ(hourly.at("firings").size(), 4u);
  EXPECT_EQ(hourly.at("firings").at(1).at("satisfied_by"), "nightly");
  EXPECT_EQ(hourly.at("firings").at(2).at("satisfied_by"), "hourly");
  EXPECT_FALSE(hourly.at("firings").at(2).contains("slot"));
}

TEST_F(ScheduleCommand, SubDailySkippedTimeAndBlackoutSlots) {
  // Monday 2026-03-30 after the change: 00:30, 04:30 fire; 08:30 … 16:30 are in the blackout; 20:30 fires.
  const auto j = nlohmann::json::parse(schedule("2026-03-30T00:00:00+02:00", "json", "subdaily.skp", 3).out);
  const nlohmann::json& dims = j.at("tiers").at(2);
  ASSERT_EQ(dims.at("schedule"), "every 4 hours from 00:30 on mon..fri, not between 08:00 and 20:00");
  std::vector<std::string> seen;
  for (const nlohmann::json& f : dims.at("firings")) {
    seen.push_back(f.at("local").get<std::string>() + (f.contains("skipped_by_blackout") ? " skipped" : ""));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"2026-03-30T00:30:00+02:00", "2026-03-30T04:30:00+02:00",
                                            "2026-03-30T08:30:00+02:00 skipped", "2026-03-30T12:30:00+02:00 skipped",
                                            "2026-03-30T16:30:00+02:00 skipped", "2026-03-30T20:30:00+02:00"}));
}

}  // namespace
