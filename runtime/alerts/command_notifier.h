// CommandNotifier: runs the policy's command line for each event, as `/bin/sh -c <command>` (the command is
// written by the policy author, like a cron line). The event never enters the command line: the command gets
// webhook_payload(event) on stdin and the STARKEEP_ALERT_* variables (alert_event.h environment()) on top of
// an allowlist of the runner's environment (is_inherited_variable: PATH, HOME, locale, TZ, …; never
// STARKEEP_PASSWORD, S3 or AWS keys); it inherits no other file descriptor than stdin/stdout/stderr. The command runs
// in its own process group; when it is still running at the timeout the whole group is killed with SIGKILL.
// Exit status 0 is success; anything else (non-zero exit, killed by a signal, timeout, fork/exec failure) is
// an error whose message carries the redacted tail of the command's combined stdout/stderr. Thread safety:
// send() may run concurrently (each call has its own child and pipes). SIGPIPE is blocked in the calling
// thread while writing to the child, so a command that does not read its stdin cannot kill the runner.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "runtime/alerts/notifier_sink.h"

namespace sk::alerts {

struct CommandOptions {
  std::chrono::milliseconds timeout{30000};  // wall-clock limit for the whole command
  std::size_t max_output_bytes = 2048;       // output kept for the error message (the tail)
  std::string shell = "/bin/sh";
};

// Whether the command inherits the runner's environment entry "NAME=value": PATH, HOME, USER, LOGNAME, SHELL,
// TMPDIR, LANG, LANGUAGE, TZ and LC_*; nothing else (secrets live in the runner's environment).
[[nodiscard]] bool is_inherited_variable(std::string_view entry);

class CommandNotifier final : public NotifierSink {
 public:
  explicit CommandNotifier(std::string command, CommandOptions options = {});
  // Errors: "alerts.command_failed" (exit status ≠ 0 or killed by a signal), "alerts.command_timeout",
  // "alerts.command_start" (pipe/fork/exec failed; exit status 127 from the shell is reported as failed).
  [[nodiscard]] Status send(const AlertEvent& event) override;
  // "command <program>": the first word of the command line only (arguments may carry tokens), redacted.
  [[nodiscard]] std::string describe() const override;

 private:
  std::string command_;
  CommandOptions options_;
};

}  // namespace sk::alerts
