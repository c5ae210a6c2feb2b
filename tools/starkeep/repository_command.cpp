// starkeep repository apply|security|lifecycle: create or verify the StarRocks repositories a policy declares, and emit the
// storage-side security documents (IAM policy, TLS-only bucket policy, versioning / Object Lock suggestions).
// Exit codes: 0 created / verified / would create (dry run) / documents written; 1 policy errors; 3 a repository
// exists but differs from the policy or is unhealthy; 64 usage (unknown --repository); 66 unreadable policy;
// 16 the cluster cannot be reached; 69 the cluster refused a statement; 78 non-HTTPS endpoint or missing
// credentials variable (a --dry-run warns instead).
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_text.h"
#include "compiler/analysis/lifecycle.h"
#include "compiler/driver/compile.h"
#include "runtime/ports/redact.h"
#include "runtime/repository/lifecycle_document.h"
#include "runtime/repository/repository_apply.h"
#include "runtime/repository/security.h"
#include "runtime/s3/s3_config.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct RepositoryOptions {
  mysql::ConnectionFlags connection;
  std::string policy;
  std::string repository;
  bool dry_run = false;
  bool verbose = false;
};

// The repositories selected by --repository (all when empty); sets `rc` on a usage error.
std::vector<const model::Repository*> select(const model::Policy& policy, const std::string& name, const char* cmd,
                                             int& rc) {
  std::vector<const model::Repository*> out;
  for (const auto& r : policy.repositories) {
    if (name.empty() || r.name.str() == name) out.push_back(&r);
  }
  if (out.empty()) {
    std::cerr << "starkeep repository " << cmd << ": error: the policy declares no repository"
              << (name.empty() ? std::string() : " named '" + name + "'") << "\n";
    rc = kExitUsage;
  }
  return out;
}

int run_apply(const RepositoryOptions& o) {
  int rc = kExitOk;
  auto policy = load_policy_model(o.policy, std::cerr, rc);
  if (!policy) return rc;
  auto repos = select(*policy, o.repository, "apply", rc);
  if (rc != kExitOk) return rc;
  auto env = repository::process_environment();
  // A dry run shows the statement (keys redacted) without the key variables, with a warning for each one missing:
  // the real apply still refuses without them (issue 10 item 21).
  auto unset = std::make_shared<std::set<std::string, std::less<>>>();
  if (o.dry_run) {
    env = [real = std::move(env), unset](std::string_view name) -> std::optional<std::string> {
      auto value = real(name);
      if (!value && (name == s3::kAccessKeyVariable || name == s3::kSecretKeyVariable)) {
        unset->emplace(name);
        return "(not set)";
      }
      return value;
    };
  }
  // Refuse unsafe declarations before connecting.
  for (const auto* r : repos) {
    if (auto s = repository::repository_properties(*r, env); !s) {
      std::cerr << "starkeep repository apply: error: " << s.error().describe() << "\n";
      return kExitConfig;
    }
  }
  for (const auto& name : *unset) {
    std::cerr << "starkeep repository apply: warning: " << name
              << " is not set; the dry run goes on without it, but apply refuses (exit 78) until it is set\n";
  }
  auto conn = open_cluster(o.connection);
  if (!conn) {
    std::cerr << "starkeep repository apply: error: " << conn.error().describe() << "\n";
    return exit_code_for(conn.error());
  }
  repository::StatementLog log;
  if (o.verbose) log = [](std::string_view sql) { std::cerr << "-- sql: " << sql << "\n"; };
  for (const auto* r : repos) {
    auto result = repository::apply_repository(**conn, *r, env, o.dry_run, log);
    if (!result) {
      std::cerr << "starkeep repository apply: error: " << ports::redact(result.error().describe()) << "\n";
      return exit_code_for(result.error());  // repository.*: 78 (common/error_codes.def)
    }
    std::cout << "repository " << r->name.str() << ": " << repository::to_string(result->outcome) << "\n";
    if (result->statement) std::cout << "  " << *result->statement << "\n";  // already redacted
    for (const auto& d : result->drift) std::cout << "  drift: " << d << "\n";
    if (result->outcome == repository::ApplyOutcome::kDrift) rc = kExitDrift;
  }
  return rc;
}

int run_security(const RepositoryOptions& o) {
  int rc = kExitOk;
  auto policy = load_policy_model(o.policy, std::cerr, rc);
  if (!policy) return rc;
  auto repos = select(*policy, o.repository, "security", rc);
  if (rc != kExitOk) return rc;
  if (repos.size() > 1) {
    std::cerr << "starkeep repository security: error: the policy declares " << repos.size()
              << " repositories; choose one with --repository\n";
    return kExitUsage;
  }
  const model::Repository& r = *repos.front();
  auto doc = repository::security_documents(r, repository::longest_retention(*policy, r.name));
  if (!doc) {
    std::cerr << "starkeep repository security: error: " << doc.error().describe() << "\n";
    return kExitErrors;
  }
  std::cout << doc->dump(2) << "\n";
  return kExitOk;
}

