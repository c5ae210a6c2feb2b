// The content of an emulated snapshot and its on-storage encoding. A snapshot is the job info file
// (`__info_<ts>`, the same JSON shape as StarRocks' BackupJobInfo: tables → partitions with id, version and
// tablet files), the meta file (`__meta`: the TableSchema of every backed-up table as JSON), and per
// partition one header file (schema + partition) and one data file (rows as JSON lines; SQL NULL is JSON
// null; text that is not valid UTF-8 is stored as {"hex": "..."}), so a restore reproduces the rows byte for
// byte. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/engine/catalog.h"

namespace sk::emu::backup {

struct SnapshotPartition {
  PartitionSchema schema;          // includes visible_version as of the SNAPSHOTING step
  int64_t tablet_id = 0;           // one emulated tablet per partition
  int32_t schema_hash = 0;         // of the table, as recorded in the info file
  std::vector<std::string> files;  // file names (with md5) under the tablet directory
  std::vector<Row> rows;           // filled only while capturing or after download
};

struct SnapshotTable {
  TableSchema schema;  // `partitions` = the backed-up partitions only
  std::vector<SnapshotPartition> partitions;
  [[nodiscard]] int32_t schema_hash() const;
};

struct SnapshotInfo {
  std::string label;
  std::string db_name;
  int64_t db_id = 0;
  int64_t backup_time_ms = 0;  // job create time (epoch ms)
  std::string cluster_id;      // the emulator instance that wrote it (DROP SNAPSHOT ownership, 4.2+)
  // 4.2+ retention keys (written by a 4.2 FE; absent in older snapshots): when the backup finished, the BACKUP's
  // `ttl` property as written and the instant it resolves to (snapshot_ttl.h). ttl/expire_time only with a ttl.
  std::optional<int64_t> finish_time_ms;
  std::optional<std::string> ttl;
  std::optional<int64_t> expire_time_ms;
  std::vector<SnapshotTable> tables;

  [[nodiscard]] const SnapshotTable* find_table(std::string_view name) const;
};

inline constexpr int kMetaVersion = 92;
inline constexpr int kStarRocksMetaVersion = 4;

nlohmann::json schema_to_json(const TableSchema& schema);
Result<TableSchema> schema_from_json(const nlohmann::json& j);

std::string rows_to_jsonl(const std::vector<Row>& rows);
Result<std::vector<Row>> rows_from_jsonl(std::string_view text);

// BackupJobInfo JSON. verbose=false is the SHOW SNAPSHOT Details summary (names only).
nlohmann::json info_to_json(const SnapshotInfo& info, bool verbose);
// Parses a verbose info file; schemas carry names, ids and partitions only (the meta file has the rest).
Result<SnapshotInfo> info_from_json(std::string_view text);

std::string meta_to_json(const std::vector<TableSchema>& tables);
Result<std::vector<TableSchema>> meta_from_json(std::string_view text);

// Relative directory of a partition's tablet under `__ss_content` (reference §1.5 layout).
std::string tablet_dir(const SnapshotInfo& info, const SnapshotTable& table, const SnapshotPartition& part);
// File names of a partition's header and data files (before the md5 suffix).
std::string header_file_name(const SnapshotPartition& part);
std::string data_file_name(const SnapshotPartition& part);

}  // namespace sk::emu::backup
