// Internal to the syntax adapter: maps ANTLR's code-point indexes to byte offsets of the original text, and
// validates/normalises UTF-8 so the ANTLR runtime never sees invalid input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"

namespace sk::syntax {

class SourceMap {
 public:
  // Decodes `text`; every invalid byte is reported (first one only, SK0105) and replaced by U+FFFD in
  // `normalized()`, so code point i of normalized() starts at byte_offset(i) of `text`. A leading UTF-8 byte order
  // mark becomes a space.
  SourceMap(std::string_view text, diag::DiagnosticSink& sink);

  // A view of the text itself while it needs no change (valid UTF-8 without a byte order mark, no brace repair):
  // the copy would cost a byte per input byte. Valid until the next insert_close_brace()/blank().
  [[nodiscard]] std::string_view normalized() const { return copied_ ? std::string_view(normalized_) : text_; }
  // Every code point of normalized() is one byte (ASCII): code point index i is byte i.
  [[nodiscard]] bool ascii() const { return ascii_; }
  // Byte offsets of every invalid byte, ascending (the first is the one SK0105 reports).
  [[nodiscard]] const std::vector<uint32_t>& invalid_bytes() const { return invalid_bytes_; }
  // Brace repair (parse.cpp): a '}' inserted before code point `index` (zero width in the original text), or the
  // code point at `index` (a stray '}') read as a space.
  void insert_close_brace(size_t index);
  void blank(size_t index);
  [[nodiscard]] size_t code_points() const { return identity_ ? size_ : offsets_.size() - 1; }
  // Byte offset of code point `index`; indexes past the end (and ANTLR's invalid index) map to the end.
  [[nodiscard]] uint32_t byte_offset(size_t index) const {
    if (identity_) return static_cast<uint32_t>(std::min(index, size_));
    return index < offsets_.size() ? offsets_[index] : offsets_.back();
  }
  // The byte range of code points [start, stop] (inclusive stop, as ANTLR reports tokens).
  [[nodiscard]] diag::SourceRange range(size_t start, size_t stop) const {
    const size_t entries = code_points() + 1;
    if (start >= entries) return {byte_offset(start), byte_offset(start)};
    const uint32_t b = byte_offset(start);
    const uint32_t e = stop + 1 < entries && stop + 1 > start ? byte_offset(stop + 1) : b;
    return {b, e};
  }

 private:
  std::string_view text_;
  std::string normalized_;  // only when copied_
  bool copied_ = false;
  bool ascii_ = true;
  void copy_text(size_t upto);  // normalized_ = the first `upto` bytes of the text; copied_ from now on
  // Code point index → byte offset, one extra entry for the end; empty while every code point is one byte of the
  // text (ASCII, invalid bytes) and code point i is byte i (identity_), which saves 4 bytes per input byte.
  std::vector<uint32_t> offsets_;
  bool identity_ = true;
  size_t size_ = 0;  // the text's size, for the identity map
  void materialize();  // the table of the identity map (before the first multi-byte code point or a brace repair)
  std::vector<uint32_t> invalid_bytes_;
};

}  // namespace sk::syntax
