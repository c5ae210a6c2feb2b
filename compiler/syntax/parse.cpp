// The ANTLR adapter: runs the generated lexer and parser, turns their errors into SK01xx diagnostics with readable
// messages, and hands the parse tree to AstBuilder. The only place (with build_ast.cpp) that sees ANTLR.
#include "compiler/syntax/parse.h"

#include <algorithm>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "PolicyLexer.h"
#include "PolicyParser.h"
#include "antlr4-runtime.h"
#include "common/utf8.h"
#include "compiler/syntax/build_ast.h"
#include "compiler/syntax/source_map.h"

namespace sk::syntax {
namespace {

using policy_antlr::PolicyLexer;
using policy_antlr::PolicyParser;

std::string shorten(std::string text) {
  if (text.size() > 32) text = text.substr(0, 29) + "...";
  return text;
}

// How a token is named in messages: "end of file", "end of line", "'retain'", "string \"x\"".
std::string describe_token(const antlr4::Token* t) {
  if (t == nullptr) return "input";
  switch (t->getType()) {
    case antlr4::Token::EOF: return "end of file";
    case PolicyParser::NL: return "end of line";
    case PolicyParser::STRING:
    case PolicyParser::UNTERMINATED_STRING: return "string " + shorten(t->getText());
    case PolicyParser::STRING_LIST: return "list " + shorten(t->getText());
    default: return "'" + shorten(t->getText()) + "'";
  }
}

// How an expected token type is named; value-starting tokens are grouped as "a value".
std::string expected_name(size_t type) {
  switch (type) {
    case PolicyParser::LBRACE: return "'{'";
    case PolicyParser::RBRACE: return "'}'";
    case PolicyParser::LBRACK: return "'['";
    case PolicyParser::RBRACK: return "']'";
    case PolicyParser::LPAREN: return "'('";
    case PolicyParser::RPAREN: return "')'";
    case PolicyParser::COMMA: return "','";
    case PolicyParser::ASSIGN: return "'='";
    case PolicyParser::NL: return "a new line";
    case PolicyParser::SEMI: return "';'";
    case PolicyParser::IDENT: return "a name";
    case PolicyParser::STRING: return "a string";
    case antlr4::Token::EOF: return "end of file";
    default: return "";
  }
}

bool starts_value(size_t type) {
  switch (type) {
    case PolicyParser::STRING:
    case PolicyParser::UNTERMINATED_STRING:
    case PolicyParser::STRING_LIST:
    case PolicyParser::QUANTITY:
    case PolicyParser::PERCENT:
    case PolicyParser::NUMBER:
    case PolicyParser::TIME:
    case PolicyParser::LBRACK:
    case PolicyParser::LPAREN:
    case PolicyParser::NOT: return true;
    default: return false;
  }
}

// The token types the parser would have accepted at the error; empty when ANTLR cannot say.
std::set<size_t> expected_tokens(PolicyParser& parser) {
  std::set<size_t> expected;
  try {
    for (ssize_t t : parser.getExpectedTokens().toList()) expected.insert(static_cast<size_t>(t));
  } catch (...) {
    // getExpectedTokens() can fail in odd recovery states; fall back to a message without the expected set.
  }
  return expected;
}

// The parser's token stream, which lets go of the tokens inside a finished unit (StreamingBuild): the unit is built
// and its parse tree freed, so nothing reads them again but its first token (the start of the unit's context, which
// the enclosing unit's builder reads) and its last two visible tokens and the hidden ones after them (what LT(-1) and
// the error messages about the tokens after the unit read). Released entries are null; nothing after the parse reads
// the stream as a whole (TokenCheck and the brace repair run before it).
class ReleasingTokenStream final : public antlr4::CommonTokenStream {
 public:
  using CommonTokenStream::CommonTokenStream;

  // Returns the index before which every token after `start` is released now; `done` is such an index from an
  // earlier call with the same start (a list's elements), where releasing goes on.
  size_t release_inside(const antlr4::Token* start, const antlr4::Token* stop, size_t done = 0) {
    if (start == nullptr || stop == nullptr) return done;
    const size_t first = start->getTokenIndex(), last = stop->getTokenIndex();
    if (first == INVALID_INDEX || last == INVALID_INDEX || last <= first || last >= _tokens.size()) return done;
    size_t keep = last + 1;  // the tail kept starts here
    int visible = 0;
    for (size_t i = last + 1; i-- > first + 1 && visible < 2;) {
      keep = i;
      if (_tokens[i] != nullptr && _tokens[i]->getChannel() == antlr4::Token::DEFAULT_CHANNEL) ++visible;
    }
    if (visible < 2) return done;
    for (size_t i = std::max(first + 1, done); i < keep; ++i) _tokens[i].reset();
    return std::max(keep, done);
  }

  void reserve(size_t tokens) { _tokens.reserve(tokens); }

