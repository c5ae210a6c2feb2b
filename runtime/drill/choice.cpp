#include "runtime/drill/choice.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace sk::drill {
namespace {

bool counts_for(const ops::BackupAttempt& a, const TierName& tier) {
  return std::find(a.tiers.begin(), a.tiers.end(), tier) != a.tiers.end();
}

Instant time_of(const restore::Snapshot& s) { return snapshot_time(s.attempt); }

struct Candidate {
  std::string database, table, partition;  // sort key (bytewise)
  const restore::Snapshot* source = nullptr;
  friend bool operator<(const Candidate& a, const Candidate& b) {
    return std::tie(a.database, a.table, a.partition) < std::tie(b.database, b.table, b.partition);
  }
  friend bool operator==(const Candidate& a, const Candidate& b) {
    return std::tie(a.database, a.table, a.partition) == std::tie(b.database, b.table, b.partition);
  }
};

}  // namespace

Instant snapshot_time(const ops::BackupAttempt& a) {
  // The schedule slot is the clock of the drill's own schedule and of `run --at`; ad-hoc backups have none.
  return a.slot.value_or(a.finished_at.value_or(a.updated_at));
}

std::vector<std::vector<const ops::BackupAttempt*>> source_candidates(
    const model::Policy& policy, const model::Drill& drill, Instant t,
    const std::vector<ops::BackupAttempt>& attempts) {
  const model::Tier* tier = policy.find_tier(drill.from);
  const Instant oldest = tier ? tier->retain.before(t, policy.time_zone) : Instant{};
  std::map<std::string, std::vector<const ops::BackupAttempt*>> by_db;
  for (const auto& a : attempts) {
    if (a.state != ops::AttemptState::kFinished || !counts_for(a, drill.from)) continue;
    if (!policy.databases.matches(a.database)) continue;
    const Instant p = snapshot_time(a);
    if (p > t || p < oldest) continue;
    by_db[a.database.str()].push_back(&a);
  }
  std::vector<std::vector<const ops::BackupAttempt*>> out;
  for (auto& [db, list] : by_db) {
    std::sort(list.begin(), list.end(), [](const ops::BackupAttempt* x, const ops::BackupAttempt* y) {
      const Instant tx = snapshot_time(*x), ty = snapshot_time(*y);
      return std::tie(ty, y->label) < std::tie(tx, x->label);
    });
    out.push_back(std::move(list));
  }
  return out;
}

std::string Choice::object() const {
  std::string out = database.str();
  if (table) out += "." + table->str();
  if (partition) out += " partition " + partition->str();
  return out;
}

Result<Choice> choose(const model::Policy& policy, const model::Drill& drill, const Period& period, Instant t,
                      const std::vector<restore::Snapshot>& history) {
  const model::Tier* tier = policy.find_tier(drill.from);
  if (!tier)
    return sk::fail("drill.usage", "drill '{}': tier '{}' is not in the policy", drill.name.str(),
                    drill.from.str());
  const Instant oldest = tier->retain.before(t, policy.time_zone);

  // The newest qualifying snapshot per database.
  std::map<std::string, const restore::Snapshot*> newest;
  for (const auto& s : history) {
    const ops::BackupAttempt& a = s.attempt;
    if (a.state != ops::AttemptState::kFinished || !counts_for(a, drill.from)) continue;
    if (!policy.databases.matches(a.database) || s.entries.empty()) continue;
    const Instant p = time_of(s);
    if (p > t || p < oldest) continue;
    auto& slot = newest[a.database.str()];
    if (!slot) {
      slot = &s;
      continue;
    }
    const Instant q = time_of(*slot);
    if (std::tie(q, slot->attempt.label) < std::tie(p, a.label)) slot = &s;
  }
  if (newest.empty()) {
    return sk::fail(
        "drill.no_snapshot",
        "drill '{}': no FINISHED snapshot of tier '{}' between {} (retention {}) and {} with a manifest",
        drill.name.str(), drill.from.str(), oldest.to_iso8601_utc(), tier->retain.to_string(),
        t.to_iso8601_utc());
  }

  std::vector<Candidate> candidates;
  std::vector<std::string> sources;
  for (const auto& [db, s] : newest) {
    sources.push_back(fmt::format("{}: {} ({})", db, s->attempt.label.str(), time_of(*s).to_iso8601_utc()));
    if (drill.scope == model::DrillScope::kDatabase) {
      candidates.push_back(Candidate{db, "", "", s});
      continue;
    }
    for (const auto& e : s->entries) {
      candidates.push_back(Candidate{
          db, e.table.str(), drill.scope == model::DrillScope::kPartition ? e.partition.str() : "", s});
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  const std::uint64_t seed = seed_of(drill.name, period.label);
  const std::size_t index = static_cast<std::size_t>(seed % candidates.size());
  const Candidate& c = candidates[index];
  Choice choice{.scope = drill.scope,
                .database = c.source->attempt.database,
                .snapshot = c.source->attempt,
                .seed = seed,
                .index = index,
                .candidates = candidates.size(),
                .sources = std::move(sources)};
  if (drill.scope != model::DrillScope::kDatabase) {
    for (const auto& e : c.source->entries) {
      if (e.table.str() != c.table) continue;
      choice.table = e.table;
      if (drill.scope == model::DrillScope::kPartition && e.partition.str() == c.partition) {
        choice.partition = e.partition;
        break;
      }
      if (drill.scope == model::DrillScope::kTable) break;
    }
  }
  return choice;
}

}  // namespace sk::drill
