// The StarRocks SQL dialect: the only code that renders SQL text. Identifiers are quoted by quote_identifier(),
// values escaped by quote_string(); every other function composes those two with validated value objects, so a
// hostile name from an inventory can never change the statement's structure.
// Pure functions of their arguments; thread-safe. Nothing here throws or fails: the specs are valid by type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"

namespace sk::dialect {

// Which BACKUP/RESTORE grammar to emit (reference/starrocks.md §2.1, §3.1).
enum class Grammar {
  kPre34,  // BACKUP SNAPSHOT db.label TO repo ON (t PARTITION (..)) — accepted by 2.5 … 4.x; the default
  kV34,    // BACKUP DATABASE db SNAPSHOT label TO repo ON (TABLE t PARTITION (..) | ALL TABLES)
};

// The grammar for a server version text, as `SELECT current_version()` prints it ("3.4.1-abc" → kV34; older, or
// unparsable → kPre34).
[[nodiscard]] Grammar grammar_for_version(std::string_view version);

// Whether the server version text supports DROP SNAPSHOT (4.2 and later, reference/starrocks.md "DROP SNAPSHOT and
// snapshot TTL arrived in 4.2"); false for unparsable text (the snapshot is then deleted in storage).
[[nodiscard]] bool supports_drop_snapshot(std::string_view version);

// SHOW DATABASES (inventory sync lists the cluster's databases).
[[nodiscard]] std::string render_show_databases();

// `name` with embedded backticks doubled: a`b → `a``b`.
[[nodiscard]] std::string quote_identifier(std::string_view name);
// 'text' with backslash, single and double quote escaped by a backslash and the control characters StarRocks'
// (MySQL-style) lexer has escapes for written as \0 \b \n \r \t \Z; every other byte is copied unchanged.
[[nodiscard]] std::string quote_string(std::string_view text);

// Which partitions of a table an ON entry names.
struct PartitionSelection {
  enum class Kind {
    kWholeTable,       // no PARTITION clause
    kListed,           // PARTITION (`p1`, `p2`)
    kBoundAtRunTime,   // preview only: PARTITION (<changed partitions, bound at run time>) — not executable SQL
  };
  Kind kind = Kind::kWholeTable;
  std::vector<PartitionName> partitions;  // kListed only, non-empty, in the order given

