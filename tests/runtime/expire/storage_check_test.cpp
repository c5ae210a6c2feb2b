// `repository check`'s storage listing over the in-memory store: the StarRocks layout classified per snapshot
// directory, one ListObjectsV2 per 1000 keys, and the findings SHOW SNAPSHOT cannot give (content only, info
// without content, `.part` uploads, unknown objects), merged with the server's view.
#include <gtest/gtest.h>

#include "runtime/expire/repository_check.h"
#include "runtime/expire/storage_listing.h"
#include "runtime/s3/fake_object_store.h"
#include "tests/runtime/expire/history_fixture.h"

namespace sk::expire {
namespace {

using namespace testing;

constexpr std::string_view kRepoPrefix = "prod/__starrocks_repository_main/";

// A complete snapshot directory as StarRocks writes it: meta, info, `files` content objects.
void put_snapshot(s3::InMemoryObjectStore& store, const std::string& label, int files = 2, bool info = true,
                  bool meta = true) {
  const std::string dir = fmt::format("{}__ss_{}/", kRepoPrefix, label);
  if (meta) {
    ASSERT_TRUE(store.put_object(dir + "__meta.0123abcd", "{}"));
  }
  if (info) {
    ASSERT_TRUE(store.put_object(dir + "__info_2026-01-02-01-00-00-000.4567ef", "{}"));
  }
  for (int i = 0; i < files; ++i) {
    ASSERT_TRUE(store.put_object(fmt::format("{}__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/__6/{}.dat.ab", dir, i),
                                 "x"));
  }
}

ExpireInput one_snapshot_history(double at_day) {
  ExpireInput in{day(at_day), TimeZone::utc(), {{"weekly", Duration::from_days(90)}}, Duration::from_days(14),
                 *DatabaseName::parse("ops"), {}, {}};
  in.history.push_back(snapshot("sales_w0", {"weekly"}, ops::BackupKind::kTables, 0, {"p0"}, {"p0"}));
  RepositoryListing l{*RepositoryName::parse("main"), {}};
  l.snapshots["sales_w0"] = Listed{{*in.history.front().attempt.backup_timestamp}, "OK"};
  in.repositories.push_back(std::move(l));
  return in;
}

std::string storage_findings(const ExpireInput& in, s3::InMemoryObjectStore& store,
                             std::set<std::pair<std::string, std::string>> running = {}) {
  auto listing = list_repository_storage(store, "prod/", *RepositoryName::parse("main"));
  EXPECT_TRUE(listing) << listing.error().describe();
  if (!listing) return "";
  StorageInput storage{{std::move(*listing)}, std::move(running)};
  std::string out;
  for (const auto& f : check_findings(in, decide(in), storage)) {
    out += fmt::format("{}:{}: {}\n", to_string(f.kind), f.label, f.detail);
  }
  return out;
}

TEST(StorageListingTest, ClassifiesTheStarRocksLayoutPerSnapshotDirectory) {
  s3::InMemoryObjectStore store;
  ASSERT_TRUE(store.put_object(std::string(kRepoPrefix) + "__repo_info", "{}"));
  put_snapshot(store, "sales_w0", 3);
  ASSERT_TRUE(store.put_object(std::string(kRepoPrefix) + "__ss_sales_d1/__ss_content/a.dat.part", "x"));
  ASSERT_TRUE(store.put_object(std::string(kRepoPrefix) + "notes.txt", "x"));
  ASSERT_TRUE(store.put_object("prod/__starrocks_repository_other/__ss_x/__meta", "x"));  // another repository
  auto listing = list_repository_storage(store, "prod/", *RepositoryName::parse("main"));
  ASSERT_TRUE(listing) << listing.error().describe();
  EXPECT_EQ(listing->prefix, kRepoPrefix);
  EXPECT_EQ(listing->objects, 8u);  // __repo_info, 5 of sales_w0, the .part, notes.txt
  EXPECT_EQ(listing->requests, 1);
  ASSERT_EQ(listing->snapshots.size(), 2u);
  const StoredSnapshot& w0 = listing->snapshots.at("sales_w0");
  EXPECT_EQ(w0.info, (std::vector<std::string>{"__info_2026-01-02-01-00-00-000.4567ef"}));
  EXPECT_EQ(w0.meta, 1u);
  EXPECT_EQ(w0.content, 3u);
  EXPECT_EQ(incomplete(w0), "");
  EXPECT_EQ(listing->snapshots.at("sales_d1").parts, (std::vector<std::string>{"__ss_content/a.dat.part"}));
  EXPECT_EQ(listing->stray, (std::vector<std::string>{"notes.txt"}));
}

TEST(StorageListingTest, OneListRequestPerThousandKeys) {
  s3::InMemoryObjectStore store;
  put_snapshot(store, "big", 2500);  // 2502 keys
  auto listing = list_repository_storage(store, "prod/", *RepositoryName::parse("main"));
  ASSERT_TRUE(listing) << listing.error().describe();
  EXPECT_EQ(listing->objects, 2502u);
  EXPECT_EQ(listing->requests, 3);
  EXPECT_EQ(store.calls(s3::InMemoryObjectStore::Operation::kList), 3);
}

TEST(StorageListingTest, AListingErrorIsTheStoresError) {
  s3::InMemoryObjectStore store;
  store.fail_next(s3::InMemoryObjectStore::Operation::kList, Error{"s3.auth", "AccessDenied", {}});
  auto listing = list_repository_storage(store, "prod/", *RepositoryName::parse("main"));
  ASSERT_FALSE(listing);
  EXPECT_EQ(listing.error().code, "s3.auth");
}

TEST(StorageCheckTest, ACompleteRepositoryInStorageAddsNoFinding) {
  s3::InMemoryObjectStore store;
  ASSERT_TRUE(store.put_object(std::string(kRepoPrefix) + "__repo_info", "{}"));
  put_snapshot(store, "sales_w0");
  EXPECT_EQ(storage_findings(one_snapshot_history(1), store), "");
}

TEST(StorageCheckTest, WhatShowSnapshotCannotSeeIsReported) {
  s3::InMemoryObjectStore store;
  put_snapshot(store, "sales_w0");
  put_snapshot(store, "content_only", 4, /*info=*/false, /*meta=*/false);
  put_snapshot(store, "no_content", 0);
  put_snapshot(store, "no_meta", 1, true, false);
  ASSERT_TRUE(store.put_object(std::string(kRepoPrefix) + "__ss_uploading/__ss_content/f.dat.part", "x"));
  put_snapshot(store, "foreign");  // complete, but neither SHOW SNAPSHOT nor the history knows it
  ASSERT_TRUE(store.put_object(std::string(kRepoPrefix) + "stray/object", "x"));
  EXPECT_EQ(storage_findings(one_snapshot_history(1), store),
            "partial:content_only: in storage: content only: 4 object(s), no __info_ file\n"
            "partial:no_content: in storage: info without content: no object under __ss_content/\n"
            "partial:no_meta: in storage: no __meta file\n"
            "partial:uploading: in storage: no __info_ file; 1 unfinished upload(s) (__ss_content/f.dat.part)\n"
            "unknown:foreign: a complete snapshot directory in storage that SHOW SNAPSHOT does not list, not in "
            "ops.backup_history\n"
            "unknown:stray/object: an object outside the snapshot layout under prod/__starrocks_repository_main/\n");
}

TEST(StorageCheckTest, ABackupStillUploadingIsNotPartial) {
  s3::InMemoryObjectStore store;
  put_snapshot(store, "sales_w0");
  put_snapshot(store, "sales_d1", 2, /*info=*/false, /*meta=*/false);
  EXPECT_EQ(storage_findings(one_snapshot_history(1), store, {{"main", "sales_d1"}}), "");
}

TEST(StorageCheckTest, ContentAnInterruptedExpireLeftSaysTheNextExpireFinishesIt) {
  s3::InMemoryObjectStore store;
  put_snapshot(store, "sales_w0");
  put_snapshot(store, "sales_old", 2, /*info=*/false, /*meta=*/false);
  ExpireInput in = one_snapshot_history(1);
  ops::ExpiryRecord r{"run-1", *RepositoryName::parse("main"), *SnapshotLabel::parse("sales_old"),
                      *DatabaseName::parse("sales")};
  in.expiries.push_back(r);
  EXPECT_EQ(storage_findings(in, store),
            "partial:sales_old: in storage: content only: 2 object(s), no __info_ file (an interrupted expire left "
            "it; the next expire finishes the deletion)\n");
}

TEST(StorageCheckTest, AFindingBothViewsMakeIsReportedOnceWithBothDetails) {
  s3::InMemoryObjectStore store;
  put_snapshot(store, "sales_w0");
  ASSERT_TRUE(store.put_object(std::string(kRepoPrefix) + "__ss_sales_w0/__info_2026-01-03-00-00-00-000.x.part",
                               "x"));
  ExpireInput in = one_snapshot_history(1);
  in.repositories.front().snapshots["sales_w0"].timestamps.push_back(
      *BackupTimestamp::from_server("Invalid: __info_2026-01-03-00-00-00-000.x.part"));
  EXPECT_EQ(storage_findings(in, store),
            "partial:sales_w0: unfinished upload (__info_2026-01-03-00-00-00-000.x.part); in storage: 1 unfinished "
            "upload(s) (__info_2026-01-03-00-00-00-000.x.part)\n");
}

}  // namespace
}  // namespace sk::expire
