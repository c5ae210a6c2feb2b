#include "compiler/inventory/json_cursor.h"

#include <charconv>

#include <fmt/format.h>

#include "common/utf8.h"

namespace sk::inventory::detail {
namespace {

constexpr int kMaxDepth = 256;


int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view text, size_t at, uint32_t& v) {
  if (at + 4 > text.size()) return false;
  v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = hex_value(text[at + k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<uint32_t>(h);
  }
  return true;
}

// A string that cannot be decoded: where and why.
struct StringError {
  size_t at;
  std::string message;
};

// `\uXXXX`, with its low surrogate when XXXX is a high one; i is just after the `\u` and moves past the
// escape.
std::optional<StringError> decode_unicode_escape(std::string_view text, size_t& i, std::string& out) {
  uint32_t cp = 0;
  if (!read_hex4(text, i, cp)) return StringError{i - 2, "invalid \\u escape (expected four hex digits)"};
  i += 4;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t lo = 0;
    if (i + 1 < text.size() && text[i] == '\\' && text[i + 1] == 'u' && read_hex4(text, i + 2, lo) &&
        lo >= 0xDC00 && lo <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 6;
    } else {
      return StringError{i - 6, "unpaired UTF-16 surrogate in a \\u escape"};
    }
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return StringError{i - 6, "unpaired UTF-16 surrogate in a \\u escape"};
  }
  append_utf8(out, cp);
  return std::nullopt;
}

// One escape sequence; i is at its backslash (with a character after it) and moves past the escape.
std::optional<StringError> decode_escape(std::string_view text, size_t& i, std::string& out) {
  const char e = text[i + 1];
  i += 2;
  switch (e) {
    case '"':
      out += '"';
      break;
    case '\\':
      out += '\\';
      break;
    case '/':
      out += '/';
      break;
    case 'b':
      out += '\b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case 'u':
      return decode_unicode_escape(text, i, out);
    default:
      return StringError{i - 2, fmt::format("invalid escape '\\{}' in a string", e)};
  }
  return std::nullopt;
}

}  // namespace

std::string_view JsonCursor::describe(Type type) {
  switch (type) {
    case Type::kObject: return "an object";
    case Type::kArray: return "an array";
    case Type::kString: return "a string";
    case Type::kNumber: return "a number";
    case Type::kBool: return "a boolean";
    case Type::kNull: return "null";
    case Type::kEnd: return "the end of the file";
    case Type::kInvalid: return "invalid JSON";
  }
  return "?";
}

void JsonCursor::skip_ws() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      ++pos_;
    } else {
      break;
    }
  }
}

void JsonCursor::fail(size_t at, std::string message) {
  if (failed_) return;
  failed_ = true;
  error_offset_ = at;
  error_ = std::move(message);
  pos_ = text_.size();
}

JsonCursor::Type JsonCursor::peek() {
  if (failed_) return Type::kInvalid;
  skip_ws();
  if (pos_ >= text_.size()) return Type::kEnd;
  switch (text_[pos_]) {
    case '{': return Type::kObject;
    case '[': return Type::kArray;
    case '"': return Type::kString;
    case 't':
    case 'f': return Type::kBool;
    case 'n': return Type::kNull;
    case '-':
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      return Type::kNumber;
    default: return Type::kInvalid;
  }
}

uint32_t JsonCursor::value_begin() {
  if (!failed_) skip_ws();
  return static_cast<uint32_t>(pos_ < text_.size() ? pos_ : text_.size());
}

bool JsonCursor::begin_object() {
  if (peek() != Type::kObject) return false;
  if (++depth_ > kMaxDepth) {
    fail(pos_, fmt::format("nesting deeper than {} levels", kMaxDepth));
    return false;
  }
  ++pos_;
  objects_.push_back(OpenObject{names_.size(), escaped_names_.size(), nullptr});
  return true;
}

bool JsonCursor::begin_array() {
  if (peek() != Type::kArray) return false;
  if (++depth_ > kMaxDepth) {
    fail(pos_, fmt::format("nesting deeper than {} levels", kMaxDepth));
    return false;
  }
  ++pos_;
  return true;
}

