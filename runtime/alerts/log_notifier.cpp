#include "runtime/alerts/log_notifier.h"

#include <exception>
#include <utility>

#include "runtime/ports/redact.h"

namespace sk::alerts {

LogNotifier::LogNotifier(LineSink sink) : sink_(std::move(sink)) {}

Status LogNotifier::send(const AlertEvent& event) {
  try {
    std::string line = "alert " + webhook_payload(event);
    const std::lock_guard lock(mutex_);
    if (!sink_) return fail("alerts.log_failed", "log notifier has no line sink");
    sink_(std::move(line));
    return ok();
  } catch (const std::exception& e) {
    return fail("alerts.log_failed", "log notifier: {}", ports::redact(e.what()));
  } catch (...) {
    return fail("alerts.log_failed", "log notifier: unknown exception");
  }
}

}  // namespace sk::alerts
