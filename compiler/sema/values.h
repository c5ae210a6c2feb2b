// Internal to sema: readers that interpret one AST value as a typed value (string, duration, percent, word from a
// closed set, lists), reporting SK02xx diagnostics with exact ranges. Every reader returns nullopt after reporting,
// and returns nullopt silently for Expr::Kind::kError (the syntax error was already reported).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/retain_period.h"
#include "kernel/domain/schedule.h"
#include "kernel/domain/time.h"
#include "compiler/model/policy.h"

namespace sk::sema {

using diag::DiagnosticSink;
using diag::SourceRange;

// The validated entries of one block: unknown keys (with did-you-mean), duplicate keys, wrong operators and
// unexpected nested blocks are reported on construction.
class BlockKeys {
 public:
  // `what` names the block in messages ("tier 'daily'"); `threshold_keys` may use >= / <= as well as '='.
  BlockKeys(const ast::Block& block, std::string what, const std::vector<std::string>& known,
            DiagnosticSink& sink, const std::vector<std::string>& threshold_keys = {},
            const std::vector<std::string>& nested_blocks = {});

  [[nodiscard]] const ast::Entry* get(std::string_view key) const;
  // True if the user wrote `key` in some form: valid, duplicated, with a wrong operator, or misspelt so that it
  // was suggested. A required key that was attempted is not reported as missing a second time.
  [[nodiscard]] bool attempted(std::string_view key) const;
  [[nodiscard]] const std::string& what() const { return what_; }
  [[nodiscard]] const ast::Block& block() const { return block_; }

 private:
  const ast::Block& block_;
  std::string what_;
  std::vector<std::pair<std::string, const ast::Entry*>> entries_;
  std::vector<std::string> attempted_;
};

// A string literal value.
std::optional<std::string> read_string(const ast::Entry& entry, DiagnosticSink& sink);
std::optional<std::string> read_string(const ast::Expr& value, std::string_view key, DiagnosticSink& sink);
// A duration with a unit ("14d"); `example` is the unit suggested for a bare number ("d", "h").
std::optional<Duration> read_duration(const ast::Expr& value, std::string_view key, std::string_view example_unit,
                                      DiagnosticSink& sink);
// A tier's `retain`: a duration ("14d") or calendar months / years ("18 months", "1 year", "7 years"). Spellings
// the language does not have ("7y", "18mo", "2 quarters", "18 monts") get SK0240 / SK0241 with what to write.
std::optional<RetainPeriod> read_retain(const ast::Expr& value, DiagnosticSink& sink);
std::optional<Percent> read_percent(const ast::Expr& value, std::string_view key, DiagnosticSink& sink);
std::optional<bool> read_bool(const ast::Entry& entry, DiagnosticSink& sink);
std::optional<int64_t> read_integer(const ast::Expr& value, std::string_view key, int64_t min, int64_t max,
                                    DiagnosticSink& sink);
// One word out of `words` (a single identifier); unknown words get SK0207 with a suggestion.
// `what` names the set in messages ("backup kind").
std::optional<std::string> read_word(const ast::Expr& value, std::string_view key, std::string_view what,
                                     const std::vector<std::string>& words, DiagnosticSink& sink);
// A string, or a list of strings; each with its range.
struct Located {
  std::string text;
  SourceRange range;
};
std::optional<std::vector<Located>> read_strings(const ast::Expr& value, std::string_view key, bool allow_single,
                                                 DiagnosticSink& sink);
// The same check without the copies, for lists that can be long: true when `value` is a list of strings (or, with
// allow_single, a string), whose elements the caller then reads from the tree; false after reporting what is not.
bool is_string_list(const ast::Expr& value, std::string_view key, bool allow_single, DiagnosticSink& sink);
// "jan", "february", …, case-insensitive → 1..12.
std::optional<int> month_number(std::string_view word);

// Schedules: `mon..sat at 01:00`, `first sun of month at 01:00`, `day 1,15 of month at 02:00 in jan,jul`, …
std::optional<Schedule> read_schedule(const ast::Expr& value, DiagnosticSink& sink);
// Blackouts: `not between 08:00 and 20:00 on mon..fri`, `not on 12-24..12-26`, comma-separated.
std::optional<std::vector<Blackout>> read_blackouts(const ast::Expr& value, DiagnosticSink& sink);
// Drill frequencies: `month`, `quarter`, `6 months`, `year`, `week`, `day`, each with optional `at HH:MM`.
std::optional<Schedule> read_every(const ast::Expr& value, DiagnosticSink& sink);
// Inclusion rules: `tables where <condition>` (or `all` / `tables`: every table).
std::optional<model::Predicate> read_include(const ast::Expr& value, DiagnosticSink& sink);

// Joined with ", " — for messages listing allowed words.
std::string join_words(const std::vector<std::string>& words);

}  // namespace sk::sema
