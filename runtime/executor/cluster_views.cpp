#include "runtime/executor/cluster_views.h"

#include <cctype>
#include <charconv>
#include <string>

namespace sk::executor {

Result<double> parse_capacity(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::size_t j = i;
  while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) ++j;
  if (j == i) return fail("executor.parse", "capacity '{}' has no number", text);
  std::string number(text.substr(i, j - i));
  if (number.front() == '.') number.insert(number.begin(), '0');
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) {
    return fail("executor.parse", "capacity '{}' is not a number", text);
  }
  while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
  std::string unit;
  for (; j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])); ++j) {
    unit += static_cast<char>(std::toupper(static_cast<unsigned char>(text[j])));
  }
  double scale = 1;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "KB")
    scale = 1024.0;
  else if (unit == "MB")
    scale = 1024.0 * 1024;
  else if (unit == "GB")
    scale = 1024.0 * 1024 * 1024;
  else if (unit == "TB")
    scale = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "PB")
    scale = 1024.0 * 1024 * 1024 * 1024 * 1024;
  else
    return fail("executor.parse", "capacity '{}' has an unknown unit '{}'", text, unit);
  return value * scale;
}

Result<bool> parse_bool(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return fail("executor.parse", "'{}' is not true/false", text);
}

}  // namespace sk::executor
