#include "runtime/ops/ops_store.h"

#include <nlohmann/json.hpp>

#include "kernel/dialect/starrocks_dialect.h"
#include "kernel/dialect/ops_sql.h"
#include "runtime/ports/redact.h"

namespace sk::ops {
namespace {

using ports::Idempotency;
using ports::Rows;
using sql::literal;

constexpr std::string_view kCorrupt = "ops.corrupt";
constexpr std::string_view kInvalid = "ops.invalid";
constexpr std::size_t kErrorTextBytes = 4096;

std::string q(std::string_view identifier) { return dialect::quote_identifier(identifier); }

Status check_length(std::string_view value, std::size_t max, std::string_view what) {
  if (value.size() > max) {
    return fail(std::string(kInvalid), "{} is {} bytes long; the ops schema allows {}", what, value.size(), max);
  }
  return ok();
}

std::optional<std::string> clean_error(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return sql::truncate_utf8(ports::redact(*text), kErrorTextBytes);
}

std::string join_tiers(const std::vector<TierName>& tiers) {
  std::string out;
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    if (i) out += ",";
    out += tiers[i].str();
  }
  return out;
}

// ---- reading rows back ----

class RowReader {
 public:
  RowReader(const Rows& rows, std::size_t row) : rows_(rows), row_(row) {}

  Result<std::string> text(std::string_view column) const {
    auto v = rows_.get_required(row_, column);
    if (!v) return std::unexpected(std::move(v.error()));
    return std::string(*v);
  }
  Result<std::optional<std::string>> optional_text(std::string_view column) const {
    auto v = rows_.get(row_, column);
    if (!v) return std::unexpected(std::move(v.error()));
    if (!*v) return std::optional<std::string>();
    return std::optional<std::string>(std::string(**v));
  }
  Result<std::int64_t> integer(std::string_view column) const {
    auto v = rows_.get_int(row_, column);
    if (!v) return std::unexpected(std::move(v.error()));
    if (!*v) return fail(std::string(kCorrupt), "column '{}' is NULL or empty in result row {}", column, row_);
    return **v;
  }
  Result<std::optional<std::int64_t>> optional_integer(std::string_view column) const {
    return rows_.get_int(row_, column);
  }
  Result<bool> boolean(std::string_view column) const {
    auto v = text(column);
    if (!v) return std::unexpected(std::move(v.error()));
    return sql::parse_bool(*v);
  }
  Result<Instant> instant(std::string_view column) const {
    auto v = text(column);
    if (!v) return std::unexpected(std::move(v.error()));
    return sql::parse_datetime_utc(*v);
  }
  Result<std::optional<Instant>> optional_instant(std::string_view column) const {
    auto v = optional_text(column);
    if (!v) return std::unexpected(std::move(v.error()));
    if (!*v || (*v)->empty()) return std::optional<Instant>();
    auto t = sql::parse_datetime_utc(**v);
    if (!t) return std::unexpected(std::move(t.error()));
    return std::optional<Instant>(*t);
  }
  template <typename Name>
  Result<Name> name(std::string_view column) const {
    auto v = text(column);
    if (!v) return std::unexpected(std::move(v.error()));
    auto parsed = Name::parse(*v);
    if (!parsed) return fail(std::string(kCorrupt), "column '{}': {}", column, parsed.error().message);
    return std::move(*parsed);
  }

