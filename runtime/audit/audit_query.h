// `starkeep audit`: reading an audit log back and answering "who changed what when" (docs/audit.md). Reading is
// tolerant: a malformed line (a torn write, an edit by hand) is reported with its line number and skipped, never
// fatal. Pure (the CLI reads the file); thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/audit/audit_record.h"

namespace sk::audit {

struct MalformedLine {
  std::size_t line = 0;  // 1-based
  std::string message;
};

struct NumberedRecord {
  std::size_t line = 0;  // 1-based
  AuditRecord record;
};

struct AuditLog {
  std::vector<NumberedRecord> records;   // in file order
  std::vector<MalformedLine> malformed;  // in file order
};

// Splits `text` into lines (a final line without a newline counts; empty lines are skipped) and parses each.
[[nodiscard]] AuditLog parse_audit_log(std::string_view text);

// Every given criterion must hold. `since` inclusive, `until` exclusive; command, database and kind compare
// ASCII case-insensitively; a kind matches a record whose kind equals it or starts with it and a space ("SHOW"
// matches "SHOW BACKUP"). `changes_only` keeps statements that are not reads (every kind but SHOW, SELECT, DESC,
// DESCRIBE, EXPLAIN, USE, SET).
struct AuditFilter {
  std::optional<Instant> since;
  std::optional<Instant> until;
  std::optional<std::string> command;
  std::optional<std::string> database;
  std::optional<std::string> kind;
  bool changes_only = false;
};

[[nodiscard]] bool is_read_kind(std::string_view kind);
[[nodiscard]] bool matches(const AuditRecord& record, const AuditFilter& filter);
[[nodiscard]] std::vector<NumberedRecord> select(const AuditLog& log, const AuditFilter& filter);

// One line per record: "<time> <command> run=<id> user=<u> db=<d|-> <kind> <outcome[ code]> <ms>ms: <statement>".
[[nodiscard]] std::string render_text(const std::vector<NumberedRecord>& records);
// {"records": [...], "malformed": [{"line": n, "message": "..."}]}, one document.
[[nodiscard]] std::string render_json(const std::vector<NumberedRecord>& records,
                                      const std::vector<MalformedLine>& malformed);

}  // namespace sk::audit
