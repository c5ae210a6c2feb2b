#include "kernel/domain/escape.h"

#include <fmt/format.h>

namespace sk::detail {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", b);
    }
  }
  return out;
}

std::string describe_char(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= 0x20 && b < 0x7f) {
    return fmt::format("'{}'", c);
  }
  return fmt::format("the byte 0x{:02x}", b);
}

}  // namespace sk::detail
