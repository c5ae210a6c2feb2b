// The KPI report's figures for machines (`starkeep report --format json`, docs/report.md): the model as JSON,
// versioned by `report_version` (raised on any incompatible change). Rates in percent, throughput in GB (10^9
// bytes) per minute, durations in seconds, instants as ISO-8601 UTC; null where a figure has no data. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/report/report_model.h"

namespace sk::report {

inline constexpr int kReportJsonVersion = 1;

[[nodiscard]] nlohmann::json to_json(const Report& report);

}  // namespace sk::report
