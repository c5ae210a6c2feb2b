#include "emulator/backup/backup_service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "emulator/backup/cluster_clock.h"
#include "emulator/backup/repository_storage.h"
#include "emulator/backup/snapshot_format.h"
#include "emulator/backup/statement_lexer.h"
#include "emulator/backup/statements.h"

namespace sk::emu {

namespace fs = std::filesystem;
using namespace sk::emu::backup;  // NOLINT: implementation file of the backup module
using SysClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr int64_t kDefaultTimeoutSeconds = 86400;
constexpr int kDefaultReplicationNum = 3;
constexpr double kDiskFloodStagePercent = 95.0;

const std::vector<std::string> kBackupStates = {"PENDING",   "SNAPSHOTING", "UPLOAD_SNAPSHOT", "UPLOADING",
                                                "SAVE_META", "UPLOAD_INFO", "FINISHED"};
const std::vector<std::string> kRestoreStates = {"PENDING", "SNAPSHOTING", "DOWNLOAD", "DOWNLOADING",
                                                 "COMMIT",  "COMMITTING",  "FINISHED"};

std::string status_text(std::string_view code, std::string_view msg) { return fmt::format("[{}, msg: {}]", code, msg); }

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

ResultSet make_result(const std::vector<std::string>& columns) {
  ResultSet rs;
  for (const std::string& c : columns) rs.columns.push_back(Column{c, ColumnType::kVarString});
  return rs;
}

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
  fs::path dir;  // local directory of __starrocks_repository_<name>
  bool unreachable = false;
  bool storage_read_only = false;
  std::optional<std::string> err_msg;

  [[nodiscard]] std::string remote_dir() const { return fmt::format("{}/{}{}", location, kRepoDirPrefix, name); }
};

