// Test double for the AlertPort (target sk_alert_port_fakes, never linked into the product): records every
// (kind, context) it is raised with, in order, so that runner, catalog and restore tests can check what would
// have been alerted. Thread-safe (the runner raises from worker threads).
#pragma once

#include <mutex>
#include <vector>

#include "runtime/alerts/alert_port.h"

namespace sk::alerts {

struct RecordedAlert {
  AlertKind kind = AlertKind::kJobState;
  AlertContext context;
};

class RecordingAlertPort final : public AlertPort {
 public:
  void raise(AlertKind kind, const AlertContext& context) noexcept override;
  void resolve(AlertKind kind, const AlertContext& context) noexcept override;

  // A copy of what was raised so far, in order.
  [[nodiscard]] std::vector<RecordedAlert> alerts() const;
  // A copy of what was resolved so far, in order.
  [[nodiscard]] std::vector<RecordedAlert> resolutions() const;

 private:
  mutable std::mutex mutex_;
  std::vector<RecordedAlert> alerts_;
  std::vector<RecordedAlert> resolutions_;
};

}  // namespace sk::alerts
