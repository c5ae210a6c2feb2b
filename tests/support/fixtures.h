// The shared test fixtures under tests/fixtures/ (see its README.md), loaded by path: the end-to-end policy
// and its parts, with `{{name}}` placeholders filled in. Loading fails loudly (sk::fail "fixture.*") when a
// file is missing, a placeholder has no value, or a value names no placeholder.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace sk::test {

// tests/fixtures/<relative> (SK_FIXTURES_DIR, set by CMake for every user of sk_test_fixtures).
[[nodiscard]] std::filesystem::path fixture_path(const std::string& relative);

// The fixture's text with every {{name}} replaced by vars[name].
[[nodiscard]] Result<std::string> load_fixture(const std::string& relative,
                                               const std::map<std::string, std::string>& vars = {});

// policies/e2e.skp with its placeholders as fields.
struct E2ePolicy {
  std::string name = "e2e";
  std::string timezone = "UTC";
  std::vector<std::string> databases{};
  std::string repository{};
  std::string location{};  // s3a://bucket/prefix
  std::string precheck{};  // e.g. "snapshot_disk_free >= 15%"; empty: no precheck block
  std::string daily_schedule = "mon..sat at 01:00";
  std::string weekly_extra{};  // more lines of the weekly tier (each "    …\n")
  std::string extra{};         // blocks after the tiers (each line indented, "\n"-terminated)

  // The policy text; aborts the test program when the fixture cannot be loaded (a broken checkout).
  [[nodiscard]] std::string text() const;
};

// policies/monthly_drills.skp.part, its alert notifying `notifier` (for E2ePolicy::extra).
[[nodiscard]] std::string monthly_and_drills(const std::string& notifier);

// The fenced blocks of a markdown file that open with exactly the line `opening` (e.g. "```bash runbook") and
// close with "```", in order, each line "\n"-terminated. None when the file cannot be read.
[[nodiscard]] std::vector<std::string> fenced_blocks(const std::filesystem::path& markdown,
                                                     const std::string& opening);

}  // namespace sk::test
