// Name value types: cluster object names (hostile input), policy identifiers, snapshot labels, label
// templates.
#include "kernel/domain/names.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

namespace sk {
namespace {

TEST(ObjectNames, AcceptWhatStarRocksAcceptsWhenQuoted) {
  for (const char* ok : {"sales", "my-db", "with space", "back`tick", "quote'd", "dq\"", "订单", "ünïcödé",
                         "_x", "1abc", "a.b"}) {
    EXPECT_TRUE(DatabaseName::parse(ok).has_value()) << ok;
    EXPECT_TRUE(TableName::parse(ok).has_value()) << ok;
    EXPECT_TRUE(PartitionName::parse(ok).has_value()) << ok;
  }
  EXPECT_EQ(TableName::parse("orders")->str(), "orders");
}

TEST(ObjectNames, RejectEmptyControlAndInvalidUtf8) {
  const std::string with_nul("a\0b", 3);
  for (const std::string& bad :
       {std::string(""), with_nul, std::string("a\nb"), std::string("tab\there"), std::string("del\x7f"),
        std::string("\xff\xfe"), std::string("\xc3"), std::string("\xc0\xaf") /* overlong '/' */,
        std::string("\xed\xa0\x80") /* surrogate */}) {
    const auto t = TableName::parse(bad);
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().code, "domain.table_name");
    EXPECT_EQ(DatabaseName::parse(bad).error().code, "domain.database_name");
    EXPECT_EQ(PartitionName::parse(bad).error().code, "domain.partition_name");
  }
  EXPECT_NE(TableName::parse("a\nb").error().message.find("control character 0x0a"), std::string::npos);
  EXPECT_NE(TableName::parse("").error().message.find("empty"), std::string::npos);
}

TEST(ObjectNames, LengthLimitsInBytes) {
  EXPECT_TRUE(TableName::parse(std::string(64, 't')).has_value());
  EXPECT_EQ(TableName::parse(std::string(65, 't')).error().code, "domain.table_name");
  EXPECT_TRUE(PartitionName::parse(std::string(64, 'p')).has_value());
  EXPECT_FALSE(PartitionName::parse(std::string(65, 'p')).has_value());
  EXPECT_TRUE(DatabaseName::parse(std::string(256, 'd')).has_value());
  EXPECT_EQ(DatabaseName::parse(std::string(257, 'd')).error().code, "domain.database_name");
  // 22 three-byte characters = 66 bytes: too long for a table although only 22 characters.
  std::string cjk;
  for (int i = 0; i < 22; ++i) cjk += "订";
  EXPECT_FALSE(TableName::parse(cjk).has_value());
  EXPECT_NE(TableName::parse(cjk).error().message.find("66 bytes"), std::string::npos);
}

TEST(Identifiers, AcceptIdentifierSyntax) {
  EXPECT_EQ(TierName::parse("daily")->str(), "daily");
  EXPECT_TRUE(TierName::parse("_t1").has_value());
  EXPECT_TRUE(DrillName::parse("partition").has_value());
  EXPECT_TRUE(AlertName::parse("job_failed").has_value());
  EXPECT_TRUE(NotifierName::parse("oncall").has_value());
  EXPECT_TRUE(RepositoryName::parse("s3_prod").has_value());
  EXPECT_TRUE(RepositoryName::parse(std::string(64, 'r')).has_value());
}

TEST(Identifiers, RejectWithExactCodes) {
  EXPECT_EQ(TierName::parse("").error().code, "domain.tier_name");
  EXPECT_EQ(TierName::parse("1st").error().code, "domain.tier_name");
  EXPECT_EQ(DrillName::parse("a-b").error().code, "domain.drill_name");
  EXPECT_EQ(AlertName::parse("a b").error().code, "domain.alert_name");
  EXPECT_EQ(NotifierName::parse("ü").error().code, "domain.notifier_name");
  EXPECT_EQ(RepositoryName::parse("s3.prod").error().code, "domain.repository_name");
  EXPECT_EQ(RepositoryName::parse(std::string(65, 'r')).error().code, "domain.repository_name");
  EXPECT_NE(DrillName::parse("a-b").error().message.find("contains '-'"), std::string::npos);
  EXPECT_NE(TierName::parse("1st").error().message.find("must start with a letter or '_'"),
            std::string::npos);
  // Non-printable bytes are described, never echoed raw.
  EXPECT_NE(TierName::parse("a\x01").error().message.find("0x01"), std::string::npos);
}

TEST(SnapshotLabelTest, PlainIdentifierUpTo128) {
  EXPECT_TRUE(SnapshotLabel::parse("sales_20250914_inc").has_value());
  EXPECT_TRUE(SnapshotLabel::parse(std::string(128, 'l')).has_value());
  EXPECT_EQ(SnapshotLabel::parse(std::string(129, 'l')).error().code, "domain.snapshot_label");
  EXPECT_EQ(SnapshotLabel::parse("`x`").error().code, "domain.snapshot_label");
  EXPECT_EQ(SnapshotLabel::parse("9lives").error().code, "domain.snapshot_label");
  EXPECT_EQ(SnapshotLabel::parse("").error().code, "domain.snapshot_label");
}

TEST(NamesCompare, EqualityOrderingAndHash) {
  EXPECT_EQ(*TableName::parse("a"), *TableName::parse("a"));
  EXPECT_NE(*TableName::parse("a"), *TableName::parse("b"));
  EXPECT_LT(*TableName::parse("a"), *TableName::parse("b"));
  std::unordered_set<TableName> set{*TableName::parse("a"), *TableName::parse("a"), *TableName::parse("b")};
  EXPECT_EQ(set.size(), 2u);
  std::unordered_set<SnapshotLabel> labels{*SnapshotLabel::parse("x")};
  EXPECT_TRUE(labels.contains(*SnapshotLabel::parse("x")));
}

class LabelTemplateTest : public ::testing::Test {
 protected:
  TierName tier_ = *TierName::parse("daily");
  CivilSecond slot_{2025, 9, 14, 1, 5, 0};
};

TEST_F(LabelTemplateTest, RendersDefaultTemplate) {
  const auto tpl = LabelTemplate::parse(LabelTemplate::kDefault);
  ASSERT_TRUE(tpl.has_value());
  EXPECT_EQ(tpl->render(*DatabaseName::parse("sales"), tier_, "inc", slot_)->str(), "sales_20250914_inc");
}

TEST_F(LabelTemplateTest, RendersEveryPlaceholder) {
  const auto tpl = LabelTemplate::parse("bk_{db}_{tier}_{date}T{time}_{suffix}");
  ASSERT_TRUE(tpl.has_value()) << tpl.error().message;
  EXPECT_EQ(tpl->render(*DatabaseName::parse("crm"), tier_, "r1", slot_)->str(),
            "bk_crm_daily_20250914T0105_r1");
  EXPECT_TRUE(tpl->uses("time"));
  EXPECT_TRUE(tpl->uses("tier"));
  EXPECT_FALSE(LabelTemplate::parse("{db}_{date}")->uses("time"));
  EXPECT_FALSE(tpl->uses("nope"));
  EXPECT_EQ(tpl->render(*DatabaseName::parse("crm"), tier_, "", slot_)->str(), "bk_crm_daily_20250914T0105_");
}

TEST_F(LabelTemplateTest, SanitisesDatabaseNamesAndKeepsThemDistinct) {
  const auto tpl = *LabelTemplate::parse(LabelTemplate::kDefault);
  // A hyphen and each non-ASCII code point become one '_' each, and a hash of the original name is appended.
  const std::string hyphen = tpl.render(*DatabaseName::parse("my-db"), tier_, "inc", slot_)->str();
  EXPECT_EQ(hyphen.substr(0, 6), "my_db_");
  EXPECT_EQ(hyphen.size(), std::string("my_db_h12345678_20250914_inc").size());
  EXPECT_EQ(hyphen.substr(hyphen.size() - 13), "_20250914_inc");
  EXPECT_EQ(sanitize_for_label(*DatabaseName::parse("订单db")).substr(0, 5), "__db_");
  EXPECT_EQ(sanitize_for_label(*DatabaseName::parse("ä")).substr(0, 3), "__h");
  // "my_db" needs no change: no hash, and it cannot collide with "my-db".
  EXPECT_EQ(tpl.render(*DatabaseName::parse("my_db"), tier_, "inc", slot_)->str(), "my_db_20250914_inc");
  EXPECT_NE(hyphen, tpl.render(*DatabaseName::parse("my.db"), tier_, "inc", slot_)->str());
  // Deterministic.
  EXPECT_EQ(hyphen, tpl.render(*DatabaseName::parse("my-db"), tier_, "inc", slot_)->str());
  EXPECT_EQ(sanitize_for_label(*DatabaseName::parse("my-db")),
            sanitize_for_label(*DatabaseName::parse("my-db")));
}

TEST_F(LabelTemplateTest, LongAndDigitLeadingDatabaseNames) {
  const auto tpl = *LabelTemplate::parse(LabelTemplate::kDefault);
  const auto long_label = tpl.render(*DatabaseName::parse(std::string(200, 'x')), tier_, "inc", slot_);
  ASSERT_TRUE(long_label.has_value()) << long_label.error().message;
  EXPECT_LE(long_label->str().size(), 128u);
  EXPECT_EQ(long_label->str().substr(0, 49), std::string(48, 'x') + "_");
  EXPECT_EQ(tpl.render(*DatabaseName::parse("2024sales"), tier_, "inc", slot_)->str(),
            "_2024sales_20250914_inc");
}

TEST_F(LabelTemplateTest, RejectsBadTemplates) {
  for (const char* bad :
       {"", "{db}_{date", "{db}_{when}", "{db}-{date}", "{date}_{db}", "{time}{db}{date}", "1_{db}_{date}",
        "{db}", "{date}_x", "x_{tier}_{date}", "{db}_{date}_{}", "{db} {date}"}) {
    const auto r = LabelTemplate::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.label_template") << bad;
  }
  EXPECT_NE(LabelTemplate::parse("{db}_{when}").error().message.find("{when}"), std::string::npos);
  EXPECT_NE(LabelTemplate::parse("{db}_{date").error().message.find("unclosed"), std::string::npos);
}

TEST_F(LabelTemplateTest, RenderRejectsBadSuffixAndOverlongLabels) {
  const auto tpl = *LabelTemplate::parse(LabelTemplate::kDefault);
  EXPECT_EQ(tpl.render(*DatabaseName::parse("s"), tier_, "in-c", slot_).error().code,
            "domain.snapshot_label");
  EXPECT_EQ(tpl.render(*DatabaseName::parse("s"), tier_, std::string(120, 's'), slot_).error().code,
            "domain.snapshot_label");
}

}  // namespace
}  // namespace sk

