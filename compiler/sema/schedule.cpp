// Schedule phrases. The AST keeps a schedule as nested phrases / comma sequences / `in` relations; it is flattened
// into a word list and read by a small recursive-descent reader with exact ranges:
//   daily at HH:MM
//   <weekday>[..<weekday>][, …] at HH:MM              (mon..sat, sun, mon,wed,fri)
//   <ordinal> <weekday>[, <ordinal> <weekday>…] of month at HH:MM   (first … fifth, last)
//   day <n|last>[, <n|last>…] of month at HH:MM       (day 1,15 of month; last day of month)
// each optionally followed by `in <month>[, <month>…]`.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "compiler/sema/values.h"

namespace sk::sema {
namespace {

using ast::Expr;
using diag::Code;

struct Tok {
  enum class Kind { kWord, kNumber, kTime, kComma, kDots, kIn, kOther } kind;
  std::string text;
  SourceRange range;
};

void flatten(const Expr& e, std::vector<Tok>& out) {
  using K = Expr::Kind;
  switch (e.kind) {
    case K::kSequence:
      for (size_t i = 0; i < e.operands.size(); ++i) {
        if (i) {
          const uint32_t at = e.operands[i - 1].range.end;
          out.push_back({Tok::Kind::kComma, ",", {at, at}});
        }
        flatten(e.operands[i], out);
      }
      return;
    case K::kPhrase:
      for (const Expr& o : e.operands) flatten(o, out);
      return;
    case K::kIn:
      flatten(e.operands[0], out);
      out.push_back({Tok::Kind::kIn, "in", e.op_range});
      flatten(e.operands[1], out);
      return;
    case K::kRange:
      flatten(e.operands[0], out);
      out.push_back({Tok::Kind::kDots, "..", e.op_range});
      flatten(e.operands[1], out);
      return;
    case K::kPath:
      if (e.path.size() == 1) {
        out.push_back({Tok::Kind::kWord, e.path.front().text, e.range});
        return;
      }
      break;
    case K::kNumber: out.push_back({Tok::Kind::kNumber, e.text, e.range}); return;
    case K::kTime: out.push_back({Tok::Kind::kTime, e.text, e.range}); return;
    default: break;
  }
  out.push_back({Tok::Kind::kOther, ast::describe(e), e.range});
}

const std::vector<std::string>& weekday_words() {
  static const std::vector<std::string> words = {"mon", "tue", "wed", "thu", "fri", "sat", "sun",
                                                 "monday", "tuesday", "wednesday", "thursday", "friday",
                                                 "saturday", "sunday"};
  return words;
}

const std::vector<std::string>& month_words() {
  static const std::vector<std::string> words = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
      "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
      "december"};
  return words;
}

std::optional<int> ordinal(std::string_view w) {
  if (w == "first") return 1;
  if (w == "second") return 2;
  if (w == "third") return 3;
  if (w == "fourth") return 4;
  if (w == "fifth") return 5;
  if (w == "last") return Schedule::kLast;
  return std::nullopt;
}

class Reader {
 public:
  Reader(std::vector<Tok> toks, SourceRange whole, DiagnosticSink& sink)
      : toks_(std::move(toks)), whole_(whole), sink_(sink) {}

  bool at_end() const { return pos_ >= toks_.size(); }
  const Tok* peek(size_t ahead = 0) const { return pos_ + ahead < toks_.size() ? &toks_[pos_ + ahead] : nullptr; }
  bool peek_word(std::string_view w, size_t ahead = 0) const {
    const Tok* t = peek(ahead);
    return t != nullptr && t->kind == Tok::Kind::kWord && t->text == w;
  }
  SourceRange here() const {
    if (!at_end()) return toks_[pos_].range;
    return {whole_.end, whole_.end};
  }
  std::string here_text() const { return at_end() ? "the end of the schedule" : "'" + toks_[pos_].text + "'"; }

  void fail(std::string message) {
    if (!failed_) sink_.report(Code::kInvalidSchedule, here(), message);
    failed_ = true;
  }
  bool failed() const { return failed_; }

  bool expect_word(std::string_view w, std::string_view why) {
    if (peek_word(w)) {
      ++pos_;
      return true;
    }
    fail(fmt::format("expected '{}' {}, found {}", w, why, here_text()));
    return false;
  }

