#include "runtime/jobs/server_views.h"

#include <algorithm>

namespace sk::jobs {
namespace {

// The cell as text; NULL (or a missing column) reads as "".
std::string cell(const ports::Rows& rows, std::size_t i, std::string_view column) {
  if (!rows.has_column(column)) return {};
  auto v = rows.get(i, column);
  if (!v || !*v) return {};
  return std::string(**v);
}

std::optional<std::string> optional_cell(const ports::Rows& rows, std::size_t i, std::string_view column) {
  std::string text = cell(rows, i, column);
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

std::string ServerJob::error_text() const {
  std::string out = status;
  if (!task_err_msg.empty()) out += (out.empty() ? "" : " ") + std::string("TaskErrMsg: ") + task_err_msg;
  return out;
}

Result<std::vector<ServerJob>> parse_show_jobs(const ports::Rows& rows) {
  const std::string_view label_column = rows.has_column("SnapshotName") ? "SnapshotName" : "Label";
  for (std::string_view c : {label_column, std::string_view("State")}) {
    if (auto idx = rows.column(c); !idx) return std::unexpected(idx.error());
  }
  std::vector<ServerJob> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ServerJob job;
    if (rows.has_column("JobId")) {
      auto id = rows.get_int(i, "JobId");
      if (!id) return std::unexpected(id.error());
      if (*id) job.job_id = JobId::from_server(**id);
    }
    job.label = cell(rows, i, label_column);
    job.database = cell(rows, i, "DbName");
    job.state_text = cell(rows, i, "State");
    job.state = parse_job_state(job.state_text);
    job.create_time = optional_cell(rows, i, "CreateTime");
    job.finished_time = optional_cell(rows, i, "FinishedTime");
    job.status = cell(rows, i, "Status");
    job.task_err_msg = cell(rows, i, "TaskErrMsg");
    out.push_back(std::move(job));
  }
  return out;
}

std::optional<BackupTimestamp> SnapshotRow::latest() const {
  if (timestamps.empty()) return std::nullopt;
  return timestamps.back();
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
      const std::string_view piece =
          std::string_view(ts).substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (auto t = BackupTimestamp::from_server(piece)) row.timestamps.push_back(std::move(*t));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    row.ttl = optional_cell(rows, i, "TTL");
    row.expire_time = optional_cell(rows, i, "ExpireTime");
    out.push_back(std::move(row));
  }
  return out;
}

Result<Instant> parse_server_time(std::string_view text, const TimeZone& cluster_zone) {
  auto t = Instant::parse(text, cluster_zone);
  if (!t) return fail("jobs.parse", "server time '{}' is not 'yyyy-MM-dd HH:mm:ss'", text);
  return *t;
}

std::optional<std::string> time_zone_value(const ports::Rows& rows) {
  if (rows.empty()) return std::nullopt;
  auto v = rows.get(0, "Value");
  if (!v || !*v) return std::nullopt;
  return std::string(**v);
}

Result<Instant> read_snapshot_time(std::string_view text, const TimeZone& cluster_zone) {
  // yyyy-MM-dd-HH-mm-ss[-SSS]: positions 10, 13 and 16 separate the date, hours, minutes and seconds.
  if (text.size() >= 19 && text[10] == '-' && text[13] == '-' && text[16] == '-') {
    std::string datetime(text.substr(0, 19));
    datetime[10] = ' ';
    datetime[13] = ':';
    datetime[16] = ':';
    if (auto t = Instant::parse(datetime, cluster_zone)) return *t;
  }
  if (auto t = Instant::parse(text.substr(0, std::min<std::size_t>(text.size(), 19)), cluster_zone)) return *t;
  return fail("jobs.parse", "snapshot time '{}' is neither 'yyyy-MM-dd-HH-mm-ss-SSS' nor 'yyyy-MM-dd HH:mm:ss'", text);
}

std::optional<Instant> server_time(const std::optional<std::string>& text, const TimeZone& zone) {
  if (!text) return std::nullopt;
  auto t = parse_server_time(*text, zone);
  return t ? std::optional<Instant>(*t) : std::nullopt;
}

bool server_error_contains(const Error& error, std::string_view needle) {
  if (auto m = ports::server_message(error)) return m->find(needle) != std::string::npos;
  return error.message.find(needle) != std::string::npos;
}

bool is_slot_taken(const Error& error) {
  return server_error_contains(error, "Can only run one backup or restore job");
}

bool is_submit_locked(const Error& error) {
  return server_error_contains(error, "Another backup or restore job is being submitted");
}

bool is_job_slot_busy(const Error& error) { return is_slot_taken(error) || is_submit_locked(error); }

}  // namespace sk::jobs
