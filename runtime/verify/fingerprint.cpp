#include "runtime/verify/fingerprint.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "kernel/dialect/restore_sql.h"
#include "runtime/ops/ops_schema.h"

namespace sk::verify {
namespace {

template <typename T>
std::unexpected<Error> propagate(Result<T>& r, std::string_view context) {
  Error e = std::move(r.error());
  e.message = fmt::format("{}: {}", context, e.message);
  return std::unexpected(std::move(e));
}

bool selected(const std::vector<ObjectSelection>& objects, const ops::ManifestEntry& e) {
  if (objects.empty()) return true;
  for (const auto& o : objects) {
    if (o.table != e.table) continue;
    if (o.partitions.empty()) return true;
    for (const auto& p : o.partitions) {
      if (p == e.partition) return true;
    }
  }
  return false;
}

std::optional<std::int64_t> version_of(const VersionMap& versions, const ops::ManifestEntry& e) {
  auto t = versions.find(e.table.str());
  if (t == versions.end()) return std::nullopt;
  auto p = t->second.find(e.partition.str());
  if (p == t->second.end()) return std::nullopt;
  return p->second;
}

// What makes two manifest entries describe the same partition content (issue 10 item 14): the table and partition
// names, the partition id — StarRocks allocates table and partition ids from one sequence of the FE, so an id
// never moves to another table, and a recreated table or partition (or INSERT OVERWRITE's replacement) gets a new
// one — the VisibleVersion, the instant that version became visible, and the algorithm with the column signature
// (a schema change keeps the versions but changes what the fingerprint covers).
using ContentKey = std::tuple<std::string, std::string, std::int64_t, std::int64_t, std::int64_t, std::string>;

std::optional<ContentKey> content_key(const ops::ManifestEntry& e, const std::string& algorithm) {
  if (!e.visible_version_time) return std::nullopt;  // without it a version reset by a restore is not seen
  return ContentKey{e.table.str(),
                    e.partition.str(),
                    e.partition_id,
                    e.visible_version,
                    e.visible_version_time->unix_seconds(),
                    algorithm};
}

// A recorded fingerprint another attempt may reuse, and when it was recorded.
struct Reusable {
  std::optional<Fingerprint> fingerprint;  // nullopt: two records of one key disagree (never reused)
  Instant recorded_at{};
};

// The fingerprints recorded for `db` by other attempts than `attempt_id`, by content key; and, per table, the last
// time a restore replaced its live data (--replace: SWAP or INSERT OVERWRITE) — a fingerprint recorded before that
// is never reused for it, whatever the versions say.
struct ReuseIndex {
  std::map<ContentKey, Reusable> recorded;
  std::map<std::string, Instant> replaced;  // table → latest replacement; "" → every table

