// Paging and batching on top of the ObjectStore port (list_all, for_each_page, delete_keys), against the
// in-memory fake that later code (`expire`, `repository check`) will use as well.
#include "runtime/s3/object_store.h"

#include <gtest/gtest.h>

#include "runtime/s3/fake_object_store.h"

namespace sk::s3 {
namespace {

using Op = InMemoryObjectStore::Operation;

std::vector<std::string> keys(std::string_view prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(fmt::format("{}obj-{:05}", prefix, i));
  return out;
}

InMemoryObjectStore store_with(const std::vector<std::string>& all) {
  InMemoryObjectStore store;
  for (const auto& k : all) EXPECT_TRUE(store.put_object(k, "x"));
  return store;
}

TEST(S3ObjectStore, ListAllPagesOncePerThousandKeys) {
  const auto wanted = keys("repo/__ss_a/", 2500);
  auto all = wanted;
  for (const auto& other : keys("repo/__ss_b/", 10)) all.push_back(other);
  InMemoryObjectStore store = store_with(all);
  auto listing = list_all(store, "repo/__ss_a/");
  ASSERT_TRUE(listing) << listing.error().message;
  EXPECT_EQ(listing->requests, 3);
  EXPECT_EQ(store.calls(Op::kList), 3);
  std::vector<std::string> got;
  for (const auto& o : listing->objects) got.push_back(o.key);
  EXPECT_EQ(got, wanted);
}

TEST(S3ObjectStore, DelimiterGivesCommonPrefixes) {
  std::vector<std::string> all = {"r/__ss_a/__info_1", "r/__ss_a/c/1", "r/__ss_b/__meta", "r/loose"};
  InMemoryObjectStore store = store_with(all);
  auto listing = list_all(store, "r/", "/");
  ASSERT_TRUE(listing) << listing.error().message;
  EXPECT_EQ(listing->common_prefixes, (std::vector<std::string>{"r/__ss_a/", "r/__ss_b/"}));
  ASSERT_EQ(listing->objects.size(), 1U);
  EXPECT_EQ(listing->objects[0].key, "r/loose");
}

TEST(S3ObjectStore, DeleteKeysBatchesByThousand) {
  const auto all = keys("p/", 2500);
  InMemoryObjectStore store = store_with(all);
  const std::vector<std::string> doomed(all.begin(), all.begin() + 2100);
  const DeleteReport report = delete_keys(store, doomed);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(report.requests, 3);
  EXPECT_EQ(store.calls(Op::kDelete), 3);
  EXPECT_EQ(report.deleted, doomed);
  EXPECT_EQ(store.objects().size(), 400U);
  EXPECT_EQ(store.objects().begin()->first, "p/obj-02100");
}

TEST(S3ObjectStore, AFailedBatchLeavesItsKeysAndTheRestUnconfirmed) {
  const auto all = keys("p/", 2100);
  InMemoryObjectStore store = store_with(all);
  store.fail_call(Op::kDelete, 2, Error{"s3.transport", "connection refused (4 attempts)", {}});
  const DeleteReport report = delete_keys(store, all);
  EXPECT_EQ(report.requests, 2);
  EXPECT_EQ(report.deleted, std::vector<std::string>(all.begin(), all.begin() + 1000));
  EXPECT_EQ(report.not_confirmed, std::vector<std::string>(all.begin() + 1000, all.end()));
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->code, "s3.transport");
  EXPECT_FALSE(report.complete());
  EXPECT_EQ(store.objects().size(), 1100U);
}

TEST(S3ObjectStore, ARepeatedContinuationTokenStopsTheListing) {
  struct Looping final : ObjectStore {
    std::string describe() const override { return "looping"; }
    Result<ListPage> list_page(const ListRequest&) override {
      ++calls;
      return ListPage{{}, {}, std::string("same")};
    }
    Result<DeleteBatch> delete_batch(std::span<const std::string>) override { return fail("s3.usage", "n/a"); }
    Result<std::string> get_object(std::string_view) override { return fail("s3.usage", "n/a"); }
    Status put_object(std::string_view, std::string_view) override { return fail("s3.usage", "n/a"); }
    Result<Probe<BucketVersioning>> bucket_versioning() override { return fail("s3.usage", "n/a"); }
    Result<Probe<ObjectLockConfiguration>> object_lock_configuration() override { return fail("s3.usage", "n/a"); }
    Result<Probe<LifecycleConfiguration>> lifecycle_configuration() override { return fail("s3.usage", "n/a"); }
    Result<Probe<BucketPolicy>> bucket_policy() override { return fail("s3.usage", "n/a"); }
    int calls = 0;
  } looping;
  auto listing = list_all(looping, "p/");
  ASSERT_FALSE(listing);
  EXPECT_EQ(listing.error().code, "s3.parse");
  EXPECT_EQ(looping.calls, 2);
}

TEST(S3ObjectStore, TheFakeAnswersUnknownPostureUntilTold) {
  InMemoryObjectStore store;
  auto unknown = store.bucket_versioning();
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->is_known());
  store.versioning = Probe<BucketVersioning>::known({VersioningStatus::kEnabled, false});
  auto known = store.bucket_versioning();
  ASSERT_TRUE(known && known->is_known());
  EXPECT_EQ(known->value().status, VersioningStatus::kEnabled);
}

}  // namespace
}  // namespace sk::s3
