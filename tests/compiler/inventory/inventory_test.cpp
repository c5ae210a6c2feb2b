// Loading the JSON inventory: the happy path, every inventory diagnostic, positions and hostile input.
#include "compiler/inventory/inventory.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "compiler/inventory/json_cursor.h"

namespace sk::inventory {
namespace {

using diag::Code;

struct Loaded {
  std::optional<Inventory> inventory;
  diag::DiagnosticSink sink;
};

Loaded load(std::string_view text) {
  Loaded out;
  out.inventory = load_inventory_json(text, out.sink);
  return out;
}

std::vector<Code> codes(const diag::DiagnosticSink& sink) {
  std::vector<Code> out;
  for (const auto& d : sink.diagnostics()) out.push_back(d.code);
  return out;
}

constexpr std::string_view kGood = R"({
  "inventory_version": 1,
  "generated_at": "2025-09-13T22:00:00Z",
  "cluster_databases": ["sales", {"name": "crm", "tables": ["contacts"]}],
  "tables": [
    {"database": "sales", "table": "orders", "class": "fact", "partitioned": true,
     "eligibility": {"daily": false},
     "partitions": [
       {"name": "p20250912", "id": 10012, "visible_version": 7, "visible_version_time": "2025-09-12T23:59:00Z",
        "row_count": 1000, "data_size": 123456},
       {"name": "p20250913", "id": 10013, "visible_version": 3, "visible_version_time": null}
     ]},
    {"database": "crm", "table": "contacts", "class": "dimension", "partitioned": false, "partitions": []},
    {"database": "sales", "table": "scratch", "class": null, "partitioned": false}
  ]
})";

TEST(LoadInventory, ReadsEveryField) {
  Loaded r = load(kGood);
  ASSERT_TRUE(r.inventory) << (r.sink.diagnostics().empty() ? "" : r.sink.diagnostics()[0].message);
  EXPECT_TRUE(r.sink.diagnostics().empty());
  const Inventory& inv = *r.inventory;
  EXPECT_EQ(inv.version, 1);
  ASSERT_TRUE(inv.generated_at);
  EXPECT_EQ(inv.generated_at->to_iso8601_utc(), "2025-09-13T22:00:00Z");
  ASSERT_EQ(inv.cluster_databases.size(), 2u);
  EXPECT_EQ(inv.cluster_databases[0].name.str(), "sales");
  EXPECT_FALSE(inv.cluster_databases[0].tables);
  ASSERT_TRUE(inv.cluster_databases[1].tables);
  EXPECT_EQ(inv.cluster_databases[1].tables->at(0).str(), "contacts");
  ASSERT_EQ(inv.tables.size(), 3u);
  const TableEntry& orders = inv.tables[0];
  EXPECT_EQ(orders.display_name(), "sales.orders");
  EXPECT_EQ(orders.table_class, "fact");
  EXPECT_TRUE(orders.partitioned);
  EXPECT_FALSE(orders.eligible_for("daily"));
  EXPECT_TRUE(orders.eligible_for("weekly"));
  ASSERT_EQ(orders.partitions.size(), 2u);
  EXPECT_EQ(orders.partitions[0].name.str(), "p20250912");
  EXPECT_EQ(orders.partitions[0].id, 10012);
  EXPECT_EQ(orders.partitions[0].visible_version, 7);
  EXPECT_EQ(orders.partitions[0].visible_version_time->to_iso8601_utc(), "2025-09-12T23:59:00Z");
  EXPECT_EQ(orders.partitions[0].row_count, 1000);
  EXPECT_EQ(orders.partitions[0].data_size, 123456);
  EXPECT_FALSE(orders.partitions[1].visible_version_time);
  EXPECT_EQ(inv.tables[2].table_class, "");  // null class: unclassified
  EXPECT_EQ(inv.databases().size(), 2u);
  EXPECT_EQ(inv.databases()[0].str(), "crm");
  // The range of a table covers its object.
  EXPECT_EQ(kGood.substr(orders.range.begin, 1), "{");
  EXPECT_EQ(kGood.substr(orders.range.end - 1, 1), "}");
}

TEST(LoadInventory, OffsetInstantsAreAccepted) {
  Loaded r = load(R"({"inventory_version":1,"generated_at":"2025-09-14T03:00:00+02:00","tables":[]})");
  ASSERT_TRUE(r.inventory);
  EXPECT_EQ(r.inventory->generated_at->to_iso8601_utc(), "2025-09-14T01:00:00Z");
}

