// docs/cli.md's exit-code table is rendered from common/error_codes.def: this test fails when they differ and
// prints the expected table; UPDATE_GOLDEN=1 rewrites the table in docs/cli.md.
#include "tools/starkeep/exit_code_docs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "common/error_codes.h"

namespace sk::cli {
namespace {

const std::string kDocPath = std::string(SK_SOURCE_DIR) + "/docs/cli.md";

std::string read_doc() {
  std::ifstream in(kDocPath, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ExitCodeDocs, CliMdTableIsRenderedFromTheTable) {
  std::string doc = read_doc();
  ASSERT_FALSE(doc.empty()) << "cannot read " << kDocPath;
  const auto span = find_exit_code_table(doc);
  ASSERT_TRUE(span) << kDocPath << " has no exit-code table; expected:\n" << render_exit_code_markdown();
  const std::string expected = render_exit_code_markdown();
  const std::string actual = doc.substr(span->offset, span->length);
  if (actual != expected && std::getenv("UPDATE_GOLDEN") != nullptr) {
    doc.replace(span->offset, span->length, expected);
    std::ofstream(kDocPath, std::ios::binary | std::ios::trunc) << doc;
    return;  // rewritten, as the other goldens do under UPDATE_GOLDEN (tests/golden/golden_util.h)
  }
  EXPECT_EQ(actual, expected)
      << kDocPath
      << "'s exit-code table differs from common/error_codes.def (UPDATE_GOLDEN=1 rewrites "
         "it). Expected:\n"
      << expected;
}

TEST(ExitCodeDocs, HelpListsEveryExitCode) {
  const std::string help = render_exit_code_help();
  for (const auto& row : kExitCodes) {
    EXPECT_NE(help.find(std::string(row.meaning)), std::string::npos) << row.name;
  }
}

TEST(ErrorTable, CodesAreUniqueAndOrdered) {
  std::set<int> exits;
  int previous = -1;
  for (const auto& row : kExitCodes) {
    EXPECT_TRUE(exits.insert(row.code).second) << row.name;
    EXPECT_GT(static_cast<int>(row.code), previous) << row.name << " is out of numeric order";
    previous = row.code;
  }
  std::set<std::string_view> codes;
  for (const auto& row : kErrorCodes) {
    EXPECT_TRUE(codes.insert(row.code).second) << row.code << " appears twice";
    EXPECT_TRUE(exits.contains(row.exit)) << row.code;
    EXPECT_NE(row.code.find('.'), std::string_view::npos) << row.code;
  }
}

TEST(ErrorTable, ExitCodeFor) {
  EXPECT_EQ(exit_code_for(Error{"restore.timeout", "x", {}}), kExitRestoreTimeout);
  EXPECT_EQ(exit_code_for(Error{"catalog.timeout", "x", {}}), kExitRestoreTimeout);
  EXPECT_EQ(exit_code_for(Error{"sql.connection", "x", {}}), kExitConnection);
  EXPECT_EQ(exit_code_for(Error{"sql.server", "x", {}}), kExitRefused);
  EXPECT_EQ(exit_code_for(Error{"domain.table_name", "x", {}}), kExitUsage);
  EXPECT_EQ(exit_code_for(Error{"no.such_code", "x", {}}), kExitInternal);
  static_assert(std::string_view(errc::kRestoreTimeout) == "restore.timeout");
}

}  // namespace
}  // namespace sk::cli
