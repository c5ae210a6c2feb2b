#include "runtime/report/report_model.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

namespace sk::report {
namespace {

// The instant an attempt belongs to: its slot, else its submission, else its last update.
Instant instant_of(const ops::BackupAttempt& a) {
  if (a.slot) return *a.slot;
  if (a.submitted_at) return *a.submitted_at;
  return a.updated_at;
}

CivilDay monday_of(Instant t, const TimeZone& zone) {
  const CivilDay day(zone.to_local(t));
  return day - static_cast<int>(weekday_of(day));
}

std::vector<CivilDay> weeks_between(Instant from, Instant to, const TimeZone& zone) {
  std::vector<CivilDay> out;
  const CivilDay last = monday_of(to - Duration::from_seconds(1), zone);
  for (CivilDay d = monday_of(from, zone); d <= last; d += 7) out.push_back(d);
  return out;
}

void count(Tally& t, ops::AttemptState state) {
  if (!ops::is_terminal(state)) {
    ++t.in_flight;
    return;
  }
  ++t.terminal;
  if (state == ops::AttemptState::kFinished) ++t.finished;
}

void add_transfer(Transfer& t, const ops::BackupAttempt& a) {
  if (a.state != ops::AttemptState::kFinished || !a.bytes || !a.started_at || !a.finished_at) return;
  const std::int64_t seconds = (*a.finished_at - *a.started_at).seconds();
  if (seconds < 0) return;
  t.bytes += *a.bytes;
  t.seconds += seconds;
  ++t.jobs;
}

std::optional<Duration> completion_latency(const ops::BackupAttempt& a) {
  if (a.state != ops::AttemptState::kFinished || !a.finished_at) return std::nullopt;
  const std::optional<Instant> begin = a.submitted_at ? a.submitted_at : a.started_at;
  if (!begin || *a.finished_at < *begin) return std::nullopt;
  return *a.finished_at - *begin;
}

// Tier order: the policy's tiers as declared, then tiers only the history names, by name.
std::vector<TierKpi> tier_rows(const model::Policy& policy, const std::vector<const ops::BackupAttempt*>& in_period,
                               std::size_t weeks) {
  std::vector<TierKpi> out;
  for (const model::Tier& t : policy.tiers) out.push_back(TierKpi{t.name, t.window, {}, {}, {}, {}, {}});
  std::set<std::string> extra;
  for (const ops::BackupAttempt* a : in_period) {
    for (const TierName& t : a->tiers) {
      if (!policy.find_tier(t)) extra.insert(t.str());
    }
  }
  for (const std::string& name : extra) {
    if (auto t = TierName::parse(name)) out.push_back(TierKpi{*t, std::nullopt, {}, {}, {}, {}, {}});
  }
  for (TierKpi& k : out) {
    k.weeks.assign(weeks, Tally{});
    k.weekly_transfer.assign(weeks, Transfer{});
  }
  return out;
}

void fill_latency(Latency& l, std::vector<Duration> samples, std::optional<Duration> window) {
  std::sort(samples.begin(), samples.end());
  l.samples = samples.size();
  if (samples.empty()) return;
  l.p50 = nearest_rank(samples, 50);
  l.p95 = nearest_rank(samples, 95);
  l.max = samples.back();
  if (window) l.over_window = static_cast<std::size_t>(std::count_if(samples.begin(), samples.end(),
                                                                     [&](Duration d) { return d > *window; }));
}

// Success rate, throughput and latency per tier, and success per database and tier, over the period.
void fill_attempt_kpis(const ReportInput& input, Report& report) {
  const model::Policy& policy = *input.policy;
  std::vector<const ops::BackupAttempt*> in_period;
  for (const ops::BackupAttempt& a : input.attempts) {
    const Instant t = instant_of(a);
    if (t >= input.from && t < input.to) in_period.push_back(&a);
  }
  report.attempts_in_period = in_period.size();
  report.tiers = tier_rows(policy, in_period, report.weeks.size());
  if (report.weeks.empty()) return;  // an empty period (from == to): nothing to count
  std::map<std::string, std::size_t> tier_index;
  for (std::size_t i = 0; i < report.tiers.size(); ++i) tier_index[report.tiers[i].tier.str()] = i;
  std::vector<std::vector<Duration>> latencies(report.tiers.size());
  std::map<std::pair<std::string, std::size_t>, SuccessRow> rows;  // (database, tier index)
  const CivilDay first = report.weeks.front();
  for (const ops::BackupAttempt* a : in_period) {
    const auto week = static_cast<std::size_t>((monday_of(instant_of(*a), policy.time_zone) - first) / 7);
    for (const TierName& t : a->tiers) {
      const std::size_t i = tier_index.at(t.str());
      TierKpi& k = report.tiers[i];
      count(k.total, a->state);
      count(k.weeks[week], a->state);
      add_transfer(k.transfer, *a);
      add_transfer(k.weekly_transfer[week], *a);
      if (auto l = completion_latency(*a)) latencies[i].push_back(*l);
      auto [it, fresh] = rows.try_emplace({a->database.str(), i}, SuccessRow{a->database, t, {}, {}});
      if (fresh) it->second.weeks.assign(report.weeks.size(), Tally{});
      count(it->second.total, a->state);
      count(it->second.weeks[week], a->state);
    }
  }
  for (std::size_t i = 0; i < report.tiers.size(); ++i) {
    fill_latency(report.tiers[i].latency, std::move(latencies[i]), report.tiers[i].window);
  }
  for (auto& [key, row] : rows) report.success.push_back(std::move(row));
}

// How many partitions a drill compared: the entries of its expected checksums (a JSON array or object).
std::size_t checksum_count(const std::optional<std::string>& text) {
  if (!text) return 0;
  const nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_array() || doc.is_object()) return doc.size();
  return 0;
}

std::vector<DrillRow> drill_rows(const ReportInput& input) {
  std::vector<DrillRow> out;
  for (const ops::RestoreRecord& r : input.drills) {
    if (r.kind != ops::RestoreKind::kDrill) continue;
    // The instant the drill was run for (its --at), else when it finished, started or was last updated.
    const Instant t = r.target_time   ? *r.target_time
                      : r.finished_at ? *r.finished_at
                      : r.started_at  ? *r.started_at
                                      : r.updated_at;
    if (t < input.from || t >= input.to) continue;
    out.push_back(DrillRow{r.drill_name.value_or("?"), r.drill_period.value_or(""), r.source_database, r.label,
                           std::string(ops::to_string(r.state)), r.verification.value_or(""), r.finished_at,
                           checksum_count(r.expected_checksums), r.error_text.value_or("")});
  }
  std::stable_sort(out.begin(), out.end(), [](const DrillRow& a, const DrillRow& b) {
    return a.finished.value_or(Instant{}) < b.finished.value_or(Instant{});
  });
  return out;
}

}  // namespace

