// Golden diagnostics for the front end (parse + sema). One test per <name>.skp in this folder:
//   error_*  must report at least one error;  ok_*  must report none and produce a model;
//   the rendered text must equal <name>.diag.txt, and the JSON <name>.diag.json when that file exists.
// Paths in the output are relative to this folder ("error_x.skp:3:5: …"), so the files are machine-independent.
// UPDATE_GOLDEN=1 rewrites the expected files instead of comparing.
// Also: every diagnostic code of codes_front.def appears in some .diag.txt under tests/golden.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compiler/diag/diagnostic.h"
#include "compiler/sema/build_model.h"
#include "compiler/syntax/parse.h"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(SK_GOLDEN_DIR)) {
    if (entry.path().extension() == ".skp") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCheck, MatchesExpectedDiagnostics) {
  const std::string name = GetParam();
  const fs::path dir(SK_GOLDEN_DIR);
  const sk::diag::SourceFile file(name + ".skp", read_file(dir / (name + ".skp")));
  sk::diag::DiagnosticSink sink;
  const sk::ast::Policy ast = sk::syntax::parse(file, sink);
  const std::optional<sk::model::Policy> model = sk::sema::build_model(ast, sink);
  sink.sort_by_position();
  const std::string text = sk::diag::render_text(file, sink.diagnostics());
  const std::string json = sk::diag::render_json(file, sink.diagnostics()).dump(2) + "\n";

  if (name.rfind("error_", 0) == 0) {
    EXPECT_TRUE(sink.has_errors()) << name << " must report an error";
    EXPECT_FALSE(model.has_value());
  } else if (name.rfind("ok_", 0) == 0) {
    EXPECT_FALSE(sink.has_errors()) << text;
    EXPECT_TRUE(model.has_value());
  } else {
    ADD_FAILURE() << "case names start with error_ or ok_: " << name;
  }
  // Every error-level diagnostic carries a range inside the file.
  for (const sk::diag::Diagnostic& d : sink.diagnostics()) {
    if (d.range) {
      EXPECT_LE(d.range->begin, d.range->end);
      EXPECT_LE(d.range->end, file.text().size());
    }
  }

  const fs::path txt_path = dir / (name + ".diag.txt");
  const fs::path json_path = dir / (name + ".diag.json");
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    write_file(txt_path, text);
    if (fs::exists(json_path)) write_file(json_path, json);
    return;
  }
  ASSERT_TRUE(fs::exists(txt_path)) << "missing " << txt_path << " (run with UPDATE_GOLDEN=1)";
  EXPECT_EQ(read_file(txt_path), text);
  if (fs::exists(json_path)) {
    EXPECT_EQ(read_file(json_path), json);
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenCheck, ::testing::ValuesIn(case_names()), test_name);

// Every code in the .def tables has at least one golden case showing it.
TEST(GoldenCoverage, EveryDiagnosticCodeAppearsInAGoldenFile) {
  std::string all_golden;
  for (const auto& entry : fs::recursive_directory_iterator(SK_GOLDEN_ROOT)) {
    const std::string p = entry.path().string();
    if (p.size() > 9 && p.substr(p.size() - 9) == ".diag.txt") all_golden += read_file(entry.path());
  }
  const std::regex code_re(R"re(SK_DIAG\(\s*\w+\s*,\s*"(SK\d{4})")re");
  std::set<std::string> codes;
  for (const char* def : {"codes_front.def"}) {
    const fs::path p = fs::path(SK_DIAG_DIR) / def;
    if (!fs::exists(p)) continue;
    const std::string text = read_file(p);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), code_re); it != std::sregex_iterator(); ++it) {
      codes.insert((*it)[1].str());
    }
  }
  ASSERT_GE(codes.size(), 40u);  // the front end alone defines more than forty
  for (const std::string& code : codes) {
    EXPECT_NE(all_golden.find("[" + code + "]"), std::string::npos) << code << " has no golden case";
  }
}

}  // namespace
