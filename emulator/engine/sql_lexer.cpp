#include "emulator/engine/sql_lexer.h"

#include <cctype>

namespace sk::emu {

namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80 || c == '$';
}
bool is_ident_char(char c) { return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

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
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    // Comments: -- (followed by space or end), #, /* */.
    if (c == '#' || (c == '-' && i + 1 < n && sql[i + 1] == '-' &&
                     (i + 2 >= n || std::isspace(static_cast<unsigned char>(sql[i + 2]))))) {
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      i = j == std::string_view::npos ? n : j + 2;
      continue;
    }
    Token t;
    t.begin = i;
    if (c == '`') {
      t.kind = TokenKind::kQuoted;
      size_t j = i + 1;
      while (j < n) {
        if (sql[j] == '`') {
          if (j + 1 < n && sql[j + 1] == '`') {
            t.value += '`';
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        t.value += sql[j++];
      }
      i = j;
    } else if (c == '\'' || c == '"') {
      t.kind = TokenKind::kString;
      size_t j = i + 1;
      while (j < n) {
        char d = sql[j];
        if (d == '\\' && j + 1 < n) {
          char e = sql[j + 1];
          switch (e) {
            case 'n': t.value += '\n'; break;
            case 't': t.value += '\t'; break;
            case 'r': t.value += '\r'; break;
            case '0': t.value += '\0'; break;
            default: t.value += e;
          }
          j += 2;
          continue;
        }
        if (d == c) {
          if (j + 1 < n && sql[j + 1] == c) {
            t.value += c;
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        t.value += d;
        ++j;
      }
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      t.kind = TokenKind::kNumber;
      size_t j = i;
      while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '.')) {
        if ((sql[j] == 'e' || sql[j] == 'E') && j + 1 < n && (sql[j + 1] == '-' || sql[j + 1] == '+')) ++j;
        ++j;
      }
      i = j;
      t.value = std::string(sql.substr(t.begin, i - t.begin));
      // "1abc" is an identifier in MySQL; treat digit-led words with letters (not exponent/hex) as words.
      bool word = false;
      for (char d : t.value) {
        if (std::isalpha(static_cast<unsigned char>(d)) && d != 'e' && d != 'E' && d != 'x' && d != 'X') word = true;
      }
      if (word) t.kind = TokenKind::kWord;
    } else if (c == '@') {
      t.kind = TokenKind::kVariable;
      size_t j = i + 1;
      if (j < n && sql[j] == '@') ++j;
      if (j < n && (sql[j] == '`' || sql[j] == '\'' || sql[j] == '"')) {
        char q = sql[j++];
        while (j < n && sql[j] != q) ++j;
        if (j < n) ++j;
      } else {
        while (j < n && (is_ident_char(sql[j]) || sql[j] == '.')) ++j;
      }
      i = j;
    } else if (is_ident_start(c)) {
      t.kind = TokenKind::kWord;
      size_t j = i;
      while (j < n && is_ident_char(sql[j])) ++j;
      i = j;
    } else {
      t.kind = TokenKind::kSymbol;
      static const char* kTwo[] = {"<=", ">=", "<>", "!=", "||", "&&", ":=", "<<", ">>", "->"};
      size_t len = 1;
      if (i + 1 < n) {
        for (const char* two : kTwo) {
          if (sql[i] == two[0] && sql[i + 1] == two[1]) len = 2;
        }
        if (len == 2 && sql[i] == '<' && sql[i + 1] == '=' && i + 2 < n && sql[i + 2] == '>') len = 3;
      }
      i += len;
    }
    t.end = i;
    t.text = std::string(sql.substr(t.begin, t.end - t.begin));
    if (t.kind != TokenKind::kQuoted && t.kind != TokenKind::kString) t.value = t.text;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace sk::emu
