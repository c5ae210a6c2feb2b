#include "kernel/dialect/ops_sql.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>

#include "common/utf8.h"
#include "kernel/dialect/starrocks_dialect.h"

namespace sk::ops::sql {
namespace {

constexpr std::string_view kCorrupt = "ops.corrupt";

bool parse_int(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string literal(std::string_view text) { return dialect::quote_string(text); }
std::string literal(std::int64_t value) { return std::to_string(value); }
std::string literal(bool value) { return value ? "TRUE" : "FALSE"; }

std::string literal(Instant value) {
  using namespace std::chrono;
  const sys_seconds tp{seconds(value.unix_seconds())};
  const sys_days day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{tp - day};
  return fmt::format("'{:04}-{:02}-{:02} {:02}:{:02}:{:02}'", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

std::string literal(const std::optional<std::string>& value) { return value ? literal(*value) : "NULL"; }
std::string literal(const std::optional<std::int64_t>& value) { return value ? literal(*value) : "NULL"; }
std::string literal(const std::optional<Instant>& value) { return value ? literal(*value) : "NULL"; }

Result<Instant> parse_datetime_utc(std::string_view text) {
  // YYYY-MM-DD HH:MM:SS[.ffffff]
  std::string_view t = text;
  if (const auto dot = t.find('.'); dot != std::string_view::npos) t = t.substr(0, dot);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const bool shape_ok = t.size() == 19 && t[4] == '-' && t[7] == '-' && (t[10] == ' ' || t[10] == 'T') &&
                        t[13] == ':' && t[16] == ':';
  if (!shape_ok || !parse_int(t.substr(0, 4), y) || !parse_int(t.substr(5, 2), mo) || !parse_int(t.substr(8, 2), d) ||
      !parse_int(t.substr(11, 2), h) || !parse_int(t.substr(14, 2), mi) || !parse_int(t.substr(17, 2), s)) {
    return fail(std::string(kCorrupt), "'{}' is not a DATETIME (YYYY-MM-DD HH:MM:SS)", text);
  }
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) {
    return fail(std::string(kCorrupt), "'{}' is not a valid DATETIME", text);
  }
  const auto since_epoch = sys_days(ymd).time_since_epoch() + hours(h) + minutes(mi) + seconds(s);
  return Instant::from_unix_seconds(duration_cast<seconds>(since_epoch).count());
}

Result<bool> parse_bool(std::string_view text) {
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "1" || lower == "true") return true;
  if (lower == "0" || lower == "false") return false;
  return fail(std::string(kCorrupt), "'{}' is not a boolean", text);
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) { return sk::truncate_utf8(text, max_bytes); }

std::vector<std::string> render_inserts(std::string_view qualified_table, const std::vector<std::string_view>& columns,
                                        const std::vector<std::vector<std::string>>& rows, std::size_t max_rows,
                                        std::size_t max_bytes) {
  std::string head = fmt::format("INSERT INTO {} (", qualified_table);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) head += ", ";
    head += dialect::quote_identifier(columns[i]);
  }
  head += ") VALUES ";

  std::vector<std::string> out;
  std::string current;
  std::size_t in_current = 0;
  for (const auto& row : rows) {
    std::string tuple = "(";
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) tuple += ", ";
      tuple += row[i];
    }
    tuple += ")";
    const bool full = in_current > 0 && (in_current >= max_rows || current.size() + 2 + tuple.size() > max_bytes);
    if (full) {
      out.push_back(std::move(current));
      current.clear();
      in_current = 0;
    }
    if (in_current == 0) {
      current = head;
    } else {
      current += ", ";
    }
    current += tuple;
    ++in_current;
  }
  if (in_current > 0) out.push_back(std::move(current));
  return out;
}

// ---- The tables as data ----

namespace {

std::string join_quoted(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += dialect::quote_identifier(names[i]);
  }
  return out;
}

std::string render_condition(const Condition& condition) {
  const std::string column = dialect::quote_identifier(condition.column);
  if (condition.values.size() == 1) return fmt::format("{} = {}", column, condition.values.front());
  std::string list;
  for (std::size_t i = 0; i < condition.values.size(); ++i) {
    if (i) list += ", ";
    list += condition.values[i];
  }
  return fmt::format("{} IN ({})", column, list);
}

}  // namespace

