// Sections of the HTML report (html_report.cpp assembles them): the restore-point timeline, drills, repository
// findings and coverage. Internal to sk_report. Pure.
#pragma once

#include <string>

#include "runtime/report/report_model.h"

namespace sk::report::html {

[[nodiscard]] std::string restore_section(const Report& r);
[[nodiscard]] std::string drills_section(const Report& r);
[[nodiscard]] std::string repository_section(const Report& r);
[[nodiscard]] std::string coverage_section(const Report& r);
[[nodiscard]] std::string local_text(Instant t, const TimeZone& zone);  // "2026-11-02 01:00" in `zone`

}  // namespace sk::report::html
