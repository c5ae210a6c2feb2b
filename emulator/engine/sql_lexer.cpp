#include "emulator/engine/sql_lexer.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace sk::emu {

namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80 || c == '$';
}
bool is_ident_char(char c) { return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)); }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)); }

// Where the comment starting at `i` ends: -- (followed by space or end) and # to the end of the line, /* */ past
// its close (or the end of the input); nullopt when no comment starts at `i`.
std::optional<size_t> comment_end(std::string_view sql, size_t i) {
  const size_t n = sql.size();
  const char c = sql[i];
  if (c == '#' || (c == '-' && i + 1 < n && sql[i + 1] == '-' && (i + 2 >= n || is_space(sql[i + 2])))) {
    while (i < n && sql[i] != '\n') ++i;
    return i;
  }
  if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
    size_t j = sql.find("*/", i + 2);
    return j == std::string_view::npos ? n : j + 2;
  }
  return std::nullopt;
}

// A `backquoted` name starting at `i` (doubled backquotes escape one); sets `value`, returns its end.
size_t scan_quoted_name(std::string_view sql, size_t i, std::string& value) {
  const size_t n = sql.size();
  size_t j = i + 1;
  while (j < n) {
    if (sql[j] == '`') {
      if (j + 1 < n && sql[j + 1] == '`') {
        value += '`';
        j += 2;
        continue;
      }
      ++j;
      break;
    }
    value += sql[j++];
  }
  return j;
}

// A 'single' or "double" quoted literal starting at `i` (backslash escapes, doubled quotes); sets `value`, returns
// its end.
size_t scan_string(std::string_view sql, size_t i, std::string& value) {
  const size_t n = sql.size();
  const char quote = sql[i];
  size_t j = i + 1;
  while (j < n) {
    char d = sql[j];
    if (d == '\\' && j + 1 < n) {
      switch (char e = sql[j + 1]) {
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        case 'r': value += '\r'; break;
        case '0': value += '\0'; break;
        default: value += e;
      }
      j += 2;
      continue;
    }
    if (d == quote) {
      if (j + 1 < n && sql[j + 1] == quote) {
        value += quote;
        j += 2;
        continue;
      }
      ++j;
      break;
    }
    value += d;
    ++j;
  }
  return j;
}

bool starts_number(std::string_view sql, size_t i) {
  return is_digit(sql[i]) || (sql[i] == '.' && i + 1 < sql.size() && is_digit(sql[i + 1]));
}

// The end of the number starting at `i`: letters, digits and dots, with a sign after an exponent.
size_t scan_number(std::string_view sql, size_t i) {
  const size_t n = sql.size();
  size_t j = i;
  while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '.')) {
    if ((sql[j] == 'e' || sql[j] == 'E') && j + 1 < n && (sql[j + 1] == '-' || sql[j + 1] == '+')) ++j;
    ++j;
  }
  return j;
}

// "1abc" is an identifier in MySQL: digit-led text with letters other than exponent/hex ones is a word.
bool is_digit_led_word(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char d) {
    return std::isalpha(static_cast<unsigned char>(d)) && d != 'e' && d != 'E' && d != 'x' && d != 'X';
  });
}

// The end of the @user or @@system variable starting at `i`, its name plain or quoted.
size_t scan_variable(std::string_view sql, size_t i) {
  const size_t n = sql.size();
  size_t j = i + 1;
  if (j < n && sql[j] == '@') ++j;
  if (j < n && (sql[j] == '`' || sql[j] == '\'' || sql[j] == '"')) {
    char q = sql[j++];
    while (j < n && sql[j] != q) ++j;
    if (j < n) ++j;
  } else {
    while (j < n && (is_ident_char(sql[j]) || sql[j] == '.')) ++j;
  }
  return j;
}

// The length of the symbol at `i`: one of the two-character operators, <=>, else one character.
size_t symbol_length(std::string_view sql, size_t i) {
  static const char* kTwo[] = {"<=", ">=", "<>", "!=", "||", "&&", ":=", "<<", ">>", "->"};
  const size_t n = sql.size();
  size_t len = 1;
  if (i + 1 < n) {
    for (const char* two : kTwo) {
      if (sql[i] == two[0] && sql[i + 1] == two[1]) len = 2;
    }
    if (len == 2 && sql[i] == '<' && sql[i + 1] == '=' && i + 2 < n && sql[i + 2] == '>') len = 3;
  }
  return len;
}

// Scans the token starting at `i` (not a space or comment): sets its kind, and the value of quoted names and
// strings; returns its end.
size_t scan_token(std::string_view sql, size_t i, Token& t) {
  const char c = sql[i];
  if (c == '`') {
    t.kind = TokenKind::kQuoted;
    return scan_quoted_name(sql, i, t.value);
  }
  if (c == '\'' || c == '"') {
    t.kind = TokenKind::kString;
    return scan_string(sql, i, t.value);
  }
  if (starts_number(sql, i)) {
    const size_t end = scan_number(sql, i);
    t.kind = is_digit_led_word(sql.substr(i, end - i)) ? TokenKind::kWord : TokenKind::kNumber;
    return end;
  }
  if (c == '@') {
    t.kind = TokenKind::kVariable;
    return scan_variable(sql, i);
  }
  if (is_ident_start(c)) {
    t.kind = TokenKind::kWord;
    size_t j = i;
    while (j < sql.size() && is_ident_char(sql[j])) ++j;
    return j;
  }
  t.kind = TokenKind::kSymbol;
  return i + symbol_length(sql, i);
}

}  // namespace

bool Token::is(std::string_view keyword) const { return kind == TokenKind::kWord && iequals(text, keyword); }

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string quote_ident(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string quote_string(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\0': out += "\\0"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  out += '\'';
  return out;
}

std::vector<Token> tokenize(std::string_view sql) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < sql.size()) {
    if (is_space(sql[i])) {
      ++i;
      continue;
    }
    if (auto end = comment_end(sql, i)) {
      i = *end;
      continue;
    }
    Token t;
    t.begin = i;
    i = scan_token(sql, i, t);
    t.end = i;
    t.text = std::string(sql.substr(t.begin, t.end - t.begin));
    if (t.kind != TokenKind::kQuoted && t.kind != TokenKind::kString) t.value = t.text;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace sk::emu
