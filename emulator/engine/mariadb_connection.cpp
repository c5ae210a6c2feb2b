#include "emulator/engine/mariadb_connection.h"

#include <mysql.h>

namespace sk::emu {

namespace {

ColumnType column_type_of(enum_field_types t) {
  switch (t) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
      return ColumnType::kLongLong;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      return ColumnType::kDouble;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
      return ColumnType::kDateTime;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
      return ColumnType::kNewDecimal;
    default:
      return ColumnType::kVarString;
  }
}

ErrorResult error_of(MYSQL* m) {
  ErrorResult e;
  e.code = static_cast<uint16_t>(mysql_errno(m));
  e.sql_state = mysql_sqlstate(m);
  e.message = mysql_error(m);
  return e;
}

}  // namespace

bool is_connection_lost(uint16_t code) { return code == 2006 || code == 2013 || code == 2055; }

Result<std::unique_ptr<MariaDbConnection>> MariaDbConnection::connect(const BackendParams& params) {
  std::unique_ptr<MariaDbConnection> c(new MariaDbConnection(params));
  if (auto s = c->open(); !s) return std::unexpected(s.error());
  return c;
}

Status MariaDbConnection::open() {
  if (mysql_) mysql_close(mysql_);
  mysql_ = mysql_init(nullptr);
  if (!mysql_) return fail("emu.backend_connect", "mysql_init failed");
  mysql_options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned int timeout = 10;
  mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  const char* db = database_.empty() ? nullptr : database_.c_str();
  if (!mysql_real_connect(mysql_, params_.host.c_str(), params_.user.c_str(), params_.password.c_str(), db,
                          params_.port, nullptr, CLIENT_FOUND_ROWS)) {
    std::string msg = mysql_error(mysql_);
    mysql_close(mysql_);
    mysql_ = nullptr;
    return fail("emu.backend_connect", "cannot connect to MariaDB at {}:{}: {}", params_.host, params_.port, msg);
  }
  broken_ = false;
  if (!params_.time_zone.empty()) {
    std::string sql = "SET time_zone = '" + params_.time_zone + "'";
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
      return fail("emu.backend_connect", "cannot set time zone: {}", mysql_error(mysql_));
    }
  }
  return ok();
}

MariaDbConnection::~MariaDbConnection() {
  if (mysql_) mysql_close(mysql_);
}

uint64_t MariaDbConnection::connection_id() const { return mysql_ ? mysql_thread_id(mysql_) : 0; }

QueryResult MariaDbConnection::run(const std::string& sql) {
  if (broken_ || !mysql_) {
    if (auto s = open(); !s) return ErrorResult{2006, "HY000", s.error().message};
  }
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    ErrorResult e = error_of(mysql_);
    if (is_connection_lost(e.code)) broken_ = true;
    return e;
  }
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (!res) {
    if (mysql_field_count(mysql_) != 0) {
      ErrorResult e = error_of(mysql_);
      if (is_connection_lost(e.code)) broken_ = true;
      return e;
    }
    OkResult ok;
    ok.affected_rows = mysql_affected_rows(mysql_);
    ok.last_insert_id = mysql_insert_id(mysql_);
    if (const char* info = mysql_info(mysql_)) ok.info = info;
    return ok;
  }
  ResultSet rs;
  unsigned nf = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < nf; ++i) {
    rs.columns.push_back(Column{std::string(fields[i].name, fields[i].name_length), column_type_of(fields[i].type)});
  }
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lens = mysql_fetch_lengths(res);
    std::vector<std::optional<std::string>> r;
    r.reserve(nf);
    for (unsigned i = 0; i < nf; ++i) {
      if (row[i] == nullptr) {
        r.emplace_back(std::nullopt);
      } else {
        r.emplace_back(std::string(row[i], lens[i]));
      }
    }
    rs.rows.push_back(std::move(r));
  }
  mysql_free_result(res);
  // Drain any further results (stored procedures); the emulator never sends multi-statements.
  while (mysql_more_results(mysql_) && mysql_next_result(mysql_) == 0) {
    if (MYSQL_RES* extra = mysql_store_result(mysql_)) mysql_free_result(extra);
  }
  return rs;
}

Status MariaDbConnection::exec(const std::string& sql) {
  QueryResult r = run(sql);
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    return fail("emu.backend", "MariaDB error {} ({}): {} [in: {}]", e->code, e->sql_state, e->message,
                sql.substr(0, 300));
  }
  return ok();
}

Result<std::vector<Row>> MariaDbConnection::select(const std::string& sql) {
  QueryResult r = run(sql);
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    return fail("emu.backend", "MariaDB error {} ({}): {} [in: {}]", e->code, e->sql_state, e->message,
                sql.substr(0, 300));
  }
  if (auto* rs = std::get_if<ResultSet>(&r)) return std::move(rs->rows);
  return std::vector<Row>{};
}

Result<std::optional<std::string>> MariaDbConnection::scalar(const std::string& sql) {
  auto rows = select(sql);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty() || (*rows)[0].empty()) return std::optional<std::string>{};
  return (*rows)[0][0];
}

std::optional<ErrorResult> MariaDbConnection::use(const std::string& db) {
  if (broken_ || !mysql_) {
    if (auto s = open(); !s) return ErrorResult{2006, "HY000", s.error().message};
  }
  if (mysql_select_db(mysql_, db.c_str()) != 0) {
    ErrorResult e = error_of(mysql_);
    if (is_connection_lost(e.code)) broken_ = true;
    return e;
  }
  database_ = db;
  return std::nullopt;
}

}  // namespace sk::emu
