#include "runtime/ops/ops_store.h"

#include <nlohmann/json.hpp>

#include "kernel/dialect/ops_sql.h"
#include "runtime/ops/record_map.h"

namespace sk::ops {
namespace {

using detail::converted;
using detail::derived;
using detail::Field;
using detail::Fit;
using detail::kCorrupt;
using detail::member;
using detail::RecordMap;
using detail::stamp;
using ports::Idempotency;
using sql::literal;

// A placeholder name for a record about to be read: every name member is a column, so it is always replaced.
template <typename Name>
Name blank_name() {
  return *Name::parse("x");
}

// ---- member conversions stored as text ----

// An enum stored as its to_string() text.
template <typename R, typename E>
Field<R> enumerated(std::string_view column, E R::*m, Result<E> (*parse)(std::string_view)) {
  return converted<R, E>(
      column, m, [](const E& e) { return std::string(to_string(e)); },
      [parse](std::string_view text, const R&) { return parse(text); });
}

Result<RunState> parse_run_state(std::string_view text) {
  for (auto s : {RunState::kActive, RunState::kDone, RunState::kAbandoned}) {
    if (to_string(s) == text) return s;
  }
  return fail(std::string(kCorrupt), "unknown run state '{}'", text);
}

Result<RestoreKind> parse_restore_kind(std::string_view text) {
  for (auto k : {RestoreKind::kRestore, RestoreKind::kDrill}) {
    if (to_string(k) == text) return k;
  }
  return fail(std::string(kCorrupt), "unknown restore kind '{}'", text);
}

Result<ClassifiedBy> parse_classified_by(std::string_view text) {
  if (text != "manual" && text != "rule")
    return fail(std::string(kCorrupt), "unknown classified_by '{}'", text);
  return text == "manual" ? ClassifiedBy::kManual : ClassifiedBy::kRule;
}

// "daily,weekly".
std::string join_tiers(const std::vector<TierName>& tiers) {
  std::string out;
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    if (i) out += ",";
    out += tiers[i].str();
  }
  return out;
}

Result<std::vector<TierName>> split_tiers(std::string_view text) {
  std::vector<TierName> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto tier = TierName::parse(rest.substr(0, comma));
    if (!tier) return fail(std::string(kCorrupt), "column 'tiers': {}", tier.error().message);
    out.push_back(std::move(*tier));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

template <typename R>
Field<R> objects_field(std::vector<BackupObject> R::*m) {
  return converted<R, std::vector<BackupObject>>(
      "objects", m, objects_to_json, [](std::string_view text, const R&) { return objects_from_json(text); },
      Fit::kChecked, "object list");
}

// {"tier": eligible, ...}
std::string eligibility_to_json(const std::map<std::string, bool>& eligibility) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [tier, eligible] : eligibility) out[tier] = eligible;
  return out.dump();
}

Result<std::map<std::string, bool>> eligibility_from_json(std::string_view text, const InventoryRecord& r) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return fail(std::string(kCorrupt), "table_inventory eligibility of {}.{} is not a JSON object",
                r.database.str(), r.table.str());
  }
  std::map<std::string, bool> out;
  for (const auto& [tier, eligible] : json.items()) {
    if (!eligible.is_boolean())
      return fail(std::string(kCorrupt), "eligibility of tier '{}' is not a boolean", tier);
    out[tier] = eligible.get<bool>();
  }
  return out;
}

std::string partitions_to_json(const std::vector<std::string>& partitions) {
  return nlohmann::json(partitions).dump();
}

Result<std::vector<std::string>> partitions_from_json(std::string_view text, const PartitionSet& set) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) {
    return fail(std::string(kCorrupt), "ops.table_partition_set: partitions of {} is not a JSON array",
                set.table.str());
  }
  std::vector<std::string> out;
  for (const auto& n : j) {
    if (!n.is_string()) {
      return fail(std::string(kCorrupt), "ops.table_partition_set: a partition name of {} is not text",
                  set.table.str());
    }
    out.push_back(n.get<std::string>());
  }
  return out;
}

// ---- the record maps: one per table, column ↔ member ----

const RecordMap<InventoryRecord>& inventory_map() {
  using R = InventoryRecord;
  static const RecordMap<R> map(
      "table_inventory",
      {derived<R>("inventory_id",
                  [](const R& r) {
                    return make_id({r.database.str(), r.table.str()});
                  }),
       member("database_name", &R::database), member("table_name", &R::table),
       member("table_class", &R::table_class, Fit::kChecked, "table class"),
       member("partitioned", &R::partitioned),
       converted<R, std::map<std::string, bool>>("eligibility", &R::eligibility, eligibility_to_json,
                                                 eligibility_from_json, Fit::kChecked, "eligibility JSON"),
       enumerated("classified_by", &R::classified_by, parse_classified_by),
       member("first_seen_utc", &R::first_seen), member("last_seen_utc", &R::last_seen)});
  return map;
}

