// model::Predicate and the Policy lookups.
#include <gtest/gtest.h>

#include "compiler/model/policy.h"

namespace {

using sk::model::Predicate;
using sk::model::TableAttributes;

TEST(Predicate, GlobMatching) {
  EXPECT_TRUE(Predicate::glob_match("fct_*", "fct_orders"));
  EXPECT_TRUE(Predicate::glob_match("fct_*", "fct_"));
  EXPECT_FALSE(Predicate::glob_match("fct_*", "dim_orders"));
  EXPECT_TRUE(Predicate::glob_match("*_2025_??", "sales_2025_01"));
  EXPECT_FALSE(Predicate::glob_match("*_2025_??", "sales_2025_1"));
  EXPECT_TRUE(Predicate::glob_match("a*b*c", "aXbYbZc"));
  EXPECT_TRUE(Predicate::glob_match("*", ""));
  EXPECT_FALSE(Predicate::glob_match("", "x"));
}

TEST(Predicate, EvaluateAndCanonicalText) {
  const Predicate p = Predicate::all_of(
      {Predicate::class_in({"fact"}), Predicate::partitioned(),
       Predicate::negate(Predicate::any_of({Predicate::database_in({"tmp"}), Predicate::table_matches("tmp_*")}))});
  EXPECT_EQ(p.to_string(), "class == \"fact\" and partitioned and not (database == \"tmp\" or table matches \"tmp_*\")");
  EXPECT_TRUE(p.evaluate(TableAttributes{"sales", "orders", "fact", true, true}));
  EXPECT_FALSE(p.evaluate(TableAttributes{"tmp", "orders", "fact", true, true}));
  EXPECT_FALSE(p.evaluate(TableAttributes{"sales", "tmp_orders", "fact", true, true}));
  EXPECT_FALSE(p.evaluate(TableAttributes{"sales", "orders", "fact", false, true}));
  EXPECT_EQ(Predicate::always().to_string(), "true");
  EXPECT_TRUE(Predicate::always().evaluate({}));
  EXPECT_FALSE(Predicate::never().evaluate({}));
}

TEST(Predicate, RequiresPartitionedIsConjunctive) {
  EXPECT_TRUE(Predicate::all_of({Predicate::class_in({"fact"}), Predicate::partitioned()}).requires_partitioned());
  EXPECT_FALSE(Predicate::any_of({Predicate::class_in({"fact"}), Predicate::partitioned()}).requires_partitioned());
  EXPECT_TRUE(Predicate::any_of({Predicate::all_of({Predicate::eligible(), Predicate::partitioned()}),
                                 Predicate::partitioned()})
                  .requires_partitioned());
  EXPECT_FALSE(Predicate::negate(Predicate::partitioned()).requires_partitioned());
  EXPECT_FALSE(Predicate::always().requires_partitioned());
}

TEST(Predicate, NegatedComparisonsPrintAsNotEqual) {
  EXPECT_EQ(Predicate::negate(Predicate::class_in({"staging"})).to_string(), "class != \"staging\"");
  EXPECT_EQ(Predicate::negate(Predicate::class_in({"a", "b"})).to_string(), "not class in [\"a\", \"b\"]");
}

}  // namespace
