#include "runtime/report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "runtime/report/html_sections.h"
#include "runtime/report/svg_chart.h"

namespace sk::report {
namespace {

using html::local_text;

constexpr std::array<const char*, 6> kPalette{"#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#475569"};

const char* color_of(std::size_t i) { return kPalette[i % kPalette.size()]; }

// Inline CSS: readable on a phone (no fixed widths; wide tables scroll inside their own box, long names wrap).
constexpr const char* kStyle = R"(
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f8fafc}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .5em;border-bottom:1px solid #cbd5e1}
p,li,td,th,dd{overflow-wrap:anywhere}
.muted{color:#475569}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{flex:1 1 220px;min-width:0;background:#fff;border:1px solid #cbd5e1;border-radius:8px;padding:10px 12px}
.card h3{margin:0 0 .3em;font-size:1.05em}
.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0}
.card dt{color:#475569}.card dd{margin:0;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:12px}
svg.chart{width:100%;height:auto;background:#fff;border:1px solid #cbd5e1;border-radius:8px}
svg .grid{stroke:#e2e8f0}svg .axis{stroke:#334155}svg text{font-size:11px;fill:#334155}
svg .chart-title{font-size:13px;font-weight:600}svg .axis-title{font-size:12px;font-weight:600}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;background:#fff;min-width:100%}
th,td{border:1px solid #e2e8f0;padding:3px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.heat th,.heat td{white-space:nowrap;overflow-wrap:normal}
.heat td.w{text-align:center;font-size:11px;min-width:2.6em}
.heat th:first-child,.heat td:first-child{position:sticky;left:0;background:#fff}
.r0{background:#fecaca}.r1{background:#fed7aa}.r2{background:#fef08a}.r3{background:#d9f99d}.r4{background:#bbf7d0}
.ok{color:#166534;font-weight:600}.bad{color:#b91c1c;font-weight:600}.warn{color:#a16207;font-weight:600}
)";

// "45 s" under two minutes, else "12.5 min".
std::string minutes_text(const std::optional<Duration>& d) {
  if (!d) return "–";
  if (d->seconds() < 120) return fmt::format("{} s", d->seconds());
  return fmt::format("{} min", fixed(static_cast<double>(d->seconds()) / 60.0, 1));
}

// "1.2345 GB/min", or in MB/min when under 0.1 GB/min (small databases would otherwise read 0.0000).
std::string throughput_text(double gb_per_minute) {
  if (gb_per_minute >= 0.1) return fixed(gb_per_minute, 4) + " GB/min";
  return fixed(gb_per_minute * 1000.0, 3) + " MB/min";
}

std::string opt_fixed(const std::optional<double>& v, int decimals) { return v ? fixed(*v, decimals) : ""; }

std::string opt_seconds(const std::optional<Duration>& d) { return d ? std::to_string(d->seconds()) : ""; }

std::vector<std::string> week_labels(const Report& r) {
  std::vector<std::string> out;
  for (CivilDay d : r.weeks) out.push_back(fmt::format("{:02}-{:02}", d.month(), d.day()));
  return out;
}

std::string kpi_card(const TierKpi& k, std::size_t i) {
  const auto rate = k.total.rate_percent();
  const auto gbm = k.transfer.gb_per_minute();
  std::string out = fmt::format(
      R"(<div class="card" id="kpi-{}" data-tier="{}" data-success-rate="{}" data-finished="{}" data-terminal="{}" )"
      R"(data-gb-per-minute="{}" data-p50-seconds="{}" data-p95-seconds="{}" data-window-seconds="{}">)",
      i, escape(k.tier.str()), opt_fixed(rate, 2), k.total.finished, k.total.terminal, opt_fixed(gbm, 4),
      opt_seconds(k.latency.p50), opt_seconds(k.latency.p95), opt_seconds(k.window));
  out += fmt::format("<h3>{}</h3><dl>", escape(k.tier.str()));
  out += fmt::format("<dt>Success rate</dt><dd>{}</dd>",
                     rate ? fmt::format("{} % ({} of {})", fixed(*rate, 2), k.total.finished, k.total.terminal)
                          : std::string("no finished or failed attempt"));
  if (k.total.in_flight > 0) out += fmt::format("<dt>In flight</dt><dd>{}</dd>", k.total.in_flight);
  out += fmt::format("<dt>Throughput</dt><dd>{}</dd>", gbm ? throughput_text(*gbm) : std::string("–"));
  out += fmt::format("<dt>Latency p50</dt><dd>{}</dd><dt>Latency p95</dt><dd>{}</dd>", minutes_text(k.latency.p50),
                     minutes_text(k.latency.p95));
  out += fmt::format("<dt>Window</dt><dd>{}</dd>", minutes_text(k.window));
  if (k.latency.over_window > 0) {
    out += fmt::format(R"(<dt>Over window</dt><dd class="bad">{} job(s)</dd>)", k.latency.over_window);
  }
  return out + "</dl></div>";
}

std::string summary_section(const Report& r) {
  std::string out = R"(<section id="summary"><h2>Key figures per tier</h2><div class="cards">)";
  for (std::size_t i = 0; i < r.tiers.size(); ++i) out += kpi_card(r.tiers[i], i);
  if (r.tiers.empty()) out += "<p>The policy has no tier.</p>";
  return out + "</div></section>";
}

std::string rate_class(const Tally& t) {
  const auto rate = t.rate_percent();
  if (!rate) return "";
  if (*rate >= 99.995) return "r4";
  if (*rate >= 90) return "r3";
  if (*rate >= 75) return "r2";
  if (*rate >= 50) return "r1";
  return "r0";
}

std::string heat_table(const Report& r) {
  std::string out = R"(<div class="scroll"><table class="heat" id="success-table"><thead><tr><th>Database</th>)"
                    R"(<th>Tier</th><th>Rate</th>)";
  for (CivilDay d : r.weeks) out += fmt::format("<th>{}</th>", iso_date(d).substr(5));
  out += "</tr></thead><tbody>";
  for (const SuccessRow& row : r.success) {
    const auto rate = row.total.rate_percent();
    out += fmt::format(R"(<tr><td>{}</td><td>{}</td><td class="n">{}</td>)", escape(row.database.str()),
                       escape(row.tier.str()), rate ? fixed(*rate, 1) + " %" : std::string("–"));
    for (const Tally& w : row.weeks) {
      const auto wr = w.rate_percent();
      if (!wr) {
        out += "<td></td>";
        continue;
      }
      out += fmt::format(R"(<td class="w {}">{}</td>)", rate_class(w), fixed(*wr, 0));
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string success_section(const Report& r) {
  ChartSpec chart{"chart-success", "Backup success rate per week", "Week starting (" + r.zone.name() + ")",
                  "Success rate (%)", ChartSpec::Kind::kLines, week_labels(r), {}, 100.0, " %"};
  for (std::size_t i = 0; i < r.tiers.size(); ++i) {
    Series s{r.tiers[i].tier.str(), color_of(i), {}};
    for (const Tally& w : r.tiers[i].weeks) s.values.push_back(w.rate_percent());
    chart.series.push_back(std::move(s));
  }
  std::string out = R"(<section id="success"><h2>Backup success rate</h2>)";
  out += R"(<p class="muted">FINISHED attempts among finished, cancelled, rejected and lost ones, per week.</p>)";
  out += R"(<div class="charts">)" + render_chart(chart) + "</div>";
  out += "<h3>Per database and tier (weekly %)</h3>";
  return out + (r.success.empty() ? "<p>No backup attempt in the period.</p>" : heat_table(r)) + "</section>";
}

std::string performance_section(const Report& r) {
  ChartSpec tp{"chart-throughput", "Throughput per week", "Week starting (" + r.zone.name() + ")",
               "GB per minute", ChartSpec::Kind::kBars, week_labels(r), {}, std::nullopt, " GB/min"};
  ChartSpec lat{"chart-latency", "Completion latency against the window", "Tier", "Minutes",
                ChartSpec::Kind::kBars, {}, {}, std::nullopt, " min"};
  Series p50{"p50", color_of(0), {}}, p95{"p95", color_of(1), {}}, window{"window", color_of(5), {}};
  const auto mins = [](const std::optional<Duration>& d) -> std::optional<double> {
    if (!d) return std::nullopt;
    return static_cast<double>(d->seconds()) / 60.0;
  };
  for (std::size_t i = 0; i < r.tiers.size(); ++i) {
    const TierKpi& k = r.tiers[i];
    Series s{k.tier.str(), color_of(i), {}};
    for (const Transfer& t : k.weekly_transfer) s.values.push_back(t.gb_per_minute());
    tp.series.push_back(std::move(s));
    lat.categories.push_back(k.tier.str());
    p50.values.push_back(mins(k.latency.p50));
    p95.values.push_back(mins(k.latency.p95));
    window.values.push_back(mins(k.window));
  }
  lat.series = {p50, p95, window};
  std::string out = R"(<section id="performance"><h2>Throughput and completion latency</h2>)";
  out += R"(<p class="muted">Throughput: bytes of finished jobs / their running time, in GB (10<sup>9</sup> bytes))"
         R"( per minute. Latency: submission to completion of finished jobs, p50 and p95 (nearest rank).</p>)";
  return out + R"(<div class="charts">)" + render_chart(tp) + render_chart(lat) + "</div></section>";
}

}  // namespace

std::string render_html(const Report& r) {
  std::string out = R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">)"
                    R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  out += fmt::format("<title>starkeep report: {}</title><style>{}</style></head><body><main>", escape(r.policy),
                     kStyle);
  out += fmt::format(R"(<header><h1>Backup report: policy {}</h1><p class="muted" id="period" data-from="{}" )"
                     R"(data-to="{}">From {} to {} ({}); {} backup attempt(s) in the period.</p></header>)",
                     escape(r.policy), r.from.to_iso8601_utc(), r.to.to_iso8601_utc(), local_text(r.from, r.zone),
                     local_text(r.to, r.zone), escape(r.zone.name()), r.attempts_in_period);
  out += summary_section(r);
  out += success_section(r);
  out += performance_section(r);
  out += html::restore_section(r);
  out += html::drills_section(r);
  out += html::repository_section(r);
  out += html::coverage_section(r);
  out += R"(<footer><p class="muted">Written by starkeep report. How each figure is computed: docs/report.md.</p>)"
         "</footer></main></body></html>\n";
  return out;
}

}  // namespace sk::report
