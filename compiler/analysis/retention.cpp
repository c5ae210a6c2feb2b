#include "compiler/analysis/retention.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>

namespace sk::analysis::retention {
namespace {

constexpr Instant kNever = Instant::from_unix_seconds(std::numeric_limits<int64_t>::min());

// The restore point with the latest expiry in a range of positions; ties go to the earliest position.
struct Best {
  Instant until = kNever;
  size_t pos = kNoSnapshot;
};

Best better(const Best& a, const Best& b) {
  if (a.pos == kNoSnapshot) return b;
  if (b.pos == kNoSnapshot) return a;
  if (a.until != b.until) return a.until > b.until ? a : b;
  return a.pos < b.pos ? a : b;
}

// Range maximum over the restore points of one database in time order (iterative segment tree).
class RangeMax {
 public:
  explicit RangeMax(const std::vector<Best>& leaves) : n_(leaves.size()), tree_(2 * leaves.size()) {
    std::copy(leaves.begin(), leaves.end(), tree_.begin() + static_cast<std::ptrdiff_t>(n_));
    for (size_t i = n_; i-- > 1;) tree_[i] = better(tree_[2 * i], tree_[2 * i + 1]);
  }
  // Over positions [lo, hi).
  [[nodiscard]] Best query(size_t lo, size_t hi) const {
    Best r;
    for (lo += n_, hi += n_; lo < hi; lo >>= 1, hi >>= 1) {
      if (lo & 1) r = better(r, tree_[lo++]);
      if (hi & 1) r = better(r, tree_[--hi]);
    }
    return r;
  }

 private:
  size_t n_;
  std::vector<Best> tree_;
};

// One database: its snapshots in time order and the restore-point maxima over them.
class Database {
 public:
  Database(std::span<const Snapshot> snaps, std::vector<size_t> order, std::vector<size_t>& pos)
      : snaps_(snaps), order_(std::move(order)) {
    std::stable_sort(order_.begin(), order_.end(),
                     [&](size_t a, size_t b) { return snaps_[a].taken < snaps_[b].taken; });
    std::vector<Best> all(order_.size());
    tier_of_.resize(order_.size());
    for (size_t q = 0; q < order_.size(); ++q) {
      const Snapshot& s = snaps_[order_[q]];
      pos[order_[q]] = q;
      all[q] = Best{s.expires(), q};
      auto it = std::find(tiers_.begin(), tiers_.end(), std::string_view(s.tier));
      tier_of_[q] = static_cast<size_t>(it - tiers_.begin());
      if (it == tiers_.end()) tiers_.push_back(s.tier);
      if (s.kind == SnapshotKind::kDatabase) database_positions_.push_back(q);
    }
    all_.emplace(all);
    for (size_t t = 0; t < tiers_.size(); ++t) {
      std::vector<Best> mine(order_.size());
      for (size_t q = 0; q < order_.size(); ++q) {
        if (tier_of_[q] == t) mine[q] = all[q];
      }
      per_tier_.emplace_back(mine);
    }
  }

  void evaluate(const std::vector<size_t>& pos, Evaluation& ev) const {
    // Every table's links (position, index into the snapshot's tables), in time order.
    std::map<std::string_view, std::vector<std::pair<size_t, size_t>>> links;
    for (size_t q = 0; q < order_.size(); ++q) {
      const Snapshot& s = snaps_[order_[q]];
      for (size_t k = 0; k < s.tables.size(); ++k) links[s.tables[k].table].emplace_back(q, k);
    }
    for (const auto& [table, list] : links) {
      for (size_t j = 0; j < list.size(); ++j) {
        const size_t a = list[j].first;
        size_t end = j + 1 < list.size() ? list[j + 1].first : order_.size();
        // A later database snapshot without the table ends its life (the table was dropped).
        auto next_db = std::upper_bound(database_positions_.begin(), database_positions_.end(), a);
        if (next_db != database_positions_.end() && *next_db < end) end = *next_db;
        apply_link(a, list[j].second, end, pos, ev);
      }
    }
  }

 private:
  // The restore points at positions [a, end) restore the table from the link at position a.
  void apply_link(size_t a, size_t k, size_t end, const std::vector<size_t>& pos, Evaluation& ev) const {
    const size_t holder = order_[a];
    const Snapshot& hs = snaps_[holder];
    const TableState& state = hs.tables[k];
    std::vector<size_t> needed{holder};
    if (hs.kind == SnapshotKind::kPartitions) {
      for (size_t h = 0; h < state.inherited.size(); ++h) {
        const size_t from = state.inherited[h].from;
        if (from < snaps_.size() && snaps_[from].database == hs.database && pos[from] < a) {
          needed.push_back(from);
          continue;
        }
        for (size_t q = a; q < end; ++q) ev.holes.push_back(Hole{order_[q], holder, k, h});
      }
    }
    const Best all = all_->query(a, end);
    for (size_t s : needed) {
      Verdict& v = ev.verdicts[s];
      if (all.until > v.keep_until) {
        v.keep_until = all.until;
        v.longest = Need{order_[all.pos], holder, k, all.until};
      }
      const Best mine = per_tier_[tier_of_[pos[s]]].query(a, end);
      if (mine.pos != kNoSnapshot) v.tier_until = std::max(v.tier_until, mine.until);
    }
  }