 private:
  const Rows& rows_;
  std::size_t row_;
};

// Unwraps a Result into `out` or returns its error from the enclosing function.
// Declares `name` from a Result, or returns its error from the enclosing function.
#define SK_TRY(name, expr)                                                        \
  auto name##_result_ = (expr);                                                   \
  if (!name##_result_) return std::unexpected(std::move(name##_result_.error())); \
  auto name = std::move(*name##_result_)

#define SK_ASSIGN(out, expr)                                          \
  do {                                                                \
    auto sk_tmp_ = (expr);                                            \
    if (!sk_tmp_) return std::unexpected(std::move(sk_tmp_.error())); \
    out = std::move(*sk_tmp_);                                        \
  } while (false)

const std::vector<std::string_view> kHistoryColumns = {
    "attempt_id",      "run_id",           "label",          "repository",      "database_name",
    "tiers",           "slot_utc",         "backup_kind",    "objects",         "state",
    "server_state",    "job_id",           "submit_tries",   "submitted_at_utc", "started_at_utc",
    "finished_at_utc", "error_text",       "bytes",          "backup_timestamp", "updated_at_utc"};

std::string select_list(const std::vector<std::string_view>& columns) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ", ";
    out += q(columns[i]);
  }
  return out;
}

Result<BackupAttempt> read_attempt(const Rows& rows, std::size_t i) {
  RowReader r(rows, i);
  std::string run_id;
  SK_ASSIGN(run_id, r.text("run_id"));
  SK_TRY(label, r.name<SnapshotLabel>("label"));
  SK_TRY(repository, r.name<RepositoryName>("repository"));
  SK_TRY(database, r.name<DatabaseName>("database_name"));
  BackupAttempt a{run_id, label, repository, database, {}, {}, BackupKind::kTables, {}, AttemptState::kSubmitting,
                  {}, {}, 0, {}, {}, {}, {}, {}, {}, {}};
  std::string tiers;
  SK_ASSIGN(tiers, r.text("tiers"));
  std::string_view rest = tiers;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto tier = TierName::parse(rest.substr(0, comma));
    if (!tier) return fail(std::string(kCorrupt), "column 'tiers': {}", tier.error().message);
    a.tiers.push_back(std::move(*tier));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  SK_ASSIGN(a.slot, r.optional_instant("slot_utc"));
  std::string kind;
  SK_ASSIGN(kind, r.text("backup_kind"));
  SK_ASSIGN(a.kind, parse_backup_kind(kind));
  std::string objects;
  SK_ASSIGN(objects, r.text("objects"));
  SK_ASSIGN(a.objects, objects_from_json(objects));
  std::string state;
  SK_ASSIGN(state, r.text("state"));
  SK_ASSIGN(a.state, parse_attempt_state(state));
  SK_ASSIGN(a.server_state, r.optional_text("server_state"));
  SK_ASSIGN(a.job_id, r.optional_integer("job_id"));
  std::int64_t tries = 0;
  SK_ASSIGN(tries, r.integer("submit_tries"));
  a.submit_tries = static_cast<int>(tries);
  SK_ASSIGN(a.submitted_at, r.optional_instant("submitted_at_utc"));
  SK_ASSIGN(a.started_at, r.optional_instant("started_at_utc"));
  SK_ASSIGN(a.finished_at, r.optional_instant("finished_at_utc"));
  SK_ASSIGN(a.error_text, r.optional_text("error_text"));
  SK_ASSIGN(a.bytes, r.optional_integer("bytes"));
  SK_ASSIGN(a.backup_timestamp, r.optional_text("backup_timestamp"));
  SK_ASSIGN(a.updated_at, r.instant("updated_at_utc"));
  return a;
}

Result<std::vector<BackupAttempt>> read_attempts(const Rows& rows) {
  std::vector<BackupAttempt> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto a = read_attempt(rows, i);
    if (!a) return std::unexpected(std::move(a.error()).with_context(fmt::format("backup_history row {}", i)));
    out.push_back(std::move(*a));
  }
  return out;
}

}  // namespace

// ---- enums ----

std::string_view to_string(ClassifiedBy by) { return by == ClassifiedBy::kManual ? "manual" : "rule"; }

std::string_view to_string(AttemptState state) {
  switch (state) {
    case AttemptState::kSubmitting: return "SUBMITTING";
    case AttemptState::kRejected: return "REJECTED";
    case AttemptState::kRunning: return "RUNNING";
    case AttemptState::kFinished: return "FINISHED";
    case AttemptState::kCancelled: return "CANCELLED";
    case AttemptState::kLost: return "LOST";
  }
  return "LOST";
}

