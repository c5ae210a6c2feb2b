// The `<dir>/env` file `starkeep-emu-harness up` writes: shell-sourceable `export KEY='value'` lines describing
// the running cluster (see README.md for the keys), read back by `down` and by scripts.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "common/result.h"

namespace sk::emu::harness {

using EnvValues = std::map<std::string, std::string>;

// Writes atomically (temporary file + rename). Errors: "harness.io".
[[nodiscard]] Status write_env_file(const std::filesystem::path& file, const EnvValues& values);
// Errors: "harness.io" (missing or unreadable), "harness.env" (a line that is not `export KEY='value'`).
[[nodiscard]] Result<EnvValues> read_env_file(const std::filesystem::path& file);

}  // namespace sk::emu::harness
