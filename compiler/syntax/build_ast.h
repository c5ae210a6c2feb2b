// Internal to the syntax adapter: typed functions turning ANTLR parse trees into ast:: nodes. Tolerates trees with
// error-recovery holes (missing children, conjured tokens): what cannot be read becomes Expr::Kind::kError or is
// left out (the syntax error itself was already reported by the error listener).
//
// Built while parsing: the parser calls enter_unit()/exit_unit() around every entry, block and list element, each
// turned into its ast:: node as soon as the parser leaves it, so that its parse tree can be freed at once (ANTLR
// keeps every rule context until the parser is destroyed otherwise; see parse.cpp). The result and every diagnostic
// are exactly those of building the whole tree top-down after the parse: the builder's own diagnostics, and the
// decisions that depend on the file's syntax errors (missing separators, Block::recovered), are kept in the top-down
// order and settled by finish(), when every syntax error is known.
#pragma once

#include <algorithm>
#include <iterator>
#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include "PolicyParser.h"
#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/parse.h"
#include "compiler/syntax/source_map.h"

namespace sk::syntax {

class AstBuilder {
 public:
  using P = policy_antlr::PolicyParser;

  AstBuilder(const diag::SourceFile& file, const SourceMap& map, diag::DiagnosticSink& sink)
      : file_(file), map_(map), sink_(sink), levels_(1) {
    levels_.reserve(kMaxUnitDepth + 1);  // enter_unit() must not allocate (see parse.cpp's StreamingBuild)
    element_marks_.reserve(kMaxElementDepth);  // nor enter_element()
  }
  // Units nest as deep as blocks and lists do (an entry holds no block), which parse() bounds by kMaxNesting.
  static constexpr size_t kMaxUnitDepth = 2 * kMaxNesting + 8;
  // Chain elements nest as deep as their sequences do (parse.cpp's StreamingBuild bounds them by this).
  static constexpr size_t kMaxElementDepth = 4 * kMaxUnitDepth;

  // Around every EntryContext and BlockContext, and every element (ExprContext) of a bracketed list, from the
  // parser's enter/exit events. exit_unit() builds the unit from its (complete) parse tree and the nodes already
  // built for the units inside it, and appends it to what its parent gathers (a list element to its list, an entry
  // or block to the enclosing block's or the document's items); with build false (after a failure) it only keeps
  // the levels balanced. The units inside are no longer read after exit_unit(ctx).
  void enter_unit();
  void exit_unit(antlr4::ParserRuleContext& ctx, bool build);
  // Around an operand after the first of an `or`, `and` or sequence chain and an atom after the first of a phrase
  // (an element of its chain): exit_element() builds it and appends it to its chain's operands, so that its parse
  // tree can be freed before the chain ends (parse.cpp). The chain's own build takes them.
  void enter_element();
  void exit_element(antlr4::ParserRuleContext& ctx);
  // When the parser leaves a separator, or an item (ItemContext, or a BlockContext of the document), of a body or
  // the document: the missing-separator check of that item, from what the parser saw since the previous item.
  void separator_left();
  void item_left(antlr4::ParserRuleContext& item);
  // After the parse: the policy from the document's top-level blocks; reports the deferred diagnostics to the sink.
  ast::Policy finish(P::DocumentContext& ctx);

  // An operand after the first of an `or`, `and` or sequence chain, or an atom after the first of a phrase.
  static bool is_chain_element(const antlr4::ParserRuleContext& ctx);

  // How many entries and blocks a large body (or elements a large bracketed list) holds, counted by the lexing pass
  // before the parse (parse.cpp), keyed by the position of its '{' or '[': its nodes are then gathered straight into
  // a vector of that size (no chunks moved at its end, which would hold its nodes twice). Only a hint: when the parse
  // sees more (after recovery), the rest is gathered in chunks.
  struct SizeHint {
    size_t at;                 // the code point index of the '{' or '['
    uint32_t entries, blocks;  // a list: its elements in `entries`
  };
  // Sorted by `at`.
  void set_size_hints(std::vector<SizeHint> hints) { hints_ = std::move(hints); }
  // When the parser enters a block's body (the block's '{' is matched).
  void body_entered(antlr4::ParserRuleContext& body);

