// SQL against the emulated cluster for end-to-end tests and benchmarks, through the product's own MySQL
// adapter: connect to 127.0.0.1:<port>, execute, and query rows read by column NAME only (ports::Rows,
// pitfall 6), with small helpers the fixtures shared: one cell as text, whole rows as column → value maps, a
// result as text. Failures are sk::Result values; the gtest fixtures turn them into assertions. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/ports/sql_connection.h"

namespace sk::test {

// One row as column name → value (nullopt for SQL NULL).
using Row = std::map<std::string, std::optional<std::string>>;

// The text of a cell: its value, or `null_text` for SQL NULL (and for a missing column or row).
[[nodiscard]] std::string cell(const ports::Rows& rows, std::size_t row, const char* column,
                               const char* null_text = "<NULL>");
// Every row of `rows` as a map.
[[nodiscard]] std::vector<Row> as_maps(const ports::Rows& rows);
// Every row as "c1|c2|…\n" in column order (NULL as <NULL>).
[[nodiscard]] std::string as_text(const ports::Rows& rows);

class ClusterSql {
 public:
  // Connects as root to 127.0.0.1:`port`.
  [[nodiscard]] static Result<ClusterSql> connect(std::uint16_t port);

  [[nodiscard]] Status exec(const std::string& sql);
  [[nodiscard]] Result<ports::Rows> query(const std::string& sql);
  // Opens a new session (e.g. after the server dropped this one).
  [[nodiscard]] Status reconnect();
  [[nodiscard]] mysql::MySqlConnection& connection() { return *connection_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  ClusterSql(std::uint16_t port, std::unique_ptr<mysql::MySqlConnection> connection)
      : port_(port), connection_(std::move(connection)) {}
  std::uint16_t port_;
  std::unique_ptr<mysql::MySqlConnection> connection_;
};

}  // namespace sk::test
