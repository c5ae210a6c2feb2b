// HTTP notifier adapters over libcurl: AlertmanagerNotifier (POST the Alertmanager v2 postableAlerts array)
// and WebhookNotifier (POST the generic starkeep JSON). Both share one delivery routine with
//   * connect and total timeouts per attempt (HttpOptions),
//   * HTTPS only, except to loopback hosts (HttpTarget), no redirects followed, TLS peer verification on,
//   * bounded retries with exponential backoff through the Sleeper port on connection errors, timeouts, 5xx,
//     408 and 429; no retry on other 4xx (the receiver rejected the request; repeating it cannot help).
// Thread safety: send() may be called from several threads at once (one curl handle per call).
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"
#include "runtime/alerts/http_target.h"
#include "runtime/alerts/notifier_sink.h"
#include "runtime/ports/clock.h"

namespace sk::alerts {

struct RetryPolicy {
  int max_attempts = 4;                             // total attempts, including the first (≥ 1)
  std::chrono::milliseconds initial_backoff{1000};  // wait before the 2nd attempt; doubles each time
  std::chrono::milliseconds max_backoff{8000};      // cap on one wait
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{5000};  // per attempt
  std::chrono::milliseconds total_timeout{10000};   // per attempt, connect included
  RetryPolicy retry;
};

// The response of one attempt (status 0 when no HTTP response was received).
struct HttpAttempt {
  long status = 0;
  std::string body_excerpt;  // first bytes of the response body, redacted
};

// POSTs `body` as application/json to `target` with the retry policy. Errors: "alerts.http_status" (final
// non-2xx status), "alerts.http_transport" (connection, TLS or timeout failure on the last attempt). The
// message names the redacted URL, the attempt count and the redacted response excerpt. Does not throw.
[[nodiscard]] Status post_json(const HttpTarget& target, const std::string& body, const HttpOptions& options,
                               ports::Sleeper& sleeper);

class AlertmanagerNotifier final : public NotifierSink {
 public:
  // A target with an empty or "/" path is sent to <target>/api/v2/alerts; any other path is used as given
  // (the policy usually names the full .../api/v2/alerts URL). `generator_url` (may be empty) becomes
  // generatorURL. `sleeper` must outlive the notifier.
  AlertmanagerNotifier(const HttpTarget& target, ports::Sleeper& sleeper, HttpOptions options = {},
                       std::string generator_url = {});
  [[nodiscard]] Status send(const AlertEvent& event) override;
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] bool wants_resolutions() const override { return true; }
  [[nodiscard]] const HttpTarget& target() const { return target_; }

 private:
  HttpTarget target_;
  ports::Sleeper& sleeper_;
  HttpOptions options_;
  std::string generator_url_;
};

class WebhookNotifier final : public NotifierSink {
 public:
  // Posts webhook_payload(event) to `target` as given. `sleeper` must outlive the notifier.
  WebhookNotifier(HttpTarget target, ports::Sleeper& sleeper, HttpOptions options = {});
  [[nodiscard]] Status send(const AlertEvent& event) override;
  [[nodiscard]] std::string describe() const override;

 private:
  HttpTarget target_;
  ports::Sleeper& sleeper_;
  HttpOptions options_;
};

}  // namespace sk::alerts
