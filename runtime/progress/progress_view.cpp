#include "runtime/progress/progress_view.h"

#include <fmt/format.h>

#include <algorithm>

namespace sk::progress {

std::string human_duration(std::chrono::seconds s) {
  const auto total = std::max<std::int64_t>(0, s.count());
  const auto h = total / 3600, m = total % 3600 / 60, sec = total % 60;
  if (h > 0) return fmt::format("{}h{:02}m{:02}s", h, m, sec);
  if (m > 0) return fmt::format("{}m{:02}s", m, sec);
  return fmt::format("{}s", sec);
}

std::string describe(const ports::ProgressUpdate& u) {
  std::string out = fmt::format("{}: {}, {}", u.task, u.state, human_duration(u.elapsed));
  if (u.typical) {
    out += fmt::format(" (usually {}, from {} earlier)", human_duration(*u.typical), u.earlier);
  }
  return out;
}

std::optional<Typical> typical_backup(const std::vector<ops::BackupAttempt>& attempts, const TierName& tier,
                                      std::size_t at_most) {
  std::vector<const ops::BackupAttempt*> finished;
  for (const auto& a : attempts) {
    if (a.state != ops::AttemptState::kFinished || !a.finished_at || !(a.started_at || a.submitted_at)) continue;
    if (std::find(a.tiers.begin(), a.tiers.end(), tier) == a.tiers.end()) continue;
    finished.push_back(&a);
  }
  if (finished.empty()) return std::nullopt;
  std::sort(finished.begin(), finished.end(),
            [](const auto* x, const auto* y) { return x->finished_at > y->finished_at; });
  if (finished.size() > at_most) finished.resize(at_most);
  std::vector<std::int64_t> seconds;
  for (const auto* a : finished) {
    const Instant from = a->started_at ? *a->started_at : *a->submitted_at;
    seconds.push_back(std::max<std::int64_t>(0, a->finished_at->unix_seconds() - from.unix_seconds()));
  }
  std::sort(seconds.begin(), seconds.end());
  return Typical{std::chrono::seconds(seconds[(seconds.size() - 1) / 2]), static_cast<int>(seconds.size())};
}

void TerminalProgress::update(const ports::ProgressUpdate& update) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    running_.insert_or_assign(update.task, update);
    redraw();
  } catch (...) {
    // Progress is decoration: it never disturbs the work.
  }
}

void TerminalProgress::done(const std::string& task) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    if (running_.erase(task) == 0) return;
    redraw();
  } catch (...) {
  }
}

// Called with mutex_ held.
void TerminalProgress::redraw() {
  std::string line;
  for (const auto& [task, u] : running_) {
    if (!line.empty()) line += " | ";
    line += describe(u);
  }
  if (line.size() > width_) line = line.substr(0, width_ > 1 ? width_ - 1 : 0) + "…";
  out_ << '\r' << line << "\x1b[K" << std::flush;
}

void PlainProgress::update(const ports::ProgressUpdate& update) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    const auto now = clock_.monotonic();
    const auto it = shown_.find(update.task);
    const bool changed = it == shown_.end() || it->second.state != update.state;
    if (!changed && now - it->second.at < interval_) return;
    shown_.insert_or_assign(update.task, Shown{update.state, now});
    out_ << "progress: " << describe(update) << "\n" << std::flush;
  } catch (...) {
  }
}

void PlainProgress::done(const std::string& task) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    shown_.erase(task);
  } catch (...) {
  }
}

}  // namespace sk::progress
