// S3Client over a scripted transport: which answers are retried (and how long it waits, through the Sleeper port),
// how failures map to error codes, and that an endpoint which does not implement a posture call yields "unknown".
#include "runtime/s3/s3_client.h"

#include <gtest/gtest.h>

#include <deque>

#include "runtime/ports/fakes.h"

namespace sk::s3 {
namespace {

using std::chrono::milliseconds;

class ScriptedTransport final : public HttpTransport {
 public:
  HttpOutcome perform(const HttpRequest& request) override {
    requests.push_back(request);
    if (replies.empty()) return std::unexpected(TransportFailure{"script exhausted", false});
    HttpOutcome next = replies.front();
    replies.pop_front();
    return next;
  }
  std::deque<HttpOutcome> replies;
  std::vector<HttpRequest> requests;
};

HttpOutcome answer(long status, std::string body = {}) { return HttpResponse{status, std::move(body)}; }
HttpOutcome s3_error(long status, std::string_view code) {
  return answer(status, fmt::format("<Error><Code>{}</Code><Message>m</Message><RequestId>R1</RequestId></Error>", code));
}
HttpOutcome refused() { return std::unexpected(TransportFailure{"Failed to connect to 127.0.0.1 port 1", true}); }

constexpr std::string_view kEmptyPage = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
constexpr std::string_view kClientSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

struct Rig {
  explicit Rig(double random = 0.0) {
    S3Config config(*Endpoint::parse("http://127.0.0.1:9000"));
    config.bucket = "bkt";
    config.credentials = {"AKIAEXAMPLE", std::string(kClientSecret)};
    auto owned = std::make_unique<ScriptedTransport>();
    transport = owned.get();
    client = std::make_unique<S3Client>(std::move(config), std::move(owned), sleeper, [random] { return random; });
  }
  ports::FakeSleeper sleeper;
  ScriptedTransport* transport = nullptr;
  std::unique_ptr<S3Client> client;
};

TEST(S3Client, ThrottlingIsRetriedWithJitteredBackoff) {
  Rig low(0.0);  // jitter factor 0.5
  low.transport->replies = {s3_error(503, "SlowDown"), answer(500), answer(200, std::string(kEmptyPage))};
  auto page = low.client->list_page({});
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(low.transport->requests.size(), 3U);
  EXPECT_EQ(low.sleeper.sleeps(), (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));

  Rig high(0.999);  // jitter factor ~1.5, the cap applies before it
  high.transport->replies = {answer(429), s3_error(400, "RequestTimeout"), s3_error(403, "Throttling"),
                             answer(200, std::string(kEmptyPage))};
  ASSERT_TRUE(high.client->list_page({}));
  ASSERT_EQ(high.sleeper.sleeps().size(), 3U);
  EXPECT_EQ(high.sleeper.sleeps()[0], milliseconds(299));
  EXPECT_EQ(high.sleeper.sleeps()[2], milliseconds(1199));
}

TEST(S3Client, RetriesAreBounded) {
  Rig rig;
  rig.transport->replies = {s3_error(503, "SlowDown"), s3_error(503, "SlowDown"), s3_error(503, "SlowDown"),
                            s3_error(503, "SlowDown"), answer(200, std::string(kEmptyPage))};
  auto page = rig.client->list_page({});
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, "s3.http");
  EXPECT_NE(page.error().message.find("HTTP 503 SlowDown"), std::string::npos) << page.error().message;
  EXPECT_NE(page.error().message.find("4 attempts"), std::string::npos) << page.error().message;
  EXPECT_NE(page.error().message.find("request id R1"), std::string::npos) << page.error().message;
  EXPECT_EQ(rig.transport->requests.size(), 4U);
  EXPECT_EQ(rig.sleeper.sleeps().size(), 3U);
}

TEST(S3Client, ConnectionErrorsAreRetriedThenReported) {
  Rig rig;
  rig.transport->replies = {refused(), refused(), refused(), refused()};
  auto batch = rig.client->delete_batch(std::vector<std::string>{"a"});
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().code, "s3.transport");
  EXPECT_NE(batch.error().message.find("4 attempts"), std::string::npos) << batch.error().message;
  EXPECT_NE(batch.error().message.find("DeleteObjects"), std::string::npos) << batch.error().message;
  EXPECT_EQ(rig.transport->requests.size(), 4U);

  Rig tls;
  tls.transport->replies = {std::unexpected(TransportFailure{"SSL certificate problem", false})};
  auto once = tls.client->get_object("k");
  ASSERT_FALSE(once);
  EXPECT_EQ(once.error().code, "s3.transport");
  EXPECT_EQ(tls.transport->requests.size(), 1U);
  EXPECT_TRUE(tls.sleeper.sleeps().empty());
}

