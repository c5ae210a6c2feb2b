// The BACKUP `ttl` property of StarRocks 4.2 (PR #78092, fe `backup/SnapshotTtl.java`): how long the snapshot a
// backup creates is kept before the leader FE deletes it by itself. The value is a number, spaces and a unit word
// (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR; singular or plural, any case), trimmed; empty or blank keeps the
// snapshot forever. The expiry is the backup's finish time plus the TTL, added as a calendar period in the FE's
// time zone ("1 MONTH" from 31 January lands on the last day of February). Pure; thread-safe.
#pragma once

#include <cctz/time_zone.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace sk::emu::backup {

struct SnapshotTtl {
  enum class Unit { kSecond, kMinute, kHour, kDay, kWeek, kMonth, kYear };
  int64_t amount = 0;  // > 0
  Unit unit = Unit::kDay;
  std::string text;  // as written (untrimmed), the info file's `ttl`
};

// nullopt: keep forever (empty or blank). The error is the analyzer's message (without the analyzer prefix):
// "Invalid ttl: '<v>'. Expected a duration such as '7 DAY' or '12 HOUR', or an empty value to keep the snapshot
// forever" or "ttl must be a positive duration, but got: <v>".
[[nodiscard]] std::expected<std::optional<SnapshotTtl>, std::string> parse_snapshot_ttl(std::string_view value);

// The epoch milliseconds at which a snapshot finished at `finish_ms` expires, in `zone`.
[[nodiscard]] int64_t snapshot_expire_time_ms(const SnapshotTtl& ttl, int64_t finish_ms, const cctz::time_zone& zone);

}  // namespace sk::emu::backup
