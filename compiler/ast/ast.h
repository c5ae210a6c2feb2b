// The syntax tree: what the user wrote, with byte ranges for every node, name and value. Produced by
// syntax::parse() (best effort even when there are syntax errors), consumed only by sema::build_model().
// The tree is generic — blocks, entries, value expressions — so that which keys and words exist is decided (and
// diagnosed with suggestions) by sema, not by the parser. Plain values; no ownership subtleties.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"

namespace sk::ast {

using diag::SourceRange;

// A word as written: a block kind, key, name or path segment.
struct Ident {
  std::string text;
  SourceRange range;
};

// A value expression.
struct Expr {
  enum class Kind {
    kString,     // "…"            text = unescaped value (range includes the quotes)
    kNumber,     // 6, 1.5          text = as written
    kQuantity,   // 14d, 2h, 14x    text = as written (digits followed by a unit word)
    kPercent,    // 15%             text = as written
    kTime,       // 01:00           text = as written
    kDate,       // 2026-01-04, 12-24   text = as written (schedule anchors and blackout days)
    kPath,       // partitioned, job.state    path = segments
    kRange,      // mon..sat        operands = [from (kPath), to (kPath)]; or two kDate (12-24..12-26)
    kList,       // [a, b]          operands = elements
    kCall,       // f(x, k = v)     path = [callee]; operands = arguments; argument_names parallel to operands
    kPhrase,     // first sun of month at 01:00     operands = the juxtaposed atoms (at least two)
    kSequence,   // mon, wed, fri at 01:00          operands = the comma-separated parts (at least two)
    kWhere,      // tables where <condition>        path = [subject]; operands = [condition]
    kAnd,        // operands (at least two)
    kOr,         // operands (at least two)
    kNot,        // operands = [operand]
    kCompare,    // a == b, a >= b …   text = operator; operands = [lhs, rhs]
    kIn,         // a in b             operands = [lhs, rhs]
    kMatches,    // a matches b        operands = [lhs, rhs]
    kError,      // could not be parsed (a syntax error was reported)
  };
  Kind kind = Kind::kError;
  SourceRange range;  // the whole expression as written (without enclosing parentheses)
  std::string text;
  std::vector<Ident> path;
  std::vector<Expr> operands;
  std::vector<std::optional<Ident>> argument_names;
  SourceRange op_range;        // kCompare/kIn/kMatches/kNot/kWhere: the operator keyword or symbol
  bool parenthesized = false;  // written inside ( )

  [[nodiscard]] bool is(Kind k) const { return kind == k; }
  // A single word: a one-segment path ("partitioned", "critical").
  [[nodiscard]] bool is_word() const { return kind == Kind::kPath && path.size() == 1; }
  [[nodiscard]] bool is_word(std::string_view w) const { return is_word() && path.front().text == w; }
  // The dotted text of a kPath ("job.state").
  [[nodiscard]] std::string dotted() const;
};

// "a string", "a number", "a duration", "a list", … — for "expects X, found Y" messages.
[[nodiscard]] std::string describe(const Expr& e);

// `key = value` (or another operator: `snapshot_disk_free >= 15%`).
struct Entry {
  Ident key;
  std::string op;  // "=", ">=", "<=", ">", "<", "==", "!="
  SourceRange op_range;
  Expr value;
  SourceRange range;  // key through end of value
};

// `kind ["name"] { entries and nested blocks }`.
struct Block {
  Ident kind;                  // "policy", "tier", …
  std::optional<Ident> name;   // unescaped text of the quoted name; range includes the quotes
  bool name_quoted = false;    // always true for names the parser accepted (names are quoted strings)
  std::vector<Entry> entries;  // in source order
  std::vector<Block> blocks;   // nested blocks, in source order
  SourceRange range;           // kind through the closing brace
  SourceRange header_range;    // kind through name (what a "declared here" note points at)
  bool recovered = false;      // a syntax error inside: entries may be missing (sema reports no missing keys)
};

// A parsed policy file: its top-level blocks (a valid file has exactly one, `policy "name" { … }`).
struct Policy {
  std::vector<Block> blocks;
};

}  // namespace sk::ast
