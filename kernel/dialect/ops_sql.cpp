#include "kernel/dialect/ops_sql.h"

#include <cctype>
#include <charconv>
#include <chrono>

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

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a sequence start.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut));
}

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

}  // namespace sk::ops::sql
