// Test double for the NotifierSink port (target sk_alerts_fakes, never linked into the product): records
// every event it is given and answers with a scripted result, or throws, so that runner and dispatcher tests
// can check what would have been sent and that a failing notifier changes nothing. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/alerts/notifier_sink.h"

namespace sk::alerts {

class RecordingNotifierSink final : public NotifierSink {
 public:
  explicit RecordingNotifierSink(std::string name = "fake", bool wants_resolutions = false)
      : name_(std::move(name)), wants_resolutions_(wants_resolutions) {}

  // From now on send() records the event and returns this error (or, after succeed(), success).
  void fail_with(Error error);
  void succeed();
  // From now on send() records the event and throws std::runtime_error(message) (a misbehaving adapter).
  void throw_on_send(std::string message);

  [[nodiscard]] Status send(const AlertEvent& event) override;
  [[nodiscard]] std::string describe() const override { return "fake " + name_; }
  [[nodiscard]] bool wants_resolutions() const override { return wants_resolutions_; }

  [[nodiscard]] std::vector<AlertEvent> events() const;

 private:
  std::string name_;
  bool wants_resolutions_ = false;
  mutable std::mutex mutex_;
  std::vector<AlertEvent> events_;
  std::optional<Error> error_;
  std::optional<std::string> throw_message_;
};

}  // namespace sk::alerts
