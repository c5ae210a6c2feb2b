#include "runtime/schedule_emit/quoting.h"

#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace sk::schedule_emit {
namespace {

bool plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_./:=@+,-").find(c) != std::string_view::npos;
}

}  // namespace

std::string shell_quote(std::string_view word) {
  bool plain = !word.empty();
  for (char c : word) plain = plain && plain_char(c);
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string shell_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(a);
  }
  return out;
}

std::string cron_escape(std::string_view command) {
  std::string out;
  for (char c : command) {
    if (c == '%') out += '\\';
    out += c;
  }
  return out;
}

std::string systemd_word(std::string_view word) {
  bool quote = word.empty();
  std::string body;
  for (char c : word) {
    if (c == '%') {
      body += "%%";
    } else if (c == '$') {
      body += "$$";
    } else if (c == '\\' || c == '"') {
      body += '\\';
      body += c;
      quote = true;
    } else {
      quote = quote || c == ' ' || c == '\'' || c == ';';
      body += c;
    }
  }
  return quote ? "\"" + body + "\"" : body;
}

std::string systemd_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '%') out += '%';
    out += c;
  }
  return out;
}

std::string json_quote(std::string_view text) { return json_text(nlohmann::json(std::string(text))); }

std::string jinja_literal(std::string_view text) {
  const bool templated = text.find("{{") != std::string_view::npos || text.find("{%") != std::string_view::npos ||
                         text.find("{#") != std::string_view::npos;
  if (!templated) return std::string(text);
  if (text.find("endraw") != std::string_view::npos) return "";
  return "{% raw %}" + std::string(text) + "{% endraw %}";
}

size_t find_control(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return i;
  }
  return std::string_view::npos;
}

}  // namespace sk::schedule_emit
