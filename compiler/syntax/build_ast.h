// Internal to the syntax adapter: typed functions turning ANTLR parse trees into ast:: nodes. Tolerates trees with
// error-recovery holes (missing children, conjured tokens): what cannot be read becomes Expr::Kind::kError or is
// left out (the syntax error itself was already reported by the error listener).
#pragma once

#include <string_view>

#include "PolicyParser.h"
#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/source_map.h"

namespace sk::syntax {

class AstBuilder {
 public:
  using P = policy_antlr::PolicyParser;

  AstBuilder(const diag::SourceFile& file, const SourceMap& map, diag::DiagnosticSink& sink)
      : file_(file), map_(map), sink_(sink) {}

  ast::Policy build_document(P::DocumentContext& ctx);
  ast::Block build_block(P::BlockContext& ctx);
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
  std::string string_value(const antlr4::Token* token, bool terminated);
  std::string string_value(diag::SourceRange range, bool terminated);
  ast::Expr string_list(diag::SourceRange range);
  ast::Expr error_expr(antlr4::ParserRuleContext& ctx) const;
  // Two items (entries or blocks) of a body or the document with no new line or ';' between them (possible after
  // a block's '}') are a syntax error at the second.
  // Not reported where the parser already recovered from a syntax error (the missing separator is then a cascade).
  void check_separators(antlr4::ParserRuleContext& ctx);
  [[nodiscard]] bool syntax_error_within(uint32_t begin, uint32_t end) const;

  const diag::SourceFile& file_;
  const SourceMap& map_;
  diag::DiagnosticSink& sink_;
};

}  // namespace sk::syntax
