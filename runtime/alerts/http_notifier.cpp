#include "runtime/alerts/http_notifier.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>

#include "runtime/ports/redact.h"

namespace sk::alerts {
namespace {

constexpr std::size_t kMaxBodyExcerpt = 512;
constexpr std::string_view kAlertmanagerPath = "/api/v2/alerts";

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Keeps the first kMaxBodyExcerpt bytes of the response and discards the rest.
size_t collect(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (out->size() < kMaxBodyExcerpt) out->append(data, std::min(n, kMaxBodyExcerpt - out->size()));
  return n;
}

// One line of printable text, redacted, for error messages.
std::string excerpt(std::string_view raw) {
  std::string line;
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    line += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return ports::redact(line);
}

bool retryable_status(long status) { return status >= 500 || status == 408 || status == 429; }

bool retryable_transport(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

struct Outcome {
  CURLcode code = CURLE_OK;
  std::string transport_error;  // redacted
  HttpAttempt response;
};

Outcome attempt(const HttpTarget& target, const std::string& body, const HttpOptions& options) {
  Outcome out;
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) {
    out.code = CURLE_FAILED_INIT;
    out.transport_error = "curl_easy_init failed";
    return out;
  }
  curl_slist* raw_headers = nullptr;
  for (const char* h : {"Content-Type: application/json", "Accept: application/json", "Expect:"}) {
    raw_headers = curl_slist_append(raw_headers, h);
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string response;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, target.url().c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, target.https() ? "https" : "http");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (target.loopback()) curl_easy_setopt(h, CURLOPT_NOPROXY, "*");  // never send local traffic to a proxy
  curl_easy_setopt(h, CURLOPT_USERAGENT, "starkeep-alerts/1");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  out.code = curl_easy_perform(h);
  if (out.code != CURLE_OK) {
    const std::string_view detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(out.code);
    out.transport_error = excerpt(detail);
    return out;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.response.status);
  out.response.body_excerpt = excerpt(response);
  return out;
}

Status post_json_unguarded(const HttpTarget& target, const std::string& body, const HttpOptions& options,
                           ports::Sleeper& sleeper) {
  global_init();
  const int attempts = std::max(1, options.retry.max_attempts);
  std::chrono::milliseconds backoff = options.retry.initial_backoff;
  Outcome last;
  int made = 0;
  for (int i = 1; i <= attempts; ++i) {
    if (i > 1) {
      sleeper.sleep_for(std::min(backoff, options.retry.max_backoff));
      backoff *= 2;
    }
    last = attempt(target, body, options);
    made = i;
    if (last.code == CURLE_OK) {
      const long status = last.response.status;
      if (status >= 200 && status < 300) return ok();
      if (!retryable_status(status)) break;
    } else if (!retryable_transport(last.code)) {
      break;
    }
  }
  const std::string tries = made == 1 ? "1 attempt" : fmt::format("{} attempts", made);
  if (last.code != CURLE_OK) {
    return fail("alerts.http_transport", "POST {} failed after {}: {}", target.redacted(), tries,
                last.transport_error);
  }
  const std::string& reply = last.response.body_excerpt;
  return fail("alerts.http_status", "POST {} failed after {}: HTTP {}{}{}", target.redacted(), tries,
              last.response.status, reply.empty() ? "" : ": ", reply);
}

}  // namespace

Status post_json(const HttpTarget& target, const std::string& body, const HttpOptions& options,
                 ports::Sleeper& sleeper) {
  try {
    return post_json_unguarded(target, body, options, sleeper);
  } catch (const std::exception& e) {
    return fail("alerts.http_transport", "POST {} failed: {}", target.redacted(), ports::redact(e.what()));
  }
}

AlertmanagerNotifier::AlertmanagerNotifier(const HttpTarget& target, ports::Sleeper& sleeper,
                                           HttpOptions options, std::string generator_url)
    : target_(target.with_default_path(kAlertmanagerPath)),
      sleeper_(sleeper),
      options_(options),
      generator_url_(std::move(generator_url)) {}

Status AlertmanagerNotifier::send(const AlertEvent& event) {
  try {
    return post_json(target_, alertmanager_payload(event, generator_url_), options_, sleeper_);
  } catch (const std::exception& e) {
    return fail("alerts.internal", "alertmanager {}: {}", target_.redacted(), ports::redact(e.what()));
  }
}

std::string AlertmanagerNotifier::describe() const { return "alertmanager " + target_.redacted(); }

WebhookNotifier::WebhookNotifier(HttpTarget target, ports::Sleeper& sleeper, HttpOptions options)
    : target_(std::move(target)), sleeper_(sleeper), options_(options) {}

Status WebhookNotifier::send(const AlertEvent& event) {
  try {
    return post_json(target_, webhook_payload(event), options_, sleeper_);
  } catch (const std::exception& e) {
    return fail("alerts.internal", "webhook {}: {}", target_.redacted(), ports::redact(e.what()));
  }
}

std::string WebhookNotifier::describe() const { return "webhook " + target_.redacted(); }

}  // namespace sk::alerts
