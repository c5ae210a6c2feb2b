#include "runtime/executor/run_log.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "runtime/ports/redact.h"

namespace sk::executor {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

RunLog::RunLog(std::ostream& out, LogFormat format, LogLevel min_level, ports::Clock& clock)
    : out_(out), format_(format), min_level_(min_level), clock_(clock) {}

void RunLog::set_run_id(std::string run_id) {
  std::lock_guard lock(mutex_);
  run_id_ = std::move(run_id);
}

void RunLog::write(LogLevel level, const LogFields& f, std::string_view message) {
  if (!enabled(level)) return;
  const std::string text = ports::redact(message);
  const std::string time = clock_.now().to_iso8601_utc();
  std::lock_guard lock(mutex_);
  if (format_ == LogFormat::kJson) {
    nlohmann::json j;
    j["time"] = time;
    j["level"] = to_string(level);
    j["run_id"] = run_id_;
    if (!f.event.empty()) j["event"] = f.event;
    if (f.database) j["database"] = *f.database;
    if (f.tier) j["tier"] = *f.tier;
    if (f.label) j["label"] = *f.label;
    if (f.job_id) j["job_id"] = *f.job_id;
    j["message"] = text;
    out_ << json_text(j) << "\n";
  } else {
    // Issue 10 item 20: text lines carry the time too (UTC, the clock's), first, so they sort.
    std::string prefix = fmt::format("{} starkeep run [{}]", time, to_string(level));
    if (f.database) prefix += " " + *f.database;
    if (f.label) prefix += " " + *f.label;
    if (f.job_id) prefix += fmt::format(" job {}", *f.job_id);
    out_ << prefix << ": " << text << "\n";
  }
  out_.flush();
}

void StatementLogSink::on_statement(const ports::StatementEvent& event) {
  if (!log_.enabled(LogLevel::kDebug)) return;
  LogFields f{"sql", database_, std::nullopt, std::nullopt, std::nullopt};
  std::string message = fmt::format("{} ({} ms", event.sql, event.elapsed.count());
  if (event.rows) message += fmt::format(", {} rows", *event.rows);
  if (event.error) message += ", error: " + *event.error;
  message += ")";
  log_.debug(f, message);
}

}  // namespace sk::executor
