#include "runtime/ports/sql_connection.h"

#include <charconv>

#include "common/ascii.h"

namespace sk::ports {
namespace {

constexpr std::string_view kServerPrefix = "ERROR ";

struct ServerParts {
  int error_number = 0;
  std::string_view sqlstate;
  std::string_view message;
};

// Parses "ERROR <n> (<state>): <text>".
std::optional<ServerParts> parse_server(const Error& error) {
  if (error.code != kServerError) return std::nullopt;
  std::string_view text = error.message;
  if (!text.starts_with(kServerPrefix)) return std::nullopt;
  text.remove_prefix(kServerPrefix.size());
  ServerParts parts;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parts.error_number);
  if (ec != std::errc()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  if (!text.starts_with(" (")) return std::nullopt;
  text.remove_prefix(2);
  const auto close = text.find("): ");
  if (close == std::string_view::npos) return std::nullopt;
  parts.sqlstate = text.substr(0, close);
  parts.message = text.substr(close + 3);
  return parts;
}

std::string join_columns(const std::vector<std::string>& columns) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ", ";
    out += columns[i];
  }
  return out;
}

}  // namespace

Error server_error(int error_number, std::string_view sqlstate, std::string_view message) {
  return Error{std::string(kServerError), fmt::format("ERROR {} ({}): {}", error_number, sqlstate, message), {}};
}

std::optional<int> server_errno(const Error& error) {
  auto parts = parse_server(error);
  if (!parts) return std::nullopt;
  return parts->error_number;
}

std::optional<std::string> server_sqlstate(const Error& error) {
  auto parts = parse_server(error);
  if (!parts) return std::nullopt;
  return std::string(parts->sqlstate);
}

std::optional<std::string> server_message(const Error& error) {
  auto parts = parse_server(error);
  if (!parts) return std::nullopt;
  return std::string(parts->message);
}

std::string server_text(const Error& error) { return server_message(error).value_or(error.message); }

bool is_connection_error(const Error& error) { return error.code == kConnectionError; }

Result<Rows> Rows::make(std::vector<std::string> columns, std::vector<Row> rows) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != columns.size()) {
      return fail(std::string(kResultError), "result row {} has {} cells but the result has {} columns", i,
                  rows[i].size(), columns.size());
    }
  }
  return Rows(std::move(columns), std::move(rows));
}

Result<ColumnIndex> Rows::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return ColumnIndex{i};
  }
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (ascii::iequals(columns_[i], name)) {
      if (found) {
        return fail(std::string(kResultError), "column '{}' is ambiguous in the result (columns: {})", name,
                    join_columns(columns_));
      }
      found = i;
    }
  }
  if (!found) {
    return fail(std::string(kResultError), "column '{}' is missing from the result (columns: {})", name,
                join_columns(columns_));
  }
  return ColumnIndex{*found};
}

bool Rows::has_column(std::string_view name) const { return column(name).has_value(); }

Result<std::optional<std::string_view>> Rows::get(std::size_t row, std::string_view name) const {
  auto index = column(name);
  if (!index) return std::unexpected(std::move(index.error()));
  if (row >= rows_.size()) {
    return fail(std::string(kResultError), "row {} is out of range (the result has {} rows)", row, rows_.size());
  }
  return at(row, *index);
}

Result<std::string_view> Rows::get_required(std::size_t row, std::string_view name) const {
  auto cell = get(row, name);
  if (!cell) return std::unexpected(std::move(cell.error()));
  if (!*cell) return fail(std::string(kResultError), "column '{}' is NULL in result row {}", name, row);
  return **cell;
}

Result<std::optional<std::int64_t>> Rows::get_int(std::size_t row, std::string_view name) const {
  auto cell = get(row, name);
  if (!cell) return std::unexpected(std::move(cell.error()));
  if (!*cell || (*cell)->empty()) return std::optional<std::int64_t>();
  std::string_view text = **cell;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return fail(std::string(kResultError), "column '{}' in result row {} is not an integer: '{}'", name, row, text);
  }
  return std::optional<std::int64_t>(value);
}

std::optional<std::string_view> Rows::at(std::size_t row, ColumnIndex column) const {
  const auto& cell = rows_[row][column.value];
  if (!cell) return std::nullopt;
  return std::string_view(*cell);
}

}  // namespace sk::ports
