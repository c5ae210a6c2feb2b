#include "runtime/metrics/ops_metrics.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace sk::metrics {
namespace {

using ops::AttemptState;

constexpr std::array kAttemptStates{AttemptState::kSubmitting, AttemptState::kRejected, AttemptState::kRunning,
                                    AttemptState::kFinished,   AttemptState::kCancelled, AttemptState::kLost};
constexpr std::array kVerdicts{"PASSED", "PARTIAL", "FAILED", "SKIPPED", "NONE"};

double seconds(Instant t) { return static_cast<double>(t.unix_seconds()); }

// When an attempt was made, and when a finished one's restore point lies (the restore planner's point()).
Instant attempted_at(const ops::BackupAttempt& a) { return a.submitted_at.value_or(a.updated_at); }
Instant point_of(const ops::BackupAttempt& a) { return a.finished_at.value_or(a.updated_at); }

struct TierStats {
  const ops::BackupAttempt* last_attempt = nullptr;
  const ops::BackupAttempt* last_success = nullptr;
  std::map<AttemptState, std::size_t> ended;
};

using PairKey = std::pair<std::string, std::string>;  // database, tier

class Builder {
 public:
  Builder(const model::Policy& policy, const OpsHistory& history, Instant at)
      : policy_(policy), history_(history), at_(at) {}

  std::vector<Sample> build() {
    collect_databases();
    backups();
    restore_points();
    drills();
    expiries();
    runner();
    return std::move(out_);
  }

 private:
  void add(MetricId id, std::vector<std::string> labels, double value) {
    out_.push_back({id, std::move(labels), value});
  }

  bool has_tier(const std::string& name) const {
    return std::any_of(policy_.tiers.begin(), policy_.tiers.end(),
                       [&](const model::Tier& t) { return t.name.str() == name; });
  }

  void collect_databases() {
    if (!policy_.databases.all) {
      for (const auto& d : policy_.databases.include) databases_.insert(d.str());
    }
    for (const auto& a : history_.attempts) {
      if (policy_.databases.matches(a.database)) databases_.insert(a.database.str());
    }
  }

  std::map<PairKey, TierStats> tier_stats() const {
    std::map<PairKey, TierStats> stats;
    for (const auto& a : history_.attempts) {
      if (!databases_.contains(a.database.str())) continue;
      for (const auto& tier : a.tiers) {
        if (!has_tier(tier.str())) continue;
        TierStats& s = stats[{a.database.str(), tier.str()}];
        if (s.last_attempt == nullptr || attempted_at(*s.last_attempt) < attempted_at(a)) s.last_attempt = &a;
        if (a.state == AttemptState::kFinished &&
            (s.last_success == nullptr || point_of(*s.last_success) < point_of(a))) {
          s.last_success = &a;
        }
        if (ops::is_terminal(a.state)) ++s.ended[a.state];
      }
    }
    return stats;
  }

  void backups() {
    const auto stats = tier_stats();
    for (const auto& db : databases_) {
      for (const auto& tier : policy_.tiers) {
        const auto it = stats.find({db, tier.name.str()});
        const TierStats none{};
        const TierStats& s = it == stats.end() ? none : it->second;
        backup_pair(db, tier.name.str(), s);
      }
    }
  }

  void backup_pair(const std::string& db, const std::string& tier, const TierStats& s) {
    add(MetricId::kBackupLastSuccess, {db, tier}, s.last_success ? seconds(point_of(*s.last_success)) : 0);
    if (s.last_success != nullptr) {
      const ops::BackupAttempt& a = *s.last_success;
      const auto start = a.started_at ? a.started_at : a.submitted_at;
      if (start && a.finished_at) {
        add(MetricId::kBackupLastDuration, {db, tier},
            static_cast<double>(std::max<std::int64_t>(0, a.finished_at->unix_seconds() - start->unix_seconds())));
      }
      if (a.bytes) add(MetricId::kBackupLastSize, {db, tier}, static_cast<double>(*a.bytes));
    }
    if (s.last_attempt == nullptr) return;
    add(MetricId::kBackupLastAttempt, {db, tier}, seconds(attempted_at(*s.last_attempt)));
    for (const auto state : kAttemptStates) {
      add(MetricId::kBackupLastAttemptState, {db, tier, std::string(ops::to_string(state))},
          s.last_attempt->state == state ? 1 : 0);
      if (!ops::is_terminal(state)) continue;
      const auto n = s.ended.find(state);
      add(MetricId::kBackupJobs, {db, tier, std::string(ops::to_string(state))},
          n == s.ended.end() ? 0 : static_cast<double>(n->second));
    }
  }

  void restore_points() {
    std::set<std::pair<std::string, std::string>> expired;  // repository, label
    for (const auto& e : history_.expiries) {
      if (e.state != ops::ExpiryState::kFailed) expired.insert({e.repository.str(), e.label.str()});
    }
    std::map<std::string, Instant> newest;
    for (const auto& a : history_.attempts) {
      if (a.state != AttemptState::kFinished || !databases_.contains(a.database.str())) continue;
      if (expired.contains({a.repository.str(), a.label.str()})) continue;
      auto [it, added] = newest.emplace(a.database.str(), point_of(a));
      if (!added && it->second < point_of(a)) it->second = point_of(a);
    }
    for (const auto& [db, point] : newest) {
      add(MetricId::kRestorePointNewest, {db}, seconds(point));
      add(MetricId::kRestorePointAge, {db},
          static_cast<double>(std::max<std::int64_t>(0, at_.unix_seconds() - point.unix_seconds())));
    }
  }