  // The first visible token after `index`, lexing as far as needed (the parser reads tokens on demand); null at
  // the end of the input.
  const antlr4::Token* visible_after(size_t index) {
    for (size_t i = index + 1; sync(i); ++i) {
      if (_tokens[i] != nullptr && _tokens[i]->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return _tokens[i].get();
    }
    return nullptr;
  }
};

// The two visible (default-channel) tokens before the offending one, and the one after it; null where none.
struct Neighbours {
  const antlr4::Token* before_previous = nullptr;
  const antlr4::Token* previous = nullptr;
  const antlr4::Token* next = nullptr;
};

Neighbours visible_neighbours(PolicyParser& parser, const antlr4::Token& offending) {
  Neighbours n;
  if (offending.getTokenIndex() == INVALID_INDEX) return n;
  auto* stream = dynamic_cast<ReleasingTokenStream*>(parser.getTokenStream());
  if (stream == nullptr) return n;
  for (size_t i = offending.getTokenIndex(); i-- > 0;) {
    antlr4::Token* t = stream->get(i);
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    if (n.previous == nullptr) {
      n.previous = t;
    } else {
      n.before_previous = t;
      break;
    }
  }
  n.next = stream->visible_after(offending.getTokenIndex());
  return n;
}

// The innermost block rule the parser is in, or null at the top level.
antlr4::ParserRuleContext* enclosing_block(PolicyParser& parser) {
  for (antlr4::ParserRuleContext* c = parser.getContext(); c != nullptr;
       c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    if (c->getRuleIndex() == PolicyParser::RuleBlock) return c;
  }
  return nullptr;
}

bool is_operator(size_t type) {
  switch (type) {
    case PolicyParser::ASSIGN:
    case PolicyParser::GE:
    case PolicyParser::LE:
    case PolicyParser::GT:
    case PolicyParser::LT:
    case PolicyParser::EQ:
    case PolicyParser::NE: return true;
    default: return false;
  }
}

// What the parser saw at a syntax error.
struct ErrorSite {
  const antlr4::Token& offending;
  size_t type;                       // offending's token type
  std::set<size_t> expected;         // token types the parser would have accepted
  Neighbours around;
  antlr4::ParserRuleContext* block;  // the enclosing block, or null
};

// "unexpected X; expected A, B or C" from the expected set, value-starting tokens folded into "a value"; without
// the list when there is none or it is too long to help.
std::string unexpected_token_message(const ErrorSite& site) {
  std::vector<std::string> names;
  bool value = false;
  for (size_t t : site.expected) {
    if (starts_value(t)) {
      value = true;
      continue;
    }
    std::string n = expected_name(t);
    if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (value) names.insert(names.begin(), "a value");
  if (names.empty() || names.size() > 5) return fmt::format("unexpected {}", describe_token(&site.offending));
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) list += i + 1 == names.size() ? " or " : ", ";
    list += names[i];
  }
  return fmt::format("unexpected {}; expected {}", describe_token(&site.offending), list);
}

// The message for the common mistakes (unquoted block name, missing '=', missing value, unclosed block or list),
// else the generic unexpected-token message.
std::string syntax_message(const ErrorSite& site) {
  const antlr4::Token* previous = site.around.previous;
  const antlr4::Token* before_previous = site.around.before_previous;
  const antlr4::Token* next = site.around.next;
  const size_t type = site.type;
  const std::string found = describe_token(&site.offending);
  auto expects = [&](size_t t) { return site.expected.count(t) != 0; };
  // `key value` at the start of an item: the '=' is missing.
  const bool item_start = before_previous == nullptr || before_previous->getType() == PolicyParser::NL ||
                          before_previous->getType() == PolicyParser::SEMI ||
                          before_previous->getType() == PolicyParser::LBRACE;
  const bool after_word = previous != nullptr && previous->getType() == PolicyParser::IDENT;
  const bool after_operator = previous != nullptr && is_operator(previous->getType());
  if (after_word && item_start && type == PolicyParser::IDENT && next != nullptr &&
      next->getType() == PolicyParser::LBRACE) {
    return fmt::format("block names are quoted strings: write {} \"{}\" {{", shorten(previous->getText()),
                       shorten(site.offending.getText()));
  }
  if (after_word && item_start && site.block != nullptr && type != PolicyParser::LBRACE &&
      type != PolicyParser::STRING && type != PolicyParser::UNTERMINATED_STRING) {
    return fmt::format("expected '=' after '{}', found {}", shorten(previous->getText()), found);
  }
  if (expects(PolicyParser::ASSIGN) && after_word && expects(PolicyParser::LBRACE)) {
    return fmt::format("expected '=' after '{}', found {}", shorten(previous->getText()), found);
  }
  if (after_operator && std::any_of(site.expected.begin(), site.expected.end(), starts_value)) {
    return fmt::format("expected a value after '{}', found {}", previous->getText(), found);
  }
  if (type == antlr4::Token::EOF && site.block != nullptr && expects(PolicyParser::RBRACE)) {
    return "expected '}' to close this block before the end of the file";
  }
  if (expects(PolicyParser::RBRACK) && expects(PolicyParser::COMMA)) {
    return fmt::format("expected ',' or ']' in the list, found {}", found);
  }
  if (expects(PolicyParser::RPAREN)) return fmt::format("expected ')', found {}", found);
  return unexpected_token_message(site);
}

// Thrown by the error listener at the syntax error after kMaxSyntaxErrors (reported as SK0108): ends the parse.
struct TooManySyntaxErrors {};

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(const SourceMap& map, diag::DiagnosticSink& sink) : map_(map), sink_(sink) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t /*line*/, size_t /*col*/,
                   const std::string& raw_message, std::exception_ptr /*e*/) override {
    auto* parser = dynamic_cast<PolicyParser*>(recognizer);
    if (parser == nullptr || offending == nullptr) {
      // Lexer errors cannot happen (ERROR_CHAR matches anything); keep the raw text if one ever does.
      sink_.report(diag::Code::kSyntaxError, std::nullopt, raw_message);
      return;
    }
    if (!reported_tokens_.insert(offending->getTokenIndex()).second) return;
    const ErrorSite site{*offending, offending->getType(), expected_tokens(*parser),
                         visible_neighbours(*parser, *offending), enclosing_block(*parser)};
    diag::SourceRange range = map_.range(offending->getStartIndex(), offending->getStopIndex());
    if (site.type == antlr4::Token::EOF || site.type == PolicyParser::NL) range.end = range.begin;
    if (reported_tokens_.size() > kMaxSyntaxErrors) {
      sink_.report(diag::Code::kTooManySyntaxErrors, range, kMaxSyntaxErrors);
      throw TooManySyntaxErrors{};
    }
    diag::Diagnostic& d = sink_.report(diag::Code::kSyntaxError, range, syntax_message(site));
    if (site.type == antlr4::Token::EOF && site.block != nullptr) note_block_start(d, *site.block);
  }

