// The header, the exit-code mapping, and the two host schedulers: an /etc/cron.d file and systemd units.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "runtime/schedule_emit/quoting.h"
#include "runtime/schedule_emit/render.h"

namespace sk::schedule_emit::detail {
namespace {

// The policy's name inside a comment: printable, one line.
std::string comment_safe(std::string_view text) {
  std::string out;
  for (char c : text) out += find_control(std::string_view(&c, 1)) == std::string_view::npos ? c : '?';
  return out;
}

bool is_runner(const JobSpec& job) { return job.kind == JobKind::kRun; }

std::string runner_on_calendar(int every_minutes) {
  if (every_minutes == 60) return "*-*-* *:00:00 UTC";
  if (every_minutes == 1) return "*-*-* *:*:00 UTC";
  return fmt::format("*-*-* *:00/{}:00 UTC", every_minutes);
}

std::string service_unit(const RenderInput& in, const JobSpec& job) {
  const EmitOptions& o = in.options;
  std::vector<std::string> words;
  for (const std::string& a : job.argv) words.push_back(systemd_word(a));
  std::vector<int> extra;
  for (ExitCode c : job.success) {
    if (c != kExitOk) extra.push_back(static_cast<int>(c));
  }
  std::string text = header(in);
  text += fmt::format("# starkeep {}: {}.\n# {}; any other fails the unit (alert on failed units).\n",
                      command_words(job), job.description, success_sentence(job));
  text += fmt::format("[Unit]\nDescription={}\nDocumentation=file:/usr/share/doc/starkeep/operations.md\n"
                      "Wants=network-online.target\nAfter=network-online.target{}\n\n",
                      systemd_value("starkeep " + command_words(job) + ": " + job.description),
                      job.kind == JobKind::kRepositoryCheck ? " starkeep-expire.service" : "");
  text += fmt::format("[Service]\nType=oneshot\nDynamicUser=yes\nEnvironmentFile={}\nLoadCredential=password:{}\n"
                      "Environment=STARKEEP_PASSWORD_FILE=%d/password\nExecStart={}\n",
                      systemd_value(o.env_file), systemd_value(o.password_file), fmt::join(words, " "));
  if (!extra.empty()) text += fmt::format("SuccessExitStatus={}\n", fmt::join(extra, " "));
  text += "# SIGTERM lets the command record what it knows (it exits 130); the next run reconciles either way.\n"
          "KillSignal=SIGTERM\nTimeoutStopSec=30\n";
  return text;
}

std::string timer_unit(const RenderInput& in, const JobSpec& job) {
  std::string text = header(in);
  std::string calendar;
  if (is_runner(job)) {
    text += in.cadence.forced
                ? fmt::format("# Every {} min (--runner-every): checked to start inside every tier's window after its "
                              "slot.\n",
                              in.cadence.every_minutes)
                : fmt::format("# Every {} min, at the same instants in UTC and in the policy's zone: every tier's slot "
                              "is a start, and every window ({} the shortest) holds a second one.\n",
                              in.cadence.every_minutes, in.cadence.shortest_window.to_string());
    calendar = fmt::format("OnCalendar={}\n", runner_on_calendar(in.cadence.every_minutes));
  } else {
    for (TimeOfDay t : job.daily) calendar += fmt::format("OnCalendar=*-*-* {}:00 {}\n", t.to_string(), job.zone);
  }
  text += fmt::format("[Unit]\nDescription={}\nDocumentation=file:/usr/share/doc/starkeep/operations.md\n\n",
                      systemd_value("starkeep " + command_words(job) + " timer"));
  text += fmt::format("[Timer]\n{}AccuracySec=1s\n# A start missed while the machine was off is made at boot.\n"
                      "Persistent=true\n\n[Install]\nWantedBy=timers.target\n",
                      calendar);
  return text;
}

}  // namespace

std::string header(const RenderInput& in) {
  return fmt::format("# {} {}` from policy \"{}\"; regenerate it rather than edit it (docs/operations.md, "
                     "\"Scheduling\").\n",
                     kGeneratedMarker, to_string(in.options.target), comment_safe(in.policy.name));
}

std::string success_text(const JobSpec& job) {
  std::vector<int> codes(job.success.begin(), job.success.end());
  if (codes.size() == 1) return fmt::format("{}", codes.front());
  const int last = codes.back();
  codes.pop_back();
  return fmt::format("{} and {}", fmt::join(codes, ", "), last);
}

std::string success_sentence(const JobSpec& job) {
  return fmt::format("Exit code{} {} {} success", job.success.size() == 1 ? "" : "s", success_text(job),
                     job.success.size() == 1 ? "is" : "are");
}

std::string command_words(const JobSpec& job) {
  std::string words = job.name;
  std::replace(words.begin(), words.end(), '-', ' ');
  return words;
}

std::string success_pattern(const JobSpec& job) {
  std::vector<int> codes(job.success.begin(), job.success.end());
  return fmt::format("{}", fmt::join(codes, "|"));
}

std::string mapped_sh(const JobSpec& job) {
  return fmt::format("{}; rc=$?; case $rc in {}) exit 0 ;; *) exit $rc ;; esac", shell_command(job.argv),
                     success_pattern(job));
}

std::vector<Artefact> render_cron(const RenderInput& in) {
  const EmitOptions& o = in.options;
  std::string zone = "UTC";
  for (const JobSpec& job : in.jobs) {
    if (!is_runner(job)) zone = job.zone;
  }
  std::string text = header(in);
  text += fmt::format(
      "# For /etc/cron.d/. Debian's cron reads every line in the host's time zone and has no per-file zone: run it "
      "in {}.\n# The runner's line starts at the same instants in UTC and in {}.\n"
      "# Each command reads the connection settings from {} and appends its output to {}/<command>.log;\n"
      "# an exit code that is not success is sent to syslog (logger -p user.err -t starkeep): alert on it.\n"
      "SHELL=/bin/sh\nPATH=/usr/local/bin:/usr/bin:/bin\n",
      zone, in.policy.time_zone.name(), comment_safe(o.env_file), comment_safe(o.log_dir));
  for (const JobSpec& job : in.jobs) {
    const std::string log = shell_quote(o.log_dir + "/" + job.name + ".log");
    const std::string command = fmt::format(
        "set -a; . {}; set +a; {} >>{} 2>&1; rc=$?; case $rc in {}) ;; *) logger -p user.err -t starkeep "
        "\"{} exited $rc\" ;; esac",
        shell_quote(o.env_file), shell_command(job.argv), log, success_pattern(job), job.name);
    text += fmt::format("\n# {}: {}. Success: exit {}.\n{} {} {}\n", job.name, job.description, success_text(job),
                        job.cron, o.cron_user, cron_escape(command));
  }
  return {Artefact{"starkeep", text}};
}

std::vector<Artefact> render_systemd(const RenderInput& in) {
  std::vector<Artefact> files;
  for (const JobSpec& job : in.jobs) {
    files.push_back(Artefact{"starkeep-" + job.name + ".service", service_unit(in, job)});
    files.push_back(Artefact{"starkeep-" + job.name + ".timer", timer_unit(in, job)});
  }
  return files;
}

}  // namespace sk::schedule_emit::detail