  std::optional<Weekday> weekday() {
    const Tok* t = peek();
    if (t == nullptr || t->kind != Tok::Kind::kWord) {
      fail(fmt::format("expected a weekday (mon … sun), found {}", here_text()));
      return std::nullopt;
    }
    ++pos_;
    auto d = parse_weekday(t->text);
    if (d) return *d;
    diag::Diagnostic& diag = sink_.report(Code::kUnknownWeekday, t->range, t->text);
    if (auto m = diag::closest_match(t->text, weekday_words())) diag.suggest(*m);
    failed_ = true;
    return std::nullopt;
  }

  // After the day rule: `at HH:MM` and an optional month filter.
  std::optional<TimeOfDay> time_of_day() {
    if (!expect_word("at", "and a time of day (e.g. 'at 01:00')")) return std::nullopt;
    const Tok* t = peek();
    if (t == nullptr || t->kind != Tok::Kind::kTime) {
      fail(fmt::format("expected a time of day such as 01:00 after 'at', found {}", here_text()));
      return std::nullopt;
    }
    ++pos_;
    auto tod = TimeOfDay::parse(t->text);
    if (!tod) {
      sink_.report(Code::kInvalidTimeOfDay, t->range, t->text);
      failed_ = true;
      return std::nullopt;
    }
    return *tod;
  }

  std::optional<std::set<int>> months() {
    std::set<int> out;
    bool ok = true;
    while (true) {
      const Tok* t = peek();
      if (t == nullptr || t->kind != Tok::Kind::kWord) {
        fail(fmt::format("expected a month name (jan … dec), found {}", here_text()));
        return std::nullopt;
      }
      ++pos_;
      if (auto m = month_number(t->text)) {
        out.insert(*m);
      } else {
        diag::Diagnostic& d = sink_.report(Code::kUnknownMonth, t->range, t->text);
        if (auto s = diag::closest_match(t->text, month_words())) d.suggest(*s);
        failed_ = true;
        ok = false;
      }
      if (peek() != nullptr && peek()->kind == Tok::Kind::kComma) {
        ++pos_;
        continue;
      }
      break;
    }
    if (!ok) return std::nullopt;
    return out;
  }

  bool comma() {
    if (peek() != nullptr && peek()->kind == Tok::Kind::kComma) {
      ++pos_;
      return true;
    }
    return false;
  }

  void advance() { ++pos_; }

  // The recurrence of a schedule, before its time of day and month filter.
  struct Recurrence {
    enum class Rule { kDaily, kWeekly, kNth, kDays } rule = Rule::kDaily;
    std::set<Weekday> weekdays;
    std::vector<NthWeekday> nth;
    std::set<int> days;
  };

  // Reads a whole schedule.
  std::optional<Schedule> schedule() {
    if (at_end()) {
      fail("the schedule is empty");
      return std::nullopt;
    }
    auto rec = recurrence();
    if (!rec) return std::nullopt;
    auto at = time_of_day();
    if (!at) return std::nullopt;
    std::optional<std::set<int>> month_filter;
    if (peek() != nullptr && peek()->kind == Tok::Kind::kIn) {
      advance();
      month_filter = months();
      if (!month_filter) return std::nullopt;
    }
    if (!at_end()) {
      fail(fmt::format("unexpected {} after the schedule", here_text()));
      return std::nullopt;
    }
    Result<Schedule> s = Schedule::daily(*at);
    switch (rec->rule) {
      case Recurrence::Rule::kDaily:
        break;
      case Recurrence::Rule::kWeekly:
        s = Schedule::weekly(rec->weekdays, *at);
        break;
      case Recurrence::Rule::kNth:
        s = Schedule::nth_weekday_of_month(rec->nth, *at);
        break;
      case Recurrence::Rule::kDays:
        s = Schedule::days_of_month(rec->days, *at);
        break;
    }
    if (s && month_filter) s = s->with_months(*month_filter);
    if (!s) {
      sink_.report(Code::kInvalidSchedule, whole_, s.error().message);
      failed_ = true;
      return std::nullopt;
    }
    return *s;
  }

