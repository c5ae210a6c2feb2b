// Golden analysis diagnostics (inventory SK04xx, coverage / restorability SK05xx). One test per <name> that has a
// <name>.skp or a <name>.inventory.json here:
//   policy     <name>.skp, or policies/production.skp when there is none;
//   inventory  <name>.inventory.json, or examples/inventory.json when there is none;
//   expected   <name>.diag.txt: the diagnostics of both files, rendered with relative paths;
//   error_*    must report an error; any other name must not.
// Restorability dates start at 2025-09-01 (the reference day). UPDATE_GOLDEN=1 rewrites the expected files.
// Also: every code of codes_analysis.def appears in some .diag.txt under tests/golden.
#include <algorithm>
#include <regex>
#include <set>
#include <vector>

#include "compiler/driver/compile.h"
#include "tests/golden/golden_util.h"

namespace sk::golden {
namespace {

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(SK_GOLDEN_DIR)) {
    const std::string file = entry.path().filename().string();
    for (const std::string ext : {".skp", ".inventory.json"}) {
      if (file.size() > ext.size() && file.ends_with(ext)) names.push_back(file.substr(0, file.size() - ext.size()));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

class GoldenAnalysis : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenAnalysis, MatchesExpectedDiagnostics) {
  const std::string name = GetParam();
  const fs::path dir(SK_GOLDEN_DIR), root(SK_PROJECT_DIR);
  const fs::path inv_path = fs::exists(dir / (name + ".inventory.json")) ? dir / (name + ".inventory.json")
                                                                         : root / "examples/inventory.json";
  const fs::path policy_path = fs::exists(dir / (name + ".skp")) ? dir / (name + ".skp") : root / "policies/production.skp";
  const diag::SourceFile policy(policy_path.filename().string(), read_file(policy_path));
  const diag::SourceFile inventory(inv_path.filename().string(), read_file(inv_path));
  const driver::Compilation c = driver::compile(driver::CompileInput{&policy, &inventory, CivilDay(2025, 9, 1)});
  const std::string text = diag::render_text(policy, c.policy_diagnostics.diagnostics()) +
                           diag::render_text(inventory, c.inventory_diagnostics.diagnostics());
  if (name.rfind("error_", 0) == 0) {
    EXPECT_TRUE(c.has_errors()) << name << " must report an error";
  } else {
    EXPECT_FALSE(c.has_errors()) << text;
  }
  EXPECT_FALSE(text.empty()) << "a golden analysis case should show at least one diagnostic";
  expect_golden(dir / (name + ".diag.txt"), text);
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenAnalysis, ::testing::ValuesIn(case_names()), test_name);

TEST(GoldenCoverage, EveryAnalysisCodeAppearsInAGoldenFile) {
  std::string all_golden;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(SK_PROJECT_DIR) / "tests/golden")) {
    const std::string p = entry.path().string();
    if (p.size() > 9 && p.substr(p.size() - 9) == ".diag.txt") all_golden += read_file(entry.path());
  }
  const std::string def = read_file(fs::path(SK_PROJECT_DIR) / "compiler/diag/codes_analysis.def");
  const std::regex code_re(R"re(SK_DIAG\(\s*\w+\s*,\s*"(SK\d{4})")re");
  std::set<std::string> codes;
  for (auto it = std::sregex_iterator(def.begin(), def.end(), code_re); it != std::sregex_iterator(); ++it) {
    codes.insert((*it)[1].str());
  }
  ASSERT_GE(codes.size(), 20u);
  for (const std::string& code : codes) {
    EXPECT_NE(all_golden.find("[" + code + "]"), std::string::npos) << code << " has no golden case";
  }
}

}  // namespace
}  // namespace sk::golden