TEST(S3Client, ClientErrorsMapToCodesWithoutRetry) {
  const std::vector<std::pair<HttpOutcome, std::string>> cases = {
      {s3_error(403, "InvalidAccessKeyId"), "s3.auth"},     {s3_error(403, "SignatureDoesNotMatch"), "s3.auth"},
      {s3_error(400, "ExpiredToken"), "s3.auth"},            {answer(401), "s3.auth"},
      {s3_error(404, "NoSuchBucket"), "s3.not_found"},       {s3_error(404, "NoSuchKey"), "s3.not_found"},
      {s3_error(501, "NotImplemented"), "s3.unsupported"},   {s3_error(400, "InvalidArgument"), "s3.http"},
      {answer(409, "<html>conflict</html>"), "s3.http"}};
  for (const auto& [reply, code] : cases) {
    Rig rig;
    rig.transport->replies = {reply};
    auto got = rig.client->get_object("repo/__ss_a/__info_1");
    ASSERT_FALSE(got) << code;
    EXPECT_EQ(got.error().code, code) << got.error().describe();
    EXPECT_EQ(rig.transport->requests.size(), 1U) << code;
    EXPECT_NE(got.error().describe().find("key repo/__ss_a/__info_1"), std::string::npos) << got.error().describe();
    EXPECT_EQ(got.error().describe().find(kClientSecret), std::string::npos);
  }
}

TEST(S3Client, UnimplementedPostureCallsAreUnknownNeverAPass) {
  Rig rig;
  rig.transport->replies = {s3_error(501, "NotImplemented"), s3_error(405, "MethodNotAllowed"),
                            answer(200, std::string(kEmptyPage)), s3_error(400, "NotImplemented")};
  auto lock = rig.client->object_lock_configuration();
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_FALSE(lock->is_known());
  EXPECT_NE(lock->unknown_reason().find("NotImplemented"), std::string::npos) << lock->unknown_reason();
  auto policy = rig.client->bucket_policy();
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_FALSE(policy->is_known());
  auto versioning = rig.client->bucket_versioning();  // s3rver answers with a bucket listing
  ASSERT_TRUE(versioning) << versioning.error().message;
  EXPECT_FALSE(versioning->is_known());
  EXPECT_NE(versioning->unknown_reason().find("<ListBucketResult>"), std::string::npos);
  auto lifecycle = rig.client->lifecycle_configuration();
  ASSERT_TRUE(lifecycle) << lifecycle.error().message;
  EXPECT_FALSE(lifecycle->is_known());
  EXPECT_EQ(rig.transport->requests[0].url, "http://127.0.0.1:9000/bkt?object-lock=");
  EXPECT_EQ(rig.transport->requests[1].url, "http://127.0.0.1:9000/bkt?policy=");
  EXPECT_EQ(rig.transport->requests[2].url, "http://127.0.0.1:9000/bkt?versioning=");
  EXPECT_EQ(rig.transport->requests[3].url, "http://127.0.0.1:9000/bkt?lifecycle=");
}

TEST(S3Client, NotConfiguredIsAKnownAnswer) {
  Rig rig;
  rig.transport->replies = {s3_error(404, "ObjectLockConfigurationNotFoundError"),
                            s3_error(404, "NoSuchLifecycleConfiguration"), s3_error(404, "NoSuchBucketPolicy"),
                            answer(200, "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
                            answer(200, R"({"Version":"2012-10-17"})")};
  auto lock = rig.client->object_lock_configuration();
  ASSERT_TRUE(lock && lock->is_known());
  EXPECT_FALSE(lock->value().enabled);
  auto lifecycle = rig.client->lifecycle_configuration();
  ASSERT_TRUE(lifecycle && lifecycle->is_known());
  EXPECT_TRUE(lifecycle->value().rules.empty());
  auto none = rig.client->bucket_policy();
  ASSERT_TRUE(none && none->is_known());
  EXPECT_FALSE(none->value().json);
  auto versioning = rig.client->bucket_versioning();
  ASSERT_TRUE(versioning && versioning->is_known());
  EXPECT_EQ(versioning->value().status, VersioningStatus::kEnabled);
  auto policy = rig.client->bucket_policy();
  ASSERT_TRUE(policy && policy->is_known());
  EXPECT_EQ(policy->value().json, R"({"Version":"2012-10-17"})");
}

TEST(S3Client, PostureErrorsStayErrors) {
  Rig rig;
  rig.transport->replies = {s3_error(404, "NoSuchBucket"), s3_error(403, "AccessDenied"), answer(404),
                            answer(200, "<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>")};
  auto missing = rig.client->object_lock_configuration();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "s3.not_found");
  auto denied = rig.client->bucket_policy();
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, "s3.auth");
  auto bare404 = rig.client->bucket_versioning();  // a 404 without S3's answer is not "never enabled"
  ASSERT_FALSE(bare404);
  EXPECT_EQ(bare404.error().code, "s3.not_found");
  auto garbled = rig.client->bucket_versioning();
  ASSERT_FALSE(garbled);
  EXPECT_EQ(garbled.error().code, "s3.parse");
}

TEST(S3Client, DeleteBatchReadsPerKeyOutcomes) {
  Rig rig;
  rig.transport->replies = {answer(200, "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key>"
                                        "<Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>")};
  auto batch = rig.client->delete_batch(std::vector<std::string>{"a", "b"});
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->deleted, std::vector<std::string>{"a"});
  ASSERT_EQ(batch->failed.size(), 1U);
  EXPECT_EQ(batch->failed[0].code, "AccessDenied");
  const HttpRequest& sent = rig.transport->requests.at(0);
  EXPECT_EQ(sent.method, "POST");
  ASSERT_NE(sent.header("content-md5"), nullptr);
  EXPECT_EQ(*sent.header("content-md5"), md5_base64(sent.body));
}

}  // namespace
}  // namespace sk::s3
