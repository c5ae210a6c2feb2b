// The one result type for failures the code expects (I/O, server errors, parsing SHOW output, plan JSON).
// Mistakes in user input are diagnostics (compiler/diag), not Errors; exceptions stay inside adapters.
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace sk {

// A failure: a stable dotted code ("sql.connect", "repo.not_found"), a human message, and context lines
// added as the error travels outwards ("while binding database sales").
struct Error {
  std::string code;
  std::string message;
  std::vector<std::string> context;

  // Adds one line of context and returns the error, for `return std::unexpected(e.with_context(...))`.
  Error&& with_context(std::string line) && {
    context.push_back(std::move(line));
    return std::move(*this);
  }
  // "message (context1; context2)".
  [[nodiscard]] std::string describe() const {
    std::string out = message;
    if (!context.empty()) {
      out += " (";
      for (size_t i = 0; i < context.size(); ++i) {
        if (i) out += "; ";
        out += context[i];
      }
      out += ")";
    }
    return out;
  }
  friend bool operator==(const Error&, const Error&) = default;
};

template <typename T>
using Result = std::expected<T, Error>;

// Void result: `Status s = do(); if (!s) ...`.
using Status = std::expected<void, Error>;

// Builds the unexpected value in one call: `return sk::fail("repo.not_found", "Repository {} does not exist", r);`
template <typename... Args>
[[nodiscard]] std::unexpected<Error> fail(std::string code, fmt::format_string<Args...> fmt_text, Args&&... args) {
  return std::unexpected(Error{std::move(code), fmt::format(fmt_text, std::forward<Args>(args)...), {}});
}

inline Status ok() { return {}; }

}  // namespace sk
