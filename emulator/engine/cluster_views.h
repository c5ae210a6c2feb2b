// SHOW FRONTENDS / SHOW BACKENDS / SHOW PROC '/frontends' | '/backends' | '/backends/<id>' rendered from the
// shared ClusterState, with StarRocks' column lists per version and its value formats (capacities "%.3f TB",
// percentages "%.2f %"), plus the start-up construction of that state from the emulator's flags.
// Pure functions of the state passed in; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "emulator/engine/cluster_state.h"
#include "emulator/protocol/handler.h"

namespace sk::emu {

struct ClusterShape {
  int frontends = 1;
  int backends = 3;
  int64_t disk_total_bytes = 1LL << 40;       // 1 TB per BE disk
  int64_t disk_avail_bytes = (1LL << 40) * 8 / 10;
  std::string start_time;                     // "yyyy-MM-dd HH:mm:ss"
};

// Fills `state` with N frontends (the first is the LEADER) and N backends (ids 10001.., one disk each).
void init_cluster(ClusterState& state, const ClusterShape& shape);

// "3.3.0" → {3, 3}; true when `version` >= major.minor.
bool version_at_least(std::string_view version, int major, int minor);

// StarRocks' capacity text: "1.234 TB", "0.000 ".
std::string format_capacity(int64_t bytes);
// "37.52 %"
std::string format_percent(double pct);

// `now` is "yyyy-MM-dd HH:mm:ss" in the cluster's time zone (LastHeartbeat of live nodes).
ResultSet show_frontends(const ClusterState& state, const std::string& now);
ResultSet show_backends(const ClusterState& state, const std::string& now);
// SHOW PROC '<path>'; errors as StarRocks reports them.
QueryResult show_proc(const ClusterState& state, std::string_view path, const std::string& now);

// A MariaDB SELECT (no trailing semicolon) yielding information_schema.be_configs (BE_ID, NAME, VALUE, TYPE,
// DEFAULT, MUTABLE) or be_metrics (BE_ID, NAME, LABELS, VALUE) for the current state; empty for other names.
std::string system_table_select(const ClusterState& state, std::string_view name);

// The "-emulator" build string current_version() returns, e.g. "3.3.0-emulator".
std::string build_version(const EmulatorConfig& config);

}  // namespace sk::emu
