// How long a snapshot is kept (a tier's `retain`, docs/language.md "What `retain` means"): a fixed span ("14d",
// "90d") or whole calendar months ("18 months", "7 years" = 84 months).
//
// Calendar months are measured in the policy's time zone from the snapshot's slot: the local date moves on by
// that many months at the same local time of day. A day the target month lacks becomes that month's last day
// (end-of-month rule): 2026-08-31 + 6 months = 2027-02-28, 2026-01-31 + 1 month = 2026-02-28, 2028-02-29 + 1 year
// = 2029-02-28, 2028-02-29 + 4 years = 2032-02-29. A local time the target day lacks (spring-forward gap) maps
// by TimeZone::from_local's rule. Immutable value; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/time.h"

namespace sk {

class RetainPeriod {
 public:
  static constexpr std::int64_t kMaxMonths = std::int64_t{12} * 1000;  // 1000 years

  constexpr RetainPeriod() = default;  // zero: kept by nothing but a count (`keep = last 7`)
  // A fixed span (implicit: every Duration is a fixed retention).
  constexpr RetainPeriod(Duration fixed) : fixed_(fixed) {}  // NOLINT(google-explicit-constructor)
  // n calendar months, 1..kMaxMonths ("domain.duration" otherwise).
  [[nodiscard]] static Result<RetainPeriod> months(std::int64_t n);
  // "14d" (Duration::parse; "0s" is the zero retention of a tier that keeps by count alone), or "<n> month[s]" /
  // "<n> year[s]" with one space: "18 months", "1 year" ("domain.duration" otherwise).
  [[nodiscard]] static Result<RetainPeriod> parse(std::string_view text);

  [[nodiscard]] constexpr bool calendar() const { return months_ != 0; }
  [[nodiscard]] constexpr std::int64_t month_count() const { return months_; }  // 0 when fixed
  [[nodiscard]] constexpr Duration fixed() const { return fixed_; }            // zero when calendar

  // The instant a snapshot taken at `taken` stops being a restore point, in `zone` (calendar months: see above).
  [[nodiscard]] Instant after(Instant taken, const TimeZone& zone) const;
  // The earliest instant whose retention still reaches `at` is at or after before(at): a snapshot taken before
  // it has expired by `at`. Calendar months count back from `at`'s local date with the end-of-month rule.
  [[nodiscard]] Instant before(Instant at, const TimeZone& zone) const;
  // The fewest and most whole days the period spans on the calendar (fixed: its days, rounded up for `longest`):
  // 1 month 28..31, 12 months 365..366, 18 months 546..553.
  [[nodiscard]] std::int64_t shortest_days() const;
  [[nodiscard]] std::int64_t longest_days() const;

  // Canonical text: "14d", "1 month", "18 months", "1 year", "7 years" (whole years when the months divide by
  // 12). parse(to_string()) round-trips.
  [[nodiscard]] std::string to_string() const;

  friend constexpr bool operator==(const RetainPeriod&, const RetainPeriod&) = default;

 private:
  constexpr RetainPeriod(Duration fixed, std::int64_t months) : fixed_(fixed), months_(months) {}
  Duration fixed_;
  std::int64_t months_ = 0;
};

// `day` moved by `months` calendar months (may be negative); a day the target month lacks becomes its last day.
[[nodiscard]] CivilDay add_months(CivilDay day, std::int64_t months);

}  // namespace sk
