#include "emulator/engine/cluster_views.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

namespace sk::emu {

namespace {

ResultSet with_columns(std::initializer_list<const char*> names) {
  ResultSet rs;
  for (const char* n : names) rs.columns.push_back(Column{n, ColumnType::kVarString});
  return rs;
}

void add_columns(ResultSet& rs, std::initializer_list<const char*> names) {
  for (const char* n : names) rs.columns.push_back(Column{n, ColumnType::kVarString});
}

ErrorResult error(const EmulatorConfig& c, std::string message) {
  return ErrorResult{c.error_code, c.error_sql_state, std::move(message)};
}

int64_t disk_other_used(const DiskState& d) {
  return std::max<int64_t>(0, d.total_bytes - d.avail_bytes - d.data_used_bytes);
}

double pct(int64_t part, int64_t whole) { return whole <= 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole); }

}  // namespace

void init_cluster(ClusterState& state, const ClusterShape& shape) {
  std::vector<FrontendState> fes;
  for (int i = 0; i < shape.frontends; ++i) {
    FrontendState f;
    f.ip = fmt::format("127.0.0.{}", i + 1);
    f.name = fmt::format("{}_9010_{}", f.ip, 1700000000000LL + i);
    f.role = i == 0 ? "LEADER" : "FOLLOWER";
    fes.push_back(f);
  }
  std::vector<BackendState> bes;
  for (int i = 0; i < shape.backends; ++i) {
    BackendState b;
    b.id = 10001 + i;
    b.ip = fmt::format("127.0.1.{}", i + 1);
    DiskState d;
    d.root_path = "/data1/starrocks/storage";
    d.total_bytes = shape.disk_total_bytes;
    d.avail_bytes = std::min(shape.disk_avail_bytes, shape.disk_total_bytes);
    d.data_used_bytes = (d.total_bytes - d.avail_bytes) / 2;
    b.disks.push_back(d);
    bes.push_back(b);
  }
  state.set_frontends(std::move(fes));
  state.set_backends(std::move(bes));
}

bool version_at_least(std::string_view version, int major, int minor) {
  int ma = 0, mi = 0;
  auto dot = version.find('.');
  std::from_chars(version.data(), version.data() + (dot == std::string_view::npos ? version.size() : dot), ma);
  if (dot != std::string_view::npos) {
    auto rest = version.substr(dot + 1);
    std::from_chars(rest.data(), rest.data() + rest.size(), mi);
  }
  return ma > major || (ma == major && mi >= minor);
}

std::string format_capacity(int64_t bytes) {
  if (bytes == 0) return "0.000 ";
  constexpr double kKB = 1024.0, kMB = kKB * 1024, kGB = kMB * 1024, kTB = kGB * 1024;
  double b = static_cast<double>(bytes);
  if (b >= kTB) return fmt::format("{:.3f} TB", b / kTB);
  if (b >= kGB) return fmt::format("{:.3f} GB", b / kGB);
  if (b >= kMB) return fmt::format("{:.3f} MB", b / kMB);
  if (b >= kKB) return fmt::format("{:.3f} KB", b / kKB);
  return fmt::format("{:.3f} B", b);
}

std::string format_percent(double p) { return fmt::format("{:.2f} %", p); }

