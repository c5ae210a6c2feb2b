// The metric families starkeep exports (metric_families.def), as a constexpr table the renderer, the alert rules
// and the docs test read. Pure, immutable; thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace sk::metrics {

enum class MetricType { kGauge, kCounter };
enum class MetricSource { kOps, kRepositoryCheck, kRunPrecheck };

[[nodiscard]] std::string_view to_string(MetricType type);      // "gauge", "counter"
[[nodiscard]] std::string_view to_string(MetricSource source);  // "ops", "repository check", "run pre-check"

enum class MetricId {
#define SK_METRIC(id, name, type, labels, unit, source, help) id,
#include "runtime/metrics/metric_families.def"
};

struct MetricFamily {
  MetricId id;
  std::string_view name;
  MetricType type;
  std::string_view labels;  // comma-separated, in output order
  std::string_view unit;
  MetricSource source;
  std::string_view help;
};

inline constexpr MetricFamily kMetricFamilies[] = {
#define SK_METRIC(id, name, type, labels, unit, source, help) \
  {MetricId::id, name, MetricType::type, labels, unit, MetricSource::source, help},
#include "runtime/metrics/metric_families.def"
};

[[nodiscard]] constexpr std::span<const MetricFamily> metric_families() { return kMetricFamilies; }
[[nodiscard]] constexpr const MetricFamily& family(MetricId id) { return kMetricFamilies[static_cast<std::size_t>(id)]; }
// The family's label names, split at commas (empty for a family without labels).
[[nodiscard]] std::vector<std::string_view> label_names(const MetricFamily& family);

}  // namespace sk::metrics
