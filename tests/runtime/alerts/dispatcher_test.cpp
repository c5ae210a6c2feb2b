// AlertDispatcher: condition matching, routing an alert to its notifiers, failures reported as redacted
// warnings (never thrown, never stopping the other notifiers), dedup within a run; end to end with the real
// adapters.
#include "runtime/alerts/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http_receiver.h"
#include "runtime/alerts/fake_sink.h"
#include "runtime/ports/fakes.h"
#include "test_support.h"

namespace sk::alerts {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::alert;
using testing::HttpReceiver;
using testing::job_state_in;
using testing::must;
using testing::notifier;
using K = model::AlertCondition::Kind;

model::Policy production_policy() {
  model::Policy p;
  p.name = "production";
  p.alerts.push_back(alert("job_failed", job_state_in({"CANCELLED", "FAILED"}), {"pager", "chat"},
                           model::Severity::kCritical));
  model::AlertCondition overrun;
  overrun.kind = K::kOverrun;
  p.alerts.push_back(alert("overrun", overrun, {"chat"}));
  model::AlertCondition slow;
  slow.kind = K::kOverrun;
  slow.elapsed_limit = Duration::from_hours(18);
  p.alerts.push_back(alert("very_slow", slow, {"chat"}));
  model::AlertCondition repo;
  repo.kind = K::kRepositoryUnreachable;
  p.alerts.push_back(alert("repo_down", repo, {"pager"}, model::Severity::kCritical));
  model::AlertCondition disk;
  disk.kind = K::kDiskFreeBelow;
  disk.threshold = must(Percent::parse("15%"));
  p.alerts.push_back(alert("disk_low", disk, {"chat"}));
  p.notifiers.push_back(notifier("pager", model::NotifierKind::kAlertmanager, "https://am.example.com"));
  p.notifiers.push_back(notifier("chat", model::NotifierKind::kWebhook, "https://chat.example.com/hook"));
  return p;
}

AlertContext failed_job(AlertJobState state = AlertJobState::server(jobs::JobState::kCancelled)) {
  AlertContext c;
  c.database = must(DatabaseName::parse("sales"));
  c.tier = must(TierName::parse("daily"));
  c.label = must(SnapshotLabel::parse("sales_20250914_inc"));
  c.job_id = jobs::JobId(10086);
  c.job_state = state;
  c.detail = "Status: [Code: BAD_REQUEST] repository s3_prod: access denied";
  return c;
}

struct Fixture {
  std::shared_ptr<RecordingNotifierSink> pager = std::make_shared<RecordingNotifierSink>("pager");
  std::shared_ptr<RecordingNotifierSink> chat = std::make_shared<RecordingNotifierSink>("chat");
  ports::FakeClock clock;
  std::vector<std::string> warned;

  AlertDispatcher make(const model::Policy& policy = production_policy()) {
    NotifierSinks sinks;
    sinks.emplace(must(NotifierName::parse("pager")), pager);
    sinks.emplace(must(NotifierName::parse("chat")), chat);
    return AlertDispatcher(policy, std::move(sinks), clock, "run-7",
                           [this](std::string l) { warned.push_back(l); });
  }
};

std::vector<std::string> names(const DispatchReport& r) {
  std::vector<std::string> out;
  for (const auto& e : r.events) out.push_back(e.name.str());
  return out;
}

TEST(Evaluate, JobStateMatchesOnlyListedStates) {
  const auto p = production_policy();
  const Instant now = Instant::from_unix_seconds(100);
  EXPECT_EQ(evaluate(p.name, p.alerts, "r", K::kJobState, failed_job(AlertJobState::server(jobs::JobState::kCancelled)), now).size(), 1u);
  EXPECT_EQ(evaluate(p.name, p.alerts, "r", K::kJobState, failed_job(AlertJobState::failed()), now).size(), 1u);
  EXPECT_TRUE(evaluate(p.name, p.alerts, "r", K::kJobState, failed_job(AlertJobState::server(jobs::JobState::kFinished)), now).empty());
  AlertContext no_state = failed_job();
  no_state.job_state.reset();
  EXPECT_TRUE(evaluate(p.name, p.alerts, "r", K::kJobState, no_state, now).empty());
}

TEST(Evaluate, EventCarriesContextSeverityAndText) {
  const auto p = production_policy();
  const auto events =
      evaluate(p.name, p.alerts, "run-7", K::kJobState, failed_job(), Instant::from_unix_seconds(100));
  ASSERT_EQ(events.size(), 1u);
  const AlertEvent& e = events[0];
  EXPECT_EQ(e.name.str(), "job_failed");
  EXPECT_EQ(e.severity, model::Severity::kCritical);
  EXPECT_EQ(e.summary, "Job sales_20250914_inc on database sales (tier daily) ended CANCELLED");
  EXPECT_NE(e.description.find("access denied"), std::string::npos);
  EXPECT_NE(e.description.find("run run-7"), std::string::npos);
  EXPECT_EQ(e.labels.policy, "production");
  EXPECT_EQ(e.labels.run_id, "run-7");
  EXPECT_EQ(e.labels.job_id, "10086");
  EXPECT_EQ(e.starts_at, Instant::from_unix_seconds(100));
  EXPECT_FALSE(e.ends_at.has_value());
}

TEST(Evaluate, OverrunUsesTheTierWindowOrTheFixedLimit) {
  const auto p = production_policy();
  const Instant now{};
  AlertContext c = failed_job();
  c.job_state.reset();
  c.window = Duration::from_hours(2);
  c.elapsed = Duration::from_hours(2);
  EXPECT_TRUE(evaluate(p.name, p.alerts, "r", K::kOverrun, c, now).empty()) << "not over the window yet";
  c.elapsed = Duration::from_hours(2) + Duration::from_seconds(1);
  auto events = evaluate(p.name, p.alerts, "r", K::kOverrun, c, now);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name.str(), "overrun");
  EXPECT_NE(events[0].summary.find("limit 2h"), std::string::npos) << events[0].summary;
  c.elapsed = Duration::from_hours(19);
  events = evaluate(p.name, p.alerts, "r", K::kOverrun, c, now);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].name.str(), "very_slow");
  c.window.reset();  // without the window only the fixed limit can be evaluated
  events = evaluate(p.name, p.alerts, "r", K::kOverrun, c, now);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name.str(), "very_slow");
}