Result<AttemptState> parse_attempt_state(std::string_view text) {
  for (auto s : {AttemptState::kSubmitting, AttemptState::kRejected, AttemptState::kRunning, AttemptState::kFinished,
                 AttemptState::kCancelled, AttemptState::kLost}) {
    if (to_string(s) == text) return s;
  }
  return fail(std::string(kCorrupt), "unknown attempt state '{}'", text);
}

bool is_terminal(AttemptState state) {
  return state == AttemptState::kRejected || state == AttemptState::kFinished || state == AttemptState::kCancelled ||
         state == AttemptState::kLost;
}

std::string_view to_string(BackupKind kind) {
  switch (kind) {
    case BackupKind::kPartitions: return "partitions";
    case BackupKind::kTables: return "tables";
    case BackupKind::kDatabase: return "database";
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
    case RunState::kActive: return "ACTIVE";
    case RunState::kDone: return "DONE";
    case RunState::kAbandoned: return "ABANDONED";
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
  if (json.is_discarded() || !json.is_array()) return fail(std::string(kCorrupt), "objects is not a JSON array");
  std::vector<BackupObject> out;
  for (const auto& item : json) {
    if (!item.is_object() || !item.contains("table") || !item["table"].is_string()) {
      return fail(std::string(kCorrupt), "objects entry without a table name");
    }
    auto table = TableName::parse(item["table"].get<std::string>());
    if (!table) return fail(std::string(kCorrupt), "objects: {}", table.error().message);
    BackupObject object{std::move(*table), {}};
    if (item.contains("partitions")) {
      if (!item["partitions"].is_array()) return fail(std::string(kCorrupt), "objects: partitions is not an array");
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

Status OpsStore::upsert_inventory(const std::vector<InventoryRecord>& records) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(records.size());
  for (const auto& r : records) {
    if (auto s = check_length(r.table_class, 64, "table class"); !s) return s;
    nlohmann::json eligibility = nlohmann::json::object();
    for (const auto& [tier, eligible] : r.eligibility) eligibility[tier] = eligible;
    const std::string eligibility_text = eligibility.dump();
    if (auto s = check_length(eligibility_text, 4096, "eligibility JSON"); !s) return s;
    rows.push_back({literal(make_id({r.database.str(), r.table.str()})), literal(r.database.str()),
                    literal(r.table.str()), literal(r.table_class), literal(r.partitioned), literal(eligibility_text),
                    literal(to_string(r.classified_by)), literal(r.first_seen), literal(r.last_seen)});
  }
  return run_all(sql::render_inserts(table("table_inventory"),
                                     {"inventory_id", "database_name", "table_name", "table_class", "partitioned",
                                      "eligibility", "classified_by", "first_seen_utc", "last_seen_utc"},
                                     rows),
                 "writing ops.table_inventory");
}

Result<std::vector<InventoryRecord>> OpsStore::load_inventory(const std::optional<DatabaseName>& database) {
  std::string statement = fmt::format(
      "SELECT {} FROM {}",
      select_list({"database_name", "table_name", "table_class", "partitioned", "eligibility", "classified_by",
                   "first_seen_utc", "last_seen_utc"}),
      table("table_inventory"));
  if (database) statement += fmt::format(" WHERE {} = {}", q("database_name"), literal(database->str()));
  statement += fmt::format(" ORDER BY {}, {}", q("database_name"), q("table_name"));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading ops.table_inventory"));
  std::vector<InventoryRecord> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    RowReader r(*rows, i);
    SK_TRY(db, r.name<DatabaseName>("database_name"));
    SK_TRY(t, r.name<TableName>("table_name"));
    InventoryRecord rec{db, t, {}, false, {}, ClassifiedBy::kRule, {}, {}};
    SK_ASSIGN(rec.table_class, r.text("table_class"));
    SK_ASSIGN(rec.partitioned, r.boolean("partitioned"));
    std::string eligibility;
    SK_ASSIGN(eligibility, r.text("eligibility"));
    const auto json = nlohmann::json::parse(eligibility, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return fail(std::string(kCorrupt), "table_inventory eligibility of {}.{} is not a JSON object", db.str(), t.str());
    }
    for (const auto& [tier, eligible] : json.items()) {
      if (!eligible.is_boolean()) return fail(std::string(kCorrupt), "eligibility of tier '{}' is not a boolean", tier);
      rec.eligibility[tier] = eligible.get<bool>();
    }
    std::string by;
    SK_ASSIGN(by, r.text("classified_by"));
    if (by != "manual" && by != "rule") return fail(std::string(kCorrupt), "unknown classified_by '{}'", by);
    rec.classified_by = by == "manual" ? ClassifiedBy::kManual : ClassifiedBy::kRule;
    SK_ASSIGN(rec.first_seen, r.instant("first_seen_utc"));
    SK_ASSIGN(rec.last_seen, r.instant("last_seen_utc"));
    out.push_back(std::move(rec));
  }
  return out;
}

Status OpsStore::record_backup_attempt(const BackupAttempt& a) {
  if (auto s = check_length(a.run_id, 64, "run id"); !s) return s;
  const std::string tiers = join_tiers(a.tiers);
  if (auto s = check_length(tiers, 1024, "tier list"); !s) return s;
  const std::string objects = objects_to_json(a.objects);
  if (auto s = check_length(objects, 65533, "object list"); !s) return s;
  const std::vector<std::vector<std::string>> rows = {{
      literal(a.attempt_id()), literal(a.run_id), literal(a.label.str()), literal(a.repository.str()),
      literal(a.database.str()), literal(tiers), literal(a.slot), literal(to_string(a.kind)), literal(objects),
      literal(to_string(a.state)), literal(a.server_state), literal(a.job_id), literal(a.submit_tries),
      literal(a.submitted_at), literal(a.started_at), literal(a.finished_at), literal(clean_error(a.error_text)),
      literal(a.bytes), literal(a.backup_timestamp), literal(clock_.now())}};
  return run_all(sql::render_inserts(table("backup_history"), kHistoryColumns, rows),
                 fmt::format("recording backup attempt {} in ops.backup_history", a.label.str()));
}

Status OpsStore::update_backup_state(std::string_view attempt_id, const AttemptUpdate& u) {
  std::vector<std::string> sets;
  auto set = [&](std::string_view column, std::string value) { sets.push_back(fmt::format("{} = {}", q(column), value)); };
  if (u.state) set("state", literal(to_string(*u.state)));
  if (u.server_state) set("server_state", literal(*u.server_state));
  if (u.job_id) set("job_id", literal(*u.job_id));
  if (u.submit_tries) set("submit_tries", literal(*u.submit_tries));
  if (u.submitted_at) set("submitted_at_utc", literal(*u.submitted_at));
  if (u.started_at) set("started_at_utc", literal(*u.started_at));
  if (u.finished_at) set("finished_at_utc", literal(*u.finished_at));
  if (u.error_text) set("error_text", literal(clean_error(u.error_text)));
  if (u.bytes) set("bytes", literal(*u.bytes));
  if (u.backup_timestamp) set("backup_timestamp", literal(*u.backup_timestamp));
  set("updated_at_utc", literal(clock_.now()));
  std::string statement = fmt::format("UPDATE {} SET ", table("backup_history"));
  for (std::size_t i = 0; i < sets.size(); ++i) {
    if (i) statement += ", ";
    statement += sets[i];
  }
  statement += fmt::format(" WHERE {} = {}", q("attempt_id"), literal(attempt_id));
  return run_all({statement}, fmt::format("updating backup attempt {} in ops.backup_history", attempt_id));
}

Result<std::vector<BackupAttempt>> OpsStore::load_backup_attempts(const DatabaseName& database,
                                                                  const AttemptFilter& filter) {
  std::string statement = fmt::format("SELECT {} FROM {} WHERE {} = {}", select_list(kHistoryColumns),
                                      table("backup_history"), q("database_name"), literal(database.str()));
  if (filter.label) statement += fmt::format(" AND {} = {}", q("label"), literal(filter.label->str()));
  if (filter.slot) statement += fmt::format(" AND {} = {}", q("slot_utc"), literal(*filter.slot));
  statement += fmt::format(" ORDER BY {} DESC, {}", q("updated_at_utc"), q("attempt_id"));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading ops.backup_history"));
  return read_attempts(*rows);
}

Result<std::vector<BackupAttempt>> OpsStore::load_unfinished_attempts() {
  const std::string statement = fmt::format(
      "SELECT {} FROM {} WHERE {} IN ({}, {}) ORDER BY {}, {}", select_list(kHistoryColumns), table("backup_history"),
      q("state"), literal(to_string(AttemptState::kSubmitting)), literal(to_string(AttemptState::kRunning)),
      q("database_name"), q("updated_at_utc"));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading ops.backup_history"));
  return read_attempts(*rows);
}

Status OpsStore::write_manifest(const std::vector<ManifestEntry>& entries) {
  const Instant now = clock_.now();
  std::vector<std::vector<std::string>> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) {
    if (e.checksum_algorithm) {
      if (auto s = check_length(*e.checksum_algorithm, 32, "checksum algorithm"); !s) return s;
    }
    if (e.checksum) {
      if (auto s = check_length(*e.checksum, 64, "checksum"); !s) return s;
    }
    rows.push_back({literal(e.entry_id()), literal(e.attempt_id), literal(e.repository.str()), literal(e.label.str()),
                    literal(e.database.str()), literal(e.table.str()), literal(e.partition.str()),
                    literal(e.partition_id), literal(e.visible_version), literal(e.visible_version_time),
                    literal(e.row_count), literal(e.data_size), literal(e.checksum_algorithm), literal(e.checksum),
                    literal(e.checksum_row_count), literal(now)});
  }
  return run_all(
      sql::render_inserts(table("backup_manifest"),
                          {"entry_id", "attempt_id", "repository", "label", "database_name", "table_name",
                           "partition_name", "partition_id", "visible_version", "visible_version_time_utc",
                           "row_count", "data_size", "checksum_algorithm", "checksum", "checksum_row_count",
                           "recorded_at_utc"},
                          rows),
      "writing ops.backup_manifest");
}

Result<std::vector<LastBackedUp>> OpsStore::load_last_manifest(const DatabaseName& database) {
  const std::string statement = fmt::format(
      "SELECT m.{table}, m.{partition}, m.{pid}, MAX(m.{version}) AS {version} FROM {manifest} AS m "
      "INNER JOIN {history} AS h ON m.{attempt} = h.{attempt} "
      "WHERE m.{db} = {db_value} AND h.{state} = {finished} "
      "GROUP BY m.{table}, m.{partition}, m.{pid} ORDER BY m.{table}, m.{partition}",
      fmt::arg("table", q("table_name")), fmt::arg("partition", q("partition_name")), fmt::arg("pid", q("partition_id")),
      fmt::arg("version", q("visible_version")), fmt::arg("manifest", table("backup_manifest")),
      fmt::arg("history", table("backup_history")), fmt::arg("attempt", q("attempt_id")),
      fmt::arg("db", q("database_name")), fmt::arg("db_value", literal(database.str())), fmt::arg("state", q("state")),
      fmt::arg("finished", literal(to_string(AttemptState::kFinished))));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading the last manifest of " + database.str()));
  std::vector<LastBackedUp> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    RowReader r(*rows, i);
    SK_TRY(t, r.name<TableName>("table_name"));
    SK_TRY(p, r.name<PartitionName>("partition_name"));
    LastBackedUp entry{t, p, 0, 0};
    SK_ASSIGN(entry.partition_id, r.integer("partition_id"));
    SK_ASSIGN(entry.visible_version, r.integer("visible_version"));
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<ManifestEntry>> OpsStore::load_manifest(std::string_view attempt_id) {
  const std::string statement = fmt::format(
      "SELECT {} FROM {} WHERE {} = {} ORDER BY {}, {}",
      select_list({"attempt_id", "repository", "label", "database_name", "table_name", "partition_name",
                   "partition_id", "visible_version", "visible_version_time_utc", "row_count", "data_size",
                   "checksum_algorithm", "checksum", "checksum_row_count", "recorded_at_utc"}),
      table("backup_manifest"), q("attempt_id"), literal(attempt_id), q("table_name"), q("partition_name"));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading ops.backup_manifest"));
  std::vector<ManifestEntry> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    RowReader r(*rows, i);
    std::string attempt;
    SK_ASSIGN(attempt, r.text("attempt_id"));
    SK_TRY(repo, r.name<RepositoryName>("repository"));
    SK_TRY(label, r.name<SnapshotLabel>("label"));
    SK_TRY(db, r.name<DatabaseName>("database_name"));
    SK_TRY(t, r.name<TableName>("table_name"));
    SK_TRY(p, r.name<PartitionName>("partition_name"));
    ManifestEntry e{attempt, repo, label, db, t, p, 0, 0, {}, {}, {}, {}, {}, {}, {}};
    SK_ASSIGN(e.partition_id, r.integer("partition_id"));
    SK_ASSIGN(e.visible_version, r.integer("visible_version"));
    SK_ASSIGN(e.visible_version_time, r.optional_instant("visible_version_time_utc"));
    SK_ASSIGN(e.row_count, r.optional_integer("row_count"));
    SK_ASSIGN(e.data_size, r.optional_integer("data_size"));
    SK_ASSIGN(e.checksum_algorithm, r.optional_text("checksum_algorithm"));
    SK_ASSIGN(e.checksum, r.optional_text("checksum"));
    SK_ASSIGN(e.checksum_row_count, r.optional_integer("checksum_row_count"));
    SK_ASSIGN(e.recorded_at, r.instant("recorded_at_utc"));
    out.push_back(std::move(e));
  }
  return out;
}

Status OpsStore::write_partition_sets(const std::vector<PartitionSet>& sets) {
  const Instant now = clock_.now();
  std::vector<std::vector<std::string>> rows;
  rows.reserve(sets.size());
  for (const auto& set : sets) {
    const std::string names = nlohmann::json(set.partitions).dump();
    if (auto s = check_length(names, 65533, "partition set"); !s) return s;
    rows.push_back({literal(set.set_id()), literal(set.attempt_id), literal(set.repository.str()),
                    literal(set.label.str()), literal(set.database.str()), literal(set.table.str()), literal(names),
                    literal(now)});
  }
  return run_all(sql::render_inserts(table("table_partition_set"),
                                     {"set_id", "attempt_id", "repository", "label", "database_name", "table_name",
                                      "partitions", "recorded_at_utc"},
                                     rows),
                 "writing ops.table_partition_set");
}

Result<std::vector<PartitionSet>> OpsStore::load_partition_sets(std::string_view attempt_id) {
  const std::string statement =
      fmt::format("SELECT {} FROM {} WHERE {} = {} ORDER BY {}",
                  select_list({"attempt_id", "repository", "label", "database_name", "table_name", "partitions",
                               "recorded_at_utc"}),
                  table("table_partition_set"), q("attempt_id"), literal(attempt_id), q("table_name"));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading ops.table_partition_set"));
  std::vector<PartitionSet> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    RowReader r(*rows, i);
    std::string attempt;
    SK_ASSIGN(attempt, r.text("attempt_id"));
    SK_TRY(repo, r.name<RepositoryName>("repository"));
    SK_TRY(label, r.name<SnapshotLabel>("label"));
    SK_TRY(db, r.name<DatabaseName>("database_name"));
    SK_TRY(t, r.name<TableName>("table_name"));
    std::string names;
    SK_ASSIGN(names, r.text("partitions"));
    auto j = nlohmann::json::parse(names, nullptr, false);
    if (!j.is_array()) {
      return fail(std::string(kCorrupt), "ops.table_partition_set: partitions of {} is not a JSON array", t.str());
    }
    PartitionSet set{attempt, repo, label, db, t, {}, {}};
    for (const auto& n : j) {
      if (!n.is_string()) {
        return fail(std::string(kCorrupt), "ops.table_partition_set: a partition name of {} is not text", t.str());
      }
      set.partitions.push_back(n.get<std::string>());
    }
    SK_ASSIGN(set.recorded_at, r.instant("recorded_at_utc"));
    out.push_back(std::move(set));
  }
  return out;
}

