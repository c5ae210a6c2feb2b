// starkeep repository check: parses the flags, cross-checks the policy's repositories against the history through
// the expire service (runtime/expire/expire_service.h, check_repositories) and renders the findings — missing,
// conflict, partial, ttl, overdue, unknown — one line each or as JSON (docs/retention.md, "Repository check"). Sends
// only reads. Exit codes: common/error_codes.def (0 clean, 32 missing snapshots, 33 other findings).
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/json_text.h"
#include "runtime/executor/run_service.h"
#include "runtime/expire/expire_service.h"
#include "runtime/expire/finding_alerts.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/storage_access.h"
#include "runtime/metrics/ops_metrics.h"
#include "runtime/metrics/textfile.h"

namespace sk::cli {
namespace {

constexpr int kRepositoryCheckJsonVersion = 1;  // docs/cli.md; raised on any incompatible change

struct CheckOptions {
  std::string policy;
  std::string at = "now";
  std::string repository;
  std::string format = "text";
  std::string metrics_file;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

// Missing snapshots first; any other finding, or bucket posture that drifted from the policy, next.
int exit_code_of(const expire::CheckReport& report) {
  const bool drift = std::any_of(report.posture.begin(), report.posture.end(), [](const auto& p) {
    return p.state == repository::PostureState::kDrift;
  });
  if (report.findings.empty()) return drift ? kExitRepositoryFindings : kExitOk;
  return report.findings.front().kind == expire::FindingKind::kMissing ? kExitRepositoryMissing
                                                                       : kExitRepositoryFindings;
}

nlohmann::json posture_json(const std::vector<repository::PostureItem>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : items) {
    out.push_back({{"repository", p.repository.str()},
                   {"subject", p.subject},
                   {"state", repository::to_string(p.state)},
                   {"detail", p.detail}});
  }
  return out;
}

// One element per repository: whether its storage listing was done, and what it saw or why not.
nlohmann::json storage_json(const std::vector<expire::StorageStatus>& statuses) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& st : statuses) {
    out.push_back({{"repository", st.repository.str()},
                   {"listed", st.listed},
                   {"detail", st.detail},
                   {"objects", st.objects},
                   {"directories", st.directories},
                   {"requests", st.requests}});
  }
  return out;
}

void print(const CheckOptions& o, Instant at, const expire::CheckReport& report, const std::vector<std::string>& alerts,
           int code) {
  if (o.format == "json") {
    nlohmann::json j{{"repository_check_version", kRepositoryCheckJsonVersion},
                     {"at", at.to_iso8601_utc()},
                     {"listed", report.listed},
                     {"in_history", report.in_history},
                     {"findings", nlohmann::json::array()},
                     {"alerts", alerts},
                     {"exit_code", code}};
    j["storage"] = storage_json(report.storage);
    j["posture"] = posture_json(report.posture);
    for (const auto& f : report.findings) {
      j["findings"].push_back({{"kind", expire::to_string(f.kind)},
                               {"repository", f.repository.str()},
                               {"label", f.label},
                               {"database", f.database ? nlohmann::json(f.database->str()) : nlohmann::json()},
                               {"detail", f.detail},
                               {"severity", expire::severity_of(f)}});
    }
    std::cout << json_text(j, 2) << "\n";
    return;
  }
  for (const auto& f : report.findings) {
    std::cout << fmt::format("{:<8} {} {}: {}\n", expire::to_string(f.kind), f.repository.str(), f.label, f.detail);
  }
  for (const auto& line : alerts) std::cout << line << "\n";
  for (const auto& p : report.posture) {
    std::cout << fmt::format("{:<8} {} {}: {}\n", repository::to_string(p.state), p.repository.str(), p.subject,
                             p.detail);
  }
  for (const auto& st : report.storage) {
    if (st.listed) {
      std::cout << fmt::format("storage listing of {}: {} object(s), {} snapshot director{} in {} request(s) ({})\n",
                               st.repository.str(), st.objects, st.directories, st.directories == 1 ? "y" : "ies",
                               st.requests, st.detail);
    } else {
      std::cout << fmt::format("storage listing of {}: NOT DONE ({}); only what SHOW SNAPSHOT lists was checked, and not the "
                               "bucket's versioning, Object Lock and lifecycle rules\n",
                               st.repository.str(), st.detail);
    }
  }
  std::cout << fmt::format("repository check at {}: {} listed, {} in the history, {} finding(s) (exit {})\n",
                           at.to_iso8601_utc(), report.listed, report.in_history, report.findings.size(), code);
}

