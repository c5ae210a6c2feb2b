// The S3 requests starkeep sends, built as plain values (pure, unit-tested without a server), and the
// HttpTransport port that performs them (CurlTransport in curl_transport.h signs each one with libcurl's
// CURLOPT_AWS_SIGV4; tests substitute a scripted transport).
//
// Requests are built in SigV4 canonical form, so the URL that is sent is the URL that is signed, whatever the
// libcurl version: the path is URI-encoded once per segment ('/' kept, RFC 3986 unreserved characters kept,
// everything else %XX upper case), the query parameters are encoded the same way and sorted, and a parameter
// without value is written "name=". Header names are lower case (libcurl signs every header it is given), and
// every request carries x-amz-content-sha256, the SHA-256 of its body, which S3 requires and libcurl signs.
#pragma once

#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "runtime/s3/object_store.h"
#include "runtime/s3/s3_config.h"

namespace sk::s3 {

struct HttpRequest {
  std::string operation;  // "ListObjectsV2", "DeleteObjects", …: for messages
  std::string method;     // GET, PUT, POST
  std::string url;        // canonical: endpoint + encoded path + '?' + sorted encoded query
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  [[nodiscard]] const std::string* header(std::string_view name) const;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// A request that got no HTTP response (connection refused, DNS, TLS, timeout, response too large).
struct TransportFailure {
  std::string message;     // without secrets
  bool retryable = false;  // connection errors and timeouts: yes; TLS verification, a refused option: no
};

using HttpOutcome = std::expected<HttpResponse, TransportFailure>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // One attempt; no retries (S3Client retries).
  [[nodiscard]] virtual HttpOutcome perform(const HttpRequest& request) = 0;
};

// S3's URI encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) kept, '/' kept when `keep_slash`, every other
// byte as %XX with upper-case hex.
[[nodiscard]] std::string uri_encode(std::string_view text, bool keep_slash);

// Lower-case hex SHA-256 and base64 MD5 of `data` (OpenSSL).
[[nodiscard]] std::string sha256_hex(std::string_view data);
[[nodiscard]] std::string md5_base64(std::string_view data);

// Builds the requests of one bucket. Holds no secrets (credentials stay with the transport).
class RequestBuilder {
 public:
  RequestBuilder(Endpoint endpoint, std::string bucket, Addressing addressing)
      : endpoint_(std::move(endpoint)), bucket_(std::move(bucket)), addressing_(addressing) {}

  // GET ?list-type=2 with prefix, delimiter, continuation-token and max-keys (the empty ones left out).
  [[nodiscard]] HttpRequest list_objects(const ListRequest& request) const;
  // POST ?delete= with the <Delete> document (Quiet false: every deleted key is confirmed) and its Content-MD5.
  // Errors: "s3.usage" for 0 or more than 1000 keys, a key given twice, or a key XML cannot carry.
  [[nodiscard]] Result<HttpRequest> delete_objects(std::span<const std::string> keys) const;
  [[nodiscard]] HttpRequest get_object(std::string_view key) const;
  [[nodiscard]] HttpRequest put_object(std::string_view key, std::string_view body) const;
  // GET ?<subresource>= on the bucket: "versioning", "object-lock", "lifecycle", "policy".
  [[nodiscard]] HttpRequest get_bucket_subresource(std::string_view operation, std::string_view subresource) const;

  // "s3://<bucket> at <endpoint>".
  [[nodiscard]] std::string describe() const;

 private:
  // `key` empty: the bucket itself.
  [[nodiscard]] HttpRequest make(std::string operation, std::string method, std::string_view key,
                                 std::vector<std::pair<std::string, std::string>> query, std::string body) const;

  Endpoint endpoint_;
  std::string bucket_;
  Addressing addressing_;
};

}  // namespace sk::s3
