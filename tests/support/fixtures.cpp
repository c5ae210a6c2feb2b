#include "tests/support/fixtures.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace sk::test {

std::filesystem::path fixture_path(const std::string& relative) {
  return std::filesystem::path(SK_FIXTURES_DIR) / relative;
}

Result<std::string> load_fixture(const std::string& relative,
                                 const std::map<std::string, std::string>& vars) {
  const auto path = fixture_path(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("fixture.missing", "cannot read {}", path.string());
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  std::string out;
  std::set<std::string> used;
  std::size_t at = 0;
  for (;;) {
    const std::size_t open = text.find("{{", at);
    if (open == std::string::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) return fail("fixture.syntax", "{}: unterminated {{{{", path.string());
    const std::string name = text.substr(open + 2, close - open - 2);
    const auto value = vars.find(name);
    if (value == vars.end()) return fail("fixture.unset", "{}: no value for {{{{{}}}}}", path.string(), name);
    out += text.substr(at, open - at) + value->second;
    used.insert(name);
    at = close + 2;
  }
  out += text.substr(at);
  for (const auto& [name, value] : vars) {
    if (!used.count(name)) return fail("fixture.unused", "{} has no {{{{{}}}}}", path.string(), name);
  }
  return out;
}

namespace {

std::string must(Result<std::string> text) {
  if (!text) {
    std::fprintf(stderr, "test fixture: %s\n", text.error().describe().c_str());
    std::abort();
  }
  return std::move(*text);
}

}  // namespace

std::string E2ePolicy::text() const {
  std::string list;
  for (const auto& db : databases) list += (list.empty() ? "\"" : ", \"") + db + "\"";
  return must(load_fixture("policies/e2e.skp",
                           {{"name", name},
                            {"timezone", timezone},
                            {"databases", list},
                            {"repository", repository},
                            {"location", location},
                            {"precheck", precheck.empty() ? "" : "  precheck { " + precheck + " }\n"},
                            {"daily_schedule", daily_schedule},
                            {"weekly_extra", weekly_extra},
                            {"extra", extra}}));
}

std::string monthly_and_drills(const std::string& notifier) {
  return must(load_fixture("policies/monthly_drills.skp.part", {{"notifier", notifier}}));
}

std::vector<std::string> fenced_blocks(const std::filesystem::path& markdown, const std::string& opening) {
  std::ifstream in(markdown);
  std::vector<std::string> blocks;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == opening) {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

}  // namespace sk::test
