// The test hook of `starkeep expire` (docs/operations.md "Test hooks"; test-only, never set in production):
// STARKEEP_TEST_PAUSE_AT=<step> stops the whole process with SIGSTOP when a deletion reaches that step, so an
// end-to-end test can SIGKILL it exactly there, or take the S3 endpoint away and SIGCONT it, instead of guessing
// a time. Steps: `storage_info_deleted` — a snapshot's __info_*/__meta* objects are deleted (it has left SHOW
// SNAPSHOT), its content not yet (deletion through S3, before StarRocks 4.2). Unset or empty: no effect.
#pragma once

#include <string_view>

namespace sk::expire {

inline constexpr std::string_view kPauseInfoDeleted = "storage_info_deleted";

// Stops the process (SIGSTOP) when STARKEEP_TEST_PAUSE_AT names `step`; returns at once otherwise.
void test_pause_point(std::string_view step);

}  // namespace sk::expire
