// Time ports of the runner: a Clock (wall-clock instants for records, a monotonic reading for elapsed times and
// deadlines) and a Sleeper (waits between polls and retries). Real implementations are here too; tests use
// FakeClock / FakeSleeper from runtime/ports/fakes.h, so no test ever sleeps or depends on the wall clock.
#pragma once

#include <chrono>

#include "kernel/domain/time.h"

namespace sk::ports {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current instant (UTC, whole seconds). Used for every time written to ops.* tables.
  [[nodiscard]] virtual Instant now() = 0;
  // A monotonic reading from an arbitrary origin; only differences are meaningful. Never goes backwards.
  [[nodiscard]] virtual std::chrono::milliseconds monotonic() = 0;
};

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Blocks the calling thread for `duration` (non-positive: returns at once).
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// std::chrono::system_clock / steady_clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] Instant now() override {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return Instant::from_unix_seconds(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  }
  [[nodiscard]] std::chrono::milliseconds monotonic() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch());
  }
};

// std::this_thread::sleep_for. Thread-safe.
class ThreadSleeper final : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds duration) override;
};

}  // namespace sk::ports
