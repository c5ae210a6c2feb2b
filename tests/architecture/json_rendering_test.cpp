// Issue 10 item 6: no JSON rendering may throw on server text. nlohmann's dump() throws type_error 316 on a string
// that is not valid UTF-8 (a server message, a statement cut by bytes), which turned `status`/`run`/`drill
// --format json` into exit 70. Every JSON document of the product is rendered by sk::json_text
// (common/json_text.h, invalid bytes replaced); this test fails on any other dump() call in the product's rooms,
// naming the file and line.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

std::vector<std::string> dump_calls() {
  const fs::path root = SK_SOURCE_DIR;
  std::vector<std::string> out;
  for (const char* room : {"common", "kernel", "compiler", "runtime", "tools"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / room)) {
      const auto ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      if (rel == "common/json_text.h") continue;
      std::ifstream in(entry.path());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        const auto comment = line.find("//");
        const auto call = line.find(".dump(");
        if (call != std::string::npos && (comment == std::string::npos || call < comment)) {
          out.push_back(rel + ":" + std::to_string(n) + ": " + line);
        }
      }
    }
  }
  return out;
}

TEST(JsonRendering, EveryDumpGoesThroughJsonText) {
  const auto found = dump_calls();
  std::string report;
  for (const auto& f : found) report += f + "\n";
  EXPECT_TRUE(found.empty()) << found.size()
                             << " JSON dump() call(s) that throw on invalid UTF-8; use sk::json_text:\n"
                             << report;
}

}  // namespace
