#include "runtime/ops/record_map.h"

#include "common/utf8.h"

namespace sk::ops::detail {

Result<std::string> RowReader::text(std::string_view column) const {
  auto v = rows_.get_required(row_, column);
  if (!v) return std::unexpected(std::move(v.error()));
  return std::string(*v);
}

Result<std::optional<std::string>> RowReader::optional_text(std::string_view column) const {
  auto v = rows_.get(row_, column);
  if (!v) return std::unexpected(std::move(v.error()));
  if (!*v) return std::optional<std::string>();
  return std::optional<std::string>(std::string(**v));
}

Result<std::int64_t> RowReader::integer(std::string_view column) const {
  auto v = rows_.get_int(row_, column);
  if (!v) return std::unexpected(std::move(v.error()));
  if (!*v) return fail(std::string(kCorrupt), "column '{}' is NULL or empty in result row {}", column, row_);
  return **v;
}

Result<std::optional<std::int64_t>> RowReader::optional_integer(std::string_view column) const {
  return rows_.get_int(row_, column);
}

Result<bool> RowReader::boolean(std::string_view column) const {
  auto v = text(column);
  if (!v) return std::unexpected(std::move(v.error()));
  return sql::parse_bool(*v);
}

Result<Instant> RowReader::instant(std::string_view column) const {
  auto v = text(column);
  if (!v) return std::unexpected(std::move(v.error()));
  return sql::parse_datetime_utc(*v);
}

Result<std::optional<Instant>> RowReader::optional_instant(std::string_view column) const {
  auto v = optional_text(column);
  if (!v) return std::unexpected(std::move(v.error()));
  if (!*v || (*v)->empty()) return std::optional<Instant>();
  auto t = sql::parse_datetime_utc(**v);
  if (!t) return std::unexpected(std::move(t.error()));
  return std::optional<Instant>(*t);
}

Result<std::string> fit_text(std::string text, const ColumnSpec& column, Fit fit, std::string_view what) {
  const auto max = static_cast<std::size_t>(column.length);
  const bool bounded = column.type == ColumnType::kVarchar;
  // Strict mode refuses invalid UTF-8 in the whole statement (issue 10 item 16): every text is made valid first.
  std::string valid = valid_utf8(fit == Fit::kRedacted ? ports::redact(text) : text);
  switch (fit) {
    case Fit::kAsIs:
    case Fit::kChecked:
      if (bounded && valid.size() > max) {
        return fail(std::string(kInvalid), "{} is {} bytes long; the ops schema allows {}", what, valid.size(),
                    max);
      }
      return valid;
    case Fit::kTruncated:
    case Fit::kRedacted:
      return bounded ? truncate_utf8(valid, max) : valid;
  }
  return valid;
}

Result<std::string> text_literal(const TableSpec& table, std::string_view column, std::string text, Fit fit,
                                 std::string_view what) {
  const ColumnSpec* spec = sql::find_column(table, column);
  if (spec == nullptr) return fail(std::string(kInvalid), "ops.{} has no column '{}'", table.name, column);
  auto fitted = fit_text(std::move(text), *spec, fit, what.empty() ? column : what);
  if (!fitted) return std::unexpected(std::move(fitted.error()));
  return sql::literal(*fitted);
}

}  // namespace sk::ops::detail