Status OpsStore::record_lineage(const std::vector<LineageEdge>& edges) {
  const Instant now = clock_.now();
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : edges) {
    rows.push_back({literal(e.edge_id()), literal(e.repository.str()), literal(e.label.str()),
                    literal(e.database.str()), literal(e.depends_on_repository.str()),
                    literal(e.depends_on_label.str()), literal(sql::truncate_utf8(e.reason, 64)), literal(now)});
  }
  return run_all(sql::render_inserts(table("snapshot_lineage"),
                                     {"edge_id", "repository", "label", "database_name", "depends_on_repository",
                                      "depends_on_label", "reason", "recorded_at_utc"},
                                     rows),
                 "writing ops.snapshot_lineage");
}

Result<std::vector<LineageEdge>> OpsStore::load_lineage(const RepositoryName& repository, const SnapshotLabel& label) {
  const std::string statement = fmt::format(
      "SELECT {} FROM {} WHERE {} = {} AND {} = {} ORDER BY {}, {}",
      select_list({"repository", "label", "database_name", "depends_on_repository", "depends_on_label", "reason",
                   "recorded_at_utc"}),
      table("snapshot_lineage"), q("repository"), literal(repository.str()), q("label"), literal(label.str()),
      q("depends_on_repository"), q("depends_on_label"));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading ops.snapshot_lineage"));
  std::vector<LineageEdge> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    RowReader r(*rows, i);
    SK_TRY(db, r.name<DatabaseName>("database_name"));
    SK_TRY(dep_repo, r.name<RepositoryName>("depends_on_repository"));
    SK_TRY(dep_label, r.name<SnapshotLabel>("depends_on_label"));
    LineageEdge e{repository, label, db, dep_repo, dep_label, {}, {}};
    SK_ASSIGN(e.reason, r.text("reason"));
    SK_ASSIGN(e.recorded_at, r.instant("recorded_at_utc"));
    out.push_back(std::move(e));
  }
  return out;
}