  ast::Entry build_entry(P::EntryContext& ctx);
  ast::Expr build_value(P::ValueContext& ctx);
  ast::Expr build_expr(P::ExprContext& ctx);
  ast::Expr build_and(P::AndExprContext& ctx);
  ast::Expr build_not(P::NotExprContext& ctx);
  ast::Expr build_relation(P::RelationContext& ctx);
  ast::Expr build_phrase(P::PhraseContext& ctx);
  ast::Expr build_atom(P::AtomContext& ctx);
  ast::Expr build_path(P::PathContext& ctx);

  // Byte range of a token; nullopt for tokens conjured by error recovery.
  std::optional<diag::SourceRange> token_range(const antlr4::Token* token) const;
  diag::SourceRange context_range(antlr4::ParserRuleContext& ctx) const;

 private:
  std::optional<ast::Ident> ident(const antlr4::Token* token) const;
  // Unescapes a STRING token (with quotes) or UNTERMINATED_STRING token (opening quote only), reporting bad
  // escapes and the missing closing quote.
  // The value is a view of the file's text, or of the tree's store when it had escapes.
  std::string_view string_value(const antlr4::Token* token, bool terminated);
  std::string_view string_value(diag::SourceRange range, bool terminated);
  // `id` as a one-segment path in the store.
  std::span<const ast::Ident> one_ident(const ast::Ident& id);
  ast::Expr string_list(diag::SourceRange range);
  ast::Expr error_expr(antlr4::ParserRuleContext& ctx) const;

  // Two items (entries or blocks) of a body or the document with no new line or ';' between them (possible after
  // a block's '}') are a syntax error at `at`, the second's start — unless the parser reported a syntax error
  // within [from, to] (the missing separator is then a cascade), which finish() decides.
  struct SeparatorCheck {
    uint32_t at, from, to;
  };
  // A diagnostic of the builder (bad escapes, unterminated strings) or a separator check, in top-down order.
  using Deferred = std::variant<diag::Diagnostic, SeparatorCheck>;
  // Nodes appended one at a time whose count is known only at the end, then moved into a vector of exactly that
  // size: a vector grown by doubling holds up to twice the nodes (three times while it moves them), the largest
  // part of the parse's memory for a body of 65,000 small entries. Chunks of at most kMaxChunk nodes, each freed
  // as it is moved out, so the move costs one chunk beyond the result.
  template <typename T>
  class Gather {
   public:
    // Room for exactly `n` nodes, gathered in place (a size hint).
    void reserve(size_t n) { direct_.reserve(n); }
    void push(T node) {
      if (direct_.size() < direct_.capacity()) {
        direct_.push_back(std::move(node));
        ++size_;
        return;
      }
      if (chunks_.empty() || chunks_.back().size() == chunks_.back().capacity()) {
        chunks_.emplace_back().reserve(std::clamp<size_t>(size_, kMinChunk, kMaxChunk));
      }
      chunks_.back().push_back(std::move(node));
      ++size_;
    }
    [[nodiscard]] size_t size() const { return size_; }
    T& front() { return direct_.empty() ? chunks_.front().front() : direct_.front(); }
    // Appends every node to `out`, growing it exactly once; leaves this empty.
    void move_into(std::vector<T>& out) {
      if (!direct_.empty() && out.empty()) {
        // A hint far above what came (recovery left items out) is not kept as unused room.
        if (direct_.capacity() > direct_.size() + direct_.size() / 8 + 16) direct_.shrink_to_fit();
        size_ -= direct_.size();
        out = std::move(direct_);
      }
      std::vector<T>().swap(direct_);
      if (out.empty() && chunks_.size() == 1 && chunks_.front().size() == chunks_.front().capacity()) {
        out = std::move(chunks_.front());
      } else if (size_ > 0) {
        out.reserve(out.size() + size_);
        for (std::vector<T>& chunk : chunks_) {
          std::move(chunk.begin(), chunk.end(), std::back_inserter(out));
          std::vector<T>().swap(chunk);
        }
      }
      chunks_.clear();
      size_ = 0;
    }

