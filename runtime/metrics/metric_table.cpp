#include "runtime/metrics/metric_table.h"

namespace sk::metrics {

static_assert([] {
  std::size_t i = 0;
  for (const auto& f : kMetricFamilies) {
    if (static_cast<std::size_t>(f.id) != i++) return false;
  }
  return true;
}(), "metric_families.def: the table is indexed by MetricId");

std::string_view to_string(MetricType type) { return type == MetricType::kCounter ? "counter" : "gauge"; }

std::string_view to_string(MetricSource source) {
  switch (source) {
    case MetricSource::kOps:
      return "ops";
    case MetricSource::kRepositoryCheck:
      return "repository check";
    case MetricSource::kRunPrecheck:
      return "run pre-check";
  }
  return "?";
}

std::vector<std::string_view> label_names(const MetricFamily& family) {
  std::vector<std::string_view> out;
  std::string_view rest = family.labels;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    out.push_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace sk::metrics
