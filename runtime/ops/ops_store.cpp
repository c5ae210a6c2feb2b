#include "runtime/ops/ops_store.h"

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "kernel/dialect/ops_sql.h"
#include "runtime/ops/ops_records.h"

namespace sk::ops {
namespace {

using detail::kCorrupt;
using detail::RecordMap;
using ports::Idempotency;
using sql::literal;

template <typename R>
Result<std::vector<std::vector<std::string>>> rows_of(const RecordMap<R>& map, const std::vector<R>& records,
                                                      Instant now) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(records.size());
  for (const auto& record : records) {
    auto row = map.row(record, detail::WriteContext{now});
    if (!row) return std::unexpected(std::move(row.error()));
    rows.push_back(std::move(*row));
  }
  return rows;
}

}  // namespace

// ---- enums ----

std::string_view to_string(ClassifiedBy by) { return by == ClassifiedBy::kManual ? "manual" : "rule"; }

std::string_view to_string(AttemptState state) {
  switch (state) {
    case AttemptState::kSubmitting:
      return "SUBMITTING";
    case AttemptState::kRejected:
      return "REJECTED";
    case AttemptState::kRunning:
      return "RUNNING";
    case AttemptState::kFinished:
      return "FINISHED";
    case AttemptState::kCancelled:
      return "CANCELLED";
    case AttemptState::kLost:
      return "LOST";
  }
  return "LOST";
}

Result<AttemptState> parse_attempt_state(std::string_view text) {
  for (auto s : {AttemptState::kSubmitting, AttemptState::kRejected, AttemptState::kRunning,
                 AttemptState::kFinished, AttemptState::kCancelled, AttemptState::kLost}) {
    if (to_string(s) == text) return s;
  }
  return fail(std::string(kCorrupt), "unknown attempt state '{}'", text);
}

bool is_terminal(AttemptState state) {
  return state == AttemptState::kRejected || state == AttemptState::kFinished ||
         state == AttemptState::kCancelled || state == AttemptState::kLost;
}

std::string_view to_string(BackupKind kind) {
  switch (kind) {
    case BackupKind::kPartitions:
      return "partitions";
    case BackupKind::kTables:
      return "tables";
    case BackupKind::kDatabase:
      return "database";
  }
  return "tables";
}

Result<BackupKind> parse_backup_kind(std::string_view text) {
  for (auto k : {BackupKind::kPartitions, BackupKind::kTables, BackupKind::kDatabase}) {
    if (to_string(k) == text) return k;
  }
  return fail(std::string(kCorrupt), "unknown backup kind '{}'", text);
}

std::string_view to_string(RestoreKind kind) { return kind == RestoreKind::kDrill ? "drill" : "restore"; }

std::string_view to_string(SnapshotKind kind) {
  switch (kind) {
    case SnapshotKind::kData:
      return "data";
    case SnapshotKind::kCatalog:
      return "catalog";
    case SnapshotKind::kCanary:
      return "canary";
  }
  return "data";
}

Result<SnapshotKind> parse_snapshot_kind(std::string_view text) {
  for (auto k : {SnapshotKind::kData, SnapshotKind::kCatalog, SnapshotKind::kCanary}) {
    if (to_string(k) == text) return k;
  }
  return fail("ops.corrupt", "unknown snapshot kind '{}'", text);
}

std::string_view to_string(ExpiryMethod method) {
  return method == ExpiryMethod::kStorage ? "storage" : "drop_snapshot";
}

std::string_view to_string(ExpiryState state) {
  switch (state) {
    case ExpiryState::kDeleting:
      return "deleting";
    case ExpiryState::kDeleted:
      return "deleted";
    case ExpiryState::kFailed:
      return "failed";
  }
  return "failed";
}

std::string ExpiryRecord::expiry_id() const { return make_id({repository.str(), label.str()}); }

std::string_view to_string(RunState state) {
  switch (state) {
    case RunState::kActive:
      return "ACTIVE";
    case RunState::kDone:
      return "DONE";
    case RunState::kAbandoned:
      return "ABANDONED";
  }
  return "DONE";
}

