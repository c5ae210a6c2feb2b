#include "runtime/report/html_sections.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "runtime/report/svg_chart.h"

namespace sk::report::html {
namespace {

constexpr double kWidth = 640, kLeft = 150, kRight = 16, kTop = 34, kRow = 16, kBottom = 46;

const char* tier_color(std::size_t i) {
  static constexpr const char* kColors[] = {"#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#475569"};
  return kColors[i % 6];
}

std::string date_text(Instant t, const TimeZone& zone) { return local_text(t, zone).substr(0, 10); }

// The name as an SVG label: escaped, cut to 22 characters (whole UTF-8 sequences) with an ellipsis.
std::string short_label(const std::string& name) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if ((c & 0xC0) != 0x80 && ++chars > 22) return escape(out) + "…";
    out += name[i];
  }
  return escape(out);
}

// One row per database: a dot per restore point, colour by its first tier, between the oldest horizon and `to`.
std::string timeline_chart(const Report& r) {
  Instant start = r.to;
  for (const DatabaseTimeline& t : r.timelines) {
    if (auto h = t.horizon()) start = std::min(start, *h);
  }
  if (start >= r.to) start = r.to - Duration::from_days(1);
  std::map<std::string, std::size_t> tier_index;
  for (std::size_t i = 0; i < r.tiers.size(); ++i) tier_index[r.tiers[i].tier.str()] = i;
  const double plot_w = kWidth - kLeft - kRight, span = static_cast<double>((r.to - start).seconds());
  const double height = kTop + kRow * static_cast<double>(std::max<std::size_t>(r.timelines.size(), 1)) + kBottom;
  const double bottom = height - kBottom;
  const auto x_of = [&](Instant t) { return kLeft + plot_w * static_cast<double>((t - start).seconds()) / span; };
  std::string out = fmt::format(
      R"(<svg class="chart" id="chart-restore-points" viewBox="0 0 {} {}" role="img" aria-labelledby="rp-title">)"
      R"(<title id="rp-title">Restore points per database</title>)"
      R"(<text class="chart-title" x="{}" y="18" text-anchor="middle">Restore points per database</text>)",
      kWidth, height, kWidth / 2);
  for (int i = 0; i <= 4; ++i) {
    const Instant t = start + Duration::from_seconds(static_cast<std::int64_t>(span * i / 4));
    const double x = x_of(t);
    out += fmt::format(R"(<line class="grid" x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}"/>)", x, kTop, bottom);
    out += fmt::format(R"(<text class="tick" x="{:.1f}" y="{}" text-anchor="middle">{}</text>)", x, bottom + 14,
                       date_text(t, r.zone));
  }
  out += fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", kLeft, kTop, bottom);
  out += fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{2}" y2="{1}"/>)", kLeft, bottom, kLeft + plot_w);
  out += fmt::format(R"(<text class="axis-title" data-axis="x" x="{}" y="{}" text-anchor="middle">)"
                     R"(Instant a database can be restored to ({})</text>)",
                     kLeft + plot_w / 2, bottom + 34, escape(r.zone.name()));
  out += fmt::format(R"(<text class="axis-title" data-axis="y" x="12" y="{0}" text-anchor="middle" )"
                     R"~(transform="rotate(-90 12 {0})">Database</text>)~",
                     kTop + (bottom - kTop) / 2);
  for (std::size_t row = 0; row < r.timelines.size(); ++row) {
    const DatabaseTimeline& t = r.timelines[row];
    const double y = kTop + kRow * (static_cast<double>(row) + 0.5);
    out += fmt::format(R"(<text class="tick" x="{}" y="{:.1f}" text-anchor="end">{}</text>)", kLeft - 6, y + 4,
                       short_label(t.database.str()));
    if (auto h = t.horizon()) {
      out += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#94a3b8"/>)", x_of(*h), y,
                         x_of(*t.latest()), y);
    }
    for (const RestorePoint& p : t.points) {
      const auto it = p.tiers.empty() ? tier_index.end() : tier_index.find(p.tiers.front().str());
      out += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"><title>{} {}</title></circle>)", x_of(p.at),
                         y, it == tier_index.end() ? "#475569" : tier_color(it->second), escape(p.label.str()),
                         local_text(p.at, r.zone));
    }
  }
  return out + "</svg>";
}

std::string timeline_table(const Report& r) {
  std::string out = R"(<div class="scroll"><table id="restore-table"><thead><tr><th>Database</th>)"
                    R"(<th>Restorable from (horizon)</th><th>Latest restore point</th><th>Restore points</th>)"
                    R"(<th>Holes</th></tr></thead><tbody>)";
  for (std::size_t i = 0; i < r.timelines.size(); ++i) {
    const DatabaseTimeline& t = r.timelines[i];
    const auto h = t.horizon(), l = t.latest();
    out += fmt::format(
        R"(<tr id="restore-{}" data-database="{}" data-restore-points="{}" data-horizon="{}" data-latest="{}">)"
        R"(<td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n {}">{}</td></tr>)",
        i, escape(t.database.str()), t.points.size(), h ? h->to_iso8601_utc() : "", l ? l->to_iso8601_utc() : "",
        escape(t.database.str()), h ? local_text(*h, r.zone) : "none retained", l ? local_text(*l, r.zone) : "–",
        t.points.size(), t.holes > 0 ? "bad" : "", t.holes);
  }
  return out + "</tbody></table></div>";
}

