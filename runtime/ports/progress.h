// The progress port: how a long wait (a BACKUP polled to its end, a RESTORE, a drill) reports where it is, without
// knowing whether anyone watches or how it is shown. The CLI gives the runtime an adapter from runtime/progress
// (one line rewritten in place on a terminal, plain lines at a bounded rate otherwise) or nothing at all.
// Implementations must be thread-safe (the runner's workers report at once) and must not throw.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sk::ports {

struct ProgressUpdate {
  std::string task;   // what is waited for, unique among the running ones: "backup shop daily shop_20250915_inc"
  std::string state;  // as the server prints it: PENDING, SNAPSHOTING, UPLOADING, …
  std::chrono::seconds elapsed{0};
  // How long this kind of job took before (from the history), when known: the total, not what is left.
  std::optional<std::chrono::seconds> typical{};
  int earlier = 0;  // how many earlier jobs `typical` is taken from
};

class Progress {
 public:
  virtual ~Progress() = default;
  virtual void update(const ProgressUpdate& update) noexcept = 0;
  // The task ended (whatever the outcome): it leaves the display.
  virtual void done(const std::string& task) noexcept = 0;
};

}  // namespace sk::ports
