// AlertEvent: one alert as the notifiers see it (a policy alert whose condition held, with the run's
// context), its dedup fingerprint, and the three wire forms every notifier derives from it: the Alertmanager
// v2 postableAlerts array, the generic starkeep webhook JSON (also the command notifier's stdin), and the
// STARKEEP_ALERT_* variables. docs/alerts.md documents each form. Free text (summary, description) is passed
// through ports::redact() by every serialiser, so a secret that slipped into a server message is never sent
// (invariant 7). Every form bounds the free text first (summary kMaxSummaryBytes, description
// kMaxDescriptionBytes, cut at whitespace with " [truncated]" appended): a server message can be huge, and
// receivers have size limits. Plain values; the functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kernel/domain/names.h"
#include "kernel/domain/time.h"
#include "compiler/model/policy.h"

namespace sk::alerts {

inline constexpr std::size_t kMaxSummaryBytes = 1024;
inline constexpr std::size_t kMaxDescriptionBytes = 16384;

// The run context an event is about. Every field is optional except policy and run_id; an absent field is
// left out of every wire form (Alertmanager treats an empty label as absent anyway).
struct AlertLabels {
  std::string policy;  // the policy's name
  std::string run_id;  // the runner's run id (not identifying: see fingerprint())
  std::optional<DatabaseName> database;
  std::optional<TierName> tier;
  std::optional<SnapshotLabel> label;        // the snapshot label of the job
  std::optional<std::string> job_id;         // the server's JobId (not identifying)
  std::optional<RepositoryName> repository;  // repository.unreachable
  std::optional<std::string> backend;        // snapshot_disk_free: the BE (host or id)
  friend bool operator==(const AlertLabels&, const AlertLabels&) = default;
};

struct AlertEvent {
  AlertName name;
  model::Severity severity = model::Severity::kWarning;
  std::string summary;      // one line
  std::string description;  // detail, may span lines (e.g. the server's error text)
  AlertLabels labels;
  Instant starts_at;
  std::optional<Instant> ends_at;  // set when the condition is known to be over (e.g. a job that ended)

  // Identity of the alert for deduplication: 16 lower-case hex digits of FNV-1a 64 over alert name, policy,
  // database, tier, snapshot label, repository and backend. run_id, job_id, severity, times and text are not
  // part of it, so the same failed job raised twice (or again by the next run) has the same fingerprint, as
  // Alertmanager's label-set identity would have.
  [[nodiscard]] std::string fingerprint() const;
};

// The identifying label set, in the order used everywhere: alertname, severity, policy, database, tier,
// snapshot_label, repository, backend (absent ones omitted). These become the Alertmanager labels.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> identity_labels(const AlertEvent& event);

// The Alertmanager v2 POST /api/v2/alerts body: a JSON array with one postableAlert
//   [{"labels":{"alertname":…,"severity":…,"policy":…,…},
//     "annotations":{"summary":…,"description":…,"run_id":…,"job_id":…,"snapshot_label":…,"fingerprint":…},
// The identity labels without snapshot_label, which is an annotation: Alertmanager identifies an alert by its
// label set, and a failed backup must be resolved by the next good backup of the same database and tier, whose
// label differs (issue 13 item 4).
//     "startsAt":"2025-09-14T01:00:00Z","endsAt":…,"generatorURL":…}]
// endsAt only when known, generatorURL only when non-empty (the schema requires a URI when present).
[[nodiscard]] std::string alertmanager_payload(const AlertEvent& event, const std::string& generator_url);

// The generic webhook / command body (one JSON object, "version":"1"); see docs/alerts.md for the schema.
[[nodiscard]] std::string webhook_payload(const AlertEvent& event);

// STARKEEP_ALERT_NAME, _SEVERITY, _SUMMARY, _DESCRIPTION, _POLICY, _RUN_ID, _DATABASE, _TIER, _LABEL,
// _JOB_ID, _REPOSITORY, _BACKEND, _STARTS_AT, _ENDS_AT, _FINGERPRINT (absent fields: not set), as NAME=value
// pairs. Each value is cut to kMaxEnvValueBytes (at a UTF-8 boundary, "…" appended): the kernel refuses to
// exec with one environment string over 128 KiB, and the complete text is on stdin anyway.
inline constexpr std::size_t kMaxEnvValueBytes = 8192;
[[nodiscard]] std::vector<std::pair<std::string, std::string>> environment(const AlertEvent& event);

}  // namespace sk::alerts
