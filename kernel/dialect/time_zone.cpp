#include "kernel/dialect/time_zone.h"

#include <array>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "common/ascii.h"

namespace sk::dialect {
namespace {

constexpr std::string_view kCode = "cluster.time_zone";

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

// Reads `n` digits at text[pos..]; advances pos.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!ascii::is_digit(text[pos + i])) return std::nullopt;
    v = v * 10 + (text[pos + i] - '0');
  }
  pos += n;
  return v;
}

// The FE's own offset pattern ^[+-]?\d{1,2}:\d{2}$ → seconds east of UTC (range not checked).
std::optional<int> starrocks_offset(std::string_view text) {
  std::size_t pos = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  const std::size_t colon = text.find(':', pos);
  if (colon == std::string_view::npos || colon == pos || colon - pos > 2 || text.size() - colon - 1 != 2)
    return std::nullopt;
  auto h = digits(text, pos, colon - pos);
  ++pos;
  auto m = digits(text, pos, 2);
  if (!h || !m) return std::nullopt;
  return (text[0] == '-' ? -1 : 1) * (*h * 3600 + *m * 60);
}

// java.time.ZoneOffset.of: ±h, ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss, ±hhmmss, at most ±18:00.
std::optional<int> java_offset(std::string_view text) {
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  const std::string_view body = text.substr(1);
  std::size_t pos = 0;
  std::optional<int> h, m = 0, s = 0;
  switch (body.size()) {
    case 1: h = digits(body, pos, 1); break;
    case 2: h = digits(body, pos, 2); break;
    case 4: h = digits(body, pos, 2); m = digits(body, pos, 2); break;
    case 5: h = digits(body, pos, 2); m = body[pos++] == ':' ? digits(body, pos, 2) : std::nullopt; break;
    case 6: h = digits(body, pos, 2); m = digits(body, pos, 2); s = digits(body, pos, 2); break;
    case 8:
      h = digits(body, pos, 2);
      m = body[pos++] == ':' ? digits(body, pos, 2) : std::nullopt;
      s = (m && body[pos++] == ':') ? digits(body, pos, 2) : std::nullopt;
      break;
    default: return std::nullopt;
  }
  if (!h || !m || !s || *m > 59 || *s > 59) return std::nullopt;
  const int total = *h * 3600 + *m * 60 + *s;
  if (total > 18 * 3600) return std::nullopt;
  return (text[0] == '-' ? -1 : 1) * total;
}

// java.time.ZoneId.SHORT_IDS (the fixed map older FEs put in their alias map), CST excepted: StarRocks maps
// CST to Asia/Shanghai.
constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kShortIds = {{
    {"ACT", "Australia/Darwin"}, {"AET", "Australia/Sydney"}, {"AGT", "America/Argentina/Buenos_Aires"},
    {"ART", "Africa/Cairo"}, {"AST", "America/Anchorage"}, {"BET", "America/Sao_Paulo"},
    {"BST", "Asia/Dhaka"}, {"CAT", "Africa/Harare"}, {"CNT", "America/St_Johns"},
    {"CTT", "Asia/Shanghai"}, {"EAT", "Africa/Addis_Ababa"}, {"ECT", "Europe/Paris"},
    {"IET", "America/Indiana/Indianapolis"}, {"IST", "Asia/Kolkata"}, {"JST", "Asia/Tokyo"},
    {"MIT", "Pacific/Apia"}, {"NET", "Asia/Yerevan"}, {"NST", "Pacific/Auckland"},
    {"PLT", "Asia/Karachi"}, {"PNT", "America/Phoenix"}, {"PRT", "America/Puerto_Rico"},
    {"PST", "America/Los_Angeles"}, {"SST", "Pacific/Guadalcanal"}, {"VST", "Asia/Ho_Chi_Minh"},
    {"EST", "-05:00"}, {"MST", "-07:00"}, {"HST", "-10:00"},
}};

Result<TimeZone> unknown(std::string_view value) {
  return fail(std::string(kCode), "Unknown or incorrect time zone: '{}'", value);
}

// Every form but the FE's own offset pattern.
Result<TimeZone> zone_id(std::string_view value) {
  const std::string up = upper(value);
  if (up == "CST" || up == "PRC") return TimeZone::parse("Asia/Shanghai");
  for (const auto& [id, zone] : kShortIds) {
    if (up == id) return TimeZone::parse(zone);
  }
  if (value == "Z" || value == "UTC" || value == "GMT" || value == "UT") return TimeZone::utc();
  for (std::string_view prefix : {"UTC", "GMT", "UT"}) {
    if (value.size() > prefix.size() && value.starts_with(prefix) &&
        (value[prefix.size()] == '+' || value[prefix.size()] == '-')) {
      if (auto off = java_offset(value.substr(prefix.size()))) return TimeZone::fixed(*off);
      return unknown(value);
    }
  }
  if (value[0] == '+' || value[0] == '-') {
    if (auto off = java_offset(value)) return TimeZone::fixed(*off);
    return unknown(value);
  }
  auto named = TimeZone::parse(value);
  if (!named) return unknown(value);
  return named;
}

}  // namespace

Result<TimeZone> parse_time_zone_variable(std::string_view value) {
  if (value.empty()) return unknown(value);
  if (auto off = starrocks_offset(value)) {
    if (*off < -12 * 3600 || *off > 14 * 3600) return unknown(value);
    return TimeZone::fixed(*off);
  }
  return zone_id(value);
}

Result<std::string> standardize_time_zone_value(std::string_view value) {
  auto zone = parse_time_zone_variable(value);
  if (!zone) return std::unexpected(std::move(zone.error()));
  if (starrocks_offset(value)) return zone->name();  // "+08:00"
  return std::string(value);
}

std::string render_utc_offset_query() {
  return "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) AS `utc_offset_seconds`";
}

}  // namespace sk::dialect
