#include "tools/starkeep/exit_code_docs.h"

#include <fmt/format.h>

#include "common/error_codes.h"

namespace sk::cli {
namespace {

constexpr std::string_view kHeader = "| code | commands | meaning |\n";

}  // namespace

std::string render_exit_code_markdown() {
  std::string out(kHeader);
  out += "|---:|---|---|\n";
  for (const auto& row : kExitCodes) {
    out += fmt::format("| {} | {} | {} |\n", static_cast<int>(row.code), row.commands, row.meaning);
  }
  return out;
}

std::string render_exit_code_help() {
  std::string out = "Exit codes (docs/cli.md, docs/operations.md):\n";
  for (const auto& row : kExitCodes) {
    out += fmt::format("  {:>3}  {} [{}]\n", static_cast<int>(row.code), row.meaning, row.commands);
  }
  return out;
}

std::optional<TextSpan> find_exit_code_table(std::string_view document) {
  std::size_t begin = document.find(kHeader);
  while (begin != std::string_view::npos && begin != 0 && document[begin - 1] != '\n') {
    begin = document.find(kHeader, begin + 1);
  }
  if (begin == std::string_view::npos) return std::nullopt;
  std::size_t end = begin;
  while (end < document.size() && document[end] == '|') {
    const std::size_t newline = document.find('\n', end);
    end = newline == std::string_view::npos ? document.size() : newline + 1;
  }
  return TextSpan{begin, end - begin};
}

}  // namespace sk::cli
