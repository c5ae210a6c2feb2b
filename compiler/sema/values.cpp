#include "compiler/sema/values.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace sk::sema {

using ast::Expr;
using diag::Code;

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += ", ";
    out += words[i];
  }
  return out;
}

BlockKeys::BlockKeys(const ast::Block& block, std::string what, const std::vector<std::string>& known,
                     DiagnosticSink& sink, const std::vector<std::string>& threshold_keys,
                     const std::vector<std::string>& nested_blocks)
    : block_(block), what_(std::move(what)) {
  for (const ast::Entry& e : block.entries) {
    const std::string key(e.key.text);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      diag::Diagnostic& d = sink.report(Code::kUnknownKey, e.key.range, key, what_);
      if (auto m = diag::closest_match(key, known)) {
        attempted_.push_back(*m);
        d.suggest(*m);
      } else {
        d.note(std::nullopt, "known keys: " + join_words(known));
      }
      continue;
    }
    auto previous = std::find_if(entries_.begin(), entries_.end(), [&](const auto& p) { return p.first == key; });
    if (previous != entries_.end()) {
      sink.report(Code::kDuplicateKey, e.key.range, key, what_)
          .note(previous->second->key.range, fmt::format("'{}' was first set here", key));
      continue;
    }
    attempted_.push_back(key);
    const bool threshold = std::find(threshold_keys.begin(), threshold_keys.end(), key) != threshold_keys.end();
    if (e.op != "=" && !(threshold && e.op == ">=")) {
      sink.report(Code::kWrongOperator, e.op_range, threshold ? ">=' or '=" : "=", key, e.op);
      continue;
    }
    entries_.emplace_back(key, &e);
  }
  for (const ast::Block& nested : block.blocks) {
    if (std::find(nested_blocks.begin(), nested_blocks.end(), nested.kind.text) != nested_blocks.end()) continue;
    // `tier daily {` recovers as a block of kind "daily": the syntax error there already says what is wrong.
    const bool after_syntax_error = std::any_of(sink.diagnostics().begin(), sink.diagnostics().end(), [&](const auto& d) {
      return d.code == Code::kSyntaxError && d.range && d.range->begin == nested.kind.range.begin;
    });
    if (after_syntax_error) continue;
    diag::Diagnostic& d = sink.report(Code::kUnknownBlock, nested.kind.range, nested.kind.text, what_);
    if (auto m = diag::closest_match(nested.kind.text, nested_blocks)) d.suggest(*m);
  }
}

bool BlockKeys::attempted(std::string_view key) const {
  return std::find(attempted_.begin(), attempted_.end(), key) != attempted_.end();
}

const ast::Entry* BlockKeys::get(std::string_view key) const {
  for (const auto& [k, e] : entries_) {
    if (k == key) return e;
  }
  return nullptr;
}

namespace {
void wrong_type(const Expr& value, std::string_view key, std::string_view expected, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kError)) return;
  sink.report(Code::kWrongType, value.range, key, expected, ast::describe(value));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::optional<std::string> read_string(const Expr& value, std::string_view key, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kString)) return std::string(value.text);
  if (value.is_word()) {
    sink.report(Code::kWrongType, value.range, key, "a string in double quotes", ast::describe(value))
        .suggest("\"" + std::string(value.path.front().text) + "\"");
    return std::nullopt;
  }
  wrong_type(value, key, "a string in double quotes", sink);
  return std::nullopt;
}

std::optional<std::string> read_string(const ast::Entry& entry, DiagnosticSink& sink) {
  return read_string(entry.value, entry.key.text, sink);
}