const ColumnSpec* find_column(const TableSpec& table, std::string_view name) {
  for (const auto& c : table.columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string_view> column_names(const TableSpec& table) {
  std::vector<std::string_view> out;
  out.reserve(table.columns.size());
  for (const auto& c : table.columns) out.push_back(c.name);
  return out;
}

// ---- DDL ----

std::string column_type_sql(const ColumnSpec& column) {
  switch (column.type) {
    case ColumnType::kInt:
      return "INT";
    case ColumnType::kBigInt:
      return "BIGINT";
    case ColumnType::kBoolean:
      return "BOOLEAN";
    case ColumnType::kDateTime:
      return "DATETIME";
    case ColumnType::kVarchar:
      return fmt::format("VARCHAR({})", column.length);
  }
  return "VARCHAR(1)";
}

std::string qualified_table(std::string_view database, std::string_view table) {
  return dialect::quote_identifier(database) + "." + dialect::quote_identifier(table);
}

std::string render_create_database(std::string_view database) {
  return fmt::format("CREATE DATABASE IF NOT EXISTS {}", dialect::quote_identifier(database));
}

std::string render_create_table(const TableSpec& table, std::string_view database, int replication_num) {
  std::string out = fmt::format("CREATE TABLE IF NOT EXISTS {} (", qualified_table(database, table.name));
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const auto& c = table.columns[i];
    if (i) out += ", ";
    out += fmt::format("{} {} {}", dialect::quote_identifier(c.name), column_type_sql(c),
                       c.nullable ? "NULL" : "NOT NULL");
  }
  out += fmt::format(") PRIMARY KEY ({}) DISTRIBUTED BY HASH({}) PROPERTIES ({} = {})",
                     join_quoted(table.primary_key), join_quoted(table.distribution),
                     dialect::quote_string("replication_num"),
                     dialect::quote_string(std::to_string(replication_num)));
  return out;
}

std::string render_add_columns(const TableSpec& table, std::string_view database,
                               const std::vector<std::string_view>& columns) {
  std::string out = fmt::format("ALTER TABLE {} ADD COLUMN (", qualified_table(database, table.name));
  bool first = true;
  for (const auto& c : table.columns) {
    if (std::find(columns.begin(), columns.end(), c.name) == columns.end()) continue;
    out +=
        fmt::format("{}{} {} NULL", first ? "" : ", ", dialect::quote_identifier(c.name), column_type_sql(c));
    first = false;
  }
  return out + ")";
}

std::string render_show_tables(std::string_view database) {
  return fmt::format("SHOW TABLES FROM {}", dialect::quote_identifier(database));
}

std::string render_show_databases_like(std::string_view database) {
  return fmt::format("SHOW DATABASES LIKE {}", dialect::quote_string(database));
}

// ---- DML ----

std::vector<std::string> render_upserts(const TableSpec& table, std::string_view database,
                                        const std::vector<std::vector<std::string>>& rows) {
  return render_inserts(qualified_table(database, table.name), column_names(table), rows);
}

std::string render_select(const TableSpec& table, std::string_view database, const Select& select) {
  std::string out =
      fmt::format("SELECT {} FROM {}", join_quoted(select.columns), qualified_table(database, table.name));
  for (std::size_t i = 0; i < select.where.size(); ++i) {
    out += i ? " AND " : " WHERE ";
    out += render_condition(select.where[i]);
  }
  for (std::size_t i = 0; i < select.order_by.size(); ++i) {
    out += i ? ", " : " ORDER BY ";
    out += dialect::quote_identifier(select.order_by[i].column);
    if (select.order_by[i].descending) out += " DESC";
  }
  return out;
}

std::string render_update(const TableSpec& table, std::string_view database,
                          const std::vector<Assignment>& assignments, const Condition& where) {
  std::string out = fmt::format("UPDATE {} SET ", qualified_table(database, table.name));
  for (std::size_t i = 0; i < assignments.size(); ++i) {
    if (i) out += ", ";
    out += fmt::format("{} = {}", dialect::quote_identifier(assignments[i].column), assignments[i].value);
  }
  return out + " WHERE " + render_condition(where);
}

std::string render_last_manifest_query(std::string_view ops_database, std::string_view database,
                                       std::string_view finished_state) {
  const auto q = [](std::string_view identifier) { return dialect::quote_identifier(identifier); };
  return fmt::format(
      "SELECT m.{table}, m.{partition}, m.{pid}, MAX(m.{version}) AS {version} FROM {manifest} AS m "
      "INNER JOIN {history} AS h ON m.{attempt} = h.{attempt} "
      "WHERE m.{db} = {db_value} AND h.{state} = {finished} "
      "GROUP BY m.{table}, m.{partition}, m.{pid} ORDER BY m.{table}, m.{partition}",
      fmt::arg("table", q("table_name")), fmt::arg("partition", q("partition_name")),
      fmt::arg("pid", q("partition_id")), fmt::arg("version", q("visible_version")),
      fmt::arg("manifest", qualified_table(ops_database, "backup_manifest")),
      fmt::arg("history", qualified_table(ops_database, "backup_history")),
      fmt::arg("attempt", q("attempt_id")), fmt::arg("db", q("database_name")),
      fmt::arg("db_value", literal(database)), fmt::arg("state", q("state")),
      fmt::arg("finished", literal(finished_state)));
}

}  // namespace sk::ops::sql
