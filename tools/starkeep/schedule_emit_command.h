// `starkeep schedule --emit cron|systemd|kubernetes|airflow --output DIR`: the flags of the emitter, added to the
// `schedule` subcommand, and the thin run that calls runtime/schedule_emit and prints what it wrote.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

namespace sk::cli {

struct ScheduleEmitFlags {
  std::string target;  // empty: no --emit (the firings listing)
  std::string output;
  bool force = false;
  std::string policy_path, starkeep_bin = "/usr/bin/starkeep", env_file = "/etc/starkeep/env";
  std::string password_file = "/etc/starkeep/password", log_dir = "/var/log/starkeep", cron_user = "starkeep";
  std::string image, expire_at = "09:30", check_at = "09:45", runner_every;
};

void add_schedule_emit_flags(CLI::App& cmd, ScheduleEmitFlags& flags);

// Runs the emitter for `policy` (the file to compile) from `from` ("now" or an instant); returns the exit code.
[[nodiscard]] int run_schedule_emit(const ScheduleEmitFlags& flags, const std::string& policy, const std::string& from,
                                    const std::string& format);

}  // namespace sk::cli
