// HttpTarget: a validated notifier URL. HTTPS is required, except for loopback hosts (localhost, 127.0.0.0/8,
// [::1]) where plain http is allowed so that local receivers and tests work without certificates; a policy
// that points a webhook at http://<remote host> is refused here, before anything is sent. Immutable value.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "runtime/ports/hosts.h"

namespace sk::alerts {

class HttpTarget {
 public:
  // Accepts scheme://[user[:password]@]host[:port][/path][?query] with scheme http or https (any case), host
  // a name, an IPv4 address or a bracketed IPv6 address. Errors ("alerts.url"): another scheme, no host, a
  // bad port, whitespace or control characters, http:// to a non-loopback host. Error messages show the URL
  // redacted.
  [[nodiscard]] static Result<HttpTarget> parse(std::string_view url);

  // The URL as given, credentials included: hand it to the HTTP client only, never to a log.
  [[nodiscard]] const std::string& url() const { return url_; }
  // scheme://[user:<redacted>@]host[:port]/path[?<redacted>]: safe to log (the query string is dropped as a
  // whole because webhook tokens often live there).
  [[nodiscard]] const std::string& redacted() const { return redacted_; }
  [[nodiscard]] bool https() const { return https_; }
  [[nodiscard]] bool loopback() const { return loopback_; }
  // The path without query ("" when the URL has none).
  [[nodiscard]] const std::string& path() const { return path_; }
  // A copy with `path` instead of an empty or "/" path (used to default Alertmanager URLs to /api/v2/alerts).
  [[nodiscard]] HttpTarget with_default_path(std::string_view path) const;

 private:
  HttpTarget() = default;
  std::string url_, redacted_, path_;
  bool https_ = false;
  bool loopback_ = false;
};

// True for "localhost" (any case), IPv4 127.0.0.0/8 and "[::1]" / "::1" (one definition, in runtime/ports).
using ports::is_loopback_host;

}  // namespace sk::alerts
