// Replays the libFuzzer seed corpus and every saved regression input (tests/fuzz/regressions/) through the
// `starkeep check` harness in the regular build, so an input that once broke an invariant keeps being checked by
// ctest even where the clang fuzz build is skipped. Also proves the harness itself: the fixed inventory loads and
// the production policy compiles cleanly against it and gets a plan.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "tests/fuzz/fuzz_pipeline.h"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && (extension.empty() || e.path().extension() == extension)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void expect_ok(const fs::path& file) {
  const std::string input = read(file);
  const std::string problem =
      sk::fuzz::check_policy_pipeline(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  EXPECT_TRUE(problem.empty()) << file << ": " << problem;
}

TEST(FuzzCorpus, ProductionPolicyCompilesCleanlyAgainstTheFixedInventory) {
  const sk::diag::SourceFile policy("production.skp", read(fs::path(SK_REPO_DIR) / "policies" / "production.skp"));
  const sk::diag::SourceFile inventory("inventory.json", std::string(sk::fuzz::fixed_inventory_json()));
  const sk::driver::Compilation c = sk::driver::compile({&policy, &inventory, sk::CivilDay(2025, 9, 14)});
  EXPECT_EQ(c.inventory_diagnostics.error_count(), 0u);
  ASSERT_TRUE(c.policy.has_value());
  ASSERT_TRUE(c.inventory.has_value());
  EXPECT_EQ(c.inventory->tables.size(), 15u);
  EXPECT_FALSE(c.has_errors());
}

TEST(FuzzCorpus, SeedPolicies) {
  const fs::path repo(SK_REPO_DIR);
  size_t n = 0;
  for (const char* dir : {"policies", "examples", "tests/golden/check", "tests/golden/analysis",
                          "tests/golden/plan"}) {
    for (const fs::path& f : files_in(repo / dir, ".skp")) {
      expect_ok(f);
      ++n;
    }
  }
  EXPECT_GE(n, 40u);
}

TEST(FuzzCorpus, SavedRegressionInputs) {
  for (const fs::path& f : files_in(fs::path(SK_REPO_DIR) / "tests" / "fuzz" / "regressions", "")) {
    if (f.filename() == "README.md") continue;
    expect_ok(f);
  }
}

}  // namespace