   private:
    static constexpr size_t kMinChunk = 1, kMaxChunk = 256;
    std::vector<T> direct_;
    std::vector<std::vector<T>> chunks_;
    size_t size_ = 0;
  };
  // The elements of one bracketed list or chain built so far, appended as the parser leaves each (its parse tree
  // is freed soon after, parse.cpp), with their diagnostics in order.
  struct ListElements {
    const antlr4::ParserRuleContext* list = nullptr;  // the ListAtomContext, or the chain's context
    Gather<ast::Expr> elements;
    std::vector<diag::Diagnostic> diagnostics;
  };
  // What one unit (or the top level) gathers while the parser is inside it. For a block and the document: its items,
  // each appended as it is built (no node waits for its parent), what building them deferred and the separator
  // checks of its body, each kept in the top-down order; for every unit: the lists and chains whose elements are
  // built inside it, taken by its build.
  struct Level {
    Gather<ast::Entry> entries;
    Gather<ast::Block> blocks;
    std::vector<Deferred> separators;  // SeparatorChecks, in source order
    std::vector<Deferred> deferred;    // the items' deferred, in source order
    diag::SourceRange previous;        // the last item's range
    bool after_item = false;           // an item and no separator since
    std::vector<ListElements> lists;  // taken ones have a null list until the ones after them are taken
    size_t next_list = 0;              // the lists before this one are taken
  };

  ast::Block build_block(P::BlockContext& ctx, std::vector<Deferred>& deferred);
  // The elements built for the list or chain `ctx` in the current level (none when it has none); their diagnostics
  // go to the scratch sink.
  ListElements take_list(const antlr4::ParserRuleContext* ctx);
  // When the first element of `container` (a list or a chain) is built: the room its size hint gives; a chain's
  // place for its first operand.
  void start_elements(antlr4::ParserRuleContext& container, ListElements& list);
  // The operands of a chain: the first as written (read from the tree), the others as built while parsing.
  template <typename Part, typename Build>
  std::vector<ast::Expr> chain_operands(antlr4::ParserRuleContext& ctx, const std::vector<Part*>& written,
                                        Build build);
  // A built list element, appended to its list's elements in the current level.
  void add_list_element(antlr4::ParserRuleContext& element, ast::Expr built);
  void move_scratch(std::vector<Deferred>& deferred);
  // The hint for the body or list opened at code point `at`, or null.
  [[nodiscard]] const SizeHint* hint_at(size_t at) const;
  [[nodiscard]] bool syntax_error_within(uint32_t begin, uint32_t end) const;
  // Block::recovered, as the top-down builder set it: a syntax error of the parse within the block, or a missing
  // separator reported (by the enclosing body's check, the only one that can) at its start or just after its end.
  void mark_recovered(ast::Block& block, size_t parse_errors, const std::vector<uint32_t>& separators) const;

  const diag::SourceFile& file_;
  const SourceMap& map_;
  diag::DiagnosticSink& sink_;
  diag::DiagnosticSink scratch_;  // the builder's diagnostics of the unit being built
  std::vector<Level> levels_;
  std::vector<size_t> element_marks_;
  std::vector<SizeHint> hints_;  // per chain element being parsed: its level's lists before it
  std::shared_ptr<ast::Store> store_ = std::make_shared<ast::Store>();
};

}  // namespace sk::syntax
