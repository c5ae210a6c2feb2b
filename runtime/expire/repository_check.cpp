#include "runtime/expire/repository_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace sk::expire {
namespace {

// Labels an expire has begun or finished deleting: their absence is expected.
std::set<std::pair<std::string, std::string>> expired_labels(const ExpireInput& in) {
  std::set<std::pair<std::string, std::string>> out;
  for (const ops::ExpiryRecord& r : in.expiries) out.insert({r.repository.str(), r.label.str()});
  return out;
}

void add_missing(const ExpireInput& in, std::vector<Finding>& out) {
  const auto expired = expired_labels(in);
  for (const RepositoryListing& listing : in.repositories) {
    for (const restore::Snapshot& s : in.history) {
      const ops::BackupAttempt& a = s.attempt;
      if (a.state != ops::AttemptState::kFinished || a.repository != listing.repository) continue;
      if (expired.contains({a.repository.str(), a.label.str()}) || listing.snapshots.contains(a.label.str())) continue;
      out.push_back({FindingKind::kMissing, a.repository, a.label.str(), a.database,
                     "FINISHED in ops.backup_history, not in the repository: its restore points are lost", true});
    }
  }
}

// A label whose listing holds no readable backup, or an unfinished upload next to one.
std::optional<std::string> unreadable(const Listed& l) {
  if (l.status != "OK") return fmt::format("the repository says '{}'", l.status);
  for (const BackupTimestamp& t : l.timestamps) {
    if (t.str().starts_with("Invalid: ")) return fmt::format("unfinished upload ({})", t.str().substr(9));
  }
  return std::nullopt;
}

void add_partial(const ExpireInput& in, std::vector<Finding>& out) {
  for (const RepositoryListing& listing : in.repositories) {
    for (const auto& [label, listed] : listing.snapshots) {
      if (auto why = unreadable(listed)) out.push_back({FindingKind::kPartial, listing.repository, label, {}, *why});
    }
  }
}

// The history's recorded timestamp is not the only one listed under the label.
void add_conflicts(const ExpireInput& in, std::vector<Finding>& out) {
  std::map<std::string, const RepositoryListing*> repos;
  for (const RepositoryListing& l : in.repositories) repos[l.repository.str()] = &l;
  for (const restore::Snapshot& s : in.history) {
    const ops::BackupAttempt& a = s.attempt;
    auto repo = repos.find(a.repository.str());
    if (a.state != ops::AttemptState::kFinished || repo == repos.end() || !a.backup_timestamp) continue;
    auto it = repo->second->snapshots.find(a.label.str());
    if (it == repo->second->snapshots.end() || unreadable(it->second)) continue;
    const auto& stamps = it->second.timestamps;
    if (stamps.size() == 1 && stamps.front() == *a.backup_timestamp) continue;
    std::vector<std::string> texts;
    for (const auto& t : stamps) texts.push_back(t.str());
    out.push_back({FindingKind::kConflict, a.repository, a.label.str(), a.database,
                   fmt::format("backup timestamp {} recorded, {} listed", a.backup_timestamp->str(),
                               fmt::join(texts, ", "))});
  }
}

// A kept snapshot whose StarRocks ttl ends before its keep horizon.
Finding ttl_finding(const Decision& d, const TimeZone& zone) {
  const TtlConflict& c = *d.ttl;
  const std::string when = c.expires ? "deletes it on " + zone.local_date(*c.expires)
                                     : fmt::format("may delete it any time (ExpireTime '{}' unreadable)", c.expire_text);
  return {FindingKind::kTtl, d.repository, d.label.str(), d.database,
          fmt::format("its StarRocks ttl '{}' {}, but it is kept until {} ({}){}", c.ttl, when,
                      zone.local_date(c.keep_until), c.restore_point,
                      c.only_restore_point ? "; it is the only one retained of its tier" : ""),
          c.only_restore_point};
}

void add_from_verdicts(const ExpireInput& in, const ExpirePlan& plan, std::vector<Finding>& out) {
  for (const Decision& d : plan.decisions) {
    if (d.ttl) out.push_back(ttl_finding(d, in.zone));
    const std::string why = fmt::format("{}", fmt::join(d.reasons, "; "));
    if (d.verdict == Verdict::kExpire) {
      out.push_back({FindingKind::kOverdue, d.repository, d.label.str(), d.database,
                     "past its expiry and still present (" + why + ")"});
    } else if (d.kind == Kind::kUnknown && d.verdict == Verdict::kKeep) {
      out.push_back({FindingKind::kUnknown, d.repository, d.label.str(), d.database, "not in ops.backup_history"});
    }
  }
}

// The history's (repository, label) pairs (its FINISHED backups).
std::set<std::pair<std::string, std::string>> history_labels(const ExpireInput& in) {
  std::set<std::pair<std::string, std::string>> out;
  for (const restore::Snapshot& s : in.history) out.insert({s.attempt.repository.str(), s.attempt.label.str()});
  return out;
}

const RepositoryListing* server_listing(const ExpireInput& in, const RepositoryName& repo) {
  for (const RepositoryListing& l : in.repositories) {
    if (l.repository == repo) return &l;
  }
  return nullptr;
}

using LabelSet = std::set<std::pair<std::string, std::string>>;

// What a storage directory is judged against, computed once per check.
struct Known {
  LabelSet history;
  LabelSet expired;
  const LabelSet& running;
};

// One storage finding for a snapshot directory, or none.
std::optional<Finding> directory_finding(const ExpireInput& in, const Known& known, const StorageListing& listing,
                                         const std::string& label, const StoredSnapshot& dir) {
  const std::pair<std::string, std::string> key{listing.repository.str(), label};
  if (known.running.contains(key)) return std::nullopt;  // a backup still uploading
  const std::string why = incomplete(dir);
  if (!why.empty()) {
    const bool expiring = known.expired.contains(key);
    return Finding{FindingKind::kPartial, listing.repository, label, {},
                   fmt::format("in storage: {}{}", why,
                               expiring ? " (an interrupted expire left it; the next expire finishes the deletion)"
                                        : "")};
  }
  const RepositoryListing* server = server_listing(in, listing.repository);
  if ((server && server->snapshots.contains(label)) || known.history.contains(key)) return std::nullopt;
  return Finding{FindingKind::kUnknown, listing.repository, label, {},
                 "a complete snapshot directory in storage that SHOW SNAPSHOT does not list, not in "
                 "ops.backup_history"};
}

void add_storage(const ExpireInput& in, const StorageInput& storage, std::vector<Finding>& out) {
  const Known known{history_labels(in), expired_labels(in), storage.running};
  for (const StorageListing& listing : storage.listings) {
    for (const auto& [label, dir] : listing.snapshots) {
      if (auto f = directory_finding(in, known, listing, label, dir)) out.push_back(std::move(*f));
    }
    for (const std::string& key : listing.stray) {
      out.push_back({FindingKind::kUnknown, listing.repository, key, {},
                     fmt::format("an object outside the snapshot layout under {}", listing.prefix)});
    }
  }
}

// One finding per (kind, repository, label): a storage finding the server's view already made adds its detail.
void merge(std::vector<Finding>& base, std::vector<Finding> extra) {
  for (Finding& f : extra) {
    auto same = std::find_if(base.begin(), base.end(), [&](const Finding& b) {
      return b.kind == f.kind && b.repository == f.repository && b.label == f.label;
    });
    if (same == base.end()) {
      base.push_back(std::move(f));
    } else {
      same->detail += "; " + f.detail;
    }
  }
}

void sort_findings(std::vector<Finding>& out) {
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tuple(static_cast<int>(a.kind), a.repository.str(), a.label) <
           std::tuple(static_cast<int>(b.kind), b.repository.str(), b.label);
  });
}

std::vector<Finding> server_findings(const ExpireInput& input, const ExpirePlan& plan) {
  std::vector<Finding> out;
  add_missing(input, out);
  add_conflicts(input, out);
  add_partial(input, out);
  add_from_verdicts(input, plan, out);
  return out;
}

}  // namespace

std::string_view severity_of(const Finding& f) { return f.critical ? "critical" : "warning"; }

std::vector<Finding> check_findings(const ExpireInput& input, const ExpirePlan& plan) {
  std::vector<Finding> out = server_findings(input, plan);
  sort_findings(out);
  return out;
}

std::vector<Finding> check_findings(const ExpireInput& input, const ExpirePlan& plan, const StorageInput& storage) {
  std::vector<Finding> out = server_findings(input, plan);
  std::vector<Finding> extra;
  add_storage(input, storage, extra);
  merge(out, std::move(extra));
  sort_findings(out);
  return out;
}

}  // namespace sk::expire