Status OpsStore::record_restore(const RestoreRecord& r) {
  if (auto s = check_length(r.restore_id, 32, "restore id"); !s) return s;
  if (auto s = check_length(r.run_id, 64, "run id"); !s) return s;
  if (r.drill_name) {
    if (auto s = check_length(*r.drill_name, 64, "drill name"); !s) return s;
  }
  if (auto s = check_length(r.backup_timestamp, 64, "backup timestamp"); !s) return s;
  for (const auto* field : {&r.drill_period, &r.drill_seed}) {
    if (*field) {
      if (auto s = check_length(**field, 16, "drill period / seed"); !s) return s;
    }
  }
  const std::string objects = objects_to_json(r.objects);
  if (auto s = check_length(objects, 65533, "object list"); !s) return s;
  for (const auto* checksums : {&r.expected_checksums, &r.actual_checksums}) {
    if (*checksums) {
      if (auto s = check_length(**checksums, 65533, "checksum list"); !s) return s;
    }
  }
  const std::vector<std::vector<std::string>> rows = {{
      literal(r.restore_id), literal(r.run_id), literal(to_string(r.kind)), literal(r.drill_name),
      literal(r.repository.str()), literal(r.label.str()), literal(r.backup_timestamp),
      literal(r.source_database.str()), literal(r.target_database.str()), literal(objects), literal(r.target_time),
      literal(to_string(r.state)), literal(r.server_state), literal(r.job_id), literal(r.submitted_at),
      literal(r.finished_at), literal(clean_error(r.error_text)), literal(r.verification),
      literal(r.expected_checksums), literal(r.actual_checksums), literal(r.swapped), literal(clock_.now()),
      literal(r.started_at), literal(r.duration_seconds), literal(r.drill_period), literal(r.drill_seed)}};
  return run_all(sql::render_inserts(table("restore_history"),
                                     {"restore_id", "run_id", "kind", "drill_name", "repository", "label",
                                      "backup_timestamp", "source_database", "target_database", "objects",
                                      "target_time_utc", "state", "server_state", "job_id", "submitted_at_utc",
                                      "finished_at_utc", "error_text", "verification", "expected_checksums",
                                      "actual_checksums", "swapped", "updated_at_utc", "started_at_utc",
                                      "duration_seconds", "drill_period", "drill_seed"},
                                     rows),
                 "writing ops.restore_history");
}