TEST(LoadInventory, InvalidJsonPointsAtTheOffendingByte) {
  std::string_view text = R"({"inventory_version": 1, "tables": [ {"database": "a",, } ]})";
  Loaded r = load(text);
  EXPECT_FALSE(r.inventory);
  ASSERT_EQ(codes(r.sink), std::vector<Code>{Code::kInventoryInvalidJson});
  const auto& d = r.sink.diagnostics()[0];
  ASSERT_TRUE(d.range);
  EXPECT_EQ(text[d.range->begin], ',');
  EXPECT_NE(d.message.find("expected a member name"), std::string::npos) << d.message;
}

TEST(LoadInventory, TruncatedAndTrailingText) {
  EXPECT_EQ(codes(load(R"({"inventory_version": 1, "tables": [)").sink),
            std::vector<Code>{Code::kInventoryInvalidJson});
  EXPECT_EQ(codes(load(R"({"inventory_version": 1, "tables": []} x)").sink),
            std::vector<Code>{Code::kInventoryInvalidJson});
  EXPECT_EQ(codes(load("").sink), std::vector<Code>{Code::kInventoryInvalidJson});
  EXPECT_EQ(codes(load(R"({"tables": ["\x"]})").sink), std::vector<Code>{Code::kInventoryInvalidJson});
}

TEST(LoadInventory, WrongTypesReportThePathAndContinue) {
  Loaded r = load(R"({"inventory_version": 1, "tables": [
    {"database": "sales", "table": 5, "partitioned": true},
    {"database": "sales", "table": "t", "partitioned": "yes"},
    {"database": "sales", "table": "u", "partitioned": true, "partitions": [{"name": "p1", "id": 1.5, "visible_version": 1}]}
  ]})");
  EXPECT_FALSE(r.inventory);
  ASSERT_EQ(codes(r.sink), (std::vector<Code>{Code::kInventoryWrongType, Code::kInventoryWrongType,
                                              Code::kInventoryWrongType}));
  EXPECT_EQ(r.sink.diagnostics()[0].message, "tables[0].table: expected a string, found a number");
  EXPECT_EQ(r.sink.diagnostics()[1].message, "tables[1].partitioned: expected true or false, found a string");
  EXPECT_EQ(r.sink.diagnostics()[2].message,
            "tables[2].partitions[0].id: expected a non-negative integer, found a number");
}

TEST(LoadInventory, MissingFieldsAndVersion) {
  Loaded r = load(R"({"tables": [{"database": "sales", "partitioned": true}]})");
  EXPECT_FALSE(r.inventory);
  EXPECT_EQ(codes(r.sink), (std::vector<Code>{Code::kInventoryMissingField, Code::kInventoryMissingField}));
  EXPECT_EQ(r.sink.diagnostics()[0].message, "tables[0]: missing required field 'table'");
  EXPECT_EQ(r.sink.diagnostics()[1].message, "the inventory: missing required field 'inventory_version'");
  Loaded v2 = load(R"({"inventory_version": 2, "tables": []})");
  EXPECT_EQ(codes(v2.sink), std::vector<Code>{Code::kInventoryUnsupportedVersion});
}

TEST(LoadInventory, UnknownFieldIsAWarningWithSuggestion) {
  Loaded r = load(R"({"inventory_version": 1, "tables": [
    {"database": "sales", "table": "t", "partitioned": false, "clas": "fact"}]})");
  ASSERT_TRUE(r.inventory);
  ASSERT_EQ(codes(r.sink), std::vector<Code>{Code::kInventoryUnknownField});
  EXPECT_EQ(r.sink.diagnostics()[0].severity, diag::Severity::kWarning);
  EXPECT_EQ(r.sink.diagnostics()[0].did_you_mean, "\"class\"");
}

TEST(LoadInventory, BadClassSuggestsLowerCase) {
  Loaded r = load(R"({"inventory_version": 1, "tables": [
    {"database": "sales", "table": "t", "partitioned": false, "class": "Fact"},
    {"database": "sales", "table": "u", "partitioned": false, "class": "fact table"}]})");
  EXPECT_FALSE(r.inventory);
  ASSERT_EQ(codes(r.sink), (std::vector<Code>{Code::kInventoryBadClass, Code::kInventoryBadClass}));
  EXPECT_EQ(r.sink.diagnostics()[0].did_you_mean, "\"fact\"");
  EXPECT_FALSE(r.sink.diagnostics()[1].did_you_mean);
}

