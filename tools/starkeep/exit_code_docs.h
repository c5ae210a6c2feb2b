// Renders the exit-code table of common/error_codes.def for people: the Markdown table of docs/cli.md ("##
// Exit codes") and the list at the end of `starkeep --help`. Pure functions;
// tests/tools/exit_code_docs_test.cpp fails when docs/cli.md differs from render_exit_code_markdown()
// (UPDATE_GOLDEN=1 rewrites it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sk::cli {

// "| code | commands | meaning |", the alignment row and one row per exit code, each line ending in '\n'.
[[nodiscard]] std::string render_exit_code_markdown();

// "Exit codes:" and one line per exit code ("  16  the cluster could not be reached [all that connect]").
[[nodiscard]] std::string render_exit_code_help();

// Where docs/cli.md holds the table: the offset and length of the block of '|' lines that starts with the
// header row render_exit_code_markdown() begins with; nullopt when the header row is absent.
struct TextSpan {
  std::size_t offset = 0;
  std::size_t length = 0;
};
[[nodiscard]] std::optional<TextSpan> find_exit_code_table(std::string_view document);

}  // namespace sk::cli
