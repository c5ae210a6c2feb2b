// The 4.2 leader FE's automatic deletion of expired snapshots (BackupHandler.cleanExpiredSnapshots, PR #78092) and
// SHOW SNAPSHOT's retention columns. Only snapshots this cluster wrote with a `ttl` can ever qualify (the info file
// must name this cluster's id, which is fresh per emulator instance), so the cleaner watches those instead of listing
// every repository each round; before deleting it re-reads the info file, as the FE re-checks under its lock.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "emulator/backup/service_impl.h"

namespace sk::emu {

using namespace sk::emu::backup;  // NOLINT: implementation files of the backup module

namespace {

int64_t epoch_ms(SysClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::vector<std::optional<std::string>> BackupService::Impl::retention_cells(const Result<SnapshotInfo>& info) const {
  if (!info || !info->finish_time_ms) return {std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  auto stamp = [&](int64_t ms) {
    return clock.backup_timestamp(SysClock::time_point{std::chrono::milliseconds(ms)});
  };
  return {info->cluster_id.empty() ? std::nullopt : std::optional<std::string>(info->cluster_id),
          stamp(*info->finish_time_ms), info->ttl,
          info->expire_time_ms ? std::optional<std::string>(stamp(*info->expire_time_ms)) : std::nullopt};
}

std::optional<bool> BackupService::Impl::still_expired(const Repo& repo, const TtlWatch& w, int64_t now_ms) const {
  auto info = read_info(repo, w.label, w.timestamp);
  if (!info) {
    if (info.error().code == "repo.not_found") return false;  // dropped (or taken again) meanwhile
    return std::nullopt;
  }
  return info->cluster_id == cluster_id && info->expire_time_ms && *info->expire_time_ms <= now_ms;
}

void BackupService::Impl::clean_expired_snapshots() {
  const int64_t now_ms = epoch_ms(now());
  std::vector<TtlWatch> due;
  {
    std::lock_guard lock(mu);
    for (const TtlWatch& w : ttl_watch) {
      if (w.expire_ms <= now_ms) due.push_back(w);
    }
  }
  for (const TtlWatch& w : due) {
    std::lock_guard submit(submit_mu);  // the FE takes the BackupHandler lock for each deletion
    Repo repo;
    {
      std::lock_guard lock(mu);
      auto it = repos.find(w.repo);
      if (it == repos.end() || it->second.read_only || repo_unreachable(it->second)) continue;  // next round
      const bool in_use = std::any_of(jobs.begin(), jobs.end(), [&](const auto& kv) {
        const Job& j = *kv.second;
        return !j.done() && !j.foreign && j.repo_id == it->second.id && j.label == w.label;
      });
      if (in_use) continue;
      repo = copy_locked(it->second);
    }
    auto expired = still_expired(repo, w, now_ms);
    if (!expired) continue;
    bool settled = !*expired;
    if (*expired) settled = static_cast<bool>(repo.storage->remove_tree(snapshot_dir(w.label)));
    if (!settled) continue;  // a failed deletion is retried next round
    std::lock_guard lock(mu);
    std::erase_if(ttl_watch, [&](const TtlWatch& x) {
      return x.repo == w.repo && x.label == w.label && x.timestamp == w.timestamp;
    });
  }
}

QueryResult BackupService::Impl::advance_clock(const AdvanceClockStmt& s) {
  cluster.advance_clock(std::chrono::seconds(s.seconds));
  if (version.at_least(4, 2)) clean_expired_snapshots();
  return OkResult{};
}

}  // namespace sk::emu
