// GoogleTest printers for the domain value types, so failures show "2025-03-30T01:00:00Z" instead of bytes.
#pragma once

#include <ostream>

#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/schedule.h"
#include "kernel/domain/time.h"

namespace sk {
inline void PrintTo(const Instant& t, std::ostream* os) { *os << t.to_iso8601_utc(); }
inline void PrintTo(const Duration& d, std::ostream* os) { *os << d.to_string(); }
inline void PrintTo(const Percent& p, std::ostream* os) { *os << p.to_string(); }
inline void PrintTo(const TimeOfDay& t, std::ostream* os) { *os << t.to_string(); }
inline void PrintTo(const Schedule& s, std::ostream* os) { *os << s.to_string(); }
inline void PrintTo(Weekday d, std::ostream* os) { *os << to_string(d); }
inline void PrintTo(const NthWeekday& d, std::ostream* os) { *os << d.n << ' ' << to_string(d.day); }
inline void PrintTo(const BackupTimestamp& t, std::ostream* os) { *os << t.str(); }
}  // namespace sk
