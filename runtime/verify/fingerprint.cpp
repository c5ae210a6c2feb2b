#include "runtime/verify/fingerprint.h"

#include <fmt/format.h>

#include "kernel/dialect/restore_sql.h"

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

}  // namespace

std::string to_string(const Fingerprint& f) { return fmt::format("rows={} sum={}", f.row_count, f.row_hash_sum); }

Result<std::vector<std::string>> table_columns(ports::SqlConnection& connection, const DatabaseName& db,
                                               const TableName& table) {
  auto rows = connection.query(dialect::render_columns_query(db, table));
  if (!rows) return propagate(rows, "reading the columns of " + db.str() + "." + table.str());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto name = rows->get_required(i, "COLUMN_NAME");
    if (!name) return propagate(name, "information_schema.columns");
    out.emplace_back(*name);
  }
  if (out.empty()) return sk::fail("verify.no_columns", "table {}.{} has no columns (does it exist?)", db.str(), table.str());
  return out;
}

Result<Fingerprint> fingerprint(ports::SqlConnection& connection, const DatabaseName& db, const TableName& table,
                                const std::optional<PartitionName>& partition,
                                const std::vector<std::string>& columns) {
  if (columns.empty()) return sk::fail("verify.no_columns", "no columns to fingerprint {}.{}", db.str(), table.str());
  auto rows = connection.query(dialect::render_fingerprint_query(db, table, partition, columns));
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

  RecordOutcome outcome;
  std::vector<ops::ManifestEntry> updated;
  std::map<std::string, std::vector<std::string>> columns_by_table;
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
    auto f = fingerprint(connection, db, entry.table, entry.partition, columns);
    if (!f) return std::unexpected(std::move(f.error()));
    ops::ManifestEntry e = entry;
    e.checksum_algorithm = std::string(kAlgorithm);
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
                                      const VersionMap& live_versions) {
  if (entry.checksum && entry.checksum_row_count && entry.checksum_algorithm == kAlgorithm) {
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
