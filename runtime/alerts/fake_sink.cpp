#include "runtime/alerts/fake_sink.h"

#include <stdexcept>

namespace sk::alerts {

void RecordingNotifierSink::fail_with(Error error) {
  const std::lock_guard lock(mutex_);
  error_ = std::move(error);
  throw_message_.reset();
}

void RecordingNotifierSink::succeed() {
  const std::lock_guard lock(mutex_);
  error_.reset();
  throw_message_.reset();
}

void RecordingNotifierSink::throw_on_send(std::string message) {
  const std::lock_guard lock(mutex_);
  throw_message_ = std::move(message);
}

Status RecordingNotifierSink::send(const AlertEvent& event) {
  const std::lock_guard lock(mutex_);
  events_.push_back(event);
  if (throw_message_) throw std::runtime_error(*throw_message_);
  if (error_) return std::unexpected(*error_);
  return ok();
}

std::vector<AlertEvent> RecordingNotifierSink::events() const {
  const std::lock_guard lock(mutex_);
  return events_;
}

}  // namespace sk::alerts
