#include "runtime/metrics/metrics_service.h"

#include <fstream>
#include <sstream>

#include "runtime/metrics/disk_metrics.h"
#include "runtime/ops/ops_store.h"

namespace sk::metrics {

Result<OpsHistory> load_ops_history(ports::SqlConnection& connection, const ops::OpsConfig& config,
                                    ports::Clock& clock) {
  ops::OpsStore store(connection, config, clock);
  OpsHistory history;
  auto attempts = store.load_all_attempts();
  if (!attempts) return std::unexpected(std::move(attempts.error()));
  history.attempts = std::move(*attempts);
  auto drills = store.load_restores(ops::RestoreKind::kDrill);
  if (!drills) return std::unexpected(std::move(drills.error()));
  history.drills = std::move(*drills);
  auto runs = store.load_all_runs();
  if (!runs) return std::unexpected(std::move(runs.error()));
  history.runs = std::move(*runs);
  auto expiries = store.load_expiries();
  if (!expiries) return std::unexpected(std::move(expiries.error()));
  history.expiries = std::move(*expiries);
  return history;
}

Result<std::string> render_ops_metrics(const model::Policy& policy, ports::SqlConnection& connection,
                                       const ops::OpsConfig& config, ports::Clock& clock, Instant at,
                                       OutputFormat format) {
  auto history = load_ops_history(connection, config, clock);
  if (!history) return std::unexpected(std::move(history.error()));
  auto samples = ops_samples(policy, *history, at);
  return format == OutputFormat::kJson ? render_json(std::move(samples)) : render_text(std::move(samples));
}

Result<std::string> render_metrics_file(const model::Policy& policy, ports::SqlConnection& connection,
                                        const ops::OpsConfig& config, ports::Clock& clock, Instant at,
                                        const std::filesystem::path& target,
                                        const std::optional<std::vector<Sample>>& run_samples) {
  auto text = render_ops_metrics(policy, connection, config, clock, at, OutputFormat::kText);
  if (!text) return text;
  if (run_samples) {
    if (!run_samples->empty()) *text += render_text(*run_samples);
    return text;
  }
  std::ifstream in(target, std::ios::binary);
  if (!in) return text;
  std::ostringstream existing;
  existing << in.rdbuf();
  *text += lines_of_source(existing.str(), MetricSource::kRunPrecheck);
  return text;
}

}  // namespace sk::metrics