std::optional<double> Tally::rate_percent() const {
  if (terminal == 0) return std::nullopt;
  return 100.0 * static_cast<double>(finished) / static_cast<double>(terminal);
}

std::optional<double> Transfer::gb_per_minute() const {
  if (jobs == 0 || seconds <= 0) return std::nullopt;
  return (static_cast<double>(bytes) / 1e9) / (static_cast<double>(seconds) / 60.0);
}

std::optional<Instant> DatabaseTimeline::horizon() const {
  if (points.empty()) return std::nullopt;
  return points.front().at;
}

std::optional<Instant> DatabaseTimeline::latest() const {
  if (points.empty()) return std::nullopt;
  return points.back().at;
}

Duration nearest_rank(const std::vector<Duration>& sorted, int p) {
  const std::size_t n = sorted.size();
  std::size_t rank = (static_cast<std::size_t>(p) * n + 99) / 100;  // ⌈p·n/100⌉
  rank = std::clamp<std::size_t>(rank, 1, n);
  return sorted[rank - 1];
}

Report build_report(const ReportInput& input) {
  const model::Policy& policy = *input.policy;
  Report report;
  report.policy = policy.name;
  report.zone = policy.time_zone;
  report.from = input.from;
  report.to = input.to;
  report.weeks = weeks_between(input.from, input.to, policy.time_zone);
  fill_attempt_kpis(input, report);
  report.timelines = restore_timelines(input);
  report.drills = drill_rows(input);
  report.coverage = coverage_of(policy, input.inventory);
  report.repository = input.repository;
  return report;
}

}  // namespace sk::report
