#include "runtime/alerts/http_target.h"

#include <cctype>
#include <charconv>
#include <expected>
#include <optional>

#include "runtime/ports/hosts.h"
#include "runtime/ports/redact.h"

namespace sk::alerts {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct HostPort {
  std::string_view host;
  std::optional<std::string_view> port;  // present (possibly empty) when a ':' follows the host
};

// `host[:port]` or `[v6 address][:port]`; otherwise why not.
std::expected<HostPort, std::string_view> split_host_port(std::string_view hostport) {
  HostPort out;
  if (!hostport.empty() && hostport.front() == '[') {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return std::unexpected("unclosed '[' in the host");
    out.host = hostport.substr(0, close + 1);
    const std::string_view tail = hostport.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':') return std::unexpected("unexpected text after the IPv6 address");
      out.port = tail.substr(1);
    }
  } else {
    const std::size_t colon = hostport.rfind(':');
    out.host = hostport.substr(0, colon);
    if (colon != std::string_view::npos) out.port = hostport.substr(colon + 1);
  }
  return out;
}

bool valid_port(std::string_view port) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc() && ptr == port.data() + port.size() && value >= 1 &&
         value <= 65535;
}

// The URL as shown: the userinfo's password and the query redacted (`after` is what follows the authority).
std::string shown_url(std::string_view scheme, std::string_view userinfo, std::string_view hostport,
                      std::string_view path, std::string_view after, std::size_t query) {
  std::string shown = std::string(scheme) + "://";
  if (!userinfo.empty()) {
    const std::size_t colon = userinfo.find(':');
    shown += std::string(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) {
      shown += ':';
      shown += ports::kRedacted;
    }
    shown += '@';
  }
  shown += std::string(hostport);
  shown += path;
  if (query != std::string_view::npos && after[query] == '?') {
    shown += '?';
    shown += ports::kRedacted;
  }
  return ports::redact(shown);
}

}  // namespace

Result<HttpTarget> HttpTarget::parse(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return fail("alerts.url", "Invalid notifier URL {}: {}", ports::redact(url), why);
  };
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return bad("it contains whitespace or control characters");
  }
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad("expected http:// or https://");
  const std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http")
    return bad("only https:// (or http:// to a loopback host) is allowed");
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view after =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  const std::size_t at = authority.rfind('@');
  const std::string_view userinfo =
      at == std::string_view::npos ? std::string_view() : authority.substr(0, at);
  const std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
  const auto split = split_host_port(hostport);
  if (!split) return bad(split.error());
  if (split->host.empty() || split->host == "[]") return bad("no host");
  if (split->port && !valid_port(*split->port)) return bad("bad port");

  HttpTarget t;
  t.url_ = std::string(url);
  t.https_ = scheme == "https";
  t.loopback_ = is_loopback_host(split->host);
  if (!t.https_ && !t.loopback_) {
    return bad("plain http is allowed only to a loopback host (localhost, 127.0.0.0/8, [::1]); use https://");
  }
  const std::size_t query = after.find_first_of("?#");
  t.path_ = std::string(after.substr(0, query));
  t.redacted_ = shown_url(scheme, userinfo, hostport, t.path_, after, query);
  return t;
}

HttpTarget HttpTarget::with_default_path(std::string_view path) const {
  if (!path_.empty() && path_ != "/") return *this;
  // Insert the path between the authority and any query/fragment.
  const std::size_t scheme_end = url_.find("://") + 3;
  std::size_t insert = url_.find_first_of("/?#", scheme_end);
  if (insert == std::string::npos) insert = url_.size();
  std::size_t cut = insert;
  if (cut < url_.size() && url_[cut] == '/') ++cut;  // replace the lone "/"
  auto parsed = parse(url_.substr(0, insert) + std::string(path) + url_.substr(cut));
  return parsed ? *parsed : *this;
}

}  // namespace sk::alerts
