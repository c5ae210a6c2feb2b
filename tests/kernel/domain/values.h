// Short spellings of domain values in tests: utc("2025-03-30T01:00:00Z"), zone("Europe/Berlin").
#pragma once

#include <string_view>

#include "kernel/domain/time.h"

namespace sk::test_support {

inline Instant utc(std::string_view text) { return *Instant::parse(text, TimeZone::utc()); }
inline TimeZone zone(std::string_view name) { return *TimeZone::parse(name); }

}  // namespace sk::test_support
