// CurlTransport against a real loopback HTTP receiver: the requests libcurl signs (CURLOPT_AWS_SIGV4) are checked
// against an independent SigV4 computation written here from the AWS specification (canonical request → string
// to sign → HMAC chain), the way S3 checks them. s3rver does not verify signatures, so this is the test that
// would catch a URL that is not canonical, an unsigned header, or a payload hash S3 would reject.
// Also: timeouts and refused connections are retryable transport failures, and no failure text carries a secret.
#include "runtime/s3/curl_transport.h"

#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <sstream>

#include "http_receiver.h"

namespace sk::s3 {
namespace {

using alerts::testing::HttpReceiver;

constexpr std::string_view kSigV4Access = "AKIDEXAMPLE";
constexpr std::string_view kSigV4Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}

std::string test_sha256(std::string_view s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return hex(d, sizeof d);
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), d, &n);
  return {reinterpret_cast<const char*>(d), n};
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string aws_encode(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// What S3 computes from the query it received: decoded, re-encoded, sorted by name.
std::string canonical_query_of(std::string_view query) {
  std::vector<std::string> pairs;
  std::stringstream in{std::string(query)};
  for (std::string part; std::getline(in, part, '&');) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    const std::string name = percent_decode(part.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : percent_decode(part.substr(eq + 1));
    pairs.push_back(aws_encode(name) + "=" + aws_encode(value));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& p : pairs) out += (out.empty() ? "" : "&") + p;
  return out;
}

std::string field(std::string_view auth, std::string_view name) {
  const auto at = auth.find(name);
  if (at == std::string_view::npos) return {};
  const auto start = at + name.size();
  return std::string(auth.substr(start, auth.find(',', start) - start));
}

// The signature S3 would compute for `r`; also checks the request's structural requirements.
void expect_valid_signature(const alerts::testing::HttpRequest& r, std::string_view region) {
  const auto auth = r.header("authorization");
  ASSERT_TRUE(auth) << r.target;
  ASSERT_TRUE(auth->starts_with("AWS4-HMAC-SHA256 ")) << *auth;
  const std::string credential = field(*auth, "Credential=");
  const std::string signed_headers = field(*auth, "SignedHeaders=");
  const std::string signature = field(*auth, "Signature=");
  const auto date = r.header("x-amz-date");
  const auto payload = r.header("x-amz-content-sha256");
  ASSERT_TRUE(date && payload) << r.target;
  EXPECT_EQ(*payload, test_sha256(r.body)) << "x-amz-content-sha256 must be the body's hash";
  const std::string day = date->substr(0, 8);
  EXPECT_EQ(credential, fmt::format("{}/{}/{}/s3/aws4_request", kSigV4Access, day, region));
  for (const char* needed : {"host", "x-amz-content-sha256", "x-amz-date"}) {
    EXPECT_NE((";" + signed_headers + ";").find(std::string(";") + needed + ";"), std::string::npos) << needed;
  }
  std::string canonical_headers;
  std::stringstream names(signed_headers);
  for (std::string name; std::getline(names, name, ';');) {
    const auto value = r.header(name);
    ASSERT_TRUE(value) << "signed header not sent: " << name;
    canonical_headers += name + ":" + *value + "\n";
  }
  const auto q = r.target.find('?');
  const std::string path = r.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
  EXPECT_EQ(query, canonical_query_of(query)) << "the URL sent must already be canonical";
  const std::string canonical = r.method + "\n" + path + "\n" + canonical_query_of(query) + "\n" + canonical_headers +
                                "\n" + signed_headers + "\n" + *payload;
  const std::string scope = fmt::format("{}/{}/s3/aws4_request", day, region);
  const std::string to_sign = "AWS4-HMAC-SHA256\n" + *date + "\n" + scope + "\n" + test_sha256(canonical);
  std::string key = hmac("AWS4" + std::string(kSigV4Secret), day);
  for (const std::string_view part : {region, std::string_view("s3"), std::string_view("aws4_request")}) {
    key = hmac(key, part);
  }
  const std::string expected = hmac(key, to_sign);
  EXPECT_EQ(signature, hex(reinterpret_cast<const unsigned char*>(expected.data()), expected.size()))
      << "canonical request:\n" << canonical;
}

S3Config config_for_receiver(const HttpReceiver& receiver) {
  S3Config config(*Endpoint::parse(receiver.url()));
  config.region = "eu-west-1";
  config.bucket = "bkt";
  config.credentials = {std::string(kSigV4Access), std::string(kSigV4Secret)};
  config.request_timeout = std::chrono::milliseconds(3000);
  return config;
}

TEST(S3CurlTransport, RequestsCarryAValidSigV4Signature) {
  HttpReceiver receiver;
  const S3Config config = config_for_receiver(receiver);
  CurlTransport transport(config);
  const RequestBuilder build(config.endpoint, config.bucket, config.addressing);
  const std::vector<std::string> keys = {"repo/__ss_a b/__info_x", "repo/k+1&2"};
  auto del = build.delete_objects(keys);
  ASSERT_TRUE(del);
  for (const HttpRequest& request :
       {build.list_objects({"repo/__ss_a b/", "/", "tok/en+=", 1000}), *del, build.put_object("repo/a b/c", "data"),
        build.get_object("repo/x~y*z"), build.get_bucket_subresource("GetBucketVersioning", "versioning")}) {
    auto outcome = transport.perform(request);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->status, 200);
  }
  const auto seen = receiver.requests();
  ASSERT_EQ(seen.size(), 5U);
  const std::vector<std::string> methods = {"GET", "POST", "PUT", "GET", "GET"};
  for (std::size_t i = 0; i < seen.size(); ++i) {
    SCOPED_TRACE(seen[i].method + " " + seen[i].target);
    EXPECT_EQ(seen[i].method, methods[i]);
    expect_valid_signature(seen[i], "eu-west-1");
    for (const auto& [name, value] : seen[i].headers) EXPECT_EQ(value.find(kSigV4Secret), std::string::npos) << name;
  }
  EXPECT_EQ(seen[1].body, del->body);
  EXPECT_EQ(seen[1].header("content-md5"), md5_base64(del->body));
  EXPECT_EQ(seen[2].body, "data");
  EXPECT_EQ(seen[3].target, "/bkt/repo/x~y%2Az");
}

