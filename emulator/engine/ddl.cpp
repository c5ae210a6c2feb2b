#include "emulator/engine/ddl.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

#include <fmt/format.h>

namespace sk::emu {

namespace {

bool is_integer_type(std::string_view base) {
  return base == "TINYINT" || base == "SMALLINT" || base == "INT" || base == "BIGINT" || base == "LARGEINT";
}

int64_t type_arg(std::string_view type, int which, int64_t fallback) {
  auto open = type.find('(');
  if (open == std::string_view::npos) return fallback;
  std::string_view args = type.substr(open + 1);
  for (int i = 0; i < which; ++i) {
    auto comma = args.find(',');
    if (comma == std::string_view::npos) return fallback;
    args = args.substr(comma + 1);
  }
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  int64_t v = fallback;
  std::from_chars(args.data(), args.data() + args.size(), v);
  return v;
}

const ColumnSchema* find_column(const TableSchema& t, std::string_view name) {
  for (const auto& c : t.columns) {
    if (iequals(c.name, name)) return &c;
  }
  return nullptr;
}

std::string column_type_of(const TableSchema& t, const std::string& col) {
  const ColumnSchema* c = find_column(t, col);
  return c ? c->type : std::string("VARCHAR(65533)");
}

// Compares two bound values of one column; integer types numerically, everything else as text (dates and
// datetimes are normalised to fixed-width text first).
int compare_value(std::string_view base, const std::string& a, const std::string& b) {
  if (is_integer_type(base)) {
    auto valid = [](const std::string& v) {
      size_t i = !v.empty() && (v[0] == '-' || v[0] == '+') ? 1 : 0;
      if (i >= v.size()) return false;
      for (; i < v.size(); ++i) {
        if (v[i] < '0' || v[i] > '9') return false;
      }
      return true;
    };
    if (valid(a) && valid(b)) {
      // Compare decimal integers of any width as text: sign, then magnitude length, then digits.
      auto split = [](const std::string& v) {
        bool neg = v[0] == '-';
        std::string mag = v.substr(v[0] == '-' || v[0] == '+' ? 1 : 0);
        mag.erase(0, std::min(mag.find_first_not_of('0'), mag.size() - 1));
        if (mag == "0") neg = false;
        return std::make_pair(neg, mag);
      };
      auto [na, ma] = split(a);
      auto [nb, mb] = split(b);
      if (na != nb) return na ? -1 : 1;
      int mag = ma.size() != mb.size() ? (ma.size() < mb.size() ? -1 : 1) : (ma < mb ? -1 : (ma > mb ? 1 : 0));
      return na ? -mag : mag;
    }
  }
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Tuple comparison of bounds; empty = -infinity when `empty_is_min`, +infinity otherwise.
int compare_bound(const TableSchema& t, const std::vector<std::string>& a, bool a_min,
                  const std::vector<std::string>& b, bool b_min) {
  if (a.empty() && b.empty()) return a_min == b_min ? 0 : (a_min ? -1 : 1);
  if (a.empty()) return a_min ? -1 : 1;
  if (b.empty()) return b_min ? 1 : -1;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    std::string base = i < t.partition_columns.size() ? base_type(column_type_of(t, t.partition_columns[i]))
                                                       : std::string("VARCHAR");
    int c = compare_value(base, a[i], b[i]);
    if (c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

std::string min_key(std::string_view base) {
  if (base == "DATE") return "0000-01-01";
  if (base == "DATETIME") return "0000-01-01 00:00:00";
  if (base == "TINYINT") return "-128";
  if (base == "SMALLINT") return "-32768";
  if (base == "INT") return "-2147483648";
  if (base == "BIGINT") return "-9223372036854775808";
  if (base == "LARGEINT") return "-170141183460469231731687303715884105728";
  return "";
}
std::string max_key(std::string_view base) {
  if (base == "DATE") return "9999-12-31";
  if (base == "DATETIME") return "9999-12-31 23:59:59";
  if (base == "TINYINT") return "127";
  if (base == "SMALLINT") return "32767";
  if (base == "INT") return "2147483647";
  if (base == "BIGINT") return "9223372036854775807";
  if (base == "LARGEINT") return "170141183460469231731687303715884105727";
  return "";
}

std::string range_key_text(const TableSchema& t, const std::vector<std::string>& values, bool is_min) {
  std::string types, keys;
  for (size_t i = 0; i < t.partition_columns.size(); ++i) {
    std::string base = base_type(column_type_of(t, t.partition_columns[i]));
    if (i) {
      types += ", ";
      keys += ", ";
    }
    types += base;
    keys += values.empty() ? (is_min ? min_key(base) : max_key(base)) : (i < values.size() ? values[i] : "");
  }
  return fmt::format("types: [{}]; keys: [{}]; ", types, keys);
}

std::string normalize_value(std::string_view base, std::string v) {
  if (base == "DATETIME" && v.size() == 10) v += " 00:00:00";
  return v;
}

bool digits_at(const std::string& v, std::initializer_list<size_t> positions) {
  for (size_t i : positions) {
    if (i >= v.size() || v[i] < '0' || v[i] > '9') return false;
  }
  return true;
}

// A bound value as a literal of the partition column's type, so that MariaDB compares without converting text
// on every row: integers unquoted, DATE'..' and TIMESTAMP'..' for dates, quoted text otherwise.
std::string typed_literal(const TableSchema& t, size_t column, const std::string& v) {
  std::string base = column < t.partition_columns.size() ? base_type(column_type_of(t, t.partition_columns[column]))
                                                         : std::string();
  if (is_integer_type(base)) {
    size_t i = !v.empty() && (v[0] == '-' || v[0] == '+') ? 1 : 0;
    bool ok = i < v.size();
    for (size_t j = i; j < v.size(); ++j) ok = ok && v[j] >= '0' && v[j] <= '9';
    if (ok) return v[0] == '+' ? v.substr(1) : v;
  }
  if (base == "DATE" && v.size() == 10 && v[4] == '-' && v[7] == '-' && digits_at(v, {0, 1, 2, 3, 5, 6, 8, 9})) {
    return "DATE" + quote_string(v);
  }
  if (base == "DATETIME" && v.size() == 19 && v[4] == '-' && v[7] == '-' && v[10] == ' ' && v[13] == ':' &&
      v[16] == ':' && digits_at(v, {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})) {
    return "TIMESTAMP" + quote_string(v);
  }
  return quote_string(v);
}

std::string tuple(const std::vector<std::string>& cols, std::string_view prefix) {
  if (cols.size() == 1) return std::string(prefix) + quote_ident(cols[0]);
  std::string out = "(";
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ", ";
    out += std::string(prefix) + quote_ident(cols[i]);
  }
  return out + ")";
}
std::string value_tuple(const TableSchema& t, const std::vector<std::string>& vals) {
  if (vals.size() == 1) return typed_literal(t, 0, vals[0]);
  std::string out = "(";
  for (size_t i = 0; i < vals.size(); ++i) {
    if (i) out += ", ";
    out += typed_literal(t, i, vals[i]);
  }
  return out + ")";
}

// ---- parsing helpers ----

Result<std::vector<std::string>> parse_name_list(std::string_view sql, TokenCursor& cur) {
  std::vector<std::string> out;
  if (!cur.accept_symbol("(")) return syntax_error(sql, cur);
  while (true) {
    auto n = cur.name();
    if (!n) return syntax_error(sql, cur);
    out.push_back(*n);
    if (cur.accept_symbol(",")) continue;
    if (cur.accept_symbol(")")) break;
    return syntax_error(sql, cur);
  }
  return out;
}

// A literal value in a partition bound: string, number, or signed number.
std::optional<std::string> parse_value(TokenCursor& cur) {
  if (cur.peek().kind == TokenKind::kString || cur.peek().kind == TokenKind::kNumber) return cur.next().value;
  if (cur.peek().is_symbol("-") && cur.peek(1).kind == TokenKind::kNumber) {
    cur.next();
    return "-" + cur.next().value;
  }
  return std::nullopt;
}

// ( v [, v]* )
Result<std::vector<std::string>> parse_value_tuple(std::string_view sql, TokenCursor& cur) {
  std::vector<std::string> out;
  if (!cur.accept_symbol("(")) return syntax_error(sql, cur);
  while (true) {
    auto v = parse_value(cur);
    if (!v) return syntax_error(sql, cur);
    out.push_back(*v);
    if (cur.accept_symbol(",")) continue;
    if (cur.accept_symbol(")")) break;
    return syntax_error(sql, cur);
  }
  return out;
}

Result<std::map<std::string, std::string>> parse_properties(std::string_view sql, TokenCursor& cur) {
  std::map<std::string, std::string> out;
  if (!cur.accept_symbol("(")) return syntax_error(sql, cur);
  if (cur.accept_symbol(")")) return out;
  while (true) {
    if (cur.peek().kind != TokenKind::kString) return syntax_error(sql, cur);
    std::string k = cur.next().value;
    if (!cur.accept_symbol("=")) return syntax_error(sql, cur);
    if (cur.peek().kind != TokenKind::kString) return syntax_error(sql, cur);
    out[k] = cur.next().value;
    if (cur.accept_symbol(",")) continue;
    if (cur.accept_symbol(")")) break;
    return syntax_error(sql, cur);
  }
  return out;
}

// Type text as written, including (args) and <nested> parts.
std::optional<std::string> parse_type_text(TokenCursor& cur) {
  if (cur.peek().kind != TokenKind::kWord) return std::nullopt;
  std::string text = to_upper(cur.next().text);
  if (cur.peek().is_symbol("<")) {
    int depth = 0;
    while (!cur.at_end()) {
      const Token& t = cur.next();
      text += t.kind == TokenKind::kWord ? to_upper(t.text) : t.text;
      if (t.is_symbol("<")) ++depth;
      if (t.is_symbol(">") && --depth == 0) break;
      if (t.is_symbol(">>")) {
        depth -= 2;
        if (depth <= 0) break;
      }
      if (t.is_symbol(",")) text += " ";
    }
    return text;
  }
  if (cur.peek().is_symbol("(")) {
    text += "(";
    cur.next();
    bool first = true;
    while (!cur.at_end() && !cur.peek().is_symbol(")")) {
      const Token& t = cur.next();
      if (t.is_symbol(",")) {
        text += ",";
        continue;
      }
      (void)first;
      text += t.text;
    }
    cur.accept_symbol(")");
    text += ")";
  }
  return text;
}

Result<ColumnSchema> parse_column(std::string_view sql, TokenCursor& cur, std::string& agg_type) {
  ColumnSchema c;
  auto n = cur.name();
  if (!n) return syntax_error(sql, cur);
  c.name = *n;
  size_t type_pos = cur.pos();
  auto written = parse_type_text(cur);
  if (!written) return syntax_error(sql, cur);
  auto type = normalize_type(*written);
  if (!type) {
    cur.set_pos(type_pos);
    return syntax_error(sql, cur);
  }
  c.type = *type;
  static const char* kAgg[] = {"SUM", "MAX", "MIN", "REPLACE", "REPLACE_IF_NOT_NULL", "HLL_UNION", "BITMAP_UNION",
                               "PERCENTILE_UNION"};
  while (!cur.at_end() && !cur.peek().is_symbol(",") && !cur.peek().is_symbol(")") && !cur.peek().is("AFTER") &&
         !cur.peek().is("FIRST")) {
    bool matched = false;
    for (const char* a : kAgg) {
      if (cur.peek().is(a)) {
        agg_type = a;
        cur.next();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (cur.accept_seq({"NOT", "NULL"})) {
      c.nullable = false;
    } else if (cur.accept("NULL")) {
      c.nullable = true;
    } else if (cur.accept("DEFAULT")) {
      if (cur.peek().kind == TokenKind::kString || cur.peek().kind == TokenKind::kNumber) {
        c.default_value = cur.next().value;
      } else if (cur.peek().is_symbol("-") && cur.peek(1).kind == TokenKind::kNumber) {
        cur.next();
        c.default_value = "-" + cur.next().value;
      } else if (cur.accept("CURRENT_TIMESTAMP")) {
        c.default_value = "CURRENT_TIMESTAMP";
        if (cur.peek().is_symbol("(")) cur.skip_group();
      } else if (cur.accept("NULL")) {
        c.default_value = std::nullopt;
      } else if (cur.peek().is_symbol("(")) {
        cur.skip_group();  // expression defaults such as (uuid()) are accepted and ignored
      } else {
        return syntax_error(sql, cur);
      }
    } else if (cur.accept("AUTO_INCREMENT")) {
      // accepted; MariaDB does not get it (StarRocks AUTO_INCREMENT ids are not contiguous anyway)
    } else if (cur.accept("COMMENT")) {
      if (cur.peek().kind != TokenKind::kString) return syntax_error(sql, cur);
      c.comment = cur.next().value;
    } else if (cur.accept("AS")) {
      // generated column: skip its expression
      if (cur.peek().is_symbol("(")) {
        cur.skip_group();
      } else {
        cur.next();
      }
    } else {
      return syntax_error(sql, cur);
    }
  }
  return c;
}

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

std::optional<int64_t> parse_int64(std::string_view text) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

bool parse_date(const std::string& s, int& y, unsigned& m, unsigned& d) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  auto yy = parse_int64(std::string_view(s).substr(0, 4));
  auto mm = parse_int64(std::string_view(s).substr(5, 2));
  auto dd = parse_int64(std::string_view(s).substr(8, 2));
  if (!yy || !mm || !dd || *mm < 1 || *mm > 12 || *dd < 1 || *dd > 31) return false;
  y = static_cast<int>(*yy);
  m = static_cast<unsigned>(*mm);
  d = static_cast<unsigned>(*dd);
  return true;
}

std::string date_text(int64_t days) {
  using namespace std::chrono;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

// The EVERY clause of a batch partition definition.
struct BatchEvery {
  int64_t step = 1;
  std::string unit;  // DAY, WEEK, MONTH, YEAR...; empty for an integer step
};

// EVERY (INTERVAL n UNIT | n), cursor at EVERY.
Result<BatchEvery> parse_every(std::string_view sql, TokenCursor& cur) {
  if (!cur.accept("EVERY")) return syntax_error(sql, cur);
  if (!cur.accept_symbol("(")) return syntax_error(sql, cur);
  BatchEvery every;
  if (cur.accept("INTERVAL")) {
    if (cur.peek().kind != TokenKind::kNumber) return syntax_error(sql, cur);
    auto n = parse_int64(cur.peek().text);
    if (!n) return syntax_error(sql, cur);
    cur.next();
    every.step = *n;
    if (cur.peek().kind != TokenKind::kWord) return syntax_error(sql, cur);
    every.unit = to_upper(cur.next().text);
  } else if (cur.peek().kind == TokenKind::kNumber && parse_int64(cur.peek().text)) {
    every.step = *parse_int64(cur.next().text);
  } else {
    return syntax_error(sql, cur);
  }
  if (!cur.accept_symbol(")")) return syntax_error(sql, cur);
  return every;
}

// Partitions p<v> of an integer column: [v, v + step) from `start` up to `end`.
Result<std::vector<PartitionDef>> integer_batch(const std::string& base, const std::string& start,
                                                const std::string& end, int64_t step) {
  if (!is_integer_type(base)) {
    return analysis_error("Batch build partition EVERY is date type but START or END does not type match");
  }
  auto pa = parse_int64(start), pb = parse_int64(end);
  if (!pa || !pb) return analysis_error("Batch build partition START and END must be integers for an integer column");
  int64_t a = *pa, b = *pb;
  if ((b - a) / step > 100000) return analysis_error("Too many partitions in batch build");
  std::vector<PartitionDef> out;
  for (int64_t v = a; v < b; v += step) {
    PartitionDef d;
    d.partition.name = fmt::format("p{}", v);
    d.partition.lower = {std::to_string(v)};
    d.partition.upper = {std::to_string(std::min(v + step, b))};
    out.push_back(std::move(d));
  }
  return out;
}

// One partition of a date batch: where the next one starts (days since the epoch) and this one's name.
struct DateBatchStep {
  int64_t next = 0;
  std::string name;
};

// The partition of a date batch that starts on day `from`, named the way StarRocks names it for the unit.
Result<DateBatchStep> date_batch_step(int64_t from, const BatchEvery& every) {
  using namespace std::chrono;
  const int64_t step = every.step;
  year_month_day ymd{sys_days{std::chrono::days{from}}};
  int yy = static_cast<int>(ymd.year());
  unsigned mm = static_cast<unsigned>(ymd.month()), dd = static_cast<unsigned>(ymd.day());
  if (every.unit == "DAY") return DateBatchStep{from + step, fmt::format("p{:04}{:02}{:02}", yy, mm, dd)};
  if (every.unit == "WEEK") {
    unsigned doy = static_cast<unsigned>(from - days_from_civil(yy, 1, 1));
    return DateBatchStep{from + 7 * step, fmt::format("p{:04}_{:02}", yy, doy / 7 + 1)};
  }
  if (every.unit == "MONTH") {
    int64_t total = static_cast<int64_t>(yy) * 12 + (mm - 1) + step;
    return DateBatchStep{days_from_civil(static_cast<int>(total / 12), static_cast<unsigned>(total % 12) + 1, 1),
                         fmt::format("p{:04}{:02}", yy, mm)};
  }
  if (every.unit == "YEAR") {
    return DateBatchStep{days_from_civil(yy + static_cast<int>(step), 1, 1), fmt::format("p{:04}", yy)};
  }
  return analysis_error(fmt::format("Batch build partition does not support time interval type: {}", every.unit));
}

// Partitions of a date column from `start` up to `end`, one per EVERY interval (at most 100000).
Result<std::vector<PartitionDef>> date_batch(const std::string& base, const std::string& start,
                                             const std::string& end, const BatchEvery& every) {
  int y1, y2;
  unsigned m1, d1, m2, d2;
  if (!parse_date(start, y1, m1, d1) || !parse_date(end, y2, m2, d2)) {
    return analysis_error("Batch build partition EVERY is date type but START or END does not type match");
  }
  int64_t a = days_from_civil(y1, m1, d1), b = days_from_civil(y2, m2, d2);
  auto fmt_bound = [&](int64_t days) { return normalize_value(base, date_text(days)); };
  std::vector<PartitionDef> out;
  int64_t cursor = a;
  int guard = 0;
  while (cursor < b && ++guard < 100000) {
    auto step = date_batch_step(cursor, every);
    if (!step) return std::unexpected(step.error());
    PartitionDef d;
    d.partition.name = step->name;
    d.partition.lower = {fmt_bound(cursor)};
    d.partition.upper = {fmt_bound(std::min(step->next, b))};
    out.push_back(std::move(d));
    cursor = step->next;
  }
  return out;
}

// START ("a") END ("b") EVERY (INTERVAL n UNIT | n)
Result<std::vector<PartitionDef>> parse_batch(std::string_view sql, TokenCursor& cur, const TableSchema& t) {
  auto start = parse_value_tuple(sql, cur);
  if (!start) return std::unexpected(start.error());
  if (!cur.accept("END")) return syntax_error(sql, cur);
  auto end = parse_value_tuple(sql, cur);
  if (!end) return std::unexpected(end.error());
  auto every = parse_every(sql, cur);
  if (!every) return std::unexpected(every.error());
  if (every->step <= 0) return analysis_error("Batch partition every interval must be positive");
  if (t.partition_columns.size() != 1) return analysis_error("Batch build partition only support single range column");
  std::string base = base_type(column_type_of(t, t.partition_columns[0]));
  if (every->unit.empty()) return integer_batch(base, (*start)[0], (*end)[0], every->step);
  return date_batch(base, (*start)[0], (*end)[0], *every);
}

}  // namespace

std::string syntax_error_text(std::string_view sql, size_t offset, std::string_view token_text) {
  size_t line = 1, col = 0;
  for (size_t i = 0; i < std::min(offset, sql.size()); ++i) {
    if (sql[i] == '\n') {
      ++line;
      col = 0;
    } else {
      ++col;
    }
  }
  if (offset >= sql.size()) {
    return fmt::format("Getting syntax error at line {}, column {}. Detail message: Unexpected input '<EOF>'.", line,
                       col);
  }
  return fmt::format(
      "Getting syntax error at line {}, column {}. Detail message: Unexpected input '{}', the most similar input is "
      "{{<EOF>, ';'}}.",
      line, col, token_text);
}

std::string analyzing_error_text(std::string_view detail) {
  return fmt::format("Getting analyzing error. Detail message: {}.", detail);
}

std::unexpected<Error> syntax_error(std::string_view sql, const TokenCursor& cur) {
  const Token& t = cur.peek();
  size_t off = cur.at_end() ? sql.size() : t.begin;
  return std::unexpected(Error{"emu.syntax", syntax_error_text(sql, off, t.text), {}});
}

std::unexpected<Error> analysis_error(std::string_view detail) {
  return std::unexpected(Error{"emu.analysis", analyzing_error_text(detail), {}});
}

std::vector<PartitionSchema> display_order(const TableSchema& t) {
  std::vector<PartitionSchema> out = t.partitions;
  if (t.partition_type == "RANGE") {
    std::stable_sort(out.begin(), out.end(), [&](const PartitionSchema& a, const PartitionSchema& b) {
      return compare_bound(t, a.lower, true, b.lower, true) < 0;
    });
  }
  return out;
}

std::string backquoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += quote_ident(names[i]);
  }
  return out;
}

std::string base_type(std::string_view type) {
  auto p = type.find_first_of("(<");
  return std::string(p == std::string_view::npos ? type : type.substr(0, p));
}

Result<std::string> normalize_type(std::string_view written) {
  std::string t = to_upper(written);
  std::string base = base_type(t);
  std::string rest = t.substr(base.size());
  auto bad = [&]() -> Result<std::string> {
    return analysis_error(fmt::format("Unsupported type '{}'", written));
  };
  if (base == "INTEGER") base = "INT";
  if (base == "BOOL") base = "BOOLEAN";
  if (base == "TINYINT" || base == "SMALLINT" || base == "INT" || base == "BIGINT" || base == "LARGEINT" ||
      base == "BOOLEAN" || base == "FLOAT" || base == "DOUBLE" || base == "DATE" || base == "JSON" ||
      base == "HLL" || base == "BITMAP" || base == "PERCENTILE") {
    return base;  // display widths such as INT(11) are dropped
  }
  if (base == "DATETIME" || base == "TIMESTAMP") return std::string("DATETIME");
  if (base == "STRING" || base == "TEXT") return std::string("VARCHAR(65533)");
  if (base == "VARCHAR") {
    int64_t len = type_arg(t, 0, 65533);
    if (rest.empty()) len = 65533;
    if (len < 1 || len > 1048576) return analysis_error("Varchar size must be between 1 and 1048576");
    return fmt::format("VARCHAR({})", len);
  }
  if (base == "CHAR") {
    int64_t len = rest.empty() ? 1 : type_arg(t, 0, 1);
    if (len < 1 || len > 255) return analysis_error("Char size must be between 1 and 255");
    return fmt::format("CHAR({})", len);
  }
  if (base == "DECIMAL" || base == "DECIMALV2" || base == "DECIMALV3" || base == "DECIMAL32" ||
      base == "DECIMAL64" || base == "DECIMAL128" || base == "NUMERIC") {
    int64_t p = rest.empty() ? 10 : type_arg(t, 0, 10);
    int64_t s = rest.empty() ? 0 : type_arg(t, 1, 0);
    if (p < 1 || p > 38 || s < 0 || s > p) {
      return analysis_error(fmt::format("DECIMAL's precision should range from 1 to 38, scale from 0 to precision"));
    }
    return fmt::format("DECIMAL({},{})", p, s);
  }
  if (base == "VARBINARY" || base == "BINARY") return base;
  if (base == "ARRAY" || base == "MAP" || base == "STRUCT") return t;
  return bad();
}

std::string mariadb_type(const ColumnSchema& c, bool in_key) {
  std::string base = base_type(c.type);
  if (base == "LARGEINT") return "DECIMAL(39,0)";
  if (base == "BOOLEAN") return "BOOLEAN";
  if (base == "DECIMAL") return c.type;
  if (base == "VARCHAR") {
    int64_t len = type_arg(c.type, 0, 65533);
    if (len <= (in_key ? 768 : 255)) return c.type;
    if (len <= 16383) return "TEXT";
    return "MEDIUMTEXT";
  }
  if (base == "JSON") return "JSON";
  if (base == "HLL" || base == "BITMAP" || base == "PERCENTILE" || base == "VARBINARY" || base == "BINARY") {
    return "LONGBLOB";
  }
  if (base == "ARRAY" || base == "MAP" || base == "STRUCT") return "LONGTEXT";
  return c.type;  // TINYINT..BIGINT, FLOAT, DOUBLE, DATE, DATETIME, CHAR(n)
}

Result<ColumnSchema> parse_column_def(std::string_view sql, TokenCursor& cur) {
  std::string agg;
  auto c = parse_column(sql, cur, agg);
  if (!c) return c;
  if (!agg.empty()) return analysis_error("Aggregate columns can only be added to Aggregate Key tables");
  return c;
}

Result<std::vector<PartitionDef>> parse_partition_defs(std::string_view sql, TokenCursor& cur,
                                                       const TableSchema& table, bool single) {
  std::vector<PartitionDef> out;
  if (cur.accept("START")) return parse_batch(sql, cur, table);
  if (!cur.accept("PARTITION")) return syntax_error(sql, cur);
  PartitionDef d;
  if (cur.accept_seq({"IF", "NOT", "EXISTS"})) d.if_not_exists = true;
  auto name = cur.name();
  if (!name) return syntax_error(sql, cur);
  d.partition.name = *name;
  if (!cur.accept("VALUES")) return syntax_error(sql, cur);
  if (cur.accept_seq({"LESS", "THAN"})) {
    if (table.partition_type != "RANGE") return analysis_error("Only support adding range partition to range table");
    d.less_than = true;
    if (cur.accept("MAXVALUE")) {
      d.partition.upper = {};
    } else if (cur.peek().is_symbol("(") && cur.peek(1).is("MAXVALUE")) {
      cur.next();
      cur.next();
      if (!cur.accept_symbol(")")) return syntax_error(sql, cur);
    } else {
      auto v = parse_value_tuple(sql, cur);
      if (!v) return std::unexpected(v.error());
      d.partition.upper = *v;
    }
  } else if (cur.accept_symbol("[")) {
    if (table.partition_type != "RANGE") return analysis_error("Only support adding range partition to range table");
    auto lo = parse_value_tuple(sql, cur);
    if (!lo) return std::unexpected(lo.error());
    if (!cur.accept_symbol(",")) return syntax_error(sql, cur);
    auto hi = parse_value_tuple(sql, cur);
    if (!hi) return std::unexpected(hi.error());
    if (!cur.accept_symbol(")")) return syntax_error(sql, cur);
    d.partition.lower = *lo;
    d.partition.upper = *hi;
  } else if (cur.accept("IN")) {
    if (table.partition_type != "LIST") return analysis_error("Only support adding list partition to list table");
    if (!cur.accept_symbol("(")) return syntax_error(sql, cur);
    while (true) {
      if (cur.peek().is_symbol("(")) {
        auto v = parse_value_tuple(sql, cur);
        if (!v) return std::unexpected(v.error());
        d.partition.list_values.push_back(*v);
      } else {
        auto v = parse_value(cur);
        if (!v) return syntax_error(sql, cur);
        d.partition.list_values.push_back({*v});
      }
      if (cur.accept_symbol(",")) continue;
      if (cur.accept_symbol(")")) break;
      return syntax_error(sql, cur);
    }
  } else {
    return syntax_error(sql, cur);
  }
  // Per-partition properties: ("replication_num" = "1")
  if (cur.peek().is_symbol("(") && cur.peek(1).kind == TokenKind::kString) {
    auto props = parse_properties(sql, cur);
    if (!props) return std::unexpected(props.error());
    if (auto it = props->find("replication_num"); it != props->end()) {
      d.partition.replication_num = std::atoi(it->second.c_str());
    }
  }
  (void)single;
  out.push_back(std::move(d));
  return out;
}

Status add_partitions(TableSchema& table, std::vector<PartitionDef> defs) {
  for (auto& d : defs) {
    PartitionSchema& p = d.partition;
    for (const auto& existing : table.partitions) {
      if (iequals(existing.name, p.name)) {
        if (d.if_not_exists) goto next_def;
        return analysis_error(fmt::format("Duplicate partition name {}", p.name));
      }
    }
    if (table.partition_type == "RANGE") {
      size_t ncols = table.partition_columns.size();
      if ((!p.upper.empty() && p.upper.size() != ncols) || (!p.lower.empty() && p.lower.size() > ncols)) {
        return analysis_error("Partition values number is more than partition column number");
      }
      for (size_t i = 0; i < p.upper.size(); ++i) {
        p.upper[i] = normalize_value(base_type(column_type_of(table, table.partition_columns[i])), p.upper[i]);
      }
      for (size_t i = 0; i < p.lower.size(); ++i) {
        p.lower[i] = normalize_value(base_type(column_type_of(table, table.partition_columns[i])), p.lower[i]);
      }
      // SHOW CREATE TABLE prints MINVALUE as the type's minimum; read it back as MINVALUE.
      if (ncols == 1 && p.lower.size() == 1 &&
          p.lower[0] == min_key(base_type(column_type_of(table, table.partition_columns[0])))) {
        p.lower.clear();
      }
      if (ncols == 1 && p.upper.size() == 1 &&
          p.upper[0] == max_key(base_type(column_type_of(table, table.partition_columns[0])))) {
        p.upper.clear();
      }
      if (d.less_than) {
        // Lower bound: the greatest existing upper bound below this one.
        p.lower.clear();
        for (const auto& e : table.partitions) {
          if (e.upper.empty()) continue;
          if (compare_bound(table, e.upper, false, p.upper, false) < 0 &&
              (p.lower.empty() || compare_bound(table, e.upper, false, p.lower, true) > 0)) {
            p.lower = e.upper;
          }
        }
      }
      if (compare_bound(table, p.lower, true, p.upper, false) >= 0) {
        return analysis_error(fmt::format("Range {} is empty", p.name));
      }
      p.range = "[" + range_key_text(table, p.lower, true) + ".." + range_key_text(table, p.upper, false) + ")";
      for (const auto& e : table.partitions) {
        bool overlap = compare_bound(table, p.lower, true, e.upper, false) < 0 &&
                       compare_bound(table, e.lower, true, p.upper, false) < 0;
        if (overlap) return analysis_error(fmt::format("Range {} is intersected with range: {}", p.range, e.range));
      }
    } else if (table.partition_type == "LIST") {
      std::string text = "(";
      for (size_t i = 0; i < p.list_values.size(); ++i) {
        if (p.list_values[i].size() != table.partition_columns.size()) {
          return analysis_error("Partition values number is not equal to partition column number");
        }
        for (const auto& e : table.partitions) {
          for (const auto& ev : e.list_values) {
            if (ev == p.list_values[i]) {
              return analysis_error(fmt::format("Duplicate values ({}) in partition {}", fmt::join(ev, ", "), e.name));
            }
          }
        }
        if (i) text += ", ";
        text += "(";
        for (size_t j = 0; j < p.list_values[i].size(); ++j) {
          if (j) text += ", ";
          text += "'" + p.list_values[i][j] + "'";
        }
        text += ")";
      }
      p.range = text + ")";
    }
    table.partitions.push_back(p);
  next_def:;
  }
  return ok();
}

namespace {

// CREATE TABLE [IF NOT EXISTS] `db`.`t`: the statement up to the table name.
Status parse_create_head(std::string_view sql, TokenCursor& cur, CreateTableStmt& st) {
  TableSchema& t = st.schema;
  if (!cur.accept("CREATE")) return syntax_error(sql, cur);
  if (cur.peek().is("EXTERNAL") || cur.peek().is("TEMPORARY")) {
    return analysis_error(fmt::format("{} tables are not supported by the emulator", to_upper(cur.peek().text)));
  }
  if (!cur.accept("TABLE")) return syntax_error(sql, cur);
  if (cur.accept_seq({"IF", "NOT", "EXISTS"})) st.if_not_exists = true;
  auto qn = cur.qualified_name();
  if (!qn) return syntax_error(sql, cur);
  t.database = qn->first;
  t.name = qn->second;
  if (t.name.size() > 64) return analysis_error(fmt::format("Incorrect table name '{}'", t.name));
  return ok();
}

// INDEX ... up to the next top-level comma or closing parenthesis: indexes are accepted and ignored.
void skip_index_definition(TokenCursor& cur) {
  while (!cur.at_end() && !cur.peek().is_symbol(",") && !cur.peek().is_symbol(")")) {
    if (cur.peek().is_symbol("(")) {
      cur.skip_group();
    } else {
      cur.next();
    }
  }
}

// The optional (column, ..., INDEX ...) list; the aggregate type of each value column goes to `agg_types`.
Status parse_column_list(std::string_view sql, TokenCursor& cur, TableSchema& t,
                         std::map<std::string, std::string>& agg_types) {
  if (!cur.accept_symbol("(")) return ok();
  while (true) {
    if (cur.peek().is("INDEX")) {
      skip_index_definition(cur);
    } else {
      std::string agg;
      auto col = parse_column(sql, cur, agg);
      if (!col) return std::unexpected(col.error());
      for (const auto& c : t.columns) {
        if (iequals(c.name, col->name))
          return analysis_error(fmt::format("Duplicate column name '{}'", c.name));
      }
      if (!agg.empty()) agg_types[col->name] = agg;
      t.columns.push_back(*col);
    }
    if (cur.accept_symbol(",")) continue;
    if (cur.accept_symbol(")")) return ok();
    return syntax_error(sql, cur);
  }
}

// The PARTITION BY clause: whether there was one, and its partition definitions.
struct PartitionClause {
  bool present = false;
  std::vector<PartitionDef> defs;
};

// After PARTITION BY: RANGE|LIST (columns) (definitions).
Status parse_partition_by(std::string_view sql, TokenCursor& cur, TableSchema& t, PartitionClause& out) {
  if (cur.accept("RANGE")) {
    t.partition_type = "RANGE";
  } else if (cur.accept("LIST")) {
    t.partition_type = "LIST";
  } else {
    return analysis_error("Expression partitioning is not supported by the emulator; use RANGE or LIST");
  }
  auto cols = parse_name_list(sql, cur);
  if (!cols) return std::unexpected(cols.error());
  t.partition_columns = *cols;
  if (!cur.accept_symbol("(")) return syntax_error(sql, cur);
  out.present = true;
  if (cur.peek().is_symbol(")")) {
    cur.next();
    return ok();
  }
  while (true) {
    // Partition bounds need the column types, which are known by now.
    auto more = parse_partition_defs(sql, cur, t, false);
    if (!more) return std::unexpected(more.error());
    for (auto& d : *more) out.defs.push_back(std::move(d));
    if (cur.accept_symbol(",")) continue;
    if (cur.accept_symbol(")")) return ok();
    return syntax_error(sql, cur);
  }
}

// After DISTRIBUTED BY: HASH(columns)|RANDOM [BUCKETS n].
Status parse_distributed_by(std::string_view sql, TokenCursor& cur, TableSchema& t) {
  if (cur.accept("HASH")) {
    auto cols = parse_name_list(sql, cur);
    if (!cols) return std::unexpected(cols.error());
    t.distribution_columns = *cols;
  } else if (!cur.accept("RANDOM")) {
    return syntax_error(sql, cur);
  }
  if (cur.accept("BUCKETS")) {
    if (cur.peek().kind != TokenKind::kNumber) return syntax_error(sql, cur);
    t.buckets = std::atoi(cur.next().text.c_str());
    if (t.buckets <= 0) return analysis_error("Number of hash distribution should be greater than zero");
  }
  return ok();
}

bool at_keys_clause(const TokenCursor& cur) {
  return cur.peek(1).is("KEY") && (cur.peek().is("DUPLICATE") || cur.peek().is("PRIMARY") ||
                                   cur.peek().is("UNIQUE") || cur.peek().is("AGGREGATE"));
}

// DUPLICATE|PRIMARY|UNIQUE|AGGREGATE KEY (columns).
Status parse_keys_clause(std::string_view sql, TokenCursor& cur, TableSchema& t) {
  std::string k = to_upper(cur.next().text);
  cur.next();
  t.keys_type = k == "DUPLICATE" ? "DUP_KEYS"
                : k == "PRIMARY" ? "PRI_KEYS"
                : k == "UNIQUE"  ? "UNQ_KEYS"
                                 : "AGG_KEYS";
  auto cols = parse_name_list(sql, cur);
  if (!cols) return std::unexpected(cols.error());
  t.key_columns = *cols;
  return ok();
}

// One clause after the column list (ENGINE, keys, COMMENT, PARTITION BY, DISTRIBUTED BY, ORDER BY, ROLLUP,
// PROPERTIES, AS SELECT).
Status parse_table_clause(std::string_view sql, TokenCursor& cur, CreateTableStmt& st,
                          PartitionClause& partitions) {
  TableSchema& t = st.schema;
  if (cur.accept("ENGINE")) {
    cur.accept_symbol("=");
    auto e = cur.name();
    if (!e || !iequals(*e, "OLAP")) {
      return analysis_error(fmt::format("Unknown engine name: {}", e ? *e : std::string()));
    }
  } else if (at_keys_clause(cur)) {
    return parse_keys_clause(sql, cur, t);
  } else if (cur.accept("COMMENT")) {
    cur.accept_symbol("=");
    if (cur.peek().kind != TokenKind::kString) return syntax_error(sql, cur);
    t.comment = cur.next().value;
  } else if (cur.accept_seq({"PARTITION", "BY"})) {
    return parse_partition_by(sql, cur, t, partitions);
  } else if (cur.accept_seq({"DISTRIBUTED", "BY"})) {
    return parse_distributed_by(sql, cur, t);
  } else if (cur.accept_seq({"ORDER", "BY"})) {
    auto cols = parse_name_list(sql, cur);
    if (!cols) return std::unexpected(cols.error());
    t.sort_columns = *cols;
  } else if (cur.accept("ROLLUP")) {
    cur.skip_group();
  } else if (cur.accept("PROPERTIES")) {
    auto props = parse_properties(sql, cur);
    if (!props) return std::unexpected(props.error());
    t.properties = *props;
  } else if (cur.peek().is("AS")) {
    cur.next();
    st.as_select = std::string(sql.substr(cur.peek().begin));
    while (!cur.at_end()) cur.next();
  } else {
    return syntax_error(sql, cur);
  }
  return ok();
}

// Keys: the default (DUPLICATE KEY on the first column, or AGGREGATE KEY on the columns without an aggregate
// type), then StarRocks' checks: an ordered prefix of the schema, no FLOAT/DOUBLE, every value column of an
// aggregate table aggregated. Primary-key columns become NOT NULL.
Status settle_keys(TableSchema& t, const std::map<std::string, std::string>& agg_types) {
  if (t.keys_type.empty()) {
    t.keys_type = agg_types.empty() ? "DUP_KEYS" : "AGG_KEYS";
    if (agg_types.empty()) {
      t.key_columns = {t.columns[0].name};
    } else {
      for (const auto& c : t.columns) {
        if (!agg_types.contains(c.name)) t.key_columns.push_back(c.name);
      }
    }
  }
  if (t.key_columns.size() > t.columns.size()) return analysis_error("Key columns should be a ordered prefix of the schema");
  for (size_t i = 0; i < t.key_columns.size(); ++i) {
    if (!find_column(t, t.key_columns[i])) {
      return analysis_error(fmt::format("Key column '{}' does not exist", t.key_columns[i]));
    }
    if (!iequals(t.columns[i].name, t.key_columns[i])) {
      return analysis_error("Key columns should be a ordered prefix of the schema");
    }
    t.key_columns[i] = t.columns[i].name;
    t.columns[i].is_key = true;
    std::string base = base_type(t.columns[i].type);
    if (base == "FLOAT" || base == "DOUBLE") {
      return analysis_error("Float or double can not used as a key, use decimal instead");
    }
    if (t.keys_type == "PRI_KEYS") t.columns[i].nullable = false;
  }
  if (t.keys_type == "AGG_KEYS") {
    for (size_t i = t.key_columns.size(); i < t.columns.size(); ++i) {
      if (!agg_types.contains(t.columns[i].name)) {
        return analysis_error(fmt::format("Aggregate type of value column '{}' is not specified", t.columns[i].name));
      }
    }
  }
  return ok();
}

// Distribution, partition and sort columns must exist; they take the schema's spelling. A table without a
// distribution clause gets HASH on its keys (RANDOM is for Duplicate Key tables only).
Status resolve_clause_columns(std::string_view sql, TableSchema& t) {
  for (auto& c : t.distribution_columns) {
    const ColumnSchema* col = find_column(t, c);
    if (!col) return analysis_error(fmt::format("Distribution column({}) doesn't exist", c));
    c = col->name;
  }
  if (t.distribution_columns.empty() && t.keys_type != "DUP_KEYS" && !t.key_columns.empty()) {
    // StarRocks only allows RANDOM for Duplicate Key tables; default HASH on the keys otherwise.
    bool explicit_random = sql.find("RANDOM") != std::string_view::npos || sql.find("random") != std::string_view::npos;
    if (explicit_random) return analysis_error("Random distribution is only supported for Duplicate Key tables");
    t.distribution_columns = t.key_columns;
  }
  for (auto& c : t.partition_columns) {
    const ColumnSchema* col = find_column(t, c);
    if (!col) return analysis_error(fmt::format("Partition column[{}] does not exist in column list", c));
    c = col->name;
    if ((t.keys_type == "PRI_KEYS" || t.keys_type == "UNQ_KEYS" || t.keys_type == "AGG_KEYS") && !col->is_key) {
      return analysis_error(fmt::format("The partition column could not be aggregated column: {}", c));
    }
  }
  for (auto& c : t.sort_columns) {
    const ColumnSchema* col = find_column(t, c);
    if (!col) return analysis_error(fmt::format("Unknown column '{}' in order by clause", c));
    c = col->name;
  }
  return ok();
}

// The partitions: the defined ones, or one named after an unpartitioned table; replication_num from
// PROPERTIES.
Status settle_partitions(TableSchema& t, PartitionClause partitions) {
  if (partitions.present) {
    // Re-parse is not needed: defs were parsed with the final column types.
    if (auto s = add_partitions(t, std::move(partitions.defs)); !s) return std::unexpected(s.error());
  } else {
    PartitionSchema p;
    p.name = t.name;
    t.partitions.push_back(p);
  }
  int rep = 3;
  if (auto it = t.properties.find("replication_num"); it != t.properties.end()) {
    rep = std::atoi(it->second.c_str());
    if (rep <= 0) return analysis_error("Replication num should larger than 0");
  }
  for (auto& p : t.partitions) {
    if (p.replication_num == 3) p.replication_num = rep;
  }
  return ok();
}

}  // namespace

Result<CreateTableStmt> parse_create_table(std::string_view sql) {
  auto tokens = tokenize(sql);
  TokenCursor cur(tokens);
  CreateTableStmt st;
  TableSchema& t = st.schema;
  if (auto s = parse_create_head(sql, cur, st); !s) return std::unexpected(s.error());
  if (cur.accept("LIKE")) {
    auto src = cur.qualified_name();
    if (!src) return syntax_error(sql, cur);
    st.like = *src;
    if (!cur.at_end() && !cur.peek().is_symbol(";")) return syntax_error(sql, cur);
    return st;
  }
  std::map<std::string, std::string> agg_types;
  if (auto s = parse_column_list(sql, cur, t, agg_types); !s) return std::unexpected(s.error());
  PartitionClause partitions;
  while (!cur.at_end() && !cur.peek().is_symbol(";")) {
    if (auto s = parse_table_clause(sql, cur, st, partitions); !s) return std::unexpected(s.error());
  }
  if (t.columns.empty() && st.as_select.empty()) return syntax_error(sql, cur);
  if (!st.as_select.empty()) return st;  // CTAS: keys and columns are settled by the engine after the query
  if (auto s = settle_keys(t, agg_types); !s) return std::unexpected(s.error());
  if (auto s = resolve_clause_columns(sql, t); !s) return std::unexpected(s.error());
  if (auto s = settle_partitions(t, std::move(partitions)); !s) return std::unexpected(s.error());
  return st;
}

std::string render_mariadb_create(const TableSchema& t) {
  std::string out = fmt::format("CREATE TABLE {}.{} (\n", quote_ident(t.database), quote_ident(t.name));
  bool unique = t.keys_type == "PRI_KEYS" || t.keys_type == "UNQ_KEYS";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    out += fmt::format("  {} {}{}", quote_ident(c.name), mariadb_type(c, c.is_key && unique),
                       c.nullable ? " NULL" : " NOT NULL");
    if (c.default_value) {
      if (*c.default_value == "CURRENT_TIMESTAMP") {
        out += " DEFAULT CURRENT_TIMESTAMP";
      } else {
        out += " DEFAULT " + quote_string(*c.default_value);
      }
    }
    if (!c.comment.empty()) out += " COMMENT " + quote_string(c.comment);
    out += ",\n";
  }
  out += "  " + render_pid_column(t) + ",\n";
  out += fmt::format("  CONSTRAINT {} CHECK ({} IS NOT NULL){}\n", quote_ident(kRangeConstraint),
                     quote_ident(kPartitionIdColumn), unique ? "," : "");
  if (unique) {
    std::string keys;
    for (size_t i = 0; i < t.key_columns.size(); ++i) {
      if (i) keys += ", ";
      keys += quote_ident(t.key_columns[i]);
      const ColumnSchema* c = find_column(t, t.key_columns[i]);
      std::string mt = c ? mariadb_type(*c, true) : "";
      if (mt == "TEXT" || mt == "MEDIUMTEXT" || mt == "LONGTEXT" || mt == "LONGBLOB" || mt == "JSON") keys += "(255)";
    }
    out += "  PRIMARY KEY (" + keys + ")\n";
  }
  out += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  return out;
}

namespace {

std::string display_type(const std::string& type) {
  std::string base = base_type(type);
  if (base == "TINYINT") return "tinyint(4)";
  if (base == "SMALLINT") return "smallint(6)";
  if (base == "INT") return "int(11)";
  if (base == "BIGINT") return "bigint(20)";
  if (base == "LARGEINT") return "largeint(40)";
  if (base == "DECIMAL") {
    return fmt::format("decimal({}, {})", type_arg(type, 0, 10), type_arg(type, 1, 0));
  }
  return to_lower(type);
}

std::string bound_list(const std::vector<std::string>& v) {
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += "\"" + v[i] + "\"";
  }
  return out + ")";
}

}  // namespace

std::string render_starrocks_create(const TableSchema& t) {
  std::string out = fmt::format("CREATE TABLE {} (\n", quote_ident(t.name));
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    out += fmt::format("  {} {} {}", quote_ident(c.name), display_type(c.type), c.nullable ? "NULL" : "NOT NULL");
    if (c.default_value) {
      out += *c.default_value == "CURRENT_TIMESTAMP" ? " DEFAULT CURRENT_TIMESTAMP"
                                                     : fmt::format(" DEFAULT \"{}\"", *c.default_value);
    }
    out += fmt::format(" COMMENT \"{}\"", c.comment);
    out += i + 1 < t.columns.size() ? ",\n" : "\n";
  }
  std::string kw = t.keys_type == "PRI_KEYS"   ? "PRIMARY"
                   : t.keys_type == "UNQ_KEYS" ? "UNIQUE"
                   : t.keys_type == "AGG_KEYS" ? "AGGREGATE"
                                               : "DUPLICATE";
  out += ") ENGINE=OLAP \n";
  out += fmt::format("{} KEY({})\n", kw, backquoted_list(t.key_columns));
  out += fmt::format("COMMENT \"{}\"\n", t.comment.empty() ? "OLAP" : t.comment);
  if (!t.partition_type.empty()) {
    out += fmt::format("PARTITION BY {}({})\n(", t.partition_type, backquoted_list(t.partition_columns));
    for (size_t i = 0; i < t.partitions.size(); ++i) {
      const auto& p = t.partitions[i];
      if (i) out += ",\n";
      if (t.partition_type == "RANGE") {
        std::vector<std::string> lo = p.lower, hi = p.upper;
        if (lo.empty()) {
          for (const auto& c : t.partition_columns) lo.push_back(min_key(base_type(column_type_of(t, c))));
        }
        if (hi.empty()) {
          for (const auto& c : t.partition_columns) hi.push_back(max_key(base_type(column_type_of(t, c))));
        }
        out += fmt::format("PARTITION {} VALUES [{}, {})", p.name, bound_list(lo), bound_list(hi));
      } else {
        std::string vals;
        for (size_t j = 0; j < p.list_values.size(); ++j) {
          if (j) vals += ", ";
          vals += p.list_values[j].size() == 1 ? "\"" + p.list_values[j][0] + "\"" : bound_list(p.list_values[j]);
        }
        out += fmt::format("PARTITION {} VALUES IN ({})", p.name, vals);
      }
    }
    out += ")\n";
  }
  if (t.distribution_columns.empty()) {
    out += "DISTRIBUTED BY RANDOM";
  } else {
    out += fmt::format("DISTRIBUTED BY HASH({})", backquoted_list(t.distribution_columns));
  }
  if (t.buckets > 0) out += fmt::format(" BUCKETS {}", t.buckets);
  out += " \n";
  if (!t.sort_columns.empty()) out += fmt::format("ORDER BY({})\n", backquoted_list(t.sort_columns));
  std::map<std::string, std::string> props = t.properties;
  if (!props.contains("replication_num")) props["replication_num"] = "3";
  props.try_emplace("in_memory", "false");
  props.try_emplace("storage_format", "DEFAULT");
  props.try_emplace("enable_persistent_index", t.keys_type == "PRI_KEYS" ? "true" : "false");
  props.try_emplace("compression", "LZ4");
  out += "PROPERTIES (\n";
  size_t i = 0;
  for (const auto& [k, v] : props) {
    out += fmt::format("\"{}\" = \"{}\"{}\n", k, v, ++i < props.size() ? "," : "");
  }
  out += ");";
  return out;
}

