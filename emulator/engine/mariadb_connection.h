// One client connection from the emulator to the MariaDB that stores the emulated cluster's data (libmariadb C
// API). Used by each emulated session (its own backend connection) and by the catalog. Not thread-safe: one
// owner at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/engine/catalog.h"
#include "emulator/protocol/handler.h"

struct st_mysql;

namespace sk::emu {

struct BackendParams {
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string user = "root";
  std::string password;
  // Session time zone for the backend ("+08:00"); empty keeps the server default.
  std::string time_zone;
};

class MariaDbConnection {
 public:
  // Connects and prepares the session (utf8mb4, time zone). Error code "emu.backend_connect".
  static Result<std::unique_ptr<MariaDbConnection>> connect(const BackendParams& params);
  ~MariaDbConnection();
  MariaDbConnection(const MariaDbConnection&) = delete;
  MariaDbConnection& operator=(const MariaDbConnection&) = delete;

  // Runs one statement; MariaDB errors come back as ErrorResult with MariaDB's own code, state and text.
  // Reconnects (once, before the next statement) when the server connection was lost.
  QueryResult run(const std::string& sql);
  // Runs a statement that returns no rows. Error code "emu.backend" with MariaDB's message.
  Status exec(const std::string& sql);
  // Runs a query and returns its rows. Error code "emu.backend".
  Result<std::vector<Row>> select(const std::string& sql);
  // First column of the first row, or nullopt when no rows / NULL.
  Result<std::optional<std::string>> scalar(const std::string& sql);

  // Switches the default database; ErrorResult from MariaDB on failure.
  std::optional<ErrorResult> use(const std::string& db);
  const std::string& current_database() const { return database_; }
  // After the current database was dropped: MariaDB has no default database any more.
  void forget_database() { database_.clear(); }
  uint64_t connection_id() const;

 private:
  explicit MariaDbConnection(BackendParams params) : params_(std::move(params)) {}
  Status open();

  BackendParams params_;
  st_mysql* mysql_ = nullptr;
  bool broken_ = false;
  std::string database_;
};

// True for MariaDB client errors meaning the connection is gone (2006, 2013).
bool is_connection_lost(uint16_t code);

}  // namespace sk::emu
