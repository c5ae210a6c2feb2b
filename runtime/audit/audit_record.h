// One line of the audit log (docs/audit.md): which statement a starkeep command sent to the cluster, when, for
// which database, how long it took and how it ended — redacted before it gets here (invariant 7). Rendered as one
// JSON object per line and read back by `starkeep audit`. Pure; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "kernel/domain/time.h"

namespace sk::audit {

// The audit log's format version, written into every line as "v".
inline constexpr int kAuditVersion = 1;
// Statement texts are cut (between code points) to this many bytes.
inline constexpr std::size_t kMaxStatementBytes = 4096;

enum class Outcome { kOk, kError };
[[nodiscard]] std::string_view to_string(Outcome outcome);

struct AuditRecord {
  Instant time;                             // when the statement ended (UTC)
  std::string command;                      // "run", "repository apply", "restore table", …
  std::string run_id;                       // the run's id for `run`, else one id per invocation
  std::string user;                         // the cluster user the session logs in as
  std::string server;                       // "host:port" of the FE
  std::optional<std::string> database;      // the database the statement is about, when known
  std::string kind;                         // "BACKUP", "CREATE REPOSITORY", "SHOW BACKUP", …
  std::chrono::milliseconds duration{0};
  Outcome outcome = Outcome::kOk;
  std::optional<std::string> error_code;    // "sql.server", … when it failed
  std::optional<std::string> error;         // the error text (redacted)
  std::optional<std::size_t> rows;          // result rows of a successful query
  std::string statement;                    // the statement text (redacted, cut)
};

// The statement's kind: its first keyword in upper case, with the object word for CREATE/DROP/ALTER/SHOW/CANCEL/
// ADMIN/TRUNCATE/RECOVER ("CREATE REPOSITORY", "SHOW BACKUP", "DROP DATABASE") and for INSERT OVERWRITE; leading
// whitespace and comments are skipped. "" for an empty text.
[[nodiscard]] std::string statement_kind(std::string_view sql);

// The database a statement names, read from the text starkeep's dialect renders: the qualifier of the first
// qualified name after FROM/INTO/TABLE/SNAPSHOT/UPDATE/JOIN (`db`.`t`), or the name after DATABASE/USE, or after
// FROM/IN in SHOW and CANCEL statements. nullopt when it names none.
[[nodiscard]] std::optional<std::string> statement_database(std::string_view sql);

// One JSON object, no newline.
[[nodiscard]] std::string to_json_line(const AuditRecord& record);
// Parses one line. Errors ("audit.malformed") say what is wrong (not JSON, missing or mistyped field), without the
// line number (the reader adds it).
[[nodiscard]] Result<AuditRecord> parse_json_line(std::string_view line);

}  // namespace sk::audit