 private:
  void note_block_start(diag::Diagnostic& d, antlr4::ParserRuleContext& block) const {
    const antlr4::Token* start = block.getStart();
    if (start == nullptr || start->getStartIndex() == INVALID_INDEX) return;
    d.note(map_.range(start->getStartIndex(), start->getStopIndex()), "the block starts here");
  }

  const SourceMap& map_;
  diag::DiagnosticSink& sink_;
  std::set<size_t> reported_tokens_;
};

// ANTLR's default recovery, except that separators and closing brackets are never deleted as "extraneous": a
// missing value before ';' must not swallow the next entry's key, nor a stray token a block's closing brace.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
 protected:
  antlr4::Token* singleTokenDeletion(antlr4::Parser* parser) override {
    switch (parser->getInputStream()->LA(1)) {
      case PolicyParser::NL:
      case PolicyParser::SEMI:
      case PolicyParser::LBRACE:
      case PolicyParser::RBRACE:
      case PolicyParser::RBRACK:
      case PolicyParser::RPAREN: return nullptr;
      default: return DefaultErrorStrategy::singleTokenDeletion(parser);
    }
  }
};

// One bad byte, one error (issue 11 item 10): a value that holds an invalid byte — already reported as SK0105, or as
// SK0104 for a later one — is marked as not readable (Expr::Kind::kError), so sema does not report it a second time
// as a bad name, duration or word. The innermost expression holding the byte is marked: a list keeps its other
// elements, a phrase split by the byte (`dai?ly at 01:00`) is marked whole.
bool holds_invalid_byte(diag::SourceRange r, const std::vector<uint32_t>& bad) {
  auto it = std::lower_bound(bad.begin(), bad.end(), r.begin);
  return it != bad.end() && *it < r.end;
}

void quiet_invalid_bytes(ast::Expr& e, const std::vector<uint32_t>& bad) {
  if (!holds_invalid_byte(e.range, bad)) return;
  bool inside_operand = false;
  for (ast::Expr& o : e.operands) {
    if (!holds_invalid_byte(o.range, bad)) continue;
    inside_operand = true;
    quiet_invalid_bytes(o, bad);
  }
  if (!inside_operand) e.kind = ast::Expr::Kind::kError;
}

void quiet_invalid_bytes(ast::Block& b, const std::vector<uint32_t>& bad) {
  for (ast::Entry& entry : b.entries) quiet_invalid_bytes(entry.value, bad);
  for (ast::Block& nested : b.blocks) quiet_invalid_bytes(nested, bad);
}

void quiet_invalid_bytes(ast::Policy& policy, const std::vector<uint32_t>& bad) {
  if (bad.empty()) return;
  for (ast::Block& b : policy.blocks) quiet_invalid_bytes(b, bad);
}

// Reports stray characters, rejects inputs nested too deeply for the recursive-descent parser and counts the
// braces (BraceRepair runs when they do not balance). Fed one token at a time by a lexing pass that keeps none.
class TokenCheck {
 public:
  TokenCheck(const SourceMap& map, diag::DiagnosticSink& sink) : map_(map), sink_(sink) {}

  // False (after reporting SK0106 or SK0109) when the nesting is too deep or a call or path too long: the file is
  // not parsed.
  bool add(const antlr4::Token& t) {
    switch (t.getType()) {
      case PolicyLexer::ERROR_CHAR: invalid_character(t); break;
      case PolicyLexer::LBRACE: ++braces_; [[fallthrough]];
      case PolicyLexer::LBRACK:
      case PolicyLexer::LPAREN: ++depth_; break;
      case PolicyLexer::RBRACE: --braces_; [[fallthrough]];
      case PolicyLexer::RBRACK:
      case PolicyLexer::RPAREN: depth_ = std::max(0, depth_ - 1); break;
      default: break;
    }
    nots_ = t.getType() == PolicyLexer::NOT ? nots_ + 1 : 0;
    if (depth_ > kMaxNesting || nots_ > kMaxNesting) {
      sink_.report(diag::Code::kNestingTooDeep, map_.range(t.getStartIndex(), t.getStopIndex()), kMaxNesting);
      return false;
    }
    return t.getChannel() != antlr4::Token::DEFAULT_CHANNEL || within_lengths(t);
  }
  // Opening less closing braces.
  [[nodiscard]] long brace_balance() const { return braces_; }

 private:
  // Counts a call's arguments (the commas of a '(' that follows a name, not those of a list inside it) and a
  // path's segments; false after reporting SK0109 at the first one too many.
  bool within_lengths(const antlr4::Token& t) {
    const size_t type = t.getType();
    if (type == PolicyLexer::LPAREN || type == PolicyLexer::LBRACK || type == PolicyLexer::LBRACE) {
      commas_.push_back(type == PolicyLexer::LPAREN && previous_ == PolicyLexer::IDENT ? 0 : -1);
    } else if ((type == PolicyLexer::RPAREN || type == PolicyLexer::RBRACK || type == PolicyLexer::RBRACE) &&
               !commas_.empty()) {
      commas_.pop_back();
    }
    bool too_long = false;
    if (type == PolicyLexer::COMMA && !commas_.empty() && commas_.back() >= 0) {
      too_long = ++commas_.back() >= kMaxCallArguments;
      if (too_long) report_too_long(t, kMaxCallArguments, "arguments in a call");
    }
    if (type == PolicyLexer::DOT) {
      dots_ = previous_ == PolicyLexer::IDENT ? dots_ + 1 : 1;
      too_long = dots_ >= kMaxPathSegments;
      if (too_long) report_too_long(t, kMaxPathSegments, "segments in a dotted path");
    } else if (type != PolicyLexer::IDENT) {
      dots_ = 0;
    }
    previous_ = type;
    return !too_long;
  }

  void report_too_long(const antlr4::Token& t, int limit, std::string_view what) {
    sink_.report(diag::Code::kTooLong, map_.range(t.getStartIndex(), t.getStopIndex()), limit, what);
  }

