#include "runtime/jobs/backoff.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <random>

namespace sk::jobs {

Backoff::Backoff(BackoffPolicy policy, std::function<double()> random01)
    : policy_(policy), random01_(std::move(random01)) {}

std::optional<std::chrono::milliseconds> Backoff::next() {
  if (retries_ >= policy_.max_attempts) return std::nullopt;
  const double base = static_cast<double>(policy_.initial.count()) * std::pow(policy_.multiplier, retries_);
  const double capped = std::min(base, static_cast<double>(policy_.max_delay.count()));
  const double r = random01_ ? random01_() : 0.5;
  const double factor = 1.0 + policy_.jitter * (2.0 * r - 1.0);
  ++retries_;
  return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(capped * factor)));
}

std::chrono::milliseconds next_poll_delay(const PollPolicy& policy, std::chrono::milliseconds elapsed) {
  const auto proportional = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(elapsed.count()) * policy.elapsed_fraction));
  return std::min(std::max(policy.initial, proportional), policy.max_delay);
}

double default_random01() {
  static std::mutex mutex;
  static std::mt19937_64 engine(
      static_cast<std::uint64_t>(::getpid()) * 1'000'003ULL ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::lock_guard lock(mutex);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace sk::jobs
