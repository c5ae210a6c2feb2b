// The one error table (common/error_codes.def), as C++: the exit codes of the starkeep binary (sk::ExitCode),
// the dotted runtime error codes as named constants (sk::errc::kRestoreTimeout == "restore.timeout"), both
// tables for rendering (docs/cli.md, `starkeep --help`), and the one mapping from an error to an exit code
// (exit_code_for). Header-only and dependency-free beyond common/result.h, so the kernel, the runtime and the
// CLI can all include it.
#pragma once

#include <array>
#include <string_view>

#include "common/result.h"

namespace sk {

// Every exit status of the starkeep binary; each has one meaning for every command.
enum ExitCode : int {
#define SK_EXIT_CODE(name, value, commands, meaning) name = value,
#include "common/error_codes.def"
};

namespace errc {
// One constant per dotted error code: sk::fail(errc::kRestoreTimeout, …) and e.code == errc::kRestoreTimeout.
#define SK_ERROR_CODE(name, code, exit, meaning) inline constexpr const char* name = code;
#include "common/error_codes.def"
}  // namespace errc

struct ExitCodeInfo {
  ExitCode code;
  std::string_view name;      // the enumerator, e.g. "kExitUsage"
  std::string_view commands;  // which commands use it ("all", "run, drill", …)
  std::string_view meaning;   // one line
};

struct ErrorCodeInfo {
  std::string_view code;  // "restore.timeout"
  ExitCode exit;
  std::string_view meaning;  // one line
};

// The exit codes in numeric order.
inline constexpr std::array kExitCodes = {
#define SK_EXIT_CODE(name, value, commands, meaning) ExitCodeInfo{name, #name, commands, meaning},
#include "common/error_codes.def"
};

// The error codes in table order.
inline constexpr std::array kErrorCodes = {
#define SK_ERROR_CODE(name, code, exit, meaning) ErrorCodeInfo{code, exit, meaning},
#include "common/error_codes.def"
};

// The row of `code`, nullptr when the table does not know it.
[[nodiscard]] constexpr const ErrorCodeInfo* find_error_code(std::string_view code) {
  for (const auto& row : kErrorCodes) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

// The exit code an error maps to; kExitInternal for a code the table does not know (a bug: the table test
// scans the sources for codes missing here).
[[nodiscard]] constexpr ExitCode exit_code_for(std::string_view code) {
  const ErrorCodeInfo* row = find_error_code(code);
  return row != nullptr ? row->exit : kExitInternal;
}
[[nodiscard]] inline ExitCode exit_code_for(const Error& error) {
  return exit_code_for(std::string_view(error.code));
}

}  // namespace sk