  void invalid_character(const antlr4::Token& t) {
    // The first invalid byte (read as U+FFFD) is reported once, as SK0105, not again as a stray character.
    if (!map_.invalid_bytes().empty() && map_.byte_offset(t.getStartIndex()) == map_.invalid_bytes().front()) return;
    if (!reported_char_ || sink_.reported() < 50) {
      diag::Diagnostic& d = sink_.report(diag::Code::kInvalidCharacter,
                                         map_.range(t.getStartIndex(), t.getStopIndex()), t.getText());
      if (t.getText() == "-") d.note(std::nullopt, "ranges are written with '..' (mon..sat); names use '_'");
    }
    reported_char_ = true;
  }

  const SourceMap& map_;
  diag::DiagnosticSink& sink_;
  int depth_ = 0;
  int nots_ = 0;
  long braces_ = 0;
  bool reported_char_ = false;
  std::vector<int> commas_;  // per open bracket: a call's commas so far, -1 for other brackets
  int dots_ = 0;             // the dots of the path being read
  size_t previous_ = 0;      // the type of the previous visible token
};

// Counts, in the same lexing pass, the entries and blocks of each body and the elements of each bracketed list
// (AstBuilder::SizeHint), keeping those of the large ones: their nodes are then gathered into vectors of that size.
// What the parser will see in well-formed text; after recovery it may differ, which costs only a regrowth.
class SizeCount {
 public:
  void add(const antlr4::Token& t) {
    if (t.getChannel() != antlr4::Token::DEFAULT_CHANNEL) return;
    const size_t type = t.getType();
    if (!open_.empty() && open_.back().type == PolicyLexer::LBRACE) body_token(open_.back(), type);
    if (!open_.empty() && open_.back().type == PolicyLexer::LBRACK) list_token(open_.back(), type);
    if (!open_.empty()) chain_token(open_.back(), t);
    switch (type) {
      case PolicyLexer::LBRACE:
      case PolicyLexer::LBRACK:
      case PolicyLexer::LPAREN: {
        Open o;
        o.at = t.getStartIndex();
        o.type = type;
        open_.push_back(o);
        break;
      }
      case PolicyLexer::RBRACE:
      case PolicyLexer::RBRACK:
      case PolicyLexer::RPAREN: close(); break;
      default: break;
    }
    last_ = type;
  }
  std::vector<AstBuilder::SizeHint> hints() {
    std::sort(hints_.begin(), hints_.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    return std::move(hints_);
  }

 private:
  static constexpr uint32_t kLarge = 64;  // smaller bodies and lists are gathered in chunks at no real cost
  // The `or` (or `and`) chain going on at one depth: its first operator and how many operators so far.
  struct Chain {
    size_t at = 0;
    uint32_t operators = 0;
  };
  struct Open {
    size_t at = 0, type = 0;
    uint32_t entries = 0, blocks = 0, commas = 0;
    bool item_start = true, pending = false, any = false, trailing_comma = false;
    Chain ors, ands;
  };

  // An `or` chain's operands at one depth, keyed by its first `or`; an `and` chain's (within an `or` operand) by its
  // first `and`. A separator, a comma or an '=' ends both; brackets inside an operand are a depth of their own.
  void chain_token(Open& o, const antlr4::Token& t) {
    switch (t.getType()) {
      case PolicyLexer::OR:
        end_chain(o.ands);
        add_operator(o.ors, t);
        return;
      case PolicyLexer::AND: add_operator(o.ands, t); return;
      case PolicyLexer::NL:
        if (last_ == PolicyLexer::AND || last_ == PolicyLexer::OR) return;
        break;
      case PolicyLexer::SEMI:
      case PolicyLexer::COMMA:
      case PolicyLexer::ASSIGN:
      case PolicyLexer::LBRACE:
      case PolicyLexer::RBRACE:
      case PolicyLexer::RBRACK:
      case PolicyLexer::RPAREN:
      case PolicyLexer::WHERE: break;
      default: return;
    }
    end_chain(o.ands);
    end_chain(o.ors);
  }
  static void add_operator(Chain& c, const antlr4::Token& t) {
    if (c.operators++ == 0) c.at = t.getStartIndex();
  }
  void end_chain(Chain& c) {
    if (c.operators + 1 >= kLarge) hints_.push_back(AstBuilder::SizeHint{c.at, c.operators + 1, 0});
    c = Chain{};
  }

  // An item starts with a name after '{', a separator or a nested block's '}'; the token after it says an entry
  // (an operator) or a block. A line end after `and` / `or` continues the value.
  void body_token(Open& o, size_t type) {
    if (o.pending) {
      o.pending = false;
      ++(is_operator(type) ? o.entries : o.blocks);
    }
    if (type == PolicyLexer::NL) {
      if (last_ != PolicyLexer::AND && last_ != PolicyLexer::OR) o.item_start = true;
    } else if (type == PolicyLexer::SEMI) {
      o.item_start = true;
    } else {
      o.pending = o.item_start && type == PolicyLexer::IDENT;
      o.item_start = false;
    }
  }

  static void list_token(Open& o, size_t type) {
    if (type == PolicyLexer::NL || type == PolicyLexer::RBRACK) return;
    o.trailing_comma = type == PolicyLexer::COMMA;
    if (o.trailing_comma) ++o.commas; else o.any = true;
  }

  void close() {
    if (open_.empty()) return;
    const Open o = open_.back();
    open_.pop_back();
    if (o.type == PolicyLexer::LBRACE && o.entries + o.blocks >= kLarge) {
      hints_.push_back(AstBuilder::SizeHint{o.at, o.entries, o.blocks});
    }
    const uint32_t elements = o.any ? o.commas + (o.trailing_comma ? 0 : 1) : 0;
    if (o.type == PolicyLexer::LBRACK && elements >= kLarge) hints_.push_back(AstBuilder::SizeHint{o.at, elements, 0});
    if (!open_.empty() && open_.back().type == PolicyLexer::LBRACE) open_.back().item_start = true;
  }

  std::vector<Open> open_;
  std::vector<AstBuilder::SizeHint> hints_;
  size_t last_ = 0;
};

// ---- brace repair ----
// A missing or extra '}' used to cascade (one error per later block, the EOF error pointing at the outermost block).
// When the file's braces do not balance, the indentation says where the user meant a block to end: a block
// header (`name "x" {`) or a '}' that starts a line at or left of an open block's indentation closes it, and a '}'
// that starts a line at an indentation no open block has is stray. Each such place is reported once (SK0101,
// naming the unclosed block) and repaired in the text the parser reads, so the rest parses normally.
struct BraceFix {
  size_t index;  // code point index in the normalized text
  bool insert;   // insert '}' before index; else the '}' at index is dropped
};

class BraceRepair {
 public:
  BraceRepair(const SourceMap& map, diag::DiagnosticSink& sink) : map_(map), sink_(sink) {}