std::optional<Duration> read_duration(const Expr& value, std::string_view key, std::string_view example_unit,
                                      DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kNumber)) {
    sink.report(Code::kMissingUnit, value.range, key, value.text, example_unit)
        .suggest(std::string(value.text) + std::string(example_unit));
    return std::nullopt;
  }
  if (value.is(Expr::Kind::kPhrase) && value.operands.size() == 2 && value.operands[0].is(Expr::Kind::kNumber) &&
      value.operands[1].is_word()) {
    // "14 days", "2 hours": suggest the compact form.
    static const std::vector<std::pair<std::string, std::string>> kUnits = {
        {"s", "s"}, {"sec", "s"}, {"second", "s"}, {"seconds", "s"}, {"m", "m"}, {"min", "m"}, {"minute", "m"},
        {"minutes", "m"}, {"h", "h"}, {"hour", "h"}, {"hours", "h"}, {"d", "d"}, {"day", "d"}, {"days", "d"},
        {"w", "w"}, {"week", "w"}, {"weeks", "w"}};
    const std::string word(value.operands[1].path.front().text);
    for (const auto& [name, unit] : kUnits) {
      if (name == word) {
        sink.report(Code::kInvalidDuration, value.range, std::string(value.operands[0].text) + " " + word,
                    "write the number and the unit together")
            .suggest(std::string(value.operands[0].text) + unit);
        return std::nullopt;
      }
    }
  }
  if (!value.is(Expr::Kind::kQuantity)) {
    wrong_type(value, key, "a duration such as 14d, 2h, 90m or 2w", sink);
    return std::nullopt;
  }
  auto d = Duration::parse(value.text);
  if (!d) {
    const bool too_large = d.error().message.find("too large") != std::string::npos;
    sink.report(Code::kInvalidDuration, value.range, value.text,
                too_large ? "too large (at most 1000000d, about 2738 years)"
                          : "use a whole number followed by s, m, h, d or w");
    return std::nullopt;
  }
  if (d->seconds() <= 0) {
    sink.report(Code::kNumberOutOfRange, value.range, key, value.text, "must be longer than zero");
    return std::nullopt;
  }
  return *d;
}

std::optional<Percent> read_percent(const Expr& value, std::string_view key, DiagnosticSink& sink) {
  if (!value.is(Expr::Kind::kPercent)) {
    if (value.is(Expr::Kind::kNumber)) {
      sink.report(Code::kMissingUnit, value.range, key, value.text, "%").suggest(std::string(value.text) + "%");
      return std::nullopt;
    }
    wrong_type(value, key, "a percentage such as 15%", sink);
    return std::nullopt;
  }
  auto p = Percent::parse(value.text);
  if (!p) {
    sink.report(Code::kPercentOutOfRange, value.range, value.text);
    return std::nullopt;
  }
  return *p;
}

std::optional<bool> read_bool(const ast::Entry& entry, DiagnosticSink& sink) {
  auto w = read_word(entry.value, entry.key.text, "boolean", {"true", "false"}, sink);
  if (!w) return std::nullopt;
  return *w == "true";
}

