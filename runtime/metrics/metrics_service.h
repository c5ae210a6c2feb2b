// The service behind `starkeep metrics` and the `--metrics-file` flag of run, drill and expire: the ops rows the
// metrics need, read through runtime/ops (four queries, whatever the history's size: backup_history,
// restore_history's drills, run_status, snapshot_expiry), turned into samples (ops_metrics.h) and rendered
// (exposition.h). Reads only; never migrates the ops schema. Errors: the store's ("sql.*" with context).
// Not thread-safe (one connection).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/metrics/ops_metrics.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::metrics {

[[nodiscard]] Result<OpsHistory> load_ops_history(ports::SqlConnection& connection, const ops::OpsConfig& config,
                                                  ports::Clock& clock);

enum class OutputFormat { kText, kJson };

// The ops metrics of `policy` at `at`, rendered as exposition text or JSON.
[[nodiscard]] Result<std::string> render_ops_metrics(const model::Policy& policy, ports::SqlConnection& connection,
                                                     const ops::OpsConfig& config, ports::Clock& clock, Instant at,
                                                     OutputFormat format = OutputFormat::kText);

// The content of a shared `--metrics-file` (`target`): the ops metrics in text form, followed by the kRunPrecheck
// families — `run_samples` when the writer is a `starkeep run` whose pre-check read the disks, otherwise
// (nullopt) the kRunPrecheck lines of the target's current content, carried over
// unchanged so that drill and expire do not erase the newest run's disk reading. An unreadable or absent target
// carries nothing over.
[[nodiscard]] Result<std::string> render_metrics_file(const model::Policy& policy, ports::SqlConnection& connection,
                                                      const ops::OpsConfig& config, ports::Clock& clock, Instant at,
                                                      const std::filesystem::path& target,
                                                      const std::optional<std::vector<Sample>>& run_samples);

}  // namespace sk::metrics
