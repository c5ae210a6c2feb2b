// Test-only: a real HTTP/1.1 receiver on 127.0.0.1:<ephemeral port>, served by one background thread with
// POSIX sockets. It records each request (request line, headers, body) and answers with scripted status
// codes, or never answers (hang mode) to exercise client timeouts. One connection at a time; every response
// closes the connection. Thread-safe accessors.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace sk::alerts::testing {

struct HttpRequest {
  std::string method, target, version;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  // The first header with this (lower-case) name, if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

class HttpReceiver {
 public:
  HttpReceiver();  // binds and starts serving; aborts the test program if it cannot bind
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  [[nodiscard]] int port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  [[nodiscard]] std::string url(std::string_view path = "") const;

  // Status codes for the next requests, in order; when they run out every request gets `fallback` (200).
  void script(std::vector<int> statuses, int fallback = 200);
  // When on, requests are recorded but never answered (the connection stays open until the client gives up).
  void set_hang(bool hang) { hang_ = hang; }

  [[nodiscard]] std::vector<HttpRequest> requests() const;

 private:
  void serve();
  void handle(int fd);
  int next_status();

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> hang_{false};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::deque<int> statuses_;
  int fallback_ = 200;
  std::vector<HttpRequest> requests_;
  std::thread thread_;
};

// A loopback port on which nothing listens (bound, then closed): connecting is refused.
[[nodiscard]] int closed_port();

}  // namespace sk::alerts::testing
