// The ANTLR adapter: runs the generated lexer and parser, turns their errors into SK01xx diagnostics with readable
// messages, and hands the parse tree to AstBuilder. The only place (with build_ast.cpp) that sees ANTLR.
#include "compiler/syntax/parse.h"

#include <algorithm>
#include <memory>
#include <new>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "PolicyLexer.h"
#include "PolicyParser.h"
#include "antlr4-runtime.h"
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
    diag::SourceRange range = map_.range(offending->getStartIndex(), offending->getStopIndex());
    const size_t type = offending->getType();
    if (type == antlr4::Token::EOF || type == PolicyParser::NL) range.end = range.begin;

    std::set<size_t> expected;
    try {
      for (ssize_t t : parser->getExpectedTokens().toList()) expected.insert(static_cast<size_t>(t));
    } catch (...) {
      // getExpectedTokens() can fail in odd recovery states; fall back to a message without the expected set.
    }
    // The two visible tokens before the offending one, and the one after it.
    const antlr4::Token* previous = nullptr;
    const antlr4::Token* before_previous = nullptr;
    const antlr4::Token* next = nullptr;
    if (offending->getTokenIndex() != INVALID_INDEX) {
      auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(parser->getTokenStream());
      if (stream != nullptr) {
        for (size_t i = offending->getTokenIndex(); i-- > 0;) {
          antlr4::Token* t = stream->get(i);
          if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
          if (previous == nullptr) {
            previous = t;
          } else {
            before_previous = t;
            break;
          }
        }
        for (size_t i = offending->getTokenIndex() + 1; i < stream->size(); ++i) {
          antlr4::Token* t = stream->get(i);
          if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
          next = t;
          break;
        }
      }
    }
    // `key value` at the start of an item: the '=' is missing.
    const bool item_start = before_previous == nullptr || before_previous->getType() == PolicyParser::NL ||
                            before_previous->getType() == PolicyParser::SEMI ||
                            before_previous->getType() == PolicyParser::LBRACE;

    std::string message;
    diag::Diagnostic* extra_note_target = nullptr;
    antlr4::ParserRuleContext* block = nullptr;
    for (antlr4::ParserRuleContext* c = parser->getContext(); c != nullptr;
         c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
      if (c->getRuleIndex() == PolicyParser::RuleBlock) {
        block = c;
        break;
      }
    }
    const bool after_word = previous != nullptr && previous->getType() == PolicyParser::IDENT;
    const bool after_operator = previous != nullptr && (previous->getType() == PolicyParser::ASSIGN ||
                                                        previous->getType() == PolicyParser::GE ||
                                                        previous->getType() == PolicyParser::LE ||
                                                        previous->getType() == PolicyParser::GT ||
                                                        previous->getType() == PolicyParser::LT ||
                                                        previous->getType() == PolicyParser::EQ ||
                                                        previous->getType() == PolicyParser::NE);
    if (after_word && item_start && type == PolicyParser::IDENT && next != nullptr &&
        next->getType() == PolicyParser::LBRACE) {
      message = fmt::format("block names are quoted strings: write {} \"{}\" {{", shorten(previous->getText()),
                            shorten(offending->getText()));
    } else if (after_word && item_start && block != nullptr && type != PolicyParser::LBRACE &&
               type != PolicyParser::STRING && type != PolicyParser::UNTERMINATED_STRING) {
      message = fmt::format("expected '=' after '{}', found {}", shorten(previous->getText()),
                            describe_token(offending));
    } else if (expected.count(PolicyParser::ASSIGN) && after_word && expected.count(PolicyParser::LBRACE)) {
      message = fmt::format("expected '=' after '{}', found {}", shorten(previous->getText()),
                            describe_token(offending));
    } else if (after_operator && std::any_of(expected.begin(), expected.end(), starts_value)) {
      message = fmt::format("expected a value after '{}', found {}", previous->getText(), describe_token(offending));
    } else if (type == antlr4::Token::EOF && block != nullptr && expected.count(PolicyParser::RBRACE)) {
      message = "expected '}' to close this block before the end of the file";
    } else if (expected.count(PolicyParser::RBRACK) && expected.count(PolicyParser::COMMA)) {
      message = fmt::format("expected ',' or ']' in the list, found {}", describe_token(offending));
    } else if (expected.count(PolicyParser::RPAREN)) {
      message = fmt::format("expected ')', found {}", describe_token(offending));
    } else {
      std::vector<std::string> names;
      bool value = false;
      for (size_t t : expected) {
        if (starts_value(t)) {
          value = true;
          continue;
        }
        std::string n = expected_name(t);
        if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
      }
      if (value) names.insert(names.begin(), "a value");
      if (names.empty() || names.size() > 5) {
        message = fmt::format("unexpected {}", describe_token(offending));
      } else {
        std::string list;
        for (size_t i = 0; i < names.size(); ++i) {
          if (i) list += i + 1 == names.size() ? " or " : ", ";
          list += names[i];
        }
        message = fmt::format("unexpected {}; expected {}", describe_token(offending), list);
      }
    }
    diag::Diagnostic& d = sink_.report(diag::Code::kSyntaxError, range, message);
    extra_note_target = &d;
    if (type == antlr4::Token::EOF && block != nullptr && block->getStart() != nullptr &&
        block->getStart()->getStartIndex() != INVALID_INDEX) {
      extra_note_target->note(map_.range(block->getStart()->getStartIndex(), block->getStart()->getStopIndex()),
                              "the block starts here");
    }
  }

 private:
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

