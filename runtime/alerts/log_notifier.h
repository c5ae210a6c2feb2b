// LogNotifier: writes each event as one structured line (the webhook JSON object of alert_event.h, prefixed
// with "alert "), through a line callback the runner supplies (its logger). No logging library here.
// Thread safety: send() may be called concurrently; calls to the callback are serialised by the notifier.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "runtime/alerts/notifier_sink.h"

namespace sk::alerts {

using LineSink = std::function<void(std::string line)>;

class LogNotifier final : public NotifierSink {
 public:
  // `sink` receives complete lines without a trailing newline; an exception it throws becomes an
  // "alerts.log_failed" error.
  explicit LogNotifier(LineSink sink);
  [[nodiscard]] Status send(const AlertEvent& event) override;
  [[nodiscard]] std::string describe() const override { return "log"; }

 private:
  LineSink sink_;
  std::mutex mutex_;
};

}  // namespace sk::alerts