  std::vector<BraceFix> run(const std::vector<antlr4::Token*>& all) {
    for (const antlr4::Token* t : all) {
      if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL && t->getType() != PolicyLexer::NL) tokens_.push_back(t);
    }
    for (const antlr4::Token* t : tokens_) {
      if (t->getType() == PolicyLexer::LBRACE) ++balance_;
      if (t->getType() == PolicyLexer::RBRACE) --balance_;
    }
    if (balance_ == 0) return {};
    size_t line = 0, indent = 0;
    for (size_t i = 0; i < tokens_.size() && fixes_.size() < kMaxFixes; ++i) {
      const antlr4::Token* t = tokens_[i];
      const bool first_on_line = t->getLine() != line;
      if (first_on_line) {
        line = t->getLine();
        indent = t->getCharPositionInLine();
        line_start_ = i;
      }
      if (first_on_line && balance_ > 0 && opens_block(i)) close_until(t, indent, true);
      if (t->getType() == PolicyLexer::LBRACE) open_.push_back(Open{indent, line, line_start_});
      if (t->getType() == PolicyLexer::RBRACE) closing_brace(t, first_on_line, indent);
    }
    return fixes_;
  }

 private:
  static constexpr size_t kMaxFixes = 16;
  struct Open {
    size_t indent, line, header;  // header: index in tokens_ of the first token of the '{' line
  };

  // An identifier that starts a line holding a '{' (a block header).
  bool opens_block(size_t i) const {
    if (tokens_[i]->getType() != PolicyLexer::IDENT) return false;
    for (size_t k = i + 1; k < tokens_.size() && tokens_[k]->getLine() == tokens_[i]->getLine(); ++k) {
      if (tokens_[k]->getType() == PolicyLexer::LBRACE) return true;
    }
    return false;
  }

  std::string describe(const Open& o) const {
    std::string name = tokens_[o.header]->getText();
    if (o.header + 1 < tokens_.size() && tokens_[o.header + 1]->getType() == PolicyLexer::STRING) {
      name += " " + tokens_[o.header + 1]->getText();
    }
    return shorten(name);
  }

  // Open blocks from a line before `t`'s at `indent` or deeper are unclosed: close them before `t`.
  void close_until(const antlr4::Token* t, size_t indent, bool or_equal) {
    while (balance_ > 0 && !open_.empty() && open_.back().line != t->getLine() &&
           (indent < open_.back().indent || (or_equal && indent == open_.back().indent))) {
      const Open& o = open_.back();
      const diag::SourceRange at = map_.range(t->getStartIndex(), t->getStartIndex());
      const antlr4::Token* h = tokens_[o.header];
      sink_.report(diag::Code::kSyntaxError, diag::SourceRange{at.begin, at.begin},
                   fmt::format("{} is not closed: expected '}}' before this line", describe(o)))
          .note(map_.range(h->getStartIndex(), h->getStopIndex()), "the block starts here");
      fixes_.push_back(BraceFix{t->getStartIndex(), true});
      open_.pop_back();
      --balance_;
    }
  }

  void closing_brace(const antlr4::Token* t, bool first_on_line, size_t indent) {
    if (first_on_line && balance_ > 0) close_until(t, indent, false);
    const bool stray = balance_ < 0 && (open_.empty() || (first_on_line && indent != open_.back().indent));
    if (stray) {
      sink_.report(diag::Code::kSyntaxError, map_.range(t->getStartIndex(), t->getStopIndex()),
                   open_.empty() ? std::string("'}' without a block to close")
                                 : fmt::format("stray '}}': {} starts at another indentation", describe(open_.back())));
      fixes_.push_back(BraceFix{t->getStartIndex(), false});
      ++balance_;
      return;
    }
    if (!open_.empty()) open_.pop_back();
  }

  const SourceMap& map_;
  diag::DiagnosticSink& sink_;
  std::vector<const antlr4::Token*> tokens_;
  std::vector<Open> open_;
  std::vector<BraceFix> fixes_;
  long balance_ = 0;
  size_t line_start_ = 0;
};

// ANTLR's input stream over the normalised (valid UTF-8) text, decoded here into exactly one char32_t per code
// point: the runtime's own UTF-8 conversion peaked at 20 bytes per input byte.
class CodePointStream final : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(std::string_view utf8) {
    _data.reserve(utf8.size());
    for (size_t i = 0; i < utf8.size();) {
      const size_t n = std::max<size_t>(1, utf8_sequence_length(utf8, i));
      const auto byte = [&](size_t k) { return static_cast<unsigned char>(utf8[i + k]); };
      char32_t cp = n == 1 ? byte(0) : byte(0) & (0x7F >> n);
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte(k) & 0x3F);
      _data.push_back(cp);
      i += n;
    }
    reset();
  }
};

// ANTLR's input stream over ASCII text, read in place: one code point per byte, so the lexer's indexes are byte
// indexes of the viewed text, which must outlive the stream. The char32 stream above costs 4 bytes per input byte
// (and its copy); text with a code point beyond ASCII still takes that one. Semantics of ANTLRInputStream.
class AsciiStream final : public antlr4::CharStream {
 public:
  explicit AsciiStream(std::string_view text) : text_(text) {}

