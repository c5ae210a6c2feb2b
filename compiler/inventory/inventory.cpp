#include "compiler/inventory/inventory.h"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/inventory/json_cursor.h"

namespace sk::inventory {
namespace {

using detail::JsonCursor;
using diag::Code;
using diag::SourceRange;

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the era/day-of-era method: an era is the
// 400-year cycle of 146097 days, counted from 0000-03-01 so that a leap day ends its year).
constexpr int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int year_of_era = y - era * 400;
  const int day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return int64_t{era} * 146097 + day_of_era - 719468;
}
static_assert(days_from_civil(1970, 1, 1) == 0 && days_from_civil(2000, 3, 1) == 11017 &&
              days_from_civil(1969, 12, 31) == -1 && days_from_civil(1, 1, 1) == -719162);

constexpr int days_in_month(int y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// "2025-09-14T01:00:00Z": the form exporters write; parsed with integer arithmetic, without the zone database or
// civil-time normalisation (a million partitions each have one). Anything else goes to Instant::parse.
std::optional<Instant> parse_utc_fast(std::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') {
    return std::nullopt;
  }
  auto num = [&](size_t at, size_t len, int& out) {
    out = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) || !num(17, 2, se)) {
    return std::nullopt;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59) {
    return std::nullopt;  // 2025-02-30 is not a day: Instant::parse reports it
  }
  constexpr int64_t kDaySeconds = 86400;
  return Instant::from_unix_seconds(days_from_civil(y, mo, d) * kDaySeconds + int64_t{h} * 3600 +
                                    int64_t{mi} * 60 + se);
}

// JSON paths ("tables[3].partitions[0].id") are built only when a diagnostic needs one: hot loops pass a callable
// that formats it, other callers a ready string.
template <typename P>
std::string path_text(const P& path) {
  if constexpr (std::is_invocable_v<const P&>) {
    return path();
  } else {
    return std::string(path);
  }
}