const RecordMap<BackupAttempt>& history_map() {
  using R = BackupAttempt;
  static const RecordMap<R> map(
      "backup_history",
      // attempt_id stays in the SELECT list, as it always was (readers never use it; the statement is
      // unchanged).
      {derived<R>(
           "attempt_id", [](const R& r) { return r.attempt_id(); }, detail::Listed::kYes),
       member("run_id", &R::run_id, Fit::kChecked, "run id"),
       member("label", &R::label),
       member("repository", &R::repository),
       member("database_name", &R::database),
       converted<R, std::vector<TierName>>(
           "tiers", &R::tiers, join_tiers, [](std::string_view t, const R&) { return split_tiers(t); },
           Fit::kChecked, "tier list"),
       member("slot_utc", &R::slot),
       enumerated("backup_kind", &R::kind, parse_backup_kind),
       objects_field(&R::objects),
       enumerated("state", &R::state, parse_attempt_state),
       member("server_state", &R::server_state),
       member("job_id", &R::job_id),
       member("submit_tries", &R::submit_tries),
       member("submitted_at_utc", &R::submitted_at),
       member("started_at_utc", &R::started_at),
       member("finished_at_utc", &R::finished_at),
       member("error_text", &R::error_text, Fit::kRedacted),
       member("bytes", &R::bytes),
       member("backup_timestamp", &R::backup_timestamp),
       stamp("updated_at_utc", &R::updated_at)});
  return map;
}

const RecordMap<ManifestEntry>& manifest_map() {
  using R = ManifestEntry;
  static const RecordMap<R> map(
      "backup_manifest",
      {derived<R>("entry_id", [](const R& r) { return r.entry_id(); }), member("attempt_id", &R::attempt_id),
       member("repository", &R::repository), member("label", &R::label),
       member("database_name", &R::database), member("table_name", &R::table),
       member("partition_name", &R::partition), member("partition_id", &R::partition_id),
       member("visible_version", &R::visible_version),
       member("visible_version_time_utc", &R::visible_version_time), member("row_count", &R::row_count),
       member("data_size", &R::data_size),
       member("checksum_algorithm", &R::checksum_algorithm, Fit::kChecked, "checksum algorithm"),
       member("checksum", &R::checksum, Fit::kChecked, "checksum"),
       member("checksum_row_count", &R::checksum_row_count), stamp("recorded_at_utc", &R::recorded_at)});
  return map;
}

const RecordMap<PartitionSet>& partition_set_map() {
  using R = PartitionSet;
  static const RecordMap<R> map(
      "table_partition_set",
      {derived<R>("set_id", [](const R& r) { return r.set_id(); }), member("attempt_id", &R::attempt_id),
       member("repository", &R::repository), member("label", &R::label),
       member("database_name", &R::database), member("table_name", &R::table),
       converted<R, std::vector<std::string>>("partitions", &R::partitions, partitions_to_json,
                                              partitions_from_json, Fit::kChecked, "partition set"),
       stamp("recorded_at_utc", &R::recorded_at)});
  return map;
}

const RecordMap<LineageEdge>& lineage_map() {
  using R = LineageEdge;
  static const RecordMap<R> map(
      "snapshot_lineage",
      {derived<R>("edge_id", [](const R& r) { return r.edge_id(); }), member("repository", &R::repository),
       member("label", &R::label), member("database_name", &R::database),
       member("depends_on_repository", &R::depends_on_repository),
       member("depends_on_label", &R::depends_on_label), member("reason", &R::reason, Fit::kTruncated),
       stamp("recorded_at_utc", &R::recorded_at)});
  return map;
}

