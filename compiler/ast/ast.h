// The syntax tree: what the user wrote, with byte ranges for every node, name and value. Produced by
// syntax::parse() (best effort even when there are syntax errors), consumed only by sema::build_model().
// The tree is generic — blocks, entries, value expressions — so that which keys and words exist is decided (and
// diagnosed with suggestions) by sema, not by the parser.
//
// Ownership: the tree is small because it copies no text. Every name and value is a view of the parsed file's text
// (diag::SourceFile, which must outlive the tree) or, for a string that had escapes, of the tree's own store
// (Policy::store, kept alive by every copy of the Policy); paths and argument names are spans of that store. Nodes are
// plain values otherwise: an Expr owns its operands, a Block its entries and blocks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"

namespace sk::ast {

using diag::SourceRange;

// A word as written: a block kind, key, name or path segment.
struct Ident {
  std::string_view text;
  SourceRange range;
};

// A value expression.
struct Expr {
  enum class Kind : uint8_t {
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
  bool parenthesized = false;  // written inside ( )
  SourceRange range;           // the whole expression as written (without enclosing parentheses)
  SourceRange op_range;        // kCompare/kIn/kMatches/kNot/kWhere: the operator keyword or symbol
  std::string_view text;
  std::span<const Ident> path;
  std::vector<Expr> operands;
  // kCall: one per operand (null otherwise).
  const std::optional<Ident>* argument_names = nullptr;

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
  std::string_view op;  // "=", ">=", "<=", ">", "<", "==", "!="
  SourceRange op_range;
  SourceRange range;  // key through end of value
  Expr value;
};

// `kind ["name"] { entries and nested blocks }`.
struct Block {
  Ident kind;                  // "policy", "tier", …
  std::optional<Ident> name;   // unescaped text of the quoted name; range includes the quotes
  bool name_quoted = false;    // always true for names the parser accepted (names are quoted strings)
  bool recovered = false;      // a syntax error inside: entries may be missing (sema reports no missing keys)
  std::vector<Entry> entries;  // in source order
  std::vector<Block> blocks;   // nested blocks, in source order
  SourceRange range;           // kind through the closing brace
  SourceRange header_range;    // kind through name (what a "declared here" note points at)
};

// What the tree's views and spans point into besides the source text: the unescaped strings that differ from it,
// path segments and call argument names. Storage never moves once handed out (chunks, deques).
class Store {
 public:
  // `n` contiguous default-constructed slots, valid as long as the store.
  std::span<Ident> idents(size_t n) { return {take(idents_, idents_used_, n), n}; }
  std::span<std::optional<Ident>> argument_names(size_t n) { return {take(names_, names_used_, n), n}; }
  std::string_view keep(std::string s) { return strings_.emplace_back(std::move(s)); }

 private:
  template <typename T>
  static T* take(std::vector<std::unique_ptr<T[]>>& chunks, size_t& used, size_t n) {
    constexpr size_t kChunk = 1024;
    if (chunks.empty() || used + n > kChunk) {
      chunks.push_back(std::make_unique<T[]>(std::max(kChunk, n)));
      used = 0;
    }
    T* out = chunks.back().get() + used;
    used += n;
    return out;
  }
  std::vector<std::unique_ptr<Ident[]>> idents_;
  size_t idents_used_ = 0;
  std::vector<std::unique_ptr<std::optional<Ident>[]>> names_;
  size_t names_used_ = 0;
  std::deque<std::string> strings_;
};

// A parsed policy file: its top-level blocks (a valid file has exactly one, `policy "name" { … }`).
struct Policy {
  std::vector<Block> blocks;
  std::shared_ptr<const Store> store;  // see Store; null for a tree without escaped strings, paths or calls
};

}  // namespace sk::ast