std::string partition_predicate(const TableSchema& t, const PartitionSchema& p, std::string_view prefix) {
  if (t.partition_type.empty()) return "TRUE";
  std::string cols = tuple(t.partition_columns, prefix);
  if (t.partition_type == "LIST") {
    if (p.list_values.empty()) return "FALSE";
    std::string out = cols + " IN (";
    for (size_t i = 0; i < p.list_values.size(); ++i) {
      if (i) out += ", ";
      out += value_tuple(t, p.list_values[i]);
    }
    return out + ")";
  }
  std::vector<std::string> parts;
  if (!p.lower.empty()) {
    std::vector<std::string> lo = p.lower;
    parts.push_back(cols + " >= " + value_tuple(t, lo));
  }
  if (!p.upper.empty()) parts.push_back(cols + " < " + value_tuple(t, p.upper));
  std::string out;
  if (parts.empty()) return "TRUE";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += " AND ";
    out += parts[i];
  }
  if (p.lower.empty() && t.partition_columns.size() == 1) {
    // NULL partition values go to the partition starting at MINVALUE (StarRocks treats NULL as the minimum).
    out = "(" + std::string(prefix) + quote_ident(t.partition_columns[0]) + " IS NULL OR " + out + ")";
  }
  return "(" + out + ")";
}