  // daily | day <n|last>[, …] of month | last day of month | <ordinal> <weekday>[, …] of month | weekdays.
  std::optional<Recurrence> recurrence() {
    Recurrence rec;
    // "every day at …" reads as daily; "every sun at …" as sun.
    if (peek_word("every") && peek(1) != nullptr && peek(1)->kind == Tok::Kind::kWord) advance();
    const Tok& first = *peek();
    const bool plain_day = peek_word("day") && peek(1) != nullptr && peek(1)->kind != Tok::Kind::kNumber &&
                           !(peek(1)->kind == Tok::Kind::kWord && peek(1)->text == "last");
    bool ok = true;
    if (peek_word("daily") || plain_day) {
      advance();
    } else if (peek_word("day") || (peek_word("last") && peek_word("day", 1))) {
      rec.rule = Recurrence::Rule::kDays;
      ok = days_of_month(rec.days);
    } else if (first.kind == Tok::Kind::kWord && ordinal(first.text)) {
      rec.rule = Recurrence::Rule::kNth;
      ok = nth_weekdays(rec.nth);
    } else {
      rec.rule = Recurrence::Rule::kWeekly;
      ok = weekday_list(rec.weekdays);
    }
    if (!ok) return std::nullopt;
    return rec;
  }

  // `day <n|last>[, <n|last>…] of month` or `last day of month`.
  bool days_of_month(std::set<int>& days) {
    if (peek_word("last")) {
      advance();
      advance();
      days.insert(Schedule::kLastDay);
    } else {
      advance();
      do {
        const Tok* t = peek();
        if (t != nullptr && t->kind == Tok::Kind::kWord && t->text == "last") {
          advance();
          days.insert(Schedule::kLastDay);
          continue;
        }
        if (t == nullptr || t->kind != Tok::Kind::kNumber) {
          fail(fmt::format("expected a day of the month (1 … 31 or 'last'), found {}", here_text()));
          return false;
        }
        advance();
        int n = 0;
        for (char c : t->text)
          n = std::isdigit(static_cast<unsigned char>(c)) && n < 1000 ? n * 10 + (c - '0') : 1000;
        if (n < 1 || n > 31) {
          sink_.report(Code::kNumberOutOfRange, t->range, "day of the month", t->text, "1 to 31");
          failed_ = true;
          return false;
        }
        days.insert(n);
      } while (comma());
    }
    return expect_word("of", "after the days (e.g. 'day 1,15 of month')") &&
           expect_word("month", "after 'of'");
  }

  // `<ordinal> <weekday>[, <ordinal> <weekday>…] of month`.
  bool nth_weekdays(std::vector<NthWeekday>& nth) {
    do {
      const Tok* t = peek();
      std::optional<int> n = t != nullptr && t->kind == Tok::Kind::kWord ? ordinal(t->text) : std::nullopt;
      if (!n) {
        fail(fmt::format("expected first, second, third, fourth, fifth or last, found {}", here_text()));
        return false;
      }
      advance();
      auto d = weekday();
      if (!d) return false;
      nth.push_back(NthWeekday{*n, *d});
    } while (comma());
    return expect_word("of", "after the weekday (e.g. 'first sun of month')") &&
           expect_word("month", "after 'of'");
  }

  // `<weekday>[..<weekday>][, …]`.
  bool weekday_list(std::set<Weekday>& weekdays) {
    do {
      auto from = weekday();
      if (!from) return false;
      if (peek() != nullptr && peek()->kind == Tok::Kind::kDots) {
        advance();
        auto to = weekday();
        if (!to) return false;
        for (int d = static_cast<int>(*from);; d = (d + 1) % 7) {
          weekdays.insert(static_cast<Weekday>(d));
          if (d == static_cast<int>(*to)) break;
        }
      } else if (peek_word("to")) {
        sink_.report(Code::kInvalidSchedule, peek()->range, "weekday ranges are written with '..' (mon..sat)")
            .suggest("..");
        failed_ = true;
        return false;
      } else {
        weekdays.insert(*from);
      }
    } while (comma());
    return true;
  }

