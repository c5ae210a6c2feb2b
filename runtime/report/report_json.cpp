#include "runtime/report/report_json.h"

#include <fmt/format.h>

#include <string>

#include "kernel/domain/time.h"

namespace sk::report {
namespace {

using nlohmann::json;

template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json();
}

json seconds_or_null(const std::optional<Duration>& d) { return d ? json(d->seconds()) : json(); }

json tally_json(const Tally& t) {
  return {{"terminal", t.terminal}, {"finished", t.finished}, {"in_flight", t.in_flight},
          {"success_rate_percent", or_null(t.rate_percent())}};
}

json transfer_json(const Transfer& t) {
  return {{"bytes", t.bytes}, {"seconds", t.seconds}, {"jobs", t.jobs}, {"gb_per_minute", or_null(t.gb_per_minute())}};
}

json tier_json(const Report& r, const TierKpi& k) {
  json weeks = json::array();
  for (std::size_t w = 0; w < r.weeks.size(); ++w) {
    weeks.push_back({{"week", iso_date(r.weeks[w])}, {"success", tally_json(k.weeks[w])},
                     {"throughput", transfer_json(k.weekly_transfer[w])}});
  }
  return {{"tier", k.tier.str()},
          {"window_seconds", seconds_or_null(k.window)},
          {"success", tally_json(k.total)},
          {"throughput", transfer_json(k.transfer)},
          {"latency",
           {{"samples", k.latency.samples},
            {"p50_seconds", seconds_or_null(k.latency.p50)},
            {"p95_seconds", seconds_or_null(k.latency.p95)},
            {"max_seconds", seconds_or_null(k.latency.max)},
            {"over_window", k.latency.over_window}}},
          {"weeks", std::move(weeks)}};
}

json success_json(const Report& r, const SuccessRow& row) {
  json weeks = json::array();
  for (std::size_t w = 0; w < r.weeks.size(); ++w) {
    json t = tally_json(row.weeks[w]);
    t["week"] = iso_date(r.weeks[w]);
    weeks.push_back(std::move(t));
  }
  return {{"database", row.database.str()}, {"tier", row.tier.str()}, {"success", tally_json(row.total)},
          {"weeks", std::move(weeks)}};
}

json timeline_json(const DatabaseTimeline& t) {
  json points = json::array();
  for (const RestorePoint& p : t.points) {
    json tiers = json::array();
    for (const TierName& n : p.tiers) tiers.push_back(n.str());
    points.push_back({{"at", p.at.to_iso8601_utc()}, {"label", p.label.str()}, {"tiers", std::move(tiers)},
                      {"retained_until", p.until.to_iso8601_utc()}});
  }
  const auto iso = [](const std::optional<Instant>& i) { return i ? json(i->to_iso8601_utc()) : json(); };
  return {{"database", t.database.str()}, {"horizon", iso(t.horizon())}, {"latest", iso(t.latest())},
          {"restore_points", t.points.size()}, {"holes", t.holes}, {"points", std::move(points)}};
}

json drills_json(const Report& r) {
  json out = json::array();
  for (const DrillRow& d : r.drills) {
    out.push_back({{"drill", d.drill}, {"period", d.period}, {"database", d.source.str()}, {"label", d.label.str()},
                   {"state", d.state}, {"verdict", d.verdict.empty() ? json() : json(d.verdict)},
                   {"finished", d.finished ? json(d.finished->to_iso8601_utc()) : json()},
                   {"checksums", d.checksums}, {"error", d.error.empty() ? json() : json(d.error)}});
  }
  return out;
}

json coverage_json(const Coverage& c) {
  json tiers = json::array();
  for (const auto& t : c.tiers) tiers.push_back({{"tier", t.tier.str()}, {"tables", t.tables}});
  json findings = json::array();
  for (const auto& f : c.findings) findings.push_back({{"code", f.code}, {"severity", f.severity}, {"message", f.message}});
  return {{"inventory_known", c.inventory_known}, {"tables_in_policy", c.tables_in_policy},
          {"tables_covered", c.tables_covered}, {"tiers", std::move(tiers)}, {"uncovered", c.uncovered},
          {"findings", std::move(findings)}};
}

json repository_json(const RepositoryFindings& r) {
  json findings = json::array();
  for (const expire::Finding& f : r.findings) {
    findings.push_back({{"kind", expire::to_string(f.kind)}, {"repository", f.repository.str()}, {"label", f.label},
                        {"database", f.database ? json(f.database->str()) : json()}, {"detail", f.detail}});
  }
  return {{"checked", r.checked}, {"not_checked_reason", r.checked ? json() : json(r.not_checked_reason)},
          {"findings", std::move(findings)}};
}

}  // namespace

nlohmann::json to_json(const Report& r) {
  json tiers = json::array();
  for (const TierKpi& k : r.tiers) tiers.push_back(tier_json(r, k));
  json success = json::array();
  for (const SuccessRow& row : r.success) success.push_back(success_json(r, row));
  json timelines = json::array();
  for (const DatabaseTimeline& t : r.timelines) timelines.push_back(timeline_json(t));
  return {{"report_version", kReportJsonVersion},
          {"policy", r.policy},
          {"time_zone", r.zone.name()},
          {"from", r.from.to_iso8601_utc()},
          {"to", r.to.to_iso8601_utc()},
          {"attempts", r.attempts_in_period},
          {"tiers", std::move(tiers)},
          {"success", std::move(success)},
          {"restore_points", std::move(timelines)},
          {"drills", drills_json(r)},
          {"coverage", coverage_json(r.coverage)},
          {"repository", repository_json(r.repository)}};
}

}  // namespace sk::report
