#include "kernel/domain/quantities.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

#include "common/ascii.h"
#include "kernel/domain/escape.h"

namespace sk {
namespace {

using detail::printable;

// Parses a run of ASCII digits at the start of text into *out (no sign); returns digits consumed, 0 on none
// or overflow beyond uint64.
size_t parse_digits(std::string_view text, std::uint64_t* out) {
  size_t i = 0;
  std::uint64_t v = 0;
  while (i < text.size() && ascii::is_digit(text[i])) {
    const std::uint64_t d = static_cast<std::uint64_t>(text[i] - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
      return 0;
    }
    v = v * 10 + d;
    ++i;
  }
  *out = v;
  return i;
}

}  // namespace

// ---------------------------------------------------------------- Duration

Result<Duration> Duration::parse(std::string_view text) {
  constexpr std::string_view kAllowed =
      "a whole number followed by one unit: s, m, h, d or w (e.g. 45s, 30m, 2h, 14d, 2w)";
  if (text.empty()) return fail("domain.duration", "empty duration; expected {}", kAllowed);
  std::uint64_t n = 0;
  const size_t digits = parse_digits(text, &n);
  if (digits == 0) {
    if (text.front() == '-')
      return fail("domain.duration", "duration '{}' is negative; expected {}", printable(text), kAllowed);
    if (ascii::is_digit(text.front())) return fail("domain.duration", "duration '{}' is too large", printable(text));
    return fail("domain.duration", "invalid duration '{}'; expected {}", printable(text), kAllowed);
  }
  const std::string_view unit = text.substr(digits);
  std::int64_t factor = 0;
  if (unit == "s") {
    factor = 1;
  } else if (unit == "m") {
    factor = 60;
  } else if (unit == "h") {
    factor = 3600;
  } else if (unit == "d") {
    factor = 86400;
  } else if (unit == "w") {
    factor = std::int64_t{7} * 86400;
  } else if (unit.empty()) {
    return fail("domain.duration", "duration '{}' has no unit; expected {}", printable(text), kAllowed);
  } else if (unit.size() > 1 && unit[0] == '.') {
    return fail("domain.duration", "duration '{}' is not a whole number; expected {}", printable(text),
                kAllowed);
  } else if (unit.find_first_of("0123456789") != std::string_view::npos) {
    return fail("domain.duration",
                "duration '{}' combines units; write it with one unit (e.g. 90m); expected {}",
                printable(text), kAllowed);
  } else {
    return fail("domain.duration", "unknown unit '{}' in duration '{}'; expected {}", printable(unit),
                printable(text), kAllowed);
  }
  // Cap at 1,000,000 days: far beyond any retention, and keeps Instant arithmetic safe.
  constexpr std::uint64_t kMaxSeconds = 1'000'000ULL * 86400ULL;
  if (n > kMaxSeconds / static_cast<std::uint64_t>(factor))
    return fail("domain.duration", "duration '{}' is too large (at most 1000000d)", printable(text));
  return Duration(static_cast<std::int64_t>(n) * factor);
}

std::string Duration::to_string() const {
  if (seconds_ == 0) {
    return "0s";
  }
  struct Unit {
    std::int64_t size;
    char name;
  };
  constexpr std::array<Unit, 4> kUnits{{{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
  for (const Unit& u : kUnits) {
    if (seconds_ % u.size == 0) return fmt::format("{}{}", seconds_ / u.size, u.name);
  }
  return fmt::format("{}s", seconds_);  // unreachable: every value divides by 1
}

// ---------------------------------------------------------------- Percent

Result<Percent> Percent::parse(std::string_view text) {
  constexpr std::string_view kAllowed =
      "a percentage from 0% to 100% with at most two decimals (e.g. 15%, 15.5%)";
  if (text.empty()) return fail("domain.percent", "empty percentage; expected {}", kAllowed);
  if (text.back() != '%')
    return fail("domain.percent", "percentage '{}' must end with '%'; expected {}", printable(text),
                kAllowed);
  std::string_view num = text.substr(0, text.size() - 1);
  if (!num.empty() && num.front() == '-')
    return fail("domain.percent", "percentage '{}' is negative; expected {}", printable(text), kAllowed);
  std::uint64_t whole = 0;
  const size_t digits = parse_digits(num, &whole);
  if (digits == 0)
    return fail("domain.percent", "invalid percentage '{}'; expected {}", printable(text), kAllowed);
  std::uint64_t frac = 0;
  std::string_view rest = num.substr(digits);
  if (!rest.empty()) {
    if (rest.front() != '.')
      return fail("domain.percent", "invalid percentage '{}'; expected {}", printable(text), kAllowed);
    rest.remove_prefix(1);
    if (rest.empty() || rest.size() > 2) {
      return fail("domain.percent",
                  "percentage '{}' needs one or two digits after the decimal point; expected {}",
                  printable(text), kAllowed);
    }
    std::uint64_t f = 0;
    if (parse_digits(rest, &f) != rest.size())
      return fail("domain.percent", "invalid percentage '{}'; expected {}", printable(text), kAllowed);
    frac = rest.size() == 1 ? f * 10 : f;
  }
  if (whole > 100 || (whole == 100 && frac > 0))
    return fail("domain.percent", "percentage '{}' is above 100%; expected {}", printable(text), kAllowed);
  return Percent(static_cast<std::int32_t>(whole * 100 + frac));
}

Result<Percent> Percent::from_hundredths(std::int64_t hundredths) {
  if (hundredths < 0 || hundredths > 10000) {
    return fail("domain.percent", "percentage {}/100 is outside 0%..100%", hundredths);
  }
  return Percent(static_cast<std::int32_t>(hundredths));
}

std::string Percent::to_string() const {
  const int whole = hundredths_ / 100;
  const int frac = hundredths_ % 100;
  if (frac == 0) {
    return fmt::format("{}%", whole);
  }
  if (frac % 10 == 0) {
    return fmt::format("{}.{}%", whole, frac / 10);
  }
  return fmt::format("{}.{:02}%", whole, frac);
}

// ---------------------------------------------------------------- ByteSize

namespace {
struct ByteUnit {
  std::string_view name;
  std::uint64_t size;
};
constexpr std::uint64_t kKi = 1024, kK = 1000;
constexpr std::array<ByteUnit, 11> kByteUnits{{{"PiB", kKi* kKi* kKi* kKi* kKi},
                                               {"TiB", kKi* kKi* kKi* kKi},
                                               {"GiB", kKi* kKi* kKi},
                                               {"MiB", kKi* kKi},
                                               {"KiB", kKi},
                                               {"PB", kK* kK* kK* kK* kK},
                                               {"TB", kK* kK* kK* kK},
                                               {"GB", kK* kK* kK},
                                               {"MB", kK* kK},
                                               {"KB", kK},
                                               {"B", 1}}};
}  // namespace

Result<ByteSize> ByteSize::parse(std::string_view text) {
  constexpr std::string_view kAllowed =
      "a whole number followed by B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB or PiB (e.g. 512MiB, 10GB)";
  std::uint64_t n = 0;
  const size_t digits = parse_digits(text, &n);
  if (digits == 0) {
    if (!text.empty() && ascii::is_digit(text.front()))
      return fail("domain.byte_size", "size '{}' is too large", printable(text));
    return fail("domain.byte_size", "invalid size '{}'; expected {}", printable(text), kAllowed);
  }
  std::string_view unit = text.substr(digits);
  if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  for (const ByteUnit& u : kByteUnits) {
    if (unit == u.name) {
      if (n > std::numeric_limits<std::uint64_t>::max() / u.size)
        return fail("domain.byte_size", "size '{}' is too large", printable(text));
      return ByteSize(n * u.size);
    }
  }
  if (unit.empty())
    return fail("domain.byte_size", "size '{}' has no unit; expected {}", printable(text), kAllowed);
  return fail("domain.byte_size", "unknown unit '{}' in size '{}'; expected {}", printable(unit),
              printable(text), kAllowed);
}

std::string ByteSize::to_string() const {
  if (bytes_ == 0) {
    return "0B";
  }
  // The exact unit giving the smallest number; binary wins ties (listed first).
  const ByteUnit* best = &kByteUnits.back();
  for (const ByteUnit& u : kByteUnits) {
    if (bytes_ % u.size == 0 && bytes_ / u.size < bytes_ / best->size) best = &u;
  }
  return fmt::format("{}{}", bytes_ / best->size, best->name);
}

}  // namespace sk
