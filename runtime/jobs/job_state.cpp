#include "runtime/jobs/job_state.h"

#include <array>
#include <utility>

namespace sk::jobs {
namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 12> kStates{{
    {JobState::kPending, "PENDING"},
    {JobState::kSnapshoting, "SNAPSHOTING"},
    {JobState::kUploadSnapshot, "UPLOAD_SNAPSHOT"},
    {JobState::kUploading, "UPLOADING"},
    {JobState::kSaveMeta, "SAVE_META"},
    {JobState::kUploadInfo, "UPLOAD_INFO"},
    {JobState::kDownload, "DOWNLOAD"},
    {JobState::kDownloading, "DOWNLOADING"},
    {JobState::kCommit, "COMMIT"},
    {JobState::kCommitting, "COMMITTING"},
    {JobState::kFinished, "FINISHED"},
    {JobState::kCancelled, "CANCELLED"},
}};

}  // namespace

std::string_view to_string(JobKind kind) { return kind == JobKind::kBackup ? "BACKUP" : "RESTORE"; }

JobState parse_job_state(std::string_view text) {
  for (const auto& [state, name] : kStates) {
    if (name == text) return state;
  }
  return JobState::kOther;
}

std::string_view to_string(JobState state) {
  for (const auto& [s, name] : kStates) {
    if (s == state) return name;
  }
  return "OTHER";
}

}  // namespace sk::jobs
