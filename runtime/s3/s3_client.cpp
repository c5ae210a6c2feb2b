#include "runtime/s3/s3_client.h"

#include <array>

#include "runtime/jobs/backoff.h"
#include "runtime/ports/redact.h"
#include "runtime/s3/curl_transport.h"
#include "runtime/s3/s3_responses.h"
#include "runtime/s3/xml.h"

namespace sk::s3 {
namespace {

constexpr std::array<std::string_view, 7> kRetryableCodes = {
    "SlowDown",  "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests", "RequestTimeout",
    "InternalError"};
constexpr std::array<std::string_view, 8> kAuthCodes = {
    "AccessDenied",         "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
    "AuthorizationHeaderMalformed", "RequestTimeTooSkewed", "InvalidSecurity"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& codes, std::string_view code) {
  for (const auto c : codes) {
    if (c == code) return true;
  }
  return false;
}

bool retryable_answer(const HttpResponse& response) {
  const long s = response.status;
  if (s == 500 || s == 502 || s == 503 || s == 504 || s == 429) return true;
  if (s < 300) return false;
  return one_of(kRetryableCodes, parse_error_body(response.body).code);
}

// Not implemented by this endpoint: NotImplemented / 501, MethodNotAllowed / 405.
bool unsupported_answer(long status, std::string_view code) {
  return status == 501 || status == 405 || code == "NotImplemented" || code == "MethodNotAllowed";
}

std::string attempts_text(int attempts) { return attempts == 1 ? "1 attempt" : fmt::format("{} attempts", attempts); }

// One line of printable text, at most 300 bytes, redacted.
std::string excerpt(std::string_view raw) {
  std::string line;
  for (const char c : raw.substr(0, 300)) {
    const auto u = static_cast<unsigned char>(c);
    line += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  return ports::redact(line);
}

// The root element's name of an XML body, "" when the body is not XML.
std::string root_element(std::string_view body) {
  auto root = parse_xml(body);
  return root ? root->name : std::string();
}

std::string key_context(std::string_view key) { return "key " + excerpt(key); }

}  // namespace

S3Client::S3Client(S3Config config, std::unique_ptr<HttpTransport> transport, ports::Sleeper& sleeper,
                   std::function<double()> random01)
    : config_(std::move(config)),
      builder_(config_.endpoint, config_.bucket, config_.addressing),
      transport_(std::move(transport)),
      sleeper_(sleeper),
      random01_(std::move(random01)) {}

std::string S3Client::describe() const { return builder_.describe(); }

Result<HttpResponse> S3Client::send(const HttpRequest& request) {
  jobs::Backoff backoff({.max_attempts = std::max(1, config_.retry.max_attempts) - 1,
                         .initial = config_.retry.initial_backoff,
                         .multiplier = 2.0,
                         .max_delay = config_.retry.max_backoff,
                         .jitter = config_.retry.jitter},
                        random01_);
  for (int attempt = 1;; ++attempt) {
    last_attempts_ = attempt;
    HttpOutcome outcome = transport_->perform(request);
    const bool retry = outcome ? retryable_answer(*outcome) : outcome.error().retryable;
    if (!retry) {
      if (outcome) return std::move(*outcome);
      return fail("s3.transport", "S3 {} on {}: {} ({})", request.operation, describe(), outcome.error().message,
                  attempts_text(attempt));
    }
    const auto delay = backoff.next();
    if (!delay) {
      if (outcome) return std::move(*outcome);  // the caller turns the last status into its error
      return fail("s3.transport", "S3 {} on {}: {} ({}, giving up)", request.operation, describe(),
                  outcome.error().message, attempts_text(attempt));
    }
    sleeper_.sleep_for(*delay);
  }
}

Error S3Client::error_for(const HttpRequest& request, const HttpResponse& response) const {
  const S3ErrorBody body = parse_error_body(response.body);
  std::string code = "s3.http";
  if (response.status == 401 || response.status == 403 || one_of(kAuthCodes, body.code)) {
    code = "s3.auth";
  } else if (response.status == 404 || body.code == "NoSuchBucket" || body.code == "NoSuchKey") {
    code = "s3.not_found";
  } else if (unsupported_answer(response.status, body.code)) {
    code = "s3.unsupported";
  }
  std::string detail = body.code.empty() ? excerpt(response.body) : body.code + ": " + excerpt(body.message);
  if (!body.request_id.empty()) detail += " (request id " + body.request_id + ")";
  return Error{std::move(code),
               fmt::format("S3 {} on {}: HTTP {}{}{} ({})", request.operation, describe(), response.status,
                           detail.empty() ? "" : " ", detail, attempts_text(last_attempts_)),
               {}};
}

Result<ListPage> S3Client::list_page(const ListRequest& request) {
  const HttpRequest http = builder_.list_objects(request);
  auto response = send(http);
  if (!response) return std::unexpected(response.error());
  if (response->status / 100 != 2) return std::unexpected(error_for(http, *response));
  auto page = parse_list_objects(response->body);
  if (!page) return std::unexpected(std::move(page.error()).with_context("S3 ListObjectsV2 on " + describe()));
  return page;
}

Result<DeleteBatch> S3Client::delete_batch(std::span<const std::string> keys) {
  auto http = builder_.delete_objects(keys);
  if (!http) return std::unexpected(http.error());
  auto response = send(*http);
  if (!response) return std::unexpected(response.error());
  if (response->status / 100 != 2) return std::unexpected(error_for(*http, *response));
  auto batch = parse_delete_result(response->body, keys);
  if (!batch) return std::unexpected(std::move(batch.error()).with_context("S3 DeleteObjects on " + describe()));
  return batch;
}

Result<std::string> S3Client::get_object(std::string_view key) {
  const HttpRequest http = builder_.get_object(key);
  auto response = send(http);
  if (!response) return std::unexpected(response.error());
  if (response->status / 100 != 2) return std::unexpected(error_for(http, *response).with_context(key_context(key)));
  return std::move(response->body);
}

Status S3Client::put_object(std::string_view key, std::string_view body) {
  const HttpRequest http = builder_.put_object(key, body);
  auto response = send(http);
  if (!response) return std::unexpected(response.error());
  if (response->status / 100 != 2) return std::unexpected(error_for(http, *response).with_context(key_context(key)));
  return ok();
}

template <typename T>
Result<Probe<T>> S3Client::probe(const ProbeCall<T>& call) {
  const auto& [operation, subresource, expected_root, absent_code, parse, absent] = call;
  const HttpRequest http = builder_.get_bucket_subresource(operation, subresource);
  auto response = send(http);
  if (!response) return std::unexpected(response.error());
  if (response->status / 100 == 2) {
    auto value = parse(response->body);
    if (value) return Probe<T>::known(std::move(*value));
    // A well-formed answer of another kind (s3rver answers GetBucketVersioning with a bucket listing) means the
    // endpoint does not implement the call.
    const std::string root = root_element(response->body);
    if (!root.empty() && root != expected_root) {
      return Probe<T>::unknown(fmt::format("{} answered {} with <{}> instead of <{}>", describe(), operation, root,
                                           expected_root));
    }
    return std::unexpected(std::move(value.error()).with_context(fmt::format("S3 {} on {}", operation, describe())));
  }
  const S3ErrorBody body = parse_error_body(response->body);
  if (response->status == 404 && !absent_code.empty() && body.code == absent_code) return Probe<T>::known(absent);
  if (unsupported_answer(response->status, body.code)) {
    return Probe<T>::unknown(fmt::format("{} answered HTTP {} {}: {}", describe(), response->status,
                                         body.code.empty() ? "(no S3 error code)" : body.code, excerpt(body.message)));
  }
  return std::unexpected(error_for(http, *response));
}

Result<Probe<BucketVersioning>> S3Client::bucket_versioning() {
  // Never enabled is a 200 with an empty configuration, so there is no "absent" code.
  return probe<BucketVersioning>(
      {"GetBucketVersioning", "versioning", "VersioningConfiguration", "", parse_versioning, {}});
}

Result<Probe<ObjectLockConfiguration>> S3Client::object_lock_configuration() {
  return probe<ObjectLockConfiguration>({"GetObjectLockConfiguration", "object-lock", "ObjectLockConfiguration",
                                         "ObjectLockConfigurationNotFoundError", parse_object_lock, {}});
}

Result<Probe<LifecycleConfiguration>> S3Client::lifecycle_configuration() {
  return probe<LifecycleConfiguration>({"GetBucketLifecycleConfiguration", "lifecycle", "LifecycleConfiguration",
                                        "NoSuchLifecycleConfiguration", parse_lifecycle, {}});
}

Result<Probe<BucketPolicy>> S3Client::bucket_policy() {
  // The policy is JSON: there is no XML root to check, so any 2xx body is the policy.
  const auto parse = [](std::string_view body) -> Result<BucketPolicy> { return BucketPolicy{std::string(body)}; };
  return probe<BucketPolicy>({"GetBucketPolicy", "policy", "", "NoSuchBucketPolicy", parse, BucketPolicy{}});
}

std::unique_ptr<ObjectStore> make_s3_client(S3Config config, ports::Sleeper& sleeper) {
  auto transport = std::make_unique<CurlTransport>(config);
  return std::make_unique<S3Client>(std::move(config), std::move(transport), sleeper, jobs::default_random01);
}

std::unique_ptr<ObjectStore> make_s3_client(S3Config config) {
  // ThreadSleeper has no state: one for the process serves every client and thread.
  static ports::ThreadSleeper sleeper;
  return make_s3_client(std::move(config), sleeper);
}

}  // namespace sk::s3
