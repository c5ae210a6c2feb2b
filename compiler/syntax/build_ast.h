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
  }
  // Units nest as deep as blocks and lists do (an entry holds no block), which parse() bounds by kMaxNesting.
  static constexpr size_t kMaxUnitDepth = 2 * kMaxNesting + 8;

  // Around every EntryContext and BlockContext, and every element (ExprContext) of a bracketed list, from the
  // parser's enter/exit events. exit_unit() builds the unit (a list element: appended to its list's elements)
  // from its (complete) parse tree and the nodes already built for the units inside it; with build false (after a
  // failure) it only keeps the levels balanced. The units inside are no longer read after exit_unit(ctx).
  void enter_unit();
  void exit_unit(antlr4::ParserRuleContext& ctx, bool build);
  // After the parse: the policy from the document's top-level blocks; reports the deferred diagnostics to the sink.
  ast::Policy finish(P::DocumentContext& ctx);

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
  // A built entry or block with what building it (and the units inside it) deferred.
  struct Piece {
    const antlr4::ParserRuleContext* ctx = nullptr;
    std::variant<ast::Entry, ast::Block> node;
    std::vector<Deferred> deferred;
  };
  // The elements of one bracketed list built so far, appended as the parser leaves each (its parse tree is freed
  // at once, parse.cpp), with their diagnostics in order.
  struct ListElements {
    const antlr4::ParserRuleContext* list = nullptr;  // the ListAtomContext
    std::vector<ast::Expr> elements;
    std::vector<diag::Diagnostic> diagnostics;
  };
  // The pieces and lists built inside one unit (or at the top level), in source order; each piece freed as it is
  // taken (the node is moved into its parent, so a piece and its node never exist twice).
  struct Level {
    std::vector<std::unique_ptr<Piece>> pieces;
    size_t next = 0;  // take() searches from here: units are taken in the order they were built
    std::vector<ListElements> lists;
  };

  ast::Block build_block(P::BlockContext& ctx, std::vector<Deferred>& deferred);
  void check_separators(antlr4::ParserRuleContext& ctx, std::vector<Deferred>& deferred);
  // The piece built for `ctx` in the current level, or null when none was (a unit with a conjured key or kind).
  std::unique_ptr<Piece> take(const antlr4::ParserRuleContext* ctx);
  // The elements built for the list `ctx` in the current level (empty when it has none).
  ListElements take_list(const antlr4::ParserRuleContext* ctx);
  // A built list element, appended to its list's elements in the current level.
  void add_list_element(antlr4::ParserRuleContext& element, ast::Expr built);
  void move_scratch(std::vector<Deferred>& deferred);
  [[nodiscard]] bool syntax_error_within(uint32_t begin, uint32_t end) const;
  // Block::recovered, as the top-down builder set it: a syntax error of the parse within the block, or a missing
  // separator reported (by the enclosing body's check, the only one that can) at its start or just after its end.
  void mark_recovered(ast::Block& block, size_t parse_errors, const std::vector<uint32_t>& separators) const;

  const diag::SourceFile& file_;
  const SourceMap& map_;
  diag::DiagnosticSink& sink_;
  diag::DiagnosticSink scratch_;  // the builder's diagnostics of the unit being built
  std::vector<Level> levels_;
  std::shared_ptr<ast::Store> store_ = std::make_shared<ast::Store>();
};

}  // namespace sk::syntax
