// starkeep expire: parses the flags, runs the expire service (runtime/expire/expire_service.h) and renders every
// verdict — keep, expire, hold — with its reasons (docs/retention.md), and deletes what expires; with --dry-run
// nothing is deleted and the verdicts say what would be. Summary on stdout (text or JSON), one progress line per deletion
// on stderr. Exit codes: common/error_codes.def (0, 2 with --detailed-exitcode, 30 held, 31 a deletion failed, 35 a StarRocks ttl ends before the keep horizon).
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_text.h"
#include "runtime/executor/run_service.h"
#include "runtime/expire/expire_service.h"
#include "runtime/expire/finding_alerts.h"
#include "runtime/ports/clock.h"
#include "runtime/repository/repository_apply.h"
#include "runtime/s3/s3_client.h"
#include "runtime/s3/s3_config.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/metrics_file.h"
#include "tools/starkeep/progress_display.h"
#include "tools/starkeep/storage_access.h"

namespace sk::cli {
namespace {

// Version of the JSON document (docs/cli.md "expire"); raised on any incompatible change.
constexpr int kExpireJsonVersion = 1;

struct ExpireCliOptions {
  std::string policy;
  std::string at = "now";
  std::string repository;
  std::string format = "text";
  bool dry_run = false;
  bool detailed_exitcode = false;
  std::string metrics_file;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

// Failed deletions first (31), then disagreements (30), then StarRocks ttls that end before the keep horizon (35),
// then — with --detailed-exitcode — deletions (2).
int exit_code_of(const expire::Report& report, bool detailed) {
  for (const auto& d : report.deletions) {
    if (d.outcome == expire::Outcome::kFailed) return kExitExpireFailed;
  }
  if (report.plan.count(expire::Verdict::kHold) > 0) return kExitExpireHeld;
  const auto& decisions = report.plan.decisions;
  if (std::any_of(decisions.begin(), decisions.end(), [](const expire::Decision& d) { return d.ttl.has_value(); })) {
    return kExitExpireTtl;
  }
  if (detailed && report.plan.count(expire::Verdict::kExpire) > 0) return kExitWorkDue;
  return kExitOk;
}

const expire::Deletion* deletion_of(const expire::Report& report, std::size_t index) {
  for (const auto& d : report.deletions) {
    if (d.decision == index) return &d;
  }
  return nullptr;
}

nlohmann::json decision_json(const expire::Report& report, std::size_t i) {
  const expire::Decision& d = report.plan.decisions[i];
  nlohmann::json tiers = nlohmann::json::array();
  for (const auto& t : d.tiers) tiers.push_back(t.str());
  nlohmann::json j{{"repository", d.repository.str()},
                   {"label", d.label.str()},
                   {"kind", expire::to_string(d.kind)},
                   {"database", d.database ? nlohmann::json(d.database->str()) : nlohmann::json()},
                   {"tiers", tiers},
                   {"backup_timestamp", d.backup_timestamp ? nlohmann::json(d.backup_timestamp->str()) : nlohmann::json()},
                   {"taken", d.taken ? nlohmann::json(d.taken->to_iso8601_utc()) : nlohmann::json()},
                   {"verdict", expire::to_string(d.verdict)},
                   {"reasons", d.reasons},
                   {"resumed", d.resumed}};
  j["keep_until"] = d.keep_until ? nlohmann::json(d.keep_until->to_iso8601_utc()) : nlohmann::json();
  j["ttl"] = nlohmann::json();
  if (d.ttl) {
    j["ttl"] = {{"ttl", d.ttl->ttl},
                {"expires", d.ttl->expires ? nlohmann::json(d.ttl->expires->to_iso8601_utc()) : nlohmann::json()},
                {"expire_time", d.ttl->expire_text},
                {"restore_point", d.ttl->restore_point},
                {"only_restore_point", d.ttl->only_restore_point}};
  }
  if (const expire::Deletion* del = deletion_of(report, i)) {
    j["deletion"] = {{"outcome", expire::to_string(del->outcome)},
                     {"already_gone", del->already_gone},
                     {"error", del->error ? nlohmann::json(*del->error) : nlohmann::json()}};
  }
  return j;
}

void print_json(const ExpireCliOptions& o, const model::Policy& policy, Instant at, const expire::Report& report,
                int code) {
  nlohmann::json j{{"expire_version", kExpireJsonVersion},
                   {"policy", policy.name},
                   {"at", at.to_iso8601_utc()},
                   {"dry_run", o.dry_run},
                   {"server_version", report.server_version},
                   {"drop_snapshot", report.drop_snapshot},
                   {"decisions", nlohmann::json::array()},
                   {"counts",
                    {{"keep", report.plan.count(expire::Verdict::kKeep)},
                     {"expire", report.plan.count(expire::Verdict::kExpire)},
                     {"hold", report.plan.count(expire::Verdict::kHold)},
                     {"ttl_early", std::count_if(report.plan.decisions.begin(), report.plan.decisions.end(),
                                                 [](const expire::Decision& d) { return d.ttl.has_value(); })}}},
                   {"exit_code", code}};
  for (std::size_t i = 0; i < report.plan.decisions.size(); ++i) j["decisions"].push_back(decision_json(report, i));
  std::cout << json_text(j, 2) << "\n";
}

std::string verdict_word(const expire::Report& report, std::size_t i) {
  const expire::Decision& d = report.plan.decisions[i];
  if (const expire::Deletion* del = deletion_of(report, i)) {
    return del->outcome == expire::Outcome::kDeleted ? "deleted" : "FAILED";
  }
  return std::string(expire::to_string(d.verdict));
}

void print_text(const ExpireCliOptions& o, Instant at, const expire::Report& report, int code) {
  std::cout << fmt::format("expire at {} ({}){}\n", at.to_iso8601_utc(),
                           report.drop_snapshot ? "DROP SNAPSHOT" : "no DROP SNAPSHOT before StarRocks 4.2",
                           o.dry_run ? "; dry run: nothing is deleted" : "");
  std::string repository;
  for (std::size_t i = 0; i < report.plan.decisions.size(); ++i) {
    const expire::Decision& d = report.plan.decisions[i];
    if (d.repository.str() != repository) {
      repository = d.repository.str();
      std::cout << "repository " << repository << ":\n";
    }
    std::cout << fmt::format("  {:<7} {:<40} {}{}\n", verdict_word(report, i), d.label.str(),
                             fmt::join(d.reasons, "; "), d.resumed ? " [resumed]" : "");
    if (const expire::Deletion* del = deletion_of(report, i); del && del->error) {
      std::cout << "          error: " << *del->error << "\n";
    }
  }
  std::cout << fmt::format("{} kept, {} {}, {} held (exit {})\n", report.plan.count(expire::Verdict::kKeep),
                           report.plan.count(expire::Verdict::kExpire), o.dry_run ? "would expire" : "expired",
                           report.plan.count(expire::Verdict::kHold), code);
}

int run_expire_command(const ExpireCliOptions& o) {
  int exit_code = kExitOk;
  auto policy = load_policy_model(o.policy, std::cerr, exit_code);
  if (!policy) return exit_code;
  auto at = parse_instant_flag(o.at, policy->time_zone);
  if (!at) return print_failure("expire", "--at: " + at.error().message, kExitUsage, o.format);
  auto config = ops_config(o.ops);
  if (!config) return print_failure("expire", config.error().describe(), exit_code_for(config.error()), o.format);
  if (const int code = check_metrics_file(o.metrics_file, "expire", o.format); code != kExitOk) return code;
  expire::Request request{*at, std::nullopt, o.dry_run, {}};
  if (!o.repository.empty()) {
    auto name = RepositoryName::parse(o.repository);
    if (!name) return print_failure("expire", "--repository: " + name.error().message, kExitUsage, o.format);
    request.repository = *name;
  }
  const std::atomic<bool>& stop = install_stop_handlers();
  auto session = open_cluster(o.connection);
  if (!session) return print_failure("expire", session.error().describe(), exit_code_for(session.error()), o.format);
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  request.run_id = executor::new_run_id(clock.now());
  // Before StarRocks 4.2, snapshots are deleted through the repository's S3 API with the credentials `repository
  // apply` uses (STARKEEP_S3_ACCESS_KEY / STARKEEP_S3_SECRET_KEY).
  expire::OpenStorage open_storage = environment_storage(sleeper);
  const auto display = make_progress_display(o.format != "json", clock);
  const auto alert = expire::make_alert_port(*policy, {clock, sleeper, &std::cerr, request.run_id});
  auto report = expire::run_expire(
      *policy, {**session, *config, clock, &std::cerr, &stop, open_storage, display.get(), alert.get()}, request);
  write_ops_metrics_file(o.metrics_file, "expire", *policy, **session, *config, clock);
  if (!report) return print_failure("expire", report.error().describe(), exit_code_for(report.error()), o.format);
  const int code = exit_code_of(*report, o.detailed_exitcode);
  if (o.format == "json") {
    print_json(o, *policy, *at, *report, code);
  } else {
    print_text(o, *at, *report, code);
  }
  return code;
}

}  // namespace

void register_expire(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExpireCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "expire",
      "Apply the policy's retention to every snapshot of its repositories: keep, expire or hold each one, with "
      "the reasons (restore points within their retention and every snapshot their restore chains need are kept; "
      "so are the newest snapshot of each database and tier, the newest catalog snapshot and anything a running "
      "restore reads). --dry-run decides and prints only. Deletes with DROP SNAPSHOT (StarRocks 4.2+), or before "
      "4.2 through the repository's S3 API with the keys in STARKEEP_S3_ACCESS_KEY/STARKEEP_S3_SECRET_KEY (info and "
      "meta first, then the content; a failing S3 endpoint raises repository.unreachable), recording each "
      "deletion in ops.snapshot_expiry first. Exit codes: 0 done, 2 snapshots were or would be deleted "
      "(--detailed-exitcode), 30 history and repository disagree about a snapshot (kept), 31 a deletion failed, "
      "35 a kept snapshot's StarRocks 4.2 ttl (set outside starkeep, which never sets one) deletes it before its "
      "keep horizon (WARNING in its reasons), "
      "14 a repository cannot be listed or its S3 endpoint failed, 78 no way to delete on this server, 64 usage "
      "(docs/retention.md).");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--at", o->at, "The instant verdicts are taken at ('now' or an instant)")->capture_default_str();
  cmd->add_option("--repository", o->repository, "Only this repository of the policy");
  cmd->add_flag("--dry-run", o->dry_run, "Decide and print the verdicts; delete nothing, write nothing");
  cmd->add_flag("--detailed-exitcode", o->detailed_exitcode,
                "Exit 2 when snapshots were (or, in a dry run, would be) deleted");
  cmd->add_option("--format", o->format, "Summary on stdout: 'text' or 'json'")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_metrics_file_flag(*cmd, o->metrics_file);
  add_ops_flags(*cmd, o->ops, false);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_expire_command(*o); });
}

}  // namespace sk::cli
