// Internal to emulator/backup: the state behind BackupService (repositories, jobs, faults) and the job model,
// shared by the implementation files: backup_service.cpp (dispatch, errors), repositories.cpp (repositories,
// SHOW SNAPSHOT, DROP SNAPSHOT), job_submission.cpp (BACKUP/RESTORE/SHOW/CANCEL, faults) and job_runner.cpp
// (the timer thread and the state machines). Locking: `submit_mu` serializes submissions (the FE's seqlock),
// then `mu` guards every field below it; methods named *_locked expect `mu` held. Catalog and storage I/O
// happens without `mu`; a job whose step is running has `busy` set, which keeps the timer and CANCEL away
// from it. Lock order: submit_mu → mu → ClusterState's mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "emulator/backup/backup_service.h"
#include "emulator/backup/cluster_clock.h"
#include "emulator/backup/repository_storage.h"
#include "emulator/backup/snapshot_format.h"
#include "emulator/backup/snapshot_ttl.h"
#include "emulator/backup/statements.h"

namespace sk::emu::backup {

// StarRocks' answer while another BACKUP/RESTORE/DROP SNAPSHOT holds the submit lock.
inline constexpr std::string_view kSubmitLockBusy =
    "Another backup or restore job is being submitted. Please wait and try again";

using SysClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kDefaultTimeoutSeconds = 86400;
constexpr int kDefaultReplicationNum = 3;
constexpr double kDiskFloodStagePercent = 95.0;

inline const std::vector<std::string> kBackupStates = {
    "PENDING", "SNAPSHOTING", "UPLOAD_SNAPSHOT", "UPLOADING", "SAVE_META", "UPLOAD_INFO", "FINISHED"};
inline const std::vector<std::string> kRestoreStates = {"PENDING", "SNAPSHOTING", "DOWNLOAD", "DOWNLOADING",
                                                        "COMMIT",  "COMMITTING",  "FINISHED"};

std::string status_text(std::string_view code, std::string_view msg);

std::string join(const std::vector<std::string>& items, std::string_view sep);

ResultSet make_result(const std::vector<std::string>& columns);

enum class JobKind { kBackup, kRestore };

struct Job {
  JobKind kind = JobKind::kBackup;
  int64_t job_id = -1;
  std::string label;
  std::string db_name;
  int64_t db_id = 0;
  std::string repo_name;
  int64_t repo_id = 0;
  size_t state = 0;
  bool cancelled = false;
  std::string status = "[OK]";
  std::string unfinished_tasks;
  std::string progress;
  std::string task_err_msg;
  int64_t timeout_s = kDefaultTimeoutSeconds;
  std::optional<SnapshotTtl> ttl;  // backup, 4.2+: the `ttl` property (snapshot_ttl.h)
  SysClock::time_point create_time;
  // Backup: [0] SnapshotFinishedTime, [1] UploadFinishedTime. Restore: [0] MetaPreparedTime,
  // [1] SnapshotFinishedTime, [2] DownloadFinishedTime.
  std::optional<SysClock::time_point> times[3];
  std::optional<SysClock::time_point> finished_time;
  SteadyClock::time_point created_steady;
  SteadyClock::time_point state_entered;
  double extra_delay_s = 0;
  bool busy = false;  // a transition's I/O is running on the timer thread
  struct TransferTask {
    int64_t signature = 0;
    int64_t backend = 0;
    size_t total = 0;  // files (partitions) this BE task moves
  };
  std::vector<TransferTask> transfers;  // UPLOADING / DOWNLOADING only

  std::vector<TableItem> items;  // backup: resolved table refs; restore: selected tables (+ alias)
  std::string objs;              // BackupObjs / RestoreObjs
  std::string timestamp;         // backup_timestamp
  SnapshotInfo snapshot;         // backup: captured content; restore: the info file (+ downloaded rows)
  int64_t bytes = 0;
  bool foreign = false;
  double foreign_seconds = 60;

  // Restore only.
  bool allow_load = false;
  int replication_num = kDefaultReplicationNum;
  std::map<std::string, std::string> alias;  // snapshot table -> local table
  std::vector<TableSchema> meta;             // schemas of the selected tables (from __meta)
  std::vector<std::string> created_tables;
  std::vector<std::pair<std::string, std::string>> created_partitions;  // (table, partition)

