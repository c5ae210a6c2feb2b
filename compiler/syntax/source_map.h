// Internal to the syntax adapter: maps ANTLR's code-point indexes to byte offsets of the original text, and
// validates/normalises UTF-8 so the ANTLR runtime never sees invalid input.
#pragma once

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

  [[nodiscard]] const std::string& normalized() const { return normalized_; }
  // Byte offsets of every invalid byte, ascending (the first is the one SK0105 reports).
  [[nodiscard]] const std::vector<uint32_t>& invalid_bytes() const { return invalid_bytes_; }
  // Brace repair (parse.cpp): a '}' inserted before code point `index` (zero width in the original text), or the
  // code point at `index` (a stray '}') read as a space.
  void insert_close_brace(size_t index);
  void blank(size_t index);
  [[nodiscard]] size_t code_points() const { return offsets_.size() - 1; }
  // Byte offset of code point `index`; indexes past the end (and ANTLR's invalid index) map to the end.
  [[nodiscard]] uint32_t byte_offset(size_t index) const {
    return index < offsets_.size() ? offsets_[index] : offsets_.back();
  }
  // The byte range of code points [start, stop] (inclusive stop, as ANTLR reports tokens).
  [[nodiscard]] diag::SourceRange range(size_t start, size_t stop) const {
    if (start >= offsets_.size()) return {offsets_.back(), offsets_.back()};
    const uint32_t b = offsets_[start];
    const uint32_t e = stop + 1 < offsets_.size() && stop + 1 > start ? offsets_[stop + 1] : b;
    return {b, e};
  }

 private:
  std::string normalized_;
  std::vector<uint32_t> offsets_;  // code point index → byte offset; one extra entry for the end
  std::vector<uint32_t> invalid_bytes_;
};

}  // namespace sk::syntax
