// The identity and state of a server-side BACKUP or RESTORE job as StarRocks prints them (reference §2.4,
// §3.3): JobKind (which SHOW/CANCEL statement), JobState (typed; a state this build does not know reads as
// kOther, never an error, and keeps its text in ServerJob::state_text), JobId (absent until PENDING allocates
// one: JobId -1). Pure; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sk::jobs {

enum class JobKind { kBackup, kRestore };
[[nodiscard]] std::string_view to_string(JobKind kind);  // "BACKUP" | "RESTORE"

enum class JobState {
  kPending,         // both kinds
  kSnapshoting,     // both kinds (the server's spelling)
  kUploadSnapshot,  // backup
  kUploading,       // backup
  kSaveMeta,        // backup
  kUploadInfo,      // backup
  kDownload,        // restore
  kDownloading,     // restore
  kCommit,          // restore
  kCommitting,      // restore
  kFinished,
  kCancelled,
  kOther,  // a state this build does not know (a newer server); not terminal
};

// The server's text → JobState (exact, upper case as printed); anything else → kOther.
[[nodiscard]] JobState parse_job_state(std::string_view text);
// The server's spelling; kOther → "OTHER".
[[nodiscard]] std::string_view to_string(JobState state);
// FINISHED or CANCELLED: the job will not change any more.
[[nodiscard]] constexpr bool terminal(JobState state) {
  return state == JobState::kFinished || state == JobState::kCancelled;
}

// A job id the server allocated (≥ 0). SHOW prints -1 before PENDING allocated one: from_server gives
// nullopt.
class JobId {
 public:
  constexpr explicit JobId(std::int64_t value) : value_(value) {}
  [[nodiscard]] static constexpr std::optional<JobId> from_server(std::int64_t value) {
    return value < 0 ? std::nullopt : std::optional<JobId>(JobId(value));
  }
  [[nodiscard]] constexpr std::int64_t value() const { return value_; }
  auto operator<=>(const JobId&) const = default;

 private:
  std::int64_t value_;
};

// The optional id as the ops tables and alerts carry it.
[[nodiscard]] constexpr std::optional<std::int64_t> to_int(const std::optional<JobId>& id) {
  return id ? std::optional<std::int64_t>(id->value()) : std::nullopt;
}

}  // namespace sk::jobs
