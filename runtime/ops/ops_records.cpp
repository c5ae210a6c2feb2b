#include "runtime/ops/ops_records.h"

#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace sk::ops::detail {
namespace {

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

Result<ExpiryMethod> parse_expiry_method(std::string_view text) {
  for (auto m : {ExpiryMethod::kDropSnapshot, ExpiryMethod::kStorage}) {
    if (to_string(m) == text) return m;
  }
  return fail(std::string(kCorrupt), "unknown expiry method '{}'", text);
}

Result<ExpiryState> parse_expiry_state(std::string_view text) {
  for (auto e : {ExpiryState::kDeleting, ExpiryState::kDeleted, ExpiryState::kFailed}) {
    if (to_string(e) == text) return e;
  }
  return fail(std::string(kCorrupt), "unknown expiry state '{}'", text);
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
  return json_text(out);
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
  return json_text(nlohmann::json(partitions));
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

}  // namespace

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
       member("first_seen_utc", &R::first_seen), member("last_seen_utc", &R::last_seen),
       member("retired_at_utc", &R::retired_at)});
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
       member("server_state", &R::server_state, Fit::kTruncated),
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
       member("server_state", &R::server_state, Fit::kTruncated),
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
       member("finished_at_utc", &R::finished_at),
       member("process_start", &R::process_start, Fit::kTruncated)});
  return map;
}

const RecordMap<ExpiryRecord>& expiry_map() {
  using R = ExpiryRecord;
  static const RecordMap<R> map(
      "snapshot_expiry",
      {derived<R>("expiry_id", [](const R& r) { return r.expiry_id(); }),
       member("run_id", &R::run_id, Fit::kChecked, "run id"),
       member("repository", &R::repository),
       member("label", &R::label),
       member("database_name", &R::database),
       enumerated("snapshot_kind", &R::kind, parse_snapshot_kind),
       converted<R, std::vector<TierName>>(
           "tiers", &R::tiers, join_tiers, [](std::string_view t, const R&) { return split_tiers(t); },
           Fit::kChecked, "tier list"),
       member("backup_timestamp", &R::backup_timestamp),
       enumerated("method", &R::method, parse_expiry_method),
       enumerated("state", &R::state, parse_expiry_state),
       member("reason", &R::reason, Fit::kTruncated),
       member("decided_at_utc", &R::decided_at),
       member("finished_at_utc", &R::finished_at),
       member("error_text", &R::error_text, Fit::kRedacted),
       stamp("updated_at_utc", &R::updated_at)});
  return map;
}

// ---- blank records to read into ----

InventoryRecord blank_inventory() {
  return {blank_name<DatabaseName>(), blank_name<TableName>(), {}, false, {}, ClassifiedBy::kRule, {}, {}, {}};
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
ExpiryRecord blank_expiry() {
  return {{}, blank_name<RepositoryName>(), blank_name<SnapshotLabel>(), blank_name<DatabaseName>()};
}
RestoreRecord blank_restore() {
  return {{},
          {},
          RestoreKind::kRestore,
          {},
          blank_name<RepositoryName>(),
          blank_name<SnapshotLabel>(),
          *BackupTimestamp::from_server("x"),
          blank_name<DatabaseName>(),
          blank_name<DatabaseName>()};
}

// One literal row per record (fitted and checked), in table order.

}  // namespace sk::ops::detail