TEST(Evaluate, DiskFreeBelowThresholdAndRepository) {
  const auto p = production_policy();
  AlertContext c;
  c.backend = 3;
  c.disk_free = must(Percent::parse("15%"));
  EXPECT_TRUE(evaluate(p.name, p.alerts, "r", K::kDiskFreeBelow, c, Instant{}).empty());
  c.disk_free = must(Percent::parse("14.99%"));
  auto events = evaluate(p.name, p.alerts, "r", K::kDiskFreeBelow, c, Instant{});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].summary, "Snapshot disk free space 14.99% is below 15% on backend 3");
  AlertContext r;
  r.repository = must(RepositoryName::parse("s3_prod"));
  events = evaluate(p.name, p.alerts, "r", K::kRepositoryUnreachable, r, Instant{});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].summary, "Repository s3_prod is unreachable");
  EXPECT_TRUE(evaluate(p.name, p.alerts, "r", K::kPrecheckFailed, r, Instant{}).empty()) << "no such alert";
}

TEST(Evaluate, RepositoryFindingMatchesOnlyListedFindings) {
  model::Policy p = production_policy();
  model::AlertCondition lost;
  lost.kind = K::kRepositoryFinding;
  lost.findings = {model::RepositoryFinding::kMissing, model::RepositoryFinding::kConflict};
  p.alerts.push_back(alert("lost", lost, {"pager"}, model::Severity::kCritical));
  AlertContext c;
  c.repository = must(RepositoryName::parse("s3_prod"));
  c.database = must(DatabaseName::parse("sales"));
  c.label = must(SnapshotLabel::parse("sales_20250907_base"));
  c.finding = model::RepositoryFinding::kPartial;
  EXPECT_TRUE(evaluate(p.name, p.alerts, "r", K::kRepositoryFinding, c, Instant{}).empty()) << "partial not listed";
  c.finding = std::nullopt;
  EXPECT_TRUE(evaluate(p.name, p.alerts, "r", K::kRepositoryFinding, c, Instant{}).empty()) << "no finding";
  c.finding = model::RepositoryFinding::kMissing;
  auto events = evaluate(p.name, p.alerts, "r", K::kRepositoryFinding, c, Instant{});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name.str(), "lost");
  EXPECT_EQ(events[0].summary, "Repository s3_prod: snapshot sales_20250907_base is missing");
  EXPECT_EQ(events[0].labels.repository->str(), "s3_prod");
  EXPECT_EQ(events[0].labels.label->str(), "sales_20250907_base");
  EXPECT_FALSE(events[0].ends_at.has_value());
  EXPECT_EQ(p.alerts.back().when.to_string(), "repository.finding in [missing, conflict]");
}