  // Reads a drill frequency; falls back to a full schedule.
  std::optional<Schedule> every() {
    static const std::vector<std::string> kUnits = {"day", "days", "week", "weeks", "month", "months",
                                                    "quarter", "quarters", "year", "years"};
    const Tok* t = peek();
    if (t == nullptr) {
      fail("expected a frequency such as month, quarter, 6 months or year");
      return std::nullopt;
    }
    int count = 1;
    const Tok* count_tok = nullptr;
    if (t->kind == Tok::Kind::kNumber) {
      count_tok = t;
      count = 0;
      for (char c : t->text) count = std::isdigit(static_cast<unsigned char>(c)) && count < 1000 ? count * 10 + (c - '0') : 1000;
      advance();
      t = peek();
    } else if (t->kind == Tok::Kind::kWord &&
               (std::find(kUnits.begin(), kUnits.end(), t->text) == kUnits.end() ||
                (t->text == "day" && peek(1) != nullptr && peek(1)->kind == Tok::Kind::kNumber))) {
      // Not a frequency word: a full schedule ("first mon of month at 09:00").
      if (std::find(kUnits.begin(), kUnits.end(), t->text) == kUnits.end() && !ordinal(t->text) &&
          t->text != "daily" && t->text != "day" && !parse_weekday(t->text)) {
        diag::Diagnostic& d = sink_.report(Code::kUnknownWord, t->range, "frequency", t->text,
                                           "day, week, month, quarter, year, '<n> months' or a schedule");
        if (auto m = diag::closest_match(t->text, kUnits)) d.suggest(*m);
        failed_ = true;
        return std::nullopt;
      }
      return schedule();
    }
    if (t == nullptr || t->kind != Tok::Kind::kWord ||
        std::find(kUnits.begin(), kUnits.end(), t->text) == kUnits.end()) {
      fail(fmt::format("expected day, week, month, quarter or year, found {}", here_text()));
      return std::nullopt;
    }
    const std::string unit = t->text.back() == 's' ? t->text.substr(0, t->text.size() - 1) : t->text;
    const SourceRange unit_range = t->range;
    advance();
    TimeOfDay at = *TimeOfDay::from_hm(6, 0);
    if (!at_end()) {
      auto parsed = time_of_day();
      if (!parsed) return std::nullopt;
      at = *parsed;
      if (!at_end()) {
        fail(fmt::format("unexpected {} after the frequency", here_text()));
        return std::nullopt;
      }
    }
    int months = 0;
    if (unit == "day" || unit == "week") {
      if (count != 1) {
        sink_.report(Code::kNumberOutOfRange, count_tok->range, "count", count_tok->text,
                     fmt::format("only 1 {} is supported; use a schedule for other intervals", unit));
        failed_ = true;
        return std::nullopt;
      }
      if (unit == "day") return Schedule::daily(at);
      return *Schedule::weekly({Weekday::kMonday}, at);
    }
    months = unit == "month" ? count : unit == "quarter" ? 3 * count : 12 * count;
    auto month_set = Schedule::every_n_months(months, 1);
    if (!month_set) {
      sink_.report(Code::kNumberOutOfRange, count_tok != nullptr ? diag::join(count_tok->range, unit_range) : unit_range,
                   "interval", fmt::format("{} months", months), "the number of months must divide 12: 1, 2, 3, 4, 6 or 12");
      failed_ = true;
      return std::nullopt;
    }
    auto s = Schedule::days_of_month({1}, at);
    if (s && months != 1) s = s->with_months(*month_set);
    if (!s) {
      sink_.report(Code::kInvalidSchedule, whole_, s.error().message);
      failed_ = true;
      return std::nullopt;
    }
    return *s;
  }

 private:
  std::vector<Tok> toks_;
  size_t pos_ = 0;
  SourceRange whole_;
  DiagnosticSink& sink_;
  bool failed_ = false;
};

}  // namespace

std::optional<Schedule> read_schedule(const Expr& value, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kError)) return std::nullopt;
  std::vector<Tok> toks;
  flatten(value, toks);
  Reader reader(std::move(toks), value.range, sink);
  return reader.schedule();
}

std::optional<Schedule> read_every(const Expr& value, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kError)) return std::nullopt;
  std::vector<Tok> toks;
  flatten(value, toks);
  Reader reader(std::move(toks), value.range, sink);
  return reader.every();
}

}  // namespace sk::sema
