#include "emulator/protocol/server.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emulator/protocol/connection.h"

namespace sk::emu {
namespace {

std::string peer_host_of(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "unknown";
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
  } else {
    return "localhost";
  }
  return buf;
}

}  // namespace

struct Server::Impl {
  // One client connection. `fd` is closed by the connection thread itself, under `mu`, so that
  // drop_all_connections never shuts down a reused descriptor.
  struct Conn {
    int fd = -1;
    bool open = true;
    std::atomic<bool> finished{false};
    std::thread thread;
  };

  Impl(ServerOptions o, SessionFactory& f) : options(std::move(o)), factory(f) {}

  void accept_loop() {
    while (true) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
      int r = ::poll(fds, 2, 1000);
      if (stopping.load()) return;
      reap_finished();
      if (r <= 0 || !(fds[0].revents & POLLIN)) continue;
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      uint32_t id = next_id.fetch_add(1);
      std::lock_guard lock(mu);
      if (stopping.load()) {
        ::close(fd);
        return;
      }
      auto& conn = conns.emplace_back();
      conn.fd = fd;
      Conn* c = &conn;
      c->thread = std::thread([this, c, id] { run_connection(c, id); });
    }
  }

  void run_connection(Conn* c, uint32_t id) {
    serve_connection(c->fd, id, peer_host_of(c->fd), options, factory);
    {
      std::lock_guard lock(mu);
      ::close(c->fd);
      c->fd = -1;
      c->open = false;
    }
    c->finished.store(true);
  }

  // Joins connection threads that have ended. Called by the accept thread only.
  void reap_finished() {
    std::list<Conn> done;
    {
      std::lock_guard lock(mu);
      for (auto it = conns.begin(); it != conns.end();) {
        auto next = std::next(it);
        if (it->finished.load()) done.splice(done.end(), conns, it);
        it = next;
      }
    }
    for (auto& c : done) c.thread.join();
  }

  ServerOptions options;
  SessionFactory& factory;
  int listen_fd = -1;
  int wake_fd = -1;
  uint16_t bound_port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<uint32_t> next_id{1};
  std::thread accept_thread;
  std::mutex lifecycle_mu;  // serialises start() and stop()
  mutable std::mutex mu;    // guards conns
  std::list<Conn> conns;
};

Server::Server(ServerOptions options, SessionFactory& factory)
    : impl_(std::make_unique<Impl>(std::move(options), factory)) {}

Server::~Server() { stop(); }

Result<uint16_t> Server::start() {
  std::lock_guard life(impl_->lifecycle_mu);
  if (impl_->listen_fd >= 0 || impl_->stopping.load()) return fail("emu.state", "server already started");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(impl_->options.port);
  if (::inet_pton(AF_INET, impl_->options.bind_address.c_str(), &addr.sin_addr) != 1) {
    return fail("emu.listen", "bad bind address '{}' (IPv4 expected)", impl_->options.bind_address);
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("emu.listen", "socket: {}", std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    ::close(fd);
    return fail("emu.listen", "bind {}:{}: {}", impl_->options.bind_address, impl_->options.port, std::strerror(e));
  }
  if (::listen(fd, 128) != 0) {
    int e = errno;
    ::close(fd);
    return fail("emu.listen", "listen: {}", std::strerror(e));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  impl_->bound_port = ntohs(addr.sin_port);
  impl_->listen_fd = fd;
  impl_->wake_fd = ::eventfd(0, EFD_CLOEXEC);
  impl_->accept_thread = std::thread([impl = impl_.get()] { impl->accept_loop(); });
  return impl_->bound_port;
}

void Server::stop() {
  std::lock_guard life(impl_->lifecycle_mu);
  if (impl_->stopping.exchange(true)) return;
  if (impl_->wake_fd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t w = ::write(impl_->wake_fd, &one, sizeof(one));
  }
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  drop_all_connections();
  std::list<Impl::Conn> all;
  {
    std::lock_guard lock(impl_->mu);
    all.splice(all.end(), impl_->conns);
  }
  for (auto& c : all) c.thread.join();
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
  if (impl_->wake_fd >= 0) ::close(impl_->wake_fd);
  impl_->listen_fd = -1;
  impl_->wake_fd = -1;
}

void Server::drop_all_connections() {
  std::lock_guard lock(impl_->mu);
  for (auto& c : impl_->conns) {
    if (c.open && c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);
  }
}

size_t Server::open_connections() const {
  std::lock_guard lock(impl_->mu);
  size_t n = 0;
  for (const auto& c : impl_->conns) n += c.open ? 1 : 0;
  return n;
}

uint16_t Server::port() const { return impl_->bound_port; }

}  // namespace sk::emu
