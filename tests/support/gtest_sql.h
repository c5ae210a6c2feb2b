// For gtest fixtures over ClusterSql (cluster_sql.h): a statement that fails is a test failure naming it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/support/cluster_sql.h"

namespace sk::test {

// Runs `sql`; a failure fails the test (fatally for the calling helper only, as ASSERT does).
inline void exec_ok(ClusterSql& session, const std::string& sql, const std::string& context = "") {
  auto s = session.exec(sql);
  ASSERT_TRUE(s) << context << (context.empty() ? "" : ": ") << sql << ": " << s.error().describe();
}

// The rows of `sql`; a failure fails the test and reads as no rows.
inline ports::Rows query_ok(ClusterSql& session, const std::string& sql, const std::string& context = "") {
  auto r = session.query(sql);
  EXPECT_TRUE(r) << context << (context.empty() ? "" : ": ") << sql << ": "
                 << (r ? "" : r.error().describe());
  return r ? std::move(*r) : ports::Rows{};
}

}  // namespace sk::test
