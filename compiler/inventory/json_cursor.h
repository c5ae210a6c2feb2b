// A small pull parser over JSON text that keeps byte offsets, used to read inventory files: no DOM is built (an
// inventory of a million partitions is read in one pass), strings without escapes are returned as views into the
// text, and every value's [begin, end) range is known so diagnostics can point into the file.
// Not thread-safe; one cursor per text. The text must outlive the cursor and every view it returned.
// Syntax errors are sticky: after the first one failed() is true, error() describes it and every call is a no-op
// returning a "nothing" value, so schema-walking loops end by themselves.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sk::inventory::detail {

class JsonCursor {
 public:
  enum class Type { kObject, kArray, kString, kNumber, kBool, kNull, kEnd, kInvalid };

  explicit JsonCursor(std::string_view text) : text_(text) {}

  // The type of the next value (skips whitespace, consumes nothing).
  [[nodiscard]] Type peek();
  // Offset where the next value begins (after whitespace), and where the last consumed value ended.
  [[nodiscard]] uint32_t value_begin();
  [[nodiscard]] uint32_t last_end() const { return static_cast<uint32_t>(last_end_); }

  // Objects: `if (c.begin_object()) for (bool first = true; c.next_member(first, key);) { ...consume value... }`.
  bool begin_object();
  // Consumes `,` (unless first) and `"key":`, or the closing `}` (returns false). A name that the object already
  // had is a syntax error (RFC 8259 leaves duplicates undefined; the inventory must not depend on which wins). `key` stays valid until the next
  // call that reads a string. key_begin/key_end give the key's range (quotes included).
  bool next_member(bool& first, std::string_view& key);
  [[nodiscard]] uint32_t key_begin() const { return key_begin_; }
  [[nodiscard]] uint32_t key_end() const { return key_end_; }
  bool begin_array();
  bool next_element(bool& first);

  // Scalars. Each consumes the value on success; on a type mismatch it consumes nothing and returns nullopt
  // (the caller reports and calls skip_value()).
  std::optional<std::string_view> read_string();  // decoded; valid until the next string read
  std::optional<int64_t> read_int();               // an integer literal within int64; nullopt otherwise
  std::optional<bool> read_bool();
  bool read_null();
  void skip_value();
  // Requires only whitespace after the top-level value.
  void expect_end();

  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] uint32_t error_offset() const { return static_cast<uint32_t>(error_offset_); }

  // "an object", "a string", "true", … for messages.
  [[nodiscard]] static std::string_view describe(Type type);

 private:
  void skip_ws();
  void fail(size_t at, std::string message);
  bool parse_string(std::string_view& out);
  bool scan_number(size_t& end);
  bool match_literal(std::string_view word);

  std::string_view text_;
  size_t pos_ = 0;
  size_t last_end_ = 0;
  uint32_t key_begin_ = 0, key_end_ = 0;
  int depth_ = 0;
  bool failed_ = false;
  std::string error_;
  size_t error_offset_ = 0;
  std::string scratch_;
  // The member names seen, per object being read: a stack of objects, each with its names in `names_` from its
  // `first_name` on (a linear search: objects have a few members). A name is a view into the text; a name with
  // escapes (decoded into scratch_, which the next string overwrites) is copied into `escaped_names_`, whose
  // elements never move. So reading a million partitions copies and allocates nothing here. An object with more
  // than kLinearNames members moves its names into a set, so that a hostile object of a million members is not
  // quadratic.
  static constexpr size_t kLinearNames = 16;
  struct OpenObject {
    size_t first_name = 0;
    size_t first_escaped = 0;
    std::unique_ptr<std::set<std::string, std::less<>>> many;
  };
  bool remember_member_name(std::string_view key);
  void close_object();
  std::vector<OpenObject> objects_;
  std::vector<std::string_view> names_;
  std::deque<std::string> escaped_names_;
};

}  // namespace sk::inventory::detail
