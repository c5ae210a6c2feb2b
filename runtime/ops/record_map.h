// Internal to runtime/ops: the mapping between a record type of ops_store.h and the columns of its TableSpec,
// written once per record and used both to write a row (one literal per column, in table order, for
// sql::render_upserts) and to read one back (by column name).
//
// A RecordMap names its table; its fields name columns of that table, each with how the member becomes a
// literal and how it is read back. Text that must fit its VARCHAR is checked (Fit::kChecked, "ops.invalid"),
// cut (kTruncated) or redacted and cut (kRedacted) against the length the TableSpec gives. A field without a
// reader is derived from the record (its id): it is not read and, unless marked listed, not selected. The
// TableSpec is the one list of columns: a map whose fields do not cover its table exactly aborts at start-up
// (a programming error, caught by any test).
//
// Errors: "ops.invalid" (a value longer than its column), "ops.corrupt" (a stored value that does not parse).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/result.h"
#include "kernel/dialect/ops_sql.h"
#include "kernel/domain/backup_timestamp.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/redact.h"
#include "runtime/ports/sql_connection.h"

namespace sk::ops::detail {

inline constexpr std::string_view kCorrupt = "ops.corrupt";
inline constexpr std::string_view kInvalid = "ops.invalid";

// Typed reads of one result row, by column name.
class RowReader {
 public:
  RowReader(const ports::Rows& rows, std::size_t row) : rows_(rows), row_(row) {}

  [[nodiscard]] Result<std::string> text(std::string_view column) const;
  [[nodiscard]] Result<std::optional<std::string>> optional_text(std::string_view column) const;
  [[nodiscard]] Result<std::int64_t> integer(std::string_view column) const;
  [[nodiscard]] Result<std::optional<std::int64_t>> optional_integer(std::string_view column) const;
  [[nodiscard]] Result<bool> boolean(std::string_view column) const;
  [[nodiscard]] Result<Instant> instant(std::string_view column) const;
  [[nodiscard]] Result<std::optional<Instant>> optional_instant(std::string_view column) const;
  template <typename Name>
  [[nodiscard]] Result<Name> name(std::string_view column) const {
    auto v = text(column);
    if (!v) return std::unexpected(std::move(v.error()));
    auto parsed = Name::parse(*v);
    if (!parsed) return fail(std::string(kCorrupt), "column '{}': {}", column, parsed.error().message);
    return std::move(*parsed);
  }