  [[nodiscard]] const std::vector<std::string>& states() const {
    return kind == JobKind::kBackup ? kBackupStates : kRestoreStates;
  }
  [[nodiscard]] const std::string& state_name() const {
    static const std::string kCancelled = "CANCELLED";
    return cancelled ? kCancelled : states()[state];
  }
  [[nodiscard]] bool done() const { return cancelled || state + 1 == states().size(); }
  [[nodiscard]] std::string local_name(const std::string& table) const {
    auto it = alias.find(table);
    return it == alias.end() ? table : it->second;
  }
};

struct Repo {
  int64_t id = 0;
  std::string name;
  std::string create_time;  // yyyy-MM-dd HH:mm:ss (from __repo_info when adopted)
  bool read_only = false;
  std::string location;  // normalized
  std::string broker;
  std::shared_ptr<RepositoryStorage> storage;  // __starrocks_repository_<name> (local directory or S3)
  std::optional<std::string> storage_error;    // the last SHOW REPOSITORIES probe's failure (S3 backend)
  bool unreachable = false;
  bool storage_read_only = false;
  std::optional<std::string> err_msg;

  [[nodiscard]] std::string remote_dir() const {
    return fmt::format("{}/{}{}", location, kRepoDirPrefix, name);
  }
};

struct StateFault {
  std::string state;
  std::optional<std::string> db;
  bool is_delay = false;
  std::optional<std::string> status;
  double delay_s = 0;
};

// A snapshot this cluster wrote with a TTL, watched by the leader's cleaner until it is deleted (by the cleaner or
// anyone) or no longer expires (dropped and taken again without a TTL).
struct TtlWatch {
  std::string repo;
  std::string label;
  std::string timestamp;
  int64_t expire_ms = 0;
};

// The BACKUP properties a job takes.
struct BackupProperties {
  int64_t timeout = kDefaultTimeoutSeconds;
  std::optional<SnapshotTtl> ttl;
};

// Where an error message comes from decides its wrapping (reference §0).
enum class Origin { kAnalyzer, kDdl, kPlain };

// Outcome of one state's exit action.
struct StepResult {
  enum class Kind { kAdvance, kFail, kRetry } kind = Kind::kAdvance;
  std::string status;
  std::string task_err_msg;
  static StepResult advance() { return {}; }
  static StepResult fail(std::string status, std::string task_err = {}) {
    return {Kind::kFail, std::move(status), std::move(task_err)};
  }
  static StepResult retry(std::string status) { return {Kind::kRetry, std::move(status), {}}; }
};

bool same_column(const ColumnSchema& a, const ColumnSchema& b);

std::string describe_column(const ColumnSchema& c);

// Empty when the schemas match for restore purposes (columns, keys, partitioning); otherwise the detail.
std::string schema_difference(const TableSchema& existing, const TableSchema& snapshot);

// Labels and repository names become directory names: refuse what would leave the repository directory.
bool safe_name(std::string_view name);

// Empty when the snapshot's partitions can go into the existing table `local` (same name → same range and
// replication num as the restore's; new ones → no overlap with existing ranges); otherwise RestoreJob's
// message.
std::string partition_conflict(const TableSchema& local, const TableSchema& snapshot, int replication_num);

uint64_t fnv1a(std::string_view s);

}  // namespace sk::emu::backup

namespace sk::emu {

struct BackupService::Impl {
  Impl(Catalog& catalog_ref, ClusterState& cluster_ref);

  ~Impl();

  Catalog& catalog;
  ClusterState& cluster;
  backup::Version version;
  backup::ClusterClock clock;
  std::string cluster_id;

  std::mutex submit_mu;  // the FE's submit lock: one BACKUP/RESTORE/DROP submission at a time
  std::mutex mu;         // guards everything below
  std::condition_variable cv;
  bool stopping = false;
  std::thread timer;
  int64_t next_id = 20000;
  std::map<std::string, backup::Repo> repos;
  std::set<std::string> unreachable_locations;
  std::map<int64_t, std::shared_ptr<backup::Job>> jobs;  // db id -> latest job
  std::vector<backup::StateFault> state_faults;
  int refuse_submits = 0;
  std::optional<std::string> refuse_submit_text;  // REFUSE NEXT SUBMITS n WITH 'text'; default kSubmitLockBusy
  std::optional<bool> lose_submit_reply;      // LOSE NEXT SUBMIT REPLY: true = after the job was created
  std::function<void()> drop_connections;     // Server::drop_all_connections (set by the server main)
  std::vector<backup::TtlWatch> ttl_watch;    // 4.2+: snapshots written here with a ttl, not yet deleted
  backup::SteadyClock::time_point next_clean{};

  backup::SysClock::time_point now() const { return cluster.now(); }

  const EmulatorConfig& config() const { return cluster.config(); }

  // ---------------------------------------------------------------- errors and formatting

