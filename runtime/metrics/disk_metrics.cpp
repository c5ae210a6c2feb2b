#include "runtime/metrics/disk_metrics.h"

#include <algorithm>
#include <string>

#include "runtime/metrics/metric_table.h"

namespace sk::metrics {
namespace {

// The metric name a line of the exposition text is about: "# HELP name …", "# TYPE name …", "name{…} v", "name v".
std::string_view name_of_line(std::string_view line) {
  for (const std::string_view prefix : {"# HELP ", "# TYPE "}) {
    if (line.starts_with(prefix)) {
      line.remove_prefix(prefix.size());
      return line.substr(0, line.find(' '));
    }
  }
  if (line.starts_with('#')) return {};
  return line.substr(0, line.find_first_of("{ "));
}

bool of_source(std::string_view name, MetricSource source) {
  return std::ranges::any_of(metric_families(),
                             [&](const MetricFamily& f) { return f.source == source && f.name == name; });
}

}  // namespace

std::vector<Sample> snapshot_disk_samples(const std::vector<BackendDiskFree>& readings, Instant read_at) {
  std::vector<Sample> out;
  if (readings.empty()) return out;
  double lowest = 1;
  for (const auto& r : readings) {
    out.push_back({MetricId::kSnapshotDiskFree, {std::to_string(r.backend)}, r.free_ratio});
    lowest = std::min(lowest, r.free_ratio);
  }
  out.push_back({MetricId::kSnapshotDiskFreeMin, {}, lowest});
  out.push_back({MetricId::kSnapshotDiskCheck, {}, static_cast<double>(read_at.unix_seconds())});
  return out;
}

std::string lines_of_source(std::string_view existing, MetricSource source) {
  std::string out;
  while (!existing.empty()) {
    const auto end = existing.find('\n');
    const std::string_view line = existing.substr(0, end);
    existing.remove_prefix(end == std::string_view::npos ? existing.size() : end + 1);
    const std::string_view name = name_of_line(line);
    if (!name.empty() && of_source(name, source)) out.append(line).append("\n");
  }
  return out;
}

}  // namespace sk::metrics
