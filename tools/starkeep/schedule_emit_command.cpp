#include "tools/starkeep/schedule_emit_command.h"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "runtime/schedule_emit/emit.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

namespace se = schedule_emit;
constexpr JsonVersion kVersion{"schedule_emit_version", 1};

// The flags as emit options; a usage error's message otherwise.
Result<se::EmitOptions> options_from(const ScheduleEmitFlags& f, const std::string& policy, Instant from) {
  se::EmitOptions o;
  o.target = *se::parse_target(f.target);  // CLI11 checked the name
  o.from = from;
  o.starkeep_bin = f.starkeep_bin;
  o.env_file = f.env_file;
  o.password_file = f.password_file;
  o.log_dir = f.log_dir;
  o.cron_user = f.cron_user;
  o.image = f.image;
  o.policy_path = !f.policy_path.empty()                        ? f.policy_path
                  : o.target == se::Target::kKubernetes ? std::string("/etc/starkeep/policy/policy.skp")
                                                                : std::filesystem::absolute(policy).string();
  auto expire_at = TimeOfDay::parse(f.expire_at);
  if (!expire_at) return fail(errc::kCliUsage, "--expire-at: {}", expire_at.error().message);
  auto check_at = TimeOfDay::parse(f.check_at);
  if (!check_at) return fail(errc::kCliUsage, "--check-at: {}", check_at.error().message);
  o.expire_at = *expire_at;
  o.check_at = *check_at;
  if (!f.runner_every.empty()) {
    auto every = Duration::parse(f.runner_every);
    if (!every || every->seconds() <= 0 || every->seconds() % 60 != 0) {
      return fail(errc::kCliUsage, "--runner-every '{}': whole minutes, e.g. 15m", f.runner_every);
    }
    o.runner_every_minutes = static_cast<int>(every->seconds() / 60);
  }
  return o;
}

nlohmann::json to_json(const model::Policy& p, const se::EmitOptions& o, const se::Emission& e,
                       const std::vector<se::WrittenFile>& written, const std::string& output) {
  nlohmann::json jobs = nlohmann::json::array(), files = nlohmann::json::array();
  for (const se::JobSpec& j : e.jobs) {
    std::vector<int> success(j.success.begin(), j.success.end());
    jobs.push_back({{"command", j.name}, {"argv", j.argv}, {"cron", j.cron}, {"time_zone", j.zone},
                    {"success_exit_codes", success}});
  }
  for (const se::WrittenFile& w : written) files.push_back({{"path", w.path.string()}, {"replaced", w.replaced}});
  nlohmann::json runner{{"every_minutes", e.cadence.every_minutes}, {"grid_minutes", e.cadence.grid_minutes},
                        {"forced", e.cadence.forced}, {"shortest_window", e.cadence.shortest_window.to_string()}};
  if (e.cadence.shortest_tier) runner["shortest_window_tier"] = e.cadence.shortest_tier->str();
  return {{kVersion.field, kVersion.version}, {"policy", p.name}, {"time_zone", p.time_zone.name()},
          {"target", se::to_string(o.target)}, {"output", output}, {"runner", runner}, {"jobs", jobs},
          {"files", files}};
}

std::string to_text(const model::Policy& p, const se::EmitOptions& o, const se::Emission& e,
                    const std::vector<se::WrittenFile>& written, const std::string& output) {
  std::string text = fmt::format("wrote {} file(s) for {} to {} (policy \"{}\", zone {}):\n", written.size(),
                                 se::to_string(o.target), output, p.name, p.time_zone.name());
  for (const se::WrittenFile& w : written) {
    text += fmt::format("  {}{}\n", w.path.filename().string(), w.replaced ? " (replaced)" : "");
  }
  for (const se::JobSpec& j : e.jobs) text += fmt::format("{}: {}; cron '{}' in {}\n", j.name, j.description, j.cron, j.zone);
  text += fmt::format("runner: every {} min{}: the slots lie on a {}-minute grid, the shortest window is {}\n",
                      e.cadence.every_minutes, e.cadence.forced ? " (--runner-every)" : "", e.cadence.grid_minutes,
                      e.cadence.shortest_window.to_string());
  return text;
}

}  // namespace

