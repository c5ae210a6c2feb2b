// BACKUP and RESTORE submission (analyzer and handler checks, in FE order), SHOW BACKUP/RESTORE, CANCEL and
// the ADMIN EMULATOR job faults.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "emulator/backup/service_impl.h"
#include "emulator/backup/statement_lexer.h"

namespace sk::emu {

using namespace sk::emu::backup;  // NOLINT: implementation files of the backup module

std::optional<ErrorResult> BackupService::Impl::check_slot_locked(int64_t db_id) {
  if (refuse_submits > 0) {
    --refuse_submits;
    return error(Origin::kDdl, refuse_submit_text.value_or(std::string(kSubmitLockBusy)));
  }
  auto it = jobs.find(db_id);
  if (it != jobs.end() && !it->second->done()) {
    return error(Origin::kDdl, "Can only run one backup or restore job of a database at same time");
  }
  return std::nullopt;
}

std::expected<int64_t, ErrorResult> BackupService::Impl::parse_timeout(const std::string& value) const {
  int64_t t = 0;
  try {
    size_t used = 0;
    t = std::stoll(value, &used);
    if (used != value.size()) throw std::invalid_argument(value);
  } catch (const std::exception&) {
    return std::unexpected(error(Origin::kAnalyzer, "Invalid timeout format: " + value));
  }
  if (t * 1000 < 600000) return std::unexpected(error(Origin::kAnalyzer, "timeout must be at least 10 min"));
  return t;
}

QueryResult BackupService::Impl::backup(const SessionContext& session, const BackupStmt& s) {
  // Analyzer checks.
  std::string db = s.db.value_or(session.current_database);
  if (db.empty()) return error(Origin::kAnalyzer, "No database selected");
  auto exists = catalog.database_exists(db);
  if (!exists) return error(Origin::kPlain, exists.error().message);
  if (!*exists) return error(Origin::kAnalyzer, fmt::format("Unknown database '{}'", db));
  if (!safe_name(s.label)) return error(Origin::kAnalyzer, fmt::format("Incorrect label name '{}'", s.label));
  {
    std::lock_guard lock(mu);
    if (!repos.contains(s.repo)) {
      return error(Origin::kAnalyzer, fmt::format("Repository [{}] does not exist", s.repo));
    }
  }
  auto items = backup_items(db, s);
  if (!items) return items.error();
  auto props = parse_backup_properties(s);
  if (!props) return props.error();
  if (items->empty()) return error(Origin::kDdl, fmt::format("Database: {} is empty", db));
  auto db_id = catalog.database_id(db);
  if (!db_id) return error(Origin::kPlain, db_id.error().message);

  std::unique_lock submit(submit_mu);
  auto repo = backup_destination(s, *db_id);
  if (!repo) return repo.error();
  // LOSE NEXT SUBMIT REPLY: the client loses its connection instead of the answer (one shot).
  std::optional<bool> lose;
  std::function<void()> drop;
  {
    std::lock_guard lock(mu);
    lose = std::exchange(lose_submit_reply, std::nullopt);
    drop = drop_connections;
  }
  if (lose && !*lose) {
    submit.unlock();
    if (drop) drop();
    return error(Origin::kPlain, "connection lost before the BACKUP was accepted (emulated)");
  }
  auto job = std::make_shared<Job>();
  job->kind = JobKind::kBackup;
  job->label = s.label;
  job->db_name = db;
  job->db_id = *db_id;
  job->repo_name = repo->name;
  job->repo_id = repo->id;
  job->timeout_s = props->timeout;
  job->ttl = props->ttl;
  job->objs = backup_objects_text(db, *items);
  job->items = std::move(*items);
  start_job(std::move(job));
  submit.unlock();
  if (lose && drop) drop();
  return OkResult{};
}

std::expected<std::vector<TableItem>, ErrorResult> BackupService::Impl::backup_items(const std::string& db,
                                                                                    const BackupStmt& s) const {
  std::vector<TableItem> items;
  if (!s.has_on || s.all_tables) {
    auto tables = catalog.list_tables(db);
    if (!tables) return std::unexpected(error(Origin::kPlain, tables.error().message));
    for (const TableSchema& t : *tables) {
      if (t.table_type == "VIEW") continue;
      bool listed = std::any_of(s.tables.begin(), s.tables.end(),
                                [&](const TableItem& i) { return iequals(i.table, t.name); });
      if (!listed) items.push_back(TableItem{t.name, {}, false, std::nullopt});
    }
  }
  std::set<std::string> seen;
  for (const TableItem& item : s.tables) {
    if (auto err = check_backup_table(db, item)) return std::unexpected(*err);
    if (!seen.insert(to_upper(item.table)).second) {
      return std::unexpected(error(Origin::kAnalyzer, "Duplicated table: " + item.table));
    }
    if (item.alias) {
      return std::unexpected(error(
          Origin::kAnalyzer,
          fmt::format("Can not set alias for table in Backup Stmt: {}.{} AS {}", db, item.table, *item.alias)));
    }
    if (item.temp_partitions) {
      return std::unexpected(error(Origin::kDdl, "Do not support backing up temp partitions"));
    }
    items.push_back(item);
  }
  std::sort(items.begin(), items.end(),
            [](const TableItem& a, const TableItem& b) { return to_upper(a.table) < to_upper(b.table); });
  return items;
}

std::optional<ErrorResult> BackupService::Impl::check_backup_table(const std::string& db,
                                                                   const TableItem& item) const {
  auto table = catalog.find_table(db, item.table);
  if (!table) return error(Origin::kPlain, table.error().message);
  if (!*table) return error(Origin::kDdl, fmt::format("Unknown table '{}'", item.table));
  if ((*table)->table_type == "VIEW") {
    // Views are backed up from 3.4 on; the emulator cannot recreate them through the Catalog.
    return error(Origin::kDdl, version.at_least(3, 4)
                                   ? fmt::format("Table: {} can not support backup restore, type: VIEW", item.table)
                                   : fmt::format("Table '{}' is not a OLAP table", item.table));
  }
  if ((*table)->partition_type == "LIST" && version.at_least(3, 1) && !version.at_least(3, 3)) {
    return error(Origin::kAnalyzer, "List partition table does not support backup/restore job");
  }
  for (const std::string& p : item.partitions) {
    bool found = std::any_of((*table)->partitions.begin(), (*table)->partitions.end(),
                             [&](const PartitionSchema& ps) { return ps.name == p && !ps.is_temp; });
    if (!found) {
      return error(Origin::kAnalyzer, fmt::format("partition[{}] does not exist  in table{}", p, item.table));
    }
  }
  return std::nullopt;
}

std::expected<BackupProperties, ErrorResult> BackupService::Impl::parse_backup_properties(
    const BackupStmt& s) const {
  BackupProperties out;
  std::vector<std::string> unknown;
  for (const auto& [k, v] : s.properties) {
    if (k == "timeout") {
      auto t = parse_timeout(v);
      if (!t) return std::unexpected(t.error());
      out.timeout = *t;
    } else if (k == "ttl" && version.at_least(4, 2)) {  // before 4.2 an unknown property, below
      auto ttl = parse_snapshot_ttl(v);
      if (!ttl) return std::unexpected(error(Origin::kAnalyzer, ttl.error()));
      out.ttl = *ttl;
    } else if (k == "type") {
      if (to_upper(v) != "FULL" && to_upper(v) != "INCREMENTAL") {
        return std::unexpected(error(Origin::kAnalyzer, "Invalid backup job type: " + v));
      }
    } else {
      unknown.push_back(k);
    }
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    return std::unexpected(
        error(Origin::kAnalyzer, fmt::format("Unknown backup job properties: [{}]", join(unknown, ", "))));
  }
  return out;
}

std::expected<Repo, ErrorResult> BackupService::Impl::backup_destination(const BackupStmt& s, int64_t db_id) {
  Repo repo;
  {
    std::lock_guard lock(mu);
    auto it = repos.find(s.repo);
    if (it == repos.end()) {
      return std::unexpected(error(Origin::kDdl, fmt::format("Repository {} does not exist", s.repo)));
    }
    repo = it->second;
    if (auto err = check_slot_locked(db_id)) return std::unexpected(*err);
    if (repo.read_only) {
      return std::unexpected(error(Origin::kDdl, fmt::format("Repository {} is read only", repo.name)));
    }
    if (repo_unreachable(repo)) {
      return std::unexpected(error(Origin::kDdl, list_error(repo, std::string(kSnapshotDirPrefix) + "*")));
    }
  }
  auto labels = repo.storage->snapshot_labels();
  if (!labels) return std::unexpected(error(Origin::kDdl, labels.error().message));
  if (std::find(labels->begin(), labels->end(), s.label) != labels->end()) {
    return std::unexpected(
        error(Origin::kDdl, fmt::format("Snapshot with name '{}' already exist in repository", s.label)));
  }
  return repo;
}

std::string BackupService::Impl::backup_objects_text(const std::string& db, const std::vector<TableItem>& items) {
  std::vector<std::string> objs;
  for (const TableItem& i : items) {
    std::string ref = db + "." + i.table;
    if (!i.partitions.empty()) ref += "PARTITIONS (" + join(i.partitions, ", ") + ")";
    objs.push_back("[" + ref + "]");
  }
  return join(objs, ", ");
}

std::optional<ErrorResult> BackupService::Impl::check_restore_names(const RestoreStmt& s) const {
  std::set<std::string> names;
  for (const TableItem& item : s.tables) {
    if (!names.insert(to_upper(item.table)).second) {
      return error(Origin::kAnalyzer, "Duplicated table: " + item.table);
    }
  }
  std::set<std::string> aliases = names;
  for (const TableItem& item : s.tables) {
    if (item.alias && !aliases.insert(to_upper(*item.alias)).second) {
      return error(Origin::kAnalyzer, "Duplicated alias name: " + *item.alias);
    }
  }
  return std::nullopt;
}

std::expected<BackupService::Impl::RestoreProperties, ErrorResult>
BackupService::Impl::parse_restore_properties(const RestoreStmt& s) const {
  RestoreProperties out{kDefaultTimeoutSeconds, false, kDefaultReplicationNum, std::nullopt};
  std::vector<std::string> unknown;
  auto parse_int = [&](const std::string& v, int& value) -> std::optional<ErrorResult> {
    try {
      size_t used = 0;
      value = std::stoi(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
    } catch (const std::exception&) {
      return error(Origin::kAnalyzer, "Invalid meta version format: " + v);
    }
    return std::nullopt;
  };
  for (const auto& [k, v] : s.properties) {
    int ignored = 0;
    if (k == "timeout") {
      auto t = parse_timeout(v);
      if (!t) return std::unexpected(t.error());
      out.timeout = *t;
    } else if (k == "allow_load") {
      if (iequals(v, "true"))
        out.allow_load = true;
      else if (iequals(v, "false"))
        out.allow_load = false;
      else
        return std::unexpected(error(Origin::kAnalyzer, "Invalid allow load value: " + v));
    } else if (k == "replication_num") {
      if (auto err = parse_int(v, out.replication_num)) return std::unexpected(*err);
    } else if (k == "backup_timestamp") {
      out.backup_timestamp = v;
    } else if (k == "meta_version" || k == "starrocks_meta_version") {
      if (auto err = parse_int(v, ignored)) return std::unexpected(*err);
    } else {
      unknown.push_back(k);
    }
  }
  if (!out.backup_timestamp)
    return std::unexpected(error(Origin::kAnalyzer, "Missing backup_timestamp property"));
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    return std::unexpected(
        error(Origin::kAnalyzer, fmt::format("Unknown restore job properties: [{}]", join(unknown, ", "))));
  }
  return out;
}

std::expected<std::string, ErrorResult> BackupService::Impl::restore_target_database(
    const SessionContext& session, const RestoreStmt& s, const SnapshotInfo& info) {
  std::string db;
  if (version.at_least(3, 4)) {
    db = s.target_db.value_or(s.source_db.value_or(s.label_db.value_or(session.current_database)));
    if (db.empty()) db = info.db_name;
  } else {
    db = s.label_db.value_or(session.current_database);
    if (db.empty()) return std::unexpected(error(Origin::kAnalyzer, "No database selected"));
  }
  auto exists = catalog.database_exists(db);
  if (!exists) return std::unexpected(error(Origin::kPlain, exists.error().message));
  if (!*exists) {
    if (!version.at_least(3, 4))
      return std::unexpected(error(Origin::kDdl, fmt::format("Unknown database '{}'", db)));
    if (auto st = catalog.create_database(db); !st) {
      return std::unexpected(
          error(Origin::kDdl, fmt::format("Can not create database: {} in restore process", db)));
    }
  }
  return db;
}

std::optional<ErrorResult> BackupService::Impl::select_restore_objects(const RestoreStmt& s,
                                                                       SnapshotInfo& info, Job& job) const {
  for (const TableItem& item : s.tables) {
    const SnapshotTable* t = info.find_table(item.table);
    if (t == nullptr) {
      return error(Origin::kDdl,
                   fmt::format("Table {} does not exist in snapshot {}", item.table, info.label));
    }
    if (item.temp_partitions) return error(Origin::kDdl, "Do not support restoring temporary partitions");
    for (const std::string& p : item.partitions) {
      bool found = std::any_of(t->partitions.begin(), t->partitions.end(),
                               [&](const SnapshotPartition& sp) { return sp.schema.name == p; });
      if (!found) {
        return error(Origin::kDdl, fmt::format("Partition {} of table {} does not exist in snapshot {}", p,
                                               item.table, info.label));
      }
    }
    if (item.alias) job.alias[item.table] = *item.alias;
  }
  SnapshotInfo filtered = info;
  filtered.tables.clear();
  for (const SnapshotTable& t : info.tables) {
    auto item = std::find_if(s.tables.begin(), s.tables.end(),
                             [&](const TableItem& i) { return i.table == t.schema.name; });
    if (item == s.tables.end() && !s.all_tables) continue;
    SnapshotTable copy = t;
    if (item != s.tables.end() && !item->partitions.empty()) {
      copy.partitions.clear();
      for (const SnapshotPartition& p : t.partitions) {
        if (std::find(item->partitions.begin(), item->partitions.end(), p.schema.name) !=
            item->partitions.end()) {
          copy.partitions.push_back(p);
        }
      }
    }
    filtered.tables.push_back(std::move(copy));
  }
  info = std::move(filtered);
  return std::nullopt;
}

std::string BackupService::Impl::restore_objects_text(SnapshotInfo& info) {
  std::sort(info.tables.begin(), info.tables.end(),
            [](const SnapshotTable& a, const SnapshotTable& b) { return a.schema.name < b.schema.name; });
  std::vector<std::string> objs;
  for (SnapshotTable& t : info.tables) {
    std::sort(
        t.partitions.begin(), t.partitions.end(),
        [](const SnapshotPartition& a, const SnapshotPartition& b) { return a.schema.name < b.schema.name; });
    std::vector<std::string> parts;
    for (const SnapshotPartition& p : t.partitions) {
      if (p.schema.name != t.schema.name) parts.push_back(p.schema.name);
    }
    objs.push_back(parts.empty() ? t.schema.name
                                 : fmt::format("{} PARTITIONS [{}]", t.schema.name, join(parts, ", ")));
  }
  return join(objs, ", ");
}

QueryResult BackupService::Impl::restore(const SessionContext& session, const RestoreStmt& s) {
  // Analyzer checks.
  if (auto err = check_restore_names(s)) return *err;
  auto props = parse_restore_properties(s);
  if (!props) return props.error();
  if (!safe_name(s.label)) return error(Origin::kAnalyzer, fmt::format("Incorrect label name '{}'", s.label));
  // BackupHandler.process(): repository, snapshot info, database.
  Repo repo;
  {
    std::lock_guard lock(mu);
    auto it = repos.find(s.repo);
    if (it == repos.end()) return error(Origin::kDdl, fmt::format("Repository {} does not exist", s.repo));
    repo = copy_locked(it->second);
  }
  auto info = read_info(repo, s.label, *props->backup_timestamp);
  if (!info) {
    return error(Origin::kDdl,
                 fmt::format("Failed to get info of snapshot '{}' because: {}. Maybe specified wrong "
                             "backup timestamp",
                             s.label, info.error().message));
  }
  auto db = restore_target_database(session, s, *info);
  if (!db) return db.error();
  auto db_id = catalog.database_id(*db);
  if (!db_id) return error(Origin::kPlain, db_id.error().message);

  std::lock_guard submit(submit_mu);
  {
    std::lock_guard lock(mu);
    if (auto err = check_slot_locked(*db_id)) return *err;
  }
  if (s.source_db && *s.source_db != info->db_name) {
    return error(Origin::kDdl, fmt::format("target database: {} is not existed in snapshot", *s.source_db));
  }
  // Select tables and partitions (BackupHandler.checkAndFilterRestoreObjsExistInSnapshot).
  auto job = std::make_shared<Job>();
  if (s.has_on) {
    if (auto err = select_restore_objects(s, *info, *job)) return *err;
  }
  job->kind = JobKind::kRestore;
  job->label = s.label;
  job->db_name = *db;
  job->db_id = *db_id;
  job->repo_name = repo.name;
  job->repo_id = repo.id;
  job->timeout_s = props->timeout;
  job->timestamp = *props->backup_timestamp;
  job->allow_load = props->allow_load;
  job->replication_num = props->replication_num;
  job->objs = restore_objects_text(*info);
  job->snapshot = std::move(*info);
  start_job(std::move(job));
  return OkResult{};
}

void BackupService::Impl::start_job(std::shared_ptr<Job> job) {
  std::lock_guard lock(mu);
  job->create_time = cluster.now();
  job->created_steady = SteadyClock::now();
  if (job->kind == JobKind::kBackup) job->timestamp = clock.backup_timestamp(job->create_time);
  jobs[job->db_id] = job;
  if (auto failure = enter_state_locked(*job, 0)) cancel_locked(*job, *failure, "");
  cv.notify_all();
}

QueryResult BackupService::Impl::start_foreign_backup(const ForeignBackupStmt& s) {
  auto exists = catalog.database_exists(s.db);
  if (!exists) return error(Origin::kPlain, exists.error().message);
  if (!*exists) return error(Origin::kPlain, fmt::format("Unknown database '{}'", s.db));
  auto db_id = catalog.database_id(s.db);
  if (!db_id) return error(Origin::kPlain, db_id.error().message);
  std::lock_guard lock(mu);
  auto it = jobs.find(*db_id);
  if (it != jobs.end() && !it->second->done()) {
    return error(Origin::kPlain, "Can only run one backup or restore job of a database at same time");
  }
  auto job = std::make_shared<Job>();
  job->kind = JobKind::kBackup;
  job->foreign = true;
  job->foreign_seconds = s.seconds;
  job->label = fmt::format("foreign_backup_{}", next_id++);
  job->db_name = s.db;
  job->db_id = *db_id;
  job->repo_id = -1;
  job->objs = "";
  job->create_time = cluster.now();
  job->created_steady = SteadyClock::now();
  job->timestamp = clock.backup_timestamp(job->create_time);
  jobs[job->db_id] = job;
  if (auto failure = enter_state_locked(*job, 0)) cancel_locked(*job, *failure, "");
  cv.notify_all();
  return OkResult{};
}

std::vector<std::shared_ptr<Job>> BackupService::Impl::jobs_for_show(const SessionContext& session,
                                                                     const std::optional<std::string>& db,
                                                                     JobKind kind,
                                                                     std::optional<ErrorResult>& err) {
  std::vector<std::shared_ptr<Job>> out;
  std::string name = db.value_or(session.current_database);
  if (!name.empty()) {
    auto exists = catalog.database_exists(name);
    if (!exists || !*exists) {
      if (db) err = error(Origin::kAnalyzer, fmt::format("Unknown database '{}'", name));
      return out;
    }
    auto id = catalog.database_id(name);
    if (!id) return out;
    std::lock_guard lock(mu);
    auto it = jobs.find(*id);
    if (it != jobs.end() && it->second->kind == kind) out.push_back(it->second);
    return out;
  }
  std::lock_guard lock(mu);
  for (const auto& [id, job] : jobs) {
    (void)id;
    if (job->kind == kind) out.push_back(job);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->db_name < b->db_name; });
  return out;
}