 private:
  const ports::Rows& rows_;
  std::size_t row_;
};

// How a text value is made to fit its VARCHAR column before it is written. Whatever the fit, the text written
// is valid UTF-8 (invalid bytes become U+FFFD, so a strict-mode server never refuses the statement) and no
// longer than the TableSpec's column width.
enum class Fit {
  kAsIs,       // its type bounds it (names, labels, enum texts); longer than the column: "ops.invalid"
  kChecked,    // longer than the column: "ops.invalid", nothing is written
  kTruncated,  // cut to the column between two code points
  kRedacted,   // secrets redacted (ports::redact), then cut: server error texts (invariant 7)
};

// Fits `text` to `column` by `fit`; `what` names the value in the "ops.invalid" message.
[[nodiscard]] Result<std::string> fit_text(std::string text, const ColumnSpec& column, Fit fit,
                                           std::string_view what);

// The literal of `text` for `column` of `table`, fitted by fit_text(): the one way text reaches an ops table
// outside a whole-row write (the UPDATEs of ops_store.cpp). "ops.invalid" also for an unknown column.
[[nodiscard]] Result<std::string> text_literal(const TableSpec& table, std::string_view column, std::string text,
                                               Fit fit, std::string_view what = {});

// ---- Codecs: member type ↔ literal / column value ----

// Text-like members go through fit_text(): to_text() (nullopt = NULL) and read(). Other members are written
// with sql::literal() and read with the matching RowReader call.
template <typename T>
struct Codec;

template <>
struct Codec<std::string> {
  static std::optional<std::string> to_text(const std::string& v) { return v; }
  static Result<std::string> read(const RowReader& r, std::string_view c) { return r.text(c); }
};
template <>
struct Codec<std::optional<std::string>> {
  static std::optional<std::string> to_text(const std::optional<std::string>& v) { return v; }
  static Result<std::optional<std::string>> read(const RowReader& r, std::string_view c) {
    return r.optional_text(c);
  }
};
// A backup timestamp is stored as the server printed it; empty text reads as no timestamp (what
// BackupTimestamp::from_server makes of it), and in a NOT NULL column as corrupt.
template <>
struct Codec<BackupTimestamp> {
  static std::optional<std::string> to_text(const BackupTimestamp& v) { return v.str(); }
  static Result<BackupTimestamp> read(const RowReader& r, std::string_view c) {
    auto v = r.text(c);
    if (!v) return std::unexpected(std::move(v.error()));
    auto ts = BackupTimestamp::from_server(*v);
    if (!ts) return fail(std::string(kCorrupt), "column '{}': empty backup timestamp", c);
    return std::move(*ts);
  }
};
template <>
struct Codec<std::optional<BackupTimestamp>> {
  static std::optional<std::string> to_text(const std::optional<BackupTimestamp>& v) {
    if (!v) return std::nullopt;
    return v->str();
  }
  static Result<std::optional<BackupTimestamp>> read(const RowReader& r, std::string_view c) {
    auto v = r.optional_text(c);
    if (!v) return std::unexpected(std::move(v.error()));
    if (!*v) return std::optional<BackupTimestamp>{};
    return BackupTimestamp::from_server(**v);
  }
};
template <typename Name>
requires requires(const Name& n, std::string_view t) {
  { n.str() } -> std::convertible_to<std::string>;
  Name::parse(t);
}
struct Codec<Name> {
  static std::optional<std::string> to_text(const Name& v) { return v.str(); }
  static Result<Name> read(const RowReader& r, std::string_view c) { return r.name<Name>(c); }
};
template <>
struct Codec<std::int64_t> {
  static Result<std::int64_t> read(const RowReader& r, std::string_view c) { return r.integer(c); }
};
template <>
struct Codec<std::optional<std::int64_t>> {
  static Result<std::optional<std::int64_t>> read(const RowReader& r, std::string_view c) {
    return r.optional_integer(c);
  }
};
template <>
struct Codec<int> {
  static Result<int> read(const RowReader& r, std::string_view c) {
    auto v = r.integer(c);
    if (!v) return std::unexpected(std::move(v.error()));
    return static_cast<int>(*v);
  }
};
template <>
struct Codec<bool> {
  static Result<bool> read(const RowReader& r, std::string_view c) { return r.boolean(c); }
};
template <>
struct Codec<Instant> {
  static Result<Instant> read(const RowReader& r, std::string_view c) { return r.instant(c); }
};
template <>
struct Codec<std::optional<Instant>> {
  static Result<std::optional<Instant>> read(const RowReader& r, std::string_view c) {
    return r.optional_instant(c);
  }
};

template <typename T>
concept TextCodec = requires(const T& v) {
  Codec<T>::to_text(v);
};

// ---- Fields and maps ----

struct WriteContext {
  Instant now;  // the store's clock: updated_at_utc, recorded_at_utc
};

template <typename R>
struct Field {
  std::string_view column;
  // The literal to write; the column's spec is given for fitting text.
  std::function<Result<std::string>(const R&, const ColumnSpec&, const WriteContext&)> write;
  // Reads the column into the record; empty for a derived column (an id made from other members).
  std::function<Status(const RowReader&, R&)> read{};
  bool listed = false;  // a derived column the SELECT lists all the same
};

// A member written as it is and read back: `column` ↔ `R::*member`.
template <typename R, typename T>
Field<R> member(std::string_view column, T R::*m, Fit fit = Fit::kAsIs, std::string_view what = {}) {
  Field<R> f{column, {}, {}};
  f.write = [m, fit, what](const R& r, const ColumnSpec& spec, const WriteContext&) -> Result<std::string> {
    if constexpr (TextCodec<T>) {
      auto text = Codec<T>::to_text(r.*m);
      if (!text) return std::string("NULL");
      auto fitted = fit_text(std::move(*text), spec, fit, what.empty() ? spec.name : what);
      if (!fitted) return std::unexpected(std::move(fitted.error()));
      return sql::literal(*fitted);
    } else {
      (void)fit;  // text members only (clang: -Wunused-lambda-capture in this instantiation)
      (void)what;
      return sql::literal(r.*m);
    }
  };
  f.read = [m, column](const RowReader& row, R& r) -> Status {
    auto v = Codec<T>::read(row, column);
    if (!v) return std::unexpected(std::move(v.error()));
    r.*m = std::move(*v);
    return ok();
  };
  return f;
}

// A member the store stamps with its clock on every write (updated_at_utc, recorded_at_utc) and reads back.
template <typename R>
Field<R> stamp(std::string_view column, Instant R::*m) {
  Field<R> f = member(column, m);
  f.write = [](const R&, const ColumnSpec&, const WriteContext& ctx) -> Result<std::string> {
    return sql::literal(ctx.now);
  };
  return f;
}

// A column derived from the record (its id): written, never read; `listed` keeps it in the SELECT list.
enum class Listed { kNo, kYes };
template <typename R>
Field<R> derived(std::string_view column, std::function<std::string(const R&)> value,
                 Listed listed = Listed::kNo) {
  return Field<R>{
      column,
      [value = std::move(value)](const R& r, const ColumnSpec&, const WriteContext&) -> Result<std::string> {
        return sql::literal(value(r));
      },
      {},
      listed == Listed::kYes};
}

// A member stored as text through its own conversions (an enum, a JSON list): to_text(member) is written
// (fitted like any text), from_text(text, record so far) parses it back. Columns are read in table order, so
// from_text may name members of earlier columns in its messages.
template <typename R, typename T>
Field<R> converted(std::string_view column, T R::*m, std::function<std::string(const T&)> to_text,
                   std::function<Result<T>(std::string_view, const R&)> from_text, Fit fit = Fit::kAsIs,
                   std::string_view what = {}) {
  Field<R> f{column, {}, {}};
  f.write = [m, to_text, fit, what](const R& r, const ColumnSpec& spec,
                                    const WriteContext&) -> Result<std::string> {
    auto fitted = fit_text(to_text(r.*m), spec, fit, what.empty() ? spec.name : what);
    if (!fitted) return std::unexpected(std::move(fitted.error()));
    return sql::literal(*fitted);
  };
  f.read = [m, column, from_text](const RowReader& row, R& r) -> Status {
    auto text = row.text(column);
    if (!text) return std::unexpected(std::move(text.error()));
    auto v = from_text(*text, r);
    if (!v) return std::unexpected(std::move(v.error()));
    r.*m = std::move(*v);
    return ok();
  };
  return f;
}

// The fields of one record type over one ops table.
template <typename R>
class RecordMap {
 public:
  // Aborts unless `fields` name every column of `table` exactly once, in any order.
  RecordMap(std::string_view table, std::vector<Field<R>> fields) : table_(find_table(table)) {
    if (table_ == nullptr) die("no ops table", table);
    for (const auto& column : table_->columns) {
      const Field<R>* found = nullptr;
      for (const auto& f : fields) {
        if (f.column != column.name) continue;
        if (found != nullptr) die("two fields for column", column.name);
        found = &f;
      }
      if (found == nullptr) die("no field for column", column.name);
      ordered_.push_back(Bound{&column, *found});
    }
    if (fields.size() != ordered_.size()) die("a field names no column of", table);
  }