// Reports stray characters and rejects inputs nested too deeply for the recursive-descent parser.
bool check_tokens(antlr4::CommonTokenStream& tokens, const SourceMap& map, diag::DiagnosticSink& sink) {
  int depth = 0;
  int nots = 0;
  bool reported_char = false;
  for (antlr4::Token* t : tokens.getTokens()) {
    switch (t->getType()) {
      case PolicyLexer::ERROR_CHAR:
        if (!reported_char || sink.diagnostics().size() < 50) {
          diag::Diagnostic& d = sink.report(diag::Code::kInvalidCharacter,
                                            map.range(t->getStartIndex(), t->getStopIndex()), t->getText());
          if (t->getText() == "-") d.note(std::nullopt, "ranges are written with '..' (mon..sat); names use '_'");
        }
        reported_char = true;
        break;
      case PolicyLexer::LBRACE:
      case PolicyLexer::LBRACK:
      case PolicyLexer::LPAREN: ++depth; break;
      case PolicyLexer::RBRACE:
      case PolicyLexer::RBRACK:
      case PolicyLexer::RPAREN: depth = std::max(0, depth - 1); break;
      default: break;
    }
    nots = t->getType() == PolicyLexer::NOT ? nots + 1 : 0;
    if (depth > kMaxNesting || nots > kMaxNesting) {
      sink.report(diag::Code::kNestingTooDeep, map.range(t->getStartIndex(), t->getStopIndex()), kMaxNesting);
      return false;
    }
  }
  return true;
}


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
    auto input = std::make_unique<antlr4::ANTLRInputStream>(map.normalized());
    auto lexer = std::make_unique<PolicyLexer>(input.get());
    lexer->removeErrorListeners();
    ErrorListener listener(map, sink);
    lexer->addErrorListener(&listener);
    auto tokens = std::make_unique<antlr4::CommonTokenStream>(lexer.get());
    tokens->fill();
    if (!check_tokens(*tokens, map, sink)) return {};
    if (std::vector<BraceFix> fixes = BraceRepair(map, sink).run(tokens->getTokens()); !fixes.empty()) {
      // Apply from the back so earlier indexes stay valid, then lex the repaired text again.
      for (auto it = fixes.rbegin(); it != fixes.rend(); ++it) {
        if (it->insert) map.insert_close_brace(it->index); else map.blank(it->index);
      }
      tokens.reset();
      lexer.reset();
      input = std::make_unique<antlr4::ANTLRInputStream>(map.normalized());
      lexer = std::make_unique<PolicyLexer>(input.get());
      lexer->removeErrorListeners();
      lexer->addErrorListener(&listener);
      tokens = std::make_unique<antlr4::CommonTokenStream>(lexer.get());
      tokens->fill();
    }
    PolicyParser parser(tokens.get());
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<ErrorStrategy>());
    PolicyParser::DocumentContext* document = parser.document();
    AstBuilder builder(file, map, sink);
    return builder.build_document(*document);
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
