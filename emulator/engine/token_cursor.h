// A forward cursor over tokens for the emulator's hand-written statement parsers (DDL translator, statement
// router). Header-only; not thread-safe (one parse at a time).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/engine/sql_lexer.h"

namespace sk::emu {

class TokenCursor {
 public:
  explicit TokenCursor(const std::vector<Token>& tokens) : tokens_(tokens) {}

  bool at_end() const { return pos_ >= tokens_.size(); }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  const Token& peek(size_t ahead = 0) const {
    static const Token kEnd{TokenKind::kSymbol, "", "", 0, 0};
    return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead] : kEnd;
  }
  const Token& next() {
    const Token& t = peek();
    if (!at_end()) ++pos_;
    return t;
  }
  // Consumes the keyword if it is next.
  bool accept(std::string_view keyword) {
    if (peek().is(keyword)) {
      ++pos_;
      return true;
    }
    return false;
  }
  // Consumes the keywords if they are all next, in order.
  bool accept_seq(std::initializer_list<std::string_view> words) {
    size_t i = 0;
    for (auto w : words) {
      if (!peek(i).is(w)) return false;
      ++i;
    }
    pos_ += i;
    return true;
  }
  bool accept_symbol(std::string_view s) {
    if (peek().is_symbol(s)) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A name (word or `quoted`), or nullopt without consuming.
  std::optional<std::string> name() {
    if (peek().is_name()) return next().value;
    return std::nullopt;
  }
  // [db.]name
  std::optional<std::pair<std::string, std::string>> qualified_name() {
    auto first = name();
    if (!first) return std::nullopt;
    if (peek().is_symbol(".") && peek(1).is_name()) {
      ++pos_;
      return std::make_pair(*first, next().value);
    }
    return std::make_pair(std::string(), *first);
  }
  // Skips a balanced parenthesised group starting at the current "(".
  void skip_group() {
    if (!peek().is_symbol("(")) return;
    int depth = 0;
    while (!at_end()) {
      const Token& t = next();
      if (t.is_symbol("(")) ++depth;
      if (t.is_symbol(")") && --depth == 0) return;
    }
  }

 private:
  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
};

}  // namespace sk::emu
