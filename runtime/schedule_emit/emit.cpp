#include "runtime/schedule_emit/emit.h"

#include <filesystem>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "runtime/schedule_emit/quoting.h"
#include "runtime/schedule_emit/render.h"

namespace sk::schedule_emit {
namespace {

constexpr std::pair<Target, std::string_view> kTargets[] = {
    {Target::kCron, "cron"}, {Target::kSystemd, "systemd"}, {Target::kKubernetes, "kubernetes"},
    {Target::kAirflow, "airflow"}};

Status check_path(std::string_view flag, const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return fail(errc::kScheduleUsage, "{}: '{}' is not an absolute path (the scheduler starts commands from /)", flag,
                path);
  }
  if (find_control(path) != std::string_view::npos) {
    return fail(errc::kScheduleUsage, "{}: the path holds a control character (a newline?), which no scheduler "
                "file can carry", flag);
  }
  return {};
}

Status check_options(const EmitOptions& o) {
  const std::pair<std::string_view, const std::string*> paths[] = {
      {"--policy-path", &o.policy_path}, {"--starkeep-bin", &o.starkeep_bin}, {"--env-file", &o.env_file},
      {"--password-file", &o.password_file}, {"--log-dir", &o.log_dir}};
  for (const auto& [flag, path] : paths) {
    if (auto s = check_path(flag, *path); !s) return s;
  }
  if (o.target == Target::kKubernetes && o.image.empty()) {
    return fail(errc::kScheduleUsage, "--emit kubernetes needs --image (the container image with starkeep in it)");
  }
  if (o.target == Target::kKubernetes && std::filesystem::path(o.policy_path).parent_path() == "/") {
    return fail(errc::kScheduleUsage, "--policy-path {}: in a container the policy is a ConfigMap volume, mounted on a "
                "directory of its own (e.g. /etc/starkeep/policy/policy.skp), never on /", o.policy_path);
  }
  if (find_control(o.image) != std::string_view::npos || o.image.find(' ') != std::string::npos) {
    return fail(errc::kScheduleUsage, "--image: an image reference holds no blank or control character");
  }
  if (o.cron_user.empty() || shell_quote(o.cron_user) != o.cron_user) {
    return fail(errc::kScheduleUsage, "--cron-user '{}': a user name of letters, digits, '_', '.' or '-'",
                o.cron_user);
  }
  return {};
}

// "M1,M2 H1,H2 * * *": every listed minute of every listed hour (a superset when the times differ in both).
std::string daily_cron(const std::vector<TimeOfDay>& times) {
  std::set<int> minutes, hours;
  for (TimeOfDay t : times) {
    minutes.insert(t.minute());
    hours.insert(t.hour());
  }
  return fmt::format("{} {} * * *", fmt::join(minutes, ","), fmt::join(hours, ","));
}

std::string runner_cron(int every_minutes) {
  if (every_minutes == 60) return "0 * * * *";
  if (every_minutes == 1) return "* * * * *";
  return fmt::format("*/{} * * * *", every_minutes);
}

std::string times_text(const std::vector<TimeOfDay>& times) {
  std::vector<std::string> parts;
  for (TimeOfDay t : times) parts.push_back(t.to_string());
  return fmt::format("{}", fmt::join(parts, ", "));
}

JobSpec daily_job(JobKind kind, std::string name, std::vector<std::string> argv, std::vector<ExitCode> success,
                  const ZonedTimes& at, std::string_view what) {
  return JobSpec{kind,
                 std::move(name),
                 fmt::format("{}, daily at {} ({})", what, times_text(at.times), at.zone),
                 std::move(argv),
                 std::move(success),
                 daily_cron(at.times),
                 at.zone,
                 at.times};
}

std::vector<JobSpec> job_specs(const model::Policy& policy, const EmitOptions& o, const RunnerCadence& c,
                               const Horizon& horizon) {
  const std::string& bin = o.starkeep_bin;
  const std::string& p = o.policy_path;
  std::vector<JobSpec> jobs;
  jobs.push_back(JobSpec{JobKind::kRun, "run",
                         fmt::format("take the backups the policy says are due, every {} min (UTC)",
                                     c.every_minutes),
                         {bin, "run", "--policy", p, "--format", "json"},
                         {kExitOk, kExitNothingDue, kExitAlreadyHandled},
                         runner_cron(c.every_minutes),
                         "UTC",
                         {}});
  const std::vector<TimeOfDay> drills = drill_times(policy, horizon);
  if (!drills.empty()) {
    jobs.push_back(daily_job(JobKind::kDrill, "drill", {bin, "drill", "--policy", p, "--format", "json"},
                             {kExitOk, kExitNothingDue}, in_scheduler_zone(policy.time_zone, drills),
                             "run the restore drills that are due"));
  }
  jobs.push_back(daily_job(JobKind::kExpire, "expire", {bin, "expire", "--policy", p, "--format", "json"}, {kExitOk},
                           in_scheduler_zone(policy.time_zone, {o.expire_at}), "expire snapshots past their retention"));
  jobs.push_back(daily_job(JobKind::kRepositoryCheck, "repository-check",
                           {bin, "repository", "check", "--policy", p, "--format", "json"}, {kExitOk},
                           in_scheduler_zone(policy.time_zone, {o.check_at}),
                           "check the repository against the backup history"));
  return jobs;
}

}  // namespace

std::optional<Target> parse_target(std::string_view name) {
  for (const auto& [t, n] : kTargets) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::string_view to_string(Target target) {
  for (const auto& [t, n] : kTargets) {
    if (t == target) return n;
  }
  return "?";
}

Result<Emission> emit(const model::Policy& policy, const EmitOptions& options) {
  if (auto s = check_options(options); !s) return std::unexpected(s.error());
  const Horizon horizon = horizon_from(options.from);
  auto cadence = derive_runner_cadence(policy, horizon, options.runner_every_minutes);
  if (!cadence) return std::unexpected(cadence.error());
  Emission out{*cadence, job_specs(policy, options, *cadence, horizon), {}};
  const detail::RenderInput in{policy, options, out.cadence, out.jobs};
  switch (options.target) {
    case Target::kCron: out.files = detail::render_cron(in); break;
    case Target::kSystemd: out.files = detail::render_systemd(in); break;
    case Target::kKubernetes: out.files = detail::render_kubernetes(in); break;
    case Target::kAirflow: {
      auto files = detail::render_airflow(in);
      if (!files) return std::unexpected(files.error());
      out.files = std::move(*files);
      break;
    }
  }
  return out;
}

}  // namespace sk::schedule_emit
