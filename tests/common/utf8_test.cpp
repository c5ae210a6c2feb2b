// common/utf8.h and common/json_text.h (issue 10 item 6): text from a server — a statement cut by a client, a
// message in another encoding — is made valid UTF-8 and cut only between code points, and JSON rendering never
// throws on it.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "common/utf8.h"

namespace sk {
namespace {

const std::string kDing = "\xE8\xAE\xA2";  // 订 (3 bytes)
const std::string kDan = "\xE5\x8D\x95";   // 单
const std::string kReplacement = "\xEF\xBF\xBD";

TEST(Utf8, ValidTextIsKept) {
  const std::string text = "fact_" + kDing + kDan + " \xF0\x9F\x98\x80 caf\xC3\xA9";
  EXPECT_TRUE(is_valid_utf8(text));
  EXPECT_EQ(valid_utf8(text), text);
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  // A CJK character cut after its first two bytes, a stray continuation byte, an overlong '/', a surrogate, and
  // a lead byte of a code point above U+10FFFF.
  const std::string cut = kDing.substr(0, 2);
  EXPECT_FALSE(is_valid_utf8(cut));
  EXPECT_EQ(valid_utf8("a" + cut + "b"), "a" + kReplacement + kReplacement + "b");
  EXPECT_EQ(valid_utf8("\x80"), kReplacement);
  EXPECT_EQ(valid_utf8("\xC0\xAF"), kReplacement + kReplacement);
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(valid_utf8("\xF5\x80\x80\x80"), kReplacement + kReplacement + kReplacement + kReplacement);
  EXPECT_TRUE(is_valid_utf8(valid_utf8("\xFF\xFE" + cut + "x")));
}

TEST(Utf8, CutsFallBetweenCodePoints) {
  const std::string text = "ab" + kDing + kDan;  // 2 + 3 + 3 bytes
  EXPECT_EQ(truncate_utf8(text, 8), text);
  EXPECT_EQ(truncate_utf8(text, 7), "ab" + kDing);
  EXPECT_EQ(truncate_utf8(text, 5), "ab" + kDing);
  EXPECT_EQ(truncate_utf8(text, 4), "ab");
  EXPECT_EQ(truncate_utf8(text, 0), "");
  for (std::size_t n = 0; n <= text.size(); ++n) EXPECT_TRUE(is_valid_utf8(truncate_utf8(text, n))) << n;
}

TEST(Utf8, AbbreviationMarksTheCutAndStaysWithinTheLimit) {
  const std::string marker = "\xE2\x80\xA6";
  std::string text = "x";
  for (int i = 0; i < 200; ++i) text += kDing;  // 601 bytes: byte 300 is inside a character
  const std::string out = abbreviate_utf8(text, 300);
  EXPECT_LE(out.size(), 300u);
  EXPECT_TRUE(out.ends_with(marker));
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_EQ(abbreviate_utf8("short", 300), "short");
}

TEST(JsonText, InvalidUtf8IsReplacedNotThrown) {
  const nlohmann::json j = {{"message", "statement: SELECT '" + kDing.substr(0, 1) + "'"}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error);  // what every dump() of server text did
  std::string text;
  ASSERT_NO_THROW(text = json_text(j, 2));
  EXPECT_TRUE(is_valid_utf8(text));
  EXPECT_NE(text.find(kReplacement), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text).at("message").get<std::string>(), "statement: SELECT '" + kReplacement + "'");
}

}  // namespace
}  // namespace sk