// ---- ids ----

std::string BackupAttempt::attempt_id() const { return make_id({run_id, repository.str(), label.str()}); }
std::string ManifestEntry::entry_id() const { return make_id({attempt_id, table.str(), partition.str()}); }
std::string LineageEdge::edge_id() const {
  return make_id({repository.str(), label.str(), depends_on_repository.str(), depends_on_label.str()});
}
std::string PartitionSet::set_id() const { return make_id({attempt_id, table.str()}); }
std::string RunMarker::marker_id() const { return make_id({run_id, database.str()}); }

// ---- JSON ----

std::string objects_to_json(const std::vector<BackupObject>& objects) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : objects) {
    nlohmann::json partitions = nlohmann::json::array();
    for (const auto& p : o.partitions) partitions.push_back(p.str());
    out.push_back({{"table", o.table.str()}, {"partitions", std::move(partitions)}});
  }
  return json_text(out);
}

Result<std::vector<BackupObject>> objects_from_json(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_array())
    return fail(std::string(kCorrupt), "objects is not a JSON array");
  std::vector<BackupObject> out;
  for (const auto& item : json) {
    if (!item.is_object() || !item.contains("table") || !item["table"].is_string()) {
      return fail(std::string(kCorrupt), "objects entry without a table name");
    }
    auto table = TableName::parse(item["table"].get<std::string>());
    if (!table) return fail(std::string(kCorrupt), "objects: {}", table.error().message);
    BackupObject object{std::move(*table), {}};
    if (item.contains("partitions")) {
      if (!item["partitions"].is_array())
        return fail(std::string(kCorrupt), "objects: partitions is not an array");
      for (const auto& p : item["partitions"]) {
        if (!p.is_string()) return fail(std::string(kCorrupt), "objects: partition name is not a string");
        auto partition = PartitionName::parse(p.get<std::string>());
        if (!partition) return fail(std::string(kCorrupt), "objects: {}", partition.error().message);
        object.partitions.push_back(std::move(*partition));
      }
    }
    out.push_back(std::move(object));
  }
  return out;
}

// ---- store ----

OpsStore::OpsStore(ports::SqlConnection& connection, OpsConfig config, ports::Clock& clock)
    : connection_(connection), config_(std::move(config)), clock_(clock) {}

std::string OpsStore::table(std::string_view name) const { return qualified_table(config_, name); }

Status OpsStore::run_all(const std::vector<std::string>& statements, std::string_view what) {
  for (const auto& statement : statements) {
    // Whole-row upserts and UPDATEs by id: repeating one has the same effect.
    if (auto s = connection_.execute(statement, Idempotency::kIdempotent); !s) {
      return std::unexpected(std::move(s.error()).with_context(std::string(what)));
    }
  }
  return ok();
}

namespace {

// Whole-row upserts of `records` into the map's table, batched.
template <typename R>
Result<std::vector<std::string>> upserts(const RecordMap<R>& map, const OpsConfig& config,
                                         const std::vector<R>& records, Instant now) {
  auto rows = rows_of(map, records, now);
  if (!rows) return std::unexpected(std::move(rows.error()));
  return sql::render_upserts(map.table(), config.database.str(), *rows);
}

// SELECT the map's columns with `where` and `order_by`, each row read into a copy of `blank`.
template <typename R>
Result<std::vector<R>> select_records(ports::SqlConnection& connection, const OpsConfig& config,
                                      const RecordMap<R>& map, sql::Select select, const R& blank) {
  select.columns = map.selected();
  const std::string what = fmt::format("reading ops.{}", map.table().name);
  auto rows = connection.query(sql::render_select(map.table(), config.database.str(), select));
  if (!rows) return std::unexpected(std::move(rows.error()).with_context(what));
  std::vector<R> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto record = map.read(*rows, i, blank);
    if (!record)
      return std::unexpected(
          std::move(record.error()).with_context(fmt::format("{} row {}", map.table().name, i)));
    out.push_back(std::move(*record));
  }
  return out;
}

}  // namespace