QueryResult BackupService::Impl::show_jobs(const SessionContext& session, const ShowJobStmt& s) {
  std::optional<ErrorResult> err;
  auto list = jobs_for_show(session, s.db, s.restore ? JobKind::kRestore : JobKind::kBackup, err);
  if (err) return *err;
  std::lock_guard lock(mu);
  if (!s.restore) {
    ResultSet rs = make_result({"JobId", "SnapshotName", "DbName", "State", "BackupObjs", "CreateTime",
                                "SnapshotFinishedTime", "UploadFinishedTime", "FinishedTime",
                                "UnfinishedTasks", "Progress", "TaskErrMsg", "Status", "Timeout"});
    for (const auto& j : list) {
      refresh_progress_locked(*j);
      rs.rows.push_back({std::to_string(j->job_id), j->label, j->db_name, j->state_name(), j->objs,
                         clock.datetime(j->create_time), time_or_null(j->times[0]), time_or_null(j->times[1]),
                         time_or_null(j->finished_time), j->unfinished_tasks, j->progress, j->task_err_msg,
                         j->status, std::to_string(j->timeout_s)});
    }
    return rs;
  }
  ResultSet rs = make_result({"JobId", "Label", "Timestamp", "DbName", "State", "AllowLoad", "ReplicationNum",
                              "RestoreObjs", "CreateTime", "MetaPreparedTime", "SnapshotFinishedTime",
                              "DownloadFinishedTime", "FinishedTime", "UnfinishedTasks", "Progress",
                              "TaskErrMsg", "Status", "Timeout"});
  for (const auto& j : list) {
    refresh_progress_locked(*j);
    rs.rows.push_back({std::to_string(j->job_id), j->label, j->timestamp, j->db_name, j->state_name(),
                       j->allow_load ? "true" : "false", std::to_string(j->replication_num), j->objs,
                       clock.datetime(j->create_time), time_or_null(j->times[0]), time_or_null(j->times[1]),
                       time_or_null(j->times[2]), time_or_null(j->finished_time), j->unfinished_tasks,
                       j->progress, j->task_err_msg, j->status, std::to_string(j->timeout_s)});
  }
  return rs;
}

