// Golden plans. One test per <name>.at in this folder (the instant, in the policy's zone unless it has an offset):
//   policy     <name>.skp, else <group>.skp (group = the name up to its first '_': cases share a policy), else
//              policies/production.skp;
//   inventory  <name>.inventory.json, else <group>.inventory.json, else examples/inventory.json;
//   expected   <name>.plan.json (canonical plan JSON), <name>.preview.txt (the human preview) and <name>.diag.txt
//              (diagnostics of both files; paths relative, so the files are machine-independent).
// The plan must also survive JSON → Plan → JSON byte-identically. UPDATE_GOLDEN=1 rewrites the expected files.
#include <algorithm>
#include <vector>

#include "compiler/driver/compile.h"
#include "tests/golden/golden_util.h"

namespace sk::golden {
namespace {

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(SK_GOLDEN_DIR)) {
    if (entry.path().extension() == ".at") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenPlan : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenPlan, MatchesExpectedPlanAndPreview) {
  const std::string name = GetParam();
  const fs::path dir(SK_GOLDEN_DIR), root(SK_PROJECT_DIR);
  const std::string group = name.substr(0, name.find('_'));
  auto pick = [&](const std::string& ext, const fs::path& fallback) {
    if (fs::exists(dir / (name + ext))) return dir / (name + ext);
    if (fs::exists(dir / (group + ext))) return dir / (group + ext);
    return fallback;
  };
  const fs::path policy_path = pick(".skp", root / "policies/production.skp");
  const fs::path inv_path = pick(".inventory.json", root / "examples/inventory.json");
  const diag::SourceFile policy(policy_path.filename().string(), read_file(policy_path));
  const diag::SourceFile inventory(inv_path.filename().string(), read_file(inv_path));
  std::string at_text = read_file(dir / (name + ".at"));
  while (!at_text.empty() && (at_text.back() == '\n' || at_text.back() == ' ')) at_text.pop_back();

  driver::CompileInput input{&policy, &inventory};
  driver::Compilation c = driver::compile(input);
  ASSERT_TRUE(c.policy) << diag::render_text(policy, c.policy_diagnostics.diagnostics());
  auto at = Instant::parse(at_text, c.policy->time_zone);
  ASSERT_TRUE(at) << at.error().message;
  input.reference = CivilDay(c.policy->time_zone.to_local(*at));
  c = driver::compile(input);
  const std::string diags = diag::render_text(policy, c.policy_diagnostics.diagnostics()) +
                            diag::render_text(inventory, c.inventory_diagnostics.diagnostics());
  ASSERT_FALSE(c.has_errors()) << diags;

  const plan::Plan p = driver::plan_at(c, *at);
  const std::string json = plan::to_json_text(p);
  auto back = plan::plan_from_json(nlohmann::json::parse(json));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(plan::to_json_text(*back), json) << "JSON round trip is not byte-identical";

  expect_golden(dir / (name + ".plan.json"), json);
  expect_golden(dir / (name + ".preview.txt"), plan::render_preview(p));
  expect_golden(dir / (name + ".diag.txt"), diags);
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenPlan, ::testing::ValuesIn(case_names()), test_name);

}  // namespace
}  // namespace sk::golden
