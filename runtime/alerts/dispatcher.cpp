#include "runtime/alerts/dispatcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "runtime/ports/redact.h"

namespace sk::alerts {
namespace {

// "job sales_20250914_inc on database sales (tier daily)", leaving out what is unknown.
std::string job_phrase(const AlertContext& c) {
  std::string out = "job";
  if (c.label) out += " " + c.label->str();
  if (c.database) out += " on database " + c.database->str();
  if (c.tier) out += " (tier " + c.tier->str() + ")";
  return out;
}

std::optional<Duration> overrun_limit(const model::AlertCondition& when, const AlertContext& c) {
  if (when.elapsed_limit) return when.elapsed_limit;
  return c.window;
}

bool matches(const model::AlertCondition& when, AlertKind kind, const AlertContext& c) {
  if (when.kind != kind) return false;
  switch (kind) {
    case AlertKind::kJobState:
      return c.job_state && when.states.contains(std::string(c.job_state->to_string()));
    case AlertKind::kOverrun: {
      const auto limit = overrun_limit(when, c);
      return c.elapsed && limit && *c.elapsed > *limit;
    }
    case AlertKind::kDiskFreeBelow:
      return c.disk_free && when.threshold && *c.disk_free < *when.threshold;
    case AlertKind::kRepositoryUnreachable:
    case AlertKind::kPrecheckFailed:
      return true;
    case AlertKind::kRepositoryFinding:
      return c.finding && when.findings.contains(*c.finding);
  }
  return false;
}

std::string summary_of(const model::AlertCondition& when, AlertKind kind, const AlertContext& c) {
  switch (kind) {
    case AlertKind::kJobState: {
      std::string s = job_phrase(c);
      s[0] = 'J';
      return s + " ended " + std::string(c.job_state ? c.job_state->to_string() : "?");
    }
    case AlertKind::kOverrun: {
      std::string s = job_phrase(c);
      s[0] = 'J';
      const auto limit = overrun_limit(when, c);
      return fmt::format("{} still running after {} (limit {}{})", s,
                         c.elapsed ? c.elapsed->to_string() : "?", limit ? limit->to_string() : "?",
                         when.elapsed_limit ? "" : ", the tier's window");
    }
    case AlertKind::kRepositoryUnreachable:
      return c.repository ? fmt::format("Repository {} is unreachable", c.repository->str())
                          : std::string("Backup repository is unreachable");
    case AlertKind::kDiskFreeBelow:
      return fmt::format(
          "Snapshot disk free space {} is below {}{}", c.disk_free ? c.disk_free->to_string() : "?",
          when.threshold ? when.threshold->to_string() : "?", c.backend ? " on backend " + std::to_string(*c.backend) : "");
    case AlertKind::kPrecheckFailed:
      return c.database ? fmt::format("Pre-checks failed for database {}", c.database->str())
                        : std::string("Pre-checks failed");
    case AlertKind::kRepositoryFinding:
      if (c.finding == model::RepositoryFinding::kTtl) {
        return fmt::format("Repository {}: snapshot {} has a StarRocks ttl that deletes it before its keep horizon",
                           c.repository ? c.repository->str() : "?", c.label ? c.label->str() : "?");
      }
      return fmt::format("Repository {}: snapshot {} is {}", c.repository ? c.repository->str() : "?",
                         c.label ? c.label->str() : "?", c.finding ? model::to_string(*c.finding) : "?");
  }
  return "starkeep alert";
}

// The summary of a resolution: what is well again.
std::string resolved_summary_of(AlertKind kind, const AlertContext& c) {
  switch (kind) {
    case AlertKind::kJobState:
    case AlertKind::kOverrun: {
      std::string s = job_phrase(c);
      s[0] = 'J';
      return s + " finished: resolved";
    }
    case AlertKind::kRepositoryUnreachable:
      return fmt::format("Repository {} answers again: resolved", c.repository ? c.repository->str() : "?");
    case AlertKind::kDiskFreeBelow:
      return fmt::format("Snapshot disk free space{} is above the threshold again: resolved",
                         c.backend ? " on backend " + std::to_string(*c.backend) : "");
    case AlertKind::kPrecheckFailed:
      return "Pre-checks pass again: resolved";
    case AlertKind::kRepositoryFinding:
      return "Repository finding cleared: resolved";
  }
  return "starkeep alert resolved";
}

std::string description_of(const model::Alert& alert, const std::string& policy_name,
                           const std::string& run_id, const AlertContext& c) {
  std::string out;
  if (!c.detail.empty()) out = c.detail + "\n";
  out += fmt::format("alert {} (when {}) in policy {}, run {}", alert.name.str(), alert.when.to_string(),
                     policy_name, run_id);
  if (c.job_id) out += ", server job id " + std::to_string(c.job_id->value());
  return out;
}

std::string key_of(const AlertEvent& event, const NotifierName& notifier) {
  return fmt::format("{}/{}/{}", event.fingerprint(), event.ends_at ? "resolved" : "firing", notifier.str());
}

}  // namespace

std::string describe(const Delivery& d) {
  return fmt::format("alert {} → {} ({}): {}", d.alert.str(), d.notifier.str(), d.target,
                     d.duplicate ? "duplicate, not sent"
                     : d.result  ? "delivered"
                                 : d.result.error().message);
}

Result<std::shared_ptr<NotifierSink>> make_sink(const model::Notifier& notifier, const NotifierDeps& deps) {
  switch (notifier.kind) {
    case model::NotifierKind::kAlertmanager:
    case model::NotifierKind::kWebhook: {
      auto target = HttpTarget::parse(notifier.target);
      if (!target) {
        return std::unexpected(std::move(target.error()).with_context("notifier " + notifier.name.str()));
      }
      if (deps.sleeper == nullptr) {
        return fail("alerts.config", "notifier {}: no sleeper for HTTP retries", notifier.name.str());
      }
      if (notifier.kind == model::NotifierKind::kAlertmanager) {
        return std::make_shared<AlertmanagerNotifier>(*target, *deps.sleeper, deps.http, deps.generator_url);
      }
      return std::make_shared<WebhookNotifier>(*target, *deps.sleeper, deps.http);
    }
    case model::NotifierKind::kCommand:
      if (notifier.target.find_first_not_of(" \t\n") == std::string::npos) {
        return fail("alerts.config", "notifier {}: empty command", notifier.name.str());
      }
      return std::make_shared<CommandNotifier>(notifier.target, deps.command);
    case model::NotifierKind::kLog:
      if (!deps.log) return fail("alerts.config", "notifier {}: no log sink", notifier.name.str());
      return std::make_shared<LogNotifier>(deps.log);
  }
  return fail("alerts.config", "notifier {}: unknown kind", notifier.name.str());
}

NotifierSinks make_sinks(const model::Policy& policy, const NotifierDeps& deps) {
  NotifierSinks sinks;
  for (const model::Notifier& n : policy.notifiers) sinks.insert_or_assign(n.name, make_sink(n, deps));
  return sinks;
}

namespace {

// The identity of an alert: a firing and its resolution carry the same labels (the resolution has no job id).
AlertLabels labels_of(const std::string& policy_name, const std::string& run_id, const AlertContext& context) {
  return AlertLabels{
      .policy = policy_name,
      .run_id = run_id,
      .database = context.database,
      .tier = context.tier,
      .label = context.label,
      .job_id = context.job_id ? std::optional(std::to_string(context.job_id->value())) : std::nullopt,
      .repository = context.repository,
      .backend = context.backend ? std::optional(std::to_string(*context.backend)) : std::nullopt};
}

std::optional<AlertEvent> evaluate_one(const model::Alert& alert, const std::string& policy_name,
                                       const std::string& run_id, AlertKind kind, const AlertContext& context,
                                       Instant now) {
  if (!matches(alert.when, kind, context)) return std::nullopt;
  return AlertEvent{
      .name = alert.name,
      .severity = alert.severity,
      .summary = summary_of(alert.when, kind, context),
      .description = description_of(alert, policy_name, run_id, context),
      .labels = labels_of(policy_name, run_id, context),
      .starts_at = context.started_at.value_or(now),
      .ends_at = context.resolved_at,
  };
}

AlertEvent resolution_of(const model::Alert& alert, const std::string& policy_name, const std::string& run_id,
                         AlertKind kind, const AlertContext& context, Instant now) {
  AlertContext c = context;
  c.detail = "The condition is over.";
  c.job_id.reset();
  return AlertEvent{
      .name = alert.name,
      .severity = alert.severity,
      .summary = resolved_summary_of(kind, c),
      .description = description_of(alert, policy_name, run_id, c),
      .labels = labels_of(policy_name, run_id, c),
      .starts_at = c.started_at.value_or(now),
      .ends_at = c.resolved_at.value_or(now),
  };
}

}  // namespace

std::vector<AlertEvent> evaluate(const std::string& policy_name, const std::vector<model::Alert>& alerts,
                                 const std::string& run_id, AlertKind kind, const AlertContext& context,
                                 Instant now) {
  std::vector<AlertEvent> events;
  for (const model::Alert& alert : alerts) {
    if (auto e = evaluate_one(alert, policy_name, run_id, kind, context, now))
      events.push_back(std::move(*e));
  }
  return events;
}

AlertDispatcher::AlertDispatcher(const model::Policy& policy, NotifierSinks sinks, ports::Clock& clock,
                                 std::string run_id, LineSink warn)
    : policy_name_(policy.name),
      alerts_(policy.alerts),
      sinks_(std::move(sinks)),
      clock_(clock),
      run_id_(std::move(run_id)),
      warn_(std::move(warn)) {}

bool AlertDispatcher::failed_before(const NotifierName& name) {
  const std::lock_guard lock(mutex_);
  return failed_.contains(name);
}

bool AlertDispatcher::wants(AlertKind kind) const {
  return std::any_of(alerts_.begin(), alerts_.end(),
                     [&](const model::Alert& a) { return a.when.kind == kind; });
}

void AlertDispatcher::warn(DispatchReport& report, std::string line) {
  line = ports::redact(line);
  report.warnings.push_back(line);
  if (!warn_) return;
  try {
    warn_(std::move(line));
  } catch (...) {
    // The warning is in the report; a failing logger must not change the run either.
  }
}

void AlertDispatcher::deliver(const model::Alert& alert, const AlertEvent& event, DispatchReport& report,
                              bool resolution) {
  for (const NotifierName& name : alert.notify) {
    Delivery d{.alert = alert.name, .notifier = name, .target = "unavailable", .result = ok()};
    const auto it = sinks_.find(name);
    if (resolution && (it == sinks_.end() || !it->second || *it->second == nullptr ||
                       !(*it->second)->wants_resolutions() || failed_before(name))) {
      continue;
    }
    if (it == sinks_.end()) {
      d.result = fail("alerts.config", "notifier {} is not configured", name.str());
    } else if (!it->second) {
      d.result = std::unexpected(it->second.error());
    } else if (*it->second == nullptr) {
      d.result = fail("alerts.config", "notifier {} has no sink", name.str());
    } else {
      NotifierSink& sink = **it->second;
      const std::string key = key_of(event, name);
      bool first = false;
      {
        const std::lock_guard lock(mutex_);
        first = delivered_.insert(key).second;
      }
      try {
        d.target = sink.describe();
      } catch (...) {
        d.target = "(describe failed)";
      }
      if (!first) {
        d.duplicate = true;
      } else {
        try {
          d.result = sink.send(event);
        } catch (const std::exception& e) {
          d.result = fail("alerts.internal", "notifier threw: {}", e.what());
        } catch (...) {
          d.result = fail("alerts.internal", "notifier threw a non-standard exception");
        }
        if (!d.result) {
          const std::lock_guard lock(mutex_);
          delivered_.erase(key);  // not delivered: a later raise may try again
          failed_.insert(name);   // but no resolution will (see "Resolution" in the header)
        }
      }
    }
    if (!d.result) {
      warn(report, fmt::format("alert {} ({}): notifier {} [{}] failed: {} [{}]", alert.name.str(),
                               event.fingerprint(), name.str(), d.target, d.result.error().describe(),
                               d.result.error().code));
    }
    report.deliveries.push_back(std::move(d));
  }
}

DispatchReport AlertDispatcher::dispatch(AlertKind kind, const AlertContext& context) noexcept {
  return dispatch_each(
      [&](const model::Alert& alert, Instant now) {
        return evaluate_one(alert, policy_name_, run_id_, kind, context, now);
      },
      false);
}

DispatchReport AlertDispatcher::dispatch_resolution(AlertKind kind, const AlertContext& context) noexcept {
  return dispatch_each(
      [&](const model::Alert& alert, Instant now) -> std::optional<AlertEvent> {
        if (alert.when.kind != kind) return std::nullopt;
        return resolution_of(alert, policy_name_, run_id_, kind, context, now);
      },
      true);
}

template <typename MakeEvent>
DispatchReport AlertDispatcher::dispatch_each(MakeEvent make_event, bool resolution) noexcept {
  DispatchReport report;
  try {
    const Instant now = clock_.now();
    for (const model::Alert& alert : alerts_) {
      auto event = make_event(alert, now);
      if (!event) continue;
      report.events.push_back(std::move(*event));
      deliver(alert, report.events.back(), report, resolution);
    }
  } catch (const std::exception& e) {
    try {
      warn(report, fmt::format("alert dispatch failed: {}", e.what()));
    } catch (...) {
    }
  } catch (...) {
    try {
      warn(report, "alert dispatch failed: non-standard exception");
    } catch (...) {
    }
  }
  return report;
}

}  // namespace sk::alerts
