// A small cron-expression evaluator for the tests, written apart from the product: five fields (minute hour
// day-of-month month day-of-week), each '*', 'N', 'A-B', with an optional '/STEP', and comma lists; day-of-week
// 0-7 (0 and 7 are Sunday); when both day fields are restricted a day matches either (Vixie cron, Kubernetes,
// croniter). Evaluated on the wall clock of a zone, minute by minute: a start is every real instant whose local
// time matches (a local time a DST gap skips never starts; one the fall-back repeats starts twice).
#pragma once

#include <bitset>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/domain/time.h"

namespace sk::test::cron {

struct Expr {
  std::bitset<60> minute;
  std::bitset<24> hour;
  std::bitset<32> dom;
  std::bitset<13> month;
  std::bitset<8> dow;
  bool dom_star = false, dow_star = false;
};

namespace detail {

inline std::optional<int> number(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One field into `bits` (values lo..hi); false when malformed.
template <size_t N>
bool field(std::string_view text, int lo, int hi, std::bitset<N>& bits) {
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    int step = 1, from = lo, to = hi;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      auto s = number(item.substr(slash + 1));
      if (!s || *s < 1) return false;
      step = *s;
      item = item.substr(0, slash);
    }
    if (item != "*") {
      const size_t dash = item.find('-');
      auto a = number(item.substr(0, dash));
      auto b = dash == std::string_view::npos ? a : number(item.substr(dash + 1));
      if (!a || !b || *a < lo || *b > hi || *a > *b) return false;
      from = *a;
      to = dash == std::string_view::npos && step > 1 ? hi : *b;
    }
    for (int v = from; v <= to; v += step) bits.set(static_cast<size_t>(v));
  }
  return true;
}

}  // namespace detail

inline std::optional<Expr> parse(std::string_view text) {
  std::vector<std::string_view> f;
  while (!text.empty()) {
    const size_t b = text.find_first_not_of(' ');
    if (b == std::string_view::npos) break;
    text = text.substr(b);
    const size_t e = text.find(' ');
    f.push_back(text.substr(0, e));
    text = e == std::string_view::npos ? std::string_view() : text.substr(e);
  }
  Expr x;
  if (f.size() != 5 || !detail::field(f[0], 0, 59, x.minute) || !detail::field(f[1], 0, 23, x.hour) ||
      !detail::field(f[2], 1, 31, x.dom) || !detail::field(f[3], 1, 12, x.month) ||
      !detail::field(f[4], 0, 7, x.dow)) {
    return std::nullopt;
  }
  if (x.dow.test(7)) x.dow.set(0);
  x.dom_star = f[2].front() == '*';
  x.dow_star = f[4].front() == '*';
  return x;
}

inline bool matches(const Expr& x, CivilSecond local) {
  if (!x.minute.test(static_cast<size_t>(local.minute())) || !x.hour.test(static_cast<size_t>(local.hour())) ||
      !x.month.test(static_cast<size_t>(local.month()))) {
    return false;
  }
  const bool dom = x.dom.test(static_cast<size_t>(local.day()));
  // Weekday counts Monday = 0; cron counts Sunday = 0.
  const int cron_dow = (static_cast<int>(weekday_of(CivilDay(local))) + 1) % 7;
  const bool dow = x.dow.test(static_cast<size_t>(cron_dow));
  if (x.dom_star || x.dow_star) return dom && dow;
  return dom || dow;
}

// The starts of `x` in [from, to) on the wall clock of `zone`.
inline std::vector<Instant> starts(const Expr& x, const TimeZone& zone, Instant from, Instant to) {
  std::vector<Instant> out;
  const std::int64_t first = (from.unix_seconds() + 59) / 60 * 60;
  for (std::int64_t t = first; t < to.unix_seconds(); t += 60) {
    if (matches(x, zone.to_local(Instant::from_unix_seconds(t)))) out.push_back(Instant::from_unix_seconds(t));
  }
  return out;
}

}  // namespace sk::test::cron
