// Fingerprint queries and their reading, against a recording fake: the SQL is the order-independent, NULL-safe
// murmur_hash3_32 sum over every column read by name; partitions are selected with PARTITION (p); hostile names
// stay quoted; verdicts.
#include <gtest/gtest.h>

#include "kernel/dialect/restore_sql.h"
#include "runtime/ports/fakes.h"
#include "runtime/verify/fingerprint.h"

namespace sk::verify {
namespace {

DatabaseName db(const char* s) { return *DatabaseName::parse(s); }
TableName tb(const char* s) { return *TableName::parse(s); }

TEST(Fingerprint, QueryIsNullSafeOrderIndependentAndQuoted) {
  EXPECT_EQ(dialect::render_fingerprint_query(db("sales"), tb("o`rders"), *PartitionName::parse("p1"), {"id", "n`ote"}),
            "SELECT COUNT(*) AS row_count, SUM(CAST(murmur_hash3_32(concat_ws('|', ifnull(cast(`id` AS VARCHAR), "
            "'\\\\N'), ifnull(cast(`n``ote` AS VARCHAR), '\\\\N'))) AS BIGINT)) AS row_hash_sum FROM "
            "`sales`.`o``rders` PARTITION (`p1`)");
  EXPECT_EQ(dialect::render_columns_query(db("sales"), tb("x'y")),
            "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.columns WHERE TABLE_SCHEMA = 'sales' AND "
            "TABLE_NAME = 'x\\'y' ORDER BY ORDINAL_POSITION");
}

// Issue 10 item 14: BITMAP through bitmap_to_string (StarRocks cannot cast it to VARCHAR), JSON as text, HLL and
// ARRAY/MAP/STRUCT left out of the row hash (listed as skipped); the algorithm names the column signature.
TEST(Fingerprint, SketchAndNestedColumnsAreReadOrSkippedByType) {
  using dialect::FingerprintForm;
  EXPECT_EQ(dialect::fingerprint_form("bitmap"), FingerprintForm::kBitmap);
  EXPECT_EQ(dialect::fingerprint_form("HLL"), FingerprintForm::kSkipped);
  EXPECT_EQ(dialect::fingerprint_form("array<int(11)>"), FingerprintForm::kSkipped);
  EXPECT_EQ(dialect::fingerprint_form("map"), FingerprintForm::kSkipped);
  EXPECT_EQ(dialect::fingerprint_form("struct"), FingerprintForm::kSkipped);
  EXPECT_EQ(dialect::fingerprint_form("json"), FingerprintForm::kText);
  EXPECT_EQ(dialect::fingerprint_form(""), FingerprintForm::kText);

  ports::RecordingSqlConnection conn;
  conn.on("information_schema.columns",
          ports::make_rows({"COLUMN_NAME", "DATA_TYPE"}, {{"id", "bigint"}, {"bm", "bitmap"}, {"h", "hll"},
                                                          {"j", "json"}, {"a", "array"}}));
  auto columns = table_columns(conn, db("d"), tb("t"));
  ASSERT_TRUE(columns) << columns.error().describe();
  EXPECT_EQ(skipped_columns(*columns), "h (hll), a (array)");
  EXPECT_EQ(dialect::render_typed_fingerprint_query(db("d"), tb("t"), std::nullopt, *columns),
            "SELECT COUNT(*) AS row_count, SUM(CAST(murmur_hash3_32(concat_ws('|', ifnull(cast(`id` AS VARCHAR), "
            "'\\\\N'), ifnull(bitmap_to_string(`bm`), '\\\\N'), ifnull(cast(`j` AS VARCHAR), '\\\\N'))) AS BIGINT)) "
            "AS row_hash_sum FROM `d`.`t`");
  EXPECT_EQ(dialect::render_typed_fingerprint_query(db("d"), tb("t"), std::nullopt,
                                                    {{"h", FingerprintForm::kSkipped, "hll"}}),
            "SELECT COUNT(*) AS row_count, 0 AS row_hash_sum FROM `d`.`t`");

  const std::string algorithm = algorithm_for(*columns);
  EXPECT_EQ(algorithm.size(), 32u) << algorithm;
  EXPECT_TRUE(algorithm.starts_with("murmur_hash3_32_sum@")) << algorithm;
  EXPECT_TRUE(algorithm_matches(algorithm, *columns));
  EXPECT_FALSE(algorithm_matches(std::string(kAlgorithm), *columns)) << "legacy values cast every column";
  auto other = *columns;
  other.pop_back();
  EXPECT_NE(algorithm_for(other), algorithm) << "another column set, another algorithm";
  const std::vector<dialect::FingerprintColumn> text{{"id", FingerprintForm::kText, "bigint"}};
  EXPECT_TRUE(algorithm_matches(std::string(kAlgorithm), text)) << "legacy values of all-text tables still compare";
}

TEST(Fingerprint, ReadsColumnsByNameThenTheSum) {
  ports::RecordingSqlConnection conn;
  conn.set_strict(true);
  conn.on("information_schema.columns", ports::make_rows({"ORDINAL_POSITION", "COLUMN_NAME"}, {{"1", "k"}, {"2", "v"}}));
  conn.on("murmur_hash3_32", ports::make_rows({"row_hash_sum", "row_count"}, {{"-4294967296.000", "3"}}));
  auto f = fingerprint(conn, db("d"), tb("t"), std::nullopt);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_EQ(f->row_count, 3);
  EXPECT_EQ(f->row_hash_sum, "-4294967296");
  EXPECT_NE(conn.sql().back().find("ifnull(cast(`k` AS VARCHAR)"), std::string::npos);
  EXPECT_NE(conn.sql().back().find("ifnull(cast(`v` AS VARCHAR)"), std::string::npos);
}

TEST(Fingerprint, EmptyTableSumsToZeroAndMissingTableIsAnError) {
  ports::RecordingSqlConnection conn;
  conn.on("information_schema.columns", ports::make_rows({"COLUMN_NAME"}, {{"k"}}));
  conn.on("murmur_hash3_32", ports::make_rows({"row_count", "row_hash_sum"}, {{"0", std::nullopt}}));
  auto f = fingerprint(conn, db("d"), tb("t"), std::nullopt);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, (Fingerprint{0, "0"}));