  [[nodiscard]] std::optional<Fingerprint> find(const ops::ManifestEntry& e, const std::string& algorithm) const {
    auto key = content_key(e, algorithm);
    if (!key) return std::nullopt;
    auto it = recorded.find(*key);
    if (it == recorded.end() || !it->second.fingerprint) return std::nullopt;
    for (const std::string& table : {e.table.str(), std::string()}) {
      auto r = replaced.find(table);
      if (r != replaced.end() && !(r->second < it->second.recorded_at)) return std::nullopt;
    }
    return it->second.fingerprint;
  }
};

Result<ReuseIndex> load_reuse_index(ops::OpsStore& store, const DatabaseName& db, const std::string& attempt_id,
                                    const std::vector<ops::ManifestEntry>& manifest) {
  ReuseIndex index;
  std::vector<std::int64_t> ids;
  for (const auto& e : manifest) ids.push_back(e.partition_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto entries = store.load_manifest_of_partitions(db, ids);
  if (!entries) return std::unexpected(std::move(entries.error()));
  for (const auto& e : *entries) {
    if (e.attempt_id == attempt_id || !e.checksum || !e.checksum_row_count || !e.checksum_algorithm) continue;
    auto key = content_key(e, *e.checksum_algorithm);
    if (!key) continue;
    const Fingerprint f{*e.checksum_row_count, *e.checksum};
    auto [it, inserted] = index.recorded.try_emplace(*key, Reusable{f, e.recorded_at});
    if (inserted) continue;
    if (it->second.fingerprint != f) it->second.fingerprint.reset();
    if (it->second.recorded_at < e.recorded_at) it->second.recorded_at = e.recorded_at;
  }
  auto restores = store.load_restores(ops::RestoreKind::kRestore);
  if (!restores) return std::unexpected(std::move(restores.error()));
  for (const auto& r : *restores) {
    if (!r.swapped || r.source_database != db) continue;
    const Instant when = r.finished_at.value_or(r.updated_at);
    std::vector<std::string> tables;
    for (const auto& o : r.objects) tables.push_back(o.table.str());
    if (tables.empty()) tables.emplace_back();
    for (const auto& t : tables) {
      auto [it, inserted] = index.replaced.try_emplace(t, when);
      if (!inserted && it->second < when) it->second = when;
    }
  }
  return index;
}

}  // namespace

std::string to_string(const Fingerprint& f) { return fmt::format("rows={} sum={}", f.row_count, f.row_hash_sum); }

Result<std::vector<dialect::FingerprintColumn>> table_columns(ports::SqlConnection& connection,
                                                              const DatabaseName& db, const TableName& table) {
  auto rows = connection.query(dialect::render_columns_query(db, table));
  if (!rows) return propagate(rows, "reading the columns of " + db.str() + "." + table.str());
  std::vector<dialect::FingerprintColumn> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto name = rows->get_required(i, "COLUMN_NAME");
    if (!name) return propagate(name, "information_schema.columns");
    dialect::FingerprintColumn c{std::string(*name)};
    if (rows->has_column("DATA_TYPE")) {
      if (auto type = rows->get(i, "DATA_TYPE"); type && *type) c.data_type = std::string(**type);
    }
    c.form = dialect::fingerprint_form(c.data_type);
    out.push_back(std::move(c));
  }
  if (out.empty()) return sk::fail("verify.no_columns", "table {}.{} has no columns (does it exist?)", db.str(), table.str());
  return out;
}

std::string algorithm_for(const std::vector<dialect::FingerprintColumn>& columns) {
  std::string signature;
  for (const auto& c : columns) {
    signature += fmt::format("{}:{}:{};", c.name.size(), c.name, static_cast<int>(c.form));
  }
  return fmt::format("{}@{}", kAlgorithm, ops::make_id({signature}).substr(0, 12));
}

bool algorithm_matches(std::string_view recorded, const std::vector<dialect::FingerprintColumn>& columns) {
  if (recorded == algorithm_for(columns)) return true;
  // Recorded before the signature (every column cast to text): the same query when every column still is text.
  return recorded == kAlgorithm && std::all_of(columns.begin(), columns.end(), [](const auto& c) {
           return c.form == dialect::FingerprintForm::kText;
         });
}

std::string skipped_columns(const std::vector<dialect::FingerprintColumn>& columns) {
  std::string out;
  for (const auto& c : columns) {
    if (c.form != dialect::FingerprintForm::kSkipped) continue;
    out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", c.name, c.data_type);
  }
  return out;
}

Result<Fingerprint> fingerprint(ports::SqlConnection& connection, const DatabaseName& db, const TableName& table,
                                const std::optional<PartitionName>& partition,
                                const std::vector<dialect::FingerprintColumn>& columns) {
  if (columns.empty()) return sk::fail("verify.no_columns", "no columns to fingerprint {}.{}", db.str(), table.str());
  auto rows = connection.query(dialect::render_typed_fingerprint_query(db, table, partition, columns));
  const std::string what = partition ? fmt::format("fingerprint of {}.{} partition {}", db.str(), table.str(),
                                                   partition->str())
                                     : fmt::format("fingerprint of {}.{}", db.str(), table.str());
  if (!rows) return propagate(rows, what);
  if (rows->size() != 1) return sk::fail(std::string(ports::kResultError), "{}: expected one row, got {}", what, rows->size());
  auto count = rows->get_int(0, "row_count");
  if (!count) return propagate(count, what);
  auto sum = rows->get(0, "row_hash_sum");
  if (!sum) return propagate(sum, what);
  Fingerprint f;
  f.row_count = count->value_or(0);
  f.row_hash_sum = (*sum && !(*sum)->empty()) ? std::string(**sum) : std::string("0");
  // MariaDB-backed servers print DECIMAL sums with a fraction part of zeros; keep the integer.
  if (auto dot = f.row_hash_sum.find('.'); dot != std::string::npos) f.row_hash_sum.resize(dot);
  return f;
}

Result<Fingerprint> fingerprint(ports::SqlConnection& connection, const DatabaseName& db, const TableName& table,
                                const std::optional<PartitionName>& partition) {
  auto columns = table_columns(connection, db, table);
  if (!columns) return std::unexpected(std::move(columns.error()));
  return fingerprint(connection, db, table, partition, *columns);
}

Result<VersionMap> visible_versions(ports::SqlConnection& connection, const DatabaseName& db) {
  auto rows = connection.query(dialect::render_partition_versions_query(db));
  if (!rows) return propagate(rows, "reading partitions_meta of " + db.str());
  VersionMap out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto t = rows->get_required(i, "TABLE_NAME");
    auto p = rows->get_required(i, "PARTITION_NAME");
    auto v = rows->get_int(i, "VISIBLE_VERSION");
    if (!t) return propagate(t, "partitions_meta");
    if (!p) return propagate(p, "partitions_meta");
    if (!v) return propagate(v, "partitions_meta");
    out[std::string(*t)][std::string(*p)] = v->value_or(0);
  }
  return out;
}