  void consume() override {
    if (p_ >= text_.size()) throw antlr4::IllegalStateException("cannot consume EOF");
    ++p_;
  }
  size_t LA(ssize_t i) override {
    if (i == 0) return 0;
    const auto at = static_cast<ssize_t>(p_) + (i < 0 ? i : i - 1);
    if (at < 0 || at >= static_cast<ssize_t>(text_.size())) return antlr4::IntStream::EOF;
    return static_cast<unsigned char>(text_[static_cast<size_t>(at)]);
  }
  ssize_t mark() override { return -1; }
  void release(ssize_t /*marker*/) override {}
  size_t index() override { return p_; }
  void seek(size_t index) override { p_ = std::min(index, text_.size()); }
  size_t size() override { return text_.size(); }
  std::string getSourceName() const override { return antlr4::IntStream::UNKNOWN_SOURCE_NAME; }
  std::string getText(const antlr4::misc::Interval& interval) override {
    if (interval.a < 0 || interval.b < interval.a) return {};
    const auto start = static_cast<size_t>(interval.a);
    if (start >= text_.size()) return {};
    return std::string(text_.substr(start, std::min(static_cast<size_t>(interval.b), text_.size() - 1) - start + 1));
  }
  std::string toString() const override { return std::string(text_); }

 private:
  std::string_view text_;
  size_t p_ = 0;
};

std::unique_ptr<antlr4::CharStream> char_stream(const SourceMap& map) {
  if (map.ascii()) return std::make_unique<AsciiStream>(map.normalized());
  return std::make_unique<CodePointStream>(map.normalized());
}

// A token of 40 bytes instead of CommonToken's 112 (plus its text string): the parser keeps every token of the file
// until the end, so for text dense in tokens they were most of the memory left once rule contexts are freed as they
// are built (StreamingBuild). The text is read from the input stream, as CommonToken does when none was set.
class SlimToken final : public antlr4::WritableToken {
 public:
  SlimToken(antlr4::TokenSource* source, size_t type, size_t channel, size_t start, size_t stop, size_t line,
            size_t col)
      : source_(source),
        type_(static_cast<uint16_t>(type)),
        channel_(static_cast<uint16_t>(channel)),
        line_(static_cast<uint32_t>(line)),
        col_(static_cast<uint32_t>(col)),
        start_(static_cast<uint32_t>(start)),
        stop_(static_cast<uint32_t>(stop)) {}

  std::string getText() const override {
    if (start_ > stop_) return {};
    return getInputStream()->getText(antlr4::misc::Interval(size_t{start_}, size_t{stop_}));
  }
  size_t getType() const override { return type_; }
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() const override { return col_; }
  size_t getChannel() const override { return channel_; }
  size_t getTokenIndex() const override { return index_ == kNone ? INVALID_INDEX : index_; }
  size_t getStartIndex() const override { return start_; }
  size_t getStopIndex() const override { return stop_; }
  antlr4::TokenSource* getTokenSource() const override { return source_; }
  antlr4::CharStream* getInputStream() const override { return source_->getInputStream(); }
  std::string toString() const override { return getText(); }
  // The parser and the token stream set only the index; the lexer sets nothing after emit().
  void setText(const std::string& /*text*/) override {}
  void setType(size_t type) override { type_ = static_cast<uint16_t>(type); }
  void setLine(size_t line) override { line_ = static_cast<uint32_t>(line); }
  void setCharPositionInLine(size_t col) override { col_ = static_cast<uint32_t>(col); }
  void setChannel(size_t channel) override { channel_ = static_cast<uint16_t>(channel); }
  void setTokenIndex(size_t index) override { index_ = static_cast<uint32_t>(index); }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  antlr4::TokenSource* source_;
  uint16_t type_, channel_;
  uint32_t line_, col_, start_, stop_;
  uint32_t index_ = kNone;
};
static_assert(sizeof(SlimToken) == 40);

// The generated lexer, emitting SlimTokens (end of file stays a CommonToken).
class SlimLexer final : public PolicyLexer {
 public:
  using PolicyLexer::PolicyLexer;
  antlr4::Token* emit() override {
    antlr4::Lexer::emit(std::make_unique<SlimToken>(this, type, channel, tokenStartCharIndex, getCharIndex() - 1,
                                                    tokenStartLine, tokenStartCharPositionInLine));
    return token.get();
  }
};

// Builds each entry, block and list element (a unit) into its ast:: node when the parser leaves it, then frees the
// unit's parse tree: ANTLR allocates rule contexts and terminal nodes through the parser's ParseTreeTracker and frees
// them only when the parser goes, which for text dense in blocks cost about 150 bytes per input byte. On entering a
// unit the tracker is swapped for an empty one (the unit's own context stays with its parent's), so that on leaving
// it the tracker holds exactly the unit's descendants: built, then freed, and the parent's tracker is put back. The
// parse itself is untouched (same decisions, recovery and messages): the contexts still alive are the unit and its
// ancestors, which is all ANTLR's error handling reads.
//
// Sequences (a bracketed list's elements, a body's items, the document's blocks, the operands after the first of
// an `or`, `and` or sequence chain and the atoms after the first of a phrase) are built as they go: each element
// is built when the parser leaves it (a unit, or exit_element()) and appended to what its container gathers, and
// what the parser allocated for it and between two elements (its shell, separators, new lines, commas) goes to a
// tracker of the sequence's own, freed once the next element is done.
class StreamingBuild final : public antlr4::tree::ParseTreeListener {
 public:
  StreamingBuild(PolicyParser& parser, ReleasingTokenStream& tokens, AstBuilder& builder)
      : parser_(parser), tokens_(tokens), builder_(builder) {
    frames_.reserve(kMaxFrames);
    sequences_.reserve(kMaxSequences);
  }
  ~StreamingBuild() override {
    for (antlr4::tree::ParseTreeTracker& t : frames_) t.reset();
    for (Sequence& l : sequences_) {
      l.outer.reset();
      l.previous.reset();
    }
  }
  StreamingBuild(const StreamingBuild&) = delete;
  StreamingBuild& operator=(const StreamingBuild&) = delete;

