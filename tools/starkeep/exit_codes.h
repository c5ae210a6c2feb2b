// The exit statuses of the starkeep binary under their CLI names (sk::cli::kExitUsage, …). The numbers, their
// meanings and the error code → exit code mapping live in one table, common/error_codes.def (docs/cli.md's
// table and `starkeep --help` are rendered from it); this header only brings them into sk::cli.
#pragma once

#include "common/error_codes.h"

namespace sk::cli {

using ::sk::ExitCode;
using enum ::sk::ExitCode;
using ::sk::exit_code_for;

}  // namespace sk::cli
