#include "runtime/s3/s3_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "runtime/ports/hosts.h"

namespace sk::s3 {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool valid_port(std::string_view port) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc() && ptr == port.data() + port.size() && value >= 1 && value <= 65535;
}

bool bucket_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; }
bool alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

Result<std::string> required_env(const EnvLookup& env, std::string_view name, const model::Repository& repository) {
  auto value = env ? env(name) : std::nullopt;
  if (!value || value->empty()) {
    return sk::fail("repository.credentials",
                    "repository {} uses credentials = env, but the environment variable {} is not set",
                    repository.name.str(), name);
  }
  return std::move(*value);
}

}  // namespace

Result<Endpoint> Endpoint::parse(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail("s3.config", "invalid S3 endpoint '{}': {}", text, why);
  };
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return bad("it contains whitespace or control characters");
  }
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad("expected https://host[:port]");
  Endpoint e;
  e.scheme_ = lower(text.substr(0, scheme_end));
  if (e.scheme_ != "https" && e.scheme_ != "http") return bad("only https:// (or http:// to a loopback host)");
  std::string_view authority = text.substr(scheme_end + 3);
  if (authority.ends_with('/')) authority.remove_suffix(1);
  if (authority.find_first_of("/?#@") != std::string_view::npos) {
    return bad("only scheme://host[:port] is accepted (no path, query or user info)");
  }
  std::size_t colon = authority.rfind(':');
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    colon = close + 1 < authority.size() ? close + 1 : std::string_view::npos;
    if (colon != std::string_view::npos && authority[colon] != ':') return bad("unexpected text after the host");
  }
  e.host_ = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) e.port_ = std::string(authority.substr(colon + 1));
  if (e.host_.empty()) return bad("no host");
  if (colon != std::string_view::npos && !valid_port(e.port_)) return bad("the port is not 1–65535");
  e.loopback_ = ports::is_loopback_host(e.host_);
  if (!e.https() && !e.loopback_) return bad("plain http is allowed to a loopback host only; use https://");
  return e;
}

std::string Endpoint::base_url(std::string_view bucket_subdomain) const {
  std::string url = scheme_ + "://";
  if (!bucket_subdomain.empty()) url += std::string(bucket_subdomain) + ".";
  url += host_;
  if (!port_.empty()) url += ":" + port_;
  return url;
}

Status check_bucket_name(std::string_view name) {
  const bool ok_chars = std::all_of(name.begin(), name.end(), bucket_char);
  if (name.size() < 3 || name.size() > 63 || !ok_chars || !alnum_lower(name.front()) || !alnum_lower(name.back())) {
    return fail("s3.config",
                "'{}' is not a valid S3 bucket name (3–63 characters of a-z, 0-9, '.', '-', starting and ending "
                "with a letter or digit)",
                name);
  }
  return ok();
}

Result<BucketLocation> parse_location(std::string_view location) {
  const std::size_t scheme_end = location.find("://");
  const std::string scheme = scheme_end == std::string_view::npos ? "" : lower(location.substr(0, scheme_end));
  if (scheme != "s3" && scheme != "s3a" && scheme != "s3n") {
    return fail("s3.config", "repository location '{}' is not of the form s3a://bucket/prefix", location);
  }
  const std::string_view rest = location.substr(scheme_end + 3);
  const std::size_t slash = rest.find('/');
  BucketLocation out;
  out.bucket = std::string(rest.substr(0, slash));
  if (auto s = check_bucket_name(out.bucket); !s) {
    return std::unexpected(std::move(s.error()).with_context(fmt::format("location '{}'", location)));
  }
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  while (prefix.starts_with('/')) prefix.remove_prefix(1);
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  if (!prefix.empty()) out.prefix = std::string(prefix) + "/";
  return out;
}

Result<Credentials> environment_credentials(const model::Repository& repository, const EnvLookup& env) {
  auto access = required_env(env, kAccessKeyVariable, repository);
  if (!access) return std::unexpected(access.error());
  auto secret = required_env(env, kSecretKeyVariable, repository);
  if (!secret) return std::unexpected(secret.error());
  return Credentials{std::move(*access), std::move(*secret)};
}

Result<S3Config> config_for(const model::Repository& repository, const EnvLookup& env) {
  if (repository.credentials != model::CredentialsKind::kEnvironment) {
    return fail("s3.config",
                "repository {}: starkeep's own S3 requests sign with keys from {} and {}; credentials = "
                "instance_profile / assume_role are resolved by StarRocks only",
                repository.name.str(), kAccessKeyVariable, kSecretKeyVariable);
  }
  auto location = parse_location(repository.location);
  if (!location) return std::unexpected(location.error());
  const std::string region = repository.region.empty() ? "us-east-1" : repository.region;
  const bool aws_default = repository.endpoint.empty();
  auto endpoint = Endpoint::parse(aws_default ? "https://s3." + region + ".amazonaws.com" : repository.endpoint);
  if (!endpoint) return std::unexpected(std::move(endpoint.error()).with_context("repository " + repository.name.str()));
  auto credentials = environment_credentials(repository, env);
  if (!credentials) return std::unexpected(credentials.error());
  S3Config config(std::move(*endpoint));
  config.region = region;
  config.bucket = location->bucket;
  // Dotted bucket names do not match the wildcard certificate of a virtual-host name.
  config.addressing = aws_default && location->bucket.find('.') == std::string::npos ? Addressing::kVirtualHost
                                                                                       : Addressing::kPath;
  config.credentials = std::move(*credentials);
  return config;
}

}  // namespace sk::s3
