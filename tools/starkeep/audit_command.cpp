// starkeep audit: answers "who changed what when" from an audit log that commands wrote with --audit-log
// (runtime/audit, docs/audit.md). Reads the file, filters, prints; malformed lines are reported with their line
// numbers and never stop the answer. Exit codes: 0 answered; 34 the log has malformed lines (the rest is still
// answered); 64 usage (a malformed --since/--until); 66 the log cannot be read.
#include <iostream>
#include <memory>

#include "common/error_codes.h"
#include "runtime/audit/audit_query.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct AuditOptions {
  std::string log;
  std::string since;
  std::string until;
  std::string command;
  std::string database;
  std::string kind;
  bool changes = false;
  std::string format = "text";
};

std::optional<std::string> given(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

// The filter the flags describe; nullopt (after printing the error) for a malformed instant.
std::optional<audit::AuditFilter> make_filter(const AuditOptions& o) {
  audit::AuditFilter f{std::nullopt, std::nullopt, given(o.command), given(o.database), given(o.kind), o.changes};
  for (auto [text, target, flag] : {std::tuple{&o.since, &f.since, "--since"}, std::tuple{&o.until, &f.until, "--until"}}) {
    if (text->empty()) continue;
    auto instant = parse_instant_flag(*text, TimeZone::utc());
    if (!instant) {
      std::cerr << "starkeep audit: error: " << flag << ": " << instant.error().message << "\n";
      return std::nullopt;
    }
    *target = *instant;
  }
  return f;
}

int run_audit(const AuditOptions& o) {
  auto filter = make_filter(o);
  if (!filter) return kExitUsage;
  auto text = read_file(o.log);
  if (!text) return print_failure("audit", text.error().describe(), exit_code_for(text.error()), o.format);
  const audit::AuditLog log = audit::parse_audit_log(*text);
  const auto records = audit::select(log, *filter);
  for (const auto& m : log.malformed) {
    std::cerr << "starkeep audit: " << o.log << ":" << m.line << ": malformed line skipped: " << m.message << "\n";
  }
  std::cout << (o.format == "json" ? audit::render_json(records, log.malformed) + "\n" : audit::render_text(records));
  return log.malformed.empty() ? kExitOk : kExitAuditMalformed;
}

}  // namespace

void register_audit(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AuditOptions>();
  CLI::App* cmd = app.add_subcommand(
      "audit",
      "Answer \"who changed what when\" from an audit log written with --audit-log FILE (every command that talks "
      "to the cluster accepts it): one line per statement sent — time, command, run id, cluster user, database, "
      "statement kind, outcome, duration and the redacted statement — filtered by time, command, database and "
      "kind. Malformed lines are reported with their line number (exit 34); the others are still answered. "
      "See docs/audit.md.");
  cmd->add_option("--log", o->log, "The audit log file")->required();
  cmd->add_option("--since", o->since, "Only statements at or after this instant ('now', 2025-09-14T01:00:00Z, …; UTC)");
  cmd->add_option("--until", o->until, "Only statements before this instant");
  cmd->add_option("--command", o->command, "Only this command ('run', 'restore table', 'repository apply', …)");
  cmd->add_option("--database", o->database, "Only statements about this database");
  cmd->add_option("--kind", o->kind,
                  "Only this statement kind ('BACKUP', 'CREATE REPOSITORY'; a first word such as 'SHOW' or 'DROP' "
                  "matches every kind it begins)");
  cmd->add_flag("--changes", o->changes, "Only statements that change something (no SHOW, SELECT, SET, …)");
  cmd->add_option("--format", o->format, "'text' (one line per statement) or 'json' (one document)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_audit(*o); });
}

}  // namespace sk::cli
