// The StarRocks `time_zone` variable: the text `SHOW VARIABLES LIKE 'time_zone'` prints, read as a TimeZone with
// the rules the FE applies when the value is set (fe TimeUtils.checkTimeZoneValidAndStandardize and
// ZoneId.of with the FE's alias map; docs "Configure a time zone"):
//   * a UTC offset "+08:00", "-6:00", "8:00" (±H:MM / ±HH:MM, sign optional; -12:00 … +14:00): a fixed offset;
//   * "CST" and "PRC" (any case): Asia/Shanghai — StarRocks' own aliases, NOT US Central time;
//   * Java's other zone-id forms: "Z", "UTC", "GMT", "UT" (UTC); "UTC+8", "GMT-05:00", "UT+5:30" (a fixed
//     offset); "+8", "+08", "+0800", "+08:00:00" (ZoneOffset.of);
//   * the three-letter ids of Java's ZoneId.SHORT_IDS that older FEs accepted ("EST" = -05:00, "PST" =
//     America/Los_Angeles, "JST" = Asia/Tokyo, …);
//   * an IANA name ("Asia/Shanghai", "America/Los_Angeles").
// Anything else is an error ("cluster.time_zone"): the caller must not guess (derive the offset from the server
// instead, render_utc_offset_query()). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "kernel/domain/time.h"

namespace sk::dialect {

[[nodiscard]] Result<TimeZone> parse_time_zone_variable(std::string_view value);

// What the FE stores for `SET time_zone = '<value>'`: an offset is rewritten as ±HH:MM ("8:00" → "+08:00"),
// anything else is kept as written once parse_time_zone_variable() accepts it. Errors: "cluster.time_zone"
// with StarRocks' text "Unknown or incorrect time zone: '<value>'". (The emulator's SET; tests.)
[[nodiscard]] Result<std::string> standardize_time_zone_value(std::string_view value);

// SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) AS `utc_offset_seconds`: the cluster's current offset,
// both clocks read by one statement.
[[nodiscard]] std::string render_utc_offset_query();

}  // namespace sk::dialect
