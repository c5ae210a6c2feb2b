// SQL literals and statement pieces for the ops tables. Values are always rendered through the StarRocks dialect's
// quote_string()/quote_identifier() (runtime/dialect), so no text from a cluster, an inventory or a server error
// can change a statement's structure (invariant 6). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/domain/time.h"

namespace sk::ops::sql {

[[nodiscard]] std::string literal(std::string_view text);
[[nodiscard]] std::string literal(std::int64_t value);
[[nodiscard]] std::string literal(bool value);
// 'YYYY-MM-DD HH:MM:SS' in UTC (for DATETIME columns named *_utc).
[[nodiscard]] std::string literal(Instant value);
[[nodiscard]] std::string literal(const std::optional<std::string>& value);
[[nodiscard]] std::string literal(const std::optional<std::int64_t>& value);
[[nodiscard]] std::string literal(const std::optional<Instant>& value);
// Overload guard: a C string is text.
[[nodiscard]] inline std::string literal(const char* text) { return literal(std::string_view(text)); }
[[nodiscard]] inline std::string literal(const std::string& text) { return literal(std::string_view(text)); }
[[nodiscard]] inline std::string literal(int value) { return literal(static_cast<std::int64_t>(value)); }

// "YYYY-MM-DD HH:MM:SS" (optionally with ".ffffff", which is dropped) read as UTC. Errors: "ops.corrupt".
[[nodiscard]] Result<Instant> parse_datetime_utc(std::string_view text);
// "1"/"0"/"true"/"false" (case-insensitive). Errors: "ops.corrupt".
[[nodiscard]] Result<bool> parse_bool(std::string_view text);

// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 sequence.
[[nodiscard]] std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// INSERT INTO <table> (`c1`, `c2`) VALUES (...), (...) — `rows` already rendered as literals, each as wide as
// `columns`. Splits into several statements so that none has more than `max_rows` rows or (unless a single row
// is larger) `max_bytes` bytes.
[[nodiscard]] std::vector<std::string> render_inserts(std::string_view qualified_table,
                                                      const std::vector<std::string_view>& columns,
                                                      const std::vector<std::vector<std::string>>& rows,
                                                      std::size_t max_rows = 500,
                                                      std::size_t max_bytes = 512 * 1024);

}  // namespace sk::ops::sql
