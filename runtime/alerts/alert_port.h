// AlertPort: how the runtime (runner, catalog publication after a run, drills) reports an alert condition it
// observed — the kind (model::AlertCondition::Kind) and a typed AlertContext — without knowing the policy's
// alerts or how they are delivered. The production implementation is the policy's AlertDispatcher
// (runtime/alerts/dispatcher.h, behind run_service's logging adapter); tests use RecordingAlertPort
// (runtime/alerts/recording_alert_port.h). Target sk_alert_port: no libcurl, no I/O, so the runner depends on
// it alone.
//
// Contract of raise(): must be thread-safe (the runner raises from worker threads), must not throw, and must
// never change the caller's outcome: a delivery failure is the implementation's business (warnings), never
// the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/model/policy.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/time.h"
#include "runtime/jobs/job_state.h"

namespace sk::alerts {

using AlertKind = model::AlertCondition::Kind;

// The state a kJobState alert reports, as a policy spells it (`job.state in [CANCELLED, FAILED]`): a state
// the server printed (jobs::JobState, e.g. kCancelled), or FAILED — starkeep's word for a job that failed on
// our side, which the server never reports (BACKUP refused, catalog snapshot not published, restore drill
// failed).
class AlertJobState {
 public:
  [[nodiscard]] static constexpr AlertJobState server(jobs::JobState state) { return AlertJobState(state); }
  [[nodiscard]] static constexpr AlertJobState failed() { return AlertJobState(std::nullopt); }
  // The server's state; nullopt for FAILED.
  [[nodiscard]] constexpr std::optional<jobs::JobState> server_state() const { return server_; }
  // "CANCELLED", "FAILED", … (upper case, as the policy's `job.state in [...]` holds them).
  [[nodiscard]] std::string_view to_string() const {
    return server_ ? jobs::to_string(*server_) : std::string_view("FAILED");
  }
  constexpr bool operator==(const AlertJobState&) const = default;

 private:
  constexpr explicit AlertJobState(std::optional<jobs::JobState> server) : server_(server) {}
  std::optional<jobs::JobState> server_;
};

// What the caller knows when it raises an alert kind. Fill what applies; absent fields are left out.
struct AlertContext {
  std::optional<DatabaseName> database;
  std::optional<TierName> tier;
  std::optional<SnapshotLabel> label;
  std::optional<jobs::JobId> job_id;  // the server's job id
  std::optional<RepositoryName> repository;
  std::optional<std::int64_t> backend;     // kDiskFreeBelow: the BackendId whose snapshot disk is low
  std::optional<AlertJobState> job_state;  // kJobState: CANCELLED, FAILED, …
  std::optional<Duration> elapsed;         // kOverrun: how long the job has been running
  std::optional<Duration> window;          // kOverrun: the tier's window (for `job.elapsed > tier.window`)
  std::optional<Percent> disk_free;        // kDiskFreeBelow: the observed free space
  std::optional<model::RepositoryFinding> finding;  // kRepositoryFinding: what `repository check` found
  std::string detail;  // free text (server Status / TaskErrMsg, error message); redacted on send
  std::optional<Instant> started_at;  // when the condition began; default: the clock's now()
  // Only when the condition is known to be over. Alertmanager treats an alert whose endsAt has passed as
  // resolved (it may never page), so a failed job is raised without it.
  std::optional<Instant> resolved_at;
};

// The port. See the contract at the top of the file.
class AlertPort {
 public:
  virtual ~AlertPort() = default;
  virtual void raise(AlertKind kind, const AlertContext& context) noexcept = 0;
  // The condition `kind` is known to be over for what `context` names (the repository answered, the backend's
  // disks are above the threshold, the database's tier backed up, the pre-checks passed). Only notifiers that
  // keep alert state (Alertmanager, which drops a resolution of an alert it never had) hear of it; the default
  // does nothing. Same contract as raise().
  virtual void resolve(AlertKind kind, const AlertContext& context) noexcept {
    (void)kind;
    (void)context;
  }
};

}  // namespace sk::alerts