Status OpsStore::mark_run(const RunMarker& m) {
  if (auto s = check_length(m.run_id, 64, "run id"); !s) return s;
  if (auto s = check_length(m.slot, 64, "slot"); !s) return s;
  const std::vector<std::vector<std::string>> rows = {
      {literal(m.marker_id()), literal(m.run_id), literal(m.database.str()), literal(m.slot),
       literal(sql::truncate_utf8(m.host, 256)), literal(m.pid), literal(to_string(m.state)), literal(m.started_at),
       literal(m.heartbeat_at), literal(m.finished_at)}};
  return run_all(sql::render_inserts(table("run_status"),
                                     {"marker_id", "run_id", "database_name", "slot", "host", "pid", "state",
                                      "started_at_utc", "heartbeat_at_utc", "finished_at_utc"},
                                     rows),
                 "writing ops.run_status");
}

Status OpsStore::heartbeat(const RunMarker& m) {
  return run_all({fmt::format("UPDATE {} SET {} = {} WHERE {} = {}", table("run_status"), q("heartbeat_at_utc"),
                              literal(clock_.now()), q("marker_id"), literal(m.marker_id()))},
                 "heartbeat in ops.run_status");
}

Status OpsStore::finish_run(const RunMarker& m, RunState final_state) {
  const Instant now = clock_.now();
  return run_all({fmt::format("UPDATE {} SET {} = {}, {} = {}, {} = {} WHERE {} = {}", table("run_status"), q("state"),
                              literal(to_string(final_state)), q("heartbeat_at_utc"), literal(now),
                              q("finished_at_utc"), literal(now), q("marker_id"), literal(m.marker_id()))},
                 "finishing the run in ops.run_status");
}

