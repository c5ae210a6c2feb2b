#include "runtime/ports/hosts.h"

#include <cctype>
#include <charconv>
#include <string>

namespace sk::ports {
namespace {

bool is_ipv4_loopback(std::string_view host) {
  int octets = 0;
  int first = -1;
  std::size_t i = 0;
  while (i <= host.size()) {
    const std::size_t dot = host.find('.', i);
    const std::string_view part =
        host.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
    if (part.empty() || part.size() > 3) return false;
    int value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || ptr != part.data() + part.size() || value > 255) return false;
    if (octets == 0) first = value;
    ++octets;
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  return octets == 4 && first == 127;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string h(host);
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return h == "localhost" || h == "[::1]" || h == "::1" || is_ipv4_loopback(h);
}

}  // namespace sk::ports
