// CurlTransport: the HttpTransport over libcurl. Each request is signed by libcurl itself (CURLOPT_AWS_SIGV4
// "aws:amz:<region>:s3", CURLOPT_USERNAME/PASSWORD = the access and secret key; starkeep has no signing code of
// its own). TLS peer and host verification on; plain http only to a loopback endpoint (Endpoint::parse enforces
// it, the transport restricts libcurl's protocols to match), no proxy for loopback, no redirects, connect and
// total timeouts per attempt, response bodies capped at S3Config::max_response_bytes.
// Keeps one curl handle, so consecutive requests reuse the connection. Not thread-safe: one instance per thread.
#pragma once

#include <memory>

#include "runtime/s3/s3_config.h"
#include "runtime/s3/s3_request.h"

namespace sk::s3 {

class CurlTransport final : public HttpTransport {
 public:
  // `config` holds the credentials; they are handed to libcurl only.
  explicit CurlTransport(S3Config config);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  [[nodiscard]] HttpOutcome perform(const HttpRequest& request) override;

 private:
  struct Handle;
  S3Config config_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace sk::s3
