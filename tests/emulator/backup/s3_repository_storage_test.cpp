// The emulator's S3 repository backend over an in-memory object store: the keys StarRocks writes (an upload
// leaves `<file>.<md5>` and no `.part`), labels from the `__ss_` prefixes (content without info still counts, as
// StarRocks lists it), listings confined to one directory, deletion of a snapshot's whole prefix, and the
// configuration rules of open_s3_storage (properties over defaults, no keys, bad locations).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/backup/s3_repository_storage.h"
#include "runtime/s3/fake_object_store.h"

namespace sk::emu::backup {
namespace {

constexpr const char* kRoot = "prod/__starrocks_repository_r/";

class S3RepositoryStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = std::make_unique<s3::InMemoryObjectStore>("bkt");
    store_ = store.get();
    storage_ = make_s3_storage(std::move(store), kRoot);
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : store_->objects()) out.push_back(k);
    return out;
  }
  s3::InMemoryObjectStore* store_ = nullptr;
  std::shared_ptr<RepositoryStorage> storage_;
};

TEST_F(S3RepositoryStorageTest, AnUploadLeavesTheChecksumNamedObjectAndNoPart) {
  auto name = storage_->upload("__ss_l1/__meta", "meta-body");
  ASSERT_TRUE(name) << name.error().describe();
  const std::string md5 = md5_hex("meta-body");
  EXPECT_EQ(*name, "__meta." + md5);
  EXPECT_EQ(keys(), std::vector<std::string>{std::string(kRoot) + "__ss_l1/__meta." + md5});
  // PUT .part, PUT final, then the .part deleted: StarRocks' rename on S3.
  EXPECT_EQ(store_->calls(s3::InMemoryObjectStore::Operation::kPut), 2);
  EXPECT_EQ(store_->calls(s3::InMemoryObjectStore::Operation::kDelete), 1);
  auto body = storage_->read("__ss_l1/__meta." + md5);
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, "meta-body");
}

TEST_F(S3RepositoryStorageTest, LabelsAreTheSnapshotPrefixesAndListingsStayInTheirDirectory) {
  ASSERT_TRUE(storage_->upload("__ss_b/__info_2025-01-01-00-00-00-000", "i"));
  ASSERT_TRUE(storage_->upload("__ss_b/__ss_content/__db_1/x.dat", "d"));
  ASSERT_TRUE(storage_->upload("__ss_a/__ss_content/__db_1/y.dat", "d"));  // content only: still listed
  ASSERT_TRUE(storage_->write("__repo_info", "{}"));
  auto labels = storage_->snapshot_labels();
  ASSERT_TRUE(labels);
  EXPECT_EQ(*labels, (std::vector<std::string>{"a", "b"}));
  auto infos = storage_->files_with_prefix("__ss_b", "__info_");
  ASSERT_TRUE(infos);
  EXPECT_EQ(*infos, std::vector<std::string>{"__info_2025-01-01-00-00-00-000." + md5_hex("i")});
  auto none = storage_->files_with_prefix("__ss_b", "__meta");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto under = storage_->files_under("__ss_b/__ss_content");
  ASSERT_TRUE(under);
  EXPECT_EQ(*under, std::vector<std::string>{"__ss_b/__ss_content/__db_1/x.dat." + md5_hex("d")});
  auto exists = storage_->exists("__repo_info");
  ASSERT_TRUE(exists);
  EXPECT_TRUE(*exists);
  auto absent = storage_->exists("__repo_inf");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(*absent);
}

TEST_F(S3RepositoryStorageTest, RemoveTreeDeletesOneSnapshotAndAMissingFileIsNamed) {
  ASSERT_TRUE(storage_->upload("__ss_a/__meta", "m"));
  ASSERT_TRUE(storage_->upload("__ss_ab/__meta", "m"));
  ASSERT_TRUE(storage_->remove_tree("__ss_a"));
  auto labels = storage_->snapshot_labels();
  ASSERT_TRUE(labels);
  EXPECT_EQ(*labels, std::vector<std::string>{"ab"});  // the prefix ends with '/': __ss_ab survives
  auto missing = storage_->read("__ss_a/__meta");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("File does not exist"), std::string::npos) << missing.error().message;
}

TEST_F(S3RepositoryStorageTest, AStoreFailureIsTheCallersError) {
  store_->fail_next(s3::InMemoryObjectStore::Operation::kList, Error{"s3.transport", "connection refused", {}});
  auto labels = storage_->snapshot_labels();
  ASSERT_FALSE(labels);
  EXPECT_EQ(labels.error().code, "s3.transport");
  store_->fail_next(s3::InMemoryObjectStore::Operation::kList, Error{"s3.transport", "connection refused", {}});
  EXPECT_FALSE(storage_->probe());
}

TEST(OpenS3Storage, ConfigurationErrorsAreNamed) {
  const S3Defaults none{};
  auto no_endpoint = open_s3_storage(none, "s3a://bkt/prod", "__starrocks_repository_r", {});
  ASSERT_FALSE(no_endpoint);
  EXPECT_EQ(no_endpoint.error().code, "repo.config");
  const S3Defaults keyless{"http://127.0.0.1:1", "us-east-1", "", ""};
  auto no_keys = open_s3_storage(keyless, "s3a://bkt/prod", "__starrocks_repository_r", {});
  ASSERT_FALSE(no_keys);
  EXPECT_EQ(no_keys.error().code, "repo.config");
  // The repository's PROPERTIES supply what the defaults lack, as StarRocks reads them.
  auto from_properties = open_s3_storage(
      keyless, "s3a://bkt/prod", "__starrocks_repository_r",
      {{"aws.s3.access_key", "k"}, {"aws.s3.secret_key", "s"}, {"aws.s3.endpoint", "http://127.0.0.1:2"}});
  ASSERT_TRUE(from_properties) << from_properties.error().describe();
  EXPECT_NE((*from_properties)->describe().find("127.0.0.1:2"), std::string::npos) << (*from_properties)->describe();
  auto remote_http = open_s3_storage(keyless, "s3a://bkt/prod", "__starrocks_repository_r",
                                     {{"aws.s3.access_key", "k"}, {"aws.s3.secret_key", "s"},
                                      {"aws.s3.endpoint", "http://s3.example.com"}});
  ASSERT_FALSE(remote_http);
  EXPECT_EQ(remote_http.error().code, "repo.config");
  auto no_bucket = open_s3_storage(keyless, "s3a:///prod", "__starrocks_repository_r", {});
  ASSERT_FALSE(no_bucket);
  EXPECT_EQ(no_bucket.error().message, "bucket is null/empty");
  auto hdfs = open_s3_storage(keyless, "hdfs://nn:8020/backups", "__starrocks_repository_r", {});
  ASSERT_FALSE(hdfs);
  EXPECT_EQ(hdfs.error().code, "repo.bad_location");
}

}  // namespace
}  // namespace sk::emu::backup
