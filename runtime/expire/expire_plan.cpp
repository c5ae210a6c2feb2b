#include "runtime/expire/expire_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "runtime/catalog/catalog.h"
#include "runtime/expire/history_model.h"

namespace sk::expire {
namespace {

namespace rm = analysis::retention;

constexpr std::string_view kCanaryPrefix = "starkeep_canary_";

std::string tier_list(const std::vector<TierName>& tiers) {
  std::vector<std::string> names;
  for (const TierName& t : tiers) names.push_back(t.str());
  return fmt::format("{}", fmt::join(names, ", "));
}

using Key = std::pair<std::string, std::string>;  // (repository, label)

struct Expiries {
  std::map<Key, const ops::ExpiryRecord*> by_key;
  [[nodiscard]] const ops::ExpiryRecord* find(const std::string& repo, const std::string& label) const {
    auto it = by_key.find({repo, label});
    return it == by_key.end() ? nullptr : it->second;
  }
};

// Whether an earlier expire deleted the snapshot: then the model no longer weighs it.
bool deleted(const Expiries& expiries, const restore::Snapshot& s) {
  const ops::ExpiryRecord* r = expiries.find(s.attempt.repository.str(), s.attempt.label.str());
  return r && r->state == ops::ExpiryState::kDeleted;
}

// Why a snapshot must stay whatever its retention: newest of a tier, read by a running restore, unknown tier.
std::map<size_t, std::string> guards(const ModelHistory& model, const ExpireInput& in) {
  std::map<size_t, std::string> out;
  std::map<std::pair<std::string, std::string>, size_t> newest;  // (database, tier) → model index
  for (size_t i = 0; i < model.source.size(); ++i) {
    const ops::BackupAttempt& a = model.source[i]->attempt;
    for (const TierName& t : a.tiers) newest[{a.database.str(), t.str()}] = i;  // model order is time order
    if (model.unknown_tier[i]) {
      out[i] = fmt::format("tier {} is not in the policy: kept (expire never guesses a retention)", tier_list(a.tiers));
    }
    if (in.in_use.contains({a.repository.str(), a.label.str()})) out[i] = "read by a restore or drill still running";
  }
  for (const auto& [key, i] : newest) {
    if (!out.contains(i)) out[i] = fmt::format("newest {} snapshot of {}", key.second, key.first);
  }
  return out;
}

// The reasons of a data snapshot's verdict; a need from a guarded restore point is named by its guard.
std::vector<std::string> data_reasons(const ModelHistory& model, const rm::Evaluation& ev,
                                      const std::map<size_t, std::string>& guard, size_t i, const ExpireInput& in) {
  if (auto g = guard.find(i); g != guard.end()) return {g->second};
  const rm::Verdict& v = ev.verdicts[i];
  const size_t point = v.longest.point;
  if (point != rm::kNoSnapshot && guard.contains(point) && v.own_until <= in.at) {
    const rm::Snapshot& p = model.snapshots[point];
    const std::string& table = model.snapshots[v.longest.holder].tables[v.longest.table].table;
    return {fmt::format("needed by {} ({}) of {}.{} (chain)", p.label, guard.at(point), p.database, table)};
  }
  return rm::reasons(model.snapshots, ev, i, in.at, in.zone);
}

const Listed* listed_of(const RepositoryListing& listing, const std::string& label) {
  auto it = listing.snapshots.find(label);
  return it == listing.snapshots.end() ? nullptr : &it->second;
}

// Whether the repository shows exactly the snapshot the history recorded; the disagreement otherwise.
std::optional<std::string> disagreement(const restore::Snapshot& s, const RepositoryListing& listing) {
  const Listed* listed = listed_of(listing, s.attempt.label.str());
  if (listed == nullptr) {
    return "history and repository disagree: the history has it FINISHED, the repository does not list it";
  }
  const Listed& l = *listed;
  if (l.status != "OK") return fmt::format("history and repository disagree: the repository says '{}'", l.status);
  if (l.timestamps.size() != 1) {
    return fmt::format("history and repository disagree: the repository lists {} backups under this label",
                       l.timestamps.size());
  }
  if (s.attempt.backup_timestamp && *s.attempt.backup_timestamp != l.timestamps.front()) {
    return fmt::format("history and repository disagree: backup timestamp {} recorded, {} listed",
                       s.attempt.backup_timestamp->str(), l.timestamps.front().str());
  }
  return std::nullopt;
}

// An earlier expire's row decides: one still deleting (or failed) is deleted again; one deleted that the repository
// still lists is held.
void apply_record(const ops::ExpiryRecord& record, const ExpireInput& in, Decision& d) {
  if (record.state == ops::ExpiryState::kDeleted) {
    d.verdict = Verdict::kHold;
    d.reasons = {fmt::format("recorded as deleted {} by an earlier expire, yet the repository still lists it",
                             in.zone.local_date(record.decided_at))};
    return;
  }
  d.verdict = Verdict::kExpire;
  d.resumed = true;
  d.reasons = {fmt::format("resuming the deletion decided {} ({})", in.zone.local_date(record.decided_at),
                           record.reason)};
}

// The StarRocks ttl of a kept snapshot when it ends before the keep horizon (or its end cannot be read).
std::optional<TtlConflict> ttl_conflict(const Listed* listed, Instant keep_until) {
  if (!listed || !listed->ttl) return std::nullopt;
  if (listed->ttl_expires && *listed->ttl_expires >= keep_until) return std::nullopt;
  return TtlConflict{*listed->ttl, listed->ttl_expires, listed->expire_text.value_or(""), keep_until, {}, false};
}

std::string ttl_warning(const TtlConflict& c, const TimeZone& zone) {
  const std::string only =
      c.only_restore_point ? fmt::format(" and with it the only {}", c.restore_point) : std::string();
  if (!c.expires) {
    return fmt::format("WARNING: its StarRocks ttl '{}' (ExpireTime '{}', unreadable) may delete it before {}{}", c.ttl,
                       c.expire_text, zone.local_date(c.keep_until), only);
  }
  return fmt::format("WARNING: its StarRocks ttl '{}' deletes it on {}{}", c.ttl, zone.local_date(*c.expires), only);
}

// Retained restore points (own retention not yet over) per (database, tier).
std::map<std::pair<std::string, std::string>, int> retained_points(const ModelHistory& model, const rm::Evaluation& ev,
                                                                   Instant at) {
  std::map<std::pair<std::string, std::string>, int> out;
  for (size_t j = 0; j < model.snapshots.size(); ++j) {
    if (ev.verdicts[j].own_until > at) ++out[{model.snapshots[j].database, model.snapshots[j].tier}];
  }
  return out;
}

// A kept data snapshot's ttl conflict, naming the restore point it would break: its own, or the one whose chain
// keeps it longest.
void judge_ttl(const ModelHistory& model, const rm::Evaluation& ev, size_t i, const ExpireInput& in,
               const RepositoryListing& listing, const std::map<std::pair<std::string, std::string>, int>& retained,
               Decision& d) {
  d.ttl = ttl_conflict(listed_of(listing, d.label.str()), *d.keep_until);
  if (!d.ttl) return;
  const rm::Verdict& v = ev.verdicts[i];
  const size_t p = v.longest.point != rm::kNoSnapshot && v.keep_until > v.own_until ? v.longest.point : i;
  const rm::Snapshot& point = model.snapshots[p];
  d.ttl->restore_point =
      fmt::format("{} restore point {} of {}", point.tier, in.zone.local_date(point.taken), point.database);
  auto it = retained.find({point.database, point.tier});
  d.ttl->only_restore_point = it == retained.end() || it->second <= 1;
  d.reasons.push_back(ttl_warning(*d.ttl, in.zone));
}

Decision data_decision(const restore::Snapshot& s, bool keep, std::vector<std::string> reasons) {
  const ops::BackupAttempt& a = s.attempt;
  return Decision{a.repository, a.label, a.database, Kind::kData, a.tiers, a.backup_timestamp,
                  a.slot.value_or(s.point()), keep ? Verdict::kKeep : Verdict::kExpire, std::move(reasons)};
}

void decide_data(const ExpireInput& in, const Expiries& expiries, std::map<std::string, const RepositoryListing*>& repos,
                 std::vector<Decision>& out) {
  ModelHistory model =
      to_model(in.history, in.retain, in.zone, [&](const restore::Snapshot& s) { return !deleted(expiries, s); },
               in.keeps);
  const std::map<size_t, std::string> guard = guards(model, in);
  for (const auto& [i, why] : guard) {
    rm::Snapshot& s = model.snapshots[i];
    if (s.expires() <= in.at) s.until = in.at + Duration::from_seconds(1);
  }
  const rm::Evaluation ev = rm::evaluate(model.snapshots, in.at);
  const auto retained = retained_points(model, ev, in.at);
  for (size_t i = 0; i < model.source.size(); ++i) {
    const restore::Snapshot& s = *model.source[i];
    auto repo = repos.find(s.attempt.repository.str());
    if (repo == repos.end()) continue;  // another repository: weighed for chains, not judged
    Decision d = data_decision(s, ev.verdicts[i].keep, data_reasons(model, ev, guard, i, in));
    const ops::ExpiryRecord* record = expiries.find(s.attempt.repository.str(), s.attempt.label.str());
    if (record) apply_record(*record, in, d);
    if (d.verdict == Verdict::kExpire && !record) {
      if (auto why = disagreement(s, *repo->second)) {
        d.verdict = Verdict::kHold;
        d.reasons.push_back(*why + "; not deleted");
      }
    }
    if (d.verdict == Verdict::kKeep) {
      d.keep_until = ev.verdicts[i].keep_until;
      judge_ttl(model, ev, i, in, *repo->second, retained, d);
    }
    out.push_back(std::move(d));
  }
}

// Catalog and canary snapshots and unknown labels, from one repository's listing.
void decide_listed(const ExpireInput& in, const RepositoryListing& listing, const std::set<std::string>& in_history,
                   const Expiries& expiries, std::vector<Decision>& out) {
  std::optional<std::string> newest_catalog, newest_canary;
  // Newest catalog: the latest label instant (second precision), then the latest backup timestamp — the order
  // restore --from-repository uses (catalog.h); two runs can publish within one second.
  const auto catalog_order = [&](const std::string& l) {
    const auto& stamps = listing.snapshots.at(l).timestamps;
    return std::pair(*catalog::catalog_label_instant(l), stamps.empty() ? std::string() : stamps.back().str());
  };
  for (const auto& [label, listed] : listing.snapshots) {
    if (label.starts_with(catalog::kLabelPrefix) && catalog::catalog_label_instant(label)) {
      if (!newest_catalog || catalog_order(label) > catalog_order(*newest_catalog)) newest_catalog = label;
    } else if (label.starts_with(kCanaryPrefix) && !listed.timestamps.empty()) {
      auto latest = [&](const std::string& l) { return listing.snapshots.at(l).timestamps.back().str(); };
      if (!newest_canary || listed.timestamps.back().str() > latest(*newest_canary)) newest_canary = label;
    }
  }
  for (const auto& [label, listed] : listing.snapshots) {
    if (in_history.contains(label)) continue;
    auto parsed = SnapshotLabel::parse(label);
    if (!parsed) continue;  // not a label starkeep could have written or could name in DROP SNAPSHOT
    Decision d{listing.repository, *parsed, std::nullopt, Kind::kUnknown, {}, std::nullopt, std::nullopt,
               Verdict::kKeep, {}};
    if (!listed.timestamps.empty()) d.backup_timestamp = listed.timestamps.back();
    const ops::ExpiryRecord* record = expiries.find(listing.repository.str(), label);
    if (label.starts_with(catalog::kLabelPrefix) && catalog::catalog_label_instant(label)) {
      d.kind = Kind::kCatalog;
      d.database = in.ops_database;
      d.taken = catalog::catalog_label_instant(label);
      if (label == newest_catalog) {
        d.reasons.push_back("newest catalog snapshot");
      } else if (*d.taken + in.catalog_keep > in.at) {
        d.reasons.push_back(fmt::format("catalog snapshot until {} (kept as long as the shortest retention, {})",
                                        in.zone.local_date(*d.taken + in.catalog_keep), in.catalog_keep.to_string()));
      }
      if (label == newest_catalog || *d.taken + in.catalog_keep > in.at) {
        d.keep_until = *d.taken + in.catalog_keep;
        d.ttl = ttl_conflict(&listed, *d.keep_until);
        if (d.ttl) {
          d.ttl->restore_point = "catalog snapshot (cold-start recovery)";
          d.ttl->only_restore_point = label == newest_catalog;
          d.reasons.push_back(ttl_warning(*d.ttl, in.zone));
        }
      } else {
        d.verdict = Verdict::kExpire;
        d.reasons.push_back(fmt::format("catalog snapshot older than {} and than the newest ({})",
                                        in.catalog_keep.to_string(), *newest_catalog));
      }
    } else if (label.starts_with(kCanaryPrefix)) {
      d.kind = Kind::kCanary;
      d.database = in.ops_database;
      if (label == newest_canary) {
        d.reasons.push_back("newest canary snapshot");
      } else {
        d.verdict = Verdict::kExpire;
        d.reasons.push_back(fmt::format("canary of an earlier run (holds no data; newest canary: {})",
                                        newest_canary ? *newest_canary : std::string("none")));
      }
    } else if (!record) {
      d.reasons.push_back("not in ops.backup_history: expire never deletes it (repository check reports it)");
    }
    if (record) apply_record(*record, in, d);
    out.push_back(std::move(d));
  }
}

int kind_rank(Kind k) { return static_cast<int>(k); }

}  // namespace

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::kData:
      return "data";
    case Kind::kCatalog:
      return "catalog";
    case Kind::kCanary:
      return "canary";
    case Kind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kKeep:
      return "keep";
    case Verdict::kExpire:
      return "expire";
    case Verdict::kHold:
      return "hold";
  }
  return "hold";
}

