// must(r): the value of a Result the test expects to hold one; a failed expectation (with the error) otherwise.
#pragma once

#include <utility>

#include <gtest/gtest.h>

#include "common/result.h"

namespace sk::test_support {

template <typename T>
T must(Result<T> r) {
  EXPECT_TRUE(r.has_value()) << r.error().describe();
  return std::move(*r);
}

}  // namespace sk::test_support
