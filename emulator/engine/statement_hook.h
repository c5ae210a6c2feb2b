// A seam for statements handled outside the engine: the server main wires it to BackupService::try_handle,
// so the engine's router offers every statement to backup/restore handling first without linking it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "emulator/protocol/handler.h"

namespace sk::emu {

struct HookContext {
  std::string user;
  std::string current_database;  // empty when none
};

// Thread-safe: called concurrently from every connection thread.
class StatementHook {
 public:
  virtual ~StatementHook() = default;
  // The statement's result when the hook handles it; nullopt to let the engine handle it.
  virtual std::optional<QueryResult> try_handle(const HookContext& context, std::string_view sql) = 0;
};

}  // namespace sk::emu