bool valid_class(std::string_view c) {
  if (c.empty() || c[0] < 'a' || c[0] > 'z') return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Loader {
 public:
  Loader(std::string_view text, diag::DiagnosticSink& sink) : text_(text), c_(text), sink_(sink) {}

  std::optional<Inventory> run() {
    const size_t errors_before = sink_.error_count();
    read_document();
    if (c_.failed()) {
      sink_.report(Code::kInventoryInvalidJson, SourceRange{c_.error_offset(), c_.error_offset() + 1}, c_.error());
      return std::nullopt;
    }
    check_duplicates();
    check_cluster_membership();
    if (sink_.error_count() > errors_before) return std::nullopt;
    return std::move(inv_);
  }

 private:
  SourceRange here() {
    uint32_t b = c_.value_begin();
    return SourceRange{b, b};
  }
  SourceRange since(uint32_t begin) const { return SourceRange{begin, std::max(begin, c_.last_end())}; }

  // Reports a type mismatch at the next value and skips it.
  template <typename P>
  void wrong_type(const P& path, std::string_view expected) {
    uint32_t b = c_.value_begin();
    JsonCursor::Type t = c_.peek();
    c_.skip_value();
    if (c_.failed()) return;
    sink_.report(Code::kInventoryWrongType, since(b), path_text(path), expected, JsonCursor::describe(t));
  }

  void unknown_field(const std::string& path, std::string_view key, const std::vector<std::string>& known) {
    auto& d = sink_.report(Code::kInventoryUnknownField, SourceRange{c_.key_begin(), c_.key_end()}, path_text(path), key);
    if (auto m = diag::closest_match(key, known)) d.suggest(fmt::format("\"{}\"", *m));
    c_.skip_value();
  }

  template <typename P>
  std::optional<std::string_view> string_field(const P& path) {
    if (auto s = c_.read_string()) return s;
    wrong_type(path, "a string");
    return std::nullopt;
  }

  template <typename P>
  std::optional<int64_t> count_field(const P& path) {
    uint32_t b = c_.value_begin();
    if (auto v = c_.read_int()) {
      if (*v < 0) {
        sink_.report(Code::kInventoryNegativeNumber, since(b), path_text(path), *v);
        return std::nullopt;
      }
      return v;
    }
    wrong_type(path, "a non-negative integer");
    return std::nullopt;
  }

  // Instant or null.
  template <typename P>
  std::optional<Instant> instant_field(const P& path, bool& ok) {
    ok = true;
    if (c_.read_null()) return std::nullopt;
    uint32_t b = c_.value_begin();
    auto s = c_.read_string();
    if (!s) {
      wrong_type(path, "an instant string such as \"2025-09-14T01:00:00Z\" or null");
      ok = false;
      return std::nullopt;
    }
    if (auto fast = parse_utc_fast(*s)) return fast;
    auto parsed = Instant::parse(*s, TimeZone::utc());
    if (!parsed) {
      sink_.report(Code::kInventoryInvalidInstant, since(b), path_text(path), parsed.error().message);
      ok = false;
      return std::nullopt;
    }
    return *parsed;
  }

  template <typename Name, typename P>
  std::optional<Name> name_field(const P& path) {
    uint32_t b = c_.value_begin();
    auto s = c_.read_string();
    if (!s) {
      wrong_type(path, "a string");
      return std::nullopt;
    }
    auto parsed = Name::parse(*s);
    if (!parsed) {
      sink_.report(Code::kInventoryInvalidName, since(b), path_text(path), parsed.error().message);
      return std::nullopt;
    }
    return std::move(*parsed);
  }

  void missing(const std::string& path, std::string_view field, SourceRange object_range) {
    sink_.report(Code::kInventoryMissingField, SourceRange{object_range.begin, object_range.begin + 1}, path, field);
  }

  void read_document() {
    if (!c_.begin_object()) {
      if (c_.failed()) return;
      wrong_type("the inventory", "an object");
      return;
    }
    const SourceRange doc{c_.last_end(), c_.last_end()};
    bool have_version = false, have_tables = false;
    std::string_view key;
    for (bool first = true; c_.next_member(first, key);) {
      if (key == "inventory_version") {
        have_version = true;
        uint32_t b = c_.value_begin();
        if (auto v = c_.read_int()) {
          if (*v != 1) sink_.report(Code::kInventoryUnsupportedVersion, since(b), *v);
          inv_.version = static_cast<int>(*v);
        } else {
          wrong_type("inventory_version", "the integer 1");
        }
      } else if (key == "generated_at") {
        bool ok = true;
        inv_.generated_at = instant_field("generated_at", ok);
      } else if (key == "cluster_databases") {
        read_cluster_databases();
      } else if (key == "tables") {
        have_tables = true;
        read_tables();
      } else {
        unknown_field("the inventory", key, {"inventory_version", "generated_at", "cluster_databases", "tables"});
      }
    }
    if (c_.failed()) return;
    c_.expect_end();
    if (c_.failed()) return;
    if (!have_version) missing("the inventory", "inventory_version", SourceRange{0, 0});
    if (!have_tables) missing("the inventory", "tables", SourceRange{0, 0});
    (void)doc;
  }

  void read_cluster_databases() {
    if (!c_.begin_array()) {
      wrong_type("cluster_databases", "an array");
      return;
    }
    size_t i = 0;
    for (bool first = true; c_.next_element(first); ++i) {
      const std::string path = fmt::format("cluster_databases[{}]", i);
      uint32_t b = c_.value_begin();
      if (c_.peek() == JsonCursor::Type::kString) {
        if (auto n = name_field<DatabaseName>(path)) {
          inv_.cluster_databases.push_back(ClusterDatabase{std::move(*n), std::nullopt, since(b)});
        }
        continue;
      }
      if (!c_.begin_object()) {
        wrong_type(path, "a database name or an object {\"name\": …, \"tables\": […]}");
        continue;
      }
      std::optional<DatabaseName> name;
      std::optional<std::vector<TableName>> tables;
      std::string_view key;
      for (bool f = true; c_.next_member(f, key);) {
        if (key == "name") {
          name = name_field<DatabaseName>(path + ".name");
        } else if (key == "tables") {
          if (!c_.begin_array()) {
            wrong_type(path + ".tables", "an array of table names");
            continue;
          }
          tables.emplace();
          size_t j = 0;
          for (bool f2 = true; c_.next_element(f2); ++j) {
            if (auto t = name_field<TableName>(fmt::format("{}.tables[{}]", path, j))) tables->push_back(std::move(*t));
          }
        } else {
          unknown_field(path, key, {"name", "tables"});
        }
      }
      if (c_.failed()) return;
      if (!name) {
        missing(path, "name", since(b));
        continue;
      }
      inv_.cluster_databases.push_back(ClusterDatabase{std::move(*name), std::move(tables), since(b)});
    }
  }

  void read_tables() {
    if (!c_.begin_array()) {
      wrong_type("tables", "an array");
      return;
    }
    size_t i = 0;
    for (bool first = true; c_.next_element(first); ++i) read_table(i);
  }

  void read_table(size_t index) {
    const uint32_t b = c_.value_begin();
    if (!c_.begin_object()) {
      wrong_type(fmt::format("tables[{}]", index), "an object");
      return;
    }
    std::optional<DatabaseName> db;
    std::optional<TableName> table;
    std::string table_class;
    bool partitioned = false, have_partitioned = false, bad = false;
    std::map<std::string, bool> eligibility;
    std::vector<PartitionEntry> partitions;
    auto path = [&](std::string_view field) { return fmt::format("tables[{}].{}", index, field); };
    std::string_view key;
    for (bool first = true; c_.next_member(first, key);) {
      if (key == "database") {
        db = name_field<DatabaseName>([&] { return path("database"); });
        bad |= !db;
      } else if (key == "table") {
        table = name_field<TableName>([&] { return path("table"); });
        bad |= !table;
      } else if (key == "class") {
        if (c_.read_null()) continue;
        uint32_t vb = c_.value_begin();
        auto s = string_field([&] { return path("class"); });
        if (!s) {
          bad = true;
          continue;
        }
        if (!s->empty() && !valid_class(*s)) {
          auto& d = sink_.report(Code::kInventoryBadClass, since(vb), path("class"), *s);
          std::string l = lower(*s);
          if (valid_class(l)) d.suggest(fmt::format("\"{}\"", l));
          bad = true;
          continue;
        }
        table_class.assign(*s);
      } else if (key == "partitioned") {
        if (auto v = c_.read_bool()) {
          partitioned = *v;
          have_partitioned = true;
        } else {
          wrong_type(path("partitioned"), "true or false");
          bad = true;
        }
      } else if (key == "eligibility") {
        if (!c_.begin_object()) {
          wrong_type(path("eligibility"), "an object {\"<tier>\": true|false}");
          bad = true;
          continue;
        }
        std::string_view tier;
        for (bool f = true; c_.next_member(f, tier);) {
          std::string tier_name(tier);
          if (auto v = c_.read_bool()) {
            eligibility[std::move(tier_name)] = *v;
          } else {
            wrong_type(path("eligibility." + tier_name), "true or false");
            bad = true;
          }
        }
      } else if (key == "partitions") {
        read_partitions(index, bad);
        // Copied out of the reused scratch list at their final size: one allocation per table, not one per doubling.
        partitions.assign(std::make_move_iterator(partitions_.begin()), std::make_move_iterator(partitions_.end()));
      } else {
        unknown_field(fmt::format("tables[{}]", index), key,
                      {"database", "table", "class", "partitioned", "eligibility", "partitions"});
      }
    }
    if (c_.failed()) return;
    const SourceRange range = since(b);
    if (!db && !bad) missing(fmt::format("tables[{}]", index), "database", range), bad = true;
    if (!table && !bad) missing(fmt::format("tables[{}]", index), "table", range), bad = true;
    if (!have_partitioned && !bad) missing(fmt::format("tables[{}]", index), "partitioned", range), bad = true;
    if (bad || !db || !table) return;
    if (!partitioned && partitions.size() > 1) {
      sink_.report(Code::kInventoryUnpartitionedWithPartitions, range, db->str(), table->str(), partitions.size());
    }
    inv_.tables.push_back(TableEntry{std::move(*db), std::move(*table), std::move(table_class), partitioned,
                                     std::move(eligibility), std::move(partitions), range});
  }

  // Reads a table's partitions into partitions_.
  void read_partitions(size_t table_index, bool& bad) {
    std::vector<PartitionEntry>& out = partitions_;
    out.clear();
    const std::string base = fmt::format("tables[{}].partitions", table_index);
    if (!c_.begin_array()) {
      wrong_type(base, "an array");
      bad = true;
      return;
    }
    size_t i = 0;
    for (bool first = true; c_.next_element(first); ++i) {
      const uint32_t b = c_.value_begin();
      if (!c_.begin_object()) {
        wrong_type(fmt::format("{}[{}]", base, i), "an object");
        bad = true;
        continue;
      }
      std::optional<PartitionName> name;
      static const PartitionName kPlaceholder = PartitionName::parse("p").value();
      PartitionEntry e{kPlaceholder, 0, 0, std::nullopt, 0, 0};
      bool have_id = false, have_version = false, ok = true;
      auto path = [&](std::string_view field) { return fmt::format("{}[{}].{}", base, i, field); };
      std::string_view key;
      for (bool f = true; c_.next_member(f, key);) {
        if (key == "name") {
          name = name_field<PartitionName>([&] { return path("name"); });
          ok &= name.has_value();
        } else if (key == "id") {
          auto v = count_field([&] { return path("id"); });
          ok &= v.has_value();
          have_id = true;
          e.id = v.value_or(0);
        } else if (key == "visible_version") {
          auto v = count_field([&] { return path("visible_version"); });
          ok &= v.has_value();
          have_version = true;
          e.visible_version = v.value_or(0);
        } else if (key == "visible_version_time") {
          bool fine = true;
          e.visible_version_time = instant_field([&] { return path("visible_version_time"); }, fine);
          ok &= fine;
        } else if (key == "row_count") {
          auto v = count_field([&] { return path("row_count"); });
          ok &= v.has_value();
          e.row_count = v.value_or(0);
        } else if (key == "data_size") {
          auto v = count_field([&] { return path("data_size"); });
          ok &= v.has_value();
          e.data_size = v.value_or(0);
        } else {
          unknown_field(fmt::format("{}[{}]", base, i), key,
                        {"name", "id", "visible_version", "visible_version_time", "row_count", "data_size"});
        }
      }
      if (c_.failed()) return;
      auto where = [&] { return fmt::format("{}[{}]", base, i); };
      if (!name && ok) missing(where(), "name", since(b)), ok = false;
      if (!have_id && ok) missing(where(), "id", since(b)), ok = false;
      if (!have_version && ok) missing(where(), "visible_version", since(b)), ok = false;
      if (!ok) {
        bad = true;
        continue;
      }
      e.name = std::move(*name);
      out.push_back(std::move(e));
      partition_ranges_.push_back(since(b));
      partition_indices_.push_back(i);
    }
    check_partition_duplicates(table_index, out);
    partition_ranges_.clear();
    partition_indices_.clear();
  }

  void check_partition_duplicates(size_t table_index, const std::vector<PartitionEntry>& parts) {
    if (parts.size() < 2) return;
    // Most inventories list a table's partitions in name order (SHOW PARTITIONS does): then no two are equal if no
    // two neighbours are, and one comparison per partition proves it.
    size_t sorted = 1;
    while (sorted < parts.size() && parts[sorted - 1].name.str() < parts[sorted].name.str()) ++sorted;
    if (sorted == parts.size()) return;
    std::vector<uint32_t> order(parts.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const int c = parts[a].name.str().compare(parts[b].name.str());
      return c != 0 ? c < 0 : a < b;
    });
    for (size_t k = 1; k < order.size(); ++k) {
      if (parts[order[k]].name == parts[order[k - 1]].name) {
        sink_.report(Code::kInventoryDuplicatePartition, partition_ranges_[order[k]],
                     fmt::format("tables[{}].partitions[{}]", table_index, partition_indices_[order[k]]), parts[order[k]].name.str())
            .note(partition_ranges_[order[k - 1]], "first listed here");
      }
    }
  }

  void check_duplicates() {
    std::unordered_map<std::string, size_t> seen;
    seen.reserve(inv_.tables.size());
    for (size_t i = 0; i < inv_.tables.size(); ++i) {
      const TableEntry& t = inv_.tables[i];
      std::string key = t.database.str();
      key += '\0';
      key += t.table.str();
      auto [it, inserted] = seen.emplace(std::move(key), i);
      if (!inserted) {
        sink_.report(Code::kInventoryDuplicateTable, t.range, t.database.str(), t.table.str())
            .note(inv_.tables[it->second].range, "first listed here");
      }
    }
  }

  void check_cluster_membership() {
    if (inv_.cluster_databases.empty()) return;
    std::vector<std::string_view> names;
    names.reserve(inv_.cluster_databases.size());
    for (const auto& d : inv_.cluster_databases) names.push_back(d.name.str());
    std::sort(names.begin(), names.end());
    std::string_view last_reported;
    for (const TableEntry& t : inv_.tables) {
      if (std::binary_search(names.begin(), names.end(), std::string_view(t.database.str()))) continue;
      if (t.database.str() == last_reported) continue;  // one warning per run of tables of one database
      last_reported = t.database.str();
      sink_.report(Code::kInventoryDatabaseNotInCluster, t.range, t.database.str(), t.table.str());
    }
  }

  std::string_view text_;
  JsonCursor c_;
  diag::DiagnosticSink& sink_;
  Inventory inv_;
  std::vector<PartitionEntry> partitions_;     // the current table's partitions (reused from table to table)
  std::vector<SourceRange> partition_ranges_;  // of the partitions read so far in the current table
  std::vector<size_t> partition_indices_;      // their indices in the file
};

}  // namespace

