#include "runtime/expire/storage_delete.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "runtime/s3/fake_object_store.h"

namespace sk::expire {
namespace {

using Op = s3::InMemoryObjectStore::Operation;

const std::string kPrefix = "prod/__starrocks_repository_main/__ss_sales_20260101_inc/";

// A snapshot as StarRocks writes it, `content` content objects, next to a neighbouring snapshot.
void write_snapshot(s3::InMemoryObjectStore& store, int content) {
  ASSERT_TRUE(store.put_object(kPrefix + "__info_2026-01-01-01-00-00-000.abc", "{}"));
  ASSERT_TRUE(store.put_object(kPrefix + "__meta.def", "{}"));
  for (int i = 0; i < content; ++i) {
    ASSERT_TRUE(store.put_object(fmt::format("{}__ss_content/__tbl_1/__part_2/__idx_3/__{:05}.dat", kPrefix, i), "x"));
  }
  ASSERT_TRUE(store.put_object("prod/__starrocks_repository_main/__ss_sales_20260101_inc2/__info_x", "{}"));
}

TEST(StorageDeleteTest, ThePrefixIsTheRepositoryDirectoryOfTheLabel) {
  EXPECT_EQ(snapshot_prefix("prod/", *RepositoryName::parse("main"), *SnapshotLabel::parse("sales_20260101_inc")),
            kPrefix);
  EXPECT_EQ(snapshot_prefix("", *RepositoryName::parse("r"), *SnapshotLabel::parse("l")),
            "__starrocks_repository_r/__ss_l/");
}

TEST(StorageDeleteTest, EveryObjectOfTheSnapshotGoesAndNothingElse) {
  s3::InMemoryObjectStore store;
  write_snapshot(store, 2500);
  auto done = delete_snapshot_objects(store, kPrefix);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->objects, 2502u);
  EXPECT_EQ(done->list_requests, 3);    // one per 1000 keys
  EXPECT_EQ(done->delete_requests, 4);  // info and meta, then 2500 content objects in three
  ASSERT_EQ(store.objects().size(), 1u);
  EXPECT_EQ(store.objects().begin()->first, "prod/__starrocks_repository_main/__ss_sales_20260101_inc2/__info_x");
}

TEST(StorageDeleteTest, InfoAndMetaGoFirstSoAFailureLeavesContentOnlyAndTheNextRunFinishes) {
  s3::InMemoryObjectStore store;
  write_snapshot(store, 10);
  store.fail_call(Op::kDelete, 2, Error{"s3.http", "InternalError", {}});  // the content batch
  auto first = delete_snapshot_objects(store, kPrefix);
  ASSERT_FALSE(first);
  EXPECT_FALSE(store.objects().contains(kPrefix + "__meta.def"));
  EXPECT_FALSE(store.objects().contains(kPrefix + "__info_2026-01-01-01-00-00-000.abc"));
  EXPECT_EQ(store.objects().size(), 11u);  // ten content objects and the neighbour
  auto second = delete_snapshot_objects(store, kPrefix);
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(second->objects, 10u);
  EXPECT_EQ(store.objects().size(), 1u);
}

TEST(StorageDeleteTest, AnAlreadyDeletedSnapshotIsNoError) {
  s3::InMemoryObjectStore store;
  auto done = delete_snapshot_objects(store, kPrefix);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->objects, 0u);
  EXPECT_EQ(done->delete_requests, 0);
}

}  // namespace
}  // namespace sk::expire
