// AlertDispatcher: turns what the runtime observed (raise(kind, context), the AlertPort of alert_port.h) into AlertEvents for the policy's
// matching alerts and delivers each to the alert's notifiers. Its contract is that alerting never changes the
// outcome of a run: raise() never throws and never aborts; every notifier failure (including a notifier whose
// URL was rejected when the dispatcher was built, or a sink that throws) comes back as a redacted warning
// line in the DispatchReport and is also handed to the warning callback. The caller logs the warnings and
// carries on.
//
// Matching (the dispatcher, not the runner, evaluates the policy's conditions):
//   kJobState               context.job_state (printed: CANCELLED, FAILED, …) is one of the alert's states;
//   kOverrun                context.elapsed > the alert's limit (job.elapsed > 18h) or, for > tier.window,
//                           > context.window (no match when the needed value is absent);
//   kDiskFreeBelow          context.disk_free < the alert's threshold;
//   kRepositoryFinding      context.finding (missing, partial, …) is one of the alert's findings;
//   kRepositoryUnreachable, kPrecheckFailed: always.
// So the runner may raise kOverrun on every poll with the current elapsed time: nothing is sent until the
// limit is passed, and then once (see dedup).
//
// Resolution (resolve(kind, context), dispatch_resolution()): for every alert of the policy with that kind,
// whatever its condition, an event with the same identity labels as the firing one (alertname, severity, policy
// and what the context names) and ends_at = now, sent only to sinks that want resolutions (Alertmanager, which
// ignores the resolution of an alert it never had): so the next good run resolves what an earlier one raised,
// without any state kept between runs. A notifier that is unavailable is skipped silently (its firing events
// report it), and so is one a delivery of this dispatcher already failed to reach: a run resolves many things
// (every backend, repository and database), and retrying each against an Alertmanager that is down would make a
// good run wait minutes for nothing (Alertmanager ends an alert itself after its resolve_timeout).
//
// Dedup: an event is delivered to a notifier at most once per dispatcher (= per run) for the same fingerprint
// and status (firing / resolved); later raises report it as a duplicate without sending. A failed delivery is
// not remembered, so the next raise tries again.
//
// Thread safety: raise() may be called from several threads at once; deliveries of one raise() run in order,
// one notifier after the other (each bounded by its adapter's timeouts).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/time.h"
#include "compiler/model/policy.h"
#include "runtime/alerts/alert_port.h"
#include "runtime/alerts/command_notifier.h"
#include "runtime/alerts/http_notifier.h"
#include "runtime/alerts/log_notifier.h"
#include "runtime/alerts/notifier_sink.h"
#include "runtime/ports/clock.h"

namespace sk::alerts {

struct Delivery {
  AlertName alert;
  NotifierName notifier;
  std::string target;      // the sink's describe() (redacted), or "unavailable"
  Status result;           // the sink's result (errors already redacted)
  bool duplicate = false;  // not sent: already delivered in this run
};

// "alert <name> → <notifier> (<target>): delivered" (or "duplicate, not sent", or the error): one line per delivery,
// as drill and repository check print them.
[[nodiscard]] std::string describe(const Delivery& delivery);

struct DispatchReport {
  std::vector<AlertEvent> events;     // the alerts whose condition held, in policy order
  std::vector<Delivery> deliveries;   // one per (event, notifier), in order
  std::vector<std::string> warnings;  // one redacted line per failed delivery
  [[nodiscard]] bool all_delivered() const { return warnings.empty(); }
};

// A sink per policy notifier name; a notifier whose sink could not be built maps to that error.
using NotifierSinks = std::map<NotifierName, Result<std::shared_ptr<NotifierSink>>>;

// What the production adapters need. `sleeper` must outlive the sinks.
struct NotifierDeps {
  ports::Sleeper* sleeper = nullptr;  // required for webhook and alertmanager notifiers
  LineSink log;                       // the runner's log, for `log = true` notifiers
  HttpOptions http;
  CommandOptions command;
  std::string generator_url;  // Alertmanager generatorURL (may be empty)
};

// The adapter for one notifier. Errors: "alerts.url" (rejected webhook URL), "alerts.config" (missing deps).
[[nodiscard]] Result<std::shared_ptr<NotifierSink>> make_sink(const model::Notifier& notifier,
                                                              const NotifierDeps& deps);
[[nodiscard]] NotifierSinks make_sinks(const model::Policy& policy, const NotifierDeps& deps);

// The events a raise() would produce for the policy's alerts (pure; used by raise() and by tests). Summary
// and description are built from the context (see docs/alerts.md); nothing is redacted here (serialisers do
// it).
[[nodiscard]] std::vector<AlertEvent> evaluate(const std::string& policy_name,
                                               const std::vector<model::Alert>& alerts,
                                               const std::string& run_id, AlertKind kind,
                                               const AlertContext& context, Instant now);

// The production AlertPort: raise() dispatches and drops the report (its warnings already went to `warn`);
// dispatch() is the same and returns the report (drills show each delivery).
class AlertDispatcher final : public AlertPort {
 public:
  // Copies what it needs from `policy`. `clock` must outlive the dispatcher. `warn` (may be empty) receives
  // each warning line as it happens; it is called with no lock held and may be called from several threads.
  AlertDispatcher(const model::Policy& policy, NotifierSinks sinks, ports::Clock& clock, std::string run_id,
                  LineSink warn = {});

  // See the contract at the top of the file. Never throws.
  DispatchReport dispatch(AlertKind kind, const AlertContext& context) noexcept;
  void raise(AlertKind kind, const AlertContext& context) noexcept override { (void)dispatch(kind, context); }
  // See "Resolution" above. Never throws.
  DispatchReport dispatch_resolution(AlertKind kind, const AlertContext& context) noexcept;
  void resolve(AlertKind kind, const AlertContext& context) noexcept override {
    (void)dispatch_resolution(kind, context);
  }

  // Whether any alert of the policy has this kind (lets the runner skip building a context).
  [[nodiscard]] bool wants(AlertKind kind) const;

 private:
  void deliver(const model::Alert& alert, const AlertEvent& event, DispatchReport& report, bool resolution = false);
  template <typename MakeEvent>
  DispatchReport dispatch_each(MakeEvent make_event, bool resolution) noexcept;
  void warn(DispatchReport& report, std::string line);
  bool failed_before(const NotifierName& name);

  std::string policy_name_;
  std::vector<model::Alert> alerts_;
  NotifierSinks sinks_;
  ports::Clock& clock_;
  std::string run_id_;
  LineSink warn_;
  std::mutex mutex_;
  std::set<std::string> delivered_;  // fingerprint/status/notifier, for dedup (guarded by mutex_)
  std::set<NotifierName> failed_;    // notifiers a delivery failed to reach (guarded by mutex_)
};

}  // namespace sk::alerts