TEST(AlertDispatcher, RoutesAnAlertToEachOfItsNotifiers) {
  Fixture f;
  AlertDispatcher d = f.make();
  const DispatchReport r = d.dispatch(K::kJobState, failed_job());
  EXPECT_EQ(names(r), std::vector<std::string>{"job_failed"});
  ASSERT_EQ(f.pager->events().size(), 1u);
  ASSERT_EQ(f.chat->events().size(), 1u);
  EXPECT_EQ(f.pager->events()[0].fingerprint(), f.chat->events()[0].fingerprint());
  ASSERT_EQ(r.deliveries.size(), 2u);
  EXPECT_EQ(r.deliveries[0].notifier.str(), "pager");
  EXPECT_EQ(r.deliveries[1].notifier.str(), "chat");
  EXPECT_TRUE(r.all_delivered());
  EXPECT_TRUE(f.warned.empty());
  // An overrun goes to chat only.
  AlertContext c;
  c.elapsed = Duration::from_hours(3);
  c.window = Duration::from_hours(2);
  d.dispatch(K::kOverrun, c);
  EXPECT_EQ(f.pager->events().size(), 1u);
  EXPECT_EQ(f.chat->events().size(), 2u);
}

TEST(AlertDispatcher, IsTheAlertPortTheRuntimeRaisesThrough) {
  Fixture f;
  AlertDispatcher d = f.make();
  AlertPort& port = d;
  port.raise(K::kJobState, failed_job(AlertJobState::failed()));
  ASSERT_EQ(f.pager->events().size(), 1u);
  EXPECT_EQ(f.pager->events()[0].summary, "Job sales_20250914_inc on database sales (tier daily) ended FAILED");
  EXPECT_EQ(f.pager->events()[0].labels.job_id, "10086");
  port.raise(K::kJobState, failed_job(AlertJobState::server(jobs::JobState::kFinished)));
  EXPECT_EQ(f.pager->events().size(), 1u) << "FINISHED is not one of the alert's states";
  EXPECT_TRUE(f.warned.empty());
}

TEST(AlertDispatcher, OneFailingNotifierDoesNotStopTheOtherAndIsReported) {
  Fixture f;
  f.pager->fail_with(fail("alerts.http_status",
                          "POST https://am:<redacted>@am.example.com failed after 4 attempts: HTTP 503")
                         .error());
  AlertDispatcher d = f.make();
  DispatchReport r;
  EXPECT_NO_THROW(r = d.dispatch(K::kJobState, failed_job()));
  EXPECT_EQ(f.chat->events().size(), 1u) << "the healthy notifier still gets the alert";
  ASSERT_EQ(r.deliveries.size(), 2u);
  EXPECT_FALSE(r.deliveries[0].result);
  EXPECT_TRUE(r.deliveries[1].result);
  EXPECT_FALSE(r.all_delivered());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("notifier pager"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("HTTP 503"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("alerts.http_status"), std::string::npos) << r.warnings[0];
  EXPECT_EQ(f.warned, r.warnings);
}

TEST(AlertDispatcher, ThrowingNotifierIsContained) {
  Fixture f;
  f.pager->throw_on_send("sink exploded: password='hunter2'");
  AlertDispatcher d = f.make();
  DispatchReport r;
  EXPECT_NO_THROW(r = d.dispatch(K::kJobState, failed_job()));
  EXPECT_EQ(f.chat->events().size(), 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("sink exploded"), std::string::npos);
  EXPECT_EQ(r.warnings[0].find("hunter2"), std::string::npos) << r.warnings[0];
}

TEST(AlertDispatcher, ThrowingWarningCallbackIsContained) {
  Fixture f;
  f.pager->fail_with(fail("alerts.x", "down").error());
  NotifierSinks sinks;
  sinks.emplace(must(NotifierName::parse("pager")), f.pager);
  sinks.emplace(must(NotifierName::parse("chat")), f.chat);
  AlertDispatcher d(production_policy(), std::move(sinks), f.clock, "run-7",
                    [](std::string) { throw std::runtime_error("logger broken"); });
  DispatchReport r;
  EXPECT_NO_THROW(r = d.dispatch(K::kJobState, failed_job()));
  EXPECT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(f.chat->events().size(), 1u);
}

TEST(AlertDispatcher, MissingOrRejectedNotifierIsAWarningNotAnError) {
  model::Policy p = production_policy();
  p.notifiers.clear();
  p.notifiers.push_back(
      notifier("pager", model::NotifierKind::kWebhook, "http://pager.example.com/hook"));  // no TLS
  p.notifiers.push_back(notifier("chat", model::NotifierKind::kLog, ""));
  std::vector<std::string> log;
  ports::FakeSleeper sleeper;
  NotifierDeps deps;
  deps.sleeper = &sleeper;
  deps.log = [&](std::string l) { log.push_back(std::move(l)); };
  NotifierSinks sinks = make_sinks(p, deps);
  ASSERT_EQ(sinks.size(), 2u);
  EXPECT_FALSE(sinks.at(must(NotifierName::parse("pager"))));
  ports::FakeClock clock;
  AlertDispatcher d(p, std::move(sinks), clock, "run-7");
  const DispatchReport r = d.dispatch(K::kJobState, failed_job());
  EXPECT_EQ(log.size(), 1u) << "the log notifier still gets the alert";
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("alerts.url"), std::string::npos) << r.warnings[0];
  // A notifier name with no sink at all.
  AlertDispatcher bare(p, NotifierSinks{}, clock, "run-7");
  const DispatchReport r2 = bare.dispatch(K::kJobState, failed_job());
  EXPECT_EQ(r2.warnings.size(), 2u);
}