  ErrorResult error(backup::Origin origin, std::string message) const;

  std::optional<std::string> time_or_null(const std::optional<backup::SysClock::time_point>& t) const;

  double scale() const { return config().time_scale > 0 ? config().time_scale : 1.0; }

  // ---------------------------------------------------------------- repositories

  bool location_unreachable(const std::string& location) const;
  bool repo_unreachable(const backup::Repo& r) const {
    return r.unreachable || location_unreachable(r.location);
  }

  // The repository "ping": ErrMsg follows reachability (reference §1.1).
  void ping_locked(backup::Repo& r);

  // A copy for use outside the lock, with `unreachable` = effective reachability now.
  backup::Repo copy_locked(const backup::Repo& r) const;

  std::string list_error(const backup::Repo& r, std::string_view what) const;

  QueryResult create_repository(const backup::CreateRepositoryStmt& s);

  QueryResult drop_repository(const backup::DropRepositoryStmt& s);

  QueryResult show_repositories();

  // Snapshot info rows of SHOW SNAPSHOT (reference §1.4, Repository.getSnapshotInfo).
  std::vector<std::optional<std::string>> snapshot_row(const backup::Repo& r, const std::string& label) const;

  // Reads `__ss_<label>/__info_<ts>` the way Repository.download does: exactly one file whose name starts
  // with the requested path, and whose name without checksum ends with it.
  Result<backup::SnapshotInfo> read_info(const backup::Repo& r, const std::string& label,
                                         const std::string& ts) const;

  QueryResult show_snapshot(const backup::ShowSnapshotStmt& s);

  QueryResult drop_snapshot(const backup::DropSnapshotStmt& s);

  // 4.2+ SHOW SNAPSHOT's retention columns (ClusterId, FinishTime, TTL, ExpireTime) of one info file; all NULL
  // when it cannot be read or predates 4.2.
  std::vector<std::optional<std::string>> retention_cells(const Result<backup::SnapshotInfo>& info) const;

  // The leader's snapshot cleaner (4.2+, BackupHandler.cleanExpiredSnapshots): deletes the `__ss_<label>`
  // directory of every watched snapshot whose info file names this cluster and whose expire_time is at or before
  // the cluster clock, unless an unfinished BACKUP/RESTORE of that repository and label uses it. Runs on the
  // timer thread every 3 s and right after ADVANCE CLOCK; a failed deletion is retried next round.
  void clean_expired_snapshots();
  // ADVANCE CLOCK: moves the cluster clock, then runs one cleaner round before answering (as if the daemon's
  // next round came at once), so a client sees the effect without waiting.
  QueryResult advance_clock(const backup::AdvanceClockStmt& s);
  // Whether the watched snapshot's info file still says it expires by `now_ms` for this cluster (nullopt: the
  // repository cannot be read now; try again).
  std::optional<bool> still_expired(const backup::Repo& repo, const backup::TtlWatch& w, int64_t now_ms) const;

  // Fault: appends a row to the first data file of the snapshot, so downloads fail their md5 check.
  QueryResult corrupt_snapshot(const backup::CorruptSnapshotStmt& s);

  // ---------------------------------------------------------------- submission

  // The seqlock + concurrency part of BackupHandler.process(): call with mu held.
  std::optional<ErrorResult> check_slot_locked(int64_t db_id);

  // The `timeout` property in seconds (BackupRestoreAnalyzer.setPropTimeout), or the analyzer error.
  std::expected<int64_t, ErrorResult> parse_timeout(const std::string& value) const;

  QueryResult backup(const SessionContext& session, const backup::BackupStmt& s);

  // The steps of backup(), in FE order. The tables and partitions BACKUP takes (every table but views unless ON
  // lists them, plus the listed ones), sorted by name.
  std::expected<std::vector<backup::TableItem>, ErrorResult> backup_items(const std::string& db,
                                                                          const backup::BackupStmt& s) const;
  // A table BACKUP ... ON names: it exists, can be backed up, and has the named partitions.
  std::optional<ErrorResult> check_backup_table(const std::string& db, const backup::TableItem& item) const;
  // The job's timeout in seconds and (4.2+) its ttl; `type` must be FULL or INCREMENTAL; other properties are
  // refused.
  std::expected<backup::BackupProperties, ErrorResult> parse_backup_properties(const backup::BackupStmt& s) const;
  // With submit_mu held: the repository to write to, once the database has no job running, the repository is
  // writable and reachable, and it has no snapshot named like the label.
  std::expected<backup::Repo, ErrorResult> backup_destination(const backup::BackupStmt& s, int64_t db_id);
  // The job's object list for SHOW BACKUP.
  static std::string backup_objects_text(const std::string& db, const std::vector<backup::TableItem>& items);

