// Repositories: CREATE/DROP REPOSITORY, SHOW REPOSITORIES, the reachability "ping", SHOW SNAPSHOT and DROP
// SNAPSHOT.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "emulator/backup/service_impl.h"
#include "emulator/backup/statement_lexer.h"

namespace sk::emu {

namespace fs = std::filesystem;
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
          clock.datetime(SysClock::now()), r.remote_dir());
    }
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

QueryResult BackupService::Impl::create_repository(const CreateRepositoryStmt& s) {
  if (s.broker) return error(Origin::kDdl, fmt::format("broker does not exist: {}", *s.broker));
  if (!safe_name(s.name))
    return error(Origin::kAnalyzer, fmt::format("Incorrect repository name '{}'", s.name));
  std::string location = normalize_location(s.location);
  auto mapped = map_location(config().repository_root, location);
  if (!mapped) return error(Origin::kDdl, "Failed to create repository: " + mapped.error().message);
  fs::path dir = *mapped / (std::string(kRepoDirPrefix) + s.name);
  std::string remote_info = fmt::format("{}/{}{}/__repo_info", location, kRepoDirPrefix, s.name);
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
  Repo r;
  r.id = next_id++;
  r.name = s.name;
  r.read_only = s.read_only;
  r.location = location;
  r.dir = dir;
  fs::path info_path = dir / "__repo_info";
  std::error_code ec;
  if (fs::exists(info_path, ec)) {
    // Another cluster (emulator instance) created it: adopt it and its snapshots.
    auto text = read_file(info_path);
    if (!text) return error(Origin::kDdl, "Failed to create repository: " + text.error().message);
    try {
      auto j = nlohmann::json::parse(*text);
      r.create_time = j.at("create_time").get<std::string>();
    } catch (const std::exception&) {
      return error(Origin::kDdl,
                   "Failed to create repository: failed to read repo info file: " + remote_info);
    }
  } else {
    r.create_time = clock.datetime(SysClock::now());
    nlohmann::json j{{"name", s.name}, {"create_time", r.create_time}};
    if (auto st = write_plain_file(info_path, j.dump()); !st) {
      return error(Origin::kDdl, "Failed to create repository: " + st.error().message);
    }
  }
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
  std::lock_guard lock(mu);
  std::vector<Repo*> sorted;
  for (auto& [name, r] : repos) {
    (void)name;
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
  fs::path dir = r.dir / (std::string(kSnapshotDirPrefix) + label);
  auto files = list_files_with_prefix(dir, kInfoPrefix);
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
  fs::path dir = r.dir / (std::string(kSnapshotDirPrefix) + label);
  auto files = list_files_with_prefix(dir, std::string(kInfoPrefix) + ts);
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
  auto text = read_file(dir / files->front());
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
  if (s.labels.size() == 1 && s.timestamp && !s.label_in_list) {
    ResultSet rs = make_result({"Snapshot", "Timestamp", "Database", "Details", "Status"});
    auto info = read_info(repo, s.labels.front(), *s.timestamp);
    if (!info) {
      rs.rows.push_back({s.labels.front(), *s.timestamp, std::nullopt, std::nullopt,
                         "Failed to get info: " + info.error().message});
    } else {
      rs.rows.push_back(
          {s.labels.front(), *s.timestamp, info->db_name, info_to_json(*info, false).dump(1), "OK"});
    }
    return rs;
  }
  ResultSet rs = make_result({"Snapshot", "Timestamp", "Status"});
  if (repo.unreachable) {
    if (s.labels.empty()) {
      return error(Origin::kPlain, fmt::format("Failed to list snapshot in repo: {}, err: {}", repo.name,
                                               list_error(repo, std::string(kSnapshotDirPrefix) + "*")));
    }
    for (const std::string& l : s.labels) {
      rs.rows.push_back({l, std::nullopt,
                         "ERROR: Failed to get info: " +
                             list_error(repo, fmt::format("{}{}/{}*", kSnapshotDirPrefix, l, kInfoPrefix))});
    }
    return rs;
  }
  std::vector<std::string> labels = s.labels;
  if (labels.empty()) {
    auto listed = list_snapshot_labels(repo.dir);
    if (!listed) {
      return error(Origin::kPlain, fmt::format("Failed to list snapshot in repo: {}, err: {}", repo.name,
                                               listed.error().message));
    }
    labels = *listed;
  }
  for (const std::string& l : labels) rs.rows.push_back(snapshot_row(repo, l));
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
  auto labels = list_snapshot_labels(repo.dir);
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
  fs::path dir = repo.dir / (std::string(kSnapshotDirPrefix) + s.label);
  if (!s.force) {
    std::optional<std::string> owner;
    auto files = list_files_with_prefix(dir, kInfoPrefix);
    if (files) {
      for (const std::string& f : *files) {
        std::string name, md5;
        if (!decode_checksum_name(f, name, md5)) continue;
        auto text = read_file(dir / f);
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
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) {
    return error(Origin::kDdl, fmt::format("Failed to delete snapshot {} in repository {}: {}", s.label,
                                           repo.name, ec.message()));
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
  fs::path content = repo.dir / (std::string(kSnapshotDirPrefix) + s.label) / kContentDir;
  std::vector<fs::path> data_files;
  std::error_code ec;
  if (fs::exists(content, ec)) {
    for (const auto& e : fs::recursive_directory_iterator(content, ec)) {
      std::string n = e.path().filename().string();
      std::string base, md5;
      if (e.is_regular_file() && decode_checksum_name(n, base, md5) && base.ends_with(".dat")) {
        data_files.push_back(e.path());
      }
    }
  }
  if (data_files.empty()) {
    return error(Origin::kPlain,
                 fmt::format("Snapshot {} has no data file in repository {}", s.label, s.repo));
  }
  std::sort(data_files.begin(), data_files.end());
  std::ofstream out(data_files.front(), std::ios::binary | std::ios::app);
  out << "[\"corrupted\"]\n";
  if (!out) return error(Origin::kPlain, "failed to write " + data_files.front().string());
  return OkResult{};
}

}  // namespace sk::emu