bool JsonCursor::next_member(bool& first, std::string_view& key) {
  if (failed_) return false;
  skip_ws();
  if (pos_ >= text_.size()) {
    fail(pos_, "unexpected end of file inside an object (missing '}')");
    return false;
  }
  if (text_[pos_] == '}') {
    ++pos_;
    --depth_;
    last_end_ = pos_;
    close_object();
    return false;
  }
  if (!first) {
    if (text_[pos_] != ',') {
      fail(pos_, fmt::format("expected ',' or '}}' after an object member, found '{}'", text_[pos_]));
      return false;
    }
    ++pos_;
    skip_ws();
  }
  if (pos_ >= text_.size() || text_[pos_] != '"') {
    fail(pos_, "expected a member name in double quotes");
    return false;
  }
  key_begin_ = static_cast<uint32_t>(pos_);
  if (!parse_string(key)) return false;
  key_end_ = static_cast<uint32_t>(pos_);
  if (!remember_member_name(key)) {
    fail(key_begin_, fmt::format("duplicate member name \"{}\" in one object", key));
    return false;
  }
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != ':') {
    fail(pos_, "expected ':' after a member name");
    return false;
  }
  ++pos_;
  first = false;
  return true;
}

// False when the object being read already had a member named `key`.
bool JsonCursor::remember_member_name(std::string_view key) {
  if (objects_.empty()) return true;
  OpenObject& object = objects_.back();
  if (object.many) return object.many->emplace(key).second;
  for (size_t i = object.first_name; i < names_.size(); ++i) {
    if (names_[i] == key) return false;
  }
  if (names_.size() - object.first_name == kLinearNames) {
    object.many = std::make_unique<std::set<std::string, std::less<>>>();
    for (size_t i = object.first_name; i < names_.size(); ++i) object.many->emplace(names_[i]);
    names_.resize(object.first_name);
    return object.many->emplace(key).second;
  }
  const bool in_text = key.data() >= text_.data() && key.data() + key.size() <= text_.data() + text_.size();
  if (!in_text) key = escaped_names_.emplace_back(key);
  names_.push_back(key);
  return true;
}

// The object being read ends: forget its member names.
void JsonCursor::close_object() {
  if (objects_.empty()) return;
  names_.resize(objects_.back().first_name);
  escaped_names_.resize(objects_.back().first_escaped);
  objects_.pop_back();
}

bool JsonCursor::next_element(bool& first) {
  if (failed_) return false;
  skip_ws();
  if (pos_ >= text_.size()) {
    fail(pos_, "unexpected end of file inside an array (missing ']')");
    return false;
  }
  if (text_[pos_] == ']') {
    ++pos_;
    --depth_;
    last_end_ = pos_;
    return false;
  }
  if (!first) {
    if (text_[pos_] != ',') {
      fail(pos_, fmt::format("expected ',' or ']' after an array element, found '{}'", text_[pos_]));
      return false;
    }
    ++pos_;
  }
  first = false;
  return true;
}

bool JsonCursor::parse_string(std::string_view& out) {
  // pos_ is at the opening quote.
  size_t start = ++pos_;
  size_t i = start;
  // Fast path: no escapes.
  while (i < text_.size()) {
    char c = text_[i];
    if (c == '"') {
      out = text_.substr(start, i - start);
      pos_ = i + 1;
      last_end_ = pos_;
      return true;
    }
    if (c == '\\') break;
    if (static_cast<unsigned char>(c) < 0x20) {
      fail(i, "control character inside a string (escape it)");
      return false;
    }
    ++i;
  }
  scratch_.assign(text_.substr(start, i - start));
  while (i < text_.size()) {
    char c = text_[i];
    if (c == '"') {
      out = scratch_;
      pos_ = i + 1;
      last_end_ = pos_;
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      fail(i, "control character inside a string (escape it)");
      return false;
    }
    if (c != '\\') {
      scratch_ += c;
      ++i;
      continue;
    }
    if (i + 1 >= text_.size()) break;
    if (auto error = decode_escape(text_, i, scratch_)) {
      fail(error->at, std::move(error->message));
      return false;
    }
  }
  fail(start - 1, "unterminated string");
  return false;
}

