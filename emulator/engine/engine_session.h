// The engine's SessionFactory and Session: per connection, a statement router that offers each statement to
// the StatementHook (backup/restore) first, then handles StarRocks-specific statements itself (DDL translated
// onto MariaDB plus catalog metadata, SHOW views, cluster views, fault-injection control statements), and
// passes the rest, rewritten where needed, to its own MariaDB connection. See docs/emulator.md, "Engine".
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/engine/cluster_state.h"
#include "emulator/engine/mariadb_catalog.h"
#include "emulator/engine/mariadb_connection.h"
#include "emulator/engine/statement_hook.h"
#include "emulator/protocol/handler.h"

namespace sk::emu {

struct EngineOptions {
  std::map<std::string, std::string> users{{"root", ""}};  // user → plain-text password
  // Called by ADMIN EMULATOR DROP CONNECTIONS (wired to Server::drop_all_connections()); may be empty.
  std::function<void()> drop_connections;
};

// Thread-safe. `cluster`, `catalog` and `hook` (may be null) must outlive the factory and its sessions.
class EngineSessionFactory : public SessionFactory {
 public:
  EngineSessionFactory(ClusterState& cluster, MariaDbCatalog& catalog, StatementHook* hook, EngineOptions options);

  std::optional<std::string> password_of(std::string_view user) const override;
  std::unique_ptr<Session> open(std::string_view user, std::string_view database) override;

  // Late wiring for the drop-connections callback (the Server is built after the factory). Thread-safe.
  void set_drop_connections(std::function<void()> fn);
  // Replaces the statement hook; call before the server accepts connections (not synchronised).
  void set_hook(StatementHook* hook);

 private:
  friend class EngineSession;
  ClusterState& cluster_;
  MariaDbCatalog& catalog_;
  StatementHook* hook_;
  EngineOptions options_;
  // ADMIN EMULATOR FAIL NEXT WRITE TO t PARTITION p: the next write that changes a row of the partition fails
  // with `message` and its whole transaction rolls back (one-shot). Guarded by mu_.
  struct WriteFault {
    int64_t partition_id = 0;
    std::string message;
  };
  std::vector<WriteFault> write_faults_;
  mutable std::mutex mu_;
};

}  // namespace sk::emu
