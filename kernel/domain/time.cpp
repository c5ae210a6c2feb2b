#include "kernel/domain/time.h"

#include <array>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "common/ascii.h"
#include "kernel/domain/escape.h"

namespace sk {
namespace {

using detail::printable;

using Seconds = cctz::time_point<cctz::seconds>;

Seconds to_tp(Instant t) { return Seconds(cctz::seconds(t.unix_seconds())); }
Instant from_tp(Seconds tp) { return Instant::from_unix_seconds(tp.time_since_epoch().count()); }

// Reads exactly n digits at text[pos..]; advances pos.
bool read_fixed(std::string_view text, size_t& pos, size_t n, int* out) {
  if (pos + n > text.size()) {
    return false;
  }
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!ascii::is_digit(c)) {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  *out = v;
  pos += n;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) {
    return false;
  }
  ++pos;
  return true;
}

}  // namespace

// ---------------------------------------------------------------- Weekday

Result<Weekday> parse_weekday(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kShort{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static constexpr std::array<std::string_view, 7> kLong{"monday", "tuesday",  "wednesday", "thursday",
                                                         "friday", "saturday", "sunday"};
  if (text.size() <= 9) {
    std::array<char, 9> buf{};
    for (size_t i = 0; i < text.size(); ++i) buf[i] = ascii::to_lower(text[i]);
    const std::string_view lower(buf.data(), text.size());
    for (size_t i = 0; i < 7; ++i) {
      if (lower == kShort[i] || lower == kLong[i]) {
        return static_cast<Weekday>(i);
      }
    }
  }
  return fail("domain.weekday",
              "unknown weekday '{}'; expected mon, tue, wed, thu, fri, sat, sun (or the full name)",
              printable(text));
}

std::string_view to_string(Weekday day) {
  static constexpr std::array<std::string_view, 7> kShort{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  return kShort[static_cast<size_t>(day)];
}

Weekday weekday_of(CivilDay day) {
  // cctz::weekday is monday..sunday in declaration order, like ours.
  return static_cast<Weekday>(static_cast<int>(cctz::get_weekday(day)));
}

std::string iso_date(CivilDay day) { return fmt::format("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()); }

// ---------------------------------------------------------------- TimeOfDay

Result<TimeOfDay> TimeOfDay::parse(std::string_view text) {
  constexpr std::string_view kAllowed = "HH:MM between 00:00 and 23:59 (e.g. 01:00)";
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() - colon - 1 != 2) {
    return fail("domain.time_of_day", "invalid time of day '{}'; expected {}", printable(text), kAllowed);
  }
  int h = 0, m = 0;
  size_t pos = 0;
  if (!read_fixed(text, pos, colon, &h) || !expect(text, pos, ':') || !read_fixed(text, pos, 2, &m)) {
    return fail("domain.time_of_day", "invalid time of day '{}'; expected {}", printable(text), kAllowed);
  }
  if (h > 23 || m > 59)
    return fail("domain.time_of_day", "time of day '{}' is out of range; expected {}", text, kAllowed);
  return TimeOfDay(h, m);
}

Result<TimeOfDay> TimeOfDay::from_hm(int hour, int minute) {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return fail("domain.time_of_day", "time of day {}:{} is out of range; expected 00:00 to 23:59", hour,
                minute);
  }
  return TimeOfDay(hour, minute);
}

std::string TimeOfDay::to_string() const { return fmt::format("{:02}:{:02}", hour_, minute_); }

// ---------------------------------------------------------------- TimeZone

namespace {

// "±H:MM" / "±HH:MM" → seconds east of UTC; nullopt when `text` has another shape. Range checked by the caller.
std::optional<int> utc_offset_seconds_of(std::string_view text) {
  if (text.size() < 5 || text.size() > 6 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  size_t pos = 1;
  int h = 0, m = 0;
  if (!read_fixed(text, pos, text.size() - 4, &h) || !expect(text, pos, ':') || !read_fixed(text, pos, 2, &m))
    return std::nullopt;
  if (m > 59) return std::nullopt;
  return (text[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

}  // namespace

Result<TimeZone> TimeZone::parse(std::string_view iana_name) {
  constexpr std::string_view kAllowed =
      "an IANA time zone name such as UTC, Europe/Berlin or Asia/Shanghai, or a UTC offset such as +08:00";
  if (iana_name.empty()) return fail("domain.time_zone", "empty time zone; expected {}", kAllowed);
  if (iana_name[0] == '+' || iana_name[0] == '-') {
    const std::optional<int> offset = utc_offset_seconds_of(iana_name);
    if (!offset) return fail("domain.time_zone", "'{}' is not a UTC offset; expected ±HH:MM such as +08:00",
                             printable(iana_name));
    if (*offset < -12 * 3600 || *offset > 14 * 3600)
      return fail("domain.time_zone", "UTC offset '{}' is out of range; expected -12:00 to +14:00", iana_name);
    return fixed(*offset);
  }
  bool plain =
      iana_name.size() <= 64 && iana_name.front() != '/' && iana_name.find("..") == std::string_view::npos;
  for (char c : iana_name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || ascii::is_digit(c) || c == '_' || c == '+' ||
                    c == '-' || c == '/';
    plain = plain && ok;
  }
  if (!plain)
    return fail("domain.time_zone", "'{}' is not a time zone name; expected {}", printable(iana_name),
                kAllowed);
  // Host-dependent or leap-second-counting zones would make plans differ between machines.
  if (iana_name == "localtime" || iana_name.starts_with("right/")) {
    return fail("domain.time_zone", "time zone '{}' is not allowed; expected {}", iana_name, kAllowed);
  }
  std::string name(iana_name);
  cctz::time_zone zone;
  if (!cctz::load_time_zone(name, &zone)) {
    return fail("domain.time_zone", "unknown time zone '{}'; expected {}", iana_name, kAllowed);
  }
  return TimeZone(std::move(name), zone);
}

TimeZone TimeZone::utc() { return {"UTC", cctz::utc_time_zone()}; }

TimeZone TimeZone::fixed(int offset_seconds) {
  const int abs_off = std::abs(offset_seconds);
  std::string name = fmt::format("{}{:02}:{:02}", offset_seconds < 0 ? '-' : '+', abs_off / 3600,
                                 (abs_off % 3600) / 60);
  if (abs_off % 60 != 0) name += fmt::format(":{:02}", abs_off % 60);
  return {std::move(name), cctz::fixed_time_zone(cctz::seconds(offset_seconds))};
}

CivilSecond TimeZone::to_local(Instant t) const { return cctz::convert(to_tp(t), zone_); }

Instant TimeZone::from_local(CivilSecond local) const {
  // cctz::convert: SKIPPED → transition instant (first valid instant after the gap), REPEATED → pre (first
  // occurrence). This is exactly the documented rule.
  return from_tp(cctz::convert(local, zone_));
}

Instant TimeZone::from_local_elapsed(CivilSecond local) const {
  const auto lookup = zone_.lookup(local);
  // SKIPPED: `pre` is the instant computed with the pre-transition offset, which lies after the gap.
  if (lookup.kind == cctz::time_zone::civil_lookup::SKIPPED) return from_tp(lookup.pre);
  return from_local(local);
}

LocalTimeKind TimeZone::classify(CivilSecond local) const {
  switch (zone_.lookup(local).kind) {
    case cctz::time_zone::civil_lookup::SKIPPED:
      return LocalTimeKind::kSkipped;
    case cctz::time_zone::civil_lookup::REPEATED:
      return LocalTimeKind::kRepeated;
    case cctz::time_zone::civil_lookup::UNIQUE:
      break;
  }
  return LocalTimeKind::kUnique;
}

int TimeZone::utc_offset_seconds(Instant t) const { return zone_.lookup(to_tp(t)).offset; }

// ---------------------------------------------------------------- Instant

Result<Instant> Instant::parse(std::string_view text, const TimeZone& default_zone) {
  constexpr std::string_view kAllowed =
      "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS] with an optional Z or ±HH:MM offset "
      "(e.g. 2025-09-14T01:00:00Z)";
  auto bad = [&] {
    return fail("domain.instant", "invalid time '{}'; expected {}", printable(text), kAllowed);
  };
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_fixed(text, pos, 4, &y) || !expect(text, pos, '-') || !read_fixed(text, pos, 2, &mo) ||
      !expect(text, pos, '-') || !read_fixed(text, pos, 2, &d)) {
    return bad();
  }
  bool has_time = false;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') {
      return bad();
    }
    ++pos;
    has_time = true;
    if (!read_fixed(text, pos, 2, &h) || !expect(text, pos, ':') || !read_fixed(text, pos, 2, &mi)) {
      return bad();
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!read_fixed(text, pos, 2, &s)) {
        return bad();
      }
    }
  }
  std::optional<int> offset;
  if (pos < text.size()) {
    if (!has_time) {
      return bad();
    }
    const char c = text[pos++];
    if (c == 'Z' && pos == text.size()) {
      offset = 0;
    } else if (c == '+' || c == '-') {
      int oh = 0, om = 0, os = 0;
      if (!read_fixed(text, pos, 2, &oh) || !expect(text, pos, ':') || !read_fixed(text, pos, 2, &om)) {
        return bad();
      }
      // ±HH:MM:SS only appears for historical local mean time offsets (to_string() writes it).
      if (pos < text.size() && (!expect(text, pos, ':') || !read_fixed(text, pos, 2, &os))) {
        return bad();
      }
      if (pos != text.size()) {
        return bad();
      }
      if (oh > 23 || om > 59 || os > 59) {
        return fail("domain.instant", "UTC offset in '{}' is out of range", text);
      }
      offset = (c == '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
    } else {
      return bad();
    }
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) {
    return fail("domain.instant", "time '{}' has a field out of range; expected {}", text, kAllowed);
  }
  const CivilSecond cs(y, mo, d, h, mi, s);
  if (cs.month() != mo || cs.day() != d) {
    return fail("domain.instant", "date in '{}' does not exist (month {} has no day {})", text, mo, d);
  }
  if (offset) {
    const std::int64_t since_epoch = (cs - CivilSecond(1970, 1, 1, 0, 0, 0)) - *offset;
    return Instant::from_unix_seconds(since_epoch);
  }
  return default_zone.from_local(cs);
}

std::string Instant::to_iso8601_utc() const {
  const CivilSecond cs = cctz::convert(to_tp(*this), cctz::utc_time_zone());
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", cs.year(), cs.month(), cs.day(), cs.hour(),
                     cs.minute(), cs.second());
}

std::string Instant::to_string(const TimeZone& zone) const {
  const auto lookup = zone.cctz_zone().lookup(to_tp(*this));
  const CivilSecond& cs = lookup.cs;
  const int off = lookup.offset;
  const int abs_off = std::abs(off);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", cs.year(), cs.month(),
                                cs.day(), cs.hour(), cs.minute(), cs.second(), off < 0 ? '-' : '+',
                                abs_off / 3600, (abs_off % 3600) / 60);
  if (abs_off % 60 != 0) {
    out += fmt::format(":{:02}", abs_off % 60);  // local mean time before standard time, e.g. +00:53:28
  }
  return out;
}

}  // namespace sk
