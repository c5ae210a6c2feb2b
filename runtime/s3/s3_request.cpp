#include "runtime/s3/s3_request.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <set>

#include "runtime/s3/xml.h"

namespace sk::s3 {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, md, nullptr) != 1) return {};
  return {reinterpret_cast<const char*>(out.data()), length};
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (auto& [name, value] : query) encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string raw = digest(EVP_sha256(), data);
  std::string out;
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 0x0f];
  }
  return out;
}

std::string md5_base64(std::string_view data) {
  const std::string raw = digest(EVP_md5(), data);
  std::array<unsigned char, 32> out{};  // base64 of 16 bytes: 24 characters and a NUL
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  return {reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(std::max(n, 0))};
}

HttpRequest RequestBuilder::make(std::string operation, std::string method, std::string_view key,
                                 std::vector<std::pair<std::string, std::string>> query, std::string body) const {
  HttpRequest r;
  r.operation = std::move(operation);
  r.method = std::move(method);
  if (addressing_ == Addressing::kVirtualHost) {
    r.url = endpoint_.base_url(bucket_) + "/" + uri_encode(key, true);
  } else {
    r.url = endpoint_.base_url() + "/" + bucket_;
    if (!key.empty()) r.url += "/" + uri_encode(key, true);
  }
  if (!query.empty()) r.url += "?" + canonical_query(std::move(query));
  r.headers.emplace_back("x-amz-content-sha256", sha256_hex(body));
  r.body = std::move(body);
  return r;
}

HttpRequest RequestBuilder::list_objects(const ListRequest& request) const {
  std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"}};
  query.emplace_back("max-keys", std::to_string(std::clamp(request.max_keys, 1, static_cast<int>(kMaxKeysPerRequest))));
  if (!request.prefix.empty()) query.emplace_back("prefix", request.prefix);
  if (!request.delimiter.empty()) query.emplace_back("delimiter", request.delimiter);
  if (!request.continuation_token.empty()) query.emplace_back("continuation-token", request.continuation_token);
  return make("ListObjectsV2", "GET", {}, std::move(query), {});
}

Result<HttpRequest> RequestBuilder::delete_objects(std::span<const std::string> keys) const {
  if (keys.empty() || keys.size() > kMaxKeysPerRequest) {
    return fail("s3.usage", "DeleteObjects takes 1 to {} keys, not {}", kMaxKeysPerRequest, keys.size());
  }
  if (std::set<std::string_view>(keys.begin(), keys.end()).size() != keys.size()) {
    return fail("s3.usage", "DeleteObjects keys must be distinct");
  }
  std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>)"
                     R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>)";
  for (const auto& key : keys) {
    auto escaped = xml_escape(key);
    if (!escaped) return std::unexpected(std::move(escaped.error()).with_context("key '" + uri_encode(key, true) + "'"));
    body += "<Object><Key>" + *escaped + "</Key></Object>";
  }
  body += "</Delete>";
  const std::string md5 = md5_base64(body);
  HttpRequest r = make("DeleteObjects", "POST", {}, {{"delete", ""}}, std::move(body));
  r.headers.emplace_back("content-md5", md5);
  r.headers.emplace_back("content-type", "application/xml");
  return r;
}

HttpRequest RequestBuilder::get_object(std::string_view key) const { return make("GetObject", "GET", key, {}, {}); }

HttpRequest RequestBuilder::put_object(std::string_view key, std::string_view body) const {
  HttpRequest r = make("PutObject", "PUT", key, {}, std::string(body));
  r.headers.emplace_back("content-md5", md5_base64(body));
  r.headers.emplace_back("content-type", "application/octet-stream");
  return r;
}

HttpRequest RequestBuilder::get_bucket_subresource(std::string_view operation, std::string_view subresource) const {
  return make(std::string(operation), "GET", {}, {{std::string(subresource), ""}}, {});
}

std::string RequestBuilder::describe() const { return "s3://" + bucket_ + " at " + endpoint_.base_url(); }

}  // namespace sk::s3
