// The notifier port: where an AlertEvent goes (Alertmanager, a webhook, a command, the runner's log). The
// dispatcher depends only on this interface; adapters live next to it (http_notifier.h, command_notifier.h,
// log_notifier.h) and tests substitute their own sinks.
#pragma once

#include <string>

#include "common/result.h"
#include "runtime/alerts/alert_event.h"

namespace sk::alerts {

class NotifierSink {
 public:
  virtual ~NotifierSink() = default;

  // Delivers one event; blocks until it is delivered or given up (an adapter bounds this with its timeouts
  // and retry policy). Errors: "alerts.*" codes with a message that is already redacted (no URL credentials,
  // no secrets from the event). Implementations must be safe to call from several threads at once and must
  // not throw (the dispatcher still guards against it).
  [[nodiscard]] virtual Status send(const AlertEvent& event) = 0;

  // What this sink delivers to, for log lines: e.g. "alertmanager https://am:9093/api/v2/alerts" with
  // credentials and query strings redacted. Never contains a secret.
  [[nodiscard]] virtual std::string describe() const = 0;

  // Whether resolutions (events with ends_at, AlertPort::resolve) go to this sink: only to receivers that keep
  // alert state and ignore the resolution of an alert they never had (Alertmanager). Others would be told every
  // run that nothing is wrong.
  [[nodiscard]] virtual bool wants_resolutions() const { return false; }
};

}  // namespace sk::alerts
