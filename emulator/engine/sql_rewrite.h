// Rewrites StarRocks query text into MariaDB text: information_schema views the emulator materialises
// (partitions_meta, tables_config, partitions, tables), version functions and variables, StarRocks-only
// functions (murmur_hash3_32, xx_hash3_64, md5sum, ...) and CAST target types; and rejects what StarRocks lacks
// (GET_LOCK & co., SELECT ... FOR UPDATE / LOCK IN SHARE MODE). Pure; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/engine/catalog.h"
#include "emulator/engine/sql_lexer.h"

namespace sk::emu {

struct RewriteContext {
  std::string current_database;
  std::string version_string = "5.1.0";          // version(), @@version
  std::string build_version = "3.3.0-emulator";  // current_version()
  std::string time_zone = "Asia/Shanghai";       // @@time_zone, @@system_time_zone
  // Looks up an emulated table for `FROM [db.]t PARTITION (p, ..)`; db is already resolved (may be empty when no
  // database is current). Unset: partition selection is passed through unchanged.
  std::function<std::optional<TableSchema>(const std::string& db, const std::string& table)> find_table;
  // A SELECT producing the rows of a live system table ("be_configs", "be_metrics"), or empty when unknown.
  std::function<std::string(std::string_view name)> system_table;
};

struct RewriteResult {
  std::string sql;
  // Result column names MariaDB will produce for replaced expressions → the name StarRocks would show.
  std::map<std::string, std::string> column_renames;
  bool touches_partitions_meta = false;  // the caller refreshes row counts first
};

// Errors carry the StarRocks message (codes "emu.syntax" / "emu.analysis"). A SELECT with a top-level INTO
// (OUTFILE, DUMPFILE, @var) is a syntax error; `[db.]t PARTITION (p1, p2)` / `PARTITIONS (..)` becomes a derived
// table filtered by the partitions' bounds.
Result<RewriteResult> rewrite_query(std::string_view sql, const std::vector<Token>& tokens, const RewriteContext& ctx);

// Stored functions the rewritten text calls, created once in the metadata schema.
std::vector<std::string> rewrite_support_functions(std::string_view meta_schema);

}  // namespace sk::emu