Result<RecordOutcome> record_fingerprints(ports::SqlConnection& connection, ops::OpsStore& store,
                                          const SnapshotLabel& label, const DatabaseName& db,
                                          const std::vector<ObjectSelection>& objects) {
  auto attempts = store.load_backup_attempts(db, ops::OpsStore::AttemptFilter{label, std::nullopt});
  if (!attempts) return std::unexpected(std::move(attempts.error()));
  const ops::BackupAttempt* finished = nullptr;
  for (const auto& a : *attempts) {
    if (a.state == ops::AttemptState::kFinished) {
      finished = &a;
      break;  // newest first
    }
  }
  if (!finished) return sk::fail("verify.not_found", "no FINISHED backup attempt with label '{}' in database {}",
                                 label.str(), db.str());
  return record_attempt_fingerprints(connection, store, finished->attempt_id(), db, objects);
}

Result<RecordOutcome> record_attempt_fingerprints(ports::SqlConnection& connection, ops::OpsStore& store,
                                                  const std::string& attempt_id, const DatabaseName& db,
                                                  const std::vector<ObjectSelection>& objects) {
  auto manifest = store.load_manifest(attempt_id);
  if (!manifest) return std::unexpected(std::move(manifest.error()));
  if (manifest->empty()) return RecordOutcome{};
  auto before = visible_versions(connection, db);
  if (!before) return std::unexpected(std::move(before.error()));

  auto reuse = load_reuse_index(store, db, attempt_id, *manifest);
  if (!reuse) return std::unexpected(std::move(reuse.error()));

  RecordOutcome outcome;
  std::vector<ops::ManifestEntry> updated;
  std::map<std::string, std::vector<dialect::FingerprintColumn>> columns_by_table;
  for (const auto& entry : *manifest) {
    if (!selected(objects, entry)) continue;
    auto live = version_of(*before, entry);
    if (!live || *live != entry.visible_version) {
      outcome.skipped.push_back(fmt::format("{}.{}: VisibleVersion {} != {} recorded", entry.table.str(),
                                            entry.partition.str(), live ? std::to_string(*live) : "missing",
                                            entry.visible_version));
      continue;
    }
    auto& columns = columns_by_table[entry.table.str()];
    if (columns.empty()) {
      auto c = table_columns(connection, db, entry.table);
      if (!c) return std::unexpected(std::move(c.error()));
      columns = std::move(*c);
    }
    const std::string algorithm = algorithm_for(columns);
    std::optional<Fingerprint> f = reuse->find(entry, algorithm);
    if (f) {
      ++outcome.reused;
    } else {
      auto scanned = fingerprint(connection, db, entry.table, entry.partition, columns);
      if (!scanned) return std::unexpected(std::move(scanned.error()));
      f = std::move(*scanned);
    }
    ops::ManifestEntry e = entry;
    e.checksum_algorithm = algorithm;
    e.checksum = f->row_hash_sum;
    e.checksum_row_count = f->row_count;
    updated.push_back(std::move(e));
  }
  if (updated.empty()) return outcome;
  // A write between the scan and now would make the values describe newer data: check the versions again.
  auto after = visible_versions(connection, db);
  if (!after) return std::unexpected(std::move(after.error()));
  std::vector<ops::ManifestEntry> stable;
  for (auto& e : updated) {
    auto live = version_of(*after, e);
    if (!live || *live != e.visible_version) {
      outcome.skipped.push_back(fmt::format("{}.{}: changed while being fingerprinted", e.table.str(),
                                            e.partition.str()));
      continue;
    }
    stable.push_back(std::move(e));
  }
  if (!stable.empty()) {
    if (auto s = store.write_manifest(stable); !s) return std::unexpected(std::move(s.error()));
  }
  outcome.recorded = static_cast<int>(stable.size());
  return outcome;
}

