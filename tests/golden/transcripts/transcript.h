// SQL-transcript goldens: the exact statements the runner, the restore executor and the drill send to a
// scripted cluster (a RecordingSqlConnection answering from a script), compared with
// tests/golden/transcripts/<name>.sql. UPDATE_GOLDEN=1 rewrites the files (tests/golden/golden_util.h). They
// pin the statement sequence so that a refactor of the job lifecycle is checked statement by statement.
//
// Rendering: one statement per entry, terminated by ";", in the order sent; a statement sent as not
// idempotent (never retried on reconnect) carries "-- not idempotent". The one tolerance: consecutive
// identical job polls (SHOW BACKUP … / SHOW RESTORE …) collapse into one line marked "-- polled", so the
// number of polls a poll policy makes while the scripted state is unchanged does not matter; every other
// statement is compared exactly. The scripted jobs advance one state per poll, and the tests' FakeSleeper
// does not advance their FakeClock, so no timestamp in a statement depends on backoff or poll delays.
#pragma once

#include <regex>
#include <string>
#include <string_view>

#include "runtime/ports/fakes.h"
#include "tests/golden/golden_util.h"

namespace sk::transcript {

// The transcript text of everything `connection` recorded, headed by `scenario` (one line).
inline std::string render(const ports::RecordingSqlConnection& connection, std::string_view scenario) {
  static const std::regex poll(R"(^SHOW (BACKUP|RESTORE)\b)", std::regex::icase);
  std::string out = "-- " + std::string(scenario) + "\n";
  const std::string* previous_poll = nullptr;
  for (const auto& statement : connection.statements()) {
    const bool is_poll = std::regex_search(statement.sql, poll);
    if (is_poll && previous_poll != nullptr && *previous_poll == statement.sql) continue;
    out += statement.sql + ";";
    if (is_poll) out += "  -- polled";
    if (statement.idempotency == ports::Idempotency::kNotIdempotent) out += "  -- not idempotent";
    out += "\n";
    previous_poll = is_poll ? &statement.sql : nullptr;
  }
  return out;
}

// Compares the transcript with tests/golden/transcripts/<name>.sql (SK_TRANSCRIPT_DIR).
inline void expect_transcript(const ports::RecordingSqlConnection& connection, std::string_view name,
                              std::string_view scenario) {
  golden::expect_golden(golden::fs::path(SK_TRANSCRIPT_DIR) / (std::string(name) + ".sql"),
                        render(connection, scenario));
}

// Hands the one scripted connection to every session a component opens (the runner opens one per worker).
class Forward final : public ports::SqlConnection {
 public:
  explicit Forward(ports::SqlConnection& inner) : inner_(inner) {}

 private:
  Result<ports::Rows> do_query(std::string_view sql, ports::Idempotency i) override {
    return inner_.query(sql, i);
  }
  Status do_execute(std::string_view sql, ports::Idempotency i) override { return inner_.execute(sql, i); }
  ports::SqlConnection& inner_;
};

}  // namespace sk::transcript
