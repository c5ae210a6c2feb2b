#include "emulator/backup/snapshot_ttl.h"

#include <cctz/civil_time.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <utility>

#include "common/ascii.h"

namespace sk::emu::backup {
namespace {

using Unit = SnapshotTtl::Unit;

std::string_view trim_blank(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<Unit> unit_of(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, Unit>, 7> kUnits{{{"second", Unit::kSecond},
                                                                           {"minute", Unit::kMinute},
                                                                           {"hour", Unit::kHour},
                                                                           {"day", Unit::kDay},
                                                                           {"week", Unit::kWeek},
                                                                           {"month", Unit::kMonth},
                                                                           {"year", Unit::kYear}}};
  std::string lower = ascii::to_lower(word);
  if (lower.size() > 1 && lower.back() == 's') lower.pop_back();  // DAYS, hours
  for (const auto& [name, unit] : kUnits) {
    if (lower == name) return unit;
  }
  return std::nullopt;
}

}  // namespace

std::expected<std::optional<SnapshotTtl>, std::string> parse_snapshot_ttl(std::string_view value) {
  const std::string_view text = trim_blank(value);
  if (text.empty()) return std::optional<SnapshotTtl>{};
  const std::string invalid = fmt::format(
      "Invalid ttl: '{}'. Expected a duration such as '7 DAY' or '12 HOUR', or an empty value to keep the snapshot "
      "forever",
      value);
  const auto space = text.find_first_of(" \t");
  if (space == std::string_view::npos) return std::unexpected(invalid);
  std::string_view number = text.substr(0, space);
  const std::string_view word = trim_blank(text.substr(space));
  if (word.empty() || word.find_first_of(" \t") != std::string_view::npos) return std::unexpected(invalid);
  bool negative = false;
  if (!number.empty() && (number.front() == '+' || number.front() == '-')) {
    negative = number.front() == '-';
    number.remove_prefix(1);
  }
  int64_t amount = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), amount);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size()) return std::unexpected(invalid);
  auto unit = unit_of(word);
  if (!unit) return std::unexpected(invalid);
  if (negative || amount == 0) return std::unexpected(fmt::format("ttl must be a positive duration, but got: {}", value));
  return SnapshotTtl{amount, *unit, std::string(value)};
}

int64_t snapshot_expire_time_ms(const SnapshotTtl& ttl, int64_t finish_ms, const cctz::time_zone& zone) {
  using std::chrono::milliseconds;
  const std::chrono::system_clock::time_point finish{milliseconds(finish_ms)};
  const auto secs = std::chrono::floor<std::chrono::seconds>(finish);
  const int64_t millis = std::chrono::duration_cast<milliseconds>(finish - secs).count();
  // Java's LocalDateTime.plus(PeriodDuration): calendar fields in local time; cctz normalizes overflowing fields.
  const cctz::civil_second l = cctz::convert(secs, zone);
  const int64_t n = ttl.amount;
  cctz::civil_second later = l;
  switch (ttl.unit) {
    case Unit::kSecond: later = cctz::civil_second(l.year(), l.month(), l.day(), l.hour(), l.minute(), l.second() + n); break;
    case Unit::kMinute: later = cctz::civil_second(l.year(), l.month(), l.day(), l.hour(), l.minute() + n, l.second()); break;
    case Unit::kHour: later = cctz::civil_second(l.year(), l.month(), l.day(), l.hour() + n, l.minute(), l.second()); break;
    case Unit::kDay: later = cctz::civil_second(l.year(), l.month(), l.day() + n, l.hour(), l.minute(), l.second()); break;
    case Unit::kWeek: later = cctz::civil_second(l.year(), l.month(), l.day() + 7 * n, l.hour(), l.minute(), l.second()); break;
    case Unit::kMonth:
    case Unit::kYear: {  // plusMonths: the day is clamped to the target month's last day
      const cctz::civil_month month = cctz::civil_month(l) + (ttl.unit == Unit::kMonth ? n : 12 * n);
      const cctz::civil_day last = cctz::civil_day(month + 1) - 1;
      const int day = std::min(l.day(), last.day());
      later = cctz::civil_second(month.year(), month.month(), day, l.hour(), l.minute(), l.second());
      break;
    }
  }
  const auto at = cctz::convert(later, zone);
  return std::chrono::duration_cast<milliseconds>(at.time_since_epoch()).count() + millis;
}

}  // namespace sk::emu::backup
