// The emulator's MySQL-protocol front end: listens on a TCP port, speaks the StarRocks FE dialect of the MySQL
// protocol (handshake v10, mysql_native_password, text result sets with EOF packets, no multi-statements, no
// SSL, no prepared statements) and forwards each command to a Session from the SessionFactory (handler.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "emulator/protocol/handler.h"

namespace sk::emu {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0 = let the kernel pick a free port; start() returns it
  std::string server_version = "5.1.0";  // the handshake's server version (StarRocks Config.mysql_server_version)
};

// Owns the listening socket, an accept thread and one thread per client connection.
// The SessionFactory must outlive the Server. All methods are thread-safe; stop() and the destructor must not be
// called from a connection thread (that is, from inside Session::query).
class Server {
 public:
  Server(ServerOptions options, SessionFactory& factory);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts accepting. Returns the bound port. Errors: "emu.listen" (bind/listen failed),
  // "emu.state" (already started).
  [[nodiscard]] Result<uint16_t> start();
  // Closes the listening socket and every client connection, and joins all threads. Idempotent.
  void stop();
  // Fault injection: shuts down every open client socket now (clients see a dropped connection); the server
  // keeps listening and accepts new connections. Safe to call from inside Session::query.
  void drop_all_connections();
  // Client connections currently open (handshake in progress or authenticated).
  [[nodiscard]] size_t open_connections() const;
  // The bound port after start(), else 0.
  [[nodiscard]] uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sk::emu
