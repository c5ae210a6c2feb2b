#include "http_receiver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace sk::alerts::testing {
namespace {

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::abort();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// Reads into `buffer` until `done(buffer)` or the peer closes / 5 s pass without data. False on
// close/timeout.
template <typename Done>
bool read_until(int fd, std::string& buffer, Done done) {
  char chunk[4096];
  while (!done(buffer)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

sockaddr_in loopback_any_port() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int bound_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) die("getsockname");
  return ntohs(addr.sin_port);
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

HttpReceiver::HttpReceiver() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) die("socket");
  sockaddr_in addr = loopback_any_port();
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  if (::listen(listen_fd_, 16) != 0) die("listen");
  port_ = bound_port(listen_fd_);
  if (::pipe2(wake_, O_CLOEXEC) != 0) die("pipe");
  thread_ = std::thread([this] { serve(); });
}

HttpReceiver::~HttpReceiver() {
  stop_ = true;
  const char byte = 'x';
  [[maybe_unused]] const auto w = ::write(wake_[1], &byte, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::string HttpReceiver::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void HttpReceiver::script(std::vector<int> statuses, int fallback) {
  const std::lock_guard lock(mutex_);
  statuses_.assign(statuses.begin(), statuses.end());
  fallback_ = fallback;
}

std::vector<HttpRequest> HttpReceiver::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

int HttpReceiver::next_status() {
  const std::lock_guard lock(mutex_);
  if (statuses_.empty()) return fallback_;
  const int s = statuses_.front();
  statuses_.pop_front();
  return s;
}

void HttpReceiver::serve() {
  while (!stop_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0 || stop_) break;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void HttpReceiver::handle(int fd) {
  std::string data;
  if (!read_until(fd, data, [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; }))
    return;
  const std::size_t head_end = data.find("\r\n\r\n");
  HttpRequest req;
  std::string_view head(data.data(), head_end);
  const std::size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = request_line.rfind(' ');
  req.method = std::string(request_line.substr(0, sp1));
  req.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  req.version = std::string(request_line.substr(sp2 + 1));
  std::size_t content_length = 0;
  std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      req.headers.emplace_back(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
      if (req.headers.back().first == "content-length")
        content_length = std::stoul(req.headers.back().second);
    }
    pos = end + 2;
  }
  const std::size_t body_start = head_end + 4;
  read_until(fd, data, [&](const std::string& b) { return b.size() >= body_start + content_length; });
  req.body = data.substr(body_start, content_length);
  {
    const std::lock_guard lock(mutex_);
    requests_.push_back(req);
  }
  if (hang_) {
    // Hold the connection until the client gives up (or the receiver stops).
    char sink[256];
    while (!stop_) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, 1000) < 0) break;
      if (fds[1].revents != 0) break;
      if (fds[0].revents != 0 && ::recv(fd, sink, sizeof sink, 0) <= 0) break;
    }
    return;
  }
  const int status = next_status();
  const std::string body = status < 300 ? "{\"status\":\"success\"}" : "{\"error\":\"scripted failure\"}";
  const std::string response =
      "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  std::size_t sent = 0;
  while (sent < response.size()) {
    const ssize_t n = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  sockaddr_in addr = loopback_any_port();
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  const int port = bound_port(fd);
  ::close(fd);
  return port;
}

}  // namespace sk::alerts::testing
