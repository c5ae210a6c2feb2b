// The dependency rule of the source tree (docs/architecture.md), checked on every #include of every source file:
// common ← kernel ← compiler ← runtime ← tools, with the emulator beside them on common/kernel and the product's S3
// client (runtime/s3) only. An include that
// runs upward — the kernel reaching into the compiler, the compiler into the runtime, anything into tools/ or
// tests/ — fails this test with the file, the line and the rule it breaks. Third-party confinement is checked the
// same way: only runtime/mysql includes Connector/C++, only compiler/syntax sees ANTLR headers.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

// Single folders of a room that a room outside the rule's chain may include from: the emulator uses the product's
// S3 client (runtime/s3) for its S3 repository backend rather than a copy of it, and nothing else of the runtime.
const std::map<std::string, std::set<std::string>>& allowed_folders() {
  static const std::map<std::string, std::set<std::string>> folders{{"emulator", {"runtime/s3/"}}};
  return folders;
}

bool folder_allowed(const std::string& room, const std::string& target) {
  auto it = allowed_folders().find(room);
  if (it == allowed_folders().end()) return false;
  for (const auto& folder : it->second) {
    if (target.starts_with(folder) && target.find('/', folder.size()) == std::string::npos) return true;
  }
  return false;
}

// The rooms a file in each room may include from (its own room included).
const std::map<std::string, std::set<std::string>>& allowed_rooms() {
  static const std::map<std::string, std::set<std::string>> rules{
      {"common", {"common"}},
      {"kernel", {"common", "kernel"}},
      {"compiler", {"common", "kernel", "compiler"}},
      {"runtime", {"common", "kernel", "compiler", "runtime"}},
      {"emulator", {"common", "kernel", "emulator"}},
      {"tools", {"common", "kernel", "compiler", "runtime", "tools"}},
      {"bench", {"common", "kernel", "compiler", "runtime", "emulator", "tools", "tests", "bench"}},  // tests/support
  };
  return rules;
}

// Third-party headers confined to one folder (path prefix relative to the source root).
struct Confinement {
  std::string header_prefix;  // as written after '<' or '"'
  std::string only_under;
};
const std::vector<Confinement>& confinements() {
  static const std::vector<Confinement> c{
      {"cppconn/", "runtime/mysql/"},
      {"mysql_connection.h", "runtime/mysql/"},
      {"antlr4-runtime", "compiler/syntax/"},
  };
  return c;
}

struct Include {
  std::string target;  // the path between the quotes or angle brackets
  bool quoted = false;
  int line = 0;
};

std::vector<Include> includes_of(const fs::path& file) {
  std::vector<Include> out;
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const auto hash = line.find_first_not_of(" \t");
    if (hash == std::string::npos || line.compare(hash, 1, "#") != 0) continue;
    const auto kw = line.find_first_not_of(" \t", hash + 1);
    if (kw == std::string::npos || line.compare(kw, 7, "include") != 0) continue;
    const auto open = line.find_first_of("\"<", kw + 7);
    if (open == std::string::npos) continue;
    const char close_char = line[open] == '"' ? '"' : '>';
    const auto close = line.find(close_char, open + 1);
    if (close == std::string::npos) continue;
    out.push_back({line.substr(open + 1, close - open - 1), line[open] == '"', n});
  }
  return out;
}

bool is_source(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".h" || ext == ".cpp" || ext == ".cc" || ext == ".def";
}

std::vector<std::string> violations() {
  const fs::path root = SK_SOURCE_DIR;
  std::vector<std::string> out;
  for (const auto& [room, allowed] : allowed_rooms()) {
    if (!fs::exists(root / room)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / room)) {
      if (!entry.is_regular_file() || !is_source(entry.path())) continue;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      for (const auto& inc : includes_of(entry.path())) {
        for (const auto& c : confinements()) {
          if (inc.target.starts_with(c.header_prefix) && !rel.starts_with(c.only_under) &&
              !(room == "emulator" || room == "bench")) {
            out.push_back(rel + ":" + std::to_string(inc.line) + ": <" + inc.target + "> belongs to " +
                          c.only_under + " only");
          }
        }
        if (!inc.quoted) continue;
        const auto slash = inc.target.find('/');
        if (slash == std::string::npos) continue;
        const std::string target_room = inc.target.substr(0, slash);
        const bool is_room = allowed_rooms().contains(target_room) || target_room == "tests";
        if (is_room && !allowed.contains(target_room) && !folder_allowed(room, inc.target)) {
          out.push_back(rel + ":" + std::to_string(inc.line) + ": \"" + inc.target + "\" — " + room +
                        "/ may not include from " + target_room + "/");
        }
      }
    }
  }
  return out;
}

TEST(DependencyRule, NoIncludeRunsUpward) {
  const auto found = violations();
  std::string report;
  for (const auto& v : found) report += v + "\n";
  EXPECT_TRUE(found.empty()) << found.size() << " include(s) break the dependency rule:\n" << report;
}

// The emulator's one exception is exactly runtime/s3: its headers, not a subfolder, not another runtime folder.
TEST(DependencyRule, TheEmulatorMayUseTheS3ClientAndNothingElseOfTheRuntime) {
  EXPECT_TRUE(folder_allowed("emulator", "runtime/s3/s3_client.h"));
  EXPECT_FALSE(folder_allowed("emulator", "runtime/s3x/s3_client.h"));
  EXPECT_FALSE(folder_allowed("emulator", "runtime/s3/inner/x.h"));
  EXPECT_FALSE(folder_allowed("emulator", "runtime/expire/storage_delete.h"));
  EXPECT_FALSE(folder_allowed("compiler", "runtime/s3/s3_client.h"));
  EXPECT_FALSE(folder_allowed("kernel", "runtime/s3/s3_client.h"));
}

// The rule is not vacuous: the scan sees the includes it judges.
TEST(DependencyRule, ScanFindsIncludes) {
  const fs::path root = SK_SOURCE_DIR;
  const auto incs = includes_of(root / "kernel" / "dialect" / "starrocks_dialect.cpp");
  ASSERT_FALSE(incs.empty());
  EXPECT_EQ(incs.front().target, "kernel/dialect/starrocks_dialect.h");
  EXPECT_TRUE(incs.front().quoted);
}

}  // namespace
