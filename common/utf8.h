// UTF-8 helpers: encoding one code point (the readers that decode \uXXXX escapes: policy strings, inventory
// JSON), and making text from outside — server messages, statements, names — safe to store and to print: valid
// UTF-8 (invalid bytes become U+FFFD) and cut only between code points. Header-only; pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sk {

// Appends `cp` (a Unicode scalar value: ≤ 0x10FFFF, not a surrogate; the caller checks) as UTF-8.
inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The length of the well-formed UTF-8 sequence at text[pos] (1–4), or 0 when the bytes there are not one
// (a stray continuation byte, an overlong form, a surrogate, a value above U+10FFFF, or a cut sequence).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte (Unicode table 3-7)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (pos + n > text.size()) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return n;
}

[[nodiscard]] inline bool is_valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t n = utf8_sequence_length(text, pos);
    if (n == 0) return false;
    pos += n;
  }
  return true;
}

// `text` with every byte that does not start a well-formed sequence replaced by U+FFFD ("\xEF\xBF\xBD").
[[nodiscard]] inline std::string valid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t n = utf8_sequence_length(text, pos);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++pos;
    } else {
      out.append(text.substr(pos, n));
      pos += n;
    }
  }
  return out;
}

// valid_utf8(text) cut to at most `max_bytes` bytes between two code points.
[[nodiscard]] inline std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  std::string out = valid_utf8(text);
  if (out.size() <= max_bytes) return out;
  std::size_t cut = max_bytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a sequence start.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out;
}

// truncate_utf8(), with `marker` ("…") appended when something was cut; the result, marker included, is at
// most `max_bytes` long (the marker itself fits).
[[nodiscard]] inline std::string abbreviate_utf8(std::string_view text, std::size_t max_bytes,
                                                 std::string_view marker = "\xE2\x80\xA6") {
  std::string out = valid_utf8(text);
  if (out.size() <= max_bytes) return out;
  out = truncate_utf8(out, max_bytes > marker.size() ? max_bytes - marker.size() : 0);
  out += marker;
  return out;
}

}  // namespace sk
