// The statements the backup service handles, as parsed from SQL text: repositories, BACKUP/RESTORE in the
// pre-3.4 and 3.4+ grammars, SHOW/CANCEL for jobs, SHOW SNAPSHOT, DROP SNAPSHOT (4.2+), and the ADMIN
// EMULATOR job-fault family. parse_statement() answers "not mine" cheaply from the leading words. Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sk::emu::backup {

// A StarRocks release number as configured for the emulator ("3.3.0", "3.4.1-abc").
struct Version {
  int major = 3;
  int minor = 3;
  int patch = 0;
  static Version parse(std::string_view text);
  [[nodiscard]] bool at_least(int maj, int min) const {
    return major > maj || (major == maj && minor >= min);
  }
};

using Properties = std::vector<std::pair<std::string, std::string>>;  // in statement order

// One entry of an ON (...) list.
struct TableItem {
  std::string table;
  std::vector<std::string> partitions;  // empty = the whole table
  bool temp_partitions = false;         // TEMPORARY PARTITION (...)
  std::optional<std::string> alias;     // AS alias
};

struct CreateRepositoryStmt {
  bool read_only = false;
  std::string name;
  std::optional<std::string> broker;  // nullopt = brokerless
  std::string location;
  Properties properties;
};
struct DropRepositoryStmt {
  std::string name;
};
struct ShowRepositoriesStmt {};
struct ShowSnapshotStmt {
  std::string repo;
  std::vector<std::string> labels;  // empty = all; one for SNAPSHOT = 'l'; several for SNAPSHOT IN (...)
  bool label_in_list = false;
  std::optional<std::string> timestamp;
};
struct BackupStmt {
  std::optional<std::string> db;  // DATABASE db or db.label
  std::string label;
  std::string repo;
  bool has_on = false;
  bool all_tables = false;  // 3.4+ ON (ALL TABLES)
  std::vector<TableItem> tables;
  Properties properties;
};
struct RestoreStmt {
  std::optional<std::string> label_db;  // db.label
  std::string label;
  std::string repo;
  std::optional<std::string> source_db;  // 3.4+ DATABASE src
  std::optional<std::string> target_db;  // 3.4+ DATABASE src AS tgt
  bool has_on = false;
  bool all_tables = false;
  std::vector<TableItem> tables;
  Properties properties;
};
struct ShowJobStmt {
  bool restore = false;
  std::optional<std::string> db;
};
struct CancelJobStmt {
  bool restore = false;
  std::optional<std::string> db;
};
struct DropSnapshotStmt {
  std::string label;
  std::string repo;
  bool force = false;
};

// ADMIN EMULATOR ... job faults (docs/emulator.md, "Backup and restore").
struct SetRepositoryFaultStmt {
  enum class Kind { kUnreachable, kStorageReadOnly };
  std::string repo;
  Kind kind = Kind::kUnreachable;
  bool value = true;
};
struct SetLocationFaultStmt {
  std::string location;
  bool value = true;
};
struct FailJobStmt {
  std::string state;  // upper case job state name
  std::optional<std::string> db;
  std::optional<std::string> status;
};
struct DelayJobStmt {
  std::string state;
  std::optional<std::string> db;
  double seconds = 0;
};
struct ForeignBackupStmt {
  std::string db;
  double seconds = 60;
};
struct RefuseSubmitsStmt {
  int count = 0;
  std::optional<std::string> text;  // WITH 'text': the error instead of "Another backup or restore job is being submitted"
};
// ADMIN EMULATOR LOSE NEXT SUBMIT REPLY [AFTER ACCEPT | BEFORE ACCEPT]: the next BACKUP's client connection is
// dropped instead of answered, after the job was created (default) or before (no job).
struct LoseSubmitReplyStmt {
  bool after_accept = true;
};
struct ClearJobFaultsStmt {};
// ADMIN EMULATOR CORRUPT SNAPSHOT label ON repo: damages one data file (its md5 no longer matches).
struct CorruptSnapshotStmt {
  std::string label;
  std::string repo;
};

// ADMIN EMULATOR ADVANCE CLOCK n {SECOND|MINUTE|HOUR|DAY}[S]: moves the emulated cluster's wall clock forward
// (ClusterState::now), e.g. past a snapshot's TTL expiry.
struct AdvanceClockStmt {
  int64_t seconds = 0;
};

using Statement =
    std::variant<CreateRepositoryStmt, DropRepositoryStmt, ShowRepositoriesStmt, ShowSnapshotStmt, BackupStmt,
                 RestoreStmt, ShowJobStmt, CancelJobStmt, DropSnapshotStmt, SetRepositoryFaultStmt,
                 SetLocationFaultStmt, FailJobStmt, DelayJobStmt, ForeignBackupStmt, RefuseSubmitsStmt,
                 ClearJobFaultsStmt, CorruptSnapshotStmt, LoseSubmitReplyStmt, AdvanceClockStmt>;

// Whether the statement belongs to the backup service, judged from its first words only.
bool is_backup_statement(std::string_view sql);

// nullopt when the statement is not ours; otherwise the statement or a StarRocks-style syntax error message.
std::optional<std::expected<Statement, std::string>> parse_statement(std::string_view sql,
                                                                     const Version& version);

// True for the ADMIN EMULATOR statements (faults), which need faults_enabled.
bool is_fault_statement(const Statement& stmt);

}  // namespace sk::emu::backup
