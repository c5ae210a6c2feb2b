// The `--metrics-file FILE` flag of run, drill and expire (docs/metrics.md): checked before the command does
// anything (a target in a missing directory is exit 73 before the first statement), written after it with the ops
// metrics (runtime/metrics) atomically for node_exporter's textfile collector. A failure to write after the work
// is a warning on stderr and never changes the command's exit code (the work is done; the metrics file's age,
// node_textfile_mtime_seconds, shows it is stale). Not thread-safe (one CLI invocation).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/model/policy.h"
#include "runtime/metrics/exposition.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::cli {

void add_metrics_file_flag(CLI::App& cmd, std::string& path);

// 0 when `path` is empty or can be written, else prints the failure and returns kExitCantCreate.
[[nodiscard]] int check_metrics_file(const std::string& path, std::string_view command, std::string_view format);

// Writes the policy's ops metrics to `path` (nothing when empty), then `run`'s snapshot-disk samples when given,
// else the disk lines the file already has (metrics::render_metrics_file). Warns on stderr on failure.
void write_ops_metrics_file(const std::string& path, std::string_view command, const model::Policy& policy,
                            ports::SqlConnection& connection, const ops::OpsConfig& config, ports::Clock& clock,
                            const std::optional<std::vector<metrics::Sample>>& run_samples = std::nullopt);

}  // namespace sk::cli
