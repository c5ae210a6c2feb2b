// Inline SVG charts for the KPI report (html_report.h): grouped bars or lines over categories, with a title, titled
// axes, ticks and a legend, scaled by a viewBox so that they shrink to a phone's width. Every text is escaped.
// No script, no external resource. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sk::report {

// Text for HTML or SVG content and attribute values: & < > " ' ` escaped; other characters (CJK included, UTF-8)
// unchanged.
[[nodiscard]] std::string escape(std::string_view text);

struct Series {
  std::string name;
  std::string color;                       // a CSS colour, written by us (never user text)
  std::vector<std::optional<double>> values;  // one per category; nullopt: no data (gap)
};

struct ChartSpec {
  enum class Kind { kBars, kLines };
  std::string id;       // the svg element's id (ASCII, written by us)
  std::string title;
  std::string x_title;
  std::string y_title;
  Kind kind = Kind::kBars;
  std::vector<std::string> categories;  // x labels
  std::vector<Series> series;
  std::optional<double> y_max{};        // fixed top of the y axis (e.g. 100 for percentages); else from the data
  std::string value_suffix{};           // appended to values in tooltips ("%", " GB/min")
};

[[nodiscard]] std::string render_chart(const ChartSpec& spec);

// A number with `decimals` decimals ("97.50"); the form the report's data-* attributes use.
[[nodiscard]] std::string fixed(double value, int decimals);

}  // namespace sk::report
