// The seam between the MySQL wire protocol (emulator/protocol) and the StarRocks behaviour behind it
// (emulator/engine, emulator/backup). The protocol layer owns sockets and packets; it asks a SessionFactory
// for one Session per client connection and forwards each COM_QUERY / COM_INIT_DB / COM_PING to it.
// Fault injection that drops every client connection calls the protocol Server's drop_all_connections().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sk::emu {

// MySQL column type codes the emulator sends in column definitions (text protocol: values are strings).
enum class ColumnType : uint8_t {
  kLongLong = 0x08,
  kDouble = 0x05,
  kDateTime = 0x0c,
  kVarString = 0xfd,
  kNewDecimal = 0xf6,
};

struct Column {
  std::string name;
  ColumnType type = ColumnType::kVarString;
};

// A text-protocol result set; std::nullopt is SQL NULL (sent as 0xfb).
struct ResultSet {
  std::vector<Column> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

struct OkResult {
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  std::string info;
};

// An ERR packet. StarRocks sends 1064/HY000 for most DDL and backup errors (reference §0).
struct ErrorResult {
  uint16_t code = 1064;
  std::string sql_state = "HY000";
  std::string message;
};

using QueryResult = std::variant<OkResult, ResultSet, ErrorResult>;

// One client connection's state (current database, user). Called from that connection's thread only.
//
// Statements real clients send on their own, which a Session must answer (seen with the protocol tests):
//  * mysql-connector-c++ 1.1 on connect: `SET autocommit=1`,
//    `SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ`,
//    `SHOW SESSION VARIABLES LIKE 'lower_case_table_names'` (a result set Variable_name, Value; "0" is fine);
//    Connection::setSchema(db) sends the query "USE `db`" (not COM_INIT_DB); setAutoCommit sends `SET autocommit=1`.
//  * the mariadb CLI with -e sends only the statements given; with -D db it passes db in the handshake.
// A query is passed through verbatim: several statements separated by ';' arrive as one string (StarRocks has no
// multi-statements; the engine decides what to do with them).
class Session {
 public:
  virtual ~Session() = default;
  virtual QueryResult query(std::string_view sql) = 0;
  // COM_INIT_DB; returns an error for an unknown database.
  virtual std::optional<ErrorResult> use_database(std::string_view db) = 0;
  // COM_PING; an error when the "FE" is marked dead by fault injection.
  virtual std::optional<ErrorResult> ping() { return std::nullopt; }
};

// Thread-safe: called from every connection thread.
class SessionFactory {
 public:
  virtual ~SessionFactory() = default;
  // The configured plain-text password of `user`, or nullopt when the user does not exist.
  virtual std::optional<std::string> password_of(std::string_view user) const = 0;
  // Opens a session after successful authentication; `database` may be empty. When it is not, the protocol layer
  // then calls use_database(database) on the new session and refuses the connection with that error if it fails.
  // Returning nullptr refuses the connection with ERR 1045.
  virtual std::unique_ptr<Session> open(std::string_view user, std::string_view database) = 0;
};

}  // namespace sk::emu
