// Repositories: CREATE/DROP REPOSITORY, SHOW REPOSITORIES, the reachability "ping", SHOW SNAPSHOT and DROP
// SNAPSHOT.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "emulator/backup/service_impl.h"
#include "emulator/backup/statement_lexer.h"

namespace sk::emu {

using namespace sk::emu::backup;  // NOLINT: implementation files of the backup module

bool BackupService::Impl::location_unreachable(const std::string& location) const {
  for (const std::string& prefix : unreachable_locations) {
    if (location.starts_with(prefix)) return true;
  }
  return false;
}

void BackupService::Impl::ping_locked(Repo& r) {
  if (repo_unreachable(r)) {
    if (!r.err_msg) {
      r.err_msg = fmt::format(
          "{}: failed to check path exist: {}. msg: Unable to execute HTTP request: connect "
          "timed out (Service: S3, Status Code: 503)",
          clock.datetime(cluster.now()), r.remote_dir());
    }
  } else if (r.storage_error) {
    r.err_msg = fmt::format("{}: failed to check path exist: {}. msg: {}", clock.datetime(cluster.now()),
                            r.remote_dir(), *r.storage_error);
  } else {
    r.err_msg.reset();
  }
}

Repo BackupService::Impl::copy_locked(const Repo& r) const {
  Repo c = r;
  c.unreachable = repo_unreachable(r);
  return c;
}

std::string BackupService::Impl::list_error(const Repo& r, std::string_view what) const {
  return fmt::format("failed to list remote path: {}/{}. msg: listPath failed", r.remote_dir(), what);
}

namespace {

StorageSettings storage_settings(const EmulatorConfig& c) {
  StorageSettings out;
  out.backend = c.repository_backend == "s3" ? StorageBackend::kS3 : StorageBackend::kLocal;
  out.repository_root = c.repository_root;
  out.s3 = {c.s3_endpoint, c.s3_region, c.s3_access_key, c.s3_secret_key};
  return out;
}

}  // namespace

QueryResult BackupService::Impl::create_repository(const CreateRepositoryStmt& s) {
  if (s.broker) return error(Origin::kDdl, fmt::format("broker does not exist: {}", *s.broker));
  if (!safe_name(s.name))
    return error(Origin::kAnalyzer, fmt::format("Incorrect repository name '{}'", s.name));
  std::string location = normalize_location(s.location);
  const std::map<std::string, std::string> properties(s.properties.begin(), s.properties.end());
  auto storage = open_repository_storage(storage_settings(config()), location, s.name, properties);
  if (!storage) return error(Origin::kDdl, "Failed to create repository: " + storage.error().message);
  std::string remote_info = fmt::format("{}/{}{}/{}", location, kRepoDirPrefix, s.name, kRepoInfoFile);
  {
    std::lock_guard lock(mu);
    if (repos.contains(s.name)) {
      return error(
          Origin::kDdl,
          fmt::format("Failed to create repository: repository with same name already exist: {}", s.name));
    }
    if (location_unreachable(location)) {
      return error(Origin::kDdl,
                   fmt::format("Failed to create repository: failed to list remote path: {}. msg: "
                               "listPath failed",
                               remote_info));
    }
  }
  Repo r;
  r.name = s.name;
  r.read_only = s.read_only;
  r.location = location;
  r.storage = *storage;
  auto adopted = r.storage->exists(kRepoInfoFile);
  if (!adopted) {
    return error(Origin::kDdl, fmt::format("Failed to create repository: failed to list remote path: {}. msg: {}",
                                           remote_info, adopted.error().message));
  }
  if (*adopted) {
    // Another cluster (emulator instance) created it: adopt it and its snapshots.
    auto text = r.storage->read(kRepoInfoFile);
    if (!text) return error(Origin::kDdl, "Failed to create repository: " + text.error().message);
    try {
      auto j = nlohmann::json::parse(*text);
      r.create_time = j.at("create_time").get<std::string>();
    } catch (const std::exception&) {
      return error(Origin::kDdl,
                   "Failed to create repository: failed to read repo info file: " + remote_info);
    }
  } else {
    r.create_time = clock.datetime(cluster.now());
    nlohmann::json j{{"name", s.name}, {"create_time", r.create_time}};
    if (auto st = r.storage->write(kRepoInfoFile, j.dump()); !st) {
      return error(Origin::kDdl, "Failed to create repository: " + st.error().message);
    }
  }
  std::lock_guard lock(mu);
  if (repos.contains(s.name)) {
    return error(Origin::kDdl,
                 fmt::format("Failed to create repository: repository with same name already exist: {}", s.name));
  }
  r.id = next_id++;
  repos.emplace(r.name, std::move(r));
  return OkResult{};
}

QueryResult BackupService::Impl::drop_repository(const DropRepositoryStmt& s) {
  std::lock_guard submit(submit_mu);
  std::lock_guard lock(mu);
  auto it = repos.find(s.name);
  if (it == repos.end()) return error(Origin::kDdl, "Repository does not exist");
  for (const auto& [db, job] : jobs) {
    (void)db;
    if (!job->done() && !job->foreign && job->repo_id == it->second.id) {
      return error(Origin::kDdl, "Backup or restore job is running on this repository. Can not drop it");
    }
  }
  repos.erase(it);
  return OkResult{};
}

QueryResult BackupService::Impl::show_repositories() {
  ResultSet rs =
      make_result({"RepoId", "RepoName", "CreateTime", "IsReadOnly", "Location", "Broker", "ErrMsg"});
  // The storage probe is I/O: done without `mu`, on copies of the storage handles.
  std::map<std::string, std::shared_ptr<RepositoryStorage>> storages;
  {
    std::lock_guard lock(mu);
    for (const auto& [name, r] : repos) storages.emplace(name, r.storage);
  }
  std::map<std::string, std::optional<std::string>> probed;
  for (const auto& [name, storage] : storages) {
    auto st = storage->probe();
    probed[name] = st ? std::nullopt : std::optional<std::string>(st.error().message);
  }
  std::lock_guard lock(mu);
  std::vector<Repo*> sorted;
  for (auto& [name, r] : repos) {
    if (auto it = probed.find(name); it != probed.end()) r.storage_error = it->second;
    ping_locked(r);
    sorted.push_back(&r);
  }
  std::sort(sorted.begin(), sorted.end(), [](const Repo* a, const Repo* b) { return a->id < b->id; });
  for (const Repo* r : sorted) {
    rs.rows.push_back({std::to_string(r->id), r->name, r->create_time, r->read_only ? "true" : "false",
                       r->location, r->broker, r->err_msg});
  }
  return rs;
}

std::vector<std::optional<std::string>> BackupService::Impl::snapshot_row(const Repo& r,
                                                                          const std::string& label) const {
  auto files = r.storage->files_with_prefix(snapshot_dir(label), kInfoPrefix);
  if (!files) return {label, std::nullopt, "ERROR: Failed to get info: " + files.error().message};
  std::vector<std::string> stamps;
  for (const std::string& f : *files) {
    std::string name, md5;
    if (!decode_checksum_name(f, name, md5)) {
      stamps.push_back("Invalid: " + f);
      continue;
    }
    stamps.push_back(name.substr(kInfoPrefix.size()));
  }
  return {label, join(stamps, "\n"), stamps.empty() ? "ERROR: no snapshot" : "OK"};
}

Result<SnapshotInfo> BackupService::Impl::read_info(const Repo& r, const std::string& label,
                                                    const std::string& ts) const {
  std::string remote =
      fmt::format("{}/{}{}/{}{}", r.remote_dir(), kSnapshotDirPrefix, label, kInfoPrefix, ts);
  if (r.unreachable) {
    return sk::fail("repo.unreachable", "failed to list remote path: {}*. msg: listPath failed", remote);
  }
  auto files = r.storage->files_with_prefix(snapshot_dir(label), std::string(kInfoPrefix) + ts);
  if (!files) return std::unexpected(files.error());
  if (files->size() != 1) {
    return sk::fail("repo.not_found", "Expected one file with path: {}. get: {}", remote, files->size());
  }
  std::string name, md5;
  if (!decode_checksum_name(files->front(), name, md5)) {
    return sk::fail("repo.bad_file", "file name should contains checksum: {}/{}{}/{}", r.remote_dir(),
                    kSnapshotDirPrefix, label, files->front());
  }
  if (name != std::string(kInfoPrefix) + ts)
    return sk::fail("repo.not_found", "File does not exist: {}", remote);
  auto text = r.storage->read(snapshot_dir(label) + "/" + files->front());
  if (!text) return std::unexpected(text.error());
  if (md5_hex(*text) != md5) {
    return sk::fail("repo.bad_file", "md5sum does not equal. local: {}, remote: {}", md5_hex(*text), md5);
  }
  return info_from_json(*text);
}

QueryResult BackupService::Impl::show_snapshot(const ShowSnapshotStmt& s) {
  Repo repo;
  {
    std::lock_guard lock(mu);
    auto it = repos.find(s.repo);
    if (it == repos.end())
      return error(Origin::kAnalyzer, fmt::format("Repository {} does not exist", s.repo));
    repo = copy_locked(it->second);
  }
  // 4.2 adds ClusterId, FinishTime, TTL, ExpireTime after Status in both forms.
  const bool retention = version.at_least(4, 2);
  auto columns = [&](std::vector<std::string> base) {
    if (retention) base.insert(base.end(), {"ClusterId", "FinishTime", "TTL", "ExpireTime"});
    return base;
  };
  auto with_retention = [&](std::vector<std::optional<std::string>> row, const Result<SnapshotInfo>& info) {
    if (!retention) return row;
    auto cells = retention_cells(info);
    row.insert(row.end(), cells.begin(), cells.end());
    return row;
  };
  if (s.labels.size() == 1 && s.timestamp && !s.label_in_list) {
    ResultSet rs = make_result(columns({"Snapshot", "Timestamp", "Database", "Details", "Status"}));
    auto info = read_info(repo, s.labels.front(), *s.timestamp);
    if (!info) {
      rs.rows.push_back(with_retention({s.labels.front(), *s.timestamp, std::nullopt, std::nullopt,
                                        "Failed to get info: " + info.error().message},
                                       info));
    } else {
      rs.rows.push_back(with_retention(
          {s.labels.front(), *s.timestamp, info->db_name, info_to_json(*info, false).dump(1), "OK"}, info));
    }
    return rs;
  }
  const Result<SnapshotInfo> unread = sk::fail("repo.unread", "not read");
  ResultSet rs = make_result(columns({"Snapshot", "Timestamp", "Status"}));
  if (repo.unreachable) {
    if (s.labels.empty()) {
      return error(Origin::kPlain, fmt::format("Failed to list snapshot in repo: {}, err: {}", repo.name,
                                               list_error(repo, std::string(kSnapshotDirPrefix) + "*")));
    }
    for (const std::string& l : s.labels) {
      rs.rows.push_back(with_retention(
          {l, std::nullopt,
           "ERROR: Failed to get info: " + list_error(repo, fmt::format("{}{}/{}*", kSnapshotDirPrefix, l, kInfoPrefix))},
          unread));
    }
    return rs;
  }
  std::vector<std::string> labels = s.labels;
  if (labels.empty()) {
    auto listed = repo.storage->snapshot_labels();
    if (!listed) {
      return error(Origin::kPlain, fmt::format("Failed to list snapshot in repo: {}, err: {}", repo.name,
                                               listed.error().message));
    }
    labels = *listed;
  }
  for (const std::string& l : labels) {
    auto row = snapshot_row(repo, l);
    if (!retention) {
      rs.rows.push_back(std::move(row));
      continue;
    }
    // The newest backup of the label (the last timestamp listed) gives the retention columns.
    std::optional<std::string> newest;
    if (row[2] == "OK" && row[1]) newest = row[1]->substr(row[1]->rfind('\n') + 1);
    rs.rows.push_back(with_retention(std::move(row), newest && !newest->starts_with("Invalid: ")
                                                         ? read_info(repo, l, *newest)
                                                         : unread));
  }
  return rs;
}

QueryResult BackupService::Impl::drop_snapshot(const DropSnapshotStmt& s) {
  std::lock_guard submit(submit_mu);
  Repo repo;
  {
    std::lock_guard lock(mu);
    if (refuse_submits > 0) {
      --refuse_submits;
      return error(Origin::kDdl, refuse_submit_text.value_or(std::string(kSubmitLockBusy)));
    }
    auto it = repos.find(s.repo);
    if (it == repos.end()) return error(Origin::kDdl, "Repository does not exist: " + s.repo);
    repo = it->second;
    if (repo.read_only) return error(Origin::kDdl, fmt::format("Repository {} is read only", repo.name));
    if (repo_unreachable(repo)) {
      return error(Origin::kDdl, fmt::format("Failed to list snapshots in repository {}: {}", repo.name,
                                             list_error(repo, std::string(kSnapshotDirPrefix) + "*")));
    }
  }
  auto labels = repo.storage->snapshot_labels();
  if (!labels) {
    return error(Origin::kDdl, fmt::format("Failed to list snapshots in repository {}: {}", repo.name,
                                           labels.error().message));
  }
  if (std::find(labels->begin(), labels->end(), s.label) == labels->end()) {
    return error(Origin::kDdl,
                 fmt::format("Snapshot does not exist in repository {}: {}", repo.name, s.label));
  }
  {
    std::lock_guard lock(mu);
    for (const auto& [db, job] : jobs) {
      (void)db;
      if (job->done() || job->foreign || job->repo_id != repo.id || job->label != s.label) continue;
      return error(Origin::kDdl, fmt::format("Can not drop snapshot {}: a {} {} it", s.label,
                                             job->kind == JobKind::kBackup ? "backup" : "restore",
                                             job->kind == JobKind::kBackup ? "is writing" : "is reading"));
    }
  }
  const std::string dir = snapshot_dir(s.label);
  if (!s.force) {
    std::optional<std::string> owner;
    auto files = repo.storage->files_with_prefix(dir, kInfoPrefix);
    if (files) {
      for (const std::string& f : *files) {
        std::string name, md5;
        if (!decode_checksum_name(f, name, md5)) continue;
        auto text = repo.storage->read(dir + "/" + f);
        if (!text) continue;
        auto info = info_from_json(*text);
        if (info && !info->cluster_id.empty()) owner = info->cluster_id;
      }
    }
    if (!owner || *owner != cluster_id) {
      std::string whose =
          owner ? "was created by cluster " + *owner : "does not record which cluster created it";
      return error(Origin::kDdl,
                   fmt::format("Snapshot {} in repository {} {}, and this cluster is {}. Use DROP "
                               "SNAPSHOT ... FORCE to drop it anyway",
                               s.label, repo.name, whose, cluster_id));
    }
  }
  if (auto removed = repo.storage->remove_tree(dir); !removed) {
    return error(Origin::kDdl, fmt::format("Failed to delete snapshot {} in repository {}: {}", s.label,
                                           repo.name, removed.error().message));
  }
  return OkResult{};
}

QueryResult BackupService::Impl::corrupt_snapshot(const CorruptSnapshotStmt& s) {
  Repo repo;
  {
    std::lock_guard lock(mu);
    auto it = repos.find(s.repo);
    if (it == repos.end()) return error(Origin::kPlain, fmt::format("Repository {} does not exist", s.repo));
    repo = it->second;
  }
  auto files = repo.storage->files_under(content_dir(s.label));
  std::vector<std::string> data_files;
  if (files) {
    for (const std::string& f : *files) {
      std::string n = f.substr(f.rfind('/') + 1);
      std::string base, md5;
      if (decode_checksum_name(n, base, md5) && base.ends_with(".dat")) data_files.push_back(f);
    }
  }
  if (data_files.empty()) {
    return error(Origin::kPlain,
                 fmt::format("Snapshot {} has no data file in repository {}", s.label, s.repo));
  }
  auto text = repo.storage->read(data_files.front());
  if (!text) return error(Origin::kPlain, text.error().message);
  if (auto st = repo.storage->write(data_files.front(), *text + "[\"corrupted\"]\n"); !st) {
    return error(Origin::kPlain, st.error().message);
  }
  return OkResult{};
}

}  // namespace sk::emu
