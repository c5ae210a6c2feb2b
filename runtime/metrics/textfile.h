// Writing a metrics file for node_exporter's textfile collector without ever exposing a half-written file
// (ports::write_file_atomically: a temporary file in the same directory, renamed over the target). The collector
// reads only `*.prom` files, and the temporary name does not end in `.prom`. Errors: "io.write" naming the path and
// the failed step. Thread-safe for distinct targets.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"

namespace sk::metrics {

[[nodiscard]] Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

// Checked before a command does its work, so a mistyped --metrics-file fails before anything happens: the target's
// directory exists and is a directory, and the target is not a directory. Errors: "io.write".
[[nodiscard]] Status check_writable_target(const std::filesystem::path& target);

}  // namespace sk::metrics