  // What went wrong inside an event (the events must not throw: exitRule runs in the generated code's `finally`).
  [[nodiscard]] std::exception_ptr failure() const { return failure_; }

  void enterEveryRule(antlr4::ParserRuleContext* ctx) override {
    if (is_element(*ctx)) enter_element(*ctx);
    if (ctx->getRuleIndex() == PolicyParser::RuleBody) body_entered(*ctx);
    if (!is_unit(*ctx)) return;
    if (frames_.size() == kMaxFrames) {  // cannot happen below kMaxNesting; fail rather than build a wrong tree
      ++overflow_;
      fail("blocks nested too deeply");
      return;
    }
    frames_.emplace_back();  // within the reserved capacity: no allocation
    std::swap(frames_.back(), parser_.getTreeTracker());
    builder_.enter_unit();  // within the reserved capacity of the builder's levels
  }

  void exitEveryRule(antlr4::ParserRuleContext* ctx) override {
    if (!sequences_.empty() && sequences_.back().container == ctx) end_sequence();
    if (ctx->getRuleIndex() == PolicyParser::RuleSep) return builder_.separator_left();
    const bool element = !sequences_.empty() && sequences_.back().container == ctx->parent;
    if (is_unit(*ctx)) {
      if (overflow_ > 0) {
        --overflow_;
        return;
      }
      exit_unit(*ctx, element);
    }
    if (element) element_done(*ctx);
  }

  void visitTerminal(antlr4::tree::TerminalNode* /*node*/) override {}
  void visitErrorNode(antlr4::tree::ErrorNode* /*node*/) override {}

 private:
  static constexpr size_t kMaxFrames = AstBuilder::kMaxUnitDepth;
  // Sequences nest in units and in each other: a body in each block, and within one unit up to three chains and
  // a list per level of brackets.
  static constexpr size_t kMaxSequences = AstBuilder::kMaxElementDepth;

  // Entries, blocks and the elements of bracketed lists (a list of 25,000 unquoted names is one entry).
  static bool is_unit(const antlr4::ParserRuleContext& ctx) {
    switch (ctx.getRuleIndex()) {
      case PolicyParser::RuleEntry:
      case PolicyParser::RuleBlock: return true;
      case PolicyParser::RuleExpr: return dynamic_cast<const PolicyParser::ListAtomContext*>(ctx.parent) != nullptr;
      default: return false;
    }
  }

  // An element of a sequence: a list's element, a body's item, a block of the document, or a chain's element.
  static bool is_element(const antlr4::ParserRuleContext& ctx) {
    switch (ctx.getRuleIndex()) {
      case PolicyParser::RuleItem: return dynamic_cast<const PolicyParser::BodyContext*>(ctx.parent) != nullptr;
      case PolicyParser::RuleBlock: return dynamic_cast<const PolicyParser::DocumentContext*>(ctx.parent) != nullptr;
      case PolicyParser::RuleExpr:
        if (dynamic_cast<const PolicyParser::ListAtomContext*>(ctx.parent) != nullptr) return true;
        break;
      default: break;
    }
    return AstBuilder::is_chain_element(ctx);
  }

  void fail(const char* what) {
    if (!failure_) failure_ = std::make_exception_ptr(std::runtime_error(what));
  }

  // A sequence being parsed (see the class comment). The first element and all before it stay in the enclosing
  // tracker (set aside as `outer` while the sequence goes on), and the container's children keep only those and
  // the current element.
  struct Sequence {
    antlr4::tree::ParseTree* container = nullptr;
    antlr4::tree::ParseTreeTracker outer;     // the enclosing tracker, put back when the sequence ends
    antlr4::tree::ParseTreeTracker previous;  // the element before the current one, and its separators
    size_t kept = 0;                          // container's children up to the first element
    const antlr4::Token* from = nullptr;      // the tokens after this one are released as elements are done
    size_t released = 0;                      // the tokens of the sequence before this index are released
    bool started = false;                     // the first element is done
  };

  void enter_element(antlr4::ParserRuleContext& ctx) {
    if (sequences_.empty() || sequences_.back().container != ctx.parent) {
      if (sequences_.size() == kMaxSequences) return fail("expressions nested too deeply");
      sequences_.emplace_back().container = ctx.parent;  // within the reserved capacity
    }
    if (AstBuilder::is_chain_element(ctx)) builder_.enter_element();
  }

  void body_entered(antlr4::ParserRuleContext& body) {
    try {
      builder_.body_entered(body);  // reserves its size hint
    } catch (...) {
      if (!failure_) failure_ = std::current_exception();
    }
  }

  void exit_unit(antlr4::ParserRuleContext& ctx, bool element) {
    const bool build = !failure_ && std::uncaught_exceptions() == 0;
    try {
      builder_.exit_unit(ctx, build);
    } catch (...) {
      if (!failure_) failure_ = std::current_exception();
    }
    parser_.getTreeTracker().reset();
    std::swap(frames_.back(), parser_.getTreeTracker());
    frames_.pop_back();
    std::vector<antlr4::tree::ParseTree*>().swap(ctx.children);
    if (!element) tokens_.release_inside(ctx.getStart(), ctx.getStop());
  }

