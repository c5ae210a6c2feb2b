// The runner's log: human progress lines ("2025-09-14T01:05:00Z starkeep run [info] sales <label> job 17: …") or
// one JSON object per line (time, level, run_id, event, database, tier, label, job_id, message), written to one
// stream (stderr by the CLI); with JSON nothing else is written to that stream. Every SQL statement is logged at debug level through
// StatementLogSink, redacted (invariant 7). Thread-safe: lines from parallel database workers never interleave.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/ports/audited_connection.h"
#include "runtime/ports/clock.h"

namespace sk::executor {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };
[[nodiscard]] std::string_view to_string(LogLevel level);

// Optional fields of one line.
struct LogFields {
  LogFields(std::string event_name = {}, std::optional<std::string> database_name = {},
            std::optional<std::string> label_value = {}, std::optional<std::int64_t> job = {},
            std::optional<std::string> tier_name = {})
      : event(std::move(event_name)), database(std::move(database_name)), label(std::move(label_value)),
        job_id(job), tier(std::move(tier_name)) {}
  std::string event;                  // short machine-readable name: "precheck.failed", "job.submitted", …
  std::optional<std::string> database;
  std::optional<std::string> label;
  std::optional<std::int64_t> job_id;
  std::optional<std::string> tier;
};

class RunLog {
 public:
  // `out` and `clock` must outlive the log.
  RunLog(std::ostream& out, LogFormat format, LogLevel min_level, ports::Clock& clock);
  void set_run_id(std::string run_id);
  // `message` is redacted before it is written.
  void write(LogLevel level, const LogFields& fields, std::string_view message);
  void info(const LogFields& f, std::string_view m) { write(LogLevel::kInfo, f, m); }
  void warn(const LogFields& f, std::string_view m) { write(LogLevel::kWarning, f, m); }
  void error(const LogFields& f, std::string_view m) { write(LogLevel::kError, f, m); }
  void debug(const LogFields& f, std::string_view m) { write(LogLevel::kDebug, f, m); }
  [[nodiscard]] bool enabled(LogLevel level) const { return level >= min_level_; }

 private:
  std::ostream& out_;
  LogFormat format_;
  LogLevel min_level_;
  ports::Clock& clock_;
  std::mutex mutex_;
  std::string run_id_;
};

// Logs every statement (already redacted by AuditedConnection) at debug level, with its outcome.
class StatementLogSink final : public ports::StatementSink {
 public:
  StatementLogSink(RunLog& log, std::optional<std::string> database) : log_(log), database_(std::move(database)) {}
  void on_statement(const ports::StatementEvent& event) override;

 private:
  RunLog& log_;
  std::optional<std::string> database_;
};

}  // namespace sk::executor