namespace {

// Binary search over disjoint single-column ranges sorted by lower bound: O(log n) comparisons per row.
std::string range_tree(const TableSchema& t, const std::vector<const PartitionSchema*>& sorted, size_t lo, size_t hi,
                       std::string_view prefix) {
  const std::string col = std::string(prefix) + quote_ident(t.partition_columns[0]);
  if (hi - lo <= 3) {
    std::string out = "CASE";
    for (size_t i = lo; i < hi; ++i) {
      std::string cond;
      if (!sorted[i]->lower.empty()) cond = col + " >= " + value_tuple(t, sorted[i]->lower);
      if (!sorted[i]->upper.empty()) {
        cond += (cond.empty() ? "" : " AND ") + col + " < " + value_tuple(t, sorted[i]->upper);
      }
      out += fmt::format(" WHEN {} THEN {}", cond.empty() ? "TRUE" : cond, sorted[i]->id);
    }
    return out + " ELSE NULL END";
  }
  size_t mid = (lo + hi) / 2;
  return fmt::format("IF({} < {}, {}, {})", col, value_tuple(t, sorted[mid]->lower), range_tree(t, sorted, lo, mid, prefix),
                     range_tree(t, sorted, mid, hi, prefix));
}

}  // namespace

std::string partition_id_expr(const TableSchema& t, std::string_view prefix) {
  if (t.partition_type.empty()) {
    return t.partitions.empty() ? std::string("NULL") : std::to_string(t.partitions[0].id);
  }
  if (t.partitions.empty()) return "NULL";
  if (t.partition_type == "RANGE" && t.partition_columns.size() == 1 && t.partitions.size() > 3) {
    std::vector<const PartitionSchema*> sorted;
    for (const auto& p : t.partitions) {
      if (!p.is_temp) sorted.push_back(&p);
    }
    std::sort(sorted.begin(), sorted.end(), [&](const PartitionSchema* a, const PartitionSchema* b) {
      return compare_bound(t, a->lower, true, b->lower, true) < 0;
    });
    const std::string col = std::string(prefix) + quote_ident(t.partition_columns[0]);
    std::string null_target = "NULL";
    if (!sorted.empty() && sorted[0]->lower.empty()) null_target = std::to_string(sorted[0]->id);
    return fmt::format("IF({} IS NULL, {}, {})", col, null_target, range_tree(t, sorted, 0, sorted.size(), prefix));
  }
  std::string out = "CASE";
  for (const auto& p : t.partitions) {
    if (p.is_temp) continue;
    out += fmt::format(" WHEN {} THEN {}", partition_predicate(t, p, prefix), p.id);
  }
  return out + " ELSE NULL END";
}

