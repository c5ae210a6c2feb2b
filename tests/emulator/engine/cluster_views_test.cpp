// Unit tests of the cluster views: column lists per version, value formats, SHOW PROC errors.
#include "emulator/engine/cluster_views.h"

#include <memory>

#include <gtest/gtest.h>

namespace sk::emu {
namespace {

std::vector<std::string> names(const ResultSet& rs) {
  std::vector<std::string> out;
  for (const auto& c : rs.columns) out.push_back(c.name);
  return out;
}

std::unique_ptr<ClusterState> make_state(std::string version, int fes = 2, int bes = 2) {
  EmulatorConfig c;
  c.starrocks_version = std::move(version);
  auto s = std::make_unique<ClusterState>(c);
  ClusterShape shape;
  shape.frontends = fes;
  shape.backends = bes;
  shape.disk_total_bytes = 2LL << 40;
  shape.disk_avail_bytes = 1LL << 40;
  init_cluster(*s, shape);
  return s;
}

TEST(ClusterViews, Formats) {
  EXPECT_EQ(format_capacity(0), "0.000 ");
  EXPECT_EQ(format_capacity(1LL << 40), "1.000 TB");
  EXPECT_EQ(format_capacity(1536LL << 20), "1.500 GB");
  EXPECT_EQ(format_capacity(512), "512.000 B");
  EXPECT_EQ(format_percent(37.5234), "37.52 %");
  EXPECT_TRUE(version_at_least("3.3.0", 3, 3));
  EXPECT_FALSE(version_at_least("3.2.9", 3, 3));
  EXPECT_TRUE(version_at_least("4.1", 3, 5));
}

// StarRocks added the leading Id (the frontend's global connection-id prefix) in 3.5.0 (PR #57276, backported to
// branch-3.5 as #57372); 3.4 and earlier have the 16 columns (docs/emulator.md, "SHOW FRONTENDS").
TEST(ClusterViews, FrontendColumnsAndLeadingIdFrom35) {
  const std::vector<std::string> columns = {"Name", "IP", "EditLogPort", "HttpPort", "QueryPort", "RpcPort",
                                            "Role", "ClusterId", "Join", "Alive", "ReplayedJournalId",
                                            "LastHeartbeat", "IsHelper", "ErrMsg", "StartTime", "Version"};
  for (const char* version : {"3.3.0", "3.4.9"}) {
    auto s_ptr = make_state(version);
    ResultSet fe = show_frontends(*s_ptr, "2024-01-01 00:00:00");
    EXPECT_EQ(names(fe), columns) << version;
    ASSERT_EQ(fe.rows.size(), 2u);
    EXPECT_EQ(fe.rows[0][6], "LEADER");
    EXPECT_EQ(fe.rows[1][6], "FOLLOWER");
  }
  std::vector<std::string> with_id = columns;
  with_id.insert(with_id.begin(), "Id");
  for (const char* version : {"3.5.0", "4.0.1", "4.1.0"}) {
    auto s_ptr = make_state(version);
    ResultSet fe = show_frontends(*s_ptr, "x");
    EXPECT_EQ(names(fe), with_id) << version;
    ASSERT_EQ(fe.rows.size(), 2u);
    EXPECT_EQ(fe.rows[0][7], "LEADER") << version;
  }
}

TEST(ClusterViews, BackendColumnsPerVersion) {
  std::vector<std::string> base = {"BackendId", "IP", "HeartbeatPort", "BePort", "HttpPort", "BrpcPort",
                                   "LastStartTime", "LastHeartbeat", "Alive", "SystemDecommissioned",
                                   "ClusterDecommissioned", "TabletNum", "DataUsedCapacity", "AvailCapacity",
                                   "TotalCapacity", "UsedPct", "MaxDiskUsedPct", "ErrMsg", "Version", "Status",
                                   "DataTotalCapacity", "DataUsedPct", "CpuCores"};
  auto s32_ptr = make_state("3.2.0");
  const ClusterState& s32 = *s32_ptr;
  EXPECT_EQ(names(show_backends(s32, "x")), base);
  auto s33_ptr = make_state("3.3.0");
  const ClusterState& s33 = *s33_ptr;
  std::vector<std::string> v33 = base;
  for (const char* n : {"NumRunningQueries", "MemUsedPct", "CpuUsedPct", "DataCacheMetrics", "Location"}) {
    v33.push_back(n);
  }
  ResultSet be = show_backends(s33, "x");
  EXPECT_EQ(names(be), v33);
  ASSERT_EQ(be.rows.size(), 2u);
  EXPECT_EQ(be.rows[0][0], "10001");
  EXPECT_EQ(be.rows[0][13], "1.000 TB");  // AvailCapacity
  EXPECT_EQ(be.rows[0][14], "2.000 TB");  // TotalCapacity
  EXPECT_EQ(be.rows[0][15], "50.00 %");   // UsedPct
  auto s35_ptr = make_state("3.5.0");
  const ClusterState& s35 = *s35_ptr;
  auto n35 = names(show_backends(s35, "x"));
  EXPECT_EQ(n35[23], "MemLimit");
  EXPECT_EQ(n35.back(), "StatusCode");
}

TEST(ClusterViews, ProcBackendDisksAndErrors) {
  auto s_ptr = make_state("3.3.0");
  const ClusterState& s = *s_ptr;
  QueryResult r = show_proc(s, "/backends/10002", "x");
  ASSERT_TRUE(std::holds_alternative<ResultSet>(r));
  const auto& rs = std::get<ResultSet>(r);
  EXPECT_EQ(names(rs), (std::vector<std::string>{"RootPath", "DataUsedCapacity", "OtherUsedCapacity",
                                                 "AvailCapacity", "TotalCapacity", "TotalUsedPct", "State",
                                                 "PathHash", "StorageMedium", "TabletNum", "DataTotalCapacity",
                                                 "DataUsedPct"}));
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.rows[0][3], "1.000 TB");
  EXPECT_EQ(rs.rows[0][5], "50.00 %");
  QueryResult bad = show_proc(s, "/backends/x1", "x");
  ASSERT_TRUE(std::holds_alternative<ErrorResult>(bad));
  EXPECT_EQ(std::get<ErrorResult>(bad).message, "Invalid backend id format: x1");
  QueryResult missing = show_proc(s, "/backends/424242", "x");
  ASSERT_TRUE(std::holds_alternative<ErrorResult>(missing));
  EXPECT_EQ(std::get<ErrorResult>(missing).message, "Backend[424242] does not exist.");
  EXPECT_EQ(std::get<ErrorResult>(missing).code, 1064);
  EXPECT_TRUE(std::holds_alternative<ResultSet>(show_proc(s, "/frontends", "x")));
}

}  // namespace
}  // namespace sk::emu
