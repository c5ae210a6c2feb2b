// S3Client: the ObjectStore over the S3 REST API. Builds each request (RequestBuilder), sends it through an
// HttpTransport (CurlTransport in production: SigV4 by libcurl), retries, and reads the answer.
//
// Retries: up to RetryPolicy::max_attempts per request on transport failures marked retryable (connection refused,
// resets, timeouts), HTTP 500/502/503/504 and 429, and S3's throttling and timeout codes (SlowDown, Throttling,
// ThrottlingException, RequestLimitExceeded, TooManyRequests, RequestTimeout, InternalError), waiting through the
// Sleeper port with exponential backoff and jitter. DeleteObjects and PutObject are idempotent, so they are retried
// the same way.
//
// Errors (sk::Error codes, common/error_codes.def): "s3.transport" (no HTTP answer after the retries), "s3.auth"
// (401/403 and S3's credential codes), "s3.not_found" (NoSuchBucket, NoSuchKey, other 404s), "s3.unsupported" (a
// data call the endpoint does not implement), "s3.http" (any other status, after the retries for retryable ones),
// "s3.parse" (an answer that cannot be read), "s3.usage" (a request the client refuses to build). Each message
// names the operation, the bucket and endpoint, the status, S3's code and message and the attempts (GetObject and
// PutObject add the key as context).
// The posture reads answer Probe::unknown instead of "s3.unsupported" (NotImplemented, 501, MethodNotAllowed, 405,
// or a 2xx document of another kind, as s3rver's bucket listing for GET ?versioning).
//
// Not thread-safe (the transport keeps one connection).
#pragma once

#include <functional>
#include <memory>

#include "runtime/ports/clock.h"
#include "runtime/s3/object_store.h"
#include "runtime/s3/s3_config.h"
#include "runtime/s3/s3_request.h"

namespace sk::s3 {

class S3Client final : public ObjectStore {
 public:
  // `sleeper` must outlive the client; `random01` returns values in [0, 1) for the jitter.
  S3Client(S3Config config, std::unique_ptr<HttpTransport> transport, ports::Sleeper& sleeper,
           std::function<double()> random01);

  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] Result<ListPage> list_page(const ListRequest& request) override;
  [[nodiscard]] Result<DeleteBatch> delete_batch(std::span<const std::string> keys) override;
  [[nodiscard]] Result<std::string> get_object(std::string_view key) override;
  [[nodiscard]] Status put_object(std::string_view key, std::string_view body) override;
  [[nodiscard]] Result<Probe<BucketVersioning>> bucket_versioning() override;
  [[nodiscard]] Result<Probe<ObjectLockConfiguration>> object_lock_configuration() override;
  [[nodiscard]] Result<Probe<LifecycleConfiguration>> lifecycle_configuration() override;
  [[nodiscard]] Result<Probe<BucketPolicy>> bucket_policy() override;

  // The final answer of one request after the retries (any status), or "s3.transport". Exposed for tests.
  [[nodiscard]] Result<HttpResponse> send(const HttpRequest& request);

 private:
  // The Error for a non-2xx answer.
  [[nodiscard]] Error error_for(const HttpRequest& request, const HttpResponse& response) const;
  // GET ?<subresource>: 2xx → parse(body); a 404 with `absent_code` → `absent`; NotImplemented / 501,
  // MethodNotAllowed / 405 or a 2xx document with another root element than `expected_root` → unknown.
  template <typename T>
  struct ProbeCall {
    std::string_view operation, subresource, expected_root, absent_code;
    std::function<Result<T>(std::string_view)> parse;
    T absent;
  };
  template <typename T>
  [[nodiscard]] Result<Probe<T>> probe(const ProbeCall<T>& call);

  S3Config config_;
  RequestBuilder builder_;
  std::unique_ptr<HttpTransport> transport_;
  ports::Sleeper& sleeper_;
  std::function<double()> random01_;
  int last_attempts_ = 0;
};

// The production client: a CurlTransport for `config`, jitter from jobs::default_random01().
[[nodiscard]] std::unique_ptr<ObjectStore> make_s3_client(S3Config config, ports::Sleeper& sleeper);
// The same, waiting between retries with the thread's own sleep (for callers without a Sleeper port: the
// emulator's S3 repository backend).
[[nodiscard]] std::unique_ptr<ObjectStore> make_s3_client(S3Config config);

}  // namespace sk::s3