std::vector<std::string> render_drop_triggers(const TableSchema& t) {
  std::vector<std::string> out;
  for (const char* suffix : {"ai", "au", "ad"}) {
    out.push_back(fmt::format("DROP TRIGGER IF EXISTS {}.{}", quote_ident(t.database),
                              quote_ident(fmt::format("__sk_{}_{}", t.id, suffix))));
  }
  return out;
}

std::string render_pid_column(const TableSchema& t) {
  return fmt::format("{} BIGINT AS ({}) VIRTUAL INVISIBLE", quote_ident(kPartitionIdColumn), partition_id_expr(t, ""));
}

std::string render_alter_pid_column(const TableSchema& t) {
  return fmt::format("ALTER TABLE {}.{} MODIFY {}", quote_ident(t.database), quote_ident(t.name), render_pid_column(t));
}

std::vector<std::string> render_triggers(const TableSchema& t) {
  std::vector<std::string> out = render_drop_triggers(t);
  auto name = [&](const char* s) {
    return fmt::format("{}.{}", quote_ident(t.database), quote_ident(fmt::format("__sk_{}_{}", t.id, s)));
  };
  const std::string target = fmt::format("{}.{}", quote_ident(t.database), quote_ident(t.name));
  // Touched partition ids collect in the connection's user variable @__sk_t ("id,id,..."), which the engine
  // resets before and reads after each write; @__sk_untracked (the catalog's own bulk writes) skips that.
  auto track = [](const std::string& var) {
    return fmt::format("IF @__sk_untracked IS NULL AND {0} IS NOT NULL AND (@__sk_t IS NULL OR FIND_IN_SET({0}, "
                       "@__sk_t) = 0) THEN SET @__sk_t = CONCAT_WS(',', @__sk_t, {0}); END IF;",
                       var);
  };
  const std::string pid_new = "NEW." + quote_ident(kPartitionIdColumn);
  const std::string pid_old = "OLD." + quote_ident(kPartitionIdColumn);
  out.push_back(fmt::format("CREATE TRIGGER {} AFTER INSERT ON {} FOR EACH ROW BEGIN {} END", name("ai"), target,
                            track(pid_new)));
  out.push_back(fmt::format("CREATE TRIGGER {} AFTER UPDATE ON {} FOR EACH ROW BEGIN {} {} END", name("au"), target,
                            track(pid_new), track(pid_old)));
  out.push_back(fmt::format("CREATE TRIGGER {} AFTER DELETE ON {} FOR EACH ROW BEGIN {} END", name("ad"), target,
                            track(pid_old)));
  return out;
}

}  // namespace sk::emu
