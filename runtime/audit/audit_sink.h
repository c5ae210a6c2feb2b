// The audit decorator's sink: turns each statement the AuditedConnection (runtime/ports) saw into an AuditRecord
// with the invocation's context (command, run id, user, server; the session's database or the one the statement
// names) and appends it to the AuditFile. A failed append is reported once through `on_error` and never changes
// the statement's result. Thread-safe when each thread has its own sink over a shared AuditFile.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runtime/audit/audit_file.h"
#include "runtime/ports/audited_connection.h"
#include "runtime/ports/clock.h"

namespace sk::audit {

// Who sends: the same for every statement of one invocation.
struct AuditContext {
  std::string command;
  std::string run_id;
  std::string user;
  std::string server;
};

class AuditSink final : public ports::StatementSink {
 public:
  using ErrorHandler = std::function<void(const Error&)>;
  // `file` is shared by the sessions of one process; `clock` must outlive the sink. `database`: the session's
  // database (the runner's per-database workers), which wins over the one the statement names.
  AuditSink(std::shared_ptr<AuditFile> file, std::shared_ptr<const AuditContext> context, ports::Clock& clock,
            std::optional<std::string> database, ErrorHandler on_error);
  void on_statement(const ports::StatementEvent& event) override;

 private:
  std::shared_ptr<AuditFile> file_;
  std::shared_ptr<const AuditContext> context_;
  ports::Clock& clock_;
  std::optional<std::string> database_;
  ErrorHandler on_error_;
  bool reported_ = false;
};

// A new id for an invocation that has no run id: "<UTC stamp>-<pid>-<4 hex>".
[[nodiscard]] std::string new_invocation_id(Instant now);

}  // namespace sk::audit
