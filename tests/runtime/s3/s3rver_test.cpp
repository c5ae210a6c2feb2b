// The S3 client against a real S3 API: s3rver (tests/s3rver, installed by scripts/lib.sh) started on loopback by
// the test harness (emulator/harness/s3rver_instance.h); large fixtures are seeded into its store directly, since a
// PutObject through s3rver costs milliseconds. Requests are counted on the wire by a transport decorator,
// so "one ListObjectsV2 per 1000 keys" and "one DeleteObjects per 1000 keys" are measured, not taken from the
// client's own report. s3rver lacks versioning, Object Lock, lifecycle and bucket policies: the client must answer
// "unknown" for each. It does not verify SigV4 signatures (curl_transport_test.cpp does that).
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>

#include "emulator/harness/s3rver_instance.h"
#include "runtime/ports/fakes.h"
#include "runtime/s3/curl_transport.h"
#include "runtime/s3/s3_client.h"

namespace sk::s3 {
namespace {

using emu::harness::S3rverInstance;

// Counts the requests that reached the transport, by operation; `after_each` runs after every request.
class CountingTransport final : public HttpTransport {
 public:
  explicit CountingTransport(std::unique_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}
  HttpOutcome perform(const HttpRequest& request) override {
    HttpOutcome outcome = inner_->perform(request);
    ++counts[request.operation];
    if (after_each) after_each(request);
    return outcome;
  }
  std::map<std::string, int> counts;
  std::function<void(const HttpRequest&)> after_each;

 private:
  std::unique_ptr<HttpTransport> inner_;
};

struct Client {
  std::unique_ptr<S3Client> client;
  CountingTransport* wire = nullptr;
};

class S3rverTest : public ::testing::Test {
 protected:
  // Started by the first test, in SetUp rather than SetUpTestSuite: a failure there (s3rver not installed) fails
  // every test instead of marking it skipped, which ctest would not count as a failure.
  void SetUp() override {
    if (server_ != nullptr) return;
    auto started = S3rverInstance::start({.buckets = {"starkeep", "other-bucket"}});
    ASSERT_TRUE(started) << started.error().describe();
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static S3Config config(const S3rverInstance& server, std::string bucket = "starkeep") {
    S3Config c(*Endpoint::parse(server.endpoint()));
    c.bucket = std::move(bucket);
    c.credentials = {std::string(emu::harness::kS3rverAccessKey), std::string(emu::harness::kS3rverSecretKey)};
    c.connect_timeout = std::chrono::milliseconds(2000);
    c.request_timeout = std::chrono::milliseconds(10000);
    return c;
  }
  Client client(S3Config c) {
    auto wire = std::make_unique<CountingTransport>(std::make_unique<CurlTransport>(c));
    Client out{nullptr, wire.get()};
    out.client = std::make_unique<S3Client>(std::move(c), std::move(wire), sleeper_, [] { return 0.5; });
    return out;
  }
  // `n` keys in key order, 50 to a "directory" like a snapshot's content tree: s3rver re-reads a key's directory
  // on every delete, so one flat directory of thousands of keys makes deletion quadratic.
  static std::vector<std::string> keys(std::string_view prefix, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(fmt::format("{}d{:03}/obj-{:05}", prefix, i / 50, i));
    return out;
  }
  // The keys of `all` whose position in their directory of 50 is below `per_directory`. s3rver (3.7.1) deletes
  // the keys of one DeleteObjects request concurrently and removes a directory that became empty, racing with
  // itself (rmdir → ENOENT → 500 InternalError, cured by a retry). Deleting fewer than all keys of each directory
  // keeps the request counts exact.
  static std::vector<std::string> some_of_each_directory(const std::vector<std::string>& all, int per_directory) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (static_cast<int>(i % 50) < per_directory) out.push_back(all[i]);
    }
    return out;
  }
  // Seeds every key straight into s3rver's store (S3rverInstance::seed_object; PutObject is tested on its own).
  static void seed_all(S3rverInstance& server, const std::vector<std::string>& all) {
    for (const auto& k : all) ASSERT_TRUE(server.seed_object("starkeep", k, "v:" + k)) << k;
  }

