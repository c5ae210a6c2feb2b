// Tokenizer for the backup/restore statement family (CREATE/DROP REPOSITORY, BACKUP, RESTORE, SHOW ...,
// CANCEL, DROP SNAPSHOT, ADMIN EMULATOR job faults). Case-insensitive keywords, `backquoted` names, 'single'
// and "double" quoted strings with backslash escapes, numbers and one-character symbols. Also a cheap look at
// the first words of a statement so the router's "is this yours?" question costs almost nothing for other
// statements. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sk::emu::backup {

enum class TokenKind { kWord, kQuoted, kString, kNumber, kSymbol, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // unquoted, unescaped value
  size_t offset = 0;  // byte offset in the statement

  // Case-insensitive keyword test; only unquoted words are keywords.
  [[nodiscard]] bool is(std::string_view keyword) const;
  [[nodiscard]] bool is_symbol(char c) const {
    return kind == TokenKind::kSymbol && text.size() == 1 && text[0] == c;
  }
  [[nodiscard]] bool is_name() const { return kind == TokenKind::kWord || kind == TokenKind::kQuoted; }
};

// Tokenizes the whole statement; the last token is always kEnd. Comments (`-- `, `#`, `/* */`) are skipped.
// Never fails: an unterminated literal runs to the end of the input.
std::vector<Token> tokenize(std::string_view sql);

// Up to `n` leading unquoted words, upper-cased, skipping whitespace and comments; stops at the first token
// that is not a word. Cheap: scans only the prefix it returns.
std::vector<std::string> leading_words(std::string_view sql, size_t n);

bool iequals(std::string_view a, std::string_view b);
std::string to_upper(std::string_view s);

}  // namespace sk::emu::backup
