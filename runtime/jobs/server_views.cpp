#include "runtime/executor/server_views.h"

#include <cctype>
#include <charconv>

namespace sk::executor {
namespace {

// The cell as text; NULL (or a missing column) reads as "".
std::string cell(const ports::Rows& rows, std::size_t i, std::string_view column) {
  auto v = rows.get(i, column);
  if (!v || !*v) return {};
  return std::string(**v);
}

}  // namespace

std::string ServerBackupJob::error_text() const {
  std::string out = status;
  if (!task_err_msg.empty()) out += (out.empty() ? "" : " ") + std::string("TaskErrMsg: ") + task_err_msg;
  return out;
}

Result<std::vector<ServerBackupJob>> parse_show_backup(const ports::Rows& rows) {
  const std::string_view label_column = rows.has_column("SnapshotName") ? "SnapshotName" : "Label";
  for (std::string_view c : {label_column, std::string_view("State"), std::string_view("DbName")}) {
    if (auto idx = rows.column(c); !idx) return std::unexpected(idx.error());
  }
  std::vector<ServerBackupJob> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ServerBackupJob job;
    if (rows.has_column("JobId")) {
      auto id = rows.get_int(i, "JobId");
      if (!id) return std::unexpected(id.error());
      if (*id && **id >= 0) job.job_id = **id;
    }
    job.label = cell(rows, i, label_column);
    job.database = cell(rows, i, "DbName");
    job.state = cell(rows, i, "State");
    if (rows.has_column("CreateTime")) {
      auto v = rows.get(i, "CreateTime");
      if (v && *v && !(*v)->empty()) job.create_time = std::string(**v);
    }
    if (rows.has_column("FinishedTime")) {
      auto v = rows.get(i, "FinishedTime");
      if (v && *v && !(*v)->empty()) job.finished_time = std::string(**v);
    }
    if (rows.has_column("Status")) job.status = cell(rows, i, "Status");
    if (rows.has_column("TaskErrMsg")) job.task_err_msg = cell(rows, i, "TaskErrMsg");
    out.push_back(std::move(job));
  }
  return out;
}

Result<std::vector<SnapshotRow>> parse_show_snapshot(const ports::Rows& rows) {
  for (std::string_view c : {"Snapshot", "Timestamp", "Status"}) {
    if (auto idx = rows.column(c); !idx) return std::unexpected(idx.error());
  }
  std::vector<SnapshotRow> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SnapshotRow row;
    row.label = cell(rows, i, "Snapshot");
    row.status = cell(rows, i, "Status");
    const std::string ts = cell(rows, i, "Timestamp");
    std::size_t start = 0;
    while (start <= ts.size()) {
      const std::size_t end = ts.find('\n', start);
      std::string piece = ts.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!piece.empty()) row.timestamps.push_back(std::move(piece));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    out.push_back(std::move(row));
  }
  return out;
}

Result<double> parse_capacity(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::size_t j = i;
  while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) ++j;
  if (j == i) return fail("executor.parse", "capacity '{}' has no number", text);
  std::string number(text.substr(i, j - i));
  if (number.front() == '.') number.insert(number.begin(), '0');
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) {
    return fail("executor.parse", "capacity '{}' is not a number", text);
  }
  while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
  std::string unit;
  for (; j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])); ++j) {
    unit += static_cast<char>(std::toupper(static_cast<unsigned char>(text[j])));
  }
  double scale = 1;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "KB") scale = 1024.0;
  else if (unit == "MB") scale = 1024.0 * 1024;
  else if (unit == "GB") scale = 1024.0 * 1024 * 1024;
  else if (unit == "TB") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "PB") scale = 1024.0 * 1024 * 1024 * 1024 * 1024;
  else return fail("executor.parse", "capacity '{}' has an unknown unit '{}'", text, unit);
  return value * scale;
}

Result<bool> parse_bool(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return fail("executor.parse", "'{}' is not true/false", text);
}

Result<Instant> parse_server_time(std::string_view text, const TimeZone& cluster_zone) {
  auto t = Instant::parse(text, cluster_zone);
  if (!t) return fail("executor.parse", "server time '{}' is not 'yyyy-MM-dd HH:mm:ss'", text);
  return *t;
}

bool is_job_slot_busy(const Error& error) {
  return server_error_contains(error, "Can only run one backup or restore job") ||
         server_error_contains(error, "Another backup or restore job is being submitted");
}

bool server_error_contains(const Error& error, std::string_view needle) {
  if (auto m = ports::server_message(error)) return m->find(needle) != std::string::npos;
  return error.message.find(needle) != std::string::npos;
}

}  // namespace sk::executor