void add_schedule_emit_flags(CLI::App& cmd, ScheduleEmitFlags& f) {
  const std::string g = "Scheduler artefacts (--emit)";
  cmd.add_option("--emit", f.target, "Write scheduler artefacts that start run, drill, expire and repository check: "
                 "cron (/etc/cron.d file), systemd (services and timers), kubernetes (batch/v1 CronJobs), airflow "
                 "(a DAG file)")->check(CLI::IsMember({"cron", "systemd", "kubernetes", "airflow"}))->group(g);
  cmd.add_option("--output,-o", f.output, "With --emit: the directory to write into (created when missing)")->group(g);
  cmd.add_flag("--force", f.force, "With --emit: replace files of the same name that starkeep did not generate")
      ->group(g);
  cmd.add_option("--policy-path", f.policy_path, "The policy's path where the scheduler runs (default: --policy made "
                 "absolute; kubernetes: /etc/starkeep/policy/policy.skp, from the ConfigMap starkeep-policy)")->group(g);
  cmd.add_option("--starkeep-bin", f.starkeep_bin, "The starkeep binary's path there")->capture_default_str()->group(g);
  cmd.add_option("--env-file", f.env_file, "cron, systemd: the file with the connection settings (STARKEEP_HOST, ...)")
      ->capture_default_str()->group(g);
  cmd.add_option("--password-file", f.password_file, "systemd: the cluster password, loaded as a credential")
      ->capture_default_str()->group(g);
  cmd.add_option("--log-dir", f.log_dir, "cron: each command appends to DIR/<command>.log")->capture_default_str()
      ->group(g);
  cmd.add_option("--cron-user", f.cron_user, "cron: the user the commands run as")->capture_default_str()->group(g);
  cmd.add_option("--image", f.image, "kubernetes: the container image with starkeep and /bin/sh (required)")->group(g);
  cmd.add_option("--expire-at", f.expire_at, "expire daily at HH:MM in the policy's zone")->capture_default_str()
      ->group(g);
  cmd.add_option("--check-at", f.check_at, "repository check daily at HH:MM in the policy's zone")
      ->capture_default_str()->group(g);
  cmd.add_option("--runner-every", f.runner_every, "Start the runner every N minutes (a divisor of 60, e.g. 15m) "
                 "instead of the cadence derived from the policy; refused when a tier's slot would get no start "
                 "inside its window")->group(g);
}

int run_schedule_emit(const ScheduleEmitFlags& f, const std::string& policy_file, const std::string& from_flag,
                      const std::string& format) {
  Inputs inputs;
  if (int rc = load_inputs(policy_file, "", inputs, std::cerr); rc != kExitOk) return rc;
  const driver::Compilation c = driver::compile(driver::CompileInput{&*inputs.policy, nullptr});
  print_diagnostics(c, inputs, Format::kText, std::cerr, c.has_errors());
  if (c.has_errors()) return kExitErrors;
  const model::Policy& p = *c.policy;
  auto from = parse_instant_flag(from_flag, p.time_zone);
  if (!from) return print_failure("schedule", "--from: " + from.error().message, kExitUsage, format, kVersion);
  auto options = options_from(f, policy_file, *from);
  if (!options) return print_failure("schedule", options.error().message, kExitUsage, format, kVersion);
  auto emission = se::emit(p, *options);
  if (!emission) {
    return print_failure("schedule", emission.error().message, exit_code_for(emission.error()), format, kVersion);
  }
  auto written = se::write_artefacts(f.output, emission->files, f.force);
  if (!written) {
    return print_failure("schedule", written.error().message, exit_code_for(written.error()), format, kVersion);
  }
  std::cout << (format == "json" ? json_text(to_json(p, *options, *emission, *written, f.output), 2) + "\n"
                                 : to_text(p, *options, *emission, *written, f.output));
  return kExitOk;
}

}  // namespace sk::cli