  std::span<const Snapshot> snaps_;
  std::vector<size_t> order_;
  std::vector<std::string_view> tiers_;
  std::vector<size_t> tier_of_;  // per position
  std::vector<size_t> database_positions_;
  std::optional<RangeMax> all_;  // every restore point
  std::vector<RangeMax> per_tier_;
};

}  // namespace

Evaluation evaluate(std::span<const Snapshot> snapshots, Instant at) {
  Evaluation ev;
  ev.verdicts.resize(snapshots.size());
  std::map<std::string_view, std::vector<size_t>> by_database;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    Verdict& v = ev.verdicts[i];
    v.own_until = v.tier_until = v.keep_until = snapshots[i].expires();
    by_database[snapshots[i].database].push_back(i);
  }
  std::vector<size_t> pos(snapshots.size(), 0);
  for (auto& [name, members] : by_database) {
    const Database db(snapshots, std::move(members), pos);
    db.evaluate(pos, ev);
  }
  for (Verdict& v : ev.verdicts) v.keep = v.keep_until > at;
  std::sort(ev.holes.begin(), ev.holes.end(), [](const Hole& a, const Hole& b) {
    return std::tie(a.point, a.holder, a.table, a.inherited) <
           std::tie(b.point, b.holder, b.table, b.inherited);
  });
  return ev;
}

void apply_count_keeps(std::span<Snapshot> snapshots, std::span<const CountKeep> keeps) {
  for (const CountKeep& k : keeps) {
    std::map<std::string_view, std::vector<size_t>> by_database;
    for (size_t i = 0; i < snapshots.size(); ++i) {
      const Snapshot& s = snapshots[i];
      const bool counts = s.counts_for.empty()
                              ? s.tier == k.tier
                              : std::find(s.counts_for.begin(), s.counts_for.end(), k.tier) != s.counts_for.end();
      if (counts) by_database[s.database].push_back(i);
    }
    for (auto& [db, list] : by_database) {
      std::stable_sort(list.begin(), list.end(),
                       [&](size_t a, size_t b) { return snapshots[a].taken < snapshots[b].taken; });
      for (size_t j = 0; j < list.size(); ++j) {
        Snapshot& s = snapshots[list[j]];
        const auto later = j + static_cast<size_t>(k.count);
        const Instant until = later < list.size() ? snapshots[list[later]].taken : s.taken + kCountedForever;
        if (s.count > 0 && until <= s.count_until) continue;
        s.count_tier = k.tier;
        s.count = k.count;
        s.count_until = until;
        s.until = std::max(s.until, until);
      }
    }
  }
}

std::vector<std::string> reasons(std::span<const Snapshot> snapshots, const Evaluation& evaluation, size_t i,
                                 Instant at, const TimeZone& zone) {
  std::vector<std::string> out;
  const Snapshot& s = snapshots[i];
  const Verdict& v = evaluation.verdicts[i];
  const bool counted = s.count > 0 && s.count_until > at;
  const Instant retained = s.retain.after(s.taken, zone);
  if (counted) out.push_back(fmt::format("one of the last {} '{}'", s.count, s.count_tier));
  if (v.own_until > at && (!counted || retained > at))
    out.push_back(fmt::format("{} restore point until {}", s.tier, zone.local_date(counted ? retained : v.own_until)));
  if (v.longest.point != kNoSnapshot && v.longest.until > at) {
    const Snapshot& p = snapshots[v.longest.point];
    const std::string& table = snapshots[v.longest.holder].tables[v.longest.table].table;
    const bool by_count = p.count > 0 && p.count_until >= v.longest.until;
    out.push_back(fmt::format("needed by {} restore point {} of {}{} {} (chain)", p.tier, zone.local_date(p.taken),
                              p.database.empty() ? "" : p.database + ".", table,
                              by_count ? fmt::format("while one of the last {} '{}'", p.count, p.count_tier)
                                       : "until " + zone.local_date(v.longest.until)));
  }
  if (out.empty()) {
    const bool zero = !s.retain.calendar() && s.retain.fixed() == Duration();
    const std::string count = s.count > 0 ? fmt::format("not one of the last {} '{}', ", s.count, s.count_tier) : "";
    out.push_back(fmt::format("{}, {}{}needed by no retained restore point", s.tier, count,
                              zero ? "" : "retained " + s.retain.to_string() + ", "));
  }
  return out;
}

}  // namespace sk::analysis::retention