struct StateFault {
  std::string state;
  std::optional<std::string> db;
  bool is_delay = false;
  std::optional<std::string> status;
  double delay_s = 0;
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

bool same_column(const ColumnSchema& a, const ColumnSchema& b) {
  return a.name == b.name && a.type == b.type && a.nullable == b.nullable && a.is_key == b.is_key;
}

std::string describe_column(const ColumnSchema& c) {
  return fmt::format("{} {}{}{}", c.name, c.type, c.nullable ? " NULL" : " NOT NULL", c.is_key ? " KEY" : "");
}

// Empty when the schemas match for restore purposes (columns, keys, partitioning); otherwise the detail.
std::string schema_difference(const TableSchema& existing, const TableSchema& snapshot) {
  if (existing.keys_type != snapshot.keys_type) return "key type";
  if (existing.columns.size() != snapshot.columns.size()) {
    return fmt::format("errMsg: column count {} in existed table is different from {} in backup snapshot",
                       existing.columns.size(), snapshot.columns.size());
  }
  for (size_t i = 0; i < existing.columns.size(); ++i) {
    if (!same_column(existing.columns[i], snapshot.columns[i])) {
      return fmt::format("errMsg: column: {} in existed table is different from the column in backup snapshot, "
                         "column: {}",
                         describe_column(existing.columns[i]), describe_column(snapshot.columns[i]));
    }
  }
  if (existing.key_columns != snapshot.key_columns) {
    return fmt::format("errMsg: key columns [{}] in existed table are different from [{}] in backup snapshot",
                       join(existing.key_columns, ", "), join(snapshot.key_columns, ", "));
  }
  if (existing.partition_type != snapshot.partition_type ||
      existing.partition_columns != snapshot.partition_columns) {
    return fmt::format("errMsg: partition info [{}({})] in existed table is different from [{}({})] in backup "
                       "snapshot",
                       existing.partition_type, join(existing.partition_columns, ", "), snapshot.partition_type,
                       join(snapshot.partition_columns, ", "));
  }
  return {};
}

// Labels and repository names become directory names: refuse what would leave the repository directory.
bool safe_name(std::string_view name) {
  return !name.empty() && name.find('/') == std::string_view::npos && name.find('\\') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

struct BackupService::Impl {
  Impl(Catalog& catalog_ref, ClusterState& cluster_ref)
      : catalog(catalog_ref),
        cluster(cluster_ref),
        version(Version::parse(cluster_ref.config().starrocks_version)),
        clock(cluster_ref.config().time_zone) {
    std::random_device rd;
    cluster_id = std::to_string(1 + (rd() % 2000000000u));
    timer = std::thread([this] { timer_loop(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_all();
    timer.join();
  }

  Catalog& catalog;
  ClusterState& cluster;
  Version version;
  ClusterClock clock;
  std::string cluster_id;

  std::mutex submit_mu;  // the FE's submit lock: one BACKUP/RESTORE/DROP submission at a time
  std::mutex mu;         // guards everything below
  std::condition_variable cv;
  bool stopping = false;
  std::thread timer;
  int64_t next_id = 20000;
  std::map<std::string, Repo> repos;
  std::set<std::string> unreachable_locations;
  std::map<int64_t, std::shared_ptr<Job>> jobs;  // db id -> latest job
  std::vector<StateFault> state_faults;
  int refuse_submits = 0;

  const EmulatorConfig& config() const { return cluster.config(); }

  // ---------------------------------------------------------------- errors and formatting

  ErrorResult error(Origin origin, std::string message) const {
    ErrorResult e;
    e.code = config().error_code;
    e.sql_state = config().error_sql_state;
    switch (origin) {
      case Origin::kAnalyzer:
        e.message = fmt::format("Getting analyzing error. Detail message: {}.", message);
        break;
      case Origin::kDdl:
        e.message = (version.at_least(3, 0) && !version.at_least(3, 3)) ? "Unexpected exception: " + message
                                                                         : std::move(message);
        break;
      case Origin::kPlain:
        e.message = std::move(message);
        break;
    }
    return e;
  }

  std::optional<std::string> time_or_null(const std::optional<SysClock::time_point>& t) const {
    if (!t) return std::nullopt;
    return clock.datetime(*t);
  }

  double scale() const { return config().time_scale > 0 ? config().time_scale : 1.0; }

  // ---------------------------------------------------------------- repositories

  bool location_unreachable(const std::string& location) const {
    for (const std::string& prefix : unreachable_locations) {
      if (location.starts_with(prefix)) return true;
    }
    return false;
  }
  bool repo_unreachable(const Repo& r) const { return r.unreachable || location_unreachable(r.location); }

  // The repository "ping": ErrMsg follows reachability (reference §1.1).
  void ping_locked(Repo& r) {
    if (repo_unreachable(r)) {
      if (!r.err_msg) {
        r.err_msg = fmt::format("{}: failed to check path exist: {}. msg: Unable to execute HTTP request: connect "
                                "timed out (Service: S3, Status Code: 503)",
                                clock.datetime(SysClock::now()), r.remote_dir());
      }
    } else {
      r.err_msg.reset();
    }
  }

  // A copy for use outside the lock, with `unreachable` = effective reachability now.
  Repo copy_locked(const Repo& r) const {
    Repo c = r;
    c.unreachable = repo_unreachable(r);
    return c;
  }

  std::string list_error(const Repo& r, std::string_view what) const {
    return fmt::format("failed to list remote path: {}/{}. msg: listPath failed", r.remote_dir(), what);
  }

  QueryResult create_repository(const CreateRepositoryStmt& s) {
    if (s.broker) return error(Origin::kDdl, fmt::format("broker does not exist: {}", *s.broker));
    if (!safe_name(s.name)) return error(Origin::kAnalyzer, fmt::format("Incorrect repository name '{}'", s.name));
    std::string location = normalize_location(s.location);
    auto mapped = map_location(config().repository_root, location);
    if (!mapped) return error(Origin::kDdl, "Failed to create repository: " + mapped.error().message);
    fs::path dir = *mapped / (std::string(kRepoDirPrefix) + s.name);
    std::string remote_info = fmt::format("{}/{}{}/__repo_info", location, kRepoDirPrefix, s.name);
    std::lock_guard lock(mu);
    if (repos.contains(s.name)) {
      return error(Origin::kDdl,
                   fmt::format("Failed to create repository: repository with same name already exist: {}", s.name));
    }
    if (location_unreachable(location)) {
      return error(Origin::kDdl, fmt::format("Failed to create repository: failed to list remote path: {}. msg: "
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
        return error(Origin::kDdl, "Failed to create repository: failed to read repo info file: " + remote_info);
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

  QueryResult drop_repository(const DropRepositoryStmt& s) {
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

  QueryResult show_repositories() {
    ResultSet rs = make_result({"RepoId", "RepoName", "CreateTime", "IsReadOnly", "Location", "Broker", "ErrMsg"});
    std::lock_guard lock(mu);
    std::vector<Repo*> sorted;
    for (auto& [name, r] : repos) {
      (void)name;
      ping_locked(r);
      sorted.push_back(&r);
    }
    std::sort(sorted.begin(), sorted.end(), [](const Repo* a, const Repo* b) { return a->id < b->id; });
    for (const Repo* r : sorted) {
      rs.rows.push_back({std::to_string(r->id), r->name, r->create_time, r->read_only ? "true" : "false", r->location,
                         r->broker, r->err_msg});
    }
    return rs;
  }

  // Snapshot info rows of SHOW SNAPSHOT (reference §1.4, Repository.getSnapshotInfo).
  std::vector<std::optional<std::string>> snapshot_row(const Repo& r, const std::string& label) const {
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

  // Reads `__ss_<label>/__info_<ts>` the way Repository.download does: exactly one file whose name starts with
  // the requested path, and whose name without checksum ends with it.
  Result<SnapshotInfo> read_info(const Repo& r, const std::string& label, const std::string& ts) const {
    std::string remote = fmt::format("{}/{}{}/{}{}", r.remote_dir(), kSnapshotDirPrefix, label, kInfoPrefix, ts);
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
    if (name != std::string(kInfoPrefix) + ts) return sk::fail("repo.not_found", "File does not exist: {}", remote);
    auto text = read_file(dir / files->front());
    if (!text) return std::unexpected(text.error());
    if (md5_hex(*text) != md5) {
      return sk::fail("repo.bad_file", "md5sum does not equal. local: {}, remote: {}", md5_hex(*text), md5);
    }
    return info_from_json(*text);
  }

  QueryResult show_snapshot(const ShowSnapshotStmt& s) {
    Repo repo;
    {
      std::lock_guard lock(mu);
      auto it = repos.find(s.repo);
      if (it == repos.end()) return error(Origin::kAnalyzer, fmt::format("Repository {} does not exist", s.repo));
      repo = copy_locked(it->second);
    }
    if (s.labels.size() == 1 && s.timestamp && !s.label_in_list) {
      ResultSet rs = make_result({"Snapshot", "Timestamp", "Database", "Details", "Status"});
      auto info = read_info(repo, s.labels.front(), *s.timestamp);
      if (!info) {
        rs.rows.push_back({s.labels.front(), *s.timestamp, std::nullopt, std::nullopt,
                           "Failed to get info: " + info.error().message});
      } else {
        rs.rows.push_back({s.labels.front(), *s.timestamp, info->db_name, info_to_json(*info, false).dump(1), "OK"});
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
        return error(Origin::kPlain,
                     fmt::format("Failed to list snapshot in repo: {}, err: {}", repo.name, listed.error().message));
      }
      labels = *listed;
    }
    for (const std::string& l : labels) rs.rows.push_back(snapshot_row(repo, l));
    return rs;
  }

  QueryResult drop_snapshot(const DropSnapshotStmt& s) {
    std::lock_guard submit(submit_mu);
    Repo repo;
    {
      std::lock_guard lock(mu);
      if (refuse_submits > 0) {
        --refuse_submits;
        return error(Origin::kDdl, "Another backup or restore job is being submitted. Please wait and try again");
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
      return error(Origin::kDdl,
                   fmt::format("Failed to list snapshots in repository {}: {}", repo.name, labels.error().message));
    }
    if (std::find(labels->begin(), labels->end(), s.label) == labels->end()) {
      return error(Origin::kDdl, fmt::format("Snapshot does not exist in repository {}: {}", repo.name, s.label));
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
        std::string whose = owner ? "was created by cluster " + *owner : "does not record which cluster created it";
        return error(Origin::kDdl, fmt::format("Snapshot {} in repository {} {}, and this cluster is {}. Use DROP "
                                               "SNAPSHOT ... FORCE to drop it anyway",
                                               s.label, repo.name, whose, cluster_id));
      }
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
      return error(Origin::kDdl, fmt::format("Failed to delete snapshot {} in repository {}: {}", s.label, repo.name,
                                             ec.message()));
    }
    return OkResult{};
  }

  // ---------------------------------------------------------------- submission

  // The seqlock + concurrency part of BackupHandler.process(): call with mu held.
  std::optional<ErrorResult> check_slot_locked(int64_t db_id) {
    if (refuse_submits > 0) {
      --refuse_submits;
      return error(Origin::kDdl, "Another backup or restore job is being submitted. Please wait and try again");
    }
    auto it = jobs.find(db_id);
    if (it != jobs.end() && !it->second->done()) {
      return error(Origin::kDdl, "Can only run one backup or restore job of a database at same time");
    }
    return std::nullopt;
  }

  // The `timeout` property in seconds (BackupRestoreAnalyzer.setPropTimeout), or the analyzer error.
  std::expected<int64_t, ErrorResult> parse_timeout(const std::string& value) const {
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

  QueryResult backup(const SessionContext& session, const BackupStmt& s) {
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
    // Tables and partitions.
    std::vector<TableItem> items;
    if (!s.has_on || s.all_tables) {
      auto tables = catalog.list_tables(db);
      if (!tables) return error(Origin::kPlain, tables.error().message);
      for (const TableSchema& t : *tables) {
        if (t.table_type == "VIEW") continue;
        bool listed = std::any_of(s.tables.begin(), s.tables.end(),
                                  [&](const TableItem& i) { return iequals(i.table, t.name); });
        if (!listed) items.push_back(TableItem{t.name, {}, false, std::nullopt});
      }
    }
    std::set<std::string> seen;
    for (const TableItem& item : s.tables) {
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
      if (!seen.insert(to_upper(item.table)).second) {
        return error(Origin::kAnalyzer, "Duplicated table: " + item.table);
      }
      if (item.alias) {
        return error(Origin::kAnalyzer,
                     fmt::format("Can not set alias for table in Backup Stmt: {}.{} AS {}", db, item.table, *item.alias));
      }
      if (item.temp_partitions) return error(Origin::kDdl, "Do not support backing up temp partitions");
      items.push_back(item);
    }
    std::sort(items.begin(), items.end(), [](const TableItem& a, const TableItem& b) {
      return to_upper(a.table) < to_upper(b.table);
    });
    int64_t timeout = kDefaultTimeoutSeconds;
    std::vector<std::string> unknown;
    for (const auto& [k, v] : s.properties) {
      if (k == "timeout") {
        auto t = parse_timeout(v);
        if (!t) return t.error();
        timeout = *t;
      } else if (k == "type") {
        if (to_upper(v) != "FULL" && to_upper(v) != "INCREMENTAL") {
          return error(Origin::kAnalyzer, "Invalid backup job type: " + v);
        }
      } else {
        unknown.push_back(k);
      }
    }
    if (!unknown.empty()) {
      std::sort(unknown.begin(), unknown.end());
      return error(Origin::kAnalyzer, fmt::format("Unknown backup job properties: [{}]", join(unknown, ", ")));
    }
    if (items.empty()) return error(Origin::kDdl, fmt::format("Database: {} is empty", db));
    auto db_id = catalog.database_id(db);
    if (!db_id) return error(Origin::kPlain, db_id.error().message);

    std::lock_guard submit(submit_mu);
    Repo repo;
    {
      std::lock_guard lock(mu);
      auto it = repos.find(s.repo);
      if (it == repos.end()) return error(Origin::kDdl, fmt::format("Repository {} does not exist", s.repo));
      repo = it->second;
      if (auto err = check_slot_locked(*db_id)) return *err;
      if (repo.read_only) return error(Origin::kDdl, fmt::format("Repository {} is read only", repo.name));
      if (repo_unreachable(repo)) return error(Origin::kDdl, list_error(repo, std::string(kSnapshotDirPrefix) + "*"));
    }
    auto labels = list_snapshot_labels(repo.dir);
    if (!labels) return error(Origin::kDdl, labels.error().message);
    if (std::find(labels->begin(), labels->end(), s.label) != labels->end()) {
      return error(Origin::kDdl, fmt::format("Snapshot with name '{}' already exist in repository", s.label));
    }
    auto job = std::make_shared<Job>();
    job->kind = JobKind::kBackup;
    job->label = s.label;
    job->db_name = db;
    job->db_id = *db_id;
    job->repo_name = repo.name;
    job->repo_id = repo.id;
    job->timeout_s = timeout;
    job->items = items;
    std::vector<std::string> objs;
    for (const TableItem& i : items) {
      std::string ref = db + "." + i.table;
      if (!i.partitions.empty()) ref += "PARTITIONS (" + join(i.partitions, ", ") + ")";
      objs.push_back("[" + ref + "]");
    }
    job->objs = join(objs, ", ");
    start_job(std::move(job));
    return OkResult{};
  }

  QueryResult restore(const SessionContext& session, const RestoreStmt& s) {
    // Analyzer checks.
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
    int64_t timeout = kDefaultTimeoutSeconds;
    bool allow_load = false;
    int replication_num = kDefaultReplicationNum;
    std::optional<std::string> backup_timestamp;
    std::vector<std::string> unknown;
    auto parse_int = [&](const std::string& v, int& out) -> std::optional<ErrorResult> {
      try {
        size_t used = 0;
        out = std::stoi(v, &used);
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
        if (!t) return t.error();
        timeout = *t;
      } else if (k == "allow_load") {
        if (iequals(v, "true")) allow_load = true;
        else if (iequals(v, "false")) allow_load = false;
        else return error(Origin::kAnalyzer, "Invalid allow load value: " + v);
      } else if (k == "replication_num") {
        if (auto err = parse_int(v, replication_num)) return *err;
      } else if (k == "backup_timestamp") {
        backup_timestamp = v;
      } else if (k == "meta_version" || k == "starrocks_meta_version") {
        if (auto err = parse_int(v, ignored)) return *err;
      } else {
        unknown.push_back(k);
      }
    }
    if (!backup_timestamp) return error(Origin::kAnalyzer, "Missing backup_timestamp property");
    if (!unknown.empty()) {
      std::sort(unknown.begin(), unknown.end());
      return error(Origin::kAnalyzer, fmt::format("Unknown restore job properties: [{}]", join(unknown, ", ")));
    }

    if (!safe_name(s.label)) return error(Origin::kAnalyzer, fmt::format("Incorrect label name '{}'", s.label));
    // BackupHandler.process(): repository, snapshot info, database.
    Repo repo;
    {
      std::lock_guard lock(mu);
      auto it = repos.find(s.repo);
      if (it == repos.end()) return error(Origin::kDdl, fmt::format("Repository {} does not exist", s.repo));
      repo = copy_locked(it->second);
    }
    auto info = read_info(repo, s.label, *backup_timestamp);
    if (!info) {
      return error(Origin::kDdl, fmt::format("Failed to get info of snapshot '{}' because: {}. Maybe specified wrong "
                                             "backup timestamp",
                                             s.label, info.error().message));
    }
    std::string db;
    if (version.at_least(3, 4)) {
      db = s.target_db.value_or(s.source_db.value_or(s.label_db.value_or(session.current_database)));
      if (db.empty()) db = info->db_name;
    } else {
      db = s.label_db.value_or(session.current_database);
      if (db.empty()) return error(Origin::kAnalyzer, "No database selected");
    }
    auto exists = catalog.database_exists(db);
    if (!exists) return error(Origin::kPlain, exists.error().message);
    if (!*exists) {
      if (!version.at_least(3, 4)) return error(Origin::kDdl, fmt::format("Unknown database '{}'", db));
      if (auto st = catalog.create_database(db); !st) {
        return error(Origin::kDdl, fmt::format("Can not create database: {} in restore process", db));
      }
    }
    auto db_id = catalog.database_id(db);
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
      std::set<std::string> selected;
      for (const TableItem& item : s.tables) {
        const SnapshotTable* t = info->find_table(item.table);
        if (t == nullptr) {
          return error(Origin::kDdl,
                       fmt::format("Table {} does not exist in snapshot {}", item.table, info->label));
        }
        if (item.temp_partitions) return error(Origin::kDdl, "Do not support restoring temporary partitions");
        for (const std::string& p : item.partitions) {
          bool found = std::any_of(t->partitions.begin(), t->partitions.end(),
                                   [&](const SnapshotPartition& sp) { return sp.schema.name == p; });
          if (!found) {
            return error(Origin::kDdl, fmt::format("Partition {} of table {} does not exist in snapshot {}", p,
                                                   item.table, info->label));
          }
        }
        if (item.alias) job->alias[item.table] = *item.alias;
        selected.insert(item.table);
      }
      SnapshotInfo filtered = *info;
      filtered.tables.clear();
      for (const SnapshotTable& t : info->tables) {
        auto item = std::find_if(s.tables.begin(), s.tables.end(),
                                 [&](const TableItem& i) { return i.table == t.schema.name; });
        if (item == s.tables.end() && !s.all_tables) continue;
        SnapshotTable copy = t;
        if (item != s.tables.end() && !item->partitions.empty()) {
          copy.partitions.clear();
          for (const SnapshotPartition& p : t.partitions) {
            if (std::find(item->partitions.begin(), item->partitions.end(), p.schema.name) != item->partitions.end()) {
              copy.partitions.push_back(p);
            }
          }
        }
        filtered.tables.push_back(std::move(copy));
      }
      *info = std::move(filtered);
    }
    job->kind = JobKind::kRestore;
    job->label = s.label;
    job->db_name = db;
    job->db_id = *db_id;
    job->repo_name = repo.name;
    job->repo_id = repo.id;
    job->timeout_s = timeout;
    job->timestamp = *backup_timestamp;
    job->allow_load = allow_load;
    job->replication_num = replication_num;
    std::sort(info->tables.begin(), info->tables.end(),
              [](const SnapshotTable& a, const SnapshotTable& b) { return a.schema.name < b.schema.name; });
    std::vector<std::string> objs;
    for (SnapshotTable& t : info->tables) {
      std::sort(t.partitions.begin(), t.partitions.end(), [](const SnapshotPartition& a, const SnapshotPartition& b) {
        return a.schema.name < b.schema.name;
      });
      std::vector<std::string> parts;
      for (const SnapshotPartition& p : t.partitions) {
        if (p.schema.name != t.schema.name) parts.push_back(p.schema.name);
      }
      objs.push_back(parts.empty() ? t.schema.name
                                   : fmt::format("{} PARTITIONS [{}]", t.schema.name, join(parts, ", ")));
    }
    job->objs = join(objs, ", ");
    job->snapshot = std::move(*info);
    start_job(std::move(job));
    return OkResult{};
  }

  void start_job(std::shared_ptr<Job> job) {
    std::lock_guard lock(mu);
    job->create_time = SysClock::now();
    job->created_steady = SteadyClock::now();
    if (job->kind == JobKind::kBackup) job->timestamp = clock.backup_timestamp(job->create_time);
    jobs[job->db_id] = job;
    if (auto failure = enter_state_locked(*job, 0)) cancel_locked(*job, *failure, "");
    cv.notify_all();
  }

  QueryResult start_foreign_backup(const ForeignBackupStmt& s) {
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
    job->create_time = SysClock::now();
    job->created_steady = SteadyClock::now();
    job->timestamp = clock.backup_timestamp(job->create_time);
    jobs[job->db_id] = job;
    if (auto failure = enter_state_locked(*job, 0)) cancel_locked(*job, *failure, "");
    cv.notify_all();
    return OkResult{};
  }

  // ---------------------------------------------------------------- SHOW / CANCEL

  std::vector<std::shared_ptr<Job>> jobs_for_show(const SessionContext& session, const std::optional<std::string>& db,
                                                  JobKind kind, std::optional<ErrorResult>& err) {
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

  QueryResult show_jobs(const SessionContext& session, const ShowJobStmt& s) {
    std::optional<ErrorResult> err;
    auto list = jobs_for_show(session, s.db, s.restore ? JobKind::kRestore : JobKind::kBackup, err);
    if (err) return *err;
    std::lock_guard lock(mu);
    if (!s.restore) {
      ResultSet rs = make_result({"JobId", "SnapshotName", "DbName", "State", "BackupObjs", "CreateTime",
                                  "SnapshotFinishedTime", "UploadFinishedTime", "FinishedTime", "UnfinishedTasks",
                                  "Progress", "TaskErrMsg", "Status", "Timeout"});
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
                                "DownloadFinishedTime", "FinishedTime", "UnfinishedTasks", "Progress", "TaskErrMsg",
                                "Status", "Timeout"});
    for (const auto& j : list) {
      refresh_progress_locked(*j);
      rs.rows.push_back({std::to_string(j->job_id), j->label, j->timestamp, j->db_name, j->state_name(),
                         j->allow_load ? "true" : "false", std::to_string(j->replication_num), j->objs,
                         clock.datetime(j->create_time), time_or_null(j->times[0]), time_or_null(j->times[1]),
                         time_or_null(j->times[2]), time_or_null(j->finished_time), j->unfinished_tasks, j->progress,
                         j->task_err_msg, j->status, std::to_string(j->timeout_s)});
    }
    return rs;
  }

  QueryResult cancel_job(const SessionContext& session, const CancelJobStmt& s) {
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
        return error(Origin::kDdl, s.restore ? "No restore is currently running"
                                             : "No backup job is currently running");
      }
      target = it->second;
      cv.wait(lock, [&] { return !target->busy; });  // let a running step finish first
      Job& job = *target;
      if (job.done()) {
        return error(Origin::kDdl, fmt::format("Failed to cancel job: Job with label {} can not be cancelled. state: "
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

  // ---------------------------------------------------------------- faults

  QueryResult apply_fault(const Statement& stmt) {
    std::lock_guard lock(mu);
    if (const auto* f = std::get_if<SetRepositoryFaultStmt>(&stmt)) {
      auto it = repos.find(f->repo);
      if (it == repos.end()) return error(Origin::kPlain, fmt::format("Repository {} does not exist", f->repo));
      if (f->kind == SetRepositoryFaultStmt::Kind::kUnreachable) it->second.unreachable = f->value;
      else it->second.storage_read_only = f->value;
      ping_locked(it->second);
    } else if (const auto* l = std::get_if<SetLocationFaultStmt>(&stmt)) {
      std::string loc = normalize_location(l->location);
      if (l->value) unreachable_locations.insert(loc);
      else unreachable_locations.erase(loc);
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
    } else if (std::holds_alternative<ClearJobFaultsStmt>(stmt)) {
      state_faults.clear();
      refuse_submits = 0;
    }
    return OkResult{};
  }

  // ---------------------------------------------------------------- state machine

  std::vector<BackendState> alive_backends() const {
    std::vector<BackendState> out;
    for (const BackendState& b : cluster.backends()) {
      if (b.alive) out.push_back(b);
    }
    return out;
  }

  int64_t pick_backend(size_t i) const {
    auto alive = alive_backends();
    if (alive.empty()) return 10001;
    return alive[i % alive.size()].id;
  }

  void set_task_columns_locked(Job& job) {
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

  // UnfinishedTasks / Progress of a transfer state, from the share of the state's time already spent.
  void refresh_progress_locked(Job& job) {
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

  // Enters `state`, applying DELAY faults; returns the Status of a FAIL JOB AT fault that fired (the caller
  // cancels the job, after undoing what it created).
  std::optional<std::string> enter_state_locked(Job& job, size_t state) {
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

  // Undoes what the job created (restored tables), then marks it CANCELLED, so that a client seeing CANCELLED
  // never sees the tables. The caller has set job->busy, which keeps the timer away meanwhile.
  void finish_cancel(const std::shared_ptr<Job>& job, const std::string& status, const std::string& task_err) {
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

  void cancel_locked(Job& job, std::string status, std::string task_err) {
    job.cancelled = true;
    job.status = std::move(status);
    if (!task_err.empty()) job.task_err_msg = std::move(task_err);
    job.unfinished_tasks.clear();
    job.progress.clear();
    job.transfers.clear();
    job.finished_time = SysClock::now();
  }

  // Emulated seconds the job must spend in its current state; nullopt while it cannot progress (no alive BE
  // for a transfer).
  std::optional<double> required_seconds_locked(const Job& job) const {
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

  std::optional<const Repo*> job_repo_locked(const Job& job) const {
    for (const auto& [name, r] : repos) {
      (void)name;
      if (r.id == job.repo_id) return &r;
    }
    return std::nullopt;
  }

  std::string storage_failure_locked(const Job& job, bool upload) const {
    auto repo = job_repo_locked(job);
    if (!repo) return {};
    const Repo& r = **repo;
    std::string path = fmt::format("{}/{}{}/{}", r.remote_dir(), kSnapshotDirPrefix, job.label, kContentDir);
    if (repo_unreachable(r)) {
      return fmt::format("failed to {} {}: Status Code: 503, Error Code: ServiceUnavailable, Error Message: "
                         "Service Unavailable",
                         upload ? "upload snapshot files to" : "download snapshot files from", path);
    }
    if (upload && r.storage_read_only) {
      return fmt::format("failed to upload snapshot files to {}: Access Denied (Service: S3, Status Code: 403, "
                         "Error Code: AccessDenied)",
                         path);
    }
    return {};
  }

  void timer_loop() {
    std::unique_lock lock(mu);
    while (!stopping) {
      bool any_active = std::any_of(jobs.begin(), jobs.end(), [](const auto& kv) { return !kv.second->done(); });
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
            cancels.push_back({job, status_text("COMMON_ERROR", failure), fmt::format("[{}: {}]", sig, failure)});
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
      lock.unlock();
      for (const Cancel& c : cancels) finish_cancel(c.job, c.status, c.task_err);
      for (auto& job : due) run_step(job);
      lock.lock();
    }
  }

  // Runs the exit action of the job's current state (I/O without the lock) and applies the outcome.
  void run_step(const std::shared_ptr<Job>& job) {
    std::string state;
    {
      std::lock_guard lock(mu);
      state = job->states()[job->state];
      if (state == "PENDING" && job->job_id < 0) job->job_id = next_id++;  // allocated as the PENDING step runs
    }
    StepResult result = job->foreign ? StepResult::advance()
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
        auto now = SysClock::now();
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

  // Repository directory of a job, or nullopt when the repository was dropped.
  std::optional<Repo> repo_copy(const Job& job) {
    std::lock_guard lock(mu);
    auto r = job_repo_locked(job);
    if (!r) return std::nullopt;
    return copy_locked(**r);
  }

  StepResult disk_full_backup() const {
    for (const BackendState& be : alive_backends()) {
      for (const DiskState& d : be.disks) {
        if (d.total_bytes <= 0) continue;
        double used = 100.0 * static_cast<double>(d.total_bytes - d.avail_bytes) / static_cast<double>(d.total_bytes);
        if (used >= kDiskFloodStagePercent) {
          std::string msg = fmt::format("make snapshot failed. disk {} on backend {} exceed limit usage", d.root_path,
                                        be.id);
          return StepResult::fail(status_text("COMMON_ERROR", msg), msg);
        }
      }
    }
    return StepResult::advance();
  }

  StepResult backup_step(Job& job, const std::string& state) {
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

  StepResult capture(Job& job) {
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
      if (!*table) return StepResult::fail(status_text("NOT_FOUND", fmt::format("table {} does not exist", item.table)));
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
            "COMMON_ERROR", fmt::format("failed to choose replica to make snapshot for tablet {}. visible version: {}",
                                        tablet, st.partitions.front().schema.visible_version)));
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

  StepResult upload_data(Job& job) {
    auto repo = repo_copy(job);
    if (!repo) return StepResult::fail(status_text("COMMON_ERROR", fmt::format("failed to get repository: {}", job.repo_id)));
    fs::path content = repo->dir / (std::string(kSnapshotDirPrefix) + job.label) / kContentDir;
    for (SnapshotTable& t : job.snapshot.tables) {
      for (SnapshotPartition& p : t.partitions) {
        fs::path dir = content / tablet_dir(job.snapshot, t, p);
        TableSchema header = t.schema;
        header.partitions = {p.schema};
        auto hdr = upload_file(dir / header_file_name(p), schema_to_json(header).dump());
        if (!hdr) return StepResult::fail(status_text("COMMON_ERROR", hdr.error().message));
        auto dat = upload_file(dir / data_file_name(p), rows_to_jsonl(p.rows));
        if (!dat) return StepResult::fail(status_text("COMMON_ERROR", dat.error().message));
        p.files = {*hdr, *dat};
      }
    }
    return StepResult::advance();
  }

  StepResult upload_info(Job& job) {
    auto repo = repo_copy(job);
    if (!repo) return StepResult::retry(status_text("COMMON_ERROR", fmt::format("failed to get repository: {}", job.repo_id)));
    std::string failure;
    {
      std::lock_guard lock(mu);
      if (repo_unreachable(*repo)) {
        failure = fmt::format("failed to upload file {}/{}{}/{}: Status Code: 503, Error Code: ServiceUnavailable",
                              repo->remote_dir(), kSnapshotDirPrefix, job.label, kMetaFile);
      } else if (repo->storage_read_only) {
        failure = fmt::format("failed to upload file {}/{}{}/{}: Access Denied (Service: S3, Status Code: 403)",
                              repo->remote_dir(), kSnapshotDirPrefix, job.label, kMetaFile);
      }
    }
    if (!failure.empty()) return StepResult::retry(status_text("COMMON_ERROR", failure));
    fs::path dir = repo->dir / (std::string(kSnapshotDirPrefix) + job.label);
    std::vector<TableSchema> schemas;
    for (const SnapshotTable& t : job.snapshot.tables) schemas.push_back(t.schema);
    auto meta = upload_file(dir / kMetaFile, meta_to_json(schemas));
    if (!meta) return StepResult::retry(status_text("COMMON_ERROR", meta.error().message));
    auto info = upload_file(dir / (std::string(kInfoPrefix) + job.timestamp), info_to_json(job.snapshot, true).dump());
    if (!info) return StepResult::retry(status_text("COMMON_ERROR", info.error().message));
    return StepResult::advance();
  }

  StepResult restore_step(Job& job, const std::string& state) {
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
                "COMMON_ERROR", fmt::format("disk {} on backend {} exceed limit usage, path hash: {}", d.root_path,
                                            be.id, hash)));
          }
        }
      }
      return StepResult::advance();
    }
    if (state == "DOWNLOADING") return download_data(job);
    if (state == "COMMITTING") return commit(job);
    return StepResult::advance();
  }

  StepResult prepare_meta(Job& job) {
    auto repo = repo_copy(job);
    if (!repo) return StepResult::fail(status_text("COMMON_ERROR", fmt::format("failed to get repository: {}", job.repo_id)));
    fs::path dir = repo->dir / (std::string(kSnapshotDirPrefix) + job.label);
    std::string remote_meta = fmt::format("{}/{}{}/{}", repo->remote_dir(), kSnapshotDirPrefix, job.label, kMetaFile);
    {
      std::lock_guard lock(mu);
      if (repo_unreachable(*repo)) {
        return StepResult::fail(status_text(
            "COMMON_ERROR", fmt::format("failed to list remote path: {}*. msg: listPath failed", remote_meta)));
      }
    }
    auto files = list_files_with_prefix(dir, kMetaFile);
    if (!files || files->size() != 1) {
      return StepResult::fail(status_text(
          "COMMON_ERROR", fmt::format("Expected one file with path: {}. get: {}", remote_meta, files ? files->size() : 0)));
    }
    auto text = read_file(dir / files->front());
    if (!text) return StepResult::fail(status_text("COMMON_ERROR", text.error().message));
    auto meta = meta_from_json(*text);
    if (!meta) return StepResult::fail(status_text("COMMON_ERROR", meta.error().message));

    std::vector<TableSchema> selected;
    int64_t bytes = 0;
    for (const SnapshotTable& t : job.snapshot.tables) {
      auto it = std::find_if(meta->begin(), meta->end(), [&](const TableSchema& s) { return s.name == t.schema.name; });
      if (it == meta->end()) {
        return StepResult::fail(status_text("COMMON_ERROR", fmt::format("Table {} does not exist in snapshot meta",
                                                                        t.schema.name)));
      }
      TableSchema s = *it;
      std::vector<PartitionSchema> parts;
      for (const SnapshotPartition& p : t.partitions) {
        auto pit = std::find_if(s.partitions.begin(), s.partitions.end(),
                                [&](const PartitionSchema& ps) { return ps.name == p.schema.name; });
        if (pit != s.partitions.end()) {
          parts.push_back(*pit);
          bytes += pit->data_size;
        }
      }
      s.partitions = std::move(parts);
      selected.push_back(std::move(s));
    }
    size_t alive = alive_backends().size();
    if (cluster.backends().empty()) alive = static_cast<size_t>(job.replication_num);

    std::vector<std::string> created;
    std::vector<std::pair<std::string, std::string>> created_parts;
    auto record = [&] {
      std::lock_guard lock(mu);
      job.created_tables = created;
      job.created_partitions = created_parts;
    };
    for (const TableSchema& snap : selected) {
      std::string local = job.local_name(snap.name);
      auto existing = catalog.find_table(job.db_name, local);
      if (!existing) {
        record();
        return StepResult::fail(status_text("COMMON_ERROR", existing.error().message));
      }
      bool creates_replicas = !*existing;
      if (*existing) {
        std::string diff = schema_difference(**existing, snap);
        if (!diff.empty()) {
          record();
          std::string msg = diff == "key type"
                                ? fmt::format("Table {} already exist but with different key type", local)
                                : fmt::format("Table {} already exist but with different schema, {}", local, diff);
          return StepResult::fail(status_text("COMMON_ERROR", msg));
        }
        for (const PartitionSchema& p : snap.partitions) {
          bool have = std::any_of((*existing)->partitions.begin(), (*existing)->partitions.end(),
                                  [&](const PartitionSchema& e) { return e.name == p.name; });
          if (!have) creates_replicas = true;
        }
      }
      if (creates_replicas && static_cast<size_t>(job.replication_num) > alive) {
        record();
        return StepResult::fail(status_text(
            "COMMON_ERROR", fmt::format("failed to find {} different hosts to create table: {}",
                                        static_cast<size_t>(job.replication_num) - alive, local)));
      }
      if (!*existing) {
        TableSchema create = snap;
        create.database = job.db_name;
        create.name = local;
        create.properties["replication_num"] = std::to_string(job.replication_num);
        for (PartitionSchema& p : create.partitions) p.replication_num = job.replication_num;
        if (auto st = catalog.create_table(create); !st) {
          record();
          return StepResult::fail(status_text("COMMON_ERROR", st.error().message));
        }
        created.push_back(local);
        continue;
      }
      for (const PartitionSchema& p : snap.partitions) {
        bool have = std::any_of((*existing)->partitions.begin(), (*existing)->partitions.end(),
                                [&](const PartitionSchema& e) { return e.name == p.name; });
        if (have) continue;
        PartitionSchema add = p;
        add.replication_num = job.replication_num;
        if (auto st = catalog.add_partition(job.db_name, local, add); !st) {
          record();
          return StepResult::fail(status_text("COMMON_ERROR", st.error().message));
        }
        created_parts.emplace_back(local, p.name);
      }
    }
    std::lock_guard lock(mu);
    job.created_tables = std::move(created);
    job.created_partitions = std::move(created_parts);
    job.meta = std::move(selected);
    job.bytes = bytes;
    return StepResult::advance();
  }

  StepResult download_data(Job& job) {
    auto repo = repo_copy(job);
    if (!repo) return StepResult::fail(status_text("COMMON_ERROR", fmt::format("failed to get repository: {}", job.repo_id)));
    fs::path content = repo->dir / (std::string(kSnapshotDirPrefix) + job.label) / kContentDir;
    for (SnapshotTable& t : job.snapshot.tables) {
      for (SnapshotPartition& p : t.partitions) {
        std::string data_name;
        for (const std::string& f : p.files) {
          if (f.starts_with(data_file_name(p) + ".")) data_name = f;
        }
        fs::path path = content / tablet_dir(job.snapshot, t, p) / data_name;
        if (data_name.empty()) {
          return StepResult::fail(status_text("NOT_FOUND", fmt::format("file for tablet {} does not exist in "
                                                                       "snapshot",
                                                                       p.tablet_id)));
        }
        auto text = read_file(path);
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

  StepResult commit(Job& job) {
    for (const SnapshotTable& t : job.snapshot.tables) {
      std::string local = job.local_name(t.schema.name);
      for (const SnapshotPartition& p : t.partitions) {
        if (auto st = catalog.replace_partition(job.db_name, local, p.schema.name, p.rows, p.schema.visible_version);
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

  // ---------------------------------------------------------------- dispatch

  QueryResult handle(const SessionContext& session, std::string_view sql, const Statement& stmt) {
    if (is_fault_statement(stmt)) {
      if (!config().faults_enabled) {
        // Without --enable-faults the statement does not exist, as on a real FE (same text as the engine's).
        std::vector<Token> tokens = tokenize(sql);
        const Token& t = tokens.size() > 1 ? tokens[1] : tokens[0];
        size_t line = 1;
        size_t col = 0;
        for (size_t i = 0; i < t.offset; ++i) {
          if (sql[i] == '\n') {
            ++line;
            col = 0;
          } else {
            ++col;
          }
        }
        return error(Origin::kPlain, fmt::format("Getting syntax error at line {}, column {}. Detail message: "
                                                 "Unexpected input '{}', the most similar input is {{<EOF>, ';'}}.",
                                                 line, col, sql.substr(t.offset, t.text.size())));
      }
      if (const auto* f = std::get_if<ForeignBackupStmt>(&stmt)) return start_foreign_backup(*f);
      return apply_fault(stmt);
    }
    return std::visit(
        [&](const auto& s) -> QueryResult {
          using T = std::decay_t<decltype(s)>;
          if constexpr (std::is_same_v<T, CreateRepositoryStmt>) return create_repository(s);
          else if constexpr (std::is_same_v<T, DropRepositoryStmt>) return drop_repository(s);
          else if constexpr (std::is_same_v<T, ShowRepositoriesStmt>) return show_repositories();
          else if constexpr (std::is_same_v<T, ShowSnapshotStmt>) return show_snapshot(s);
          else if constexpr (std::is_same_v<T, BackupStmt>) return backup(session, s);
          else if constexpr (std::is_same_v<T, RestoreStmt>) return restore(session, s);
          else if constexpr (std::is_same_v<T, ShowJobStmt>) return show_jobs(session, s);
          else if constexpr (std::is_same_v<T, CancelJobStmt>) return cancel_job(session, s);
          else if constexpr (std::is_same_v<T, DropSnapshotStmt>) return drop_snapshot(s);
          else return error(Origin::kPlain, "unsupported statement");
        },
        stmt);
  }
};

BackupService::BackupService(Catalog& catalog, ClusterState& cluster)
    : impl_(std::make_unique<Impl>(catalog, cluster)) {}

BackupService::~BackupService() = default;

std::optional<QueryResult> BackupService::try_handle(const SessionContext& session, std::string_view sql) {
  auto parsed = parse_statement(sql, impl_->version);
  if (!parsed) return std::nullopt;
  if (!*parsed) return impl_->error(Origin::kPlain, parsed->error());
  return impl_->handle(session, sql, **parsed);
}

}  // namespace sk::emu