bool TableEntry::eligible_for(std::string_view tier) const {
  if (eligibility.empty()) return true;
  auto it = eligibility.find(std::string(tier));
  return it == eligibility.end() || it->second;
}

std::string TableEntry::display_name() const { return database.str() + "." + table.str(); }

namespace {

// The distinct values of field(table) over `tables`, sorted (empty strings skipped): each goes into a short sorted list
// (O(log d) per table for d distinct values, a hundred databases or a few classes among 100k tables) instead of one
// entry per table sorted afterwards; a run of equal values costs no search.
template <typename T, typename Field>
std::vector<T> distinct_sorted(const std::vector<TableEntry>& tables, Field field) {
  std::vector<T> out;
  const T* last = nullptr;
  for (const TableEntry& t : tables) {
    const T& value = field(t);
    if constexpr (std::is_same_v<T, std::string>) {
      if (value.empty()) continue;  // an unclassified table
    }
    if (last != nullptr && *last == value) continue;
    auto it = std::lower_bound(out.begin(), out.end(), value);
    if (it == out.end() || value < *it) out.insert(it, value);
    last = &value;
  }
  return out;
}

}  // namespace

std::vector<DatabaseName> Inventory::databases() const {
  return distinct_sorted<DatabaseName>(tables, [](const TableEntry& t) -> const DatabaseName& { return t.database; });
}

std::vector<std::string> Inventory::classes() const {
  return distinct_sorted<std::string>(tables, [](const TableEntry& t) -> const std::string& { return t.table_class; });
}

const std::vector<std::string>& default_rule_classes() {
  static const std::vector<std::string> classes = {"dimension", "fact"};
  return classes;
}

std::optional<Inventory> load_inventory_json(std::string_view text, diag::DiagnosticSink& sink) {
  return Loader(text, sink).run();
}

Result<Inventory> load_inventory_json(std::string_view text) {
  diag::DiagnosticSink sink;
  auto inv = load_inventory_json(text, sink);
  if (inv) return std::move(*inv);
  for (const diag::Diagnostic& d : sink.diagnostics()) {
    if (d.severity == diag::Severity::kError) return sk::fail("inventory.invalid", "{}", d.message);
  }
  return sk::fail("inventory.invalid", "the inventory could not be loaded");
}

}  // namespace sk::inventory