Status OpsStore::upsert_inventory(const std::vector<InventoryRecord>& records) {
  auto statements = upserts(detail::inventory_map(), config_, records, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.table_inventory");
}

Result<std::vector<InventoryRecord>> OpsStore::load_inventory(const std::optional<DatabaseName>& database) {
  sql::Select select{{}, {}, {{"database_name"}, {"table_name"}}};
  if (database) select.where.push_back({"database_name", {literal(database->str())}});
  return select_records(connection_, config_, detail::inventory_map(), std::move(select),
                        detail::blank_inventory());
}

Status OpsStore::record_backup_attempt(const BackupAttempt& a) {
  auto statements = upserts(detail::history_map(), config_, {a}, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements,
                 fmt::format("recording backup attempt {} in ops.backup_history", a.label.str()));
}

Status OpsStore::record_backup_attempts(const std::vector<BackupAttempt>& attempts) {
  auto statements = upserts(detail::history_map(), config_, attempts, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "recording backup attempts in ops.backup_history");
}

Status OpsStore::update_backup_state(std::string_view attempt_id, const AttemptUpdate& u) {
  const sql::TableSpec& history = detail::history_map().table();
  std::vector<sql::Assignment> sets;
  auto set = [&](std::string_view column, std::string value) { sets.push_back({column, std::move(value)}); };
  // Text fitted to its column like a whole row's (detail::text_literal): valid UTF-8, never wider than the column.
  auto set_text = [&](std::string_view column, std::string text, detail::Fit fit) -> Status {
    auto v = detail::text_literal(history, column, std::move(text), fit);
    if (!v) return std::unexpected(std::move(v.error()));
    set(column, std::move(*v));
    return ok();
  };
  Status fitted = ok();
  if (u.state) fitted = set_text("state", std::string(to_string(*u.state)), detail::Fit::kChecked);
  if (fitted && u.server_state) fitted = set_text("server_state", *u.server_state, detail::Fit::kTruncated);
  if (u.job_id) set("job_id", literal(*u.job_id));
  if (u.submit_tries) set("submit_tries", literal(*u.submit_tries));
  if (u.submitted_at) set("submitted_at_utc", literal(*u.submitted_at));
  if (u.started_at) set("started_at_utc", literal(*u.started_at));
  if (u.finished_at) set("finished_at_utc", literal(*u.finished_at));
  if (fitted && u.error_text) fitted = set_text("error_text", *u.error_text, detail::Fit::kRedacted);
  if (u.bytes) set("bytes", literal(*u.bytes));
  if (fitted && u.backup_timestamp)
    fitted = set_text("backup_timestamp", u.backup_timestamp->str(), detail::Fit::kChecked);
  if (!fitted) return fitted;
  set("updated_at_utc", literal(clock_.now()));
  return run_all({sql::render_update(detail::history_map().table(), config_.database.str(), sets,
                                     {"attempt_id", {literal(attempt_id)}})},
                 fmt::format("updating backup attempt {} in ops.backup_history", attempt_id));
}

Result<std::vector<BackupAttempt>> OpsStore::load_backup_attempts(const DatabaseName& database,
                                                                  const AttemptFilter& filter) {
  sql::Select select{
      {}, {{"database_name", {literal(database.str())}}}, {{"updated_at_utc", true}, {"attempt_id"}}};
  if (filter.label) select.where.push_back({"label", {literal(filter.label->str())}});
  if (filter.slot) select.where.push_back({"slot_utc", {literal(*filter.slot)}});
  return select_records(connection_, config_, detail::history_map(), std::move(select),
                        detail::blank_attempt());
}

Result<std::vector<BackupAttempt>> OpsStore::load_finished_attempts() {
  sql::Select select{{}, {{"state", {literal(to_string(AttemptState::kFinished))}}}, {{"database_name"}, {"label"}}};
  return select_records(connection_, config_, detail::history_map(), std::move(select), detail::blank_attempt());
}

Result<std::vector<BackupAttempt>> OpsStore::load_all_attempts() {
  sql::Select select{{}, {}, {{"database_name"}, {"submitted_at_utc"}, {"label"}}};
  return select_records(connection_, config_, detail::history_map(), std::move(select), detail::blank_attempt());
}

Result<std::vector<BackupAttempt>> OpsStore::load_unfinished_attempts() {
  sql::Select select{
      {},
      {{"state",
        {literal(to_string(AttemptState::kSubmitting)), literal(to_string(AttemptState::kRunning))}}},
      {{"database_name"}, {"updated_at_utc"}}};
  return select_records(connection_, config_, detail::history_map(), std::move(select),
                        detail::blank_attempt());
}

Status OpsStore::write_manifest(const std::vector<ManifestEntry>& entries) {
  auto statements = upserts(detail::manifest_map(), config_, entries, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.backup_manifest");
}

Result<std::vector<LastBackedUp>> OpsStore::load_last_manifest(const DatabaseName& database) {
  auto rows = connection_.query(sql::render_last_manifest_query(config_.database.str(), database.str(),
                                                                to_string(AttemptState::kFinished)));
  if (!rows)
    return std::unexpected(
        std::move(rows.error()).with_context("reading the last manifest of " + database.str()));
  std::vector<LastBackedUp> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const detail::RowReader r(*rows, i);
    auto t = r.name<TableName>("table_name");
    if (!t) return std::unexpected(std::move(t.error()));
    auto p = r.name<PartitionName>("partition_name");
    if (!p) return std::unexpected(std::move(p.error()));
    auto id = r.integer("partition_id");
    if (!id) return std::unexpected(std::move(id.error()));
    auto version = r.integer("visible_version");
    if (!version) return std::unexpected(std::move(version.error()));
    out.push_back(LastBackedUp{std::move(*t), std::move(*p), *id, *version});
  }
  return out;
}

Result<std::vector<ManifestEntry>> OpsStore::load_manifest(std::string_view attempt_id) {
  return select_records(connection_, config_, detail::manifest_map(),
                        {{}, {{"attempt_id", {literal(attempt_id)}}}, {{"table_name"}, {"partition_name"}}},
                        detail::blank_manifest_entry());
}

Result<std::vector<ManifestEntry>> OpsStore::load_all_manifests() {
  return select_records(connection_, config_, detail::manifest_map(),
                        {{}, {}, {{"attempt_id"}, {"table_name"}, {"partition_name"}}},
                        detail::blank_manifest_entry());
}

Result<std::vector<ManifestEntry>> OpsStore::load_manifest_of_partitions(const DatabaseName& database,
                                                                        const std::vector<std::int64_t>& partition_ids) {
  if (partition_ids.empty()) return std::vector<ManifestEntry>{};
  std::vector<std::string> ids;
  ids.reserve(partition_ids.size());
  for (const std::int64_t id : partition_ids) ids.push_back(std::to_string(id));
  sql::Select select{{},
                     {{"database_name", {literal(database.str())}}, {"partition_id", std::move(ids)}},
                     {{"table_name"}, {"partition_name"}, {"recorded_at_utc"}}};
  return select_records(connection_, config_, detail::manifest_map(), std::move(select),
                        detail::blank_manifest_entry());
}

Status OpsStore::write_partition_sets(const std::vector<PartitionSet>& sets) {
  auto statements = upserts(detail::partition_set_map(), config_, sets, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.table_partition_set");
}

Result<std::vector<PartitionSet>> OpsStore::load_partition_sets(std::string_view attempt_id) {
  return select_records(connection_, config_, detail::partition_set_map(),
                        {{}, {{"attempt_id", {literal(attempt_id)}}}, {{"table_name"}}},
                        detail::blank_partition_set());
}

Result<std::vector<PartitionSet>> OpsStore::load_all_partition_sets() {
  return select_records(connection_, config_, detail::partition_set_map(), {{}, {}, {{"attempt_id"}, {"table_name"}}},
                        detail::blank_partition_set());
}

Status OpsStore::record_lineage(const std::vector<LineageEdge>& edges) {
  auto statements = upserts(detail::lineage_map(), config_, edges, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.snapshot_lineage");
}

Result<std::vector<LineageEdge>> OpsStore::load_lineage(const RepositoryName& repository,
                                                        const SnapshotLabel& label) {
  return select_records(connection_, config_, detail::lineage_map(),
                        {{},
                         {{"repository", {literal(repository.str())}}, {"label", {literal(label.str())}}},
                         {{"depends_on_repository"}, {"depends_on_label"}}},
                        detail::blank_edge());
}

Status OpsStore::record_restore(const RestoreRecord& r) {
  auto statements = upserts(detail::restore_map(), config_, {r}, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.restore_history");
}

Result<std::vector<RestoreRecord>> OpsStore::load_restores(RestoreKind kind) {
  sql::Select select{{}, {{"kind", {literal(to_string(kind))}}}, {{"restore_id"}}};
  return select_records(connection_, config_, detail::restore_map(), std::move(select), detail::blank_restore());
}

Result<std::vector<RestoreRecord>> OpsStore::load_unfinished_restores() {
  sql::Select select{
      {},
      {{"state",
        {literal(to_string(AttemptState::kSubmitting)), literal(to_string(AttemptState::kRunning))}}},
      {{"restore_id"}}};
  return select_records(connection_, config_, detail::restore_map(), std::move(select), detail::blank_restore());
}

Status OpsStore::record_expiry(const ExpiryRecord& r) {
  auto statements = upserts(detail::expiry_map(), config_, {r}, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.snapshot_expiry");
}

Result<std::vector<ExpiryRecord>> OpsStore::load_expiries() {
  return select_records(connection_, config_, detail::expiry_map(), sql::Select{{}, {}, {{"repository"}, {"label"}}},
                        detail::blank_expiry());
}

Status OpsStore::record_expiries(const std::vector<ExpiryRecord>& records) {
  auto statements = upserts(detail::expiry_map(), config_, records, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.snapshot_expiry");
}

Status OpsStore::mark_runs(const std::vector<RunMarker>& markers) {
  auto statements = upserts(detail::run_map(), config_, markers, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.run_status");
}

Status OpsStore::mark_run(const RunMarker& m) {
  auto statements = upserts(detail::run_map(), config_, {m}, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.run_status");
}

Status OpsStore::heartbeat(const RunMarker& m) {
  return run_all({sql::render_update(detail::run_map().table(), config_.database.str(),
                                     {{"heartbeat_at_utc", literal(clock_.now())}},
                                     {"marker_id", {literal(m.marker_id())}})},
                 "heartbeat in ops.run_status");
}

Status OpsStore::finish_run(const RunMarker& m, RunState final_state) {
  const Instant now = clock_.now();
  return run_all({sql::render_update(detail::run_map().table(), config_.database.str(),
                                     {{"state", literal(to_string(final_state))},
                                      {"heartbeat_at_utc", literal(now)},
                                      {"finished_at_utc", literal(now)}},
                                     {"marker_id", {literal(m.marker_id())}})},
                 "finishing the run in ops.run_status");
}

Result<std::vector<RunMarker>> OpsStore::load_active_runs(const DatabaseName& database) {
  return select_records(
      connection_, config_, detail::run_map(),
      {{},
       {{"database_name", {literal(database.str())}}, {"state", {literal(to_string(RunState::kActive))}}},
       {{"started_at_utc"}}},
      detail::blank_marker());
}

Result<std::vector<RunMarker>> OpsStore::load_all_runs() {
  return select_records(connection_, config_, detail::run_map(), {{}, {}, {{"run_id"}, {"database_name"}}},
                        detail::blank_marker());
}

}  // namespace sk::ops
