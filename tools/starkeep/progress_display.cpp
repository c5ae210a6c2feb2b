#include "tools/starkeep/progress_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include "runtime/progress/progress_view.h"

namespace sk::cli {

std::unique_ptr<ports::Progress> make_progress_display(bool enabled, ports::Clock& clock) {
  if (!enabled) return nullptr;
  if (::isatty(STDERR_FILENO) == 1) {
    winsize size{};
    const std::size_t columns = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col : 100;
    return std::make_unique<progress::TerminalProgress>(std::cerr, columns);
  }
  return std::make_unique<progress::PlainProgress>(std::cerr, clock);
}

}  // namespace sk::cli
