// The one way the product replaces an output file (metrics textfiles, reports, scheduler artefacts) without a
// reader ever seeing half of it: the content goes to a temporary file `.<name>.XXXXXX` in the target's directory
// (same file system, so the rename is atomic), is fsynced and made 0644, renamed over the target, and the
// directory is fsynced (best effort: the rename is already visible; this makes it durable). On any failure the
// temporary file is removed and the target is untouched. Thread-safe for distinct targets.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"

namespace sk::ports {

// What a failure says: `code` (a dotted error code from common/error_codes.def) and
// "cannot write <noun><path>: <step>: <system reason>", e.g. noun "the metrics file ".
struct WriteErrorText {
  const char* code;
  std::string_view noun;
};

[[nodiscard]] Status write_file_atomically(const std::filesystem::path& target, std::string_view content,
                                           const WriteErrorText& on_error);

}  // namespace sk::ports
