#include "runtime/alerts/recording_alert_port.h"

namespace sk::alerts {

void RecordingAlertPort::raise(AlertKind kind, const AlertContext& context) noexcept {
  const std::lock_guard lock(mutex_);
  alerts_.push_back(RecordedAlert{kind, context});
}

void RecordingAlertPort::resolve(AlertKind kind, const AlertContext& context) noexcept {
  const std::lock_guard lock(mutex_);
  resolutions_.push_back(RecordedAlert{kind, context});
}

std::vector<RecordedAlert> RecordingAlertPort::resolutions() const {
  const std::lock_guard lock(mutex_);
  return resolutions_;
}

std::vector<RecordedAlert> RecordingAlertPort::alerts() const {
  const std::lock_guard lock(mutex_);
  return alerts_;
}

}  // namespace sk::alerts