  ports::RecordingSqlConnection none;
  none.on("information_schema.columns", ports::make_rows({"COLUMN_NAME"}, {}));
  auto missing = fingerprint(none, db("d"), tb("gone"), std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "verify.no_columns");
}

TEST(Fingerprint, ExpectedComesFromTheManifestOrAnUnchangedLivePartition) {
  ops::ManifestEntry e{.repository = *RepositoryName::parse("r"),
                       .label = *SnapshotLabel::parse("l"),
                       .database = db("d"),
                       .table = tb("t"),
                       .partition = *PartitionName::parse("p1")};
  e.visible_version = 5;
  ports::RecordingSqlConnection conn;
  conn.on("information_schema.columns", ports::make_rows({"COLUMN_NAME"}, {{"k"}}));
  conn.on("murmur_hash3_32", ports::make_rows({"row_count", "row_hash_sum"}, {{"2", "77"}}));

  VersionMap changed{{"t", {{"p1", 6}}}};
  auto unknown = expected_fingerprint(conn, e, changed);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->proof, Proof::kUnknown);
  EXPECT_FALSE(unknown->fingerprint);
  EXPECT_EQ(conn.count_matching("murmur"), 0u) << "a changed live partition proves nothing";

  VersionMap same{{"t", {{"p1", 5}}}};
  auto live = expected_fingerprint(conn, e, same);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->proof, Proof::kLiveUnchanged);
  EXPECT_EQ(live->fingerprint, (Fingerprint{2, "77"}));

  e.checksum_algorithm = std::string(kAlgorithm);
  e.checksum = "123";
  e.checksum_row_count = 9;
  auto recorded = expected_fingerprint(conn, e, changed);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->proof, Proof::kRecorded);
  EXPECT_EQ(recorded->fingerprint, (Fingerprint{9, "123"}));
}

TEST(Fingerprint, Verdicts) {
  PartitionCheck ok{"t", "p1", {Fingerprint{1, "1"}, Proof::kRecorded}, Fingerprint{1, "1"}, true};
  PartitionCheck bad{"t", "p2", {Fingerprint{1, "1"}, Proof::kRecorded}, Fingerprint{1, "2"}, false};
  PartitionCheck unknown{"t", "p3", {}, Fingerprint{1, "2"}, false};
  EXPECT_EQ(overall({ok}), Verdict::kPassed);
  EXPECT_EQ(overall({ok, unknown}), Verdict::kPartial) << "one partition could not be compared";
  EXPECT_EQ(overall({unknown, ok}), Verdict::kPartial);
  EXPECT_EQ(overall({ok, bad}), Verdict::kFailed);
  EXPECT_EQ(overall({ok, unknown, bad}), Verdict::kFailed);
  EXPECT_EQ(overall({unknown}), Verdict::kSkipped);
  EXPECT_EQ(to_string(Verdict::kPartial), "PARTIAL");
  EXPECT_EQ(not_compared({ok, unknown, bad}), std::vector<std::string>{"t.p3"});
}

}  // namespace
}  // namespace sk::verify
