// A small SQL tokenizer for the emulator's statement router and DDL translator: splits MySQL/StarRocks SQL text
// into identifiers, quoted names, string and number literals, variables and symbols, skipping comments. It keeps
// each token's byte range so that callers can rewrite the original text piecewise.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sk::emu {

enum class TokenKind {
  kWord,      // unquoted identifier or keyword
  kQuoted,    // `backquoted identifier`
  kString,    // 'single' or "double" quoted literal
  kNumber,    // 123, 1.5, 1e3
  kVariable,  // @user_var or @@system_var
  kSymbol,    // punctuation / operators, one or two characters
};

struct Token {
  TokenKind kind = TokenKind::kSymbol;
  std::string text;   // original text as written
  std::string value;  // unquoted, unescaped value (identifiers and strings); == text otherwise
  size_t begin = 0;   // byte offset of the token in the input
  size_t end = 0;     // one past the last byte

  // Case-insensitive keyword test for kWord tokens.
  [[nodiscard]] bool is(std::string_view keyword) const;
  [[nodiscard]] bool is_symbol(std::string_view s) const { return kind == TokenKind::kSymbol && text == s; }
  // True for kWord and kQuoted: something usable as a name.
  [[nodiscard]] bool is_name() const { return kind == TokenKind::kWord || kind == TokenKind::kQuoted; }
};

// Tokenizes `sql`. Never fails: an unterminated literal extends to the end of the input.
std::vector<Token> tokenize(std::string_view sql);

// ASCII upper/lower case copies.
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// `name` quoted with backticks for MariaDB.
std::string quote_ident(std::string_view name);
// `value` as a single-quoted MariaDB string literal with escapes.
std::string quote_string(std::string_view value);

}  // namespace sk::emu
