// What the S3 client needs to reach one bucket: the endpoint (HTTPS, or plain http to a loopback host such as
// s3rver in the tests), the signing region, the bucket and how it is addressed (path style
// <endpoint>/<bucket>/<key>, or virtual-host style <bucket>.<endpoint host>/<key>), the credentials, timeouts and
// the retry policy. config_for() derives it from a policy's repository with the same rules and the same
// environment variables as `repository apply` (runtime/repository): keys are never on a command line and never in
// the policy, and a Credentials value is never formatted into a message or a log.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "compiler/model/policy.h"

namespace sk::s3 {

// The credentials variables `credentials = env` reads (the only source of static keys; see repository_apply.h).
inline constexpr std::string_view kAccessKeyVariable = "STARKEEP_S3_ACCESS_KEY";
inline constexpr std::string_view kSecretKeyVariable = "STARKEEP_S3_SECRET_KEY";

// Looks an environment variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// scheme://host[:port] with an optional trailing '/'; no user info, path, query or fragment. Immutable value.
class Endpoint {
 public:
  // Errors ("s3.config"): not http(s), no host, a bad port, a path/query/user info, whitespace or control
  // characters, http:// to a host that is not loopback (only HTTPS leaves the machine).
  [[nodiscard]] static Result<Endpoint> parse(std::string_view text);

  [[nodiscard]] const std::string& scheme() const { return scheme_; }  // "https" or "http", lower case
  [[nodiscard]] const std::string& host() const { return host_; }      // as given ("[::1]" keeps its brackets)
  [[nodiscard]] const std::string& port() const { return port_; }      // "" when the URL has none
  [[nodiscard]] bool https() const { return scheme_ == "https"; }
  [[nodiscard]] bool loopback() const { return loopback_; }
  // "scheme://host[:port]" (no trailing '/'); with `bucket_subdomain`, "scheme://<bucket>.host[:port]".
  [[nodiscard]] std::string base_url(std::string_view bucket_subdomain = {}) const;

 private:
  Endpoint() = default;
  std::string scheme_, host_, port_;
  bool loopback_ = false;
};

enum class Addressing { kPath, kVirtualHost };

// Static keys. Holds secrets: never format, log or copy into an error message.
struct Credentials {
  std::string access_key;
  std::string secret_key;
};

// Bounded retries of one request: on connection errors and timeouts, HTTP 5xx, 429, and S3's throttling and
// RequestTimeout codes. The n-th retry waits min(initial × 2^(n-1), max) scaled by a random factor in
// [1 - jitter, 1 + jitter] (jobs::Backoff, the runner's backoff), through the Sleeper port.
struct RetryPolicy {
  int max_attempts = 4;  // total attempts, including the first (≥ 1)
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  double jitter = 0.5;
};

struct S3Config {
  explicit S3Config(Endpoint e) : endpoint(std::move(e)) {}

  Endpoint endpoint;
  std::string region = "us-east-1";  // the SigV4 signing region
  std::string bucket;
  Addressing addressing = Addressing::kPath;
  Credentials credentials;
  std::chrono::milliseconds connect_timeout{5'000};   // per attempt
  std::chrono::milliseconds request_timeout{60'000};  // per attempt, connect included
  std::size_t max_response_bytes = 64U << 20;         // larger bodies fail the request (objects here are small)
  RetryPolicy retry;
};

// A repository location split into bucket and key prefix: "s3a://bucket/a/b" → {"bucket", "a/b/"}; the prefix is
// "" or ends with '/'. Schemes s3, s3a, s3n (any case). Errors ("s3.config"): another scheme, no bucket, a bucket
// name S3 would refuse (3–63 of a-z 0-9 . -, starting and ending with a letter or digit).
struct BucketLocation {
  std::string bucket;
  std::string prefix;
};
[[nodiscard]] Result<BucketLocation> parse_location(std::string_view location);

// Ok when `name` is a valid S3 bucket name (see parse_location); "s3.config" otherwise.
[[nodiscard]] Status check_bucket_name(std::string_view name);

// The keys of a `credentials = env` repository from STARKEEP_S3_ACCESS_KEY / STARKEEP_S3_SECRET_KEY.
// Errors: "repository.credentials" naming the missing variable (never a value).
[[nodiscard]] Result<Credentials> environment_credentials(const model::Repository& repository, const EnvLookup& env);

// The client configuration for a policy repository: its endpoint (empty → https://s3.<region>.amazonaws.com with
// virtual-host addressing; a declared endpoint → path style, which every S3-compatible store accepts), its region
// (empty → us-east-1), the bucket of its location and environment credentials. Errors: parse_location's and
// Endpoint::parse's, "repository.credentials", and "s3.config" for `instance_profile` / `assume_role`
// repositories (the client signs with static keys only; those roles are resolved by StarRocks, not by starkeep).
[[nodiscard]] Result<S3Config> config_for(const model::Repository& repository, const EnvLookup& env);

}  // namespace sk::s3
