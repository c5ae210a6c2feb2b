#include "runtime/ops/ops_schema.h"

#include <openssl/evp.h>

#include <algorithm>
#include <set>

#include "kernel/dialect/ops_sql.h"

namespace sk::ops {
namespace {

using T = ColumnType;

ColumnSpec id(std::string_view name) { return {name, T::kVarchar, 32, false}; }
ColumnSpec text(std::string_view name, int length, bool nullable = false) { return {name, T::kVarchar, length, nullable}; }
ColumnSpec bigint(std::string_view name, bool nullable = false) { return {name, T::kBigInt, 0, nullable}; }
ColumnSpec integer(std::string_view name, bool nullable = false) { return {name, T::kInt, 0, nullable}; }
ColumnSpec boolean(std::string_view name) { return {name, T::kBoolean, 0, false}; }
ColumnSpec datetime(std::string_view name, bool nullable = false) { return {name, T::kDateTime, 0, nullable}; }

constexpr bool kNull = true;

// Name lengths: StarRocks database names up to 256 bytes (DatabaseName::kMaxBytes), tables and partitions 64,
// snapshot labels 128, repositories and tiers 64.
std::vector<TableSpec> build_tables() {
  return {
      TableSpec{"schema_version",
                {integer("version"), text("description", 256), datetime("applied_at_utc"), text("applied_by", 256)},
                {"version"},
                {"version"}},
      TableSpec{"table_inventory",
                {id("inventory_id"), text("database_name", 256), text("table_name", 64), text("table_class", 64),
                 boolean("partitioned"), text("eligibility", 4096), text("classified_by", 16),
                 datetime("first_seen_utc"), datetime("last_seen_utc"),
                 // Schema 4 (added by ALTER on older installations, hence last).
                 datetime("retired_at_utc", kNull)},
                {"inventory_id"},
                {"inventory_id"}},
      TableSpec{"backup_history",
                {id("attempt_id"), text("run_id", 64), text("label", 128), text("repository", 64),
                 text("database_name", 256), text("tiers", 1024), datetime("slot_utc", kNull),
                 text("backup_kind", 16), text("objects", 65533), text("state", 16),
                 text("server_state", 32, kNull), bigint("job_id", kNull), integer("submit_tries"),
                 datetime("submitted_at_utc", kNull), datetime("started_at_utc", kNull),
                 datetime("finished_at_utc", kNull), text("error_text", 4096, kNull), bigint("bytes", kNull),
                 text("backup_timestamp", 64, kNull), datetime("updated_at_utc")},
                {"attempt_id"},
                {"attempt_id"}},
      TableSpec{"backup_manifest",
                {id("entry_id"), id("attempt_id"), text("repository", 64), text("label", 128),
                 text("database_name", 256), text("table_name", 64), text("partition_name", 64),
                 bigint("partition_id"), bigint("visible_version"), datetime("visible_version_time_utc", kNull),
                 bigint("row_count", kNull), bigint("data_size", kNull), text("checksum_algorithm", 32, kNull),
                 text("checksum", 64, kNull), bigint("checksum_row_count", kNull), datetime("recorded_at_utc")},
                {"entry_id"},
                {"entry_id"}},
      TableSpec{"snapshot_lineage",
                {id("edge_id"), text("repository", 64), text("label", 128), text("database_name", 256),
                 text("depends_on_repository", 64), text("depends_on_label", 128), text("reason", 64),
                 datetime("recorded_at_utc")},
                {"edge_id"},
                {"edge_id"}},
      TableSpec{"restore_history",
                {id("restore_id"), text("run_id", 64), text("kind", 16), text("drill_name", 64, kNull),
                 text("repository", 64), text("label", 128), text("backup_timestamp", 64),
                 text("source_database", 256), text("target_database", 256), text("objects", 65533),
                 datetime("target_time_utc", kNull), text("state", 16), text("server_state", 32, kNull),
                 bigint("job_id", kNull), datetime("submitted_at_utc", kNull), datetime("finished_at_utc", kNull),
                 text("error_text", 4096, kNull), text("verification", 16, kNull),
                 text("expected_checksums", 65533, kNull), text("actual_checksums", 65533, kNull),
                 boolean("swapped"), datetime("updated_at_utc"),
                 // Schema 2 (added by ALTER on older installations, hence last).
                 datetime("started_at_utc", kNull), bigint("duration_seconds", kNull), text("drill_period", 16, kNull),
                 text("drill_seed", 16, kNull)},
                {"restore_id"},
                {"restore_id"}},
      // Schema 2: every partition of a bound table at backup time (as partitions_meta listed them), so a restore
      // can leave out partitions dropped before T even when the snapshot only holds the changed ones.
      TableSpec{"table_partition_set",
                {id("set_id"), id("attempt_id"), text("repository", 64), text("label", 128),
                 text("database_name", 256), text("table_name", 64), text("partitions", 65533),
                 datetime("recorded_at_utc")},
                {"set_id"},
                {"set_id"}},
      TableSpec{"run_status",
                {id("marker_id"), text("run_id", 64), text("database_name", 256), text("slot", 64),
                 text("host", 256), bigint("pid"), text("state", 16), datetime("started_at_utc"),
                 datetime("heartbeat_at_utc"), datetime("finished_at_utc", kNull),
                 // Schema 5 (added by ALTER on older installations, hence last): issue 10 item 5.
                 text("process_start", 128, kNull)},
                {"marker_id"},
                {"marker_id"}},
      // Schema 3: one row per snapshot `starkeep expire` deletes, written before the deletion (state deleting)
      // and settled after it, so a killed expire is finished by the next one and restore planning skips it.
      TableSpec{"snapshot_expiry",
                {id("expiry_id"), text("run_id", 64), text("repository", 64), text("label", 128),
                 text("database_name", 256), text("snapshot_kind", 16), text("tiers", 1024),
                 text("backup_timestamp", 64, kNull), text("method", 16), text("state", 16),
                 text("reason", 1024), datetime("decided_at_utc"), datetime("finished_at_utc", kNull),
                 text("error_text", 4096, kNull), datetime("updated_at_utc")},
                {"expiry_id"},
                {"expiry_id"}},
  };
}

Result<std::set<int>> recorded_versions(ports::SqlConnection& connection, const OpsConfig& config) {
  auto rows = connection.query(
      sql::render_select(*find_table("schema_version"), config.database.str(), sql::Select{{"version"}}));
  if (!rows) return std::unexpected(std::move(rows.error()));
  std::set<int> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto v = rows->get_int(i, "version");
    if (!v) return std::unexpected(std::move(v.error()));
    if (*v) out.insert(static_cast<int>(**v));
  }
  return out;
}

// The server's answer to ADD COLUMN of a column the table has: the step (or a fresh step 1) already added it.
bool column_exists_error(const Error& e) {
  return e.code == ports::kServerError && e.message.find("already exists") != std::string::npos;
}

Status create_base(ports::SqlConnection& connection, const OpsConfig& config) {
  using ports::Idempotency;
  if (auto s =
          connection.execute(sql::render_create_database(config.database.str()), Idempotency::kIdempotent);
      !s) {
    return std::unexpected(std::move(s.error()).with_context("creating the ops database"));
  }
  if (auto s = connection.execute(render_create_table(ops_tables().front(), config), Idempotency::kIdempotent); !s) {
    return std::unexpected(std::move(s.error()).with_context("creating schema_version"));
  }
  return ok();
}

// The tables of the ops database; nullopt when the database does not exist.
Result<std::optional<std::vector<std::string>>> ops_database_tables(ports::SqlConnection& connection,
                                                                    const OpsConfig& config) {
  auto tables = connection.query(sql::render_show_tables(config.database.str()));
  if (!tables) {
    // Unknown database: nothing was ever installed. The server's own words decide first, since another runner may
    // create the database between this statement and the next (SHOW DATABASES would then list it); failing that,
    // SHOW DATABASES says whether it exists. Any other failure is real.
    if (tables.error().code == ports::kServerError) {
      if (tables.error().message.find("Unknown database") != std::string::npos) {
        return std::optional<std::vector<std::string>>();
      }
      auto dbs = connection.query(sql::render_show_databases_like(config.database.str()));
      if (dbs && dbs->empty()) return std::optional<std::vector<std::string>>();
    }
    return std::unexpected(std::move(tables.error()));
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < tables->size(); ++i) {
    // The column is "Tables_in_<db>"; it is the only one, so find it by its prefix rather than by position.
    for (const auto& name : tables->columns()) {
      if (!name.starts_with("Tables_in_")) continue;
      if (auto cell = tables->get(i, name); cell && *cell) names.emplace_back(**cell);
    }
  }
  return std::optional<std::vector<std::string>>(std::move(names));
}

bool has(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A database that holds tables starkeep does not know, and no schema_version of starkeep's, is a user's: starkeep
// never installs into it (issue 10 item 18).
Status refuse_user_database(ports::SqlConnection& connection, const OpsConfig& config) {
  auto tables = ops_database_tables(connection, config);
  if (!tables) return std::unexpected(std::move(tables.error()));
  if (!*tables || has(**tables, "schema_version")) return ok();
  std::vector<std::string> foreign;
  for (const std::string& t : **tables) {
    const bool ours = std::any_of(ops_tables().begin(), ops_tables().end(), [&](const auto& spec) { return spec.name == t; });
    if (!ours) foreign.push_back(t);
  }
  if (foreign.empty()) return ok();
  return fail("ops.user_database",
              "database {} exists and holds {} table(s) that are not starkeep's ({}{}); starkeep does not share a "
              "database with user data: choose another ops database with --ops-database",
              config.database.str(), foreign.size(), foreign.front(), foreign.size() > 1 ? ", …" : "");
}

}  // namespace

OpsConfig OpsConfig::defaults() { return OpsConfig{*DatabaseName::parse("ops"), 3}; }

const std::vector<TableSpec>& ops_tables() {
  static const std::vector<TableSpec> tables = build_tables();
  return tables;
}

const TableSpec* find_table(std::string_view name) {
  for (const auto& t : ops_tables()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::size_t primary_key_bytes(const TableSpec& table) {
  std::size_t total = 0;
  for (auto key : table.primary_key) {
    auto it = std::find_if(table.columns.begin(), table.columns.end(), [&](const ColumnSpec& c) { return c.name == key; });
    if (it == table.columns.end()) continue;
    switch (it->type) {
      case T::kInt: total += 4; break;
      case T::kBigInt: total += 8; break;
      case T::kBoolean: total += 1; break;
      case T::kDateTime: total += 8; break;
      case T::kVarchar: total += static_cast<std::size_t>(it->length) + 2; break;
    }
  }
  return total;
}

std::string qualified_table(const OpsConfig& config, std::string_view table) {
  return sql::qualified_table(config.database.str(), table);
}

std::string render_create_table(const TableSpec& table, const OpsConfig& config) {
  return sql::render_create_table(table, config.database.str(), config.replication_num);
}

std::string make_id(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (auto part : parts) {
    const std::string prefix = std::to_string(part.size()) + ":";
    EVP_DigestUpdate(ctx, prefix.data(), prefix.size());
    EVP_DigestUpdate(ctx, part.data(), part.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::vector<Migration> migrations(const OpsConfig& config) {
  // Step 1 creates the tables in their latest layout (a new installation gets step 2's columns at once, and
  // step 2's ALTER then finds them: "already exists" counts as applied).
  Migration v1{1, "ops schema 1: inventory, backup history, manifest, lineage, restore history, run status", {}, {}};
  for (const auto& table : ops_tables()) {
    if (table.name == "schema_version" || table.name == "table_partition_set" || table.name == "snapshot_expiry") {
      continue;  // created before / in 2 / in 3
    }
    v1.statements.push_back(render_create_table(table, config));
  }
  Migration v2{2, "ops schema 2: table_partition_set; restore_history started_at_utc, duration_seconds, drill_period, "
                  "drill_seed",
               {render_create_table(*find_table("table_partition_set"), config)},
               {}};
  // One ALTER for the four columns: StarRocks runs one schema change per table at a time.
  v2.add_columns.push_back(
      sql::render_add_columns(*find_table("restore_history"), config.database.str(),
                              {"started_at_utc", "duration_seconds", "drill_period", "drill_seed"}));
  Migration v3{3, "ops schema 3: snapshot_expiry", {render_create_table(*find_table("snapshot_expiry"), config)}, {}};
  // Issue 10 item 15: `inventory sync` retires tables that left the cluster instead of leaving them selectable.
  Migration v4{4, "ops schema 4: table_inventory retired_at_utc", {}, {}};
  v4.add_columns.push_back(
      sql::render_add_columns(*find_table("table_inventory"), config.database.str(), {"retired_at_utc"}));
  // Issue 10 item 5: the run's process start identity (boot id and start time), so a reused pid is not taken for a
  // live run.
  Migration v5{5, "ops schema 5: run_status process_start", {}, {}};
  v5.add_columns.push_back(
      sql::render_add_columns(*find_table("run_status"), config.database.str(), {"process_start"}));
  return {std::move(v1), std::move(v2), std::move(v3), std::move(v4), std::move(v5)};
}

Result<int> current_schema_version(ports::SqlConnection& connection, const OpsConfig& config) {
  auto tables = ops_database_tables(connection, config);
  if (!tables) return std::unexpected(std::move(tables.error()));
  const bool has_table = *tables && has(**tables, "schema_version");
  if (!has_table) return 0;
  auto versions = recorded_versions(connection, config);
  if (!versions) return std::unexpected(std::move(versions.error()));
  return versions->empty() ? 0 : *versions->rbegin();
}

Status migrate(ports::SqlConnection& connection, const OpsConfig& config, ports::Clock& clock,
               std::string_view applied_by) {
  if (config.replication_num < 1) {
    return fail("ops.config", "replication_num must be at least 1 (got {})", config.replication_num);
  }
  if (auto s = refuse_user_database(connection, config); !s) return s;
  if (auto s = create_base(connection, config); !s) return s;
  auto versions = recorded_versions(connection, config);
  if (!versions) return std::unexpected(std::move(versions.error()).with_context("reading ops schema_version"));
  if (!versions->empty() && *versions->rbegin() > kLatestSchemaVersion) {
    return fail("ops.schema_newer",
                "the ops schema in {} is at version {}, newer than this starkeep supports ({}); upgrade starkeep",
                config.database.str(), *versions->rbegin(), kLatestSchemaVersion);
  }
  for (const auto& step : migrations(config)) {
    if (versions->contains(step.version)) continue;
    for (const auto& statement : step.statements) {
      if (auto s = connection.execute(statement, ports::Idempotency::kIdempotent); !s) {
        return std::unexpected(std::move(s.error()).with_context(fmt::format("ops schema step {}", step.version)));
      }
    }
    for (const auto& statement : step.add_columns) {
      auto s = connection.execute(statement, ports::Idempotency::kIdempotent);
      if (!s && !column_exists_error(s.error())) {
        return std::unexpected(std::move(s.error()).with_context(fmt::format("ops schema step {}", step.version)));
      }
    }
    const auto record =
        sql::render_upserts(*find_table("schema_version"), config.database.str(),
                            {{sql::literal(step.version), sql::literal(step.description),
                              sql::literal(clock.now()), sql::literal(sql::truncate_utf8(applied_by, 256))}});
    for (const auto& statement : record) {
      // Upsert of the same key: repeating it is harmless.
      if (auto s = connection.execute(statement, ports::Idempotency::kIdempotent); !s) {
        return std::unexpected(
            std::move(s.error()).with_context(fmt::format("recording ops schema step {}", step.version)));
      }
    }
  }
  return ok();
}

}  // namespace sk::ops
