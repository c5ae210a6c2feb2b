// AlertmanagerNotifier / WebhookNotifier against a real HTTP receiver on loopback: exact payloads and
// headers, retry on 5xx and connection failures with backoff through the Sleeper port, no retry on 4xx,
// timeouts, and redaction of URL credentials in errors.
#include "runtime/alerts/http_notifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "http_receiver.h"
#include "runtime/ports/fakes.h"
#include "test_support.h"

namespace sk::alerts {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::HttpReceiver;
using testing::must;
using testing::sample_event;

HttpOptions fast_options(int attempts = 4) {
  HttpOptions o;
  o.connect_timeout = 2000ms;
  o.total_timeout = 5000ms;
  o.retry.max_attempts = attempts;
  o.retry.initial_backoff = 1000ms;
  o.retry.max_backoff = 3000ms;
  return o;
}

TEST(AlertmanagerNotifier, PostsTheV2PayloadAsJsonToTheAlertsEndpoint) {
  HttpReceiver receiver;
  ports::FakeSleeper sleeper;
  AlertmanagerNotifier notifier(must(HttpTarget::parse(receiver.url("/api/v2/alerts"))), sleeper,
                                fast_options(), "https://ops.example.com/runs/42");
  const AlertEvent e = sample_event();
  ASSERT_TRUE(notifier.send(e));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v2/alerts");
  EXPECT_EQ(r.version, "HTTP/1.1");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
  EXPECT_FALSE(r.header("expect").has_value());
  EXPECT_EQ(r.body, alertmanager_payload(e, "https://ops.example.com/runs/42"));
  const json body = json::parse(r.body);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0]["labels"]["alertname"], "job_failed");
  EXPECT_EQ(body[0]["labels"]["severity"], "critical");
  EXPECT_EQ(body[0]["annotations"]["summary"], e.summary);
  EXPECT_EQ(body[0]["startsAt"], "2025-09-14T01:00:00Z");
  EXPECT_EQ(body[0]["generatorURL"], "https://ops.example.com/runs/42");
  EXPECT_TRUE(sleeper.sleeps().empty());
}

TEST(AlertmanagerNotifier, BaseUrlDefaultsToApiV2Alerts) {
  HttpReceiver receiver;
  ports::FakeSleeper sleeper;
  AlertmanagerNotifier notifier(must(HttpTarget::parse(receiver.url())), sleeper, fast_options());
  ASSERT_TRUE(notifier.send(sample_event()));
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].target, "/api/v2/alerts");
  EXPECT_EQ(notifier.describe(), "alertmanager " + receiver.url("/api/v2/alerts"));
}

TEST(HttpNotifier, Retries503WithBackoffThenSucceeds) {
  HttpReceiver receiver;
  receiver.script({503, 503});
  ports::FakeSleeper sleeper;
  AlertmanagerNotifier notifier(must(HttpTarget::parse(receiver.url("/api/v2/alerts"))), sleeper,
                                fast_options());
  const Status s = notifier.send(sample_event());
  ASSERT_TRUE(s) << s.error().describe();
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, requests[2].body);  // the same payload each time
  EXPECT_EQ(sleeper.sleeps(), (std::vector<std::chrono::milliseconds>{1000ms, 2000ms}));
}

