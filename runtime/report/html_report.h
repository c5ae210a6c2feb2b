// The KPI report as one self-contained HTML file (docs/report.md): inline CSS and inline SVG charts, no script, no
// external resource (no CDN, no web font, no image URL), so it opens from a mail attachment. Every name (database,
// tier, label, drill, finding) is escaped. The figures are the model's (report_model.h); the key ones are also in
// data-* attributes so that machines and the browser test read them from the DOM:
//   #kpi-<i>  data-tier, data-success-rate ("97.50", "" without data), data-finished, data-terminal,
//             data-gb-per-minute ("0.1234"), data-p50-seconds, data-p95-seconds, data-window-seconds
//   #restore-<i> data-database, data-restore-points, data-horizon, data-latest (ISO-8601 UTC)
//   #drill-<i>   data-drill, data-verdict
// Pure.
#pragma once

#include <string>

#include "runtime/report/report_model.h"

namespace sk::report {

[[nodiscard]] std::string render_html(const Report& report);

}  // namespace sk::report