  [[nodiscard]] const TableSpec& table() const { return *table_; }

  // One literal per column, in table order.
  [[nodiscard]] Result<std::vector<std::string>> row(const R& record, const WriteContext& ctx) const {
    std::vector<std::string> out;
    out.reserve(ordered_.size());
    for (const auto& b : ordered_) {
      auto literal = b.field.write(record, *b.spec, ctx);
      if (!literal) return std::unexpected(std::move(literal.error()));
      out.push_back(std::move(*literal));
    }
    return out;
  }

  // The columns a SELECT lists, in table order: all but the derived ones (unless listed).
  [[nodiscard]] std::vector<std::string_view> selected() const {
    std::vector<std::string_view> out;
    for (const auto& b : ordered_) {
      if (b.field.read || b.field.listed) out.push_back(b.spec->name);
    }
    return out;
  }

  // Reads every selected column of `rows[i]` into a copy of `blank`, in table order.
  [[nodiscard]] Result<R> read(const ports::Rows& rows, std::size_t i, R blank) const {
    const RowReader reader(rows, i);
    for (const auto& b : ordered_) {
      if (!b.field.read) continue;
      if (auto s = b.field.read(reader, blank); !s) return std::unexpected(std::move(s.error()));
    }
    return blank;
  }

 private:
  struct Bound {
    const ColumnSpec* spec;
    Field<R> field;
  };

  [[noreturn]] static void die(std::string_view what, std::string_view name) {
    std::fprintf(stderr, "ops record map: %.*s %.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }

  const TableSpec* table_;
  std::vector<Bound> ordered_;
};

}  // namespace sk::ops::detail
