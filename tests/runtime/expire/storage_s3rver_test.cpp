// `repository check`'s storage listing against a real S3 API: s3rver on loopback (emulator/harness/s3rver_instance.h),
// objects put in StarRocks' layout with the product's own client, listed and judged by the code the CLI runs.
#include <gtest/gtest.h>

#include "emulator/harness/s3rver_instance.h"
#include "runtime/expire/repository_check.h"
#include "runtime/expire/storage_listing.h"
#include "runtime/ports/fakes.h"
#include "runtime/repository/posture.h"
#include "runtime/s3/s3_client.h"
#include "tests/runtime/expire/history_fixture.h"

namespace sk::expire {
namespace {

using emu::harness::S3rverInstance;

class StorageS3rverTest : public ::testing::Test {
 protected:
  // In SetUp, not SetUpTestSuite: a server that does not start fails every test instead of skipping it.
  void SetUp() override {
    if (server_ == nullptr) {
      auto started = S3rverInstance::start({.buckets = {"backups"}});
      ASSERT_TRUE(started) << started.error().describe();
      server_ = started->release();
    }
    s3::S3Config c(*s3::Endpoint::parse(server_->endpoint()));
    c.bucket = "backups";
    c.credentials = {std::string(emu::harness::kS3rverAccessKey), std::string(emu::harness::kS3rverSecretKey)};
    c.request_timeout = std::chrono::milliseconds(10000);
    store_ = s3::make_s3_client(std::move(c), sleeper_);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void put(const std::string& key) { ASSERT_TRUE(store_->put_object(key, "x")) << key; }

  static inline S3rverInstance* server_ = nullptr;
  ports::FakeSleeper sleeper_;
  std::unique_ptr<s3::ObjectStore> store_;
};

TEST_F(StorageS3rverTest, PartialAndUnknownObjectsOfAStarRocksRepositoryAreFound) {
  const std::string repo = "s3rv/__starrocks_repository_main/";
  put(repo + "__repo_info");
  for (const char* label : {"sales_w0", "foreign"}) {  // complete snapshots
    put(fmt::format("{}__ss_{}/__meta.8a1f", repo, label));
    put(fmt::format("{}__ss_{}/__info_2026-01-01-00-00-00-000.77c2", repo, label));
    put(fmt::format("{}__ss_{}/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/__6/0.dat.9d", repo, label));
  }
  put(repo + "__ss_leftover/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/__6/0.dat.9d");  // content only
  put(repo + "__ss_half/__meta.1");
  put(repo + "__ss_half/__info_2026-01-02-00-00-00-000.2.part");  // unfinished upload of the info file
  put(repo + "lost+found/x");

  auto listing = list_repository_storage(*store_, "s3rv/", *RepositoryName::parse("main"));
  ASSERT_TRUE(listing) << listing.error().describe();
  EXPECT_EQ(listing->objects, 11u);  // __repo_info, 3 + 3 complete, 1 content only, 2 half, 1 stray
  EXPECT_EQ(listing->requests, 1);
  EXPECT_EQ(listing->snapshots.size(), 4u);

  ExpireInput in{testing::day(1), TimeZone::utc(), {{"weekly", Duration::from_days(90)}}, Duration::from_days(14),
                 *DatabaseName::parse("ops"), {}, {}};
  in.history.push_back(testing::snapshot("sales_w0", {"weekly"}, ops::BackupKind::kTables, 0, {"p0"}, {"p0"}));
  RepositoryListing shown{*RepositoryName::parse("main"), {}};
  shown.snapshots["sales_w0"] = Listed{{*in.history.front().attempt.backup_timestamp}, "OK"};
  in.repositories.push_back(std::move(shown));
  std::string got;
  for (const auto& f : check_findings(in, decide(in), StorageInput{{std::move(*listing)}, {}})) {
    got += fmt::format("{}:{} ", to_string(f.kind), f.label);
  }
  EXPECT_EQ(got, "partial:half partial:leftover unknown:foreign unknown:lost+found/x ");
}

// s3rver implements none of the three posture reads (the probe answers differ: NotImplemented for Object Lock and
// lifecycle, a bucket listing for ?versioning): each is `unknown`, never a pass.
TEST_F(StorageS3rverTest, BucketPostureOnAnEndpointWithoutThoseCallsIsUnknown) {
  model::Repository repo{*RepositoryName::parse("main"), "s3a://backups/s3rv", server_->endpoint(), "",
                           model::CredentialsKind::kEnvironment, std::nullopt, {}, {}, {}};
  repo.lifecycle_rules = true;
  model::Policy policy;
  policy.repositories.push_back(repo);
  auto items = repository::bucket_posture(policy, repo, *store_);
  ASSERT_TRUE(items) << items.error().describe();
  std::string got;
  for (const auto& i : *items) got += fmt::format("{}:{} ", i.subject, repository::to_string(i.state));
  EXPECT_EQ(got, "versioning:unknown object_lock:unknown lifecycle:unknown ");
}

}  // namespace
}  // namespace sk::expire