TEST(LoadInventory, InvalidNamesUseTheDomainRules) {
  std::string long_name(65, 'x');
  Loaded r = load(R"({"inventory_version": 1, "tables": [
    {"database": "sales", "table": ")" + long_name + R"(", "partitioned": false},
    {"database": "", "table": "t", "partitioned": false},
    {"database": "sales", "table": "bad\u0001", "partitioned": false}]})");
  EXPECT_FALSE(r.inventory);
  ASSERT_EQ(codes(r.sink), (std::vector<Code>{Code::kInventoryInvalidName, Code::kInventoryInvalidName,
                                              Code::kInventoryInvalidName}));
  EXPECT_EQ(r.sink.diagnostics()[0].message.rfind("tables[0].table: ", 0), 0u) << r.sink.diagnostics()[0].message;
  EXPECT_EQ(r.sink.diagnostics()[1].message.rfind("tables[1].database: ", 0), 0u);
}

TEST(LoadInventory, HostileButValidNamesAreKeptVerbatim) {
  Loaded r = load(R"({"inventory_version": 1, "tables": [
    {"database": "x`; DROP DATABASE x; --", "table": "it's \"quoted\" \u00e4\ud83d\ude00", "partitioned": false}]})");
  ASSERT_TRUE(r.inventory) << r.sink.diagnostics()[0].message;
  EXPECT_EQ(r.inventory->tables[0].database.str(), "x`; DROP DATABASE x; --");
  EXPECT_EQ(r.inventory->tables[0].table.str(), "it's \"quoted\" \xc3\xa4\xf0\x9f\x98\x80");
}

TEST(LoadInventory, DuplicatesAreErrorsWithANoteAtTheFirst) {
  Loaded r = load(R"({"inventory_version": 1, "tables": [
    {"database": "sales", "table": "t", "partitioned": true,
     "partitions": [{"name": "p1", "id": 1, "visible_version": 1}, {"name": "p1", "id": 2, "visible_version": 1}]},
    {"database": "sales", "table": "t", "partitioned": false}]})");
  EXPECT_FALSE(r.inventory);
  ASSERT_EQ(codes(r.sink), (std::vector<Code>{Code::kInventoryDuplicatePartition, Code::kInventoryDuplicateTable}));
  EXPECT_EQ(r.sink.diagnostics()[0].message,
            "tables[0].partitions[1]: partition 'p1' is listed more than once in this table");
  EXPECT_EQ(r.sink.diagnostics()[1].message, "table sales.t appears more than once in the inventory");
  ASSERT_EQ(r.sink.diagnostics()[1].notes.size(), 1u);
}

// The check has a fast path for partitions listed in name order; a duplicate must be found whether it follows its
// twin, ends an ordered run, or comes after the order breaks.
TEST(LoadInventory, DuplicatePartitionsAreFoundInAnyOrder) {
  const auto duplicates = [](std::string_view names) {
    std::string parts;
    int id = 0;
    for (const char c : names) {
      parts += fmt::format(R"({}{{"name": "p{}", "id": {}, "visible_version": 1}})", parts.empty() ? "" : ",", c,
                           ++id);
    }
    Loaded r = load(fmt::format(R"({{"inventory_version": 1, "tables": [{{"database": "s", "table": "t",
                                     "partitioned": true, "partitions": [{}]}}]}})",
                                parts));
    std::vector<std::string> found;
    for (const auto& d : r.sink.diagnostics()) found.push_back(d.message.substr(0, d.message.find(':')));
    return found;
  };
  EXPECT_TRUE(duplicates("1234").empty());
  EXPECT_TRUE(duplicates("4213").empty());
  EXPECT_EQ(duplicates("1223"), (std::vector<std::string>{"tables[0].partitions[2]"}));
  EXPECT_EQ(duplicates("1231"), (std::vector<std::string>{"tables[0].partitions[3]"}));
  EXPECT_EQ(duplicates("3121"), (std::vector<std::string>{"tables[0].partitions[3]"}));
  EXPECT_EQ(duplicates("1111"), (std::vector<std::string>{"tables[0].partitions[1]", "tables[0].partitions[2]",
                                                          "tables[0].partitions[3]"}));
}

