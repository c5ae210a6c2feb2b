#include "runtime/expire/history_model.h"

#include <fmt/format.h>

#include <set>

namespace sk::expire {
namespace {

namespace rm = analysis::retention;

// Partition → the model index of the newest snapshot holding it, per table, since the table's last whole capture.
using Holders = std::map<std::string, std::map<std::string, size_t>>;

rm::SnapshotKind model_kind(ops::BackupKind kind) {
  switch (kind) {
    case ops::BackupKind::kDatabase:
      return rm::SnapshotKind::kDatabase;
    case ops::BackupKind::kTables:
      return rm::SnapshotKind::kTables;
    case ops::BackupKind::kPartitions:
      return rm::SnapshotKind::kPartitions;
  }
  return rm::SnapshotKind::kTables;
}

// The partitions of each table the snapshot holds, from its manifest (sorted, distinct).
std::map<std::string, std::vector<std::string>> held_partitions(const restore::Snapshot& s) {
  std::map<std::string, std::vector<std::string>> out;
  for (const ops::ManifestEntry& e : s.entries) out[e.table.str()].push_back(e.partition.str());
  for (auto& [table, parts] : out) {
    std::sort(parts.begin(), parts.end());
    parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  }
  return out;
}

// The partitions the table had at the snapshot: its recorded set, else every partition held so far.
std::vector<std::string> partitions_then(const restore::Snapshot& s, const std::string& table,
                                         const std::map<std::string, size_t>& holders,
                                         const std::vector<std::string>& captured) {
  for (const ops::PartitionSet& set : s.partition_sets) {
    if (set.table.str() == table) return set.partitions;
  }
  std::set<std::string> all(captured.begin(), captured.end());
  for (const auto& [partition, holder] : holders) all.insert(partition);
  return {all.begin(), all.end()};
}

// The table's state at a changed-partitions snapshot: its other partitions, grouped by the snapshot holding them.
rm::TableState inherited_state(const std::string& table, const std::vector<std::string>& captured,
                               const std::vector<std::string>& had, const std::map<std::string, size_t>& holders) {
  rm::TableState state{table, captured, {}};
  std::map<size_t, std::vector<std::string>> by_holder;
  const std::set<std::string> mine(captured.begin(), captured.end());
  for (const std::string& p : had) {
    if (mine.contains(p)) continue;
    auto it = holders.find(p);
    by_holder[it == holders.end() ? rm::kNoSnapshot : it->second].push_back(p);
  }
  for (auto& [holder, parts] : by_holder) {
    state.inherited.push_back(rm::Inherited{fmt::format("{}", fmt::join(parts, ", ")), holder});
  }
  return state;
}

struct TierRetention {
  std::string tier;
  RetainPeriod retain;
  Instant until;
};

// The longest retention (latest expiry from `taken`) among the tiers the policy knows; nullopt when it knows none.
std::optional<TierRetention> retention_of(const ops::BackupAttempt& a, Instant taken,
                                          const std::map<std::string, RetainPeriod>& retain, const TimeZone& zone) {
  std::optional<TierRetention> best;
  for (const TierName& t : a.tiers) {
    auto it = retain.find(t.str());
    if (it == retain.end()) continue;
    const Instant until = it->second.after(taken, zone);
    if (!best || until > best->until) best = TierRetention{it->first, it->second, until};
  }
  return best;
}

void add_database(const std::vector<const restore::Snapshot*>& ordered,
                  const std::map<std::string, RetainPeriod>& retain, const TimeZone& zone, ModelHistory& out) {
  Holders holders;
  for (const restore::Snapshot* s : ordered) {
    const size_t m = out.snapshots.size();
    const ops::BackupAttempt& a = s->attempt;
    const Instant taken = a.slot.value_or(s->point());
    auto tier = retention_of(a, taken, retain, zone);
    rm::Snapshot snap{a.database.str(),
                      tier ? tier->tier : (a.tiers.empty() ? std::string("(no tier)") : a.tiers.front().str()),
                      tier ? tier->retain : kKeptForever,
                      a.label.str(),
                      taken,
                      model_kind(a.kind),
                      {},
                      tier ? tier->until : taken + kKeptForever};
    for (const TierName& t : a.tiers) snap.counts_for.push_back(t.str());
    for (auto& [table, captured] : held_partitions(*s)) {
      auto& mine = holders[table];
      if (a.kind == ops::BackupKind::kPartitions) {
        snap.tables.push_back(inherited_state(table, captured, partitions_then(*s, table, mine, captured), mine));
      } else {
        snap.tables.push_back(rm::TableState{table, {}, {}});
        mine.clear();
      }
      for (const std::string& p : captured) mine[p] = m;
    }
    out.snapshots.push_back(std::move(snap));
    out.source.push_back(s);
    out.unknown_tier.push_back(!tier);
  }
}

}  // namespace

ModelHistory to_model(const std::vector<restore::Snapshot>& history, const std::map<std::string, RetainPeriod>& retain,
                      const TimeZone& zone, const std::function<bool(const restore::Snapshot&)>& include,
                      const std::vector<rm::CountKeep>& keeps) {
  std::map<std::string, std::vector<const restore::Snapshot*>> by_database;
  for (const restore::Snapshot& s : history) {
    if (s.attempt.state != ops::AttemptState::kFinished || (include && !include(s))) continue;
    by_database[s.attempt.database.str()].push_back(&s);
  }
  ModelHistory out;
  for (auto& [database, snapshots] : by_database) {
    restore::order_snapshots(snapshots);
    add_database(snapshots, retain, zone, out);
  }
  rm::apply_count_keeps(out.snapshots, keeps);
  return out;
}

}  // namespace sk::expire
