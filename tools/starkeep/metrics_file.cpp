#include "tools/starkeep/metrics_file.h"

#include <fmt/format.h>

#include <iostream>

#include "runtime/metrics/metrics_service.h"
#include "runtime/metrics/textfile.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {

void add_metrics_file_flag(CLI::App& cmd, std::string& path) {
  cmd.add_option("--metrics-file", path,
                 "After the command, write the policy's metrics (Prometheus text format, docs/metrics.md) to this "
                 "file atomically, for node_exporter's textfile collector (name it *.prom)");
}

int check_metrics_file(const std::string& path, std::string_view command, std::string_view format) {
  if (path.empty()) return kExitOk;
  if (auto s = metrics::check_writable_target(path); !s) {
    return print_failure(command, "--metrics-file: " + s.error().message, exit_code_for(s.error()), format);
  }
  return kExitOk;
}

void write_ops_metrics_file(const std::string& path, std::string_view command, const model::Policy& policy,
                            ports::SqlConnection& connection, const ops::OpsConfig& config, ports::Clock& clock,
                            const std::optional<std::vector<metrics::Sample>>& run_samples) {
  if (path.empty()) return;
  auto text = metrics::render_metrics_file(policy, connection, config, clock, clock.now(), path, run_samples);
  Status written = text ? metrics::write_file_atomically(path, *text) : Status(std::unexpected(text.error()));
  if (!written) {
    std::cerr << fmt::format("starkeep {}: warning: --metrics-file not written (the exit code is unchanged): {}\n",
                             command, written.error().describe());
  }
}

}  // namespace sk::cli
