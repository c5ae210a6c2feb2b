// The production policy TEXT (policies/production.skp with timezone = "Europe/Berlin"), compiled by the real
// front end and planned at 01:05 local on every day of 2026, checked against an independent calendar; plus the
// starkeep binary's exit codes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "compiler/driver/compile.h"
#include "tests/compiler/plan/civil_calendar.h"

namespace sk::plan {
namespace {

namespace fs = std::filesystem;
using testing::berlin_summer_at_one_am, testing::days_from_civil, testing::days_in_month, testing::is_sunday;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string berlin_production_text() {
  std::string text = read_file(fs::path(SK_PROJECT_DIR) / "policies/production.skp");
  const std::string utc = "timezone  = \"UTC\"";
  auto at = text.find(utc);
  EXPECT_NE(at, std::string::npos) << "policies/production.skp no longer says timezone = \"UTC\"";
  if (at != std::string::npos) text.replace(at, utc.size(), "timezone  = \"Europe/Berlin\"");
  return text;
}

TEST(YearOfPlansFromText, EveryDayOf2026InBerlinMatchesTheCalendar) {
  const diag::SourceFile policy("production_berlin.skp", berlin_production_text());
  const diag::SourceFile inventory("inventory.json", read_file(fs::path(SK_PROJECT_DIR) / "examples/inventory.json"));
  const driver::Compilation c = driver::compile(driver::CompileInput{&policy, &inventory});
  ASSERT_FALSE(c.has_errors()) << diag::render_text(policy, c.policy_diagnostics.diagnostics());
  ASSERT_EQ(c.policy->time_zone.name(), "Europe/Berlin");
  int counts[3] = {0, 0, 0};  // daily, weekly, monthly
  for (int m = 1; m <= 12; ++m) {
    for (int d = 1; d <= days_in_month(2026, m); ++d) {
      SCOPED_TRACE(fmt::format("2026-{:02}-{:02}", m, d));
      const Instant at = c.policy->time_zone.from_local(CivilSecond(2026, m, d, 1, 5, 0));
      const Plan p = driver::plan_at(c, at);
      const bool sunday = is_sunday(2026, m, d);
      const std::string tier = !sunday ? "daily" : d <= 7 ? "monthly" : "weekly";
      ++counts[tier == "daily" ? 0 : tier == "weekly" ? 1 : 2];
      const int64_t slot = days_from_civil(2026, m, d) * 86400 + (berlin_summer_at_one_am(2026, m, d) ? -3600 : 0);
      ASSERT_EQ(p.jobs.size(), 2u);  // sales and crm both have daily, weekly and monthly objects
      for (const BackupJob& j : p.jobs) {
        EXPECT_EQ(j.tier.str(), tier);
        EXPECT_EQ(j.slot.unix_seconds(), slot);
        EXPECT_EQ(j.label.str(), fmt::format("{}_2026{:02}{:02}_{}", j.database.str(), m, d,
                                             tier == "daily" ? "inc" : tier == "weekly" ? "full" : "base"));
        EXPECT_EQ(j.whole_database, tier == "monthly");
        if (tier == "monthly") {
          EXPECT_EQ(j.satisfies.size(), 2u);  // monthly + weekly
          EXPECT_EQ(j.retain.fixed().days(), 365);
        }
      }
      EXPECT_EQ(p.due.size(), tier == "monthly" ? 2u : 1u);
    }
  }
  EXPECT_EQ(counts[0], 313);
  EXPECT_EQ(counts[1], 40);
  EXPECT_EQ(counts[2], 12);
}

// ---- the binary ----

int run(const std::string& args) {
  const std::string cmd = std::string(SK_STARKEEP_BIN) + " " + args + " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string project(const std::string& rel) { return "'" + (fs::path(SK_PROJECT_DIR) / rel).string() + "'"; }

TEST(StarkeepBinary, ExitCodes) {
  const std::string policy = "--policy " + project("policies/production.skp");
  const std::string inv = "--inventory " + project("examples/inventory.json");
  EXPECT_EQ(run("check " + policy), 0);
  EXPECT_EQ(run("check " + policy + " " + inv + " --reference 2025-09-01"), 0);  // the restore hole is a warning
  EXPECT_EQ(run("check " + policy + " " + inv + " --reference 2025-09-01 --warnings-as-errors"), 1);
  EXPECT_EQ(run("check --policy " + project("tests/golden/check/error_duplicate_tier.skp")), 1);
  EXPECT_EQ(run("check --policy " + policy.substr(9) + " --inventory " +
                project("tests/golden/analysis/error_inventory_json.inventory.json")),
            1);
  EXPECT_EQ(run("plan " + policy + " " + inv + " --at '2025-09-15 01:05'"), 0);
  EXPECT_EQ(run("plan " + policy + " " + inv + " --at '2025-09-15 01:05' --detailed-exitcode"), 2);
  EXPECT_EQ(run("plan " + policy + " " + inv + " --at '2025-09-15 12:00' --detailed-exitcode"), 0);
  EXPECT_EQ(run("plan " + policy + " " + inv + " --at yesterday"), 64);
  EXPECT_EQ(run("plan " + policy), 64);  // --inventory is required
  EXPECT_EQ(run("check --policy x.skp --no-such-flag"), 64);
  EXPECT_EQ(run("frobnicate"), 64);
  EXPECT_EQ(run("check --policy /nonexistent/p.skp"), 66);
  EXPECT_EQ(run("schedule " + policy + " --next 3 --from 2025-09-01"), 0);
  EXPECT_EQ(run("schedule " + policy + " --next 0"), 64);
  EXPECT_EQ(run("--help"), 0);
  EXPECT_EQ(run("plan --help"), 0);
}

TEST(StarkeepBinary, PlanJsonOnStdoutRoundTrips) {
  const std::string out = (fs::temp_directory_path() / "sk_plan_test_out.json").string();
  const std::string cmd = std::string(SK_STARKEEP_BIN) + " plan --policy " + project("policies/production.skp") +
                          " --inventory " + project("examples/inventory.json") +
                          " --at 2025-09-07T01:05:00Z --format json > '" + out + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string text = read_file(out);
  fs::remove(out);
  auto plan = plan_from_json(nlohmann::json::parse(text));
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(to_json_text(*plan), text);
  EXPECT_EQ(plan->jobs.size(), 2u);
  EXPECT_EQ(plan->jobs[0].tier.str(), "monthly");
}

// Runs the binary, stdout to `out_file` and stderr to `err_file`; the exit code.
int run_captured(const std::string& args, std::string& out, std::string& err) {
  const std::string o = (fs::temp_directory_path() / "sk_check_test_out").string();
  const std::string e = (fs::temp_directory_path() / "sk_check_test_err").string();
  const int status = std::system((std::string(SK_STARKEEP_BIN) + " " + args + " >'" + o + "' 2>'" + e + "'").c_str());
  out = read_file(o);
  err = read_file(e);
  fs::remove(o);
  fs::remove(e);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(StarkeepBinary, CheckListsExcludedTablesApartFromUncoveredOnes) {
  const std::string args = "check --policy " + project("tests/golden/analysis/exclusions.skp") + " --inventory " +
                           project("examples/inventory.json") + " --reference 2025-09-01";
  std::string out, err;
  ASSERT_EQ(run_captured(args, out, err), 0) << err;
  EXPECT_NE(err.find("excluded: 2 tables, deliberately not backed up\n"
                     "  \"scratch tables, rebuilt nightly from the source\" (table matches \"tmp_*\" or table matches "
                     "\"scratch_*\"): 2 tables (sales.tmp_import, crm.scratch_export)\n"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("SK0501"), std::string::npos) << err;  // excluded, not uncovered

  ASSERT_EQ(run_captured(args + " --format json", out, err), 0) << err;
  const nlohmann::json doc = nlohmann::json::parse(out);
  EXPECT_EQ(doc["check_version"], 1);
  ASSERT_EQ(doc["excluded"].size(), 1u) << out;  // the exclusion that excludes nothing is a warning, not listed
  EXPECT_EQ(doc["excluded"][0]["reason"], "scratch tables, rebuilt nightly from the source");
  EXPECT_EQ(doc["excluded"][0]["rule"], "table matches \"tmp_*\" or table matches \"scratch_*\"");
  EXPECT_EQ(doc["excluded"][0]["tables"], nlohmann::json::array({"sales.tmp_import", "crm.scratch_export"}));
  bool sk0511 = false;
  for (const auto& d : doc["diagnostics"]) sk0511 = sk0511 || d["code"] == "SK0511";
  EXPECT_TRUE(sk0511);

  // Without an inventory no table is known: the field is there, empty.
  ASSERT_EQ(run_captured("check --policy " + project("tests/golden/analysis/exclusions.skp") + " --format json", out,
                         err),
            0);
  EXPECT_EQ(nlohmann::json::parse(out)["excluded"], nlohmann::json::array());
}

TEST(StarkeepBinary, PlanCarriesCalendarRetentionCountedInThePolicysZone) {
  std::string out, err;
  // The yearly of the first Sunday of January 2026 (01:00 CET) in Europe/Berlin, kept 7 years: until 2033-01-04
  // 01:00 CET; it covers that Sunday's weekly (18 months).
  ASSERT_EQ(run_captured("plan --policy " + project("tests/golden/analysis/calendar_retention.skp") +
                             " --inventory " + project("examples/inventory.json") +
                             " --at '2026-01-04 01:05' --format json",
                         out, err),
            0)
      << err;
  auto plan = plan_from_json(nlohmann::json::parse(out));
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(to_json_text(*plan), out);
  ASSERT_FALSE(plan->jobs.empty());
  const BackupJob& j = plan->jobs.front();
  EXPECT_EQ(j.tier.str(), "yearly");
  EXPECT_EQ(j.retain.to_string(), "7 years");
  EXPECT_EQ(j.expires.to_iso8601_utc(), "2033-01-04T00:00:00Z");
}

}  // namespace
}  // namespace sk::plan
