#include "tests/support/cluster_sql.h"

namespace sk::test {

std::string cell(const ports::Rows& rows, std::size_t row, const char* column, const char* null_text) {
  auto v = rows.get(row, column);
  return v && *v ? std::string(**v) : std::string(null_text);
}

std::vector<Row> as_maps(const ports::Rows& rows) {
  std::vector<Row> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Row r;
    for (const auto& column : rows.columns()) {
      auto v = rows.get(i, column);
      r[column] = v && *v ? std::optional<std::string>(std::string(**v)) : std::nullopt;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string as_text(const ports::Rows& rows) {
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t c = 0; c < rows.columns().size(); ++c) {
      out += (c ? "|" : "") + cell(rows, i, rows.columns()[c].c_str());
    }
    out += "\n";
  }
  return out;
}

namespace {

Result<std::unique_ptr<mysql::MySqlConnection>> open(std::uint16_t port) {
  mysql::ConnectionOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.user = "root";
  return mysql::MySqlConnection::connect(o);
}

}  // namespace

Result<ClusterSql> ClusterSql::connect(std::uint16_t port) {
  auto c = open(port);
  if (!c) return std::unexpected(c.error());
  return ClusterSql(port, std::move(*c));
}

Status ClusterSql::exec(const std::string& sql) { return connection_->execute(sql); }

Result<ports::Rows> ClusterSql::query(const std::string& sql) { return connection_->query(sql); }

Status ClusterSql::reconnect() {
  auto c = open(port_);
  if (!c) return std::unexpected(c.error());
  connection_ = std::move(*c);
  return {};
}

}  // namespace sk::test
