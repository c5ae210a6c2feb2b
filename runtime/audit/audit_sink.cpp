#include "runtime/audit/audit_sink.h"

#include <unistd.h>

#include <random>

#include <fmt/format.h>

#include "runtime/audit/audit_record.h"

namespace sk::audit {

AuditSink::AuditSink(std::shared_ptr<AuditFile> file, std::shared_ptr<const AuditContext> context,
                     ports::Clock& clock, std::optional<std::string> database, ErrorHandler on_error)
    : file_(std::move(file)),
      context_(std::move(context)),
      clock_(clock),
      database_(std::move(database)),
      on_error_(std::move(on_error)) {}

void AuditSink::on_statement(const ports::StatementEvent& event) {
  AuditRecord r;
  r.time = clock_.now();
  r.command = context_->command;
  r.run_id = context_->run_id;
  r.user = context_->user;
  r.server = context_->server;
  r.database = database_ ? database_ : statement_database(event.sql);
  r.kind = statement_kind(event.sql);
  r.duration = event.elapsed;
  r.outcome = event.error_code ? Outcome::kError : Outcome::kOk;
  r.error_code = event.error_code;
  r.error = event.error;
  r.rows = event.rows;
  r.statement = event.sql;  // redacted by AuditedConnection
  auto written = file_->append(to_json_line(r));
  if (!written && !reported_ && on_error_) {
    reported_ = true;
    on_error_(written.error());
  }
}

std::string new_invocation_id(Instant now) {
  std::random_device device;
  const auto suffix = std::uniform_int_distribution<unsigned>(0, 0xffff)(device);
  std::string stamp = now.to_iso8601_utc();
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  return fmt::format("{}-{}-{:04x}", stamp, ::getpid(), suffix);
}

}  // namespace sk::audit
