// Schedule phrases. The AST keeps a schedule as nested phrases / comma sequences / `in` relations; it is flattened
// into a word list and read by a small recursive-descent reader with exact ranges:
//   daily at HH:MM
//   <weekday>[..<weekday>][, …] at HH:MM              (mon..sat, sun, mon,wed,fri)
//   every <n> weeks on <weekdays> at HH:MM from YYYY-MM-DD
//   <ordinal> <weekday or "weekday">[, …] of month at HH:MM   (first … fifth, last; `last weekday`: Mon–Fri)
//   day <n|last>[, <n|last>…] of month at HH:MM       (day 1,15 of month; last day of month)
// each optionally followed by `in <month>[, <month>…]` and by blackouts `, not between HH:MM and HH:MM [on
// <weekdays>]` / `, not on MM-DD[..MM-DD]` (also read alone for `blackout = …` entries). Cron lines and units the
// language lacks get "not supported; write X instead" (SK0228, SK0229).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

#include <fmt/format.h>

#include "compiler/sema/values.h"

namespace sk::sema {
namespace {

using ast::Expr;
using diag::Code;

struct Tok {
  enum class Kind { kWord, kNumber, kTime, kDate, kString, kQuantity, kComma, kDots, kIn, kOther } kind;
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
        out.push_back({Tok::Kind::kWord, std::string(e.path.front().text), e.range});
        return;
      }
      break;
    case K::kNumber: out.push_back({Tok::Kind::kNumber, std::string(e.text), e.range}); return;
    case K::kTime: out.push_back({Tok::Kind::kTime, std::string(e.text), e.range}); return;
    case K::kDate: out.push_back({Tok::Kind::kDate, std::string(e.text), e.range}); return;
    case K::kString: out.push_back({Tok::Kind::kString, std::string(e.text), e.range}); return;
    case K::kQuantity: out.push_back({Tok::Kind::kQuantity, std::string(e.text), e.range}); return;
    case K::kNot:  // `not between 08:00 and 20:00`, `not on 12-24..12-26`: blackouts
      out.push_back({Tok::Kind::kWord, "not", e.op_range});
      flatten(e.operands[0], out);
      return;
    case K::kAnd:
      for (size_t i = 0; i < e.operands.size(); ++i) {
        if (i) {
          const SourceRange prev = e.operands[i - 1].range, next = e.operands[i].range;
          out.push_back({Tok::Kind::kWord, "and", {prev.end, next.begin}});
        }
        flatten(e.operands[i], out);
      }
      return;
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
    return time_value("'at'");
  }