std::size_t ExpirePlan::count(Verdict verdict) const {
  return static_cast<std::size_t>(
      std::count_if(decisions.begin(), decisions.end(), [&](const Decision& d) { return d.verdict == verdict; }));
}

ExpirePlan decide(const ExpireInput& in) {
  Expiries expiries;
  for (const ops::ExpiryRecord& r : in.expiries) expiries.by_key[{r.repository.str(), r.label.str()}] = &r;
  std::map<std::string, const RepositoryListing*> repos;
  for (const RepositoryListing& l : in.repositories) repos[l.repository.str()] = &l;
  ExpirePlan plan;
  decide_data(in, expiries, repos, plan.decisions);
  for (const RepositoryListing& listing : in.repositories) {
    std::set<std::string> in_history;
    for (const restore::Snapshot& s : in.history) {
      if (s.attempt.repository == listing.repository && !deleted(expiries, s)) {
        in_history.insert(s.attempt.label.str());
      }
    }
    decide_listed(in, listing, in_history, expiries, plan.decisions);
  }
  auto key = [](const Decision& d) {
    return std::tuple(d.repository.str(), kind_rank(d.kind), d.database ? d.database->str() : std::string(),
                      d.taken.value_or(Instant::from_unix_seconds(0)), d.label.str());
  };
  std::stable_sort(plan.decisions.begin(), plan.decisions.end(),
                   [&](const Decision& a, const Decision& b) { return key(a) < key(b); });
  return plan;
}

}  // namespace sk::expire
