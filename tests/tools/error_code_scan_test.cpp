// Every dotted error code the sources pass to sk::fail / Error{…}, compare with `.code ==`, or define as a
// code constant is a row of common/error_codes.def: scans runtime/, tools/ and kernel/ and names each missing
// code with the file that uses it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "common/error_codes.h"

namespace sk {
namespace {

namespace fs = std::filesystem;

// What precedes an error-code literal: fail( / sk::fail( / Error{ / Error( / code == / code != / .code = /
// SK_DEFINE_…(Type, / a `kXxx = ` constant.
const std::regex kCodeUse(
    R"re((?:\bfail\(|\bError[{(]|\bcode\s*[!=]=|\.code\s*=|SK_DEFINE_[A-Z_]+\(\s*\w+,|\bk[A-Z]\w*\s*=)\s*"([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)")re");

struct Use {
  std::string code;
  std::string file;
};

std::vector<Use> scan(const fs::path& root) {
  std::vector<Use> uses;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    for (std::sregex_iterator it(content.begin(), content.end(), kCodeUse), end; it != end; ++it) {
      uses.push_back({(*it)[1].str(), fs::relative(entry.path(), SK_SOURCE_DIR).string()});
    }
  }
  return uses;
}

TEST(ErrorCodeScan, EveryCodeInTheSourcesIsInTheTable) {
  std::size_t seen = 0;
  for (const char* folder : {"runtime", "tools", "kernel"}) {
    for (const auto& use : scan(fs::path(SK_SOURCE_DIR) / folder)) {
      ++seen;
      EXPECT_NE(find_error_code(use.code), nullptr) << use.file << " uses error code \"" << use.code
                                                    << "\", which common/error_codes.def does not list";
    }
  }
  EXPECT_GT(seen, 50u) << "the scan found almost no codes: is the pattern still right?";
}

}  // namespace
}  // namespace sk