bool JsonCursor::scan_number(size_t& end) {
  size_t i = pos_;
  if (i < text_.size() && text_[i] == '-') ++i;
  if (i >= text_.size() || text_[i] < '0' || text_[i] > '9') {
    fail(pos_, "invalid number");
    return false;
  }
  if (text_[i] == '0') {
    ++i;
  } else {
    while (i < text_.size() && text_[i] >= '0' && text_[i] <= '9') ++i;
  }
  if (i < text_.size() && text_[i] == '.') {
    ++i;
    size_t digits = i;
    while (i < text_.size() && text_[i] >= '0' && text_[i] <= '9') ++i;
    if (i == digits) {
      fail(i, "invalid number: digits expected after '.'");
      return false;
    }
  }
  if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
    ++i;
    if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
    size_t digits = i;
    while (i < text_.size() && text_[i] >= '0' && text_[i] <= '9') ++i;
    if (i == digits) {
      fail(i, "invalid number: digits expected in the exponent");
      return false;
    }
  }
  end = i;
  return true;
}

bool JsonCursor::match_literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) {
    fail(pos_, "invalid literal (expected true, false or null)");
    return false;
  }
  pos_ += word.size();
  last_end_ = pos_;
  return true;
}

std::optional<std::string_view> JsonCursor::read_string() {
  if (peek() != Type::kString) return std::nullopt;
  std::string_view out;
  if (!parse_string(out)) return std::nullopt;
  return out;
}

std::optional<int64_t> JsonCursor::read_int() {
  if (peek() != Type::kNumber) return std::nullopt;
  // Fast path, one pass: a plain integer of 1 to 17 digits (no leading zero, fraction or exponent; it cannot
  // overflow). Anything else takes the general path below, which also reports malformed numbers.
  size_t i = pos_;
  const bool negative = text_[i] == '-';
  if (negative) ++i;
  const size_t first_digit = i;
  uint64_t magnitude = 0;
  constexpr size_t kSafeDigits = 17;
  while (i < text_.size() && i - first_digit <= kSafeDigits && text_[i] >= '0' && text_[i] <= '9') {
    magnitude = magnitude * 10 + static_cast<uint64_t>(text_[i++] - '0');
  }
  const size_t digits = i - first_digit;
  const bool more = i < text_.size() && (text_[i] == '.' || text_[i] == 'e' || text_[i] == 'E');
  if (digits >= 1 && digits <= kSafeDigits && !(digits > 1 && text_[first_digit] == '0') && !more) {
    pos_ = i;
    last_end_ = i;
    const auto value = static_cast<int64_t>(magnitude);
    return negative ? -value : value;
  }
  size_t end = 0;
  size_t save = pos_;
  if (!scan_number(end)) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text_.data() + save, text_.data() + end, value);
  if (ec != std::errc() || ptr != text_.data() + end) return std::nullopt;  // fraction, exponent or overflow
  pos_ = end;
  last_end_ = end;
  return value;
}

std::optional<bool> JsonCursor::read_bool() {
  if (peek() != Type::kBool) return std::nullopt;
  if (text_[pos_] == 't') {
    if (!match_literal("true")) return std::nullopt;
    return true;
  }
  if (!match_literal("false")) return std::nullopt;
  return false;
}

bool JsonCursor::read_null() {
  if (peek() != Type::kNull) return false;
  return match_literal("null");
}

void JsonCursor::skip_value() {
  switch (peek()) {
    case Type::kObject: {
      begin_object();
      std::string_view key;
      for (bool first = true; next_member(first, key);) skip_value();
      break;
    }
    case Type::kArray: {
      begin_array();
      for (bool first = true; next_element(first);) skip_value();
      break;
    }
    case Type::kString: {
      std::string_view s;
      parse_string(s);
      break;
    }
    case Type::kNumber: {
      size_t end = 0;
      if (scan_number(end)) {
        pos_ = end;
        last_end_ = end;
      }
      break;
    }
    case Type::kBool: read_bool(); break;
    case Type::kNull: read_null(); break;
    case Type::kEnd: fail(pos_, "unexpected end of file (a value was expected)"); break;
    case Type::kInvalid:
      if (!failed_) fail(pos_, fmt::format("unexpected character '{}' (a value was expected)", text_[pos_]));
      break;
  }
}

void JsonCursor::expect_end() {
  if (failed_) return;
  skip_ws();
  if (pos_ < text_.size()) fail(pos_, "unexpected text after the end of the JSON document");
}

}  // namespace sk::inventory::detail