struct LifecycleOptions {
  std::string policy;
  std::string inventory;
  std::string repository;
  std::string format = "text";
  std::string reference;
};

// starkeep repository lifecycle: compile with the inventory (the chain-aware keep horizons need it), then print the
// chosen repository's rules (runtime/repository/lifecycle_document.h). Pure: no cluster, no cloud call.
int run_lifecycle(const LifecycleOptions& o) {
  Inputs inputs;
  if (int rc = load_inputs(o.policy, o.inventory, inputs, std::cerr); rc != kExitOk) return rc;
  const std::optional<CivilDay> reference = reference_day("repository lifecycle", o.reference, std::cerr);
  if (!reference) return kExitUsage;
  const driver::Compilation c = driver::compile({&*inputs.policy, &*inputs.inventory, *reference});
  print_diagnostics(c, inputs, Format::kText, std::cerr, false);
  if (c.has_errors()) return kExitErrors;
  int rc = kExitOk;
  auto repos = select(*c.policy, o.repository, "lifecycle", rc);
  if (rc != kExitOk) return rc;
  if (repos.size() > 1) {
    std::cerr << "starkeep repository lifecycle: error: the policy declares " << repos.size()
              << " repositories; choose one with --repository\n";
    return kExitUsage;
  }
  const auto rules = analysis::lifecycle::rules_for(*c.policy, *repos.front(), driver::keep_horizons(c, *reference));
  if (o.format == "json") {
    std::cout << json_text(repository::lifecycle_json(rules), 2) << "\n";
  } else if (o.format == "xml") {
    std::cout << repository::lifecycle_xml(rules);
  } else {
    std::cout << repository::lifecycle_text(rules);
  }
  return kExitOk;
}

}  // namespace

void register_repository(CLI::App& app, int& exit_code) {
  CLI::App* repo = app.add_subcommand("repository", "Create, verify and secure the policy's backup repositories");
  repo->require_subcommand(1);

  auto a = std::make_shared<RepositoryOptions>();
  CLI::App* apply = repo->add_subcommand(
      "apply",
      "Create the policy's repositories that do not exist (CREATE REPOSITORY with the endpoint, region and keys from "
      "STARKEEP_S3_ACCESS_KEY / STARKEEP_S3_SECRET_KEY, or the instance profile / assumed role) and verify those "
      "that do (location, not read-only, no ErrMsg). Non-HTTPS endpoints are refused. Secrets are never printed.");
  apply->add_option("--policy,-p", a->policy, "The policy file (.skp)")->required();
  apply->add_option("--repository", a->repository, "Only this repository (default: every declared one)");
  apply->add_flag("--dry-run", a->dry_run, "Show what would be created (redacted), change nothing");
  apply->add_flag("--verbose,-v", a->verbose, "Log every statement sent (redacted) to stderr");
  add_connection_flags(*apply, a->connection);
  apply->callback([a, &exit_code] { exit_code = run_apply(*a); });

  auto s = std::make_shared<RepositoryOptions>();
  CLI::App* sec = repo->add_subcommand(
      "security",
      "Print (JSON) a least-privilege IAM policy for the repository's bucket/prefix, a bucket policy denying "
      "non-TLS access, and versioning / Object Lock suggestions. Pure generation: no cluster, no cloud call.");
  sec->add_option("--policy,-p", s->policy, "The policy file (.skp)")->required();
  sec->add_option("--repository", s->repository, "The repository (required when the policy declares several)");
  sec->callback([s, &exit_code] { exit_code = run_security(*s); });

  auto l = std::make_shared<LifecycleOptions>();
  CLI::App* lc = repo->add_subcommand(
      "lifecycle",
      "Print the S3 lifecycle configuration of a repository: per tier whose snapshots an age rule can target (a "
      "repository of its own, or labels with a distinct start), an expiration never shorter than its snapshots "
      "must stay (retention and restore chains from the inventory, plus the job timeout), and a rule aborting "
      "incomplete multipart uploads; tiers no rule can target are listed with the fix. --format json is the "
      "document for `aws s3api put-bucket-lifecycle-configuration`, xml the PUT ?lifecycle body. Pure generation: no "
      "cluster, no cloud call. Exit codes: 0 printed, 1 policy or inventory errors, 64 usage (docs/retention.md).");
  lc->add_option("--policy,-p", l->policy, "The policy file (.skp)")->required();
  lc->add_option("--inventory,-i", l->inventory, "The table inventory (JSON, see docs/inventory.md)")->required();
  lc->add_option("--repository", l->repository, "The repository (required when the policy declares several)");
  lc->add_option("--format", l->format, "'text', 'json' (AWS CLI document) or 'xml' (S3 API body)")
      ->check(CLI::IsMember({"text", "json", "xml"}))
      ->capture_default_str();
  lc->add_option("--reference", l->reference,
                 "Day from which the restore chains are simulated, as for check (default: today, UTC)");
  lc->callback([l, &exit_code] { exit_code = run_lifecycle(*l); });

  register_repository_check(*repo, exit_code);
}

}  // namespace sk::cli