const RecordMap<RestoreRecord>& restore_map() {
  using R = RestoreRecord;
  static const RecordMap<R> map(
      "restore_history",
      {member("restore_id", &R::restore_id, Fit::kChecked, "restore id"),
       member("run_id", &R::run_id, Fit::kChecked, "run id"),
       enumerated("kind", &R::kind, parse_restore_kind),
       member("drill_name", &R::drill_name, Fit::kChecked, "drill name"),
       member("repository", &R::repository),
       member("label", &R::label),
       member("backup_timestamp", &R::backup_timestamp, Fit::kChecked, "backup timestamp"),
       member("source_database", &R::source_database),
       member("target_database", &R::target_database),
       objects_field(&R::objects),
       member("target_time_utc", &R::target_time),
       enumerated("state", &R::state, parse_attempt_state),
       member("server_state", &R::server_state),
       member("job_id", &R::job_id),
       member("submitted_at_utc", &R::submitted_at),
       member("finished_at_utc", &R::finished_at),
       member("error_text", &R::error_text, Fit::kRedacted),
       member("verification", &R::verification),
       member("expected_checksums", &R::expected_checksums, Fit::kChecked, "checksum list"),
       member("actual_checksums", &R::actual_checksums, Fit::kChecked, "checksum list"),
       member("swapped", &R::swapped),
       stamp("updated_at_utc", &R::updated_at),
       member("started_at_utc", &R::started_at),
       member("duration_seconds", &R::duration_seconds),
       member("drill_period", &R::drill_period, Fit::kChecked, "drill period / seed"),
       member("drill_seed", &R::drill_seed, Fit::kChecked, "drill period / seed")});
  return map;
}

const RecordMap<RunMarker>& run_map() {
  using R = RunMarker;
  static const RecordMap<R> map(
      "run_status",
      {derived<R>("marker_id", [](const R& r) { return r.marker_id(); }),
       member("run_id", &R::run_id, Fit::kChecked, "run id"), member("database_name", &R::database),
       member("slot", &R::slot, Fit::kChecked, "slot"), member("host", &R::host, Fit::kTruncated),
       member("pid", &R::pid), enumerated("state", &R::state, parse_run_state),
       member("started_at_utc", &R::started_at), member("heartbeat_at_utc", &R::heartbeat_at),
       member("finished_at_utc", &R::finished_at)});
  return map;
}

// ---- blank records to read into ----

InventoryRecord blank_inventory() {
  return {blank_name<DatabaseName>(), blank_name<TableName>(), {}, false, {}, ClassifiedBy::kRule, {}, {}};
}
BackupAttempt blank_attempt() {
  return {{},
          blank_name<SnapshotLabel>(),
          blank_name<RepositoryName>(),
          blank_name<DatabaseName>(),
          {},
          {},
          BackupKind::kTables,
          {},
          AttemptState::kSubmitting,
          {},
          {},
          0,
          {},
          {},
          {},
          {},
          {},
          {},
          {}};
}
ManifestEntry blank_manifest_entry() {
  return {{},
          blank_name<RepositoryName>(),
          blank_name<SnapshotLabel>(),
          blank_name<DatabaseName>(),
          blank_name<TableName>(),
          blank_name<PartitionName>(),
          0,
          0,
          {},
          {},
          {},
          {},
          {},
          {},
          {}};
}
PartitionSet blank_partition_set() {
  return {{},
          blank_name<RepositoryName>(),
          blank_name<SnapshotLabel>(),
          blank_name<DatabaseName>(),
          blank_name<TableName>(),
          {},
          {}};
}
LineageEdge blank_edge() {
  return {blank_name<RepositoryName>(),
          blank_name<SnapshotLabel>(),
          blank_name<DatabaseName>(),
          blank_name<RepositoryName>(),
          blank_name<SnapshotLabel>(),
          {},
          {}};
}
RunMarker blank_marker() {
  return {{}, blank_name<DatabaseName>(), {}, {}, 0, RunState::kActive, {}, {}, {}};
}

// One literal row per record (fitted and checked), in table order.
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
  return out.dump();
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
  auto statements = upserts(inventory_map(), config_, records, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.table_inventory");
}

Result<std::vector<InventoryRecord>> OpsStore::load_inventory(const std::optional<DatabaseName>& database) {
  sql::Select select{{}, {}, {{"database_name"}, {"table_name"}}};
  if (database) select.where.push_back({"database_name", {literal(database->str())}});
  return select_records(connection_, config_, inventory_map(), std::move(select), blank_inventory());
}

Status OpsStore::record_backup_attempt(const BackupAttempt& a) {
  auto statements = upserts(history_map(), config_, {a}, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements,
                 fmt::format("recording backup attempt {} in ops.backup_history", a.label.str()));
}

