// Optional fmt support for the domain values: `fmt::format("{}", table)` prints table.str(), an Instant
// prints as ISO-8601 UTC, Duration/Percent/ByteSize/TimeOfDay/Schedule print their canonical to_string(),
// Weekday its short name. Include only where formatting is wanted; it adds nothing else.
#pragma once

#include <fmt/format.h>

#include <concepts>
#include <string_view>

#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/schedule.h"
#include "kernel/domain/time.h"

namespace sk::detail {
template <typename T>
concept DomainName = std::derived_from<T, NameBase<T>>;
template <typename T>
concept DomainText = std::same_as<T, Duration> || std::same_as<T, Percent> || std::same_as<T, ByteSize> ||
    std::same_as<T, TimeOfDay> || std::same_as<T, Schedule>;
}  // namespace sk::detail

template <sk::detail::DomainName T>
struct fmt::formatter<T> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const T& name, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(name.str(), ctx);
  }
};

template <sk::detail::DomainText T>
struct fmt::formatter<T> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const T& value, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(value.to_string(), ctx);
  }
};

template <>
struct fmt::formatter<sk::Instant> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const sk::Instant& t, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(t.to_iso8601_utc(), ctx);
  }
};

template <>
struct fmt::formatter<sk::Weekday> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(sk::Weekday d, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(sk::to_string(d), ctx);
  }
};