namespace sk {
namespace {

// Issue 10 item 18: a database whose name contains '.' could not be restored by table or partition
// ("my.db.dim_t" was read as database "my"); backticks now say where the names end.
TEST(QualifiedTable, BackticksAroundDottedNames) {
  auto plain = parse_qualified_table("sales.orders");
  ASSERT_TRUE(plain) << plain.error().describe();
  EXPECT_EQ(plain->database.str(), "sales");
  EXPECT_EQ(plain->table.str(), "orders");
  auto dotted = parse_qualified_table("`my.db`.dim_t");
  ASSERT_TRUE(dotted) << dotted.error().describe();
  EXPECT_EQ(dotted->database.str(), "my.db");
  EXPECT_EQ(dotted->table.str(), "dim_t");
  auto both = parse_qualified_table("`my.db`.`t.v1`");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->table.str(), "t.v1");
  auto tick = parse_qualified_table("`a``b`.t");
  ASSERT_TRUE(tick);
  EXPECT_EQ(tick->database.str(), "a`b");
  auto cjk = parse_qualified_table("shop.fact_\xE8\xAE\xA2\xE5\x8D\x95");
  ASSERT_TRUE(cjk);
  EXPECT_EQ(cjk->table.str(), "fact_\xE8\xAE\xA2\xE5\x8D\x95");
  for (const char* bad : {"my.db.dim_t", "sales", "`my.db.dim_t", "`my.db`dim_t", "`my.db`.`t`x", "sales.", ".t"}) {
    EXPECT_FALSE(parse_qualified_table(bad).has_value()) << bad;
  }
  EXPECT_NE(parse_qualified_table("my.db.dim_t").error().message.find("`my.db`.dim_t"), std::string::npos);
}

}  // namespace
}  // namespace sk
