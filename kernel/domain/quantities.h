// Quantities used by policies: Duration (whole seconds), Percent (two decimals) and ByteSize.
// Immutable value types with validating smart constructors; parse errors carry codes "domain.duration",
// "domain.percent" and "domain.byte_size" and messages fit for user-facing diagnostics. Thread-safe (values).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sk {

// A signed span of whole seconds. parse() accepts one non-negative integer followed by one unit:
// "45s", "30m", "2h", "14d", "2w". Arithmetic may produce negative durations (e.g. Instant - Instant).
// Arithmetic does not check for overflow (the range is ±292 billion years).
class Duration {
 public:
  constexpr Duration() = default;  // zero
  [[nodiscard]] static Result<Duration> parse(std::string_view text);
  [[nodiscard]] static constexpr Duration from_seconds(std::int64_t s) { return Duration(s); }
  [[nodiscard]] static constexpr Duration from_minutes(std::int64_t m) { return Duration(m * 60); }
  [[nodiscard]] static constexpr Duration from_hours(std::int64_t h) { return Duration(h * 3600); }
  [[nodiscard]] static constexpr Duration from_days(std::int64_t d) { return Duration(d * 86400); }

  [[nodiscard]] constexpr std::int64_t seconds() const { return seconds_; }
  // Whole days, truncated towards zero.
  [[nodiscard]] constexpr std::int64_t days() const { return seconds_ / 86400; }
  // Canonical text: the largest of s, m, h, d that divides the value exactly ("90m", "2h", "14d", "0s",
  // "-1h"). Weeks are accepted by parse() but never produced, so "2w" prints as "14d". parse(to_string())
  // round-trips for non-negative values.
  [[nodiscard]] std::string to_string() const;

  friend constexpr Duration operator+(Duration a, Duration b) { return Duration(a.seconds_ + b.seconds_); }
  friend constexpr Duration operator-(Duration a, Duration b) { return Duration(a.seconds_ - b.seconds_); }
  friend constexpr Duration operator-(Duration a) { return Duration(-a.seconds_); }
  friend constexpr Duration operator*(Duration a, std::int64_t k) { return Duration(a.seconds_ * k); }
  friend constexpr Duration operator*(std::int64_t k, Duration a) { return Duration(a.seconds_ * k); }
  constexpr Duration& operator+=(Duration o) {
    seconds_ += o.seconds_;
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    seconds_ -= o.seconds_;
    return *this;
  }
  friend constexpr bool operator==(Duration, Duration) = default;
  friend constexpr auto operator<=>(Duration, Duration) = default;

 private:
  constexpr explicit Duration(std::int64_t s) : seconds_(s) {}
  std::int64_t seconds_ = 0;
};

// A percentage 0..100 inclusive with at most two decimals, stored exactly in hundredths.
// parse() requires the '%' sign: "15%", "15.5%", "99.99%", "100%".
class Percent {
 public:
  [[nodiscard]] static Result<Percent> parse(std::string_view text);
  // hundredths in 0..10000 (1550 = 15.5%).
  [[nodiscard]] static Result<Percent> from_hundredths(std::int64_t hundredths);

  [[nodiscard]] double value() const { return static_cast<double>(hundredths_) / 100.0; }
  [[nodiscard]] std::int32_t hundredths() const { return hundredths_; }
  // Shortest exact text: "15%", "15.5%", "15.25%".
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(Percent, Percent) = default;
  friend auto operator<=>(Percent, Percent) = default;

 private:
  explicit Percent(std::int32_t h) : hundredths_(h) {}
  std::int32_t hundredths_ = 0;
};

// A non-negative number of bytes. parse() accepts an integer followed by B, KB, MB, GB, TB, PB (powers of
// 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024), case-sensitive units, optional single space: "512MiB",
// "10 GB".
class ByteSize {
 public:
  constexpr ByteSize() = default;  // zero
  [[nodiscard]] static Result<ByteSize> parse(std::string_view text);
  [[nodiscard]] static constexpr ByteSize from_bytes(std::uint64_t b) { return ByteSize(b); }

  [[nodiscard]] constexpr std::uint64_t bytes() const { return bytes_; }
  // The exact unit that gives the smallest number, binary preferred on ties: "512MiB", "10GB", "1234B".
  [[nodiscard]] std::string to_string() const;

  friend constexpr bool operator==(ByteSize, ByteSize) = default;
  friend constexpr auto operator<=>(ByteSize, ByteSize) = default;

 private:
  constexpr explicit ByteSize(std::uint64_t b) : bytes_(b) {}
  std::uint64_t bytes_ = 0;
};

}  // namespace sk

template <>
struct std::hash<sk::Duration> {
  size_t operator()(sk::Duration d) const noexcept { return std::hash<std::int64_t>{}(d.seconds()); }
};
