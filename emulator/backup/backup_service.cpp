// BackupService: construction, statement dispatch and error wrapping; the shared helpers of the module.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "emulator/backup/service_impl.h"
#include "emulator/backup/statement_lexer.h"

namespace sk::emu::backup {

std::string status_text(std::string_view code, std::string_view msg) {
  return fmt::format("[{}, msg: {}]", code, msg);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

ResultSet make_result(const std::vector<std::string>& columns) {
  ResultSet rs;
  for (const std::string& c : columns) rs.columns.push_back(Column{c, ColumnType::kVarString});
  return rs;
}

bool same_column(const ColumnSchema& a, const ColumnSchema& b) {
  return a.name == b.name && a.type == b.type && a.nullable == b.nullable && a.is_key == b.is_key;
}

std::string describe_column(const ColumnSchema& c) {
  return fmt::format("{} {}{}{}", c.name, c.type, c.nullable ? " NULL" : " NOT NULL", c.is_key ? " KEY" : "");
}

std::string schema_difference(const TableSchema& existing, const TableSchema& snapshot) {
  if (existing.keys_type != snapshot.keys_type) return "key type";
  if (existing.columns.size() != snapshot.columns.size()) {
    return fmt::format("errMsg: column count {} in existed table is different from {} in backup snapshot",
                       existing.columns.size(), snapshot.columns.size());
  }
  for (size_t i = 0; i < existing.columns.size(); ++i) {
    if (!same_column(existing.columns[i], snapshot.columns[i])) {
      return fmt::format(
          "errMsg: column: {} in existed table is different from the column in backup snapshot, "
          "column: {}",
          describe_column(existing.columns[i]), describe_column(snapshot.columns[i]));
    }
  }
  if (existing.key_columns != snapshot.key_columns) {
    return fmt::format("errMsg: key columns [{}] in existed table are different from [{}] in backup snapshot",
                       join(existing.key_columns, ", "), join(snapshot.key_columns, ", "));
  }
  if (existing.partition_type != snapshot.partition_type ||
      existing.partition_columns != snapshot.partition_columns) {
    return fmt::format(
        "errMsg: partition info [{}({})] in existed table is different from [{}({})] in backup "
        "snapshot",
        existing.partition_type, join(existing.partition_columns, ", "), snapshot.partition_type,
        join(snapshot.partition_columns, ", "));
  }
  return {};
}

bool safe_name(std::string_view name) {
  return !name.empty() && name.find('/') == std::string_view::npos &&
         name.find('\\') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

// Orders partition bound values: numerically when both are integers, else as text (dates, datetimes).
int compare_value(const std::string& a, const std::string& b) {
  auto is_int = [](const std::string& v) {
    size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
    return i < v.size() && std::all_of(v.begin() + static_cast<std::ptrdiff_t>(i), v.end(),
                                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (is_int(a) && is_int(b) && a.size() < 19 && b.size() < 19) {
    long long x = std::stoll(a);
    long long y = std::stoll(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Compares bound tuples; an empty tuple is -infinity (lower) or +infinity (upper) as `empty_is_max` says.
int compare_bound(const std::vector<std::string>& a, bool a_max, const std::vector<std::string>& b,
                  bool b_max) {
  if (a.empty() || b.empty()) {
    if (a.empty() && b.empty()) return a_max == b_max ? 0 : (a_max ? 1 : -1);
    return a.empty() ? (a_max ? 1 : -1) : (b_max ? -1 : 1);
  }
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (int c = compare_value(a[i], b[i]); c != 0) return c;
  }
  return 0;
}

bool ranges_overlap(const PartitionSchema& x, const PartitionSchema& y) {
  return compare_bound(x.lower, false, y.upper, true) < 0 && compare_bound(y.lower, false, x.upper, true) < 0;
}

}  // namespace

std::string partition_conflict(const TableSchema& local, const TableSchema& snapshot, int replication_num) {
  bool range = local.partition_type == "RANGE";
  for (const PartitionSchema& p : snapshot.partitions) {
    auto it = std::find_if(local.partitions.begin(), local.partitions.end(),
                           [&](const PartitionSchema& e) { return e.name == p.name; });
    if (it != local.partitions.end()) {
      if (range && (it->lower != p.lower || it->upper != p.upper)) {
        return fmt::format("Partition {} in table {} has different range with partition in repository",
                           p.name, local.name);
      }
      if (it->replication_num != replication_num) {
        return fmt::format(
            "Partition {} in table {} has different replication num '{}' with partition in "
            "repository, which is {}",
            p.name, local.name, it->replication_num, replication_num);
      }
      continue;
    }
    if (!range && local.partition_type.empty()) {
      return fmt::format("No partition exist in single partitioned table {}", local.name);
    }
    if (range) {
      for (const PartitionSchema& e : local.partitions) {
        if (ranges_overlap(e, p)) {
          return fmt::format("Partition {} in table {} has conflict range with existing ranges", p.name,
                             local.name);
        }
      }
    }
  }
  return {};
}

}  // namespace sk::emu::backup

namespace sk::emu {

using namespace sk::emu::backup;  // NOLINT: implementation files of the backup module

BackupService::Impl::Impl(Catalog& catalog_ref, ClusterState& cluster_ref)
    : catalog(catalog_ref),
      cluster(cluster_ref),
      version(Version::parse(cluster_ref.config().starrocks_version)),
      clock(cluster_ref.config().time_zone) {
  std::random_device rd;
  cluster_id = std::to_string(1 + (rd() % 2000000000u));
  timer = std::thread([this] { timer_loop(); });
}

BackupService::Impl::~Impl() {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  timer.join();
}

ErrorResult BackupService::Impl::error(Origin origin, std::string message) const {
  ErrorResult e;
  e.code = config().error_code;
  e.sql_state = config().error_sql_state;
  switch (origin) {
    case Origin::kAnalyzer:
      e.message = fmt::format("Getting analyzing error. Detail message: {}.", message);
      break;
    case Origin::kDdl:
      e.message = (version.at_least(3, 0) && !version.at_least(3, 3)) ? "Unexpected exception: " + message
                                                                      : std::move(message);
      break;
    case Origin::kPlain:
      e.message = std::move(message);
      break;
  }
  return e;
}

std::optional<std::string> BackupService::Impl::time_or_null(
    const std::optional<SysClock::time_point>& t) const {
  if (!t) return std::nullopt;
  return clock.datetime(*t);
}

QueryResult BackupService::Impl::handle(const SessionContext& session, std::string_view sql,
                                        const Statement& stmt) {
  if (is_fault_statement(stmt)) {
    if (!config().faults_enabled) {
      // Without --enable-faults the statement does not exist, as on a real FE (same text as the engine's).
      std::vector<Token> tokens = tokenize(sql);
      const Token& t = tokens.size() > 1 ? tokens[1] : tokens[0];
      size_t line = 1;
      size_t col = 0;
      for (size_t i = 0; i < t.offset; ++i) {
        if (sql[i] == '\n') {
          ++line;
          col = 0;
        } else {
          ++col;
        }
      }
      return error(Origin::kPlain,
                   fmt::format("Getting syntax error at line {}, column {}. Detail message: "
                               "Unexpected input '{}', the most similar input is {{<EOF>, ';'}}.",
                               line, col, sql.substr(t.offset, t.text.size())));
    }
    if (const auto* f = std::get_if<ForeignBackupStmt>(&stmt)) return start_foreign_backup(*f);
    if (const auto* c = std::get_if<CorruptSnapshotStmt>(&stmt)) return corrupt_snapshot(*c);
    if (const auto* a = std::get_if<AdvanceClockStmt>(&stmt)) return advance_clock(*a);
    return apply_fault(stmt);
  }
  return std::visit(
      [&](const auto& s) -> QueryResult {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, CreateRepositoryStmt>)
          return create_repository(s);
        else if constexpr (std::is_same_v<T, DropRepositoryStmt>)
          return drop_repository(s);
        else if constexpr (std::is_same_v<T, ShowRepositoriesStmt>)
          return show_repositories();
        else if constexpr (std::is_same_v<T, ShowSnapshotStmt>)
          return show_snapshot(s);
        else if constexpr (std::is_same_v<T, BackupStmt>)
          return backup(session, s);
        else if constexpr (std::is_same_v<T, RestoreStmt>)
          return restore(session, s);
        else if constexpr (std::is_same_v<T, ShowJobStmt>)
          return show_jobs(session, s);
        else if constexpr (std::is_same_v<T, CancelJobStmt>)
          return cancel_job(session, s);
        else if constexpr (std::is_same_v<T, DropSnapshotStmt>)
          return drop_snapshot(s);
        else
          return error(Origin::kPlain, "unsupported statement");
      },
      stmt);
}

BackupService::BackupService(Catalog& catalog, ClusterState& cluster)
    : impl_(std::make_unique<Impl>(catalog, cluster)) {}

BackupService::~BackupService() = default;

void BackupService::set_drop_connections(std::function<void()> fn) {
  std::lock_guard lock(impl_->mu);
  impl_->drop_connections = std::move(fn);
}

std::optional<QueryResult> BackupService::try_handle(const SessionContext& session, std::string_view sql) {
  auto parsed = parse_statement(sql, impl_->version);
  if (!parsed) return std::nullopt;
  if (!*parsed) return impl_->error(Origin::kPlain, parsed->error());
  return impl_->handle(session, sql, **parsed);
}

}  // namespace sk::emu