  [[nodiscard]] static PartitionSelection whole_table() { return {}; }
  [[nodiscard]] static PartitionSelection listed(std::vector<PartitionName> p) { return {Kind::kListed, std::move(p)}; }
  [[nodiscard]] static PartitionSelection bound_at_run_time() { return {Kind::kBoundAtRunTime, {}}; }
};

// `(`p1`, `p2`)` — the partition list as it appears after PARTITION.
[[nodiscard]] std::string render_partition_list(const std::vector<PartitionName>& partitions);

struct BackupTable {
  TableName table;
  PartitionSelection partitions;
};

struct BackupJobSpec {
  DatabaseName database;
  SnapshotLabel label;
  RepositoryName repository;
  std::vector<BackupTable> tables;     // empty: the whole database (no ON clause / ON (ALL TABLES))
  std::optional<Duration> timeout;     // PROPERTIES "timeout" in whole seconds; nullopt: server default
  Grammar grammar = Grammar::kPre34;
};

// BACKUP SNAPSHOT `db`.`label` TO `repo` [ON (...)] PROPERTIES ('type' = 'full'[, 'timeout' = '7200'])
[[nodiscard]] std::string render_backup(const BackupJobSpec& spec);

struct RestoreTable {
  TableName table;                                   // the table's name inside the snapshot
  std::vector<PartitionName> partitions;             // empty: the whole table
  std::optional<TableName> alias;                    // AS `alias`: restore under another name
};

struct RestoreJobSpec {
  DatabaseName source_database;        // the database the snapshot was taken of (used by the 3.4 grammar)
  DatabaseName target_database;        // where the data lands (pre-3.4: the `db` in `db`.`label`)
  SnapshotLabel label;
  RepositoryName repository;
  std::vector<RestoreTable> tables;    // empty: everything in the snapshot
  // Copied verbatim from SHOW SNAPSHOT; the server requires one. nullopt only in the preview of a plan whose
  // timestamps are not resolved yet: rendered as kUnresolvedTimestamp, which no server accepts.
  std::optional<BackupTimestamp> backup_timestamp;
  std::optional<int> replication_num;
  std::optional<Duration> timeout;
  std::optional<bool> allow_load;
  Grammar grammar = Grammar::kPre34;
};

// The backup_timestamp a RESTORE preview shows for a snapshot whose timestamp is not resolved yet.
inline constexpr std::string_view kUnresolvedTimestamp = "<unresolved>";

// RESTORE SNAPSHOT `db`.`label` FROM `repo` [ON (`t` PARTITION (`p`) AS `a`, ...)]
//   PROPERTIES ('backup_timestamp' = '...'[, 'replication_num' = '1'][, 'timeout' = '...'][, 'allow_load' = 'true'])
[[nodiscard]] std::string render_restore(const RestoreJobSpec& spec);

[[nodiscard]] std::string render_show_backup(const DatabaseName& db);    // SHOW BACKUP FROM `db`
[[nodiscard]] std::string render_show_restore(const DatabaseName& db);   // SHOW RESTORE FROM `db`
[[nodiscard]] std::string render_cancel_backup(const DatabaseName& db);  // CANCEL BACKUP FROM `db`
[[nodiscard]] std::string render_cancel_restore(const DatabaseName& db); // CANCEL RESTORE FROM `db`
// SHOW SNAPSHOT ON `repo` [WHERE SNAPSHOT = 'label' [AND TIMESTAMP = 'ts']]; a timestamp without a label is ignored.
[[nodiscard]] std::string render_show_snapshot(const RepositoryName& repo,
                                               const std::optional<SnapshotLabel>& label = std::nullopt,
                                               const std::optional<BackupTimestamp>& backup_timestamp = std::nullopt);

// DROP SNAPSHOT `label` ON `repo` (4.2+; never FORCE: a snapshot another cluster wrote is not ours to delete).
[[nodiscard]] std::string render_drop_snapshot(const RepositoryName& repo, const SnapshotLabel& label);

// ---- Repositories (reference/starrocks.md §1) ----

struct CreateRepositorySpec {
  RepositoryName name;
  std::string location;                                         // e.g. "s3a://bucket/prefix", quoted as a string
  bool read_only = false;
  std::vector<std::pair<std::string, std::string>> properties;  // in the order given; may hold secret keys
};
// CREATE [READ ONLY] REPOSITORY `r` WITH BROKER ON LOCATION 's3a://…' [PROPERTIES ('k' = 'v', ...)]
// (brokerless). The text contains the secret keys given in `properties`: log it only through ports::redact().
[[nodiscard]] std::string render_create_repository(const CreateRepositorySpec& spec);
[[nodiscard]] std::string render_show_repositories();  // SHOW REPOSITORIES

// ---- Catalog queries for the table inventory (reference/starrocks.md §5): one statement per database ----

// SELECT TABLE_NAME, PARTITION_KEY, TABLE_MODEL FROM information_schema.tables_config WHERE TABLE_SCHEMA = 'db'
[[nodiscard]] std::string render_tables_config_query(const DatabaseName& db);
// SELECT TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION, VISIBLE_VERSION_TIME,
//   UNIX_TIMESTAMP(VISIBLE_VERSION_TIME) AS VISIBLE_VERSION_UNIX, ROW_COUNT, DATA_SIZE
// FROM information_schema.partitions_meta WHERE DB_NAME = 'db' AND IS_TEMP = 0 — the session converts the
// server-local VISIBLE_VERSION_TIME into an unambiguous instant (pitfall 3).
[[nodiscard]] std::string render_partitions_meta_query(const DatabaseName& db);

}  // namespace sk::dialect