  // A TIME token, after `after`.
  std::optional<TimeOfDay> time_value(std::string_view after) {
    const Tok* t = peek();
    if (t == nullptr || t->kind != Tok::Kind::kTime) {
      fail(fmt::format("expected a time of day such as 01:00 after {}, found {}", after, here_text()));
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
      if (comma()) continue;
      break;
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // A comma continuing a list; not one that starts a blackout clause (`, not …`).
  bool comma() {
    if (peek() != nullptr && peek()->kind == Tok::Kind::kComma && !peek_word("not", 1)) {
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
    int interval_weeks = 1;  // `every <n> weeks on …`
    SourceRange interval_range;
  };

  // Reads a whole schedule.
  std::optional<Schedule> schedule() {
    if (at_end()) {
      fail("the schedule is empty");
      return std::nullopt;
    }
    if (cron_like()) return std::nullopt;
    if (sub_daily_follows()) return sub_daily_schedule();
    auto rec = recurrence();
    if (!rec) return std::nullopt;
    auto at = time_of_day();
    if (!at) return std::nullopt;
    std::optional<CivilDay> anchor;
    const SourceRange from_range = here();
    if (peek_word("from")) {
      advance();
      anchor = full_date();
      if (!anchor) return std::nullopt;
    }
    const auto tail = tail_clauses();
    if (!tail) return std::nullopt;
    return finish(build(*rec, *at, anchor, from_range), *tail);
  }

  // The clauses any schedule may end with: `in <months>`, then `, not …` blackouts, then the end of the text.
  struct Tail {
    std::optional<std::set<int>> month_filter;
    std::vector<Blackout> blackouts;
  };
  std::optional<Tail> tail_clauses() {
    Tail t;
    if (peek() != nullptr && peek()->kind == Tok::Kind::kIn) {
      advance();
      t.month_filter = months();
      if (!t.month_filter) return std::nullopt;
    }
    if (blackout_clause_follows()) {
      advance();
      if (!blackout_clauses(t.blackouts)) return std::nullopt;
    }
    if (!at_end()) {
      fail(fmt::format("unexpected {} after the schedule", here_text()));
      return std::nullopt;
    }
    return t;
  }

  // The tail applied to a built schedule; a schedule the kernel refuses is SK0221 over the whole text (unless a
  // diagnostic was already reported).
  std::optional<Schedule> finish(Result<Schedule> s, const Tail& tail) {
    if (s && tail.month_filter) s = s->with_months(*tail.month_filter);
    if (s && !tail.blackouts.empty()) s = s->with_blackouts(tail.blackouts);
    if (!s) {
      if (!failed_) sink_.report(Code::kInvalidSchedule, whole_, s.error().message);
      failed_ = true;
      return std::nullopt;
    }
    return *s;
  }

  // ---- sub-daily firings: every hour at :MM | every <n> hours from HH:MM, then [on <weekdays>] [in …] [, not …]

  static bool hour_word(std::string_view w) { return w == "hour" || w == "hours" || w == "hr" || w == "hrs"; }
  static bool minute_word(std::string_view w) {
    return w == "minute" || w == "minutes" || w == "min" || w == "mins";
  }

  // `every hour`, `every <n> hours`, `every <n> minutes`, `every 4h`, `every 30m`.
  bool sub_daily_follows() const {
    if (!peek_word("every") || peek(1) == nullptr) return false;
    const Tok& a = *peek(1);
    if (a.kind == Tok::Kind::kWord) return hour_word(a.text) || minute_word(a.text);
    if (a.kind == Tok::Kind::kQuantity) return a.text.back() == 'h' || a.text.back() == 'm';
    const Tok* unit = peek(2);
    return a.kind == Tok::Kind::kNumber && unit != nullptr && unit->kind == Tok::Kind::kWord &&
           (hour_word(unit->text) || minute_word(unit->text));
  }

  static int count_of(std::string_view digits) {
    int n = 0;
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) break;
      n = n < 100000 ? n * 10 + (c - '0') : 100000;
    }
    return n;
  }

  // What to write for an interval of `minutes` that a tier cannot have.
  static std::string instead_of_minutes(int minutes) {
    if (minutes >= 60 && minutes % 60 == 0) return instead_of_hours(minutes / 60);
    return "'every hour at :00'";
  }
  static std::string instead_of_hours(int hours) {
    if (hours == 1) return "'every hour at :00'";
    if (hours == 24) return "'daily at 00:00'";
    if (hours > 24) return "'daily at 01:00' or a weekday list such as 'mon, wed, fri at 01:00'";
    int d = hours;
    while (24 % d != 0) --d;
    return d == 1 ? "'every hour at :00'" : fmt::format("'every {} hours from 00:00'", d);
  }

  // Reads the interval; reports SK0233/SK0234 for intervals a tier cannot have. 0 when reported.
  int sub_daily_interval(SourceRange& written) {
    const SourceRange every = here();
    advance();
    const Tok& a = *peek();
    advance();
    int n = 1;
    bool minutes = false;
    std::string what;
    if (a.kind == Tok::Kind::kQuantity) {
      n = count_of(a.text);
      minutes = a.text.back() == 'm';
      what = fmt::format("every {}", a.text);
      written = diag::join(every, a.range);
      const std::string spelled = fmt::format("{} {}", n, minutes ? "minutes" : "hours");
      if (!minutes && n >= 1 && n < 24 && 24 % n == 0) {
        sink_.report(Code::kInvalidSchedule, a.range, fmt::format("write the interval with words: 'every {}'", spelled))
            .suggest(spelled);
        failed_ = true;
        return 0;
      }
    } else if (a.kind == Tok::Kind::kNumber) {
      n = count_of(a.text);
      const Tok& unit = *peek();
      advance();
      minutes = minute_word(unit.text);
      what = fmt::format("every {} {}", a.text, unit.text);
      written = diag::join(every, unit.range);
    } else {
      minutes = minute_word(a.text);
      what = "every " + a.text;
      written = diag::join(every, a.range);
    }
    if (minutes) {
      sink_.report(Code::kSubHourlySchedule, written, what, instead_of_minutes(n))
          .note(std::nullopt, "StarRocks runs one backup job per database at a time and a BACKUP's timeout is at least "
                              "10 minutes; an interval shorter than an hour leaves a job no room to finish");
      failed_ = true;
      return 0;
    }
    if (n < 1 || n > 12 || 24 % n != 0) {
      sink_.report(Code::kHoursNotDividingDay, written, what, instead_of_hours(n))
          .note(std::nullopt, "a tier's slots are the same every day, so the hours between them divide 24: 1, 2, 3, "
                              "4, 6, 8 or 12");
      failed_ = true;
      return 0;
    }
    return n;
  }

  // `at :MM` (the minute past each hour), or `at HH:MM` / `from HH:MM` (the day's first slot).
  std::optional<TimeOfDay> first_slot(int hours, SourceRange written) {
    const std::string example = hours == 1 ? "'every hour at :00'" : fmt::format("'every {} hours from 00:00'", hours);
    if (!peek_word("at") && !peek_word("from")) {
      sink_.report(Code::kMissingFirstSlot, written, hours == 1 ? "every hour" : fmt::format("every {} hours", hours),
                   example)
          .note(std::nullopt, "the first slot fixes the times of every day; 'from 00:30' with every 4 hours is 00:30, "
                              "04:30, 08:30, 12:30, 16:30 and 20:30");
      failed_ = true;
      return std::nullopt;
    }
    advance();
    const Tok* t = peek();
    if (t != nullptr && t->kind == Tok::Kind::kTime && t->text.front() == ':') {
      advance();
      const std::string mm = t->text.substr(1);
      if (mm.size() != 2 || count_of(mm) > 59) {
        diag::Diagnostic& d = sink_.report(Code::kInvalidMinute, t->range, t->text);
        if (mm.size() == 1) d.suggest(":0" + mm);
        failed_ = true;
        return std::nullopt;
      }
      return *TimeOfDay::from_hm(0, count_of(mm));
    }
    if (t != nullptr && t->kind == Tok::Kind::kNumber && t->text.size() <= 2) {
      sink_.report(Code::kInvalidMinute, t->range, t->text)
          .suggest(fmt::format(":{:02}", std::min(count_of(t->text), 59)));
      failed_ = true;
      return std::nullopt;
    }
    return time_value("'at' or 'from' (or :MM, the minute past each hour)");
  }

  std::optional<Schedule> sub_daily_schedule() {
    SourceRange written = here();
    const int hours = sub_daily_interval(written);
    if (hours == 0) return std::nullopt;
    const SourceRange first_range = peek(1) != nullptr ? peek(1)->range : here();
    const auto first = first_slot(hours, written);
    if (!first) return std::nullopt;
    if (first->minutes_since_midnight() >= hours * 60) {
      const auto same = *TimeOfDay::from_hm(first->hour() % hours, first->minute());
      sink_.report(Code::kFirstSlotTooLate, first_range, hours, fmt::format("{:02}:00", hours), first->to_string(),
                   fmt::format("'every {} hours from {}'", hours, same.to_string()))
          .note(std::nullopt, fmt::format("every day has the same slots ({}, {}, …); to fire only in some hours, add a "
                                          "blackout such as ', not between 20:00 and 08:00'",
                                          same.to_string(),
                                          TimeOfDay::from_hm(same.hour() + hours, same.minute())->to_string()))
          .suggest(fmt::format("from {}", same.to_string()));
      failed_ = true;
      return std::nullopt;
    }
    std::set<Weekday> weekdays;
    if (peek_word("on")) {
      advance();
      if (!weekday_list(weekdays)) return std::nullopt;
    }
    const auto tail = tail_clauses();
    if (!tail) return std::nullopt;
    auto s = weekdays.empty() ? Result<Schedule>(Schedule::daily(*first)) : Schedule::weekly(weekdays, *first);
    if (s) s = s->with_hours(hours);
    return finish(std::move(s), *tail);
  }

  // The schedule of a recurrence at a time of day, with the anchor of `every <n> weeks`.
  Result<Schedule> build(const Recurrence& rec, TimeOfDay at, std::optional<CivilDay> anchor, SourceRange from_range) {
    if (anchor && rec.interval_weeks == 1) {
      sink_.report(Code::kInvalidSchedule, from_range,
                   "'from <date>' anchors 'every <n> weeks' schedules only; remove it");
      failed_ = true;
      return sk::fail("sema.schedule", "reported");
    }
    switch (rec.rule) {
      case Recurrence::Rule::kDaily:
        return Schedule::daily(at);
      case Recurrence::Rule::kWeekly:
        if (rec.interval_weeks == 1) return Schedule::weekly(rec.weekdays, at);
        if (!anchor) {
          const Weekday first = *rec.weekdays.begin();
          const std::string example = fmt::format("'every {} weeks on {} at {} from {}'", rec.interval_weeks,
                                                  to_string(first), at.to_string(), example_anchor(first));
          sink_.report(Code::kMissingAnchor, whole_, rec.interval_weeks, example)
              .note(std::nullopt, "the date is any day the schedule fires on, past or future; it fixes which weeks "
                                  "are the ones that run");
          failed_ = true;
          return sk::fail("sema.schedule", "reported");
        }
        return Schedule::every_n_weeks(rec.weekdays, rec.interval_weeks, *anchor, at);
      case Recurrence::Rule::kNth:
        return Schedule::nth_weekday_of_month(rec.nth, at);
      case Recurrence::Rule::kDays:
        return Schedule::days_of_month(rec.days, at);
    }
    return Schedule::daily(at);
  }

  // The first day on or after 2026-01-01 that is `day`, as an example anchor.
  static std::string example_anchor(Weekday day) {
    CivilDay d(2026, 1, 1);
    while (weekday_of(d) != day) d += 1;
    return iso_date(d);
  }

  // `, not …` after the schedule.
  bool blackout_clause_follows() const {
    return peek() != nullptr && peek()->kind == Tok::Kind::kComma && peek_word("not", 1);
  }

  // daily | day <n|last>[, …] of month | last day of month | <ordinal> <weekday>[, …] of month | weekdays.
  std::optional<Recurrence> recurrence() {
    Recurrence rec;
    if (peek_word("every") && peek(1) != nullptr && peek(1)->kind == Tok::Kind::kNumber) {
      if (!every_n(rec)) return std::nullopt;
      return rec;
    }
    // "every day at …" reads as daily; "every sun at …" as sun.
    if (peek_word("every") && peek(1) != nullptr && peek(1)->kind == Tok::Kind::kWord) advance();
    if (unsupported_word()) return std::nullopt;
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

  // `every <n> weeks on <weekdays>`; other units are not supported (SK0229 with what to write instead).
  bool every_n(Recurrence& rec) {
    advance();
    const Tok& count = *peek();
    advance();
    int n = 0;
    for (char c : count.text) n = std::isdigit(static_cast<unsigned char>(c)) && n < 1000 ? n * 10 + (c - '0') : 1000;
    const Tok* unit = peek();
    if (unit == nullptr || unit->kind != Tok::Kind::kWord) {
      fail(fmt::format("expected 'weeks' after 'every {}', found {}", count.text, here_text()));
      return false;
    }
    const SourceRange written = diag::join(count.range, unit->range);
    const std::string what = fmt::format("every {} {}", count.text, unit->text);
    if (unit->text == "week" || unit->text == "weeks") {
      advance();
      if (n < 1 || n > 52) {
        sink_.report(Code::kNumberOutOfRange, count.range, "interval", count.text, "1 to 52 weeks");
        failed_ = true;
        return false;
      }
      if (!expect_word("on", fmt::format("and the weekdays (e.g. 'every {} weeks on sun at 01:00 from 2026-01-04')", n)))
        return false;
      rec.rule = Recurrence::Rule::kWeekly;
      rec.interval_weeks = n;
      rec.interval_range = written;
      return weekday_list(rec.weekdays);
    }
    static const std::vector<std::pair<std::string, std::string>> kOthers = {
        {"day", "'daily at 01:00', a weekday list such as 'mon, wed, fri at 01:00', or 'every 2 weeks on …'"},
        {"month", "'day 1 of month at 01:00', with 'in jan, apr, jul, oct' for every 3 months"},
        {"quarter", "'day 1 of month at 01:00 in jan, apr, jul, oct'"},
        {"year", "'day 1 of month at 01:00 in jan'"}};
    const std::string singular = unit->text.size() > 1 && unit->text.back() == 's'
                                     ? unit->text.substr(0, unit->text.size() - 1) : unit->text;
    for (const auto& [word, instead] : kOthers) {
      if (singular == word) {
        sink_.report(Code::kUnsupportedScheduleForm, written, what, instead);
        failed_ = true;
        return false;
      }
    }
    diag::Diagnostic& d = sink_.report(Code::kUnknownWord, unit->range, "schedule unit", unit->text, "weeks");
    if (auto m = diag::closest_match(unit->text, {"weeks", "week"})) d.suggest(*m);
    failed_ = true;
    return false;
  }

  // Words people reach for that the language spells differently: SK0229 with the form to write.
  bool unsupported_word() {
    static const std::vector<std::pair<std::string, std::string>> kWords = {
        {"hourly", "'every hour at :00'"},
        {"weekly", "a weekday, e.g. 'sun at 01:00'"},
        {"biweekly", "'every 2 weeks on sun at 01:00 from 2026-01-04'"},
        {"fortnightly", "'every 2 weeks on sun at 01:00 from 2026-01-04'"},
        {"monthly", "'day 1 of month at 01:00'"},
        {"quarterly", "'day 1 of month at 01:00 in jan, apr, jul, oct'"},
        {"yearly", "'day 1 of month at 01:00 in jan'"},
        {"annually", "'day 1 of month at 01:00 in jan'"},
        {"hour", "'every hour at :00'"},
        {"minute", "'every hour at :00' (a tier fires at most once an hour)"},
        {"week", "a weekday, e.g. 'sun at 01:00'"},
        {"month", "'day 1 of month at 01:00'"},
        {"quarter", "'day 1 of month at 01:00 in jan, apr, jul, oct'"},
        {"year", "'day 1 of month at 01:00 in jan'"}};
    const Tok* t = peek();
    if (t == nullptr || t->kind != Tok::Kind::kWord) return false;
    for (const auto& [word, instead] : kWords) {
      if (t->text == word) {
        sink_.report(Code::kUnsupportedScheduleForm, t->range, word, instead);
        failed_ = true;
        return true;
      }
    }
    return false;
  }

  // A cron expression, quoted ("0 5 * * *") or not (the stars are then already reported as stray characters):
  // SK0228 with the equivalent schedule where there is a simple one.
  bool cron_like() {
    const Tok& t = *peek();
    std::vector<std::string> fields;
    if (t.kind == Tok::Kind::kString) {
      std::string field;
      for (char c : t.text + " ") {
        if (c == ' ' || c == '\t') {
          if (!field.empty()) fields.push_back(field);
          field.clear();
        } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '*' || c == '/' || c == ',' || c == '-') {
          field += c;
        } else {
          fail("a schedule is written without quotes, e.g. schedule = mon..sat at 01:00");
          return true;
        }
      }
      if (fields.size() != 5) {
        fail("a schedule is written without quotes, e.g. schedule = mon..sat at 01:00");
        return true;
      }
    } else if (t.kind == Tok::Kind::kNumber && peek(1) != nullptr && peek(1)->kind == Tok::Kind::kNumber) {
      for (const Tok* n = &t; n != nullptr && n->kind == Tok::Kind::kNumber; n = peek(fields.size()))
        fields.push_back(n->text);
      while (fields.size() < 5) fields.push_back("*");
    } else {
      return false;
    }
    sink_.report(Code::kCronSchedule, whole_, cron_equivalent(fields))
        .note(std::nullopt, "schedules read like 'mon..sat at 01:00', 'first sun of month at 01:00' or "
                            "'day 1, 15 of month at 02:00' (docs/language.md §7)");
    failed_ = true;
    return true;
  }

  // "'daily at 05:00'" for "0 5 * * *"; a generic example for anything else.
  static std::string cron_equivalent(const std::vector<std::string>& f) {
    const auto number = [](const std::string& x, int hi) -> std::optional<int> {
      if (x.empty() || x.size() > 2 || !std::all_of(x.begin(), x.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
      const int v = std::stoi(x);
      return v <= hi ? std::optional<int>(v) : std::nullopt;
    };
    const auto minute = number(f[0], 59), hour = number(f[1], 23);
    if (!minute || !hour || f[3] != "*") return "'daily at 01:00' or 'mon..sat at 01:00'";
    const std::string at = TimeOfDay::from_hm(*hour, *minute)->to_string();
    if (f[2] == "*" && f[4] == "*") return fmt::format("'daily at {}'", at);
    if (f[2] == "*") {
      if (auto dow = number(f[4], 7)) {
        return fmt::format("'{} at {}'", to_string(static_cast<Weekday>((*dow + 6) % 7)), at);
      }
    }
    if (f[4] == "*") {
      if (auto dom = number(f[2], 31); dom && *dom >= 1) return fmt::format("'day {} of month at {}'", *dom, at);
    }
    return fmt::format("'daily at {}' or 'mon..sat at {}'", at, at);
  }

  // YYYY-MM-DD, a real calendar day.
  std::optional<CivilDay> full_date() {
    const Tok* t = peek();
    if (t == nullptr || t->kind != Tok::Kind::kDate) {
      fail(fmt::format("expected a date such as 2026-01-04 after 'from', found {}", here_text()));
      return std::nullopt;
    }
    advance();
    int y = 0, m = 0, d = 0;
    char extra = 0;
    if (t->text.size() == 10 && std::sscanf(t->text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && m >= 1 &&
        m <= 12 && d >= 1 && CivilDay(y, m, d).day() == d && y >= 1900 && y <= 9999) {
      return CivilDay(y, m, d);
    }
    sink_.report(Code::kInvalidDate, t->range, t->text, "write a calendar date as YYYY-MM-DD, e.g. 2026-01-04");
    failed_ = true;
    return std::nullopt;
  }

  // MM-DD (any year; 02-29 allowed).
  std::optional<std::pair<int, int>> month_day() {
    const Tok* t = peek();
    if (t == nullptr || t->kind != Tok::Kind::kDate) {
      fail(fmt::format("expected a day of the year such as 12-24 (MM-DD) after 'on', found {}", here_text()));
      return std::nullopt;
    }
    advance();
    int m = 0, d = 0;
    char extra = 0;
    static constexpr int kDays[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (t->text.size() <= 5 && std::sscanf(t->text.c_str(), "%2d-%2d%c", &m, &d, &extra) == 2 && m >= 1 &&
        m <= 12 && d >= 1 && d <= kDays[m]) {
      return std::pair{m, d};
    }
    const bool full = std::count(t->text.begin(), t->text.end(), '-') == 2;
    sink_.report(Code::kInvalidDate, t->range, t->text,
                 full ? "blackout days recur every year: write MM-DD, e.g. 12-24"
                      : "write a day of the year as MM-DD, e.g. 12-24");
    failed_ = true;
    return std::nullopt;
  }

  // `not between HH:MM and HH:MM [on <weekdays>]` or `not on MM-DD[..MM-DD][, …]`, separated by commas.
  bool blackout_clauses(std::vector<Blackout>& out) {
    do {
      if (!expect_word("not", "to start a blackout (e.g. 'not on 12-24..12-26')")) return false;
      if (peek_word("between")) {
        advance();
        Blackout b;
        b.kind = Blackout::Kind::kHours;
        auto from = time_value("'between'");
        if (!from || !expect_word("and", "between the two times (e.g. 'between 08:00 and 20:00')")) return false;
        auto to = time_value("'and'");
        if (!to) return false;
        b.from = *from;
        b.to = *to;
        if (peek_word("on")) {
          advance();
          std::set<Weekday> days;
          if (!weekday_list(days)) return false;
          b.weekday_mask = 0;
          for (Weekday w : days) b.weekday_mask = static_cast<std::uint8_t>(b.weekday_mask | (1u << static_cast<int>(w)));
        }
        out.push_back(b);
      } else if (peek_word("on")) {
        advance();
        do {
          auto from = month_day();
          if (!from) return false;
          auto to = from;
          if (peek() != nullptr && peek()->kind == Tok::Kind::kDots) {
            advance();
            to = month_day();
            if (!to) return false;
          }
          out.push_back(Blackout{Blackout::Kind::kDates, {}, {}, 0x7F, from->first, from->second, to->first, to->second});
        } while (comma());
      } else {
        const Tok* t = peek();
        diag::Diagnostic& d = sink_.report(
            Code::kInvalidBlackout, here(),
            fmt::format("expected 'between HH:MM and HH:MM' or 'on MM-DD' after 'not', found {}", here_text()));
        if (t != nullptr && t->kind == Tok::Kind::kWord) {
          if (auto m = diag::closest_match(t->text, {"between", "on"})) d.suggest(*m);
        }
        failed_ = true;
        return false;
      }
    } while (blackout_clause_follows() && (advance(), true));
    return true;
  }

 public:
  // A `blackout = …` entry: one or more clauses and nothing else.
  std::optional<std::vector<Blackout>> blackout_entry() {
    std::vector<Blackout> out;
    if (!blackout_clauses(out)) return std::nullopt;
    if (!at_end()) {
      fail(fmt::format("unexpected {} after the blackout", here_text()));
      return std::nullopt;
    }
    return out;
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
      if (peek_word("weekday") || peek_word("workday") || peek_word("weekdays")) {
        // `last weekday of month`: the last working day Mon–Fri (also `first weekday`).
        if (*n != 1 && *n != Schedule::kLast) {
          sink_.report(Code::kInvalidSchedule, diag::join(t->range, peek()->range),
                       "only the first or the last weekday (Mon–Fri) of a month can be chosen")
              .suggest("last weekday");
          failed_ = true;
          return false;
        }
        advance();
        nth.push_back(NthWeekday{*n, Weekday::kMonday, true});
        continue;
      }
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

std::optional<std::vector<Blackout>> read_blackouts(const Expr& value, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kError)) return std::nullopt;
  std::vector<Tok> toks;
  flatten(value, toks);
  Reader reader(std::move(toks), value.range, sink);
  auto out = reader.blackout_entry();
  if (!out) return std::nullopt;
  if (auto s = Schedule::daily(TimeOfDay()).with_blackouts(*out); !s) {
    sink.report(Code::kInvalidBlackout, value.range, s.error().message);
    return std::nullopt;
  }
  return out;
}

std::optional<Schedule> read_every(const Expr& value, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kError)) return std::nullopt;
  std::vector<Tok> toks;
  flatten(value, toks);
  Reader reader(std::move(toks), value.range, sink);
  return reader.every();
}

}  // namespace sk::sema