std::string verdict_class(const std::string& verdict) {
  if (verdict == "PASSED") return "ok";
  if (verdict == "FAILED") return "bad";
  return "warn";
}

}  // namespace

std::string local_text(Instant t, const TimeZone& zone) {
  const CivilSecond cs = zone.to_local(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", cs.year(), cs.month(), cs.day(), cs.hour(), cs.minute());
}

std::string restore_section(const Report& r) {
  std::string out = R"(<section id="restore-points"><h2>Restore points</h2><p class="muted">What each database can )"
                    R"(be restored to at the end of the period: every retained restore point (the retention model )"
                    R"(expire uses), back to the oldest one, the horizon. A hole is a retained point that needs a )"
                    R"(partition no snapshot holds.</p>)";
  if (r.timelines.empty()) return out + "<p>No finished backup in the history.</p></section>";
  return out + R"(<div class="charts">)" + timeline_chart(r) + "</div>" + timeline_table(r) + "</section>";
}

std::string drills_section(const Report& r) {
  std::string out = R"(<section id="drills"><h2>Restore drills</h2>)";
  if (r.drills.empty()) return out + "<p>No drill in the period.</p></section>";
  out += R"(<div class="scroll"><table id="drill-table"><thead><tr><th>Drill</th><th>Period</th><th>Database</th>)"
         R"(<th>Snapshot</th><th>Finished</th><th>State</th><th>Checksums</th><th>Verdict</th></tr></thead><tbody>)";
  for (std::size_t i = 0; i < r.drills.size(); ++i) {
    const DrillRow& d = r.drills[i];
    const std::string verdict = d.verdict.empty() ? "none" : d.verdict;
    out += fmt::format(
        R"(<tr id="drill-{}" data-drill="{}" data-verdict="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>)"
        R"(<td>{}</td><td class="n">{}</td><td class="{}">{}{}</td></tr>)",
        i, escape(d.drill), escape(verdict), escape(d.drill), escape(d.period), escape(d.source.str()),
        escape(d.label.str()), d.finished ? local_text(*d.finished, r.zone) : "–", escape(d.state), d.checksums,
        verdict_class(verdict), escape(verdict), d.error.empty() ? "" : ": " + escape(d.error));
  }
  return out + "</tbody></table></div></section>";
}

std::string repository_section(const Report& r) {
  std::string out = R"(<section id="repository"><h2>Repository findings</h2>)";
  if (!r.repository.checked) {
    return out + fmt::format(R"(<p class="warn" id="repository-status" data-checked="false">Not checked: {}</p>)"
                             "</section>",
                             escape(r.repository.not_checked_reason));
  }
  if (r.repository.findings.empty()) {
    return out + R"(<p class="ok" id="repository-status" data-checked="true" data-findings="0">The repositories )"
                 R"(agree with the history: no finding.</p></section>)";
  }
  out += fmt::format(R"(<p id="repository-status" data-checked="true" data-findings="{}">{} finding(s); )"
                     R"(see docs/retention.md, "Repository check".</p>)",
                     r.repository.findings.size(), r.repository.findings.size());
  out += R"(<div class="scroll"><table id="finding-table"><thead><tr><th>Kind</th><th>Repository</th><th>Label</th>)"
         R"(<th>Database</th><th>Detail</th></tr></thead><tbody>)";
  for (const expire::Finding& f : r.repository.findings) {
    out += fmt::format(R"(<tr><td class="bad">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)",
                       expire::to_string(f.kind), escape(f.repository.str()), escape(f.label),
                       f.database ? escape(f.database->str()) : "", escape(f.detail));
  }
  return out + "</tbody></table></div></section>";
}

std::string coverage_section(const Report& r) {
  const Coverage& c = r.coverage;
  std::string out = R"(<section id="coverage"><h2>Policy coverage</h2>)";
  if (!c.inventory_known) {
    return out + R"(<p class="warn" id="coverage-status" data-inventory="false">ops.table_inventory is empty: run )"
                 R"(<code>starkeep inventory sync</code> to see which tables the policy covers.</p></section>)";
  }
  out += fmt::format(R"(<p id="coverage-status" data-inventory="true" data-tables="{}" data-covered="{}">{} of {} )"
                     R"(inventory table(s) of the policy's databases are backed up by at least one tier.</p>)",
                     c.tables_in_policy, c.tables_covered, c.tables_covered, c.tables_in_policy);
  out += R"(<div class="scroll"><table id="coverage-table"><thead><tr><th>Tier</th><th>Tables selected</th></tr>)"
         "</thead><tbody>";
  for (const Coverage::PerTier& t : c.tiers) {
    out += fmt::format(R"(<tr><td>{}</td><td class="n">{}</td></tr>)", escape(t.tier.str()), t.tables);
  }
  out += "</tbody></table></div>";
  if (!c.uncovered.empty()) {
    out += "<h3>Backed up by no tier</h3><ul>";
    for (const std::string& t : c.uncovered) out += "<li>" + escape(t) + "</li>";
    out += "</ul>";
  }
  if (!c.findings.empty()) {
    out += "<h3>Coverage analysis</h3><ul>";
    for (const Coverage::Finding& f : c.findings) {
      out += fmt::format("<li><strong>{} {}</strong>: {}</li>", escape(f.severity), escape(f.code), escape(f.message));
    }
    out += "</ul>";
  }
  return out + "</section>";
}

}  // namespace sk::report::html