  QueryResult restore(const SessionContext& session, const backup::RestoreStmt& s);

  // The steps of restore(), in FE order. The RESTORE properties the job takes (BackupRestoreAnalyzer).
  struct RestoreProperties {
    int64_t timeout;
    bool allow_load;
    int replication_num;
    std::optional<std::string> backup_timestamp;  // required; always set on success
  };
  // No table named twice, no alias twice (names and aliases share one namespace).
  std::optional<ErrorResult> check_restore_names(const backup::RestoreStmt& s) const;
  std::expected<RestoreProperties, ErrorResult> parse_restore_properties(const backup::RestoreStmt& s) const;
  // The database restored into (grammar-dependent), created when 3.4+ allows it.
  std::expected<std::string, ErrorResult> restore_target_database(const SessionContext& session,
                                                                  const backup::RestoreStmt& s,
                                                                  const backup::SnapshotInfo& info);
  // RESTORE ... ON (...): the named tables and partitions must be in the snapshot; `info` keeps only them.
  std::optional<ErrorResult> select_restore_objects(const backup::RestoreStmt& s, backup::SnapshotInfo& info,
                                                    backup::Job& job) const;
  // Sorts `info` by table and partition name and renders the job's object list for SHOW RESTORE.
  static std::string restore_objects_text(backup::SnapshotInfo& info);

  void start_job(std::shared_ptr<backup::Job> job);

  QueryResult start_foreign_backup(const backup::ForeignBackupStmt& s);

  // ---------------------------------------------------------------- SHOW / CANCEL

  // The jobs SHOW BACKUP/RESTORE lists; `err` is set for an unknown FROM/IN database.
  std::vector<std::shared_ptr<backup::Job>> jobs_for_show(const SessionContext& session,
                                                          const std::optional<std::string>& db,
                                                          backup::JobKind kind,
                                                          std::optional<ErrorResult>& err);

  QueryResult show_jobs(const SessionContext& session, const backup::ShowJobStmt& s);

  QueryResult cancel_job(const SessionContext& session, const backup::CancelJobStmt& s);

  // ---------------------------------------------------------------- faults

  QueryResult apply_fault(const backup::Statement& stmt);

  // ---------------------------------------------------------------- state machine

  std::vector<BackendState> alive_backends() const;

  int64_t pick_backend(size_t i) const;

  void set_task_columns_locked(backup::Job& job);

  // UnfinishedTasks / Progress of a transfer state, from the share of the state's time already spent.
  void refresh_progress_locked(backup::Job& job);

  // Enters `state`, applying DELAY faults; returns the Status of a FAIL JOB AT fault that fired (the caller
  // cancels the job, after undoing what it created).
  std::optional<std::string> enter_state_locked(backup::Job& job, size_t state);

  // Undoes what the job created (restored tables), then marks it CANCELLED, so that a client seeing CANCELLED
  // never sees the tables. The caller has set job->busy, which keeps the timer away meanwhile.
  void finish_cancel(const std::shared_ptr<backup::Job>& job, const std::string& status,
                     const std::string& task_err);

  void cancel_locked(backup::Job& job, std::string status, std::string task_err);

  // Emulated seconds the job must spend in its current state; nullopt while it cannot progress (no alive BE
  // for a transfer).
  std::optional<double> required_seconds_locked(const backup::Job& job) const;

  std::optional<const backup::Repo*> job_repo_locked(const backup::Job& job) const;

  std::string storage_failure_locked(const backup::Job& job, bool upload) const;

  void timer_loop();

  // Runs the exit action of the job's current state (I/O without the lock) and applies the outcome.
  void run_step(const std::shared_ptr<backup::Job>& job);

  // Repository directory of a job, or nullopt when the repository was dropped.
  std::optional<backup::Repo> repo_copy(const backup::Job& job);

  backup::StepResult disk_full_backup() const;

  backup::StepResult backup_step(backup::Job& job, const std::string& state);

  backup::StepResult capture(backup::Job& job);

  backup::StepResult upload_data(backup::Job& job);

  backup::StepResult upload_info(backup::Job& job);

  backup::StepResult restore_step(backup::Job& job, const std::string& state);

  backup::StepResult prepare_meta(backup::Job& job);

  backup::StepResult download_data(backup::Job& job);

  backup::StepResult commit(backup::Job& job);

  // ---------------------------------------------------------------- dispatch

  QueryResult handle(const SessionContext& session, std::string_view sql, const backup::Statement& stmt);
};

}  // namespace sk::emu