Status OpsStore::update_backup_state(std::string_view attempt_id, const AttemptUpdate& u) {
  std::vector<sql::Assignment> sets;
  auto set = [&](std::string_view column, std::string value) { sets.push_back({column, std::move(value)}); };
  if (u.state) set("state", literal(to_string(*u.state)));
  if (u.server_state) set("server_state", literal(*u.server_state));
  if (u.job_id) set("job_id", literal(*u.job_id));
  if (u.submit_tries) set("submit_tries", literal(*u.submit_tries));
  if (u.submitted_at) set("submitted_at_utc", literal(*u.submitted_at));
  if (u.started_at) set("started_at_utc", literal(*u.started_at));
  if (u.finished_at) set("finished_at_utc", literal(*u.finished_at));
  if (u.error_text) {
    const auto* column = sql::find_column(history_map().table(), "error_text");
    set("error_text", literal(*detail::fit_text(*u.error_text, *column, Fit::kRedacted, "error text")));
  }
  if (u.bytes) set("bytes", literal(*u.bytes));
  if (u.backup_timestamp) set("backup_timestamp", literal(*u.backup_timestamp));
  set("updated_at_utc", literal(clock_.now()));
  return run_all({sql::render_update(history_map().table(), config_.database.str(), sets,
                                     {"attempt_id", {literal(attempt_id)}})},
                 fmt::format("updating backup attempt {} in ops.backup_history", attempt_id));
}

Result<std::vector<BackupAttempt>> OpsStore::load_backup_attempts(const DatabaseName& database,
                                                                  const AttemptFilter& filter) {
  sql::Select select{
      {}, {{"database_name", {literal(database.str())}}}, {{"updated_at_utc", true}, {"attempt_id"}}};
  if (filter.label) select.where.push_back({"label", {literal(filter.label->str())}});
  if (filter.slot) select.where.push_back({"slot_utc", {literal(*filter.slot)}});
  return select_records(connection_, config_, history_map(), std::move(select), blank_attempt());
}

Result<std::vector<BackupAttempt>> OpsStore::load_unfinished_attempts() {
  sql::Select select{
      {},
      {{"state",
        {literal(to_string(AttemptState::kSubmitting)), literal(to_string(AttemptState::kRunning))}}},
      {{"database_name"}, {"updated_at_utc"}}};
  return select_records(connection_, config_, history_map(), std::move(select), blank_attempt());
}

Status OpsStore::write_manifest(const std::vector<ManifestEntry>& entries) {
  auto statements = upserts(manifest_map(), config_, entries, clock_.now());
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
  return select_records(connection_, config_, manifest_map(),
                        {{}, {{"attempt_id", {literal(attempt_id)}}}, {{"table_name"}, {"partition_name"}}},
                        blank_manifest_entry());
}

Status OpsStore::write_partition_sets(const std::vector<PartitionSet>& sets) {
  auto statements = upserts(partition_set_map(), config_, sets, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.table_partition_set");
}

Result<std::vector<PartitionSet>> OpsStore::load_partition_sets(std::string_view attempt_id) {
  return select_records(connection_, config_, partition_set_map(),
                        {{}, {{"attempt_id", {literal(attempt_id)}}}, {{"table_name"}}},
                        blank_partition_set());
}

Status OpsStore::record_lineage(const std::vector<LineageEdge>& edges) {
  auto statements = upserts(lineage_map(), config_, edges, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.snapshot_lineage");
}

Result<std::vector<LineageEdge>> OpsStore::load_lineage(const RepositoryName& repository,
                                                        const SnapshotLabel& label) {
  return select_records(connection_, config_, lineage_map(),
                        {{},
                         {{"repository", {literal(repository.str())}}, {"label", {literal(label.str())}}},
                         {{"depends_on_repository"}, {"depends_on_label"}}},
                        blank_edge());
}

Status OpsStore::record_restore(const RestoreRecord& r) {
  auto statements = upserts(restore_map(), config_, {r}, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.restore_history");
}

Status OpsStore::mark_run(const RunMarker& m) {
  auto statements = upserts(run_map(), config_, {m}, clock_.now());
  if (!statements) return std::unexpected(std::move(statements.error()));
  return run_all(*statements, "writing ops.run_status");
}

Status OpsStore::heartbeat(const RunMarker& m) {
  return run_all({sql::render_update(run_map().table(), config_.database.str(),
                                     {{"heartbeat_at_utc", literal(clock_.now())}},
                                     {"marker_id", {literal(m.marker_id())}})},
                 "heartbeat in ops.run_status");
}

Status OpsStore::finish_run(const RunMarker& m, RunState final_state) {
  const Instant now = clock_.now();
  return run_all({sql::render_update(run_map().table(), config_.database.str(),
                                     {{"state", literal(to_string(final_state))},
                                      {"heartbeat_at_utc", literal(now)},
                                      {"finished_at_utc", literal(now)}},
                                     {"marker_id", {literal(m.marker_id())}})},
                 "finishing the run in ops.run_status");
}

Result<std::vector<RunMarker>> OpsStore::load_active_runs(const DatabaseName& database) {
  return select_records(
      connection_, config_, run_map(),
      {{},
       {{"database_name", {literal(database.str())}}, {"state", {literal(to_string(RunState::kActive))}}},
       {{"started_at_utc"}}},
      blank_marker());
}

}  // namespace sk::ops