Status record_fingerprints_status(ports::SqlConnection& connection, ops::OpsStore& store, const SnapshotLabel& label,
                                  const DatabaseName& db, const std::vector<ObjectSelection>& objects) {
  auto r = record_fingerprints(connection, store, label, db, objects);
  if (!r) return std::unexpected(std::move(r.error()));
  return sk::ok();
}

std::string_view to_string(Proof proof) {
  switch (proof) {
    case Proof::kRecorded: return "recorded";
    case Proof::kLiveUnchanged: return "live_unchanged";
    case Proof::kUnknown: return "unknown";
  }
  return "unknown";
}

Result<Expected> expected_fingerprint(ports::SqlConnection& connection, const ops::ManifestEntry& entry,
                                      const VersionMap& live_versions,
                                      const std::vector<dialect::FingerprintColumn>* columns) {
  const bool comparable = entry.checksum_algorithm &&
                          (columns ? algorithm_matches(*entry.checksum_algorithm, *columns)
                                   : entry.checksum_algorithm->starts_with(kAlgorithm));
  if (entry.checksum && entry.checksum_row_count && comparable) {
    return Expected{Fingerprint{*entry.checksum_row_count, *entry.checksum}, Proof::kRecorded};
  }
  auto live = version_of(live_versions, entry);
  if (live && *live == entry.visible_version) {
    auto f = fingerprint(connection, entry.database, entry.table, entry.partition);
    if (!f) return std::unexpected(std::move(f.error()));
    return Expected{*f, Proof::kLiveUnchanged};
  }
  return Expected{};
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPassed: return "PASSED";
    case Verdict::kPartial: return "PARTIAL";
    case Verdict::kFailed: return "FAILED";
    case Verdict::kSkipped: return "SKIPPED";
  }
  return "SKIPPED";
}

Verdict overall(const std::vector<PartitionCheck>& checks) {
  bool any_known = false;
  bool any_unknown = false;
  for (const auto& c : checks) {
    if (!c.expected.fingerprint) {
      any_unknown = true;
      continue;
    }
    any_known = true;
    if (!c.passed) return Verdict::kFailed;
  }
  if (!any_known) return Verdict::kSkipped;
  return any_unknown ? Verdict::kPartial : Verdict::kPassed;
}

std::vector<std::string> not_compared(const std::vector<PartitionCheck>& checks) {
  std::vector<std::string> out;
  for (const auto& c : checks) {
    if (!c.expected.fingerprint) out.push_back(c.table + "." + c.partition);
  }
  return out;
}

}  // namespace sk::verify