TEST(AlertDispatcher, SameAlertIsDeliveredOncePerRunButFailuresAreRetried) {
  Fixture f;
  AlertDispatcher d = f.make();
  AlertContext c;
  c.label = must(SnapshotLabel::parse("sales_20250914_inc"));
  c.window = Duration::from_hours(2);
  for (int minutes : {121, 125, 130}) {
    c.elapsed = Duration::from_minutes(minutes);
    d.dispatch(K::kOverrun, c);  // the runner raises on every poll
  }
  EXPECT_EQ(f.chat->events().size(), 1u);
  const DispatchReport again = d.dispatch(K::kOverrun, c);
  ASSERT_EQ(again.deliveries.size(), 1u);
  EXPECT_TRUE(again.deliveries[0].duplicate);
  // A resolved event is a different delivery.
  c.resolved_at = Instant::from_unix_seconds(9999);
  d.dispatch(K::kOverrun, c);
  EXPECT_EQ(f.chat->events().size(), 2u);

  Fixture g;
  g.pager->fail_with(fail("alerts.x", "down").error());
  AlertDispatcher d2 = g.make();
  d2.dispatch(K::kJobState, failed_job());
  d2.dispatch(K::kJobState, failed_job());
  EXPECT_EQ(g.pager->events().size(), 2u) << "a failed delivery is tried again";
  EXPECT_EQ(g.chat->events().size(), 1u);
}

TEST(AlertDispatcher, WantsReportsConfiguredKinds) {
  Fixture f;
  AlertDispatcher d = f.make();
  EXPECT_TRUE(d.wants(K::kJobState));
  EXPECT_TRUE(d.wants(K::kDiskFreeBelow));
  EXPECT_FALSE(d.wants(K::kPrecheckFailed));
}

// End to end: the real Alertmanager adapter against the loopback receiver (failing with 503, URL with
// credentials) and a real command notifier; the run continues and the warning is redacted.
TEST(AlertDispatcherEndToEnd, AlertmanagerDownCommandStillRunsWarningRedacted) {
  HttpReceiver receiver;
  receiver.script({}, 503);
  model::Policy p = production_policy();
  p.notifiers.clear();
  p.notifiers.push_back(
      notifier("pager", model::NotifierKind::kAlertmanager,
               "http://am:s3cretPass@127.0.0.1:" + std::to_string(receiver.port()) + "/api/v2/alerts"));
  p.notifiers.push_back(notifier("chat", model::NotifierKind::kCommand, "cat > /dev/null"));
  ports::FakeSleeper sleeper;
  NotifierDeps deps;
  deps.sleeper = &sleeper;
  deps.http.retry.max_attempts = 3;
  ports::FakeClock clock;
  std::vector<std::string> warned;
  AlertDispatcher d(p, make_sinks(p, deps), clock, "run-7", [&](std::string l) { warned.push_back(l); });
  AlertContext c = failed_job();
  c.detail = "CREATE REPOSITORY failed: PROPERTIES(\"aws.s3.secret_key\" = \"wJalrXUtnFEMI\")";
  const DispatchReport r = d.dispatch(K::kJobState, c);
  ASSERT_EQ(r.deliveries.size(), 2u);
  EXPECT_FALSE(r.deliveries[0].result);
  EXPECT_TRUE(r.deliveries[1].result) << r.deliveries[1].result.error().describe();
  EXPECT_EQ(receiver.requests().size(), 3u);
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_EQ(warned[0].find("s3cretPass"), std::string::npos) << warned[0];
  EXPECT_NE(warned[0].find("am:<redacted>@127.0.0.1"), std::string::npos) << warned[0];
  EXPECT_NE(warned[0].find("HTTP 503"), std::string::npos) << warned[0];
  for (const auto& req : receiver.requests()) {
    EXPECT_EQ(req.body.find("wJalrXUtnFEMI"), std::string::npos);
    EXPECT_EQ(json::parse(req.body)[0]["labels"]["alertname"], "job_failed");
  }
}

