// The timer thread and the backup/restore state machines: what each state does when it ends, timeouts,
// storage failures, and cancellation that undoes what a restore created.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "emulator/backup/service_impl.h"
#include "emulator/backup/statement_lexer.h"

namespace sk::emu {

using namespace sk::emu::backup;  // NOLINT: implementation files of the backup module

namespace {

StepResult common_error(const std::string& message) { return StepResult::fail(status_text("COMMON_ERROR", message)); }

// What a restore has created so far: cancelling the job drops it again.
struct RestoreCreations {
  std::vector<std::string> tables;
  std::vector<std::pair<std::string, std::string>> partitions;  // (table, partition)
};

// The job's tables as the snapshot meta describes them, with only the job's partitions.
struct SelectedMeta {
  std::vector<TableSchema> schemas;
  int64_t bytes = 0;  // data size of the selected partitions
};

bool has_partition(const TableSchema& table, const std::string& name) {
  return std::any_of(table.partitions.begin(), table.partitions.end(),
                     [&](const PartitionSchema& e) { return e.name == name; });
}

// The meta file of the snapshot in `dir`: exactly one file whose name starts with it (Repository.download);
// otherwise the FE's message, which names `remote_meta`.
std::expected<std::vector<TableSchema>, std::string> read_snapshot_meta(RepositoryStorage& storage,
                                                                        const std::string& dir,
                                                                        const std::string& remote_meta) {
  auto files = storage.files_with_prefix(dir, kMetaFile);
  if (!files || files->size() != 1) {
    return std::unexpected(
        fmt::format("Expected one file with path: {}. get: {}", remote_meta, files ? files->size() : 0));
  }
  auto text = storage.read(dir + "/" + files->front());
  if (!text) return std::unexpected(text.error().message);
  auto meta = meta_from_json(*text);
  if (!meta) return std::unexpected(meta.error().message);
  return std::move(*meta);
}

// The snapshot meta of each table the job restores, keeping the partitions the job restores that the meta has.
std::expected<SelectedMeta, std::string> select_restore_meta(const SnapshotInfo& snapshot,
                                                             const std::vector<TableSchema>& meta) {
  SelectedMeta selected;
  for (const SnapshotTable& t : snapshot.tables) {
    auto it = std::find_if(meta.begin(), meta.end(), [&](const TableSchema& s) { return s.name == t.schema.name; });
    if (it == meta.end()) {
      return std::unexpected(fmt::format("Table {} does not exist in snapshot meta", t.schema.name));
    }
    TableSchema s = *it;
    std::vector<PartitionSchema> parts;
    for (const SnapshotPartition& p : t.partitions) {
      auto pit = std::find_if(s.partitions.begin(), s.partitions.end(),
                              [&](const PartitionSchema& ps) { return ps.name == p.schema.name; });
      if (pit != s.partitions.end()) {
        parts.push_back(*pit);
        selected.bytes += pit->data_size;
      }
    }
    s.partitions = std::move(parts);
    selected.schemas.push_back(std::move(s));
  }
  return selected;
}

// Why the existing table `local` cannot take the snapshot's table (RestoreJob's message), or empty.
std::string existing_table_conflict(const TableSchema& existing, const TableSchema& snap, const std::string& local,
                                    int replication_num) {
  std::string diff = schema_difference(existing, snap);
  if (diff == "key type") return fmt::format("Table {} already exist but with different key type", local);
  if (!diff.empty()) return fmt::format("Table {} already exist but with different schema, {}", local, diff);
  return partition_conflict(existing, snap, replication_num);
}

// True when restoring `snap` creates a table or a partition, i.e. needs replication_num alive backends.
bool creates_replicas(const std::optional<TableSchema>& existing, const TableSchema& snap) {
  if (!existing) return true;
  return std::any_of(snap.partitions.begin(), snap.partitions.end(),
                     [&](const PartitionSchema& p) { return !has_partition(*existing, p.name); });
}

// Creates the snapshot's table as `local` in the job's database with the restore's replication number.
Status create_restored_table(Catalog& catalog, const Job& job, const TableSchema& snap, const std::string& local) {
  TableSchema create = snap;
  create.database = job.db_name;
  create.name = local;
  create.properties["replication_num"] = std::to_string(job.replication_num);
  for (PartitionSchema& p : create.partitions) p.replication_num = job.replication_num;
  return catalog.create_table(create);
}

// Adds the snapshot's partitions that the existing table `local` lacks, recording each one added.
Status add_missing_partitions(Catalog& catalog, const Job& job, const TableSchema& existing, const TableSchema& snap,
                              const std::string& local, RestoreCreations& created) {
  for (const PartitionSchema& p : snap.partitions) {
    if (has_partition(existing, p.name)) continue;
    PartitionSchema add = p;
    add.replication_num = job.replication_num;
    if (auto st = catalog.add_partition(job.db_name, local, add); !st) return st;
    created.partitions.emplace_back(local, p.name);
  }
  return {};
}

// Makes the snapshot's table `snap` ready to receive data: the local table must match it if it exists; it, or its
// missing partitions, are created otherwise (recorded in `created`). Returns the failure message, or empty.
std::string prepare_restore_table(Catalog& catalog, const Job& job, const TableSchema& snap, size_t alive_backends,
                                  RestoreCreations& created) {
  std::string local = job.local_name(snap.name);
  auto existing = catalog.find_table(job.db_name, local);
  if (!existing) return existing.error().message;
  if (*existing) {
    std::string conflict = existing_table_conflict(**existing, snap, local, job.replication_num);
    if (!conflict.empty()) return conflict;
  }
  if (creates_replicas(*existing, snap) && static_cast<size_t>(job.replication_num) > alive_backends) {
    return fmt::format("failed to find {} different hosts to create table: {}", job.replication_num, snap.name);
  }
  if (!*existing) {
    if (auto st = create_restored_table(catalog, job, snap, local); !st) return st.error().message;
    created.tables.push_back(local);
    return {};
  }
  if (auto st = add_missing_partitions(catalog, job, **existing, snap, local, created); !st) {
    return st.error().message;
  }
  return {};
}

}  // namespace

std::vector<BackendState> BackupService::Impl::alive_backends() const {
  std::vector<BackendState> out;
  for (const BackendState& b : cluster.backends()) {
    if (b.alive) out.push_back(b);
  }
  return out;
}

int64_t BackupService::Impl::pick_backend(size_t i) const {
  auto alive = alive_backends();
  if (alive.empty()) return 10001;
  return alive[i % alive.size()].id;
}

void BackupService::Impl::set_task_columns_locked(Job& job) {
  job.unfinished_tasks.clear();
  job.progress.clear();
  job.transfers.clear();
  if (job.foreign) return;
  const std::string& st = job.states()[job.state];
  if (st == "SNAPSHOTING") {
    std::vector<std::string> tasks;
    size_t i = 0;
    for (const SnapshotTable& t : job.snapshot.tables) {
      for (const SnapshotPartition& p : t.partitions) {
        tasks.push_back(fmt::format("{}={}", p.tablet_id, pick_backend(i++)));
      }
    }
    job.unfinished_tasks = join(tasks, ", ");
  } else if (st == "UPLOADING" || st == "DOWNLOADING") {
    size_t parts = 0;
    for (const SnapshotTable& t : job.snapshot.tables) parts += t.partitions.size();
    auto alive = alive_backends();
    size_t n = std::max<size_t>(1, alive.size());
    for (size_t i = 0; i < n; ++i) {
      job.transfers.push_back({next_id++, pick_backend(i), parts / n + (i < parts % n ? 1 : 0)});
    }
    refresh_progress_locked(job);
  }
}

void BackupService::Impl::refresh_progress_locked(Job& job) {
  if (job.transfers.empty() || job.done()) return;
  double fraction = 0;
  if (auto need = required_seconds_locked(job); need && *need > 0) {
    double in_state = std::chrono::duration<double>(SteadyClock::now() - job.state_entered).count() * scale();
    fraction = std::clamp(in_state / *need, 0.0, 1.0);
  }
  std::vector<std::string> unfinished;
  std::vector<std::string> progress;
  for (const Job::TransferTask& t : job.transfers) {
    auto done = static_cast<size_t>(static_cast<double>(t.total) * fraction);
    if (done < t.total || t.total == 0) unfinished.push_back(fmt::format("{}={}", t.signature, t.backend));
    progress.push_back(fmt::format("[{}: {}/{}]", t.signature, done, t.total));
  }
  job.unfinished_tasks = join(unfinished, ", ");
  job.progress = join(progress, ", ");
}

std::optional<std::string> BackupService::Impl::enter_state_locked(Job& job, size_t state) {
  job.state = state;
  job.state_entered = SteadyClock::now();
  job.extra_delay_s = 0;
  set_task_columns_locked(job);
  if (job.done()) return std::nullopt;
  const std::string& name = job.states()[state];
  for (auto it = state_faults.begin(); it != state_faults.end();) {
    if (it->state != name || (it->db && *it->db != job.db_name)) {
      ++it;
      continue;
    }
    StateFault fault = *it;
    it = state_faults.erase(it);
    if (fault.is_delay) {
      job.extra_delay_s += fault.delay_s;
    } else {
      std::string text = fault.status.value_or("injected failure at " + name);
      return text.starts_with("[") ? text : status_text("COMMON_ERROR", text);
    }
  }
  return std::nullopt;
}

void BackupService::Impl::finish_cancel(const std::shared_ptr<Job>& job, const std::string& status,
                                        const std::string& task_err) {
  std::vector<std::string> drop;
  std::string db;
  {
    std::lock_guard lock(mu);
    drop = std::move(job->created_tables);
    job->created_tables.clear();
    db = job->db_name;
  }
  for (const std::string& t : drop) (void)catalog.drop_table(db, t);
  {
    std::lock_guard lock(mu);
    cancel_locked(*job, status, task_err);
    job->busy = false;
  }
  cv.notify_all();
}

void BackupService::Impl::cancel_locked(Job& job, std::string status, std::string task_err) {
  job.cancelled = true;
  job.status = std::move(status);
  if (!task_err.empty()) job.task_err_msg = std::move(task_err);
  job.unfinished_tasks.clear();
  job.progress.clear();
  job.transfers.clear();
  job.finished_time = cluster.now();
}

std::optional<double> BackupService::Impl::required_seconds_locked(const Job& job) const {
  const std::string& st = job.states()[job.state];
  double base = job.foreign ? job.foreign_seconds / 6.0 : config().job_fixed_seconds;
  base += job.extra_delay_s;
  if (!job.foreign && (st == "UPLOADING" || st == "DOWNLOADING")) {
    auto all = cluster.backends();
    size_t alive = alive_backends().size();
    if (all.empty()) alive = 1;
    if (alive == 0) return std::nullopt;
    double rate = config().be_bytes_per_second > 0 ? config().be_bytes_per_second : 1e9;
    base += static_cast<double>(job.bytes) / (rate * static_cast<double>(alive));
  }
  return base;
}

std::optional<const Repo*> BackupService::Impl::job_repo_locked(const Job& job) const {
  for (const auto& [name, r] : repos) {
    (void)name;
    if (r.id == job.repo_id) return &r;
  }
  return std::nullopt;
}

std::string BackupService::Impl::storage_failure_locked(const Job& job, bool upload) const {
  auto repo = job_repo_locked(job);
  if (!repo) return {};
  const Repo& r = **repo;
  std::string path = fmt::format("{}/{}{}/{}", r.remote_dir(), kSnapshotDirPrefix, job.label, kContentDir);
  if (repo_unreachable(r)) {
    return fmt::format(
        "failed to {} {}: Status Code: 503, Error Code: ServiceUnavailable, Error Message: "
        "Service Unavailable",
        upload ? "upload snapshot files to" : "download snapshot files from", path);
  }
  if (upload && r.storage_read_only) {
    return fmt::format(
        "failed to upload snapshot files to {}: Access Denied (Service: S3, Status Code: 403, "
        "Error Code: AccessDenied)",
        path);
  }
  return {};
}

void BackupService::Impl::timer_loop() {
  std::unique_lock lock(mu);
  while (!stopping) {
    bool any_active =
        std::any_of(jobs.begin(), jobs.end(), [](const auto& kv) { return !kv.second->done(); });
    cv.wait_for(lock, any_active ? std::chrono::milliseconds(2) : std::chrono::milliseconds(100));
    if (stopping) break;
    std::vector<std::shared_ptr<Job>> due;
    auto now = SteadyClock::now();
    struct Cancel {
      std::shared_ptr<Job> job;
      std::string status;
      std::string task_err;
    };
    std::vector<Cancel> cancels;
    for (auto& [id, job] : jobs) {
      (void)id;
      if (job->done() || job->busy) continue;
      double since_create = std::chrono::duration<double>(now - job->created_steady).count() * scale();
      if (since_create >= static_cast<double>(job->timeout_s)) {
        std::string msg = job->kind == JobKind::kBackup
                              ? ""
                              : fmt::format("restore job with label: {}  timeout.", job->label);
        job->busy = true;
        cancels.push_back({job, status_text("TIMEOUT", msg), ""});
        continue;
      }
      const std::string& st = job->states()[job->state];
      if (!job->foreign && (st == "UPLOADING" || st == "DOWNLOADING")) {
        std::string failure = storage_failure_locked(*job, st == "UPLOADING");
        if (!failure.empty()) {
          std::string sig = job->transfers.empty() ? "0" : std::to_string(job->transfers.front().signature);
          job->busy = true;
          cancels.push_back(
              {job, status_text("COMMON_ERROR", failure), fmt::format("[{}: {}]", sig, failure)});
          continue;
        }
      }
      auto need = required_seconds_locked(*job);
      double in_state = std::chrono::duration<double>(now - job->state_entered).count() * scale();
      if (need && in_state >= *need) {
        job->busy = true;
        due.push_back(job);
      }
    }
    const bool clean = !ttl_watch.empty() && now >= next_clean;
    if (clean) {
      next_clean = now + std::chrono::seconds(3);  // BackupHandler's LeaderDaemon interval
    }
    lock.unlock();
    for (const Cancel& c : cancels) finish_cancel(c.job, c.status, c.task_err);
    for (auto& job : due) run_step(job);
    if (clean) clean_expired_snapshots();
    lock.lock();
  }
}

void BackupService::Impl::run_step(const std::shared_ptr<Job>& job) {
  std::string state;
  {
    std::lock_guard lock(mu);
    state = job->states()[job->state];
    if (state == "PENDING" && job->job_id < 0) job->job_id = next_id++;  // allocated as the PENDING step runs
  }
  StepResult result = job->foreign                    ? StepResult::advance()
                      : job->kind == JobKind::kBackup ? backup_step(*job, state)
                                                      : restore_step(*job, state);
  std::optional<std::pair<std::string, std::string>> failure;  // status, task error
  {
    std::lock_guard lock(mu);
    if (result.kind == StepResult::Kind::kFail) {
      failure.emplace(result.status, result.task_err_msg);
    } else if (result.kind == StepResult::Kind::kRetry) {
      job->status = result.status;
      job->state_entered = SteadyClock::now();
    } else {
      job->status = "[OK]";
      auto now = cluster.now();
      if (job->kind == JobKind::kBackup) {
        if (state == "SNAPSHOTING") job->times[0] = now;
        if (state == "UPLOADING") job->times[1] = now;
      } else {
        if (state == "PENDING") job->times[0] = now;
        if (state == "SNAPSHOTING") job->times[1] = now;
        if (state == "DOWNLOADING") job->times[2] = now;
      }
      if (auto fault = enter_state_locked(*job, job->state + 1)) {
        failure.emplace(*fault, "");
      } else if (job->done()) {
        job->finished_time = now;
        job->snapshot.tables.clear();  // release captured rows
        job->meta.clear();
      }
    }
    if (!failure) job->busy = false;
  }
  if (failure) {
    finish_cancel(job, failure->first, failure->second);
  } else {
    cv.notify_all();
  }
}

std::optional<Repo> BackupService::Impl::repo_copy(const Job& job) {
  std::lock_guard lock(mu);
  auto r = job_repo_locked(job);
  if (!r) return std::nullopt;
  return copy_locked(**r);
}

StepResult BackupService::Impl::disk_full_backup() const {
  for (const BackendState& be : alive_backends()) {
    for (const DiskState& d : be.disks) {
      if (d.total_bytes <= 0) continue;
      double used =
          100.0 * static_cast<double>(d.total_bytes - d.avail_bytes) / static_cast<double>(d.total_bytes);
      if (used >= kDiskFloodStagePercent) {
        std::string msg =
            fmt::format("make snapshot failed. disk {} on backend {} exceed limit usage", d.root_path, be.id);
        return StepResult::fail(status_text("COMMON_ERROR", msg), msg);
      }
    }
  }
  return StepResult::advance();
}

StepResult BackupService::Impl::backup_step(Job& job, const std::string& state) {
  if (state == "PENDING") return capture(job);
  if (state == "SNAPSHOTING") {
    StepResult r = disk_full_backup();
    if (r.kind == StepResult::Kind::kFail) {
      int64_t tablet = 0;
      {
        std::lock_guard lock(mu);
        if (!job.snapshot.tables.empty() && !job.snapshot.tables[0].partitions.empty()) {
          tablet = job.snapshot.tables[0].partitions[0].tablet_id;
        }
      }
      r.task_err_msg = fmt::format("[{}: {}]", tablet, r.task_err_msg);
    }
    return r;
  }
  if (state == "UPLOADING") return upload_data(job);
  if (state == "UPLOAD_INFO") return upload_info(job);
  return StepResult::advance();
}

StepResult BackupService::Impl::capture(Job& job) {
  SnapshotInfo snap;
  snap.label = job.label;
  snap.db_name = job.db_name;
  snap.db_id = job.db_id;
  snap.backup_time_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(job.create_time.time_since_epoch()).count();
  snap.cluster_id = cluster_id;
  int64_t bytes = 0;
  bool no_replica = !cluster.backends().empty() && alive_backends().empty();
  for (const TableItem& item : job.items) {
    auto table = catalog.find_table(job.db_name, item.table);
    if (!table) return StepResult::fail(status_text("COMMON_ERROR", table.error().message));
    if (!*table)
      return StepResult::fail(status_text("NOT_FOUND", fmt::format("table {} does not exist", item.table)));
    SnapshotTable st;
    st.schema = **table;
    st.schema.partitions.clear();
    for (const std::string& p : item.partitions) {
      bool found = std::any_of((*table)->partitions.begin(), (*table)->partitions.end(),
                               [&](const PartitionSchema& ps) { return ps.name == p; });
      if (!found) {
        return StepResult::fail(
            status_text("NOT_FOUND", fmt::format("partition {} does not exist  in table{}", p, item.table)));
      }
    }
    for (const PartitionSchema& ps : (*table)->partitions) {
      if (ps.is_temp) continue;
      if (!item.partitions.empty() &&
          std::find(item.partitions.begin(), item.partitions.end(), ps.name) == item.partitions.end()) {
        continue;
      }
      auto rows = catalog.read_partition(job.db_name, item.table, ps.name);
      if (!rows) return StepResult::fail(status_text("COMMON_ERROR", rows.error().message));
      SnapshotPartition sp;
      sp.schema = ps;
      sp.rows = std::move(*rows);
      st.schema.partitions.push_back(ps);
      st.partitions.push_back(std::move(sp));
    }
    if (no_replica && !st.partitions.empty()) {
      // No alive BE holds a replica: BackupJob.prepareSnapshotTask cannot choose one.
      int64_t tablet = 0;
      {
        std::lock_guard lock(mu);
        tablet = next_id++;
      }
      return StepResult::fail(status_text(
          "COMMON_ERROR",
          fmt::format("failed to choose replica to make snapshot for tablet {}. visible version: {}", tablet,
                      st.partitions.front().schema.visible_version)));
    }
    int32_t hash = st.schema_hash();
    for (SnapshotPartition& sp : st.partitions) {
      sp.schema_hash = hash;
      int64_t size = sp.schema.data_size;
      if (size <= 0) size = static_cast<int64_t>(rows_to_jsonl(sp.rows).size());
      bytes += size;
    }
    snap.tables.push_back(std::move(st));
  }
  std::lock_guard lock(mu);
  for (SnapshotTable& t : snap.tables) {
    for (SnapshotPartition& p : t.partitions) p.tablet_id = next_id++;
  }
  job.snapshot = std::move(snap);
  job.bytes = bytes;
  return StepResult::advance();
}

StepResult BackupService::Impl::upload_data(Job& job) {
  auto repo = repo_copy(job);
  if (!repo)
    return StepResult::fail(
        status_text("COMMON_ERROR", fmt::format("failed to get repository: {}", job.repo_id)));
  const std::string content = content_dir(job.label);
  for (SnapshotTable& t : job.snapshot.tables) {
    for (SnapshotPartition& p : t.partitions) {
      const std::string dir = content + "/" + tablet_dir(job.snapshot, t, p);
      TableSchema header = t.schema;
      header.partitions = {p.schema};
      auto hdr = repo->storage->upload(dir + "/" + header_file_name(p), schema_to_json(header).dump());
      if (!hdr) return StepResult::fail(status_text("COMMON_ERROR", hdr.error().message));
      auto dat = repo->storage->upload(dir + "/" + data_file_name(p), rows_to_jsonl(p.rows));
      if (!dat) return StepResult::fail(status_text("COMMON_ERROR", dat.error().message));
      p.files = {*hdr, *dat};
    }
  }
  return StepResult::advance();
}

StepResult BackupService::Impl::upload_info(Job& job) {
  auto repo = repo_copy(job);
  if (!repo)
    return StepResult::retry(
        status_text("COMMON_ERROR", fmt::format("failed to get repository: {}", job.repo_id)));
  std::string failure;
  {
    std::lock_guard lock(mu);
    if (repo_unreachable(*repo)) {
      failure =
          fmt::format("failed to upload file {}/{}{}/{}: Status Code: 503, Error Code: ServiceUnavailable",
                      repo->remote_dir(), kSnapshotDirPrefix, job.label, kMetaFile);
    } else if (repo->storage_read_only) {
      failure = fmt::format("failed to upload file {}/{}{}/{}: Access Denied (Service: S3, Status Code: 403)",
                            repo->remote_dir(), kSnapshotDirPrefix, job.label, kMetaFile);
    }
  }
  if (!failure.empty()) return StepResult::retry(status_text("COMMON_ERROR", failure));
  const std::string dir = snapshot_dir(job.label);
  std::vector<TableSchema> schemas;
  for (const SnapshotTable& t : job.snapshot.tables) schemas.push_back(t.schema);
  auto meta = repo->storage->upload(dir + "/" + std::string(kMetaFile), meta_to_json(schemas));
  if (!meta) return StepResult::retry(status_text("COMMON_ERROR", meta.error().message));
  if (version.at_least(4, 2)) {  // the retention keys (snapshot_format.h), resolved as the info file is written
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
    job.snapshot.finish_time_ms = now_ms;
    if (job.ttl) {
      job.snapshot.ttl = job.ttl->text;
      job.snapshot.expire_time_ms = snapshot_expire_time_ms(*job.ttl, now_ms, clock.zone());
    }
  }
  auto info = repo->storage->upload(dir + "/" + std::string(kInfoPrefix) + job.timestamp,
                                    info_to_json(job.snapshot, true).dump());
  if (!info) return StepResult::retry(status_text("COMMON_ERROR", info.error().message));
  if (job.snapshot.expire_time_ms) {
    std::lock_guard lock(mu);
    ttl_watch.push_back({job.repo_name, job.label, job.timestamp, *job.snapshot.expire_time_ms});
  }
  return StepResult::advance();
}

StepResult BackupService::Impl::restore_step(Job& job, const std::string& state) {
  if (state == "PENDING") return prepare_meta(job);
  if (state == "SNAPSHOTING") {
    int64_t need = job.bytes;
    for (const BackendState& be : alive_backends()) {
      for (const DiskState& d : be.disks) {
        if (d.total_bytes <= 0) continue;
        double used_after = 100.0 * static_cast<double>(d.total_bytes - d.avail_bytes + need) /
                            static_cast<double>(d.total_bytes);
        if (d.avail_bytes < need || used_after > kDiskFloodStagePercent) {
          int64_t hash = static_cast<int64_t>(fnv1a(fmt::format("{}:{}", be.id, d.root_path)) >> 1);
          return StepResult::fail(status_text(
              "COMMON_ERROR", fmt::format("disk {} on backend {} exceed limit usage, path hash: {}",
                                          d.root_path, be.id, hash)));
        }
      }
    }
    return StepResult::advance();
  }
  if (state == "DOWNLOADING") return download_data(job);
  if (state == "COMMITTING") return commit(job);
  return StepResult::advance();
}

StepResult BackupService::Impl::prepare_meta(Job& job) {
  auto repo = repo_copy(job);
  if (!repo) return common_error(fmt::format("failed to get repository: {}", job.repo_id));
  const std::string dir = snapshot_dir(job.label);
  std::string remote_meta =
      fmt::format("{}/{}{}/{}", repo->remote_dir(), kSnapshotDirPrefix, job.label, kMetaFile);
  {
    std::lock_guard lock(mu);
    if (repo_unreachable(*repo)) {
      return common_error(fmt::format("failed to list remote path: {}*. msg: listPath failed", remote_meta));
    }
  }
  auto meta = read_snapshot_meta(*repo->storage, dir, remote_meta);
  if (!meta) return common_error(meta.error());
  auto selected = select_restore_meta(job.snapshot, *meta);
  if (!selected) return common_error(selected.error());
  size_t alive = alive_backends().size();
  if (cluster.backends().empty()) alive = static_cast<size_t>(job.replication_num);

  RestoreCreations created;
  for (const TableSchema& snap : selected->schemas) {
    std::string failure = prepare_restore_table(catalog, job, snap, alive, created);
    if (!failure.empty()) {
      std::lock_guard lock(mu);
      job.created_tables = std::move(created.tables);
      job.created_partitions = std::move(created.partitions);
      return common_error(failure);
    }
  }
  std::lock_guard lock(mu);
  job.created_tables = std::move(created.tables);
  job.created_partitions = std::move(created.partitions);
  job.meta = std::move(selected->schemas);
  job.bytes = selected->bytes;
  return StepResult::advance();
}

StepResult BackupService::Impl::download_data(Job& job) {
  auto repo = repo_copy(job);
  if (!repo)
    return StepResult::fail(
        status_text("COMMON_ERROR", fmt::format("failed to get repository: {}", job.repo_id)));
  const std::string content = content_dir(job.label);
  for (SnapshotTable& t : job.snapshot.tables) {
    for (SnapshotPartition& p : t.partitions) {
      std::string data_name;
      for (const std::string& f : p.files) {
        if (f.starts_with(data_file_name(p) + ".")) data_name = f;
      }
      const std::string path = content + "/" + tablet_dir(job.snapshot, t, p) + "/" + data_name;
      if (data_name.empty()) {
        return StepResult::fail(status_text("NOT_FOUND", fmt::format("file for tablet {} does not exist in "
                                                                     "snapshot",
                                                                     p.tablet_id)));
      }
      auto text = repo->storage->read(path);
      if (!text) return StepResult::fail(status_text("NOT_FOUND", text.error().message));
      std::string name, md5;
      if (decode_checksum_name(data_name, name, md5) && md5_hex(*text) != md5) {
        return StepResult::fail(status_text(
            "BAD_FILE", fmt::format("md5sum does not equal. local: {}, remote: {}", md5_hex(*text), md5)));
      }
      auto rows = rows_from_jsonl(*text);
      if (!rows) return StepResult::fail(status_text("BAD_FILE", rows.error().message));
      p.rows = std::move(*rows);
    }
  }
  return StepResult::advance();
}

StepResult BackupService::Impl::commit(Job& job) {
  for (const SnapshotTable& t : job.snapshot.tables) {
    std::string local = job.local_name(t.schema.name);
    for (const SnapshotPartition& p : t.partitions) {
      if (auto st =
              catalog.replace_partition(job.db_name, local, p.schema.name, p.rows, p.schema.visible_version);
          !st) {
        return StepResult::fail(status_text("COMMON_ERROR", st.error().message));
      }
    }
  }
  std::lock_guard lock(mu);
  job.created_tables.clear();  // the restore owns them now; nothing to undo
  job.created_partitions.clear();
  return StepResult::advance();
}

}  // namespace sk::emu