TEST(LoadInventory, NegativeNumbersAndBadInstants) {
  Loaded r = load(R"({"inventory_version": 1, "tables": [
    {"database": "sales", "table": "t", "partitioned": true,
     "partitions": [{"name": "p1", "id": 1, "visible_version": -1, "visible_version_time": "yesterday"}]}]})");
  EXPECT_FALSE(r.inventory);
  EXPECT_EQ(codes(r.sink), (std::vector<Code>{Code::kInventoryNegativeNumber, Code::kInventoryInvalidInstant}));
}

TEST(LoadInventory, WarningsForUnpartitionedWithPartitionsAndUnknownDatabase) {
  Loaded r = load(R"({"inventory_version": 1, "cluster_databases": ["crm"], "tables": [
    {"database": "sales", "table": "t", "partitioned": false,
     "partitions": [{"name": "p1", "id": 1, "visible_version": 1}, {"name": "p2", "id": 2, "visible_version": 1}]}]})");
  ASSERT_TRUE(r.inventory);
  EXPECT_EQ(codes(r.sink), (std::vector<Code>{Code::kInventoryUnpartitionedWithPartitions,
                                              Code::kInventoryDatabaseNotInCluster}));
}

// Exporters write "YYYY-MM-DDTHH:MM:SSZ", which the loader reads with its own integer arithmetic: every day of
// leap and non-leap years (century rules included) and the day's edges give what Instant::parse gives, and a day
// that does not exist (2023-02-29, 1900-02-29, 2025-04-31) is an error as it is there.
TEST(LoadInventory, UtcInstantsAgreeWithTheGeneralParserOnEveryDay) {
  std::vector<std::string> valid, invalid;
  for (int y : {1, 1600, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999}) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= 31; ++d) {
        const std::string text = fmt::format("{:04}-{:02}-{:02}T{}Z", y, m, d, d % 2 ? "23:59:59" : "00:00:00");
        (Instant::parse(text, TimeZone::utc()) ? valid : invalid).push_back(text);
      }
    }
  }
  ASSERT_EQ(valid.size(), 10u * 365 + 3);  // 1600, 2000 and 2024 are leap years; 1900 and 2100 are not
  std::string parts;
  for (size_t i = 0; i < valid.size(); ++i) {
    parts += fmt::format(R"({}{{"name": "p{}", "id": {}, "visible_version": 1, "visible_version_time": "{}"}})",
                         i ? ", " : "", i, i, valid[i]);
  }
  Loaded r = load(fmt::format(R"({{"inventory_version": 1, "tables": [{{"database": "d", "table": "t",
      "partitioned": true, "partitions": [{}]}}]}})", parts));
  ASSERT_TRUE(r.inventory) << (r.sink.diagnostics().empty() ? "" : r.sink.diagnostics()[0].message);
  const auto& loaded = r.inventory->tables.at(0).partitions;
  ASSERT_EQ(loaded.size(), valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    EXPECT_EQ(loaded[i].visible_version_time, Instant::parse(valid[i], TimeZone::utc()).value()) << valid[i];
  }
  ASSERT_EQ(invalid.size(), 10u * 12 * 31 - valid.size());
  for (const std::string& text : invalid) {
    Loaded bad = load(fmt::format(R"({{"inventory_version": 1, "tables": [{{"database": "d", "table": "t",
      "partitioned": true, "partitions": [{{"name": "p", "id": 1, "visible_version": 1,
      "visible_version_time": "{}"}}]}}]}})", text));
    EXPECT_FALSE(bad.inventory) << text;
    EXPECT_EQ(codes(bad.sink), std::vector<Code>{Code::kInventoryInvalidInstant}) << text;
  }
}

TEST(LoadInventory, ResultOverloadReturnsTheFirstError) {
  auto bad = load_inventory_json(R"({"inventory_version": 1, "tables": 3})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "inventory.invalid");
  EXPECT_EQ(bad.error().message, "tables: expected an array, found a number");
  EXPECT_TRUE(load_inventory_json(kGood));
}

TEST(JsonCursor, SkipsNestedValuesAndDecodesEscapes) {
  detail::JsonCursor c(R"({"a": [1, {"b": [true, null, -2.5e3]}], "s": "x\n\"\/\u0041"})");
  ASSERT_TRUE(c.begin_object());
  std::string_view key;
  bool first = true;
  ASSERT_TRUE(c.next_member(first, key));
  EXPECT_EQ(key, "a");
  c.skip_value();
  ASSERT_TRUE(c.next_member(first, key));
  EXPECT_EQ(key, "s");
  EXPECT_EQ(c.read_string(), std::optional<std::string_view>("x\n\"/A"));
  EXPECT_FALSE(c.next_member(first, key));
  c.expect_end();
  EXPECT_FALSE(c.failed()) << c.error();
}

