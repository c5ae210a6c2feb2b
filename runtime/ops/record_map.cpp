#include "runtime/ops/record_map.h"

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
  switch (fit) {
    case Fit::kAsIs:
      return text;
    case Fit::kChecked:
      if (column.type == ColumnType::kVarchar && text.size() > max) {
        return fail(std::string(kInvalid), "{} is {} bytes long; the ops schema allows {}", what, text.size(),
                    max);
      }
      return text;
    case Fit::kTruncated:
      return sql::truncate_utf8(text, max);
    case Fit::kRedacted:
      return sql::truncate_utf8(ports::redact(text), max);
  }
  return text;
}

}  // namespace sk::ops::detail
