#include "compiler/syntax/source_map.h"

#include <algorithm>
#include <cstddef>

#include <fmt/format.h>

#include "common/utf8.h"

namespace sk::syntax {

SourceMap::SourceMap(std::string_view text, diag::DiagnosticSink& sink) : text_(text), size_(text.size()) {
  bool reported = false;
  size_t i = 0;
  if (text.starts_with("\xEF\xBB\xBF")) {
    // A UTF-8 byte order mark (editors on Windows write one) is read as a space: one code point at offset 0.
    identity_ = false;
    offsets_.reserve(text.size() + 1);
    offsets_.push_back(0);
    copy_text(0);
    normalized_ += ' ';
    i = 3;
  }
  while (i < text.size()) {
    const size_t n = utf8_sequence_length(text, i);
    if (identity_ && n > 1) {
      size_ = i;  // code points so far, one byte each
      materialize();
    }
    if (n != 1) ascii_ = false;
    if (!identity_) offsets_.push_back(static_cast<uint32_t>(i));
    if (n == 0) {
      invalid_bytes_.push_back(static_cast<uint32_t>(i));
      if (!reported) {
        sink.report(diag::Code::kInvalidUtf8,
                    diag::SourceRange{static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)},
                    fmt::format("{:02X}", static_cast<unsigned char>(text[i])));
        reported = true;
      }
      if (!copied_) copy_text(i);
      normalized_ += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (copied_) normalized_.append(text, i, n);
    i += n;
  }
  size_ = text.size();
  if (!identity_) offsets_.push_back(static_cast<uint32_t>(text.size()));
}

void SourceMap::copy_text(size_t upto) {
  normalized_.reserve(text_.size() + 3);
  normalized_.assign(text_.substr(0, upto));
  copied_ = true;
}

void SourceMap::materialize() {
  if (!identity_) return;
  offsets_.reserve(std::max(normalized_.capacity(), size_) + 1);
  for (size_t k = 0; k < size_; ++k) offsets_.push_back(static_cast<uint32_t>(k));
  identity_ = false;
}

namespace {
// Byte position in UTF-8 `s` of code point `index` (the end when there are fewer).
size_t byte_of(const std::string& s, size_t index) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == index) return i;
  }
  return s.size();
}
}  // namespace

void SourceMap::insert_close_brace(size_t index) {
  if (identity_) {
    materialize();
    offsets_.push_back(static_cast<uint32_t>(size_));  // the end
  }
  index = std::min(index, offsets_.size() - 1);
  if (!copied_) copy_text(text_.size());
  normalized_.insert(byte_of(normalized_, index), 1, '}');
  offsets_.insert(offsets_.begin() + static_cast<std::ptrdiff_t>(index), offsets_[index]);
}

void SourceMap::blank(size_t index) {
  if (!copied_) copy_text(text_.size());
  const size_t at = byte_of(normalized_, index);
  if (at < normalized_.size() && normalized_[at] == '}') normalized_[at] = ' ';
}

}  // namespace sk::syntax
