// The SQL port of the runner: a connection that runs one text-protocol statement at a time, a result set read by
// column NAME only (pitfall 6: SHOW columns move between versions), and the error codes every adapter uses.
//
// Error codes (sk::Error::code):
//   "sql.server"     the server answered with an ERR packet. The message is "ERROR <errno> (<SQLSTATE>): <text>";
//                    read the parts with server_errno(), server_sqlstate(), server_message(), never by hand.
//   "sql.connection" the connection could not be made, was lost, or timed out. Retriable: the statement may or may
//                    not have run (for non-idempotent statements the outcome is unknown).
//   "sql.usage"      the statement was not sent (empty text, a closed connection, a client-side misuse).
//   "sql.result"     the answer arrived but does not have the expected shape (missing column, NULL where a value
//                    is required, a non-integer where an integer is required).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sk::ports {

inline constexpr std::string_view kServerError = "sql.server";
inline constexpr std::string_view kConnectionError = "sql.connection";
inline constexpr std::string_view kUsageError = "sql.usage";
inline constexpr std::string_view kResultError = "sql.result";

// Builds a "sql.server" error in the one parseable format: "ERROR 1064 (HY000): <message>".
[[nodiscard]] Error server_error(int error_number, std::string_view sqlstate, std::string_view message);
// The server's error number / SQLSTATE / text of a "sql.server" error; nullopt for any other error.
[[nodiscard]] std::optional<int> server_errno(const Error& error);
[[nodiscard]] std::optional<std::string> server_sqlstate(const Error& error);
[[nodiscard]] std::optional<std::string> server_message(const Error& error);
// The server's text of a "sql.server" error, else the error's own message (for matching and for messages).
[[nodiscard]] std::string server_text(const Error& error);
// True for "sql.connection": reconnecting may help.
[[nodiscard]] bool is_connection_error(const Error& error);

// The position of a column in a Rows, found once by name and then used for every row.
struct ColumnIndex {
  std::size_t value = 0;
};

// A materialised result set: column names plus rows of nullable text cells (the text protocol's view of every
// type; SQL NULL is nullopt). Cells are read by column name. Name lookup is exact first, then ASCII
// case-insensitive (MySQL column names are case-insensitive; information_schema spells them in upper case).
// Immutable after construction; safe to read from several threads.
class Rows {
 public:
  using Row = std::vector<std::optional<std::string>>;

  Rows() = default;
  // Fails ("sql.result") when a row's width differs from the number of columns.
  [[nodiscard]] static Result<Rows> make(std::vector<std::string> columns, std::vector<Row> rows);

  [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }
  [[nodiscard]] std::size_t size() const { return rows_.size(); }
  [[nodiscard]] bool empty() const { return rows_.empty(); }

  // Fails ("sql.result") naming the column and listing the columns present.
  [[nodiscard]] Result<ColumnIndex> column(std::string_view name) const;
  [[nodiscard]] bool has_column(std::string_view name) const;

  // The cell at `row` (0-based) in column `name`: a value, or nullopt for SQL NULL. Fails ("sql.result") for an
  // unknown column or a row out of range. Views point into this Rows.
  [[nodiscard]] Result<std::optional<std::string_view>> get(std::size_t row, std::string_view name) const;
  // Like get(), but SQL NULL is an error too.
  [[nodiscard]] Result<std::string_view> get_required(std::size_t row, std::string_view name) const;
  // A base-10 integer cell; NULL or "" → nullopt; anything else that is not an integer is an error.
  [[nodiscard]] Result<std::optional<std::int64_t>> get_int(std::size_t row, std::string_view name) const;

  // Unchecked access by a ColumnIndex obtained from column(); `row` must be < size().
  [[nodiscard]] std::optional<std::string_view> at(std::size_t row, ColumnIndex column) const;

 private:
  Rows(std::vector<std::string> columns, std::vector<Row> rows) : columns_(std::move(columns)), rows_(std::move(rows)) {}
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

// Whether a statement may be sent again when the connection dropped before its answer arrived. Only the caller
// knows: SHOW/SELECT are idempotent, so are CREATE … IF NOT EXISTS and an INSERT that rewrites a whole
// primary-key row; BACKUP, RESTORE, CANCEL and DROP are not.
enum class Idempotency { kIdempotent, kNotIdempotent };

// One session with the server. Statements are sent one at a time as text (no prepared statements: StarRocks
// before 3.2 rejects them; no multi-statements: the FE does not support them).
// Not thread-safe: use one connection per thread.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  // Runs a statement that returns rows (SHOW, SELECT); a statement without a result set yields an empty Rows.
  // Idempotent unless said otherwise.
  Result<Rows> query(std::string_view sql, Idempotency idempotency = Idempotency::kIdempotent) {
    return do_query(sql, idempotency);
  }
  // Runs a statement for its effect (DDL, DML, BACKUP …); any result set is discarded.
  // Not idempotent unless said otherwise.
  Status execute(std::string_view sql, Idempotency idempotency = Idempotency::kNotIdempotent) {
    return do_execute(sql, idempotency);
  }

 private:
  virtual Result<Rows> do_query(std::string_view sql, Idempotency idempotency) = 0;
  virtual Status do_execute(std::string_view sql, Idempotency idempotency) = 0;
};

}  // namespace sk::ports
