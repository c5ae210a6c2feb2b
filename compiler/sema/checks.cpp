#include "compiler/sema/checks.h"

#include <fmt/format.h>

namespace sk::sema {

using model::Predicate;

FiringCalendar::FiringCalendar(const Schedule& schedule, CivilDay start)
    : start_(start), bits_((kCycleDays + 63) / 64, 0) {
  if (schedule.never_fires()) return;
  for (int i = 0; i < kCycleDays; ++i) {
    if (schedule.fires_on(start + i)) bits_[static_cast<size_t>(i) / 64] |= uint64_t{1} << (i % 64);
  }
}

std::optional<CivilDay> FiringCalendar::first_common_day(const FiringCalendar& other) const {
  for (size_t w = 0; w < bits_.size() && w < other.bits_.size(); ++w) {
    const uint64_t both = bits_[w] & other.bits_[w];
    if (both != 0) return start_ + static_cast<int>(w * 64 + static_cast<size_t>(__builtin_ctzll(both)));
  }
  return std::nullopt;
}

std::optional<CivilDay> first_common_day(const Schedule& a, const Schedule& b, CivilDay start) {
  if (a.never_fires() || b.never_fires()) return std::nullopt;
  return FiringCalendar(a, start).first_common_day(FiringCalendar(b, start));
}

std::string describe_day(CivilDay day) {
  return fmt::format("{:04}-{:02}-{:02} ({})", day.year(), day.month(), day.day(), to_string(weekday_of(day)));
}

namespace {
struct Literals {
  std::vector<std::string> classes, databases, tables;
  bool globs = false;
};

void collect(const Predicate& p, Literals& out) {
  switch (p.kind()) {
    case Predicate::Kind::kClassIn:
      out.classes.insert(out.classes.end(), p.values().begin(), p.values().end());
      break;
    case Predicate::Kind::kDatabaseIn:
      out.databases.insert(out.databases.end(), p.values().begin(), p.values().end());
      break;
    case Predicate::Kind::kTableIn: out.tables.insert(out.tables.end(), p.values().begin(), p.values().end()); break;
    case Predicate::Kind::kDatabaseMatches:
    case Predicate::Kind::kTableMatches: out.globs = true; break;
    default: break;
  }
  for (const Predicate& o : p.operands()) collect(o, out);
}
}  // namespace

bool satisfiable(const Predicate& p, const std::vector<std::string>* databases) {
  Literals lits;
  collect(p, lits);
  if (lits.globs) return true;
  // A value no literal equals stands for "any other".
  const std::string other = "\x01other";
  lits.classes.push_back(other);
  if (databases != nullptr && !databases->empty()) {
    lits.databases = *databases;
  } else {
    lits.databases.push_back(other);
  }
  lits.tables.push_back(other);
  if (lits.classes.size() * lits.databases.size() * lits.tables.size() > 200000) return true;
  for (const std::string& c : lits.classes) {
    for (const std::string& d : lits.databases) {
      for (const std::string& t : lits.tables) {
        for (int flags = 0; flags < 4; ++flags) {
          const model::TableAttributes attrs{d, t, c, (flags & 1) != 0, (flags & 2) != 0};
          if (p.evaluate(attrs)) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace sk::sema
