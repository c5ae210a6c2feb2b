// Samples of the metric families (metric_table.h) and their rendering in the Prometheus text exposition format
// 0.0.4 (what node_exporter's textfile collector reads): per family with samples, `# HELP` and `# TYPE` from the
// table, then one line per sample, samples ordered by label values; label values escaped (backslash, double quote,
// line feed), so hostile database names (quotes, backticks, CJK, newlines) stay inside their label. Also a JSON
// rendering for `--format json`. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "runtime/metrics/metric_table.h"

namespace sk::metrics {

struct Sample {
  MetricId family;
  std::vector<std::string> label_values;  // one per label of the family, in the family's order
  double value = 0;
};

// A label value or HELP text escaped for the exposition format (\\, \" and \n; HELP leaves quotes alone).
[[nodiscard]] std::string escape_label_value(std::string_view value);
[[nodiscard]] std::string escape_help(std::string_view help);
// A sample value: integers without a decimal point, other numbers in the shortest form that reads back exactly.
[[nodiscard]] std::string format_value(double value);

// The exposition text: families in table order, each once; samples sorted by label values. A sample whose
// label count differs from its family's is a programming error (asserted).
[[nodiscard]] std::string render_text(std::vector<Sample> samples);
// {"metrics_version": 1, "metrics": [{"name", "type", "labels": {..}, "value"}, ...]} in the same order.
[[nodiscard]] std::string render_json(std::vector<Sample> samples);

inline constexpr int kMetricsJsonVersion = 1;

}  // namespace sk::metrics