  // After element `ctx` of the innermost sequence is left (a unit: built and its subtree freed): a chain element is
  // built, an item checked for its separator; then what the parser allocated since the previous element is freed
  // (the element just left is still the parser's context until exitRule returns: freed at the next element).
  void element_done(antlr4::ParserRuleContext& ctx) {
    if (!failure_ && std::uncaught_exceptions() == 0) {
      try {
        if (ctx.getRuleIndex() == PolicyParser::RuleItem || ctx.getRuleIndex() == PolicyParser::RuleBlock) {
          builder_.item_left(ctx);
        } else if (AstBuilder::is_chain_element(ctx)) {
          builder_.exit_element(ctx);
        }
      } catch (...) {
        if (!failure_) failure_ = std::current_exception();
      }
    }
    Sequence& l = sequences_.back();
    std::vector<antlr4::tree::ParseTree*>& children = l.container->children;
    if (!l.started) {
      // The first element and all before it live in the enclosing tracker: set it aside.
      l.kept = children.size();
      l.started = true;
      std::swap(l.outer, parser_.getTreeTracker());
      // A chain's first operand is built with the chain, from its tokens: those stay.
      l.from = AstBuilder::is_chain_element(ctx) ? ctx.getStart()
                                                 : dynamic_cast<antlr4::ParserRuleContext*>(l.container)->getStart();
    } else {
      children.resize(l.kept);   // no reallocation: shrinks
      children.push_back(&ctx);  // within the capacity the line above freed
      l.previous.reset();
      std::swap(l.previous, parser_.getTreeTracker());
    }
    l.released = tokens_.release_inside(l.from, ctx.getStop(), l.released);
  }

  // When the parser leaves the innermost sequence's container: nothing reads its elements' contexts or separators
  // any more (the builder has its elements); the enclosing tracker is put back.
  void end_sequence() {
    Sequence& l = sequences_.back();
    if (l.started) {
      l.container->children.resize(l.kept);
      l.previous.reset();
      parser_.getTreeTracker().reset();
      std::swap(l.outer, parser_.getTreeTracker());
    }
    sequences_.pop_back();
  }

  PolicyParser& parser_;
  ReleasingTokenStream& tokens_;
  AstBuilder& builder_;
  std::vector<Sequence> sequences_;
  std::vector<antlr4::tree::ParseTreeTracker> frames_;
  size_t overflow_ = 0;
  std::exception_ptr failure_;
};

// The passes before the parse, each lexing the text anew and keeping no token: stray characters and nesting
// (TokenCheck), then — only when the braces do not balance — the brace repair, which reads every token of the file
// and rewrites the text the parser will read. False when the file is not to be parsed.
// What the first pass tells the parse: how many tokens the file has and the size hints (none when the brace repair
// rewrote the text).
struct FirstPass {
  size_t tokens = 0;
  std::vector<AstBuilder::SizeHint> hints;
};

bool check_and_repair(SourceMap& map, ErrorListener& listener, diag::DiagnosticSink& sink, FirstPass& pass) {
  long balance = 0;
  {
    const std::unique_ptr<antlr4::CharStream> input = char_stream(map);
    SlimLexer lexer(input.get());
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    TokenCheck check(map, sink);
    SizeCount sizes;
    for (std::unique_ptr<antlr4::Token> t = lexer.nextToken();; t = lexer.nextToken()) {
      if (!check.add(*t)) return false;
      sizes.add(*t);
      ++pass.tokens;
      if (t->getType() == antlr4::Token::EOF) break;
    }
    balance = check.brace_balance();
    if (balance == 0) pass.hints = sizes.hints();
  }
  if (balance == 0) return true;
  pass.tokens = 0;
  std::vector<BraceFix> fixes;
  {
    const std::unique_ptr<antlr4::CharStream> input = char_stream(map);
    SlimLexer lexer(input.get());
    lexer.removeErrorListeners();
    antlr4::CommonTokenStream all(&lexer);
    all.fill();
    fixes = BraceRepair(map, sink).run(all.getTokens());
  }
  // Apply from the back so earlier indexes stay valid.
  for (auto it = fixes.rbegin(); it != fixes.rend(); ++it) {
    if (it->insert) map.insert_close_brace(it->index); else map.blank(it->index);
  }
  return true;
}

}  // namespace

ast::Policy parse(const diag::SourceFile& file, diag::DiagnosticSink& sink) {
  if (file.text().size() > kMaxPolicyBytes) {
    sink.report(diag::Code::kResourceLimit, diag::SourceRange{0, 0},
                fmt::format("the file has {} bytes, more than the {} bytes (256 KiB) a policy may have",
                            file.text().size(), kMaxPolicyBytes));
    return {};
  }
  try {
    SourceMap map(file.text(), sink);
    ErrorListener listener(map, sink);
    FirstPass pass;
    if (!check_and_repair(map, listener, sink, pass)) return {};
    // The parse lexes again, token by token as the parser asks (no fill()): tokens inside finished units are
    // released as it goes, so the file's tokens never exist all at once.
    const std::unique_ptr<antlr4::CharStream> input = char_stream(map);
    SlimLexer lexer(input.get());
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    auto tokens = std::make_unique<ReleasingTokenStream>(&lexer);
    tokens->reserve(pass.tokens);  // a slot per token, exactly (not doubled)
    PolicyParser parser(tokens.get());
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<ErrorStrategy>());
    AstBuilder builder(file, map, sink);
    builder.set_size_hints(std::move(pass.hints));
    StreamingBuild streaming(parser, *tokens, builder);
    parser.addParseListener(&streaming);
    PolicyParser::DocumentContext* document = parser.document();
    parser.removeParseListeners();
    if (streaming.failure()) std::rethrow_exception(streaming.failure());
    ast::Policy policy = builder.finish(*document);
    quiet_invalid_bytes(policy, map.invalid_bytes());
    return policy;
  } catch (const TooManySyntaxErrors&) {
    // Reported by the listener; the rest of the file is not read.
  } catch (const std::bad_alloc&) {
    sink.report(diag::Code::kResourceLimit, std::nullopt,
                fmt::format("out of memory while parsing {} bytes", file.text().size()));
  } catch (const std::exception& e) {
    // The ANTLR runtime should not throw here; if it does, report instead of propagating (parse() never throws).
    sink.report(diag::Code::kSyntaxError, std::nullopt, std::string("internal parser failure: ") + e.what());
  } catch (...) {
    sink.report(diag::Code::kSyntaxError, std::nullopt, "internal parser failure");
  }
  return {};
}

}  // namespace sk::syntax
