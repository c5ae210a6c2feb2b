#include "compiler/sema/checks.h"

#include <fmt/format.h>

namespace sk::sema {

using model::Predicate;

std::optional<CivilDay> first_common_day(const Schedule& a, const Schedule& b, CivilDay start) {
  if (a.never_fires() || b.never_fires()) return std::nullopt;
  constexpr int kCycleDays = 146097;  // 400 Gregorian years
  for (int i = 0; i < kCycleDays; ++i) {
    const CivilDay d = start + i;
    if (a.fires_on(d) && b.fires_on(d)) return d;
  }
  return std::nullopt;
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

bool satisfiable(const Predicate& p) {
  Literals lits;
  collect(p, lits);
  if (lits.globs) return true;
  // A value no literal equals stands for "any other".
  const std::string other = "\x01other";
  lits.classes.push_back(other);
  lits.databases.push_back(other);
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
