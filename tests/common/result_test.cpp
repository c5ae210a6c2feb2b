#include "common/result.h"

#include <gtest/gtest.h>

namespace sk {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return fail("value.not_positive", "{} is not positive", v);
  return v;
}

TEST(ResultTest, CarriesValueOrError) {
  EXPECT_EQ(parse_positive(3).value(), 3);
  auto r = parse_positive(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "value.not_positive");
  EXPECT_EQ(r.error().message, "-1 is not positive");
}

TEST(ResultTest, ContextIsAppendedInOrder) {
  Error e = Error{"sql.connect", "refused", {}}.with_context("host 127.0.0.1").with_context("pre-check");
  EXPECT_EQ(e.describe(), "refused (host 127.0.0.1; pre-check)");
}

}  // namespace
}  // namespace sk