  static inline S3rverInstance* server_ = nullptr;
  ports::FakeSleeper sleeper_;
};

TEST_F(S3rverTest, ListsInPagesOfAThousandAndDeletesInBatchesOfAThousand) {
  Client s3 = client(config(*server_));
  const auto wanted = keys("paging/__ss_a/", 2500);
  seed_all(*server_, wanted);
  for (const auto& k : keys("paging/__ss_b/", 3)) ASSERT_TRUE(s3.client->put_object(k, "v:" + k));  // not listed

  auto listing = list_all(*s3.client, "paging/__ss_a/");
  ASSERT_TRUE(listing) << listing.error().describe();
  EXPECT_EQ(s3.wire->counts["ListObjectsV2"], 3);
  EXPECT_EQ(listing->requests, 3);
  std::vector<std::string> got;
  for (const auto& o : listing->objects) got.push_back(o.key);
  EXPECT_EQ(got, wanted);  // every key, once, in key order
  EXPECT_EQ(listing->objects[7].size, std::string("v:" + wanted[7]).size());

  const std::vector<std::string> doomed = some_of_each_directory(wanted, 42);
  ASSERT_EQ(doomed.size(), 2100U);
  const DeleteReport report = delete_keys(*s3.client, doomed);
  ASSERT_TRUE(report.complete()) << (report.error ? report.error->describe() : "failed keys");
  EXPECT_EQ(s3.wire->counts["DeleteObjects"], 3);
  EXPECT_EQ(report.deleted, doomed);

  auto rest = list_all(*s3.client, "paging/");
  ASSERT_TRUE(rest) << rest.error().describe();
  got.clear();
  for (const auto& o : rest->objects) got.push_back(o.key);
  std::vector<std::string> expected;
  std::set_difference(wanted.begin(), wanted.end(), doomed.begin(), doomed.end(), std::back_inserter(expected));
  ASSERT_EQ(expected.size(), 400U);
  for (const auto& k : keys("paging/__ss_b/", 3)) expected.push_back(k);
  EXPECT_EQ(got, expected);
}

TEST_F(S3rverTest, DelimitedListingsGiveSnapshotDirectories) {
  Client s3 = client(config(*server_));
  for (const char* k : {"delim/__ss_x/__info_1", "delim/__ss_x/__ss_content/a", "delim/__ss_y/__meta", "delim/f"}) {
    ASSERT_TRUE(s3.client->put_object(k, "1"));
  }
  auto listing = list_all(*s3.client, "delim/", "/");
  ASSERT_TRUE(listing) << listing.error().describe();
  EXPECT_EQ(listing->common_prefixes, (std::vector<std::string>{"delim/__ss_x/", "delim/__ss_y/"}));
  ASSERT_EQ(listing->objects.size(), 1U);
  EXPECT_EQ(listing->objects[0].key, "delim/f");
}

TEST_F(S3rverTest, ObjectsRoundTripAndMissingOnesAreNotFound) {
  Client s3 = client(config(*server_));
  const std::string body = "line 1\nbinary \x01\x02 and spaces";
  ASSERT_TRUE(s3.client->put_object("objects/a b+c&d", body));
  auto back = s3.client->get_object("objects/a b+c&d");
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(*back, body);
  auto missing = s3.client->get_object("objects/never-written");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "s3.not_found");
  EXPECT_NE(missing.error().message.find("NoSuchKey"), std::string::npos) << missing.error().message;
}

TEST_F(S3rverTest, AMissingBucketIsNotFound) {
  Client s3 = client(config(*server_, "no-such-bucket"));
  auto page = s3.client->list_page({});
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, "s3.not_found");
  EXPECT_NE(page.error().message.find("NoSuchBucket"), std::string::npos) << page.error().message;
  EXPECT_EQ(s3.wire->counts["ListObjectsV2"], 1);  // not retried
}

TEST_F(S3rverTest, AnUnknownAccessKeyIsAnAuthError) {
  S3Config c = config(*server_);
  c.credentials.access_key = "NOT-S3RVER";
  Client s3 = client(std::move(c));
  auto page = s3.client->list_page({});
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, "s3.auth");
  EXPECT_NE(page.error().message.find("InvalidAccessKeyId"), std::string::npos) << page.error().message;
  EXPECT_EQ(page.error().describe().find(emu::harness::kS3rverSecretKey), std::string::npos);
}

TEST_F(S3rverTest, PostureCallsS3rverLacksAreUnknown) {
  Client s3 = client(config(*server_));
  auto versioning = s3.client->bucket_versioning();
  auto lock = s3.client->object_lock_configuration();
  auto lifecycle = s3.client->lifecycle_configuration();
  auto policy = s3.client->bucket_policy();
  ASSERT_TRUE(versioning) << versioning.error().describe();
  ASSERT_TRUE(lock) << lock.error().describe();
  ASSERT_TRUE(lifecycle) << lifecycle.error().describe();
  ASSERT_TRUE(policy) << policy.error().describe();
  EXPECT_FALSE(versioning->is_known());
  EXPECT_FALSE(lock->is_known());
  EXPECT_FALSE(lifecycle->is_known());
  EXPECT_FALSE(policy->is_known());
  EXPECT_NE(lock->unknown_reason().find("NotImplemented"), std::string::npos) << lock->unknown_reason();
  EXPECT_NE(lifecycle->unknown_reason().find("NotImplemented"), std::string::npos) << lifecycle->unknown_reason();
  EXPECT_NE(policy->unknown_reason().find("MethodNotAllowed"), std::string::npos) << policy->unknown_reason();
  EXPECT_NE(versioning->unknown_reason().find("ListBucketResult"), std::string::npos) << versioning->unknown_reason();
}

// Its own server: the test stops it after the first DeleteObjects request.
TEST_F(S3rverTest, AServerStoppedMidDeletionGivesABoundedRetriedError) {
  auto own = S3rverInstance::start({.buckets = {"starkeep"}});
  ASSERT_TRUE(own) << own.error().describe();
  S3rverInstance& server = **own;
  Client s3 = client(config(server));
  const auto stored = keys("stop/", 1100);
  seed_all(server, stored);
  const auto all = some_of_each_directory(stored, 48);  // 1056 keys: two DeleteObjects requests
  s3.wire->after_each = [&](const HttpRequest& request) {
    if (request.operation == "DeleteObjects") server.stop();
  };
  const DeleteReport report = delete_keys(*s3.client, all);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->code, "s3.transport");
  EXPECT_NE(report.error->message.find("4 attempts"), std::string::npos) << report.error->message;
  EXPECT_EQ(report.deleted, std::vector<std::string>(all.begin(), all.begin() + 1000));
  EXPECT_EQ(report.not_confirmed, std::vector<std::string>(all.begin() + 1000, all.end()));
  EXPECT_EQ(s3.wire->counts["DeleteObjects"], 1 + 4);  // the first batch, then four attempts of the second
  EXPECT_EQ(sleeper_.sleeps().size(), 3U);              // bounded, and through the Sleeper port
}

}  // namespace
}  // namespace sk::s3
