// Which progress display a command's long waits get on stderr (docs/operations.md, Progress): none for
// `--format json` (stderr is JSON lines then) or `--no-progress`; one updating line when stderr is a terminal;
// plain lines at a bounded rate otherwise (a file, a pipe, journald).
#pragma once

#include <memory>

#include "runtime/ports/clock.h"
#include "runtime/ports/progress.h"

namespace sk::cli {

// nullptr when `enabled` is false. `clock` must outlive the display.
[[nodiscard]] std::unique_ptr<ports::Progress> make_progress_display(bool enabled, ports::Clock& clock);

}  // namespace sk::cli
