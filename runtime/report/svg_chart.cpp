#include "runtime/report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace sk::report {
namespace {

constexpr double kWidth = 640, kHeight = 300;
constexpr double kLeft = 64, kRight = 16, kTop = 34, kBottom = 70;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;

// A "nice" top for the y axis: 1, 2 or 5 × 10^k at or above `v`.
double nice_top(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

std::string tick_text(double v) {
  if (v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:g}", v);
}

double y_of(double v, double top) { return kTop + kPlotH - (v / top) * kPlotH; }

std::string axes(const ChartSpec& spec, double top) {
  std::string out;
  for (int i = 0; i <= 4; ++i) {
    const double v = top * i / 4, y = y_of(v, top);
    out += fmt::format(R"(<line class="grid" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}"/>)", kLeft, y, kLeft + kPlotW, y);
    out += fmt::format(R"(<text class="tick" x="{}" y="{:.1f}" text-anchor="end">{}</text>)", kLeft - 6, y + 4,
                       tick_text(v));
  }
  out += fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", kLeft, kTop, kTop + kPlotH);
  out += fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{2}" y2="{1}"/>)", kLeft, kTop + kPlotH,
                     kLeft + kPlotW);
  const std::size_t n = spec.categories.size();
  const std::size_t every = std::max<std::size_t>(1, (n + 11) / 12);
  for (std::size_t i = 0; i < n; i += every) {
    const double x = kLeft + kPlotW * (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    out += fmt::format(R"(<text class="tick" x="{:.1f}" y="{}" text-anchor="middle">{}</text>)", x,
                       kTop + kPlotH + 16, escape(spec.categories[i]));
  }
  out += fmt::format(R"(<text class="axis-title" data-axis="x" x="{}" y="{}" text-anchor="middle">{}</text>)",
                     kLeft + kPlotW / 2, kTop + kPlotH + 36, escape(spec.x_title));
  out += fmt::format(
      R"~(<text class="axis-title" data-axis="y" x="14" y="{0}" text-anchor="middle" transform="rotate(-90 14 {0})">{1}</text>)~",
      kTop + kPlotH / 2, escape(spec.y_title));
  return out;
}

std::string point_title(const ChartSpec& spec, const Series& s, std::size_t i, double v) {
  return fmt::format("<title>{} {}: {}{}</title>", escape(s.name), escape(spec.categories[i]), tick_text(std::round(v * 100) / 100),
                     escape(spec.value_suffix));
}

std::string bars(const ChartSpec& spec, double top) {
  std::string out;
  const double n = static_cast<double>(spec.categories.size());
  const double group = kPlotW / n, k = static_cast<double>(spec.series.size());
  const double bar = group * 0.8 / k;
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const Series& s = spec.series[si];
    for (std::size_t i = 0; i < s.values.size() && i < spec.categories.size(); ++i) {
      if (!s.values[i]) continue;
      const double v = std::min(*s.values[i], top), y = y_of(v, top);
      out += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}">{}</rect>)",
                         kLeft + group * static_cast<double>(i) + group * 0.1 + bar * static_cast<double>(si), y,
                         std::max(bar - 1, 0.5), kTop + kPlotH - y, s.color, point_title(spec, s, i, *s.values[i]));
    }
  }
  return out;
}

std::string lines(const ChartSpec& spec, double top) {
  std::string out;
  const double n = static_cast<double>(spec.categories.size());
  for (const Series& s : spec.series) {
    std::string path;
    std::string dots;
    for (std::size_t i = 0; i < s.values.size() && i < spec.categories.size(); ++i) {
      if (!s.values[i]) continue;
      const double x = kLeft + kPlotW * (static_cast<double>(i) + 0.5) / n, y = y_of(std::min(*s.values[i], top), top);
      path += fmt::format("{}{:.1f},{:.1f} ", path.empty() ? "M" : "L", x, y);
      dots += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}">{}</circle>)", x, y, s.color,
                          point_title(spec, s, i, *s.values[i]));
    }
    if (!path.empty()) out += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.5"/>)", path, s.color);
    out += dots;
  }
  return out;
}

std::string legend(const ChartSpec& spec) {
  std::string out;
  double x = kLeft;
  for (const Series& s : spec.series) {
    out += fmt::format(R"(<rect x="{:.1f}" y="{}" width="10" height="10" fill="{}"/>)", x, kHeight - 14, s.color);
    out += fmt::format(R"(<text class="legend" x="{:.1f}" y="{}">{}</text>)", x + 14, kHeight - 5, escape(s.name));
    x += 24 + 7 * static_cast<double>(std::min<std::size_t>(s.name.size(), 24));
  }
  return out;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '`': out += "&#96;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fixed(double value, int decimals) { return fmt::format("{:.{}f}", value, decimals); }

std::string render_chart(const ChartSpec& spec) {
  double max = 0;
  for (const Series& s : spec.series) {
    for (const auto& v : s.values) {
      if (v) max = std::max(max, *v);
    }
  }
  const double top = spec.y_max ? *spec.y_max : nice_top(max);
  std::string out = fmt::format(
      R"(<svg class="chart" id="{0}" viewBox="0 0 {1} {2}" role="img" aria-labelledby="{0}-title" )"
      R"(><title id="{0}-title">{3}</title>)",
      spec.id, kWidth, kHeight, escape(spec.title));
  out += fmt::format(R"(<text class="chart-title" x="{}" y="18" text-anchor="middle">{}</text>)", kWidth / 2,
                     escape(spec.title));
  out += axes(spec, top);
  if (!spec.categories.empty()) out += spec.kind == ChartSpec::Kind::kBars ? bars(spec, top) : lines(spec, top);
  out += legend(spec);
  out += "</svg>";
  return out;
}

}  // namespace sk::report
