#include "runtime/catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "kernel/dialect/ops_sql.h"
#include "kernel/dialect/restore_sql.h"
#include "runtime/jobs/lifecycle.h"
#include "runtime/ports/redact.h"

namespace sk::catalog {
namespace {

const ops::TableSpec& marker_spec() {
  static const ops::TableSpec spec{"catalog_source",
                                   {{"id", ops::ColumnType::kInt, 0, false},
                                    {"repository", ops::ColumnType::kVarchar, 64, false},
                                    {"label", ops::ColumnType::kVarchar, 128, false},
                                    {"backup_timestamp", ops::ColumnType::kVarchar, 64, false},
                                    {"recovered_at_utc", ops::ColumnType::kDateTime, 0, false}},
                                   {"id"},
                                   {"id"}};
  return spec;
}

// Sends a BACKUP/RESTORE, retrying with jittered backoff while the database is busy with another job.
Status submit(ports::SqlConnection& c, const std::string& sql, const DatabaseName& db,
              ports::Sleeper& sleeper, const JobOptions& options, std::string_view what) {
  const jobs::SubmitPolicy policy{
      {options.busy_retries, options.busy_initial, 2.0, std::chrono::milliseconds(60'000), 0.25},
      options.random01};
  const jobs::Submitted sent = jobs::submit(c, sql, policy, options.stop, sleeper);
  using Sent = jobs::Submitted::Outcome;
  switch (sent.outcome) {
    case Sent::kAccepted:
      return ok();
    case Sent::kBusyExhausted:
    case Sent::kYielded:
      return sk::fail("catalog.busy", "{}: database {} stayed busy with another backup or restore job: {}",
                      what, db.str(), ports::server_text(*sent.error));
    case Sent::kStopped:
      return sk::fail("catalog.interrupted", "{}: interrupted while the database was busy", what);
    case Sent::kConnectionLost:
      return std::unexpected(*sent.error);
    case Sent::kRefused:
      break;
  }
  return sk::fail("catalog.failed", "{} refused: {}", what, ports::redact(ports::server_text(*sent.error)));
}

// Awaits our job (label, not the job `before` listed before submitting) to FINISHED or CANCELLED; a job a
// later one replaced comes back as kSuperseded for the caller to settle.
Result<jobs::Awaited> wait_for(ports::SqlConnection& c, jobs::JobKind kind, const DatabaseName& db,
                               const std::string& label, std::optional<jobs::ServerJob> before,
                               ports::Clock& clock, ports::Sleeper& sleeper, const JobOptions& options,
                               std::string_view what) {
  jobs::AwaitPolicy policy;
  // Completion is noticed within max(poll_initial, 5 % of the elapsed time), as for the backups (product.md
  // §7).
  policy.poll = {options.poll_initial, 0.05, options.poll_max};
  policy.deadline = options.deadline;
  policy.random01 = options.random01;
  policy.sleep_first = true;
  auto done = jobs::await(c, kind, db, {label, std::nullopt, std::move(before)}, policy, options.stop, clock,
                          sleeper);
  if (!done) return std::unexpected(std::move(done.error()));
  using Done = jobs::Awaited::Outcome;
  switch (done->outcome) {
    case Done::kFinished:
    case Done::kCancelled:
    case Done::kSuperseded:
      return done;
    case Done::kStopped:
      return sk::fail("catalog.interrupted", "{} '{}': interrupted while waiting", what, label);
    case Done::kTimedOut:
    case Done::kUnreachable:
      break;
  }
  return sk::fail("catalog.timeout",
                  "{} '{}' not finished after {} s; it continues on the server (SHOW {} FROM {})", what,
                  label, options.deadline.count() / 1000, jobs::to_string(kind), db.str());
}

// The job listed before we submit: never ours.
std::optional<jobs::ServerJob> job_before(ports::SqlConnection& c, jobs::JobKind kind,
                                          const DatabaseName& db) {
  auto before = jobs::latest_job(c, kind, db);
  if (!before) return std::nullopt;
  return *before;
}

// After a superseded catalog RESTORE: every table it names exists in `db`, or "catalog.failed".
Status restored_tables_present(ports::SqlConnection& c, const DatabaseName& db,
                               const dialect::RestoreJobSpec& spec) {
  auto listed = c.query(dialect::render_list_tables(db));
  if (!listed) return std::unexpected(std::move(listed.error()));
  for (const auto& t : spec.tables) {
    bool found = false;
    for (std::size_t i = 0; i < listed->size() && !found; ++i) {
      auto n = listed->get(i, "TABLE_NAME");
      found = n && *n && **n == t.table.str();
    }
    if (!found) {
      return sk::fail("catalog.failed",
                      "catalog RESTORE into {} was replaced by a later job before {} appeared", db.str(),
                      t.table.str());
    }
  }
  return ok();
}

std::string digits_of(Instant t) {
  std::string out;
  for (char ch : t.to_iso8601_utc()) {
    if (ch >= '0' && ch <= '9') out += ch;
  }
  return out;
}

}  // namespace

const std::vector<TableName>& catalog_tables() {
  static const std::vector<TableName> tables{
      *TableName::parse("schema_version"), *TableName::parse("backup_history"),
      *TableName::parse("backup_manifest"), *TableName::parse("snapshot_lineage"),
      *TableName::parse("table_partition_set")};
  return tables;
}

bool optional_catalog_table(const TableName& table) { return table.str() == "table_partition_set"; }

SnapshotLabel catalog_label(Instant at, std::string_view run_id) {
  const std::string id = ops::make_id({run_id});
  return *SnapshotLabel::parse(fmt::format("{}{}_{}", kLabelPrefix, digits_of(at), id.substr(0, 8)));
}

std::optional<Instant> catalog_label_instant(std::string_view label) {
  if (!label.starts_with(kLabelPrefix)) return std::nullopt;
  std::string_view rest = label.substr(kLabelPrefix.size());
  if (rest.size() != 14 + 1 + 8 || rest[14] != '_') return std::nullopt;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char ch = rest[i];
    if (i < 14 && !std::isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
    if (i > 14 && !std::isxdigit(static_cast<unsigned char>(ch))) return std::nullopt;
  }
  const std::string iso =
      fmt::format("{}-{}-{}T{}:{}:{}Z", rest.substr(0, 4), rest.substr(4, 2), rest.substr(6, 2),
                  rest.substr(8, 2), rest.substr(10, 2), rest.substr(12, 2));
  auto t = Instant::parse(iso, TimeZone::utc());
  if (!t) return std::nullopt;
  return *t;
}

Result<std::vector<RepositorySnapshot>> list_snapshots(ports::SqlConnection& connection,
                                                       const RepositoryName& repository) {
  auto rows = connection.query(dialect::render_show_snapshot(repository));
  if (!rows)
    return std::unexpected(std::move(rows.error()).with_context("SHOW SNAPSHOT ON " + repository.str()));
  auto parsed = jobs::parse_show_snapshot(*rows);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  std::vector<RepositorySnapshot> out;
  for (auto& r : *parsed) {
    out.push_back(RepositorySnapshot{std::move(r.label), std::move(r.timestamps), std::move(r.status)});
  }
  return out;
}

std::vector<CatalogRef> catalogs_newest_first(const RepositoryName& repository,
                                              const std::vector<RepositorySnapshot>& snapshots) {
  std::vector<CatalogRef> out;
  for (const auto& s : snapshots) {
    if (!s.ok()) continue;
    auto at = catalog_label_instant(s.label);
    if (!at) continue;
    auto label = SnapshotLabel::parse(s.label);
    if (!label) continue;
    out.push_back(
        CatalogRef{repository, *label, *std::max_element(s.timestamps.begin(), s.timestamps.end()), *at});
  }
  std::sort(out.begin(), out.end(), [](const CatalogRef& a, const CatalogRef& b) {
    return std::tie(a.published_at, a.backup_timestamp, a.label) >
           std::tie(b.published_at, b.backup_timestamp, b.label);
  });
  return out;
}

Result<CatalogRef> newest_catalog(const RepositoryName& repository,
                                  const std::vector<RepositorySnapshot>& snapshots,
                                  const std::optional<SnapshotLabel>& label) {
  const auto all = catalogs_newest_first(repository, snapshots);
  if (label) {
    for (const auto& c : all) {
      if (c.label == *label) return c;
    }
    return sk::fail("catalog.none",
                    "'{}' is not a usable catalog snapshot in repository {} (SHOW SNAPSHOT ON {})",
                    label->str(), repository.str(), repository.str());
  }
  if (all.empty()) {
    return sk::fail(
        "catalog.none",
        "repository {} holds no catalog snapshot ({}…): nothing there says which snapshot holds what. "
        "Catalog snapshots are published by `starkeep run` after each run that finished a backup (or by "
        "`starkeep catalog publish`)",
        repository.str(), kLabelPrefix);
  }
  return all.front();
}

Result<Published> publish(ports::SqlConnection& connection, const ops::OpsConfig& ops,
                          const RepositoryName& repository, const SnapshotLabel& label, ports::Clock& clock,
                          ports::Sleeper& sleeper, const JobOptions& options) {
  dialect::BackupJobSpec spec{ops.database, label, repository, {}, std::nullopt, options.grammar};
  for (const auto& t : catalog_tables()) {
    spec.tables.push_back(dialect::BackupTable{t, dialect::PartitionSelection::whole_table()});
  }
  auto before = job_before(connection, jobs::JobKind::kBackup, ops.database);
  if (auto s = submit(connection, dialect::render_backup(spec), ops.database, sleeper, options,
                      "BACKUP of the catalog snapshot '" + label.str() + "'");
      !s) {
    return std::unexpected(std::move(s.error()));
  }
  auto job = wait_for(connection, jobs::JobKind::kBackup, ops.database, label.str(), std::move(before), clock,
                      sleeper, options, "catalog BACKUP");
  if (!job) return std::unexpected(std::move(job.error()));
  if (job->outcome == jobs::Awaited::Outcome::kCancelled) {
    return sk::fail("catalog.failed", "catalog BACKUP '{}' was CANCELLED by the server: {} {}", label.str(),
                    job->job->status, job->job->task_err_msg);
  }
  // FINISHED, or replaced by a later job of the ops database: the repository says whether it left its
  // snapshot.
  auto listed = connection.query(dialect::render_show_snapshot(repository, label));
  if (!listed) return std::unexpected(std::move(listed.error()));
  auto parsed = jobs::parse_show_snapshot(*listed);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  std::optional<BackupTimestamp> ts;
  for (const auto& r : *parsed) {
    for (const auto& t : r.timestamps) ts = ts ? std::max(*ts, t) : t;
  }
  if (!ts) {
    return sk::fail(
        "catalog.failed", "catalog BACKUP '{}' {} but SHOW SNAPSHOT ON {} does not list it", label.str(),
        job->outcome == jobs::Awaited::Outcome::kSuperseded ? "was replaced by a later job" : "FINISHED",
        repository.str());
  }
  return Published{CatalogRef{repository, label, *ts, clock.now()},
                   job->job ? jobs::to_int(job->job->job_id) : std::nullopt};
}

DatabaseName default_recovery_database(const DatabaseName& ops_database) {
  constexpr std::string_view kSuffix = "_recovered";
  std::string base = ops_database.str();
  if (base.size() + kSuffix.size() > DatabaseName::kMaxBytes)
    base.resize(DatabaseName::kMaxBytes - kSuffix.size());
  return *DatabaseName::parse(base + std::string(kSuffix));
}

namespace {

bool has_table(const std::vector<std::string>& present, std::string_view t) {
  return std::find(present.begin(), present.end(), t) != present.end();
}

// Whether the recovery database already holds exactly `catalog` (its catalog_source row and every catalog
// table).
Result<bool> holds_catalog(ports::SqlConnection& connection, const DatabaseName& db,
                           const CatalogRef& catalog, const std::vector<std::string>& present) {
  if (!has_table(present, marker_spec().name)) return false;
  auto marker = connection.query(dialect::render_catalog_source_query(db));
  if (!marker) return std::unexpected(std::move(marker.error()));
  if (marker->size() != 1) return false;
  auto repo = marker->get(0, "repository");
  auto label = marker->get(0, "label");
  auto ts = marker->get(0, "backup_timestamp");
  const bool all_tables = std::all_of(
      catalog_tables().begin(), catalog_tables().end(),
      [&](const TableName& t) { return has_table(present, t.str()) || optional_catalog_table(t); });
  return repo && label && ts && all_tables && repo->value_or("") == catalog.repository.str() &&
         label->value_or("") == catalog.label.str() &&
         BackupTimestamp::from_server(ts->value_or("")) == catalog.backup_timestamp;
}

// A recovery database holding something else: refused unless `refresh`, which drops the catalog tables there.
Status clear_recovery_database(ports::SqlConnection& connection, const DatabaseName& db,
                               const CatalogRef& catalog, bool refresh,
                               const std::vector<std::string>& present) {
  if (present.empty()) return ok();
  if (!refresh) {
    std::string names;
    for (const auto& p : present) names += (names.empty() ? "" : ", ") + p;
    return sk::fail("catalog.not_empty",
                    "recovery database {} is not empty ({}) and does not hold catalog snapshot '{}'; pass "
                    "--refresh-catalog to replace the catalog tables there, or choose another "
                    "--recovery-database",
                    db.str(), names, catalog.label.str());
  }
  std::vector<TableName> drop = catalog_tables();
  drop.push_back(*TableName::parse(marker_spec().name));
  for (const auto& t : drop) {
    if (!has_table(present, t.str())) continue;
    if (auto s =
            connection.execute(dialect::render_drop_table_if_exists(db, t), ports::Idempotency::kIdempotent);
        !s) {
      return std::unexpected(std::move(s.error()).with_context("refreshing the recovery database"));
    }
  }
  return ok();
}

// The RESTORE of a catalog snapshot: its source database from SHOW SNAPSHOT … WHERE SNAPSHOT AND TIMESTAMP,
// and every catalog table the snapshot holds.
Result<dialect::RestoreJobSpec> catalog_restore_spec(ports::SqlConnection& connection,
                                                     const CatalogRef& catalog, const RecoverOptions& options,
                                                     const DatabaseName& db) {
  // The snapshot's own database name (the 3.4 grammar names it; reading it also proves the snapshot
  // readable).
  auto detail = connection.query(
      dialect::render_show_snapshot(catalog.repository, catalog.label, catalog.backup_timestamp));
  if (!detail) {
    return sk::fail("catalog.failed", "catalog snapshot '{}' in repository {} cannot be read: {}",
                    catalog.label.str(), catalog.repository.str(), ports::server_text(detail.error()));
  }
  std::optional<DatabaseName> source;
  for (std::size_t i = 0; i < detail->size() && !source; ++i) {
    if (!detail->has_column("Database")) break;
    auto cell = detail->get(i, "Database");
    if (cell && *cell) {
      if (auto d = DatabaseName::parse(**cell)) source = *d;
    }
  }
  if (!source) {
    std::string status;
    if (!detail->empty() && detail->has_column("Status"))
      status = std::string(detail->get(0, "Status")->value_or(""));
    return sk::fail("catalog.failed",
                    "catalog snapshot '{}' ({}) in repository {} has no readable database: {}",
                    catalog.label.str(), catalog.backup_timestamp, catalog.repository.str(),
                    status.empty() ? "not listed" : status);
  }

  dialect::RestoreJobSpec spec{*source,
                               db,
                               catalog.label,
                               catalog.repository,
                               {},
                               catalog.backup_timestamp,
                               options.replication_num,
                               std::nullopt,
                               std::nullopt,
                               options.job.grammar};
  // A catalog from before ops schema 2 has no table_partition_set: when the snapshot's Details list its
  // tables (they name backup_history) but not that one, it is left out; otherwise every catalog table is
  // restored.
  std::string details;
  if (detail->has_column("Details")) {
    for (std::size_t i = 0; i < detail->size(); ++i)
      details += std::string(detail->get(i, "Details")->value_or(""));
  }
  for (const auto& t : catalog_tables()) {
    const bool lists_tables = details.find("backup_history") != std::string::npos;
    if (optional_catalog_table(t) && lists_tables && details.find(t.str()) == std::string::npos) continue;
    spec.tables.push_back(dialect::RestoreTable{t, {}, std::nullopt});
  }
  return spec;
}

// The one-row catalog_source table naming the catalog snapshot the recovery database holds.
Status remember_catalog(ports::SqlConnection& connection, const ops::OpsConfig& recovered_config,
                        const CatalogRef& catalog, ports::Clock& clock) {
  if (auto s = connection.execute(ops::render_create_table(marker_spec(), recovered_config),
                                  ports::Idempotency::kIdempotent);
      !s) {
    return std::unexpected(std::move(s.error()).with_context("creating catalog_source"));
  }
  const std::vector<std::string_view> columns{"id", "repository", "label", "backup_timestamp",
                                              "recovered_at_utc"};
  const std::vector<std::vector<std::string>> rows{
      {ops::sql::literal(1), ops::sql::literal(catalog.repository.str()),
       ops::sql::literal(catalog.label.str()), ops::sql::literal(catalog.backup_timestamp.str()),
       ops::sql::literal(clock.now())}};
  for (const auto& sql :
       ops::sql::render_inserts(ops::qualified_table(recovered_config, marker_spec().name), columns, rows)) {
    if (auto s = connection.execute(sql, ports::Idempotency::kIdempotent); !s) {
      return std::unexpected(std::move(s.error()).with_context("writing catalog_source"));
    }
  }
  return ok();
}

}  // namespace

Result<Recovered> recover(ports::SqlConnection& connection, const CatalogRef& catalog,
                          const RecoverOptions& options, ports::Clock& clock, ports::Sleeper& sleeper) {
  const DatabaseName& db = options.recovery_database;
  const ops::OpsConfig recovered_config{db, options.replication_num};
  auto check_schema = [&]() -> Status {
    auto version = ops::current_schema_version(connection, recovered_config);
    if (!version) return std::unexpected(std::move(version.error()));
    if (*version > ops::kLatestSchemaVersion) {
      return sk::fail(
          "catalog.schema_newer",
          "catalog snapshot '{}' has ops schema version {}, newer than this build knows ({}); use a newer "
          "starkeep",
          catalog.label.str(), *version, ops::kLatestSchemaVersion);
    }
    return ok();
  };

  // What the recovery database holds now.
  auto listed = connection.query(dialect::render_list_tables(db));
  if (!listed) return std::unexpected(std::move(listed.error()));
  std::vector<std::string> present;
  for (std::size_t i = 0; i < listed->size(); ++i) {
    if (auto n = listed->get(i, "TABLE_NAME"); n && *n) present.emplace_back(**n);
  }
  auto held = holds_catalog(connection, db, catalog, present);
  if (!held) return std::unexpected(std::move(held.error()));
  if (*held) {
    if (auto s = check_schema(); !s) return std::unexpected(std::move(s.error()));
    return Recovered{catalog, db, true};
  }
  if (auto s = clear_recovery_database(connection, db, catalog, options.refresh, present); !s) {
    return std::unexpected(std::move(s.error()));
  }
  if (auto s = connection.execute(dialect::render_create_database_if_not_exists(db),
                                  ports::Idempotency::kIdempotent);
      !s) {
    return std::unexpected(std::move(s.error()));
  }

  auto spec = catalog_restore_spec(connection, catalog, options, db);
  if (!spec) return std::unexpected(std::move(spec.error()));
  auto before = job_before(connection, jobs::JobKind::kRestore, db);
  if (auto s = submit(connection, dialect::render_restore(*spec), db, sleeper, options.job,
                      "RESTORE of the catalog snapshot '" + catalog.label.str() + "'");
      !s) {
    return std::unexpected(std::move(s.error()));
  }
  auto job = wait_for(connection, jobs::JobKind::kRestore, db, catalog.label.str(), std::move(before), clock,
                      sleeper, options.job, "catalog RESTORE");
  if (!job) return std::unexpected(std::move(job.error()));
  if (job->outcome == jobs::Awaited::Outcome::kCancelled) {
    return sk::fail("catalog.failed", "catalog RESTORE '{}' into {} was CANCELLED by the server: {} {}",
                    catalog.label.str(), db.str(), job->job->status, job->job->task_err_msg);
  }
  if (job->outcome == jobs::Awaited::Outcome::kSuperseded) {
    // Replaced by a later job of the recovery database: the restored tables say whether it finished.
    if (auto s = restored_tables_present(connection, db, *spec); !s)
      return std::unexpected(std::move(s.error()));
  }

  // Remember which catalog this database holds.
  if (auto s = remember_catalog(connection, recovered_config, catalog, clock); !s)
    return std::unexpected(s.error());
  if (auto s = check_schema(); !s) return std::unexpected(std::move(s.error()));
  return Recovered{catalog, db, false};
}

Status adopt(ports::SqlConnection& connection, const DatabaseName& recovered, const ops::OpsConfig& ops,
             ports::Clock& clock, std::string_view applied_by) {
  if (recovered == ops.database)
    return sk::fail("catalog.usage", "cannot adopt the ops database into itself");
  if (auto s = ops::migrate(connection, ops, clock, applied_by); !s) return s;
  for (const char* name : {"backup_history", "backup_manifest", "snapshot_lineage", "table_partition_set"}) {
    const ops::TableSpec* spec = ops::find_table(name);
    if (spec == nullptr) return sk::fail("catalog.internal", "no ops table {}", name);
    std::vector<std::string> columns;
    for (const auto& c : spec->columns) columns.emplace_back(c.name);
    const std::string sql = dialect::render_copy_rows(recovered, ops.database, *TableName::parse(name),
                                                      columns, std::string_view(name) == "backup_history");
    if (auto s = connection.execute(sql, ports::Idempotency::kIdempotent); !s) {
      // A catalog from before ops schema 2 has no table_partition_set to copy.
      if (optional_catalog_table(*TableName::parse(name)) && s.error().code == ports::kServerError) continue;
      return std::unexpected(std::move(s.error()).with_context(fmt::format("copying {}", name)));
    }
  }
  return ok();
}

}  // namespace sk::catalog