TEST(HttpNotifier, PersistentServerErrorGivesUpAfterMaxAttemptsWithCappedBackoff) {
  HttpReceiver receiver;
  receiver.script({}, 500);
  ports::FakeSleeper sleeper;
  WebhookNotifier notifier(must(HttpTarget::parse(receiver.url("/hook"))), sleeper, fast_options(4));
  const Status s = notifier.send(sample_event());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.http_status");
  EXPECT_NE(s.error().message.find("HTTP 500"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("4 attempts"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("scripted failure"), std::string::npos) << s.error().message;
  EXPECT_EQ(receiver.requests().size(), 4u);
  EXPECT_EQ(sleeper.sleeps(), (std::vector<std::chrono::milliseconds>{1000ms, 2000ms, 3000ms}));
}

TEST(HttpNotifier, ClientErrorIsNotRetried) {
  HttpReceiver receiver;
  receiver.script({400});
  ports::FakeSleeper sleeper;
  AlertmanagerNotifier notifier(must(HttpTarget::parse(receiver.url("/api/v2/alerts"))), sleeper,
                                fast_options());
  const Status s = notifier.send(sample_event());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.http_status");
  EXPECT_NE(s.error().message.find("HTTP 400"), std::string::npos);
  EXPECT_NE(s.error().message.find("1 attempt"), std::string::npos);
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_TRUE(sleeper.sleeps().empty());
}

TEST(HttpNotifier, TooManyRequestsIsRetried) {
  HttpReceiver receiver;
  receiver.script({429});
  ports::FakeSleeper sleeper;
  WebhookNotifier notifier(must(HttpTarget::parse(receiver.url("/hook"))), sleeper, fast_options());
  ASSERT_TRUE(notifier.send(sample_event()));
  EXPECT_EQ(receiver.requests().size(), 2u);
  EXPECT_EQ(sleeper.sleeps().size(), 1u);
}

TEST(HttpNotifier, RefusedConnectionIsRetriedThenFailsWithoutThrowing) {
  const int port = testing::closed_port();
  ports::FakeSleeper sleeper;
  WebhookNotifier notifier(must(HttpTarget::parse("http://127.0.0.1:" + std::to_string(port) + "/hook")),
                           sleeper, fast_options(3));
  Status s;
  EXPECT_NO_THROW(s = notifier.send(sample_event()));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.http_transport");
  EXPECT_NE(s.error().message.find("3 attempts"), std::string::npos) << s.error().message;
  EXPECT_EQ(sleeper.sleeps().size(), 2u);
}

TEST(HttpNotifier, ReceiverThatNeverAnswersTimesOut) {
  HttpReceiver receiver;
  receiver.set_hang(true);
  ports::FakeSleeper sleeper;
  HttpOptions o = fast_options(2);
  o.total_timeout = 1000ms;
  WebhookNotifier notifier(must(HttpTarget::parse(receiver.url("/hook"))), sleeper, o);
  const Status s = notifier.send(sample_event());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.http_transport");
  EXPECT_NE(s.error().message.find("2 attempts"), std::string::npos) << s.error().message;
  EXPECT_EQ(receiver.requests().size(), 2u);  // the request arrived; only the answer never came
}

TEST(HttpNotifier, UrlCredentialsAreSentButNeverAppearInErrors) {
  HttpReceiver receiver;
  receiver.script({}, 503);
  ports::FakeSleeper sleeper;
  const std::string url =
      "http://oncall:hunter2@127.0.0.1:" + std::to_string(receiver.port()) + "/hook?token=t0k3n";
  WebhookNotifier notifier(must(HttpTarget::parse(url)), sleeper, fast_options(2));
  const Status s = notifier.send(sample_event());
  ASSERT_FALSE(s);
  const std::string text = s.error().describe();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("t0k3n"), std::string::npos) << text;
  EXPECT_NE(text.find("oncall:<redacted>@127.0.0.1"), std::string::npos) << text;
  EXPECT_EQ(notifier.describe().find("hunter2"), std::string::npos);
  ASSERT_FALSE(receiver.requests().empty());
  const auto auth = receiver.requests()[0].header("authorization");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(*auth, "Basic b25jYWxsOmh1bnRlcjI=");  // base64("oncall:hunter2")
  EXPECT_EQ(receiver.requests()[0].target, "/hook?token=t0k3n");
}

TEST(HttpNotifier, UnreachableHttpsHostFailsWithTheUrlRedacted) {
  // An https host that cannot be resolved (no network here; .invalid never resolves) fails cleanly.
  ports::FakeSleeper sleeper;
  HttpOptions o = fast_options(1);
  o.connect_timeout = 300ms;
  o.total_timeout = 500ms;
  WebhookNotifier notifier(
      must(HttpTarget::parse("https://admin:pa55word@starkeep-no-such-host.invalid/hook")), sleeper, o);
  const Status s = notifier.send(sample_event());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.http_transport");
  EXPECT_EQ(s.error().describe().find("pa55word"), std::string::npos) << s.error().describe();
  EXPECT_NE(s.error().describe().find("admin:<redacted>@starkeep-no-such-host.invalid"), std::string::npos)
      << s.error().describe();
}

TEST(WebhookNotifier, PostsTheGenericJson) {
  HttpReceiver receiver;
  ports::FakeSleeper sleeper;
  WebhookNotifier notifier(must(HttpTarget::parse(receiver.url("/hooks/backups"))), sleeper, fast_options());
  const AlertEvent e = sample_event();
  ASSERT_TRUE(notifier.send(e));
  ASSERT_EQ(receiver.requests().size(), 1u);
  const auto r = receiver.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hooks/backups");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, webhook_payload(e));
  EXPECT_EQ(json::parse(r.body)["alert"], "job_failed");
}

}  // namespace
}  // namespace sk::alerts