// read_int has a one-pass path for short plain integers and the general path for the rest: both give the same
// answers, at the edges of the fast path (17 digits), of int64 and of JSON's number grammar.
TEST(JsonCursor, ReadsIntegersAtEveryEdge) {
  struct Case {
    std::string text;
    std::optional<int64_t> value;  // nullopt: not an int64 (the cursor does not fail)
    bool fails = false;            // a JSON syntax error
  };
  const std::vector<Case> cases = {
      {"0", 0},
      {"-0", 0},
      {"7", 7},
      {"-42", -42},
      {"12345678901234567", 12345678901234567},
      {"-12345678901234567", -12345678901234567},
      {"123456789012345678", 123456789012345678},
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"9223372036854775808", std::nullopt},
      {"1.5", std::nullopt},
      {"1e3", std::nullopt},
      {"10E1", std::nullopt},
      {"1.", std::nullopt, true},
      {"-", std::nullopt, true},
      {"-x", std::nullopt, true},
  };
  for (const Case& k : cases) {
    detail::JsonCursor c(k.text);
    EXPECT_EQ(c.read_int(), k.value) << k.text;
    EXPECT_EQ(c.failed(), k.fails) << k.text;
  }
  // A leading zero ends the number: "01" reads 0 and leaves "1", which the caller then finds out of place.
  detail::JsonCursor zero("[01]");
  ASSERT_TRUE(zero.begin_array());
  bool first = true;
  ASSERT_TRUE(zero.next_element(first));
  EXPECT_EQ(zero.read_int(), std::optional<int64_t>(0));
  EXPECT_FALSE(zero.next_element(first));
  EXPECT_TRUE(zero.failed());
  // The value ends where the number does, in the middle of a document too.
  detail::JsonCursor list("[12, -3 ,4]");
  ASSERT_TRUE(list.begin_array());
  std::vector<int64_t> read;
  for (bool f = true; list.next_element(f);) read.push_back(list.read_int().value_or(-1));
  EXPECT_EQ(read, (std::vector<int64_t>{12, -3, 4}));
  EXPECT_FALSE(list.failed()) << list.error();
}

TEST(JsonCursor, DeepNestingFailsCleanly) {
  std::string deep(10000, '[');
  detail::JsonCursor c(deep);
  c.skip_value();
  EXPECT_TRUE(c.failed());
}

// Skips a whole document and says whether the cursor found it valid.
bool skips_cleanly(const std::string& text) {
  detail::JsonCursor c(text);
  c.skip_value();
  c.expect_end();
  return !c.failed();
}

// Member names are remembered per object (a short list, then a set past 16 members): a duplicate is found at any
// position, through escapes, and only within its own object, including after nested objects closed.
TEST(JsonCursor, DuplicateMemberNamesPerObject) {
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += fmt::format("{}\"k{}\": {{\"k{}\": 1}}", i ? ", " : "", i, i);
  EXPECT_TRUE(skips_cleanly(many + "}"));
  EXPECT_FALSE(skips_cleanly(many + R"(, "k3": 0})"));   // past the switch to a set
  EXPECT_FALSE(skips_cleanly(many + R"(, "k39": 0})"));
  EXPECT_FALSE(skips_cleanly(R"({"a": 1, "b": {"a": 2, "c": 3}, "c": 4, "\u0061": 5})"));
  EXPECT_TRUE(skips_cleanly(R"({"a": 1, "b": {"a": 2, "c": 3}, "c": 4})"));
  EXPECT_TRUE(skips_cleanly(R"([{"a": 1}, {"a": 2}, {"b": {"a": 1}, "a": 3}])"));
  EXPECT_FALSE(skips_cleanly(R"([{"a": 1}, {"a": 2, "b": [{"a": 0}], "a": 3}])"));
  // Escaped names are decoded into a buffer the next string overwrites: each must be remembered as it was.
  EXPECT_FALSE(skips_cleanly(R"({"\u0061": 1, "\u0062": 2, "a": 3})"));
  EXPECT_FALSE(skips_cleanly(R"({"\u0061": 1, "x": "\u0062", "\u0062": 2, "b": 3})"));
  EXPECT_TRUE(skips_cleanly(R"([{"\u0061": {"\u0062": 1, "\u0063": 2}, "b": 2, "c": 3}, {"\u0061": 1}])"));
}

}  // namespace
}  // namespace sk::inventory
