// Names as types: cluster object names (DatabaseName, TableName, PartitionName), policy-level identifiers
// (TierName, DrillName, AlertName, NotifierName, RepositoryName), generated snapshot labels (SnapshotLabel)
// and the template that generates them (LabelTemplate). Each is valid by construction through its parse();
// errors carry codes "domain.<kind>" (e.g. "domain.table_name") with a message saying what is allowed.
// Immutable values, safe to share between threads.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "kernel/domain/time.h"

namespace sk {

namespace detail {
// Shared storage and comparison for the name types below; not used directly.
template <typename Derived>
class NameBase {
 public:
  [[nodiscard]] const std::string& str() const { return value_; }
  friend bool operator==(const Derived& a, const Derived& b) { return a.str() == b.str(); }
  friend std::strong_ordering operator<=>(const Derived& a, const Derived& b) { return a.str() <=> b.str(); }

 protected:
  explicit NameBase(std::string v) : value_(std::move(v)) {}

 private:
  std::string value_;
};
}  // namespace detail

// ---- Cluster object names: may come from a hostile inventory; always quoted when rendered into SQL. ----
// Non-empty, valid UTF-8, no NUL or other control characters (< 0x20, 0x7f); backticks and quotes allowed.
// Length in bytes: at most 256 for databases, 64 for tables and partitions.

class DatabaseName : public detail::NameBase<DatabaseName> {
 public:
  static constexpr std::size_t kMaxBytes = 256;
  [[nodiscard]] static Result<DatabaseName> parse(std::string_view text);  // "domain.database_name"
 private:
  using NameBase::NameBase;
};

class TableName : public detail::NameBase<TableName> {
 public:
  static constexpr std::size_t kMaxBytes = 64;
  [[nodiscard]] static Result<TableName> parse(std::string_view text);  // "domain.table_name"
 private:
  using NameBase::NameBase;
};

class PartitionName : public detail::NameBase<PartitionName> {
 public:
  static constexpr std::size_t kMaxBytes = 64;
  [[nodiscard]] static Result<PartitionName> parse(std::string_view text);  // "domain.partition_name"
 private:
  using NameBase::NameBase;
};

// A table named with its database, as the restore commands take it: "db.table", or with backticks around a part
// that contains '.' or '`' ("`my.db`.dim_t", "`my.db`.`t`", a backtick inside doubled). An unquoted text with more
// than one '.' is ambiguous and refused ("domain.table_name", naming the quoted forms).
struct QualifiedTable {
  DatabaseName database;
  TableName table;
};
[[nodiscard]] Result<QualifiedTable> parse_qualified_table(std::string_view text);

// ---- Policy-level identifiers: [A-Za-z_][A-Za-z0-9_]*, at most 64 characters. ----

class TierName : public detail::NameBase<TierName> {
 public:
  static constexpr std::size_t kMaxBytes = 64;
  [[nodiscard]] static Result<TierName> parse(std::string_view text);  // "domain.tier_name"
 private:
  using NameBase::NameBase;
};

class DrillName : public detail::NameBase<DrillName> {
 public:
  static constexpr std::size_t kMaxBytes = 64;
  [[nodiscard]] static Result<DrillName> parse(std::string_view text);  // "domain.drill_name"
 private:
  using NameBase::NameBase;
};

class AlertName : public detail::NameBase<AlertName> {
 public:
  static constexpr std::size_t kMaxBytes = 64;
  [[nodiscard]] static Result<AlertName> parse(std::string_view text);  // "domain.alert_name"
 private:
  using NameBase::NameBase;
};

class NotifierName : public detail::NameBase<NotifierName> {
 public:
  static constexpr std::size_t kMaxBytes = 64;
  [[nodiscard]] static Result<NotifierName> parse(std::string_view text);  // "domain.notifier_name"
 private:
  using NameBase::NameBase;
};

// Also a StarRocks identifier (CREATE REPOSITORY <name>); the same rule keeps it usable unquoted.
class RepositoryName : public detail::NameBase<RepositoryName> {
 public:
  static constexpr std::size_t kMaxBytes = 64;
  [[nodiscard]] static Result<RepositoryName> parse(std::string_view text);  // "domain.repository_name"
 private:
  using NameBase::NameBase;
};

// A snapshot label we generate: a plain StarRocks identifier [A-Za-z_][A-Za-z0-9_]*, 1..128 characters.
class SnapshotLabel : public detail::NameBase<SnapshotLabel> {
 public:
  static constexpr std::size_t kMaxBytes = 128;
  [[nodiscard]] static Result<SnapshotLabel> parse(std::string_view text);  // "domain.snapshot_label"
 private:
  using NameBase::NameBase;
};

// A label template such as "{db}_{date}_{suffix}". Literal text: [A-Za-z0-9_]. Placeholders:
//   {db}     the database name, sanitised: every character (UTF-8 code point) outside [A-Za-z0-9_] becomes
//   '_';
//            if anything was replaced, "_h" + 8 hex digits of a stable hash (FNV-1a 32) of the original name
//            is appended so that e.g. "a-b" and "a_b" never share labels in one repository; a name longer
//            than 48 characters after sanitising is cut to 48 and gets the hash too;
//   {tier}   the tier name;   {date} yyyyMMdd of the local slot;   {time} HHmm of the local slot;
//   {suffix} a caller-supplied suffix ([A-Za-z0-9_]*, e.g. "inc", "full", "r1").
// parse() ("domain.label_template") requires {db} and {date} (labels must be unique per database and slot in
// a shared repository), and rejects templates whose first element could start the label with a digit ({date},
// {time} or a literal digit). If the rendered {db} starts with a digit, '_' is prepended to the label.
class LabelTemplate {
 public:
  static constexpr std::string_view kDefault = "{db}_{date}_{suffix}";
  // The default of a tier that fires several times a day (every 4 hours from 00:30): one label per slot.
  static constexpr std::string_view kDefaultSubDaily = "{db}_{date}_{time}_{suffix}";
  [[nodiscard]] static Result<LabelTemplate> parse(std::string_view text);