TEST(AlertDispatcherEndToEnd, ConcurrentRaisesDeliverEachAlertOnce) {
  HttpReceiver receiver;
  model::Policy p = production_policy();
  p.notifiers.clear();
  p.notifiers.push_back(notifier("pager", model::NotifierKind::kAlertmanager, receiver.url()));
  p.notifiers.push_back(notifier("chat", model::NotifierKind::kWebhook, receiver.url("/chat")));
  ports::FakeSleeper sleeper;
  ports::FakeClock clock;
  NotifierDeps deps;
  deps.sleeper = &sleeper;
  AlertDispatcher d(p, make_sinks(p, deps), clock, "run-7");
  std::vector<std::thread> threads;
  std::atomic<int> warnings{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      AlertContext c = failed_job();
      c.database = must(DatabaseName::parse(i % 2 == 0 ? "sales" : "crm"));
      warnings += static_cast<int>(d.dispatch(K::kJobState, c).warnings.size());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(warnings.load(), 0);
  // Two distinct alerts (sales, crm) × two notifiers; the duplicates were suppressed.
  EXPECT_EQ(receiver.requests().size(), 4u);
}

// Issue 13 item 4: the next good run resolves what an earlier run raised, with no state between runs — a
// resolution of every alert of the kind, whatever its condition, with the firing event's identity labels (the
// snapshot label is no Alertmanager label) and endsAt, to the sinks that want resolutions (Alertmanager) only.
TEST(AlertDispatcherResolution, GoesOnlyToAlertmanagerSinksWithTheFiringIdentityAndEndsAt) {
  Fixture f;
  f.pager = std::make_shared<RecordingNotifierSink>("pager", true);
  AlertDispatcher earlier = f.make();
  earlier.raise(K::kJobState, failed_job());
  ASSERT_EQ(f.pager->events().size(), 1u);
  const AlertEvent fired = f.pager->events()[0];
  const std::size_t chat_before = f.chat->events().size();

  f.clock.advance(std::chrono::hours(24));
  AlertDispatcher next = f.make();
  AlertContext good;
  good.database = must(DatabaseName::parse("sales"));
  good.tier = must(TierName::parse("daily"));
  const DispatchReport report = next.dispatch_resolution(K::kJobState, good);
  ASSERT_EQ(f.pager->events().size(), 2u);
  const AlertEvent resolved = f.pager->events()[1];
  EXPECT_EQ(f.chat->events().size(), chat_before) << "a webhook is not told every run that nothing is wrong";
  ASSERT_TRUE(resolved.ends_at.has_value());
  EXPECT_EQ(*resolved.ends_at, f.clock.now());
  const json a = json::parse(alertmanager_payload(fired, ""))[0];
  const json b = json::parse(alertmanager_payload(resolved, ""))[0];
  EXPECT_EQ(a["labels"], b["labels"]) << "Alertmanager resolves by the same label set";
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_TRUE(next.dispatch_resolution(K::kJobState, good).deliveries.at(0).duplicate) << "once per run";

  AlertContext backend;
  backend.backend = 10001;
  next.resolve(K::kDiskFreeBelow, backend);
  EXPECT_EQ(f.pager->events().size(), 2u) << "disk_low notifies only chat, a webhook: nothing resolved";
}

// An Alertmanager this run could not reach is not tried again for resolutions (each would retry with backoff),
// but firing events still are.
TEST(AlertDispatcherResolution, ANotifierThatFailedThisRunGetsNoMoreResolutions) {
  Fixture f;
  f.pager = std::make_shared<RecordingNotifierSink>("pager", true);
  f.pager->fail_with(Error{"alerts.http_transport", "connection refused", {}});
  AlertDispatcher d = f.make();
  d.raise(K::kJobState, failed_job());
  ASSERT_EQ(f.pager->events().size(), 1u);
  AlertContext repo;
  repo.repository = must(RepositoryName::parse("s3_prod"));
  const DispatchReport resolved = d.dispatch_resolution(K::kRepositoryUnreachable, repo);
  EXPECT_TRUE(resolved.deliveries.empty());
  EXPECT_EQ(f.pager->events().size(), 1u) << "not sent";
  d.raise(K::kRepositoryUnreachable, repo);
  EXPECT_EQ(f.pager->events().size(), 2u) << "a firing event is still tried";
}

}  // namespace
}  // namespace sk::alerts