Result<std::vector<RunMarker>> OpsStore::load_active_runs(const DatabaseName& database) {
  const std::string statement = fmt::format(
      "SELECT {} FROM {} WHERE {} = {} AND {} = {} ORDER BY {}",
      select_list({"run_id", "database_name", "slot", "host", "pid", "state", "started_at_utc", "heartbeat_at_utc",
                   "finished_at_utc"}),
      table("run_status"), q("database_name"), literal(database.str()), q("state"),
      literal(to_string(RunState::kActive)), q("started_at_utc"));
  auto rows = connection_.query(statement);
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading ops.run_status"));
  std::vector<RunMarker> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    RowReader r(*rows, i);
    RunMarker m{{}, database, {}, {}, 0, RunState::kActive, {}, {}, {}};
    SK_ASSIGN(m.run_id, r.text("run_id"));
    SK_ASSIGN(m.slot, r.text("slot"));
    SK_ASSIGN(m.host, r.text("host"));
    SK_ASSIGN(m.pid, r.integer("pid"));
    SK_ASSIGN(m.started_at, r.instant("started_at_utc"));
    SK_ASSIGN(m.heartbeat_at, r.instant("heartbeat_at_utc"));
    SK_ASSIGN(m.finished_at, r.optional_instant("finished_at_utc"));
    out.push_back(std::move(m));
  }
  return out;
}

#undef SK_ASSIGN
#undef SK_TRY

}  // namespace sk::ops