QueryResult BackupService::Impl::cancel_job(const SessionContext& session, const CancelJobStmt& s) {
  std::string db = s.db.value_or(session.current_database);
  if (db.empty()) return error(Origin::kAnalyzer, "No database selected");
  auto exists = catalog.database_exists(db);
  if (!exists) return error(Origin::kPlain, exists.error().message);
  if (!*exists) return error(Origin::kDdl, fmt::format("Unknown database '{}'", db));
  auto db_id = catalog.database_id(db);
  if (!db_id) return error(Origin::kPlain, db_id.error().message);
  std::shared_ptr<Job> target;
  std::string status;
  {
    std::unique_lock lock(mu);
    auto it = jobs.find(*db_id);
    JobKind want = s.restore ? JobKind::kRestore : JobKind::kBackup;
    if (it == jobs.end() || it->second->kind != want) {
      return error(Origin::kDdl,
                   s.restore ? "No restore is currently running" : "No backup job is currently running");
    }
    target = it->second;
    cv.wait(lock, [&] { return !target->busy; });  // let a running step finish first
    Job& job = *target;
    if (job.done()) {
      return error(Origin::kDdl,
                   fmt::format("Failed to cancel job: Job with label {} can not be cancelled. state: "
                               "{}",
                               job.label, job.state_name()));
    }
    std::string msg = job.kind == JobKind::kBackup ? "user cancelled"
                                                   : "user cancelled, current state: " + job.state_name();
    status = status_text("COMMON_ERROR", msg);
    job.busy = true;
  }
  finish_cancel(target, status, "");
  return OkResult{};
}

