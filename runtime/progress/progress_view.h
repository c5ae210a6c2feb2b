// Adapters of the progress port (runtime/ports/progress.h) for a human on stderr, and the estimate they show.
//   TerminalProgress — stderr is a terminal: ONE line rewritten in place ("\r" + text + "\x1b[K"), all running
//                      tasks on it (cut to the width), cleared when the last task is done;
//   PlainProgress    — stderr is a file or a pipe: a line per task when its state changes, else at most one per
//                      `interval` per task, never a control character.
// The CLI picks one with isatty(2) (and none for --format json, whose stderr is JSON lines). Both are thread-safe;
// writes go to the stream under a mutex and are flushed.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "kernel/domain/names.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/progress.h"

namespace sk::progress {

// "1h02m03s", "4m05s", "12s".
[[nodiscard]] std::string human_duration(std::chrono::seconds s);
// "backup shop daily shop_20250915_inc: UPLOADING, 1m05s (usually 4m10s, from 5 earlier)".
[[nodiscard]] std::string describe(const ports::ProgressUpdate& update);

// The median duration (server start, else submission → finish) of the newest `at_most` FINISHED attempts counting
// for `tier`, and how many there were; nullopt when there is none.
struct Typical {
  std::chrono::seconds duration{0};
  int from = 0;
};
[[nodiscard]] std::optional<Typical> typical_backup(const std::vector<ops::BackupAttempt>& attempts,
                                                    const TierName& tier, std::size_t at_most = 10);

class TerminalProgress final : public ports::Progress {
 public:
  // `out` must outlive the adapter. `width`: the line is cut to it (the terminal's columns).
  explicit TerminalProgress(std::ostream& out, std::size_t width = 100) : out_(out), width_(width) {}
  void update(const ports::ProgressUpdate& update) noexcept override;
  void done(const std::string& task) noexcept override;

 private:
  void redraw();
  std::ostream& out_;
  std::size_t width_;
  std::mutex mutex_;
  std::map<std::string, ports::ProgressUpdate> running_;
};

class PlainProgress final : public ports::Progress {
 public:
  // `out` and `clock` must outlive the adapter.
  PlainProgress(std::ostream& out, ports::Clock& clock, std::chrono::seconds interval = std::chrono::seconds(30))
      : out_(out), clock_(clock), interval_(interval) {}
  void update(const ports::ProgressUpdate& update) noexcept override;
  void done(const std::string& task) noexcept override;

 private:
  struct Shown {
    std::string state;
    std::chrono::milliseconds at{0};  // the clock's monotonic reading when shown
  };
  std::ostream& out_;
  ports::Clock& clock_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::map<std::string, Shown> shown_;
};

}  // namespace sk::progress
