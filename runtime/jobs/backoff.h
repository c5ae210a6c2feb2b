// Waiting policies of server jobs: bounded exponential backoff with jitter (busy database, submit-lock
// contention, an unreachable FE while polling) and the adaptive polling cadence of a running job (completion
// noticed within max(1 s, 5 % of elapsed) while polling no more often than needed). Pure computations; the
// waiting itself goes through the Sleeper port.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace sk::jobs {

struct BackoffPolicy {
  int max_attempts = 8;  // retries after the first try; then give up
  std::chrono::milliseconds initial{2'000};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{60'000};
  double jitter = 0.25;  // each delay is scaled by a factor in [1 - jitter, 1 + jitter]
};

// One retry loop. `random01` returns a value in [0, 1) (tests pass a fixed function); not thread-safe.
class Backoff {
 public:
  Backoff(BackoffPolicy policy, std::function<double()> random01);
  // The delay before the next retry, or nullopt when the attempts are exhausted.
  [[nodiscard]] std::optional<std::chrono::milliseconds> next();
  [[nodiscard]] int retries() const { return retries_; }

 private:
  BackoffPolicy policy_;
  std::function<double()> random01_;
  int retries_ = 0;
};

struct PollPolicy {
  std::chrono::milliseconds initial{1'000};
  double elapsed_fraction = 0.05;  // grow toward 5 % of the job's elapsed time
  std::chrono::milliseconds max_delay{30'000};
};

// The delay before the next SHOW BACKUP, given how long the job has been running: max(initial, fraction ×
// elapsed), capped. The lag between completion and noticing it is therefore ≤ max(initial, 5 % of elapsed).
[[nodiscard]] std::chrono::milliseconds next_poll_delay(const PollPolicy& policy,
                                                        std::chrono::milliseconds elapsed);

// A process-wide source of jitter in [0, 1) (seeded from the pid and time). Thread-safe.
[[nodiscard]] double default_random01();

}  // namespace sk::jobs