std::optional<int64_t> read_integer(const Expr& value, std::string_view key, int64_t min, int64_t max,
                                    DiagnosticSink& sink) {
  if (!value.is(Expr::Kind::kNumber) || value.text.find('.') != std::string::npos) {
    wrong_type(value, key, "a whole number", sink);
    return std::nullopt;
  }
  const bool negative = value.text.front() == '-';
  int64_t n = 0;
  for (char c : std::string_view(value.text).substr(negative ? 1 : 0)) {
    n = n * 10 + (c - '0');
    if (n > 1'000'000'000) break;
  }
  if (negative) n = -n;
  if (n < min || n > max) {
    sink.report(Code::kNumberOutOfRange, value.range, key, value.text, fmt::format("{} to {}", min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> read_word(const Expr& value, std::string_view key, std::string_view what,
                                     const std::vector<std::string>& words, DiagnosticSink& sink) {
  if (!value.is_word()) {
    wrong_type(value, key, "one of: " + join_words(words), sink);
    return std::nullopt;
  }
  const std::string w(value.path.front().text);
  if (std::find(words.begin(), words.end(), w) != words.end()) return w;
  diag::Diagnostic& d = sink.report(Code::kUnknownWord, value.range, what, w, join_words(words));
  if (auto m = diag::closest_match(w, words)) d.suggest(*m);
  return std::nullopt;
}

bool is_string_list(const Expr& value, std::string_view key, bool allow_single, DiagnosticSink& sink) {
  if (allow_single && value.is(Expr::Kind::kString)) return true;
  if (value.is_word()) {
    sink.report(Code::kWrongType, value.range, key, allow_single ? "a string or a list of strings" : "a list of strings",
                ast::describe(value))
        .suggest(allow_single ? "\"" + std::string(value.path.front().text) + "\""
                              : "[\"" + std::string(value.path.front().text) + "\"]");
    return false;
  }
  if (!value.is(Expr::Kind::kList)) {
    wrong_type(value, key, allow_single ? "a string or a list of strings" : "a list of strings", sink);
    return false;
  }
  bool ok = true;
  for (const Expr& element : value.operands) {
    if (element.is(Expr::Kind::kPhrase) && element.operands.size() >= 2) {
      // ["a" "b"]: two elements juxtaposed.
      const uint32_t at = element.operands[1].range.begin;
      sink.report(Code::kSyntaxError, SourceRange{at, at}, "expected ',' between list elements");
      ok = false;
    } else if (!element.is(Expr::Kind::kString)) {
      wrong_type(element, key, "strings in the list", sink);
      ok = false;
    }
  }
  return ok;
}

std::optional<std::vector<Located>> read_strings(const Expr& value, std::string_view key, bool allow_single,
                                                 DiagnosticSink& sink) {
  if (!is_string_list(value, key, allow_single, sink)) return std::nullopt;
  if (value.is(Expr::Kind::kString)) return std::vector<Located>{{std::string(value.text), value.range}};
  std::vector<Located> out;
  out.reserve(value.operands.size());
  for (const Expr& element : value.operands) out.push_back({std::string(element.text), element.range});
  return out;
}

std::optional<int> month_number(std::string_view word) {
  static const char* const kMonths[] = {"january", "february", "march", "april", "may", "june", "july",
                                        "august", "september", "october", "november", "december"};
  const std::string w = lower(word);
  for (int i = 0; i < 12; ++i) {
    const std::string_view full = kMonths[i];
    if (w == full || (w.size() == 3 && w == full.substr(0, 3)) || (i == 8 && w == "sept")) return i + 1;
  }
  return std::nullopt;
}

}  // namespace sk::sema

namespace sk::sema {
namespace {

// Units a user may reach for, with what to write instead for `n` of them; nullopt: not a unit we know of.
std::optional<std::string> calendar_unit_advice(std::string_view unit, std::string_view n) {
  const std::string u = lower(unit);
  const std::string_view s = n == "1" ? "" : "s";
  if (u == "y" || u == "yr" || u == "yrs" || u == "a") return fmt::format("{} year{}", n, s);
  if (u == "mo" || u == "mon" || u == "mth" || u == "mths" || u == "month" || u == "months")
    return fmt::format("{} month{}", n, s);
  if (u == "year" || u == "years") return fmt::format("{} year{}", n, s);
  return std::nullopt;
}

bool is_duration_word(std::string_view w) {
  static const std::vector<std::string_view> kWords = {"s",       "sec", "second", "seconds", "m",    "min",
                                                       "minute",  "minutes", "h", "hour",    "hours", "d",
                                                       "day",     "days",    "w", "week",    "weeks"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

// "18 months", "7 years"; near misses ("18 monts", "1 yr", "2 quarters") are reported with what to write. Returns
// nullopt without a diagnostic for a phrase that is no calendar period ("14 days"): the caller reads a duration.
std::optional<RetainPeriod> read_retain_phrase(const Expr& value, DiagnosticSink& sink) {
  const std::string n(value.operands[0].text);
  const std::string word(value.operands[1].path.front().text);
  const std::string text = n + " " + word;
  const std::string lw = lower(word);
  if (is_duration_word(lw)) return std::nullopt;  // "14 days": read as a duration, which says to write 14d
  if (n.find('.') != std::string::npos || n.front() == '-') {
    sink.report(Code::kInvalidRetention, value.range, text, "use a whole number of months or years");
    return std::nullopt;
  }
  int64_t count = 0;
  for (char c : n) count = std::min<int64_t>(count * 10 + (c - '0'), 1'000'000'000);
  const auto unsupported = [&](std::string_view what, const std::string& instead) {
    sink.report(Code::kUnsupportedRetainUnit, value.range, text,
                fmt::format("{} are not supported; write {} instead", what, instead))
        .suggest(instead);
  };
  static const std::vector<std::string> kCalendar = {"month", "months", "year", "years"};
  if (std::find(kCalendar.begin(), kCalendar.end(), word) != kCalendar.end()) {
    const int64_t months = word.starts_with("year") ? std::min<int64_t>(count, 1'000'000) * 12 : count;
    if (months < 1 || months > RetainPeriod::kMaxMonths) {
      sink.report(Code::kInvalidRetention, value.range, text,
                  months < 1 ? "keep snapshots at least 1 month (or use a duration such as 14d)"
                             : "at most 1000 years (12000 months)");
      return std::nullopt;
    }
    return *RetainPeriod::months(months);
  }
  if (lw == "quarter" || lw == "quarters") {
    unsupported("quarters", fmt::format("{} months", count * 3));
  } else if (lw == "decade" || lw == "decades") {
    unsupported("decades", fmt::format("{} years", count * 10));
  } else if (auto advice = calendar_unit_advice(lw, n)) {
    sink.report(Code::kUnsupportedRetainUnit, value.range, text,
                fmt::format("'{}' is not a unit of the language; write {} instead", word, *advice))
        .suggest(*advice);
  } else if (auto m = diag::closest_match(lw, kCalendar)) {
    const std::string base = m->starts_with("month") ? "month" : "year";
    sink.report(Code::kInvalidRetention, value.range, text,
                "write a duration (14d) or a number of months or years (18 months, 7 years)")
        .suggest(n + " " + base + (n == "1" ? "" : "s"));
  }
  return std::nullopt;
}

}  // namespace

std::optional<RetainPeriod> read_retain(const Expr& value, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kPhrase) && value.operands.size() == 2 && value.operands[0].is(Expr::Kind::kNumber) &&
      value.operands[1].is_word()) {
    const size_t before = sink.reported();
    auto r = read_retain_phrase(value, sink);
    if (r || sink.reported() != before) return r;
  }
  if (value.is(Expr::Kind::kQuantity)) {
    // "7y", "18mo", "6months": a calendar unit written like a duration.
    const std::string_view t = value.text;
    const size_t digits = std::min(t.find_first_not_of("0123456789"), t.size());
    if (digits > 0 && digits < t.size()) {
      if (auto advice = calendar_unit_advice(t.substr(digits), t.substr(0, digits))) {
        sink.report(Code::kUnsupportedRetainUnit, value.range, value.text,
                    fmt::format("calendar units are written as words; write {} instead", *advice))
            .suggest(*advice);
        return std::nullopt;
      }
    }
  }
  const bool duration_phrase = value.is(Expr::Kind::kPhrase) && value.operands.size() == 2 &&
                               value.operands[1].is_word() && is_duration_word(lower(value.operands[1].path.front().text));
  if (!value.is(Expr::Kind::kQuantity) && !value.is(Expr::Kind::kNumber) && !duration_phrase &&
      !value.is(Expr::Kind::kError)) {
    sink.report(Code::kWrongType, value.range, "retain",
                "a duration such as 14d, or months or years such as 18 months or 7 years", ast::describe(value));
    return std::nullopt;
  }
  auto d = read_duration(value, "retain", "d", sink);
  if (!d) return std::nullopt;
  return RetainPeriod(*d);
}

}  // namespace sk::sema
