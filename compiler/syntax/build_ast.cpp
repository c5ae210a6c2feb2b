#include "compiler/syntax/build_ast.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "common/utf8.h"

namespace sk::syntax {

using ast::Expr;
using diag::SourceRange;

namespace {
bool conjured(const antlr4::Token* t) {
  return t == nullptr || t->getStartIndex() == INVALID_INDEX || t->getTokenIndex() == INVALID_INDEX ||
         t->getType() == antlr4::Token::EOF;
}
}  // namespace

std::optional<SourceRange> AstBuilder::token_range(const antlr4::Token* token) const {
  if (conjured(token)) return std::nullopt;
  return map_.range(token->getStartIndex(), token->getStopIndex());
}

SourceRange AstBuilder::context_range(antlr4::ParserRuleContext& ctx) const {
  const antlr4::Token* start = ctx.getStart();
  const antlr4::Token* stop = ctx.getStop();
  if (start == nullptr || start->getStartIndex() == INVALID_INDEX) return {};
  const SourceRange b = map_.range(start->getStartIndex(), start->getStopIndex());
  if (stop == nullptr || stop->getStartIndex() == INVALID_INDEX || stop->getTokenIndex() < start->getTokenIndex() ||
      stop->getType() == antlr4::Token::EOF) {
    return b;
  }
  return diag::join(b, map_.range(stop->getStartIndex(), stop->getStopIndex()));
}

std::optional<ast::Ident> AstBuilder::ident(const antlr4::Token* token) const {
  const auto r = token_range(token);
  if (!r) return std::nullopt;
  return ast::Ident{file_.text().substr(r->begin, r->end - r->begin), *r};
}

Expr AstBuilder::error_expr(antlr4::ParserRuleContext& ctx) const {
  Expr e;
  e.kind = Expr::Kind::kError;
  e.range = context_range(ctx);
  return e;
}

std::string_view AstBuilder::string_value(const antlr4::Token* token, bool terminated) {
  return string_value(*token_range(token), terminated);
}

std::string_view AstBuilder::string_value(SourceRange r, bool terminated) {
  const std::string_view raw = file_.text().substr(r.begin, r.end - r.begin);
  if (!terminated) scratch_.report(diag::Code::kUnterminatedString, r);
  const size_t end = terminated && raw.size() >= 2 ? raw.size() - 1 : raw.size();
  // Without a backslash the value is the text between the quotes: a view of the file, no copy.
  if (end <= 1) return {};
  if (raw.substr(1, end - 1).find('\\') == std::string_view::npos) return raw.substr(1, end - 1);
  std::string out;
  for (size_t i = 1; i < end; ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    const auto at = [&](size_t from, size_t to) {
      return SourceRange{r.begin + static_cast<uint32_t>(from), r.begin + static_cast<uint32_t>(to)};
    };
    if (i + 1 >= end) {
      scratch_.report(diag::Code::kInvalidEscape, at(i, i + 1), "\\");
      break;
    }
    const char e = raw[i + 1];
    switch (e) {
      case '"': out += '"'; ++i; continue;
      case '\\': out += '\\'; ++i; continue;
      case 'n': out += '\n'; ++i; continue;
      case 't': out += '\t'; ++i; continue;
      case 'r': out += '\r'; ++i; continue;
      default: break;
    }
    if (e == 'u' && i + 2 < end && raw[i + 2] == '{') {
      const size_t close = raw.find('}', i + 3);
      if (close != std::string_view::npos && close < end && close > i + 3 && close - (i + 3) <= 6) {
        const std::string_view hex = raw.substr(i + 3, close - (i + 3));
        uint32_t cp = 0;
        bool ok = true;
        for (char h : hex) {
          int v = -1;
          if (h >= '0' && h <= '9') v = h - '0';
          if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
          if (h >= 'A' && h <= 'F') v = h - 'A' + 10;
          if (v < 0) ok = false;
          cp = cp * 16 + static_cast<uint32_t>(v < 0 ? 0 : v);
        }
        if (ok && cp != 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
          append_utf8(out, cp);
          i = close;
          continue;
        }
        scratch_.report(diag::Code::kInvalidEscape, at(i, close + 1), raw.substr(i, close + 1 - i));
        i = close;
        continue;
      }
    }
    // Report the escape as written (one code point after the backslash).
    size_t len = 1;
    const auto lead = static_cast<unsigned char>(e);
    if (lead >= 0xF0) len = 4; else if (lead >= 0xE0) len = 3; else if (lead >= 0xC0) len = 2;
    len = std::min(len, end - (i + 1));
    scratch_.report(diag::Code::kInvalidEscape, at(i, i + 1 + len), raw.substr(i, 1 + len));
    i += len;
  }
  return store_->keep(std::move(out));
}

bool AstBuilder::syntax_error_within(uint32_t begin, uint32_t end) const {
  return std::any_of(sink_.diagnostics().begin(), sink_.diagnostics().end(), [&](const diag::Diagnostic& d) {
    return d.code == diag::Code::kSyntaxError && d.range && d.range->begin >= begin && d.range->begin <= end;
  });
}

void AstBuilder::separator_left() { levels_.back().after_item = false; }

// A missing separator before `item`: the previous item of the same body (or of the document) ended on its line with
// no separator between them. Decided as the parser leaves the item, from its range and the previous one's: the
// item's shell and the separators are freed soon after (parse.cpp).
void AstBuilder::item_left(antlr4::ParserRuleContext& item) {
  Level& level = levels_.back();
  const SourceRange here = context_range(item);
  const SourceRange previous = level.previous;
  const std::string_view text = file_.text();
  const bool adjacent = previous.end <= here.begin &&
                        text.substr(previous.end, here.begin - previous.end).find_first_of("\n;") ==
                            std::string_view::npos;
  const size_t line_end = std::min(text.find('\n', here.begin), text.size());
  if (level.after_item && adjacent && token_range(item.getStart())) {
    level.separators.emplace_back(
        SeparatorCheck{here.begin, previous.begin, std::max<uint32_t>(here.end, static_cast<uint32_t>(line_end))});
  }
  level.after_item = true;
  level.previous = here;
}

void AstBuilder::move_scratch(std::vector<Deferred>& deferred) {
  for (const diag::Diagnostic& d : scratch_.diagnostics()) deferred.emplace_back(d);
  scratch_ = diag::DiagnosticSink();
}

AstBuilder::ListElements AstBuilder::take_list(const antlr4::ParserRuleContext* ctx) {
  Level& level = levels_.back();
  std::vector<ListElements>& lists = level.lists;
  // Most often the last one (a chain's element takes the lists inside it as the parser leaves it), else the first
  // not yet taken (a unit's build takes its lists in source order: a call with 40,000 list arguments).
  size_t found = lists.size();
  if (!lists.empty() && lists.back().list == ctx) {
    found = lists.size() - 1;
  } else {
    for (size_t i = level.next_list; i < lists.size(); ++i) {
      if (lists[i].list != ctx) continue;
      found = i;
      break;
    }
  }
  if (found == lists.size()) return {};
  ListElements out = std::exchange(lists[found], ListElements{});  // a taken one has no list
  while (!lists.empty() && lists.back().list == nullptr) lists.pop_back();
  level.next_list = std::min(level.next_list, lists.size());
  while (level.next_list < lists.size() && lists[level.next_list].list == nullptr) ++level.next_list;
  return out;
}

void AstBuilder::enter_unit() { levels_.emplace_back(); }

namespace {
template <typename T>
void move_append(std::vector<T>& to, std::vector<T>& from) {
  if (from.empty()) return;
  if (to.empty()) {
    to = std::move(from);
    return;
  }
  std::move(from.begin(), from.end(), std::back_inserter(to));
  from.clear();
}
}  // namespace

void AstBuilder::exit_unit(antlr4::ParserRuleContext& ctx, bool build) {
  auto* element = dynamic_cast<P::ExprContext*>(&ctx);
  if (build && element != nullptr) {
    ast::Expr built = build_expr(*element);
    levels_.pop_back();
    add_list_element(ctx, std::move(built));
    return;
  }
  std::vector<Deferred> deferred;
  if (auto* e = dynamic_cast<P::EntryContext*>(&ctx); build && e != nullptr && !conjured(e->key)) {
    ast::Entry entry = build_entry(*e);
    move_scratch(deferred);
    levels_.pop_back();
    levels_.back().entries.push(std::move(entry));
  } else if (auto* b = dynamic_cast<P::BlockContext*>(&ctx); build && b != nullptr && !conjured(b->kind)) {
    ast::Block block = build_block(*b, deferred);
    levels_.pop_back();
    levels_.back().blocks.push(std::move(block));
  } else {
    levels_.pop_back();
    return;
  }
  move_append(levels_.back().deferred, deferred);
}

bool AstBuilder::is_chain_element(const antlr4::ParserRuleContext& ctx) {
  const auto* parent = dynamic_cast<const antlr4::ParserRuleContext*>(ctx.parent);
  if (parent == nullptr) return false;
  // Not the first operand: error nodes may come before it (recovery at the rule's start), never another rule.
  const auto first = std::find_if(parent->children.begin(), parent->children.end(), [](antlr4::tree::ParseTree* c) {
    return dynamic_cast<const antlr4::ParserRuleContext*>(c) != nullptr;
  });
  if (first == parent->children.end() || *first == &ctx) return false;
  switch (ctx.getRuleIndex()) {
    case P::RuleAndExpr: return parent->getRuleIndex() == P::RuleExpr;
    case P::RuleNotExpr: return parent->getRuleIndex() == P::RuleAndExpr;
    case P::RuleAtom: return parent->getRuleIndex() == P::RulePhrase;
    case P::RuleExpr: return dynamic_cast<const P::SequenceValueContext*>(parent) != nullptr;
    default: return false;
  }
}

void AstBuilder::enter_element() {
  if (element_marks_.size() < element_marks_.capacity()) element_marks_.push_back(levels_.back().lists.size());
}

void AstBuilder::exit_element(antlr4::ParserRuleContext& ctx) {
  ast::Expr built;
  if (auto* a = dynamic_cast<P::AndExprContext*>(&ctx)) {
    built = build_and(*a);
  } else if (auto* n = dynamic_cast<P::NotExprContext*>(&ctx)) {
    built = build_not(*n);
  } else if (auto* atom = dynamic_cast<P::AtomContext*>(&ctx)) {
    built = build_atom(*atom);
  } else {
    built = build_expr(dynamic_cast<P::ExprContext&>(ctx));
  }
  // Lists and chains inside the element that its build did not take (a part recovery left out) go with its parse
  // tree: their contexts are freed, and a later context at the same address must not find them.
  std::vector<ListElements>& lists = levels_.back().lists;
  const size_t mark = element_marks_.empty() ? lists.size() : element_marks_.back();
  if (!element_marks_.empty()) element_marks_.pop_back();
  if (lists.size() > mark) lists.erase(lists.begin() + static_cast<std::ptrdiff_t>(mark), lists.end());
  levels_.back().next_list = std::min(levels_.back().next_list, lists.size());
  add_list_element(ctx, std::move(built));
}

const AstBuilder::SizeHint* AstBuilder::hint_at(size_t at) const {
  const auto it = std::lower_bound(hints_.begin(), hints_.end(), at,
                                   [](const SizeHint& h, size_t a) { return h.at < a; });
  return it != hints_.end() && it->at == at ? &*it : nullptr;
}

void AstBuilder::body_entered(antlr4::ParserRuleContext& body) {
  auto* block = dynamic_cast<P::BlockContext*>(body.parent);
  if (hints_.empty() || block == nullptr || block->LBRACE() == nullptr) return;
  const antlr4::Token* brace = block->LBRACE()->getSymbol();
  if (conjured(brace)) return;
  if (const SizeHint* hint = hint_at(brace->getStartIndex())) {
    levels_.back().entries.reserve(hint->entries);
    levels_.back().blocks.reserve(hint->blocks);
  }
}

void AstBuilder::start_elements(antlr4::ParserRuleContext& container, ListElements& list) {
  const bool chain = dynamic_cast<P::ListAtomContext*>(&container) == nullptr;
  // The token a size hint is keyed by: a list's '[', an `or` or `and` chain's first operator.
  const antlr4::Token* key = nullptr;
  if (!chain) {
    key = container.getStart();
  } else if (container.getRuleIndex() == P::RuleExpr || container.getRuleIndex() == P::RuleAndExpr) {
    const size_t op = container.getRuleIndex() == P::RuleExpr ? P::OR : P::AND;
    for (antlr4::tree::ParseTree* child : container.children) {
      auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (t == nullptr || t->getSymbol() == nullptr || t->getSymbol()->getType() != op) continue;
      key = t->getSymbol();
      break;
    }
  }
  if (!conjured(key)) {
    if (const SizeHint* hint = hint_at(key->getStartIndex())) list.elements.reserve(hint->entries);
  }
  // A chain's first operand is built with the chain (chain_operands): its place comes first.
  if (chain) list.elements.push(Expr{});
}

void AstBuilder::add_list_element(antlr4::ParserRuleContext& element, ast::Expr built) {
  std::vector<ListElements>& lists = levels_.back().lists;
  if (lists.empty() || lists.back().list != element.parent) {
    auto* list = dynamic_cast<antlr4::ParserRuleContext*>(element.parent);
    lists.push_back(ListElements{list, {}, {}});
    if (list != nullptr) start_elements(*list, lists.back());
  }
  lists.back().elements.push(std::move(built));
  for (const diag::Diagnostic& d : scratch_.diagnostics()) lists.back().diagnostics.push_back(d);
  scratch_ = diag::DiagnosticSink();
}

ast::Policy AstBuilder::finish(P::DocumentContext& /*ctx*/) {
  const size_t parse_errors = sink_.diagnostics().size();
  Level& top = levels_.front();
  // The document's separator checks, then what building its blocks deferred: the top-down order.
  std::vector<Deferred> deferred = std::move(top.separators);
  move_append(deferred, top.deferred);
  ast::Policy policy;
  policy.store = store_;
  top.blocks.move_into(policy.blocks);
  levels_.clear();
  levels_.emplace_back();
  std::vector<uint32_t> separators;
  for (Deferred& d : deferred) {
    if (auto* diagnostic = std::get_if<diag::Diagnostic>(&d)) {
      sink_.push(std::move(*diagnostic));
      continue;
    }
    const SeparatorCheck& check = std::get<SeparatorCheck>(d);
    if (syntax_error_within(check.from, check.to)) continue;
    sink_.report(diag::Code::kSyntaxError, SourceRange{check.at, check.at},
                 "missing separator: put a new line or ';' before this entry");
    separators.push_back(check.at);
  }
  for (ast::Block& b : policy.blocks) mark_recovered(b, parse_errors, separators);
  return policy;
}

void AstBuilder::mark_recovered(ast::Block& block, size_t parse_errors, const std::vector<uint32_t>& separators) const {
  const auto& all = sink_.diagnostics();
  block.recovered =
      std::any_of(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(parse_errors),
                  [&](const diag::Diagnostic& d) {
                    return d.code == diag::Code::kSyntaxError && d.range && d.range->begin >= block.range.begin &&
                           d.range->begin <= block.range.end;
                  }) ||
      std::any_of(separators.begin(), separators.end(),
                  [&](uint32_t at) { return at == block.range.begin || at == block.range.end; });
  for (ast::Block& nested : block.blocks) mark_recovered(nested, parse_errors, separators);
}

ast::Block AstBuilder::build_block(P::BlockContext& ctx, std::vector<Deferred>& deferred) {
  ast::Block block;
  block.kind = *ident(ctx.kind);
  block.range = context_range(ctx);
  block.header_range = block.kind.range;
  if (P::BlockNameContext* n = ctx.blockName(); n != nullptr && n->getStart() != nullptr) {
    const antlr4::Token* t = n->getStart();
    if (const auto r = token_range(t)) {
      block.name = ast::Ident{string_value(t, n->STRING() != nullptr), *r};
      block.name_quoted = true;
      block.header_range = diag::join(block.header_range, *r);
    }
  }
  move_scratch(deferred);
  if (ctx.body() != nullptr) {
    // The body's items were appended to this unit's level as the parser left each (exit_unit, item_left).
    Level& own = levels_.back();
    move_append(deferred, own.separators);
    own.entries.move_into(block.entries);
    own.blocks.move_into(block.blocks);
    move_append(deferred, own.deferred);
  }
  return block;
}

ast::Entry AstBuilder::build_entry(P::EntryContext& ctx) {
  ast::Entry entry;
  entry.key = *ident(ctx.key);
  if (const auto r = token_range(ctx.op)) {
    entry.op = file_.text().substr(r->begin, r->end - r->begin);
    entry.op_range = *r;
  } else {
    entry.op = "=";  // conjured by recovery ("expected '='" was reported)
    entry.op_range = SourceRange{entry.key.range.end, entry.key.range.end};
  }
  if (P::ValueContext* v = ctx.value(); v != nullptr && v->getStart() != nullptr && !conjured(v->getStart())) {
    entry.value = build_value(*v);
  } else {
    entry.value.kind = Expr::Kind::kError;
    entry.value.range = SourceRange{entry.op_range.end, entry.op_range.end};
  }
  entry.range = diag::join(entry.key.range, entry.value.range);
  return entry;
}

Expr AstBuilder::build_value(P::ValueContext& ctx) {
  if (auto* w = dynamic_cast<P::WhereValueContext*>(&ctx)) {
    Expr e;
    e.kind = Expr::Kind::kWhere;
    e.range = context_range(ctx);
    if (auto subject = ident(w->subject)) e.path = one_ident(*subject);
    if (auto r = token_range(w->WHERE() ? w->WHERE()->getSymbol() : nullptr)) e.op_range = *r;
    if (P::ExprContext* cond = w->expr(); cond != nullptr) {
      e.operands.push_back(build_expr(*cond));
    } else {
      e.operands.push_back(error_expr(ctx));
    }
    if (e.path.empty()) return error_expr(ctx);
    return e;
  }
  if (auto* s = dynamic_cast<P::SequenceValueContext*>(&ctx)) {
    Expr e;
    e.operands = chain_operands(ctx, s->expr(), [this](P::ExprContext& p) { return build_expr(p); });
    if (e.operands.size() == 1) return std::move(e.operands.front());
    if (e.operands.empty()) return error_expr(ctx);
    e.kind = Expr::Kind::kSequence;
    e.range = context_range(ctx);
    return e;
  }
  return error_expr(ctx);
}

namespace {
Expr combine(Expr::Kind kind, std::vector<Expr> operands, SourceRange range) {
  if (operands.size() == 1) return std::move(operands.front());
  Expr e;
  e.kind = kind;
  e.range = range;
  e.operands = std::move(operands);
  return e;
}
}  // namespace

template <typename Part, typename Build>
std::vector<Expr> AstBuilder::chain_operands(antlr4::ParserRuleContext& ctx, const std::vector<Part*>& written,
                                             Build build) {
  std::vector<Expr> operands;
  // Only a chain of two or more was streamed (its children keep its first two operands): a lookup that cannot
  // succeed would scan every list of the unit (a call with 40,000 arguments).
  ListElements streamed = written.size() >= 2 ? take_list(&ctx) : ListElements{};
  if (streamed.elements.size() <= 1) {  // a single operand, read from the tree
    operands.reserve(written.size());
    for (Part* p : written) {
      if (p != nullptr) operands.push_back(build(*p));
    }
    return operands;
  }
  // The first operand (in the place kept for it), then those built as the parser left each, with their diagnostics
  // in the top-down order.
  const bool first = !written.empty() && written.front() != nullptr;
  if (first) streamed.elements.front() = build(*written.front());
  for (diag::Diagnostic& d : streamed.diagnostics) scratch_.push(std::move(d));
  streamed.elements.move_into(operands);
  if (!first) operands.erase(operands.begin());
  return operands;
}

Expr AstBuilder::build_expr(P::ExprContext& ctx) {
  std::vector<Expr> operands =
      chain_operands(ctx, ctx.andExpr(), [this](P::AndExprContext& a) { return build_and(a); });
  if (operands.empty()) return error_expr(ctx);
  return combine(Expr::Kind::kOr, std::move(operands), context_range(ctx));
}

Expr AstBuilder::build_and(P::AndExprContext& ctx) {
  std::vector<Expr> operands =
      chain_operands(ctx, ctx.notExpr(), [this](P::NotExprContext& n) { return build_not(n); });
  if (operands.empty()) return error_expr(ctx);
  return combine(Expr::Kind::kAnd, std::move(operands), context_range(ctx));
}

Expr AstBuilder::build_not(P::NotExprContext& ctx) {
  if (auto* n = dynamic_cast<P::NegationContext*>(&ctx)) {
    Expr e;
    e.kind = Expr::Kind::kNot;
    e.range = context_range(ctx);
    if (auto r = token_range(n->NOT() ? n->NOT()->getSymbol() : nullptr)) e.op_range = *r;
    if (P::NotExprContext* inner = n->notExpr(); inner != nullptr) {
      e.operands.push_back(build_not(*inner));
    } else {
      e.operands.push_back(error_expr(ctx));
    }
    return e;
  }
  if (auto* p = dynamic_cast<P::PlainRelationContext*>(&ctx); p != nullptr && p->relation() != nullptr) {
    return build_relation(*p->relation());
  }
  return error_expr(ctx);
}

Expr AstBuilder::build_relation(P::RelationContext& ctx) {
  if (ctx.lhs == nullptr) return error_expr(ctx);
  Expr lhs = build_phrase(*ctx.lhs);
  if (ctx.op == nullptr) return lhs;
  Expr e;
  e.range = context_range(ctx);
  if (auto r = token_range(ctx.op)) e.op_range = *r;
  const size_t type = ctx.op->getType();
  if (type == P::IN) {
    e.kind = Expr::Kind::kIn;
  } else if (type == P::MATCHES) {
    e.kind = Expr::Kind::kMatches;
  } else {
    e.kind = Expr::Kind::kCompare;
    e.text = file_.text().substr(e.op_range.begin, e.op_range.end - e.op_range.begin);
  }
  e.operands.push_back(std::move(lhs));
  if (ctx.rhs != nullptr) {
    e.operands.push_back(build_phrase(*ctx.rhs));
  } else {
    Expr missing;
    missing.range = SourceRange{e.op_range.end, e.op_range.end};
    e.operands.push_back(missing);
  }
  return e;
}

Expr AstBuilder::build_phrase(P::PhraseContext& ctx) {
  std::vector<Expr> atoms = chain_operands(ctx, ctx.atom(), [this](P::AtomContext& a) { return build_atom(a); });
  if (atoms.empty()) return error_expr(ctx);
  return combine(Expr::Kind::kPhrase, std::move(atoms), context_range(ctx));
}

// The strings of a STRING_LIST token (`["a", "b"]`, which the lexer matched whole): the list a listAtom of string
// atoms gives, each element with its own range. Between the strings there is only white space and commas.
Expr AstBuilder::string_list(SourceRange range) {
  Expr list;
  list.kind = Expr::Kind::kList;
  list.range = range;
  const std::string_view raw = file_.text().substr(range.begin, range.end - range.begin);
  // Each string's [open, close] quotes, in order.
  const auto for_each_string = [&](const auto& f) {
    for (size_t i = 1; i < raw.size(); ++i) {
      if (raw[i] != '"') continue;
      size_t close = i + 1;
      while (close < raw.size() && raw[close] != '"') close += raw[close] == '\\' ? 2 : 1;
      f(i, close);
      i = close;
    }
  };
  size_t count = 0;
  for_each_string([&](size_t, size_t) { ++count; });
  list.operands.reserve(count);  // exactly: a list of 25,000 names would otherwise leave a quarter unused
  for_each_string([&](size_t open, size_t close) {
    Expr element;
    element.kind = Expr::Kind::kString;
    element.range =
        SourceRange{range.begin + static_cast<uint32_t>(open), range.begin + static_cast<uint32_t>(close + 1)};
    element.text = string_value(element.range, true);
    list.operands.push_back(std::move(element));
  });
  return list;
}

std::span<const ast::Ident> AstBuilder::one_ident(const ast::Ident& id) {
  std::span<ast::Ident> out = store_->idents(1);
  out[0] = id;
  return out;
}

Expr AstBuilder::build_path(P::PathContext& ctx) {
  Expr e;
  e.kind = Expr::Kind::kPath;
  e.range = context_range(ctx);
  const std::vector<antlr4::tree::TerminalNode*> words = ctx.IDENT();
  size_t n = 0;
  for (antlr4::tree::TerminalNode* t : words) n += token_range(t->getSymbol()) ? 1 : 0;
  if (n == 0) return error_expr(ctx);
  std::span<ast::Ident> path = store_->idents(n);
  n = 0;
  for (antlr4::tree::TerminalNode* t : words) {
    if (auto id = ident(t->getSymbol())) path[n++] = *id;
  }
  e.path = path;
  return e;
}

Expr AstBuilder::build_atom(P::AtomContext& ctx) {
  Expr e;
  e.range = context_range(ctx);
  const auto literal = [&](Expr::Kind kind, antlr4::tree::TerminalNode* node) {
    if (node == nullptr || conjured(node->getSymbol())) return error_expr(ctx);
    e.kind = kind;
    e.text = file_.text().substr(e.range.begin, e.range.end - e.range.begin);
    return e;
  };
  if (auto* s = dynamic_cast<P::StringAtomContext*>(&ctx)) {
    if (s->STRING() == nullptr || conjured(s->STRING()->getSymbol())) return error_expr(ctx);
    e.kind = Expr::Kind::kString;
    e.text = string_value(s->STRING()->getSymbol(), true);
    return e;
  }
  if (auto* u = dynamic_cast<P::UnterminatedStringAtomContext*>(&ctx)) {
    if (u->UNTERMINATED_STRING() == nullptr) return error_expr(ctx);
    // Reported here; kError keeps sema from piling further diagnostics on a value that is cut short.
    e.kind = Expr::Kind::kError;
    e.text = string_value(u->UNTERMINATED_STRING()->getSymbol(), false);
    return e;
  }
  if (auto* q = dynamic_cast<P::QuantityAtomContext*>(&ctx)) return literal(Expr::Kind::kQuantity, q->QUANTITY());
  if (auto* p = dynamic_cast<P::PercentAtomContext*>(&ctx)) return literal(Expr::Kind::kPercent, p->PERCENT());
  if (auto* n = dynamic_cast<P::NumberAtomContext*>(&ctx)) return literal(Expr::Kind::kNumber, n->NUMBER());
  if (auto* t = dynamic_cast<P::TimeAtomContext*>(&ctx)) return literal(Expr::Kind::kTime, t->TIME());
  if (auto* l = dynamic_cast<P::StringListAtomContext*>(&ctx)) {
    if (l->STRING_LIST() == nullptr || conjured(l->STRING_LIST()->getSymbol())) return error_expr(ctx);
    return string_list(e.range);
  }
  if (auto* d = dynamic_cast<P::DateAtomContext*>(&ctx)) {
    std::vector<antlr4::tree::TerminalNode*> dates = d->DATE();
    if (dates.empty()) return error_expr(ctx);
    if (dates.size() == 1) return literal(Expr::Kind::kDate, dates.front());
    for (antlr4::tree::TerminalNode* n : dates) {
      if (n == nullptr || conjured(n->getSymbol())) return error_expr(ctx);
      auto r = token_range(n->getSymbol());
      if (!r) return error_expr(ctx);
      Expr date;
      date.kind = Expr::Kind::kDate;
      date.range = *r;
      date.text = file_.text().substr(r->begin, r->end - r->begin);
      e.operands.push_back(std::move(date));
    }
    e.kind = Expr::Kind::kRange;
    if (auto r = token_range(d->DOTDOT() ? d->DOTDOT()->getSymbol() : nullptr)) e.op_range = *r;
    return e;
  }
  if (auto* l = dynamic_cast<P::ListAtomContext*>(&ctx)) {
    e.kind = Expr::Kind::kList;
    ListElements built = l->expr().empty() ? ListElements{} : take_list(l);  // its children keep its first element
    built.elements.move_into(e.operands);
    // Their diagnostics in the order building the list top-down would have reported them.
    for (diag::Diagnostic& d : built.diagnostics) scratch_.push(std::move(d));
    return e;
  }
  if (auto* c = dynamic_cast<P::CallAtomContext*>(&ctx)) {
    auto callee = ident(c->callee);
    if (!callee) return error_expr(ctx);
    e.kind = Expr::Kind::kCall;
    e.path = one_ident(*callee);
    const std::vector<P::ArgumentContext*> arguments = c->argument();
    const auto given = [](P::ArgumentContext* a) { return a != nullptr && a->expr() != nullptr; };
    std::span<std::optional<ast::Ident>> names =
        store_->argument_names(static_cast<size_t>(std::count_if(arguments.begin(), arguments.end(), given)));
    e.operands.reserve(names.size());
    for (P::ArgumentContext* a : arguments) {
      if (!given(a)) continue;
      names[e.operands.size()] = a->name != nullptr ? ident(a->name) : std::nullopt;
      e.operands.push_back(build_expr(*a->expr()));
    }
    e.argument_names = names.data();
    return e;
  }
  if (auto* p = dynamic_cast<P::PathAtomContext*>(&ctx)) {
    std::vector<P::PathContext*> paths = p->path();
    if (paths.empty() || paths.front() == nullptr) return error_expr(ctx);
    Expr from = build_path(*paths.front());
    if (paths.size() < 2 || paths[1] == nullptr) return from;
    e.kind = Expr::Kind::kRange;
    if (auto r = token_range(p->DOTDOT() ? p->DOTDOT()->getSymbol() : nullptr)) e.op_range = *r;
    e.operands.push_back(std::move(from));
    e.operands.push_back(build_path(*paths[1]));
    return e;
  }
  if (auto* g = dynamic_cast<P::GroupAtomContext*>(&ctx)) {
    if (g->expr() == nullptr) return error_expr(ctx);
    Expr inner = build_expr(*g->expr());
    inner.parenthesized = true;
    return inner;
  }
  return error_expr(ctx);
}

}  // namespace sk::syntax