TEST(S3CurlTransport, TimeoutsAndRefusedConnectionsAreRetryable) {
  HttpReceiver receiver;
  receiver.set_hang(true);
  S3Config config = config_for_receiver(receiver);
  config.request_timeout = std::chrono::milliseconds(300);
  CurlTransport hanging(config);
  const RequestBuilder build(config.endpoint, config.bucket, config.addressing);
  auto timed_out = hanging.perform(build.get_object("k"));
  ASSERT_FALSE(timed_out);
  EXPECT_TRUE(timed_out.error().retryable);
  EXPECT_EQ(timed_out.error().message.find(kSigV4Secret), std::string::npos);

  S3Config closed = config;
  closed.endpoint = *Endpoint::parse("http://127.0.0.1:" + std::to_string(alerts::testing::closed_port()));
  CurlTransport refused(closed);
  auto no_server = refused.perform(RequestBuilder(closed.endpoint, "bkt", Addressing::kPath).get_object("k"));
  ASSERT_FALSE(no_server);
  EXPECT_TRUE(no_server.error().retryable);
}

TEST(S3CurlTransport, OversizedResponsesAreRefused) {
  HttpReceiver receiver;  // answers {"status":"success"}: 21 bytes
  S3Config config = config_for_receiver(receiver);
  config.max_response_bytes = 8;
  CurlTransport transport(config);
  auto got = transport.perform(RequestBuilder(config.endpoint, "bkt", Addressing::kPath).get_object("k"));
  ASSERT_FALSE(got);
  EXPECT_FALSE(got.error().retryable);
  EXPECT_NE(got.error().message.find("larger than 8 bytes"), std::string::npos) << got.error().message;
}

}  // namespace
}  // namespace sk::s3