  [[nodiscard]] const std::string& str() const { return text_; }
  [[nodiscard]] bool uses(std::string_view placeholder) const;  // uses("time") for "{time}"
  // The text every label the template renders for `tier` (with `suffix`) starts with: the literals, {tier} and
  // {suffix} up to the first {db}, {date} or {time}. "" for the default "{db}_{date}_{suffix}".
  [[nodiscard]] std::string constant_prefix(const TierName& tier, std::string_view suffix) const;
  // local_slot is the slot's nominal local time (Schedule::Slot::local), not to_local() of its firing
  // instant. Fails ("domain.snapshot_label") when the suffix has characters outside [A-Za-z0-9_] or the label
  // would exceed 128 characters.
  [[nodiscard]] Result<SnapshotLabel> render(const DatabaseName& db, const TierName& tier,
                                             std::string_view suffix, CivilSecond local_slot) const;

  friend bool operator==(const LabelTemplate& a, const LabelTemplate& b) { return a.text_ == b.text_; }

 private:
  enum class Part { kLiteral, kDb, kTier, kDate, kTime, kSuffix };
  struct Piece {
    Part part;
    std::string literal;
    friend bool operator==(const Piece&, const Piece&) = default;
  };
  static std::optional<Part> part_named(std::string_view placeholder);
  LabelTemplate(std::string text, std::vector<Piece> pieces)
      : text_(std::move(text)), pieces_(std::move(pieces)) {}
  std::string text_;
  std::vector<Piece> pieces_;
};

// The {db} rendering used by LabelTemplate (exposed for tests and for explaining labels to users).
[[nodiscard]] std::string sanitize_for_label(const DatabaseName& db);

}  // namespace sk

namespace sk::detail {
struct NameHash {
  template <typename T>
  size_t operator()(const T& name) const noexcept {
    return std::hash<std::string>{}(name.str());
  }
};
}  // namespace sk::detail

template <>
struct std::hash<sk::DatabaseName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::TableName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::PartitionName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::TierName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::DrillName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::AlertName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::NotifierName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::RepositoryName> : sk::detail::NameHash {};
template <>
struct std::hash<sk::SnapshotLabel> : sk::detail::NameHash {};
