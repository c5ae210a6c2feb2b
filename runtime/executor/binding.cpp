#include "runtime/executor/binding.h"

#include <algorithm>
#include <set>

#include "kernel/dialect/runner_sql.h"

namespace sk::executor {

Result<std::vector<PartitionMeta>> read_partitions_meta(ports::SqlConnection& connection,
                                                       const DatabaseName& database) {
  auto rows = connection.query(dialect::render_partitions_meta_for_binding(database));
  if (!rows) {
    return std::unexpected(std::move(rows.error()).with_context("reading partitions_meta of " + database.str()));
  }
  std::vector<PartitionMeta> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    PartitionMeta m;
    auto t = rows->get_required(i, "TABLE_NAME");
    auto p = rows->get_required(i, "PARTITION_NAME");
    auto id = rows->get_int(i, "PARTITION_ID");
    auto v = rows->get_int(i, "VISIBLE_VERSION");
    if (!t || !p || !id || !v) {
      Error e = !t ? t.error() : !p ? p.error() : !id ? id.error() : v.error();
      return std::unexpected(std::move(e).with_context("reading partitions_meta of " + database.str()));
    }
    m.table = std::string(*t);
    m.partition = std::string(*p);
    m.partition_id = id->value_or(0);
    m.visible_version = v->value_or(0);
    if (rows->has_column("VISIBLE_VERSION_UNIX")) {
      if (auto u = rows->get_int(i, "VISIBLE_VERSION_UNIX"); u && *u) m.visible_version_time = Instant::from_unix_seconds(**u);
    }
    if (rows->has_column("ROW_COUNT")) {
      if (auto r = rows->get_int(i, "ROW_COUNT"); r) m.row_count = *r;
    }
    if (rows->has_column("DATA_SIZE")) {
      if (auto s = rows->get_int(i, "DATA_SIZE"); s) m.data_size = *s;
    }
    out.push_back(std::move(m));
  }
  return out;
}

BoundJob bind_job(const plan::BackupJob& job, const std::vector<PartitionMeta>& meta,
                  const std::vector<ops::LastBackedUp>& last) {
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> last_version;
  for (const auto& l : last) last_version[{l.table.str(), l.partition_id}] = l.visible_version;
  std::map<std::string, std::vector<const PartitionMeta*>> by_table;
  for (const auto& m : meta) by_table[m.table].push_back(&m);

  BoundJob out;
  out.whole_database = job.whole_database;
  if (job.whole_database) {
    out.manifest = meta;
    return out;
  }
  const auto detection = job.change_detection.value_or(model::ChangeDetection{});
  for (const auto& t : job.tables) {
    auto it = by_table.find(t.table.str());
    if (it == by_table.end()) {  // every table has a partition (an unpartitioned one its own): dropped
      out.dropped_tables.push_back(t.table.str());
      continue;
    }
    if (t.scope == plan::TableScope::kWholeTable) {
      out.tables.push_back({t.table, true, {}});
      for (const auto* m : it->second) out.manifest.push_back(*m);
      continue;
    }
    BoundTable bound{t.table, false, {}};
    for (const auto* m : it->second) {
      bool changed = false;
      if (detection.mode == model::ChangeDetection::Mode::kUpdatedWithin && detection.within) {
        changed = m->visible_version_time && *m->visible_version_time >= job.slot - *detection.within;
      } else {
        auto lv = last_version.find({m->table, m->partition_id});
        changed = lv == last_version.end() || lv->second != m->visible_version;
      }
      if (!changed) continue;
      auto name = PartitionName::parse(m->partition);
      if (!name) continue;
      bound.partitions.push_back(*name);
      out.manifest.push_back(*m);
    }
    if (bound.partitions.empty()) {
      out.unchanged_tables.push_back(t.table.str());
      continue;
    }
    std::sort(bound.partitions.begin(), bound.partitions.end());
    out.tables.push_back(std::move(bound));
  }
  return out;
}

dialect::BackupJobSpec bound_spec(const plan::BackupJob& job, const BoundJob& bound, const SnapshotLabel& label) {
  dialect::BackupJobSpec spec = plan::backup_spec(job);
  spec.label = label;
  spec.tables.clear();
  if (!bound.whole_database) {
    for (const auto& t : bound.tables) {
      spec.tables.push_back({t.table, t.whole_table ? dialect::PartitionSelection::whole_table()
                                                    : dialect::PartitionSelection::listed(t.partitions)});
    }
  }
  return spec;
}

}  // namespace sk::executor
