#include "emulator/backup/statement_lexer.h"

#include <cctype>

namespace sk::emu::backup {

namespace {

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80) != 0;
}
bool is_word_char(char c) {
  return is_word_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// Skips whitespace and comments starting at `i`; returns the next significant offset.
size_t skip_blank(std::string_view s, size_t i) {
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || (c == '-' && i + 1 < s.size() && s[i + 1] == '-' &&
                            (i + 2 >= s.size() || std::isspace(static_cast<unsigned char>(s[i + 2]))))) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

// Reads a quoted literal starting at s[i] == quote; returns the unescaped value and advances i past it.
std::string read_quoted(std::string_view s, size_t& i, char quote, bool backslash_escapes) {
  std::string out;
  ++i;
  while (i < s.size()) {
    char c = s[i];
    if (backslash_escapes && c == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      switch (n) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        default:
          out += n;
          break;
      }
      i += 2;
      continue;
    }
    if (c == quote) {
      if (i + 1 < s.size() && s[i + 1] == quote) {
        out += quote;
        i += 2;
        continue;
      }
      ++i;
      return out;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool Token::is(std::string_view keyword) const { return kind == TokenKind::kWord && iequals(text, keyword); }

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    i = skip_blank(s, i);
    if (i >= s.size()) break;
    Token t;
    t.offset = i;
    char c = s[i];
    if (c == '`') {
      t.kind = TokenKind::kQuoted;
      t.text = read_quoted(s, i, '`', false);
    } else if (c == '\'' || c == '"') {
      t.kind = TokenKind::kString;
      t.text = read_quoted(s, i, c, true);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      t.kind = TokenKind::kNumber;
      size_t b = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_'))
        ++i;
      t.text = std::string(s.substr(b, i - b));
      // Identifiers may start with digits (e.g. a label 2024_full); classify by content.
      for (char ch : t.text) {
        if (!std::isdigit(static_cast<unsigned char>(ch)) && ch != '.') {
          t.kind = TokenKind::kWord;
          break;
        }
      }
    } else if (is_word_start(c)) {
      t.kind = TokenKind::kWord;
      size_t b = i;
      while (i < s.size() && is_word_char(s[i])) ++i;
      t.text = std::string(s.substr(b, i - b));
    } else {
      t.kind = TokenKind::kSymbol;
      t.text = std::string(1, c);
      ++i;
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.offset = s.size();
  out.push_back(end);
  return out;
}

std::vector<std::string> leading_words(std::string_view s, size_t n) {
  std::vector<std::string> out;
  size_t i = 0;
  while (out.size() < n) {
    i = skip_blank(s, i);
    if (i >= s.size() || !is_word_start(s[i])) break;
    size_t b = i;
    while (i < s.size() && is_word_char(s[i])) ++i;
    out.push_back(to_upper(s.substr(b, i - b)));
  }
  return out;
}

}  // namespace sk::emu::backup