namespace {

std::string sql_text(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string system_table_select(const ClusterState& state, std::string_view name) {
  std::vector<std::string> rows;
  if (name == "be_configs") {
    for (const auto& b : state.backends()) {
      std::string roots;
      for (const auto& d : b.disks) roots += (roots.empty() ? "" : ";") + d.root_path;
      const std::vector<std::array<std::string, 4>> configs = {
          {"storage_root_path", roots, "string", "${STARROCKS_HOME}/storage"},
          {"snapshot_expire_time_sec", "172800", "int32", "172800"},
          {"trash_file_expire_time_sec", "86400", "int32", "86400"},
          {"storage_flood_stage_usage_percent", "95", "int32", "95"},
          {"storage_flood_stage_left_capacity_bytes", "107374182400", "int64", "107374182400"},
          {"be_port", "9060", "int32", "9060"},
          {"be_http_port", "8040", "int32", "8040"},
          {"heartbeat_service_port", "9050", "int32", "9050"},
          {"brpc_port", "8060", "int32", "8060"},
      };
      for (const auto& c : configs) {
        bool mutable_config = c[0].find("port") == std::string::npos && c[0] != "storage_root_path";
        rows.push_back(fmt::format("SELECT CAST({} AS SIGNED) AS BE_ID, {} AS NAME, {} AS VALUE, {} AS TYPE, {} AS "
                                   "`DEFAULT`, {} AS MUTABLE",
                                   b.id, sql_text(c[0]), sql_text(c[1]), sql_text(c[2]), sql_text(c[3]),
                                   mutable_config ? "TRUE" : "FALSE"));
      }
    }
    if (rows.empty()) {
      return "SELECT CAST(NULL AS SIGNED) AS BE_ID, CAST(NULL AS CHAR) AS NAME, CAST(NULL AS CHAR) AS VALUE, "
             "CAST(NULL AS CHAR) AS TYPE, CAST(NULL AS CHAR) AS `DEFAULT`, FALSE AS MUTABLE FROM DUAL WHERE FALSE";
    }
  } else if (name == "be_metrics") {
    for (const auto& b : state.backends()) {
      for (const auto& d : b.disks) {
        std::string labels = fmt::format("{{\"path\":\"{}\"}}", d.root_path);
        for (const auto& [metric, value] : std::vector<std::pair<std::string, int64_t>>{
                 {"disks_avail_capacity", d.avail_bytes},
                 {"disks_total_capacity", d.total_bytes},
                 {"disks_data_used_capacity", d.data_used_bytes},
                 {"disks_state", b.alive ? 1 : 0}}) {
          rows.push_back(fmt::format("SELECT CAST({} AS SIGNED) AS BE_ID, {} AS NAME, {} AS LABELS, CAST({} AS SIGNED) "
                                     "AS VALUE",
                                     b.id, sql_text(metric), sql_text(labels), value));
        }
      }
    }
    if (rows.empty()) {
      return "SELECT CAST(NULL AS SIGNED) AS BE_ID, CAST(NULL AS CHAR) AS NAME, CAST(NULL AS CHAR) AS LABELS, "
             "CAST(NULL AS SIGNED) AS VALUE FROM DUAL WHERE FALSE";
    }
  } else {
    return "";
  }
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) out += (i ? " UNION ALL " : "") + rows[i];
  return out;
}

std::string build_version(const EmulatorConfig& config) { return config.starrocks_version + "-emulator"; }

ResultSet show_frontends(const ClusterState& state, const std::string& now) {
  const auto& cfg = state.config();
  // The leading Id arrived in 3.5.0 (StarRocks PR #57276, "Support Global ConnectionId"); docs/emulator.md.
  const bool with_id = version_at_least(cfg.starrocks_version, 3, 5);
  ResultSet rs;
  if (with_id) add_columns(rs, {"Id"});
  add_columns(rs, {"Name", "IP", "EditLogPort", "HttpPort", "QueryPort", "RpcPort", "Role", "ClusterId", "Join",
                   "Alive", "ReplayedJournalId", "LastHeartbeat", "IsHelper", "ErrMsg", "StartTime", "Version"});
  int i = 0;
  for (const auto& f : state.frontends()) {
    std::vector<std::optional<std::string>> r;
    if (with_id) r.emplace_back(std::to_string(++i));
    r.emplace_back(f.name);
    r.emplace_back(f.ip);
    r.emplace_back("9010");
    r.emplace_back("8030");
    r.emplace_back("9030");
    r.emplace_back("9020");
    r.emplace_back(f.role);
    r.emplace_back("1180303520");
    r.emplace_back("true");
    r.emplace_back(f.alive ? "true" : "false");
    r.emplace_back(f.alive ? "100234" : "100001");
    r.emplace_back(f.alive ? now : std::string("2024-01-01 00:00:00"));
    r.emplace_back(f.role == "OBSERVER" ? "false" : "true");
    r.emplace_back(f.alive ? "" : "java.net.ConnectException: Connection refused");
    r.emplace_back("2024-01-01 00:00:00");
    r.emplace_back(build_version(cfg));
    rs.rows.push_back(std::move(r));
  }
  return rs;
}

ResultSet show_backends(const ClusterState& state, const std::string& now) {
  const auto& cfg = state.config();
  const std::string& v = cfg.starrocks_version;
  bool v33 = version_at_least(v, 3, 3);
  bool v35 = version_at_least(v, 3, 5);
  ResultSet rs = with_columns({"BackendId", "IP", "HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "LastStartTime",
                               "LastHeartbeat", "Alive", "SystemDecommissioned", "ClusterDecommissioned", "TabletNum",
                               "DataUsedCapacity", "AvailCapacity", "TotalCapacity", "UsedPct", "MaxDiskUsedPct",
                               "ErrMsg", "Version", "Status", "DataTotalCapacity", "DataUsedPct", "CpuCores"});
  if (v35) add_columns(rs, {"MemLimit"});
  if (v33) add_columns(rs, {"NumRunningQueries", "MemUsedPct", "CpuUsedPct", "DataCacheMetrics", "Location"});
  if (v35) add_columns(rs, {"StatusCode"});
  for (const auto& b : state.backends()) {
    int64_t data_used = 0, avail = 0, total = 0;
    double max_used = 0;
    for (const auto& d : b.disks) {
      data_used += d.data_used_bytes;
      avail += d.avail_bytes;
      total += d.total_bytes;
      max_used = std::max(max_used, pct(d.total_bytes - d.avail_bytes, d.total_bytes));
    }
    std::vector<std::optional<std::string>> r;
    r.emplace_back(std::to_string(b.id));
    r.emplace_back(b.ip);
    r.emplace_back("9050");
    r.emplace_back("9060");
    r.emplace_back("8040");
    r.emplace_back("8060");
    r.emplace_back("2024-01-01 00:00:00");
    r.emplace_back(b.alive ? now : std::string("2024-01-01 00:00:00"));
    r.emplace_back(b.alive ? "true" : "false");
    r.emplace_back("false");
    r.emplace_back("false");
    r.emplace_back("0");
    r.emplace_back(format_capacity(data_used));
    r.emplace_back(format_capacity(avail));
    r.emplace_back(format_capacity(total));
    r.emplace_back(format_percent(pct(total - avail, total)));
    r.emplace_back(format_percent(max_used));
    r.emplace_back(b.alive ? "" : "java.net.ConnectException: Connection refused");
    r.emplace_back(build_version(cfg));
    r.emplace_back(fmt::format(
        "{{\"lastSuccessReportTabletsTime\":\"{}\",\"lastStreamLoadTime\":-1,\"isQueryDisabled\":false,"
        "\"isLoadDisabled\":false}}",
        b.alive ? now : std::string("2024-01-01 00:00:00")));
    r.emplace_back(format_capacity(data_used + avail));
    r.emplace_back(format_percent(pct(data_used, data_used + avail)));
    r.emplace_back("8");
    if (v35) r.emplace_back("25.000 GB");
    if (v33) {
      r.emplace_back("0");
      r.emplace_back("1.00 %");
      r.emplace_back("0.0 %");
      r.emplace_back("N/A");
      r.emplace_back("");
    }
    if (v35) r.emplace_back(b.alive ? "OK" : "DISCONNECTED");
    rs.rows.push_back(std::move(r));
  }
  return rs;
}

QueryResult show_proc(const ClusterState& state, std::string_view path, const std::string& now) {
  std::string p(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p == "/frontends") return show_frontends(state, now);
  if (p == "/backends") return show_backends(state, now);
  if (p == "/") {
    ResultSet rs = with_columns({"name"});
    for (const char* n : {"auth", "backends", "catalog", "cluster_balance", "cluster_load_stat", "colocation_group",
                          "compactions", "current_backend_instances", "current_queries", "dbs", "frontends",
                          "global_current_queries", "historical_nodes", "jobs", "load_error_hub", "meta_recovery",
                          "replications", "resources", "routine_loads", "statistic", "stream_loads", "tasks",
                          "transactions", "warehouses"}) {
      rs.rows.push_back({std::string(n)});
    }
    return rs;
  }
  const std::string prefix = "/backends/";
  if (p.rfind(prefix, 0) == 0) {
    std::string id_text = p.substr(prefix.size());
    int64_t id = 0;
    auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || ptr != id_text.data() + id_text.size() || id_text.empty()) {
      return error(state.config(), fmt::format("Invalid backend id format: {}", id_text));
    }
    for (const auto& b : state.backends()) {
      if (b.id != id) continue;
      ResultSet rs = with_columns({"RootPath", "DataUsedCapacity", "OtherUsedCapacity", "AvailCapacity",
                                   "TotalCapacity", "TotalUsedPct", "State", "PathHash", "StorageMedium", "TabletNum",
                                   "DataTotalCapacity", "DataUsedPct"});
      int n = 0;
      for (const auto& d : b.disks) {
        std::vector<std::optional<std::string>> r;
        r.emplace_back(d.root_path);
        r.emplace_back(format_capacity(d.data_used_bytes));
        r.emplace_back(format_capacity(disk_other_used(d)));
        r.emplace_back(format_capacity(d.avail_bytes));
        r.emplace_back(format_capacity(d.total_bytes));
        r.emplace_back(format_percent(pct(d.total_bytes - d.avail_bytes, d.total_bytes)));
        r.emplace_back(b.alive ? "ONLINE" : "OFFLINE");
        r.emplace_back(std::to_string(static_cast<int64_t>(std::hash<std::string>{}(d.root_path) % 1000000007) *
                                          1000 + b.id + n++));
        r.emplace_back("HDD");
        r.emplace_back("0");
        r.emplace_back(format_capacity(d.data_used_bytes + d.avail_bytes));
        r.emplace_back(format_percent(pct(d.data_used_bytes, d.data_used_bytes + d.avail_bytes)));
        rs.rows.push_back(std::move(r));
      }
      return rs;
    }
    return error(state.config(), fmt::format("Backend[{}] does not exist.", id));
  }
  (void)now;
  return error(state.config(), fmt::format("Getting analyzing error. Detail message: Proc path '{}' doesn't exist.", p));
}

}  // namespace sk::emu
