// `starkeep repository apply`: makes the StarRocks repository a policy declares exist, or verifies the one that
// exists (reference/starrocks.md §1). Absent → CREATE REPOSITORY … WITH BROKER ON LOCATION … PROPERTIES (endpoint,
// region, credentials); present → the location must match, the repository must be writable and its ErrMsg empty,
// otherwise the differences are reported as drift (nothing is dropped or re-created: StarRocks has no ALTER
// REPOSITORY, and dropping one under a running job fails).
//
// Security rules (product.md §5, invariant 7):
//   * the endpoint must be https:// (or empty: the provider's default HTTPS endpoint); anything else is refused
//     before a statement is sent ("repository.insecure_endpoint");
//   * keys come from the environment, never from the policy: STARKEEP_S3_ACCESS_KEY / STARKEEP_S3_SECRET_KEY for
//     `credentials = env`; `instance_profile` sends aws.s3.use_instance_profile = true; `assume_role` sends that
//     plus aws.s3.iam_role_arn. Missing variables → "repository.credentials" (naming the variable, not a value);
//   * the CREATE statement leaves this module only through ports::redact() (the log callback and ApplyResult).
// Not thread-safe (uses the given connection). Errors: the above, "repository.location" (not scheme://bucket…),
// the connection's "sql.*" errors with context.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/ports/sql_connection.h"
#include "runtime/s3/s3_config.h"

namespace sk::repository {

// The credentials variables and the environment lookup are the S3 client's (runtime/s3/s3_config.h): starkeep's
// own S3 requests read the same keys as the CREATE REPOSITORY statement.
using s3::kAccessKeyVariable;
using s3::kSecretKeyVariable;
using s3::EnvLookup;
[[nodiscard]] EnvLookup process_environment();

// Ok for "https://…" (case-insensitive scheme), for plain http to a loopback host (s3::Endpoint's rule) and for
// an empty endpoint.
[[nodiscard]] Status check_endpoint(const model::Repository& repository);

// PROPERTIES of CREATE REPOSITORY, in a fixed order: endpoint, region, then the credentials. Holds secrets.
[[nodiscard]] Result<std::vector<std::pair<std::string, std::string>>> repository_properties(
    const model::Repository& repository, const EnvLookup& env);

// The CREATE REPOSITORY text, secrets included (send it; log only redact() of it).
[[nodiscard]] Result<std::string> render_create_statement(const model::Repository& repository, const EnvLookup& env);

// One row of SHOW REPOSITORIES, read by column name.
struct ServerRepository {
  std::string name;
  std::string location;
  bool read_only = false;
  std::string broker;
  std::optional<std::string> error;  // ErrMsg; nullopt or "" when healthy
};
[[nodiscard]] Result<std::vector<ServerRepository>> show_repositories(ports::SqlConnection& connection);

// Locations compared as StarRocks stores them: trailing '/' removed.
[[nodiscard]] bool same_location(std::string_view a, std::string_view b);

enum class ApplyOutcome {
  kCreated,      // CREATE REPOSITORY sent and the repository now verifies
  kWouldCreate,  // dry run: absent, the (redacted) statement would be sent
  kVerified,     // present and matching
  kDrift,        // present but different (location, read-only, ErrMsg), or created and then not healthy
};
[[nodiscard]] std::string_view to_string(ApplyOutcome outcome);

struct ApplyResult {
  ApplyOutcome outcome = ApplyOutcome::kVerified;
  std::optional<std::string> statement;  // the CREATE statement, REDACTED; set when created / would create
  std::vector<std::string> drift;         // one line per difference
};

// Receives every statement this module sends, already redacted.
using StatementLog = std::function<void(std::string_view redacted_statement)>;

// SHOW REPOSITORIES; absent → CREATE (unless dry_run) then SHOW REPOSITORIES again to verify; present → verify.
// The endpoint and credentials are checked before anything is sent, also in a dry run.
[[nodiscard]] Result<ApplyResult> apply_repository(ports::SqlConnection& connection,
                                                   const model::Repository& repository, const EnvLookup& env,
                                                   bool dry_run, const StatementLog& log = {});

}  // namespace sk::repository
