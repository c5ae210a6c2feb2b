// Internal helper of the domain layer: echoing untrusted input safely inside error messages.
#pragma once

#include <string>
#include <string_view>

namespace sk::detail {

// Printable ASCII is kept; every other byte (control characters, UTF-8 bytes) becomes "\xNN".
[[nodiscard]] std::string printable(std::string_view text);
// "'-'" for a printable ASCII character, "the byte 0x01" otherwise.
[[nodiscard]] std::string describe_char(char c);

}  // namespace sk::detail