  void drills() {
    for (const auto& drill : policy_.drills) {
      const std::string name = drill.name.str();
      std::optional<Instant> passed, last_run;
      std::map<std::string, std::size_t> verdicts;
      for (const auto& r : history_.drills) {
        if (r.drill_name != name) continue;
        const Instant started = r.started_at.value_or(r.submitted_at.value_or(r.updated_at));
        if (!last_run || *last_run < started) last_run = started;
        if (!ops::is_terminal(r.state)) continue;
        const std::string verdict = r.verification.value_or("NONE");
        ++verdicts[verdict];
        const Instant ended = r.finished_at.value_or(r.updated_at);
        if (verdict == "PASSED" && (!passed || *passed < ended)) passed = ended;
      }
      add(MetricId::kDrillLastPassed, {name}, passed ? seconds(*passed) : 0);
      if (last_run) add(MetricId::kDrillLastRun, {name}, seconds(*last_run));
      for (const char* verdict : kVerdicts) {
        const auto n = verdicts.find(verdict);
        add(MetricId::kDrillRuns, {name, verdict}, n == verdicts.end() ? 0 : static_cast<double>(n->second));
      }
    }
  }

  void expiries() {
    std::map<std::string, std::map<ops::ExpiryState, std::size_t>> counts;
    for (const auto& r : policy_.repositories) counts[r.name.str()];
    for (const auto& e : history_.expiries) ++counts[e.repository.str()][e.state];
    for (const auto& [repository, by_state] : counts) {
      for (const auto state : {ops::ExpiryState::kDeleting, ops::ExpiryState::kDeleted, ops::ExpiryState::kFailed}) {
        const auto n = by_state.find(state);
        add(MetricId::kExpirySnapshots, {repository, std::string(ops::to_string(state))},
            n == by_state.end() ? 0 : static_cast<double>(n->second));
      }
    }
  }

  void runner() {
    const ops::RunMarker* newest = nullptr;
    for (const auto& m : history_.runs) {
      if (newest == nullptr || newest->started_at < m.started_at ||
          (newest->started_at == m.started_at && newest->run_id < m.run_id)) {
        newest = &m;
      }
    }
    if (newest == nullptr) return;
    const std::string run_id = newest->run_id;
    ops::RunState state = ops::RunState::kDone;
    std::optional<Instant> start, end;
    for (const auto& m : history_.runs) {
      if (m.run_id != run_id) continue;
      if (!start || m.started_at < *start) start = m.started_at;
      if (m.finished_at && (!end || *end < *m.finished_at)) end = m.finished_at;
      if (m.state == ops::RunState::kActive) state = ops::RunState::kActive;
      if (m.state == ops::RunState::kAbandoned && state != ops::RunState::kActive) state = ops::RunState::kAbandoned;
    }
    add(MetricId::kRunnerLastRunStart, {}, seconds(*start));
    if (state != ops::RunState::kActive && end) add(MetricId::kRunnerLastRunEnd, {}, seconds(*end));
    for (const auto s : {ops::RunState::kActive, ops::RunState::kDone, ops::RunState::kAbandoned}) {
      add(MetricId::kRunnerLastRunState, {std::string(ops::to_string(s))}, s == state ? 1 : 0);
    }
    std::map<AttemptState, std::size_t> jobs;
    for (const auto& a : history_.attempts) {
      if (a.run_id == run_id) ++jobs[a.state];
    }
    for (const auto s : kAttemptStates) {
      add(MetricId::kRunnerLastRunJobs, {std::string(ops::to_string(s))}, static_cast<double>(jobs[s]));
    }
  }

  const model::Policy& policy_;
  const OpsHistory& history_;
  Instant at_;
  std::set<std::string> databases_;
  std::vector<Sample> out_;
};

}  // namespace

std::vector<Sample> ops_samples(const model::Policy& policy, const OpsHistory& history, Instant at) {
  return Builder(policy, history, at).build();
}

std::vector<Sample> repository_check_samples(const std::vector<RepositoryName>& checked,
                                             const std::vector<expire::Finding>& findings, Instant at) {
  constexpr std::array kKinds{expire::FindingKind::kMissing, expire::FindingKind::kConflict,
                              expire::FindingKind::kPartial, expire::FindingKind::kTtl,
                              expire::FindingKind::kOverdue, expire::FindingKind::kUnknown};
  std::vector<Sample> out;
  for (const auto& repository : checked) {
    for (const auto kind : kKinds) {
      const auto n = std::count_if(findings.begin(), findings.end(), [&](const expire::Finding& f) {
        return f.kind == kind && f.repository == repository;
      });
      out.push_back({MetricId::kRepositoryFindings, {repository.str(), std::string(expire::to_string(kind))},
                     static_cast<double>(n)});
    }
    out.push_back({MetricId::kRepositoryCheckTime, {repository.str()}, seconds(at)});
  }
  return out;
}

}  // namespace sk::metrics