QueryResult BackupService::Impl::apply_fault(const Statement& stmt) {
  std::lock_guard lock(mu);
  if (const auto* f = std::get_if<SetRepositoryFaultStmt>(&stmt)) {
    auto it = repos.find(f->repo);
    if (it == repos.end()) return error(Origin::kPlain, fmt::format("Repository {} does not exist", f->repo));
    if (f->kind == SetRepositoryFaultStmt::Kind::kUnreachable)
      it->second.unreachable = f->value;
    else
      it->second.storage_read_only = f->value;
    ping_locked(it->second);
  } else if (const auto* l = std::get_if<SetLocationFaultStmt>(&stmt)) {
    std::string loc = normalize_location(l->location);
    if (l->value)
      unreachable_locations.insert(loc);
    else
      unreachable_locations.erase(loc);
    for (auto& [name, r] : repos) {
      (void)name;
      ping_locked(r);
    }
  } else if (const auto* fail = std::get_if<FailJobStmt>(&stmt)) {
    state_faults.push_back(StateFault{fail->state, fail->db, false, fail->status, 0});
  } else if (const auto* delay = std::get_if<DelayJobStmt>(&stmt)) {
    state_faults.push_back(StateFault{delay->state, delay->db, true, std::nullopt, delay->seconds});
  } else if (const auto* refuse = std::get_if<RefuseSubmitsStmt>(&stmt)) {
    refuse_submits = std::max(0, refuse->count);
    refuse_submit_text = refuse->text;
  } else if (const auto* lose = std::get_if<LoseSubmitReplyStmt>(&stmt)) {
    lose_submit_reply = lose->after_accept;
  } else if (std::holds_alternative<ClearJobFaultsStmt>(stmt)) {
    state_faults.clear();
    refuse_submits = 0;
    refuse_submit_text.reset();
    lose_submit_reply.reset();
  }
  return OkResult{};
}

}  // namespace sk::emu
