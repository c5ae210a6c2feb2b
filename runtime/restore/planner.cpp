#include "runtime/restore/planner.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/utf8.h"
#include "kernel/dialect/restore_sql.h"

namespace sk::restore {
namespace {

std::string stamp(Instant t) {
  std::string out;
  for (char c : t.to_iso8601_utc()) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

// `<base>[_<part>]_restored_<stamp>`, the base cut between code points to fit the name limit (issue 10 item 18:
// a byte cut used to drop the last character even when nothing needed cutting, so `fact_订单` and `fact_订购` both
// became `fact_订_restored_…`). `part` tells restores of one table as of one instant apart: a partition restore
// names its partition (at most 16 bytes of it), so it never collides with the table's restore.
// `word` is "restored" for staging objects and "replaced" for the copy of the live partitions a partition
// replace keeps (stamped with the moment of the restore, so two replaces never share it).
std::string default_name(const std::string& base, Instant t, std::size_t max_bytes, const std::string& part = {},
                         std::string_view word = "restored") {
  std::string suffix = "_" + std::string(word) + "_" + stamp(t);
  if (!part.empty()) suffix = "_" + truncate_utf8(part, 16) + suffix;
  return truncate_utf8(base, max_bytes > suffix.size() ? max_bytes - suffix.size() : 0) + suffix;
}

bool holds_table(const Snapshot& s, const TableName& t) {
  return std::any_of(s.entries.begin(), s.entries.end(), [&](const ops::ManifestEntry& e) { return e.table == t; });
}

struct TableResolution {
  std::vector<ops::ManifestEntry> partitions;  // source entry per partition, sorted by partition name
  std::map<std::string, std::string> later;    // partition → label of the first snapshot after T holding it
};

}  // namespace

std::optional<std::int64_t> timestamp_order_key(std::string_view text) {
  // yyyy-MM-dd-HH-mm-ss-SSS: 23 characters, digits and '-' at fixed places.
  if (text.size() != 23) return std::nullopt;
  std::int64_t key = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 4 || i == 7 || i == 10 || i == 13 || i == 16 || i == 19;
    if (dash) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    key = key * 10 + (text[i] - '0');
  }
  return key;
}

void order_snapshots(std::vector<const Snapshot*>& snapshots) {
  // By backup_timestamp when every snapshot has a readable one (the moment the content is from); otherwise by
  // finish. Ties: when the job was sent, when the server created it. Never the label: its text order is not time
  // order (`bk_x_daily_…` < `bk_x_weekly_…`). One rule for the whole list keeps the order a strict weak order.
  const bool by_timestamp = std::all_of(snapshots.begin(), snapshots.end(), [](const Snapshot* s) {
    return s->attempt.backup_timestamp && timestamp_order_key(s->attempt.backup_timestamp->str());
  });
  const auto key = [by_timestamp](const Snapshot* s) {
    const std::int64_t ts = by_timestamp ? *timestamp_order_key(s->attempt.backup_timestamp->str()) : 0;
    return std::tuple{ts, by_timestamp ? Instant{} : s->point(), s->attempt.submitted_at.value_or(Instant{}),
                      s->attempt.started_at.value_or(Instant{}), s->point()};
  };
  std::stable_sort(snapshots.begin(), snapshots.end(),
                   [&](const Snapshot* a, const Snapshot* b) { return key(a) < key(b); });
}

std::string_view to_string(Scope scope) {
  switch (scope) {
    case Scope::kPartition: return "partition";
    case Scope::kTable: return "table";
    case Scope::kDatabase: return "database";
  }
  return "table";
}

Instant Snapshot::point() const { return attempt.finished_at.value_or(attempt.updated_at); }

namespace {

Status check_request(const RestoreRequest& r) {
  if (r.as_of.has_value() == r.snapshot.has_value()) {
    return sk::fail("restore.usage", "give exactly one of --as-of and --snapshot");
  }
  if (r.scope != Scope::kDatabase && !r.table) return sk::fail("restore.usage", "a table is required");
  if (r.scope == Scope::kPartition && r.partitions.empty()) {
    return sk::fail("restore.usage", "a partition is required");
  }
  if (r.scope == Scope::kDatabase && r.as_name) {
    return sk::fail("restore.usage", "--as names a table; to restore a database under another name use --into");
  }
  if (r.drop_old && !r.replace) return sk::fail("restore.usage", "--drop-old needs --replace");
  if (r.replace && r.scope == Scope::kDatabase) {
    return sk::fail("restore.usage",
                    "--replace works on one table or partition (one atomic statement); a database cannot be swapped "
                    "atomically — restore it with --into and swap tables one by one");
  }
  if (r.replace && !r.source_on_this_cluster) {
    return sk::fail("restore.usage",
                    "--replace needs the live database {} on this cluster; it does not exist here (restore it with "
                    "--into)",
                    r.database.str());
  }
  if (r.replace && r.into && *r.into != r.database) {
    return sk::fail("restore.usage", "--replace swaps inside the table's own database; use --as instead of --into");
  }
  return {};
}

// Candidate snapshots: FINISHED attempts of the database (and repository), oldest first.
std::vector<const Snapshot*> candidate_snapshots(const RestoreRequest& r,
                                                 const std::vector<Snapshot>& history) {
  std::vector<const Snapshot*> all;
  for (const auto& s : history) {
    if (s.attempt.state != ops::AttemptState::kFinished) continue;
    if (s.attempt.database != r.database) continue;
    if (r.repository && s.attempt.repository != *r.repository) continue;
    all.push_back(&s);
  }
  order_snapshots(all);
  return all;
}

// The candidates split at T: those that count (at or before T) and those after it, each in snapshot order.
struct Timeline {
  std::vector<const Snapshot*> before;
  std::vector<const Snapshot*> after;
};

// Sets plan.point (T) from --snapshot or --as-of and splits the candidates at it.
Result<Timeline> split_at_point(const RestoreRequest& r, const std::vector<const Snapshot*>& all,
                                RestorePlan& plan) {
  std::size_t cut = 0;  // snapshots [0, cut) count
  if (r.snapshot) {
    auto it = std::find_if(all.begin(), all.end(), [&](const Snapshot* s) { return s->attempt.label == *r.snapshot; });
    if (it == all.end()) {
      return sk::fail("restore.snapshot_missing",
                      "no FINISHED snapshot '{}' of database {} in ops.backup_history{}", r.snapshot->str(),
                      r.database.str(), r.repository ? " for repository " + r.repository->str() : std::string());
    }
    cut = static_cast<std::size_t>(it - all.begin()) + 1;
    plan.point = (*it)->point();
  } else {
    plan.point = *r.as_of;
  }
  // Snapshot order is content order (backup_timestamp), which need not follow finished_at to the second: a
  // snapshot counts for T by its own finish, whatever its neighbours' (order kept within each list).
  Timeline tl;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const bool counts = r.snapshot ? i < cut : all[i]->point() <= plan.point;
    (counts ? tl.before : tl.after).push_back(all[i]);
  }
  return tl;
}

// Which tables: the requested one, or every table of the snapshots at or before T (tables first backed up
// after T are noted).
std::vector<TableName> tables_to_restore(const RestoreRequest& r, const Timeline& tl, RestorePlan& plan) {
  if (r.scope != Scope::kDatabase) return {*r.table};
  std::vector<TableName> tables;
  std::set<std::string> seen;
  for (const auto* s : tl.before) {
    for (const auto& e : s->entries) {
      if (seen.insert(e.table.str()).second) tables.push_back(e.table);
    }
  }
  std::set<std::string> later_only;
  for (const auto* s : tl.after) {
    for (const auto& e : s->entries) {
      if (!seen.count(e.table.str()) && later_only.insert(e.table.str()).second) {
        plan.notes.push_back(fmt::format("table {} not restored: first backed up in '{}' ({}), after {}",
                                         e.table.str(), s->attempt.label.str(), s->point().to_iso8601_utc(),
                                         plan.point.to_iso8601_utc()));
      }
    }
  }
  return tables;
}

Status set_target_database(const RestoreRequest& r, RestorePlan& plan) {
  plan.target_database = r.database;
  if (r.into) {
    plan.target_database = *r.into;
  } else if (r.scope == Scope::kDatabase) {
    auto name = DatabaseName::parse(default_name(r.database.str(), plan.point, DatabaseName::kMaxBytes));
    if (!name) return std::unexpected(name.error());
    plan.target_database = *name;
  }
  plan.create_target_database = plan.target_database != r.database || !r.source_on_this_cluster;
  return {};
}

using Sources = std::map<std::string, ops::ManifestEntry>;  // partition → the entry it is restored from

// Why a table no snapshot at or before T holds is not restored.
std::string why_table_missing(const TableName& table, const Timeline& tl, Instant point) {
  for (const auto* s : tl.after) {
    if (holds_table(*s, table)) {
      return fmt::format("it was first backed up in '{}' at {}, after {} (created after that instant?)",
                         s->attempt.label.str(), s->point().to_iso8601_utc(), point.to_iso8601_utc());
    }
  }
  return "no snapshot holds it";
}

// Baseline: the index of the newest whole-table / whole-database snapshot holding the table; -1 when none.
std::ptrdiff_t baseline_index(const std::vector<const Snapshot*>& holding) {
  for (std::size_t i = holding.size(); i-- > 0;) {
    if (holding[i]->attempt.kind != ops::BackupKind::kPartitions) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

// Dropped before T: a whole-database snapshot after the table's last backup that does not hold it.
const Snapshot* dropped_in(const TableName& table, const Timeline& tl, const Snapshot& last_holding) {
  const Snapshot* found = nullptr;
  for (const auto* s : tl.before) {
    if (s->attempt.kind == ops::BackupKind::kDatabase && last_holding.point() < s->point() &&
        !holds_table(*s, table)) {
      found = s;
    }
  }
  return found;
}

// The newest entry per partition of the table, from its baseline on; nullopt (with a note) when the table is
// not restored.
std::optional<Sources> table_sources(const TableName& table, const Timeline& tl, RestorePlan& plan) {
  std::vector<const Snapshot*> holding;
  for (const auto* s : tl.before) {
    if (holds_table(*s, table)) holding.push_back(s);
  }
  if (holding.empty()) {
    plan.notes.push_back(
        fmt::format("table {} not restored: {}", table.str(), why_table_missing(table, tl, plan.point)));
    return std::nullopt;
  }
  std::ptrdiff_t base = baseline_index(holding);
  if (const Snapshot* dropped = dropped_in(table, tl, *holding.back())) {
    plan.notes.push_back(
        fmt::format("table {} not restored: absent from the database snapshot '{}' ({}), so it "
                    "was dropped before {}",
                    table.str(), dropped->attempt.label.str(), dropped->point().to_iso8601_utc(),
                    plan.point.to_iso8601_utc()));
    return std::nullopt;
  }
  if (base < 0) {
    plan.notes.push_back(
        fmt::format("table {}: no whole-table snapshot at or before {}; partitions come from "
                    "partition snapshots only",
                    table.str(), plan.point.to_iso8601_utc()));
    base = 0;
  }
  Sources source;
  for (std::size_t i = static_cast<std::size_t>(base); i < holding.size(); ++i) {
    for (const auto& e : holding[i]->entries) {
      if (e.table == table) source.insert_or_assign(e.partition.str(), e);
    }
  }
  return source;
}

// Why a requested partition no snapshot at or before T holds is not restored.
std::string why_partition_missing(const TableName& table, const PartitionName& p, const Timeline& tl,
                                  Instant point) {
  for (const auto* s : tl.after) {
    for (const auto& e : s->entries) {
      if (e.table == table && e.partition == p) {
        return fmt::format("it was first backed up in '{}' at {}, after {}", s->attempt.label.str(),
                           s->point().to_iso8601_utc(), point.to_iso8601_utc());
      }
    }
  }
  return "no snapshot holds it";
}

// Partition scope: keep only the requested partitions (the missing ones are noted).
void keep_requested(const RestoreRequest& r, const TableName& table, const Timeline& tl, Sources& source,
                    RestorePlan& plan) {
  Sources wanted;
  for (const auto& p : r.partitions) {
    auto it = source.find(p.str());
    if (it != source.end()) {
      wanted.insert(*it);
      continue;
    }
    plan.notes.push_back(fmt::format("partition {}.{} not restored: {}", table.str(), p.str(),
                                     why_partition_missing(table, p, tl, plan.point)));
  }
  source = std::move(wanted);
}

// Partitions dropped before T: absent from the newest partition set recorded at or before T.
void drop_dropped_partitions(const TableName& table, const Timeline& tl, Sources& source, RestorePlan& plan) {
  const auto& before = tl.before;
  std::map<std::string, std::size_t> position;  // attempt id → index in `before`
  for (std::size_t i = 0; i < before.size(); ++i) position[before[i]->attempt.attempt_id()] = i;
  for (std::size_t i = before.size(); i-- > 0;) {
    const auto set = std::find_if(before[i]->partition_sets.begin(), before[i]->partition_sets.end(),
                                  [&](const ops::PartitionSet& p) { return p.table == table; });
    if (set == before[i]->partition_sets.end()) continue;
    const std::set<std::string> present(set->partitions.begin(), set->partitions.end());
    for (auto it = source.begin(); it != source.end();) {
      if (present.count(it->first) || position[it->second.attempt_id] > i) {
        ++it;
        continue;
      }
      plan.notes.push_back(
          fmt::format("partition {}.{} not restored: dropped before {} (absent from the table's "
                      "partitions at '{}', {}; last backed up in '{}')",
                      table.str(), it->first, plan.point.to_iso8601_utc(), before[i]->attempt.label.str(),
                      before[i]->point().to_iso8601_utc(), it->second.label.str()));
      it = source.erase(it);
    }
    break;
  }
}

// The partitions of a partition restore, joined by '_' (part of the default names).
std::string partition_part(const RestoreRequest& r) {
  std::string part;
  if (r.scope == Scope::kPartition) {
    for (const auto& p : r.partitions) part += (part.empty() ? "" : "_") + p.str();
  }
  return part;
}

// A partition replace that keeps the old data copies the live partitions into `previous` first (issue 10 item 13:
// INSERT OVERWRITE drops them, where SWAP keeps the old table under the staging name).
Status set_previous(const RestoreRequest& r, RestorePlan& plan) {
  if (plan.final_action != FinalAction::kOverwritePartitions || r.drop_old) return {};
  for (auto& t : plan.targets) {
    auto name = TableName::parse(default_name(t.source.str(), r.now, TableName::kMaxBytes, partition_part(r),
                                              "replaced"));
    if (!name) return std::unexpected(name.error());
    t.previous = *name;
  }
  return {};
}

Status add_target(const RestoreRequest& r, const TableName& table, Sources source, RestorePlan& plan) {
  TargetTable target{table, plan.target_database, table, {}};
  if (r.as_name) {
    target.target = *r.as_name;
  } else if (plan.target_database == r.database && r.source_on_this_cluster) {
    auto name = TableName::parse(default_name(table.str(), plan.point, TableName::kMaxBytes, partition_part(r)));
    if (!name) return std::unexpected(name.error());
    target.target = *name;
  }
  for (auto& [_, e] : source) target.partitions.push_back(e);
  plan.targets.push_back(std::move(target));
  return {};
}

Status add_targets(const RestoreRequest& r, const std::vector<TableName>& tables, const Timeline& tl,
                   RestorePlan& plan) {
  for (const auto& table : tables) {
    auto source = table_sources(table, tl, plan);
    if (!source) continue;
    if (r.scope == Scope::kPartition) keep_requested(r, table, tl, *source, plan);
    drop_dropped_partitions(table, tl, *source, plan);
    if (source->empty()) continue;
    if (auto s = add_target(r, table, std::move(*source), plan); !s) return s;
  }
  return {};
}

std::unexpected<Error> nothing_to_restore(const RestoreRequest& r, const Timeline& tl,
                                          const RestorePlan& plan) {
  std::string why;
  for (const auto& n : plan.notes) why += "\n  " + n;
  if (tl.before.empty()) {
    why += fmt::format("\n  no FINISHED snapshot of database {} at or before {}", r.database.str(),
                       plan.point.to_iso8601_utc());
  }
  return sk::fail("restore.nothing", "nothing to restore as of {}:{}", plan.point.to_iso8601_utc(), why);
}

// One step per snapshot, in snapshot order.
void add_steps(const Timeline& tl, RestorePlan& plan) {
  for (const auto* s : tl.before) {
    RestoreStep step{s->attempt.label, s->attempt.repository, s->attempt.attempt_id(), s->point(),
                     s->attempt.backup_timestamp, {}, {}};
    for (const auto& t : plan.targets) {
      std::vector<PartitionName> parts;
      for (const auto& e : t.partitions) {
        if (e.attempt_id == step.attempt_id) parts.push_back(e.partition);
      }
      if (parts.empty()) continue;
      std::size_t held = 0;
      for (const auto& e : s->entries) held += e.table == t.source ? 1 : 0;
      // A whole-table snapshot restores the table without a PARTITION clause when every partition it holds is
      // wanted; partition snapshots always list their partitions.
      const bool whole = s->attempt.kind != ops::BackupKind::kPartitions && parts.size() == held;
      StepTable st{t.source, whole ? std::vector<PartitionName>{} : parts, t.target};
      step.tables.push_back(std::move(st));
    }
    if (!step.tables.empty()) plan.steps.push_back(std::move(step));
  }
}

// Tables dropped from the live database since T: noted, and --replace is refused (nothing to swap with).
Status check_live_tables(const RestoreRequest& r, RestorePlan& plan) {
  if (!r.live_tables) return {};
  for (const auto& t : plan.targets) {
    if (std::find(r.live_tables->begin(), r.live_tables->end(), t.source) != r.live_tables->end()) continue;
    if (r.replace) {
      return sk::fail(
          "restore.usage",
          "table {}.{} no longer exists, so there is nothing to replace: restore it without --replace "
          "(--as NAME) and rename it with ALTER TABLE ... RENAME",
          r.database.str(), t.source.str());
    }
    plan.notes.push_back(fmt::format("table {} was dropped since (not in {} now); restored as {}.{}",
                                     t.source.str(), r.database.str(), t.target_database.str(),
                                     t.target.str()));
  }
  return {};
}

}  // namespace

Result<RestorePlan> make_restore_plan(const RestoreRequest& request, const std::vector<Snapshot>& history) {
  const RestoreRequest& r = request;
  if (auto s = check_request(r); !s) return std::unexpected(s.error());
  RestorePlan plan{r, Instant{}, r.database};
  auto tl = split_at_point(r, candidate_snapshots(r, history), plan);
  if (!tl) return std::unexpected(tl.error());
  const std::vector<TableName> tables = tables_to_restore(r, *tl, plan);
  if (auto s = set_target_database(r, plan); !s) return std::unexpected(s.error());
  if (auto s = add_targets(r, tables, *tl, plan); !s) return std::unexpected(s.error());
  if (plan.targets.empty()) return nothing_to_restore(r, *tl, plan);
  add_steps(*tl, plan);
  if (auto s = check_live_tables(r, plan); !s) return std::unexpected(s.error());
  if (r.replace) {
    plan.final_action = r.scope == Scope::kPartition ? FinalAction::kOverwritePartitions : FinalAction::kSwapTable;
  }
  if (auto s = set_previous(r, plan); !s) return std::unexpected(s.error());
  if (auto s = check_live_untouched(plan); !s) return std::unexpected(s.error());
  return plan;
}

dialect::RestoreJobSpec step_spec(const RestorePlan& plan, const RestoreStep& step) {
  dialect::RestoreJobSpec spec{plan.request.database, plan.target_database, step.label, step.repository, {},
                               step.backup_timestamp, plan.request.replication_num, std::nullopt,
                               std::nullopt, plan.request.grammar};
  for (const auto& t : step.tables) {
    dialect::RestoreTable rt{t.source, t.partitions, std::nullopt};
    if (t.target != t.source) rt.alias = t.target;
    spec.tables.push_back(std::move(rt));
  }
  return spec;
}

std::vector<std::string> replace_statements(const RestorePlan& plan, const TargetTable& t) {
  std::vector<std::string> out;
  const DatabaseName& live_db = plan.request.database;
  if (plan.final_action == FinalAction::kSwapTable) {
    out.push_back(dialect::render_swap_table(live_db, t.source, t.target));
    if (plan.request.drop_old) out.push_back(dialect::render_drop_table(live_db, t.target));
  } else if (plan.final_action == FinalAction::kOverwritePartitions) {
    std::vector<PartitionName> partitions;
    for (const auto& e : t.partitions) partitions.push_back(e.partition);
    if (t.previous) {
      out.push_back(dialect::render_create_table_like(t.target_database, *t.previous, live_db, t.source));
      out.push_back(dialect::render_copy_partitions(t.target_database, *t.previous, live_db, t.source, partitions));
    }
    out.push_back(
        dialect::render_overwrite_partitions(live_db, t.source, partitions, t.target_database, t.target));
    if (plan.request.drop_old) out.push_back(dialect::render_drop_table(t.target_database, t.target));
  }
  return out;
}

std::vector<std::string> plan_statements(const RestorePlan& plan) {
  std::vector<std::string> out;
  if (plan.create_target_database) out.push_back(dialect::render_create_database_if_not_exists(plan.target_database));
  for (const auto& step : plan.steps) out.push_back(dialect::render_restore(step_spec(plan, step)));
  for (const auto& t : plan.targets) {
    for (auto& sql : replace_statements(plan, t)) out.push_back(std::move(sql));
  }
  return out;
}

Status check_live_untouched(const RestorePlan& plan) {
  if (!plan.request.source_on_this_cluster) return sk::ok();  // nothing of the source lives here
  for (const auto& step : plan.steps) {
    for (const auto& t : step.tables) {
      if (plan.target_database == plan.request.database && t.target == t.source) {
        return sk::fail("restore.usage", "step '{}' would restore into the live table {}.{}", step.label.str(),
                        plan.request.database.str(), t.source.str());
      }
    }
  }
  return sk::ok();
}

nlohmann::json plan_to_json(const RestorePlan& plan) {
  const RestoreRequest& r = plan.request;
  nlohmann::json j;
  j["restore_plan_version"] = 1;
  j["scope"] = std::string(to_string(r.scope));
  j["database"] = r.database.str();
  if (r.table) j["table"] = r.table->str();
  if (!r.partitions.empty()) {
    j["partitions"] = nlohmann::json::array();
    for (const auto& p : r.partitions) j["partitions"].push_back(p.str());
  }
  j["as_of"] = plan.point.to_iso8601_utc();
  if (r.snapshot) j["snapshot"] = r.snapshot->str();
  j["target_database"] = plan.target_database.str();
  j["create_target_database"] = plan.create_target_database;
  j["replace"] = r.replace;
  j["drop_old"] = r.drop_old;
  j["targets"] = nlohmann::json::array();
  for (const auto& t : plan.targets) {
    nlohmann::json tj{{"source", t.source.str()}, {"target_database", t.target_database.str()},
                      {"target", t.target.str()}, {"partitions", nlohmann::json::array()}};
    if (t.previous) tj["previous"] = t.previous->str();
    for (const auto& e : t.partitions) {
      tj["partitions"].push_back({{"partition", e.partition.str()},
                                  {"label", e.label.str()},
                                  {"visible_version", e.visible_version},
                                  {"checksum", e.checksum ? nlohmann::json(*e.checksum) : nlohmann::json()}});
    }
    j["targets"].push_back(std::move(tj));
  }
  j["steps"] = nlohmann::json::array();
  for (const auto& s : plan.steps) {
    nlohmann::json sj{{"label", s.label.str()},
                      {"repository", s.repository.str()},
                      {"snapshot_finished_at", s.point.to_iso8601_utc()},
                      {"backup_timestamp", s.backup_timestamp ? s.backup_timestamp->str() : ""},
                      {"sql", dialect::render_restore(step_spec(plan, s))},
                      {"tables", nlohmann::json::array()}};
    for (const auto& t : s.tables) {
      nlohmann::json tj{{"source", t.source.str()}, {"target", t.target.str()}, {"partitions", nlohmann::json::array()}};
      for (const auto& p : t.partitions) tj["partitions"].push_back(p.str());
      sj["tables"].push_back(std::move(tj));
    }
    j["steps"].push_back(std::move(sj));
  }
  j["statements"] = plan_statements(plan);
  j["notes"] = plan.notes;
  return j;
}

std::string plan_to_text(const RestorePlan& plan) {
  const RestoreRequest& r = plan.request;
  std::string what = r.database.str();
  if (r.table) what += "." + r.table->str();
  if (!r.partitions.empty()) {
    what += " partition";
    for (const auto& p : r.partitions) what += " " + p.str();
  }
  std::string out = fmt::format("Restore plan: {} {} as of {}{}\n", to_string(r.scope), what,
                                plan.point.to_iso8601_utc(),
                                r.snapshot ? " (snapshot '" + r.snapshot->str() + "')" : std::string());
  for (const auto& t : plan.targets) {
    out += fmt::format("  {} → {}.{} ({} partition(s))\n", t.source.str(), t.target_database.str(), t.target.str(),
                       t.partitions.size());
    for (const auto& e : t.partitions) {
      out += fmt::format("      {:<24} from '{}' (VisibleVersion {})\n", e.partition.str(), e.label.str(),
                         e.visible_version);
    }
  }
  out += fmt::format("Jobs ({}), each into the same staging object:\n", plan.steps.size());
  std::size_t i = 0;
  for (const auto& s : plan.steps) {
    out += fmt::format("  {}. '{}' finished {}, backup_timestamp {}\n", ++i, s.label.str(), s.point.to_iso8601_utc(),
                       s.backup_timestamp ? s.backup_timestamp->str() : dialect::kUnresolvedTimestamp);
  }
  out += "Statements:\n";
  for (const auto& sql : plan_statements(plan)) out += "  " + sql + ";\n";
  if (plan.final_action == FinalAction::kNone) {
    out += "Live tables are not touched (no --replace).\n";
  } else {
    out += "The live data is replaced only after verification passes.\n";
    for (const auto& t : plan.targets) {
      if (t.previous) {
        out += fmt::format("The replaced partitions of {} are kept in {}.{}.\n", t.source.str(),
                           t.target_database.str(), t.previous->str());
      }
    }
  }
  for (const auto& n : plan.notes) out += "Note: " + n + "\n";
  return out;
}

}  // namespace sk::restore