// The findings as metrics (docs/metrics.md): a failure to write is a warning, never the check's exit code.
void write_findings_metrics(const CheckOptions& o, const model::Policy& policy, const expire::Request& request,
                            Instant now, const std::vector<expire::Finding>& findings) {
  if (o.metrics_file.empty()) return;
  std::vector<RepositoryName> checked;
  if (request.repository) {
    checked.push_back(*request.repository);
  } else {
    for (const auto& r : policy.repositories) checked.push_back(r.name);
  }
  const auto text = metrics::render_text(metrics::repository_check_samples(checked, findings, now));
  if (auto s = metrics::write_file_atomically(o.metrics_file, text); !s) {
    std::cerr << "starkeep repository check: warning: --metrics-file not written (the exit code is unchanged): "
              << s.error().describe() << "\n";
  }
}

int run_check(const CheckOptions& o) {
  int exit_code = kExitOk;
  auto policy = load_policy_model(o.policy, std::cerr, exit_code);
  if (!policy) return exit_code;
  auto at = parse_instant_flag(o.at, policy->time_zone);
  if (!at) return print_failure("repository check", "--at: " + at.error().message, kExitUsage, o.format);
  auto config = ops_config(o.ops);
  if (!config)
    return print_failure("repository check", config.error().describe(), exit_code_for(config.error()),
                         o.format);
  if (!o.metrics_file.empty()) {
    if (auto s = metrics::check_writable_target(o.metrics_file); !s) {
      return print_failure("repository check", "--metrics-file: " + s.error().message,
                           exit_code_for(s.error()), o.format);
    }
  }
  expire::Request request{*at, std::nullopt, true, {}};
  if (!o.repository.empty()) {
    auto name = RepositoryName::parse(o.repository);
    if (!name) return print_failure("repository check", "--repository: " + name.error().message, kExitUsage, o.format);
    request.repository = *name;
  }
  auto session = open_cluster(o.connection);
  if (!session)
    return print_failure("repository check", session.error().describe(), exit_code_for(session.error()),
                         o.format);
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  expire::Env env{**session, *config, clock};
  env.open_storage = environment_storage(sleeper);
  auto report = expire::check_repositories(*policy, env, request);
  if (!report)
    return print_failure("repository check", report.error().describe(), exit_code_for(report.error()),
                         o.format);
  const auto alerts = expire::alert_findings(
      *policy, report->findings,
      {clock, sleeper, o.format == "json" ? &std::cerr : &std::cout, executor::new_run_id(clock.now())});
  const int code = exit_code_of(*report);
  print(o, *at, *report, alerts, code);
  write_findings_metrics(o, *policy, request, clock.now(), report->findings);
  return code;
}

}  // namespace

void register_repository_check(CLI::App& repository, int& exit_code) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = repository.add_subcommand(
      "check",
      "Cross-check the policy's repositories against ops.backup_history (reads only): missing snapshots (FINISHED "
      "in the history, gone from the repository: restore points lost), conflicting backup timestamps, partial "
      "snapshots (no info file, unfinished uploads), kept snapshots whose StarRocks 4.2 ttl deletes them before their keep "
      "horizon (ttl), overdue ones (past expiry, still present) and unknown ones "
      "(not in the history). Where the repository has an endpoint and STARKEEP_S3_ACCESS_KEY / STARKEEP_S3_SECRET_KEY "
      "are set, also lists its prefix through the S3 API: content-only directories, unfinished '.part' uploads and "
      "objects outside the layout, which SHOW SNAPSHOT cannot see — and reads the bucket's versioning, Object Lock and "
      "lifecycle rules back (drift from the policy; 'unknown' where the endpoint lacks the call); otherwise it says "
      "the listing was not done. With private_endpoint = true, resolves the endpoint and reports public addresses. "
      "Exit codes: 0 clean, 32 missing, 33 other findings or bucket posture drift, 14 a repository cannot be listed (docs/retention.md).");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--at", o->at, "The instant expiry is judged at ('now' or an instant)")->capture_default_str();
  cmd->add_option("--repository", o->repository, "Only this repository of the policy");
  cmd->add_option("--format", o->format, "'text' or 'json'")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--metrics-file", o->metrics_file,
                  "Write the findings by kind as Prometheus metrics to this file atomically, for node_exporter's "
                  "textfile collector (a file of its own, not the one of run/expire/drill: docs/metrics.md)");
  add_ops_flags(*cmd, o->ops, false);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_check(*o); });
}

}  // namespace sk::cli
