#include "runtime/ports/redact.h"

#include <array>
#include <cctype>
#include <string>

#include "common/ascii.h"

namespace sk::ports {
namespace {

// Matched against the key with '.' and '-' read as '_' ("fs.s3a.access.key" → "fs_s3a_access_key", "x-api-key" →
// "x_api_key"), case-insensitively.
constexpr std::array<std::string_view, 19> kSecretWords = {
    "secret", "password", "passwd", "pwd", "access_key", "accesskey", "shared_key", "sas_token", "token",
    "credential", "private_key", "privatekey", "session_key", "signature", "api_key", "apikey", "auth_key",
    "account_key", "keytab"};

constexpr int kMaxDepth = 4;

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (ascii::iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool names_secret(std::string_view key) {
  std::string normalised(key);
  for (char& c : normalised) {
    if (c == '.' || c == '-') c = '_';
  }
  for (auto word : kSecretWords) {
    if (icontains(normalised, word)) return true;
  }
  return false;
}

bool is_quote(char c) { return c == '\'' || c == '"' || c == '`'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}
bool is_word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

// The end (one past the closing quote) of the quoted string starting at `begin`, or text.size() if unclosed.
// Backslash escapes the next character inside '…' and "…"; a doubled quote is a literal quote.
std::size_t scan_quoted(std::string_view text, std::size_t begin) {
  const char q = text[begin];
  std::size_t i = begin + 1;
  while (i < text.size()) {
    if (text[i] == '\\' && q != '`') {
      i += 2;
      continue;
    }
    if (text[i] == q) {
      if (i + 1 < text.size() && text[i + 1] == q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return text.size();
}

// True when the quoted string [begin, end) was closed.
bool closed(std::string_view text, std::size_t begin, std::size_t end) {
  return end - begin >= 2 && text[end - 1] == text[begin] && end <= text.size();
}

std::size_t skip_space(std::string_view text, std::size_t i) {
  while (i < text.size() && is_space(text[i])) ++i;
  return i;
}

std::size_t scan_word(std::string_view text, std::size_t i) {
  while (i < text.size() && is_word_char(text[i])) ++i;
  return i;
}

// End of an unquoted value: up to whitespace, a quote, or one of , ; & ) }.
std::size_t scan_bare_value(std::string_view text, std::size_t i) {
  while (i < text.size()) {
    const char c = text[i];
    if (is_space(c) || is_quote(c) || c == ',' || c == ';' || c == '&' || c == ')' || c == '}') break;
    ++i;
  }
  return i;
}

class Redactor {
 public:
  Redactor(std::string_view text, int depth) : text_(text), depth_(depth) {}

  std::string run() {
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (is_quote(c)) {
        quoted_token();
      } else if (is_word_start(c) && (i_ == 0 || !is_word_char(text_[i_ - 1]))) {
        word_token();
      } else if (text_.substr(i_, 3) == "://") {
        url_authority();
      } else {
        out_ += c;
        ++i_;
      }
    }
    return std::move(out_);
  }

 private:
  // Copies the quoted string at i_, redacting inside its content (URLs, key=value), and returns its content.
  std::string_view copy_quoted() {
    const std::size_t begin = i_;
    const std::size_t end = scan_quoted(text_, begin);
    const bool is_closed = closed(text_, begin, end);
    const std::string_view content = text_.substr(begin + 1, (is_closed ? end - 1 : end) - begin - 1);
    out_ += text_[begin];
    out_ += redact_nested(content);
    if (is_closed) out_ += text_[end - 1];
    i_ = end;
    return content;
  }

  std::string redact_nested(std::string_view content) const {
    if (depth_ >= kMaxDepth) return names_secret(content) ? std::string(kRedacted) : std::string(content);
    return Redactor(content, depth_ + 1).run();
  }

  // Replaces the value at i_ (quoted: its content; bare: the token) with <redacted>.
  void redact_value() {
    if (i_ >= text_.size()) return;
    if (is_quote(text_[i_])) {
      const std::size_t begin = i_;
      const std::size_t end = scan_quoted(text_, begin);
      out_ += text_[begin];
      out_ += kRedacted;
      if (closed(text_, begin, end)) out_ += text_[end - 1];
      i_ = end;
      return;
    }
    const std::size_t end = scan_bare_value(text_, i_);
    if (end == i_) return;
    out_ += kRedacted;
    i_ = end;
  }

  // After a secret key: [space] (= | :) [space] value.
  void redact_after_key() {
    std::size_t j = skip_space(text_, i_);
    if (j >= text_.size() || (text_[j] != '=' && text_[j] != ':')) return;
    if (text_.substr(j, 3) == "://") return;
    ++j;
    j = skip_space(text_, j);
    out_.append(text_.substr(i_, j - i_));
    i_ = j;
    // "= PASSWORD('…')" after a secret key: the PASSWORD branch redacts it.
    if (i_ < text_.size() && is_word_start(text_[i_])) {
      const std::size_t end = scan_word(text_, i_);
      if (ascii::iequals(text_.substr(i_, end - i_), "password")) return;
    }
    redact_value();
  }

  void quoted_token() {
    const std::string_view content = copy_quoted();
    if (names_secret(content)) redact_after_key();
  }

  // Appends the whitespace at i_ and returns whether something follows.
  bool copy_space() {
    const std::size_t j = skip_space(text_, i_);
    out_.append(text_.substr(i_, j - i_));
    i_ = j;
    return i_ < text_.size();
  }

  // Reads (and copies) the next word if it equals `expected`.
  bool copy_keyword(std::string_view expected) {
    const std::size_t end = scan_word(text_, i_);
    if (!ascii::iequals(text_.substr(i_, end - i_), expected)) return false;
    out_.append(text_.substr(i_, end - i_));
    i_ = end;
    return true;
  }

  // PASSWORD('…'), PASSWORD = '…', PASSWORD '…'.
  void after_password_keyword() {
    const std::size_t save = i_;
    const std::size_t save_out = out_.size();
    copy_space();
    if (i_ < text_.size() && text_[i_] == '(') {
      out_ += '(';
      ++i_;
      copy_space();
      if (i_ < text_.size() && is_quote(text_[i_])) redact_value();
      return;
    }
    if (i_ < text_.size() && is_quote(text_[i_])) {
      redact_value();
      return;
    }
    // Not a value form: undo the copied space and let the generic key=value rule look at it.
    i_ = save;
    out_.resize(save_out);
    redact_after_key();
  }

  // IDENTIFIED BY [PASSWORD] '…'; IDENTIFIED WITH plugin (BY | AS) '…'.
  void after_identified() {
    copy_space();
    if (copy_keyword("BY")) {
      copy_space();
      if (copy_keyword("PASSWORD")) copy_space();
      if (i_ < text_.size() && is_quote(text_[i_])) redact_value();
      return;
    }
    if (copy_keyword("WITH")) {
      copy_space();
      if (i_ < text_.size() && is_quote(text_[i_])) {
        copy_quoted();
      } else {
        const std::size_t end = scan_word(text_, i_);
        out_.append(text_.substr(i_, end - i_));
        i_ = end;
      }
      copy_space();
      if (copy_keyword("BY") || copy_keyword("AS")) {
        copy_space();
        if (i_ < text_.size() && is_quote(text_[i_])) redact_value();
      }
    }
  }

  // True when the word starting at `begin` is preceded by "using " (MySQL's "Access denied … (using password: YES)").
  bool follows_using(std::size_t begin) const {
    std::size_t j = begin;
    while (j > 0 && is_space(text_[j - 1])) --j;
    if (j == begin || j < 5) return false;
    const std::size_t start = j - 5;
    if (start > 0 && is_word_char(text_[start - 1])) return false;
    if (!ascii::iequals(text_.substr(start, 5), "using")) return false;
    // Only the YES / NO form: anything else after it is still treated as a value.
    std::size_t k = skip_space(text_, begin + 8);
    if (k < text_.size() && text_[k] == ':') k = skip_space(text_, k + 1);
    const std::size_t end = scan_word(text_, k);
    const std::string_view answer = text_.substr(k, end - k);
    return ascii::iequals(answer, "YES") || ascii::iequals(answer, "NO");
  }

  void word_token() {
    const std::size_t end = scan_word(text_, i_);
    const std::string_view word = text_.substr(i_, end - i_);
    out_.append(word);
    i_ = end;
    if (ascii::iequals(word, "IDENTIFIED")) {
      after_identified();
    } else if (ascii::iequals(word, "PASSWORD")) {
      if (follows_using(end - word.size())) return;  // "(using password: YES)" in MySQL errors holds no secret
      after_password_keyword();
    } else if (names_secret(word)) {
      redact_after_key();
    }
  }

  // At "://": scheme://user:password@host → scheme://user:<redacted>@host. The user part has no '/', ':' or '@';
  // the password runs to the last '@' before whitespace, a quote, '?' or '#' (secrets often contain a raw '/').
  void url_authority() {
    out_ += "://";
    i_ += 3;
    std::size_t end = i_;
    while (end < text_.size()) {
      const char c = text_[end];
      if (c == '?' || c == '#' || is_space(c) || is_quote(c)) break;
      ++end;
    }
    const std::string_view segment = text_.substr(i_, end - i_);
    const std::size_t colon = segment.find_first_of(":/@");
    if (colon == std::string_view::npos || segment[colon] != ':') return;  // copied by the main loop
    const std::size_t at = segment.rfind('@');
    if (at == std::string_view::npos || at < colon) return;
    out_.append(segment.substr(0, colon + 1));
    out_ += kRedacted;
    i_ += at;  // continue at '@'
  }

  std::string_view text_;
  int depth_;
  std::size_t i_ = 0;
  std::string out_;
};

}  // namespace

std::string redact(std::string_view text) { return Redactor(text, 0).run(); }

}  // namespace sk::ports
