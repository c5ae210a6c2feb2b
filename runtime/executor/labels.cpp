#include "runtime/executor/labels.h"

#include <map>

namespace sk::executor {

std::vector<SnapshotLabel> label_candidates(const SnapshotLabel& base, int max_retry) {
  std::vector<SnapshotLabel> out{base};
  for (int i = 1; i <= max_retry; ++i) {
    auto l = SnapshotLabel::parse(base.str() + "_r" + std::to_string(i));
    if (!l) break;  // too long: fewer retries
    out.push_back(*l);
  }
  return out;
}

LabelDecision decide_label(const SnapshotLabel& base, const std::vector<jobs::SnapshotRow>& snapshots,
                           const std::vector<jobs::ServerJob>& current, const std::set<std::string>& history_labels,
                           int max_retry,
                           const std::map<std::string, std::optional<BackupTimestamp>>& finished_in_history,
                           const std::set<std::string>& foreign) {
  const auto candidates = label_candidates(base, max_retry);
  std::map<std::string, const jobs::SnapshotRow*> by_label;
  for (const auto& s : snapshots) by_label[s.label] = &s;

  // 1. A finished snapshot of any candidate that this cluster took of this database: the slot is done.
  for (const auto& c : candidates) {
    auto it = by_label.find(c.str());
    if (it != by_label.end() && it->second->ok() && !foreign.contains(c.str())) {
      LabelDecision d{LabelDecision::Kind::kDone, c, it->second->latest(), std::nullopt};
      for (const auto& j : current) {
        if (j.label == c.str()) d.job = j;
      }
      return d;
    }
  }
  // 1b. Our own FINISHED attempt of a candidate: done as well.
  for (const auto& c : candidates) {
    auto it = finished_in_history.find(c.str());
    if (it == finished_in_history.end()) continue;
    LabelDecision d{LabelDecision::Kind::kDone, c, it->second, std::nullopt};
    for (const auto& j : current) {
      if (j.label == c.str()) d.job = j;
    }
    return d;
  }
  // 2. The database's current job carries a candidate.
  for (const auto& j : current) {
    for (const auto& c : candidates) {
      if (j.label != c.str()) continue;
      if (!j.terminal()) return {LabelDecision::Kind::kRunning, c, std::nullopt, j};
      if (j.finished()) return {LabelDecision::Kind::kDone, c, std::nullopt, j};
    }
  }
  // 3. The first candidate nobody used.
  for (const auto& c : candidates) {
    const bool in_repository = by_label.contains(c.str());
    bool current_has = false;
    for (const auto& j : current) current_has = current_has || j.label == c.str();
    if (!in_repository && !current_has && !history_labels.contains(c.str())) {
      return {LabelDecision::Kind::kSubmit, c, std::nullopt, std::nullopt};
    }
  }
  return {LabelDecision::Kind::kExhausted, candidates.back(), std::nullopt, std::nullopt};
}

}  // namespace sk::executor
