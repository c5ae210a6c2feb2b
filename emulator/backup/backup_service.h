// Backup and restore behaviour of the emulated FE: repositories, BACKUP/RESTORE jobs and their state
// machines, SHOW BACKUP/RESTORE/SNAPSHOT/REPOSITORIES, CANCEL, DROP SNAPSHOT (4.2 switch), and the
// job-related faults. The engine's statement router offers every statement to try_handle() first.
// Thread-safe: try_handle() is called concurrently from every connection thread; jobs advance on the
// service's own timer thread, started by the constructor and joined by the destructor.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/engine/catalog.h"
#include "emulator/engine/cluster_state.h"
#include "emulator/protocol/handler.h"

namespace sk::emu {

// What a statement needs to know about the connection that sent it.
struct SessionContext {
  std::string user;
  std::string current_database;  // empty when none
};

class BackupService {
 public:
  BackupService(Catalog& catalog, ClusterState& cluster);
  ~BackupService();
  BackupService(const BackupService&) = delete;
  BackupService& operator=(const BackupService&) = delete;

  // Handles the statement when it belongs to this service and returns its result; nullopt otherwise.
  std::optional<QueryResult> try_handle(const SessionContext& session, std::string_view sql);
  // What LOSE NEXT SUBMIT REPLY calls to drop the client's connection (Server::drop_all_connections); may be
  // empty (the fault then only skips the job, BEFORE ACCEPT).
  void set_drop_connections(std::function<void()> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sk::emu
