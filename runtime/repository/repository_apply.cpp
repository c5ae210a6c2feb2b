#include "runtime/repository/repository_apply.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "common/ascii.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/ports/redact.h"
#include "runtime/s3/s3_config.h"

namespace sk::repository {
namespace {

std::string_view strip_trailing_slash(std::string_view s) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  return s;
}

std::vector<std::string> verify(const ServerRepository& server, const model::Repository& repository) {
  std::vector<std::string> drift;
  if (!same_location(server.location, repository.location)) {
    drift.push_back(fmt::format("location is '{}' on the cluster, the policy declares '{}'", server.location,
                                repository.location));
  }
  if (server.read_only) drift.push_back("the repository is READ ONLY; backups cannot be written to it");
  if (server.error && !server.error->empty()) {
    drift.push_back(fmt::format("ErrMsg: {}", ports::redact(*server.error)));
  }
  return drift;
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Status check_endpoint(const model::Repository& repository) {
  if (repository.endpoint.empty()) return sk::ok();
  if (ascii::to_lower(repository.endpoint).starts_with("https://")) return sk::ok();
  // Plain http only to a store on this host (s3rver, a local MinIO), by the S3 client's own rule.
  if (auto e = s3::Endpoint::parse(repository.endpoint); e && !e->https() && e->loopback()) return sk::ok();
  return sk::fail("repository.insecure_endpoint",
                  "repository {}: endpoint '{}' is not HTTPS; starkeep only sends credentials and backups over "
                  "TLS (use an https:// endpoint)",
                  repository.name.str(), repository.endpoint);
}

Result<std::vector<std::pair<std::string, std::string>>> repository_properties(const model::Repository& repository,
                                                                                const EnvLookup& env) {
  if (auto s = check_endpoint(repository); !s) return std::unexpected(s.error());
  std::vector<std::pair<std::string, std::string>> props;
  if (!repository.endpoint.empty()) props.emplace_back("aws.s3.endpoint", repository.endpoint);
  if (!repository.region.empty()) props.emplace_back("aws.s3.region", repository.region);
  switch (repository.credentials) {
    case model::CredentialsKind::kEnvironment: {
      auto keys = s3::environment_credentials(repository, env);
      if (!keys) return std::unexpected(keys.error());
      props.emplace_back("aws.s3.access_key", std::move(keys->access_key));
      props.emplace_back("aws.s3.secret_key", std::move(keys->secret_key));
      break;
    }
    case model::CredentialsKind::kInstanceProfile:
      props.emplace_back("aws.s3.use_instance_profile", "true");
      break;
    case model::CredentialsKind::kAssumeRole:
      if (!repository.role_arn || repository.role_arn->empty()) {
        return sk::fail("repository.credentials", "repository {} uses credentials = assume_role without a role ARN",
                        repository.name.str());
      }
      props.emplace_back("aws.s3.use_instance_profile", "true");
      props.emplace_back("aws.s3.iam_role_arn", *repository.role_arn);
      break;
  }
  return props;
}

Result<std::string> render_create_statement(const model::Repository& repository, const EnvLookup& env) {
  auto props = repository_properties(repository, env);
  if (!props) return std::unexpected(props.error());
  const auto scheme_end = repository.location.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0 || scheme_end + 3 >= repository.location.size()) {
    return sk::fail("repository.location", "repository {}: location '{}' is not of the form s3a://bucket/prefix",
                    repository.name.str(), repository.location);
  }
  dialect::CreateRepositorySpec spec{repository.name, repository.location, false, std::move(*props)};
  return dialect::render_create_repository(spec);
}

Result<std::vector<ServerRepository>> show_repositories(ports::SqlConnection& connection) {
  auto rows = connection.query(dialect::render_show_repositories());
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("SHOW REPOSITORIES"));
  for (const char* c : {"RepoName", "Location", "IsReadOnly", "ErrMsg"}) {
    if (auto r = rows->column(c); !r) return std::unexpected(r.error());
  }
  std::vector<ServerRepository> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    ServerRepository r;
    auto name = rows->get_required(i, "RepoName");
    if (!name) return std::unexpected(name.error());
    r.name = std::string(*name);
    auto location = rows->get(i, "Location");
    if (!location) return std::unexpected(location.error());
    r.location = std::string(location->value_or(""));
    auto ro = rows->get(i, "IsReadOnly");
    if (!ro) return std::unexpected(ro.error());
    r.read_only = ascii::to_lower(ro->value_or("false")) == "true";
    if (rows->has_column("Broker")) {
      auto b = rows->get(i, "Broker");
      if (b && *b) r.broker = std::string(**b);
    }
    auto err = rows->get(i, "ErrMsg");
    if (!err) return std::unexpected(err.error());
    if (*err) r.error = std::string(**err);
    out.push_back(std::move(r));
  }
  return out;
}

bool same_location(std::string_view a, std::string_view b) { return strip_trailing_slash(a) == strip_trailing_slash(b); }

std::string_view to_string(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::kCreated: return "created";
    case ApplyOutcome::kWouldCreate: return "would_create";
    case ApplyOutcome::kVerified: return "verified";
    case ApplyOutcome::kDrift: return "drift";
  }
  return "unknown";
}

Result<ApplyResult> apply_repository(ports::SqlConnection& connection, const model::Repository& repository,
                                     const EnvLookup& env, bool dry_run, const StatementLog& log) {
  // Every check of the declaration first, so that a bad endpoint is refused before the cluster is touched.
  auto statement = render_create_statement(repository, env);
  if (!statement) return std::unexpected(statement.error());
  const std::string redacted = ports::redact(*statement);

  if (log) log(dialect::render_show_repositories());
  auto existing = show_repositories(connection);
  if (!existing) return std::unexpected(existing.error());
  auto find = [&](const std::vector<ServerRepository>& all) -> const ServerRepository* {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.name == repository.name.str(); });
    return it == all.end() ? nullptr : &*it;
  };

  ApplyResult result;
  if (const ServerRepository* present = find(*existing)) {
    result.drift = verify(*present, repository);
    result.outcome = result.drift.empty() ? ApplyOutcome::kVerified : ApplyOutcome::kDrift;
    return result;
  }
  result.statement = redacted;
  if (dry_run) {
    result.outcome = ApplyOutcome::kWouldCreate;
    return result;
  }
  if (log) log(redacted);
  if (auto s = connection.execute(*statement); !s) {
    Error e = s.error();
    e.message = ports::redact(e.message);
    for (auto& c : e.context) c = ports::redact(c);
    e.context.push_back(fmt::format("creating repository {}", repository.name.str()));
    return std::unexpected(std::move(e));
  }
  if (log) log(dialect::render_show_repositories());
  auto after = show_repositories(connection);
  if (!after) return std::unexpected(after.error());
  const ServerRepository* created = find(*after);
  if (!created) {
    result.outcome = ApplyOutcome::kDrift;
    result.drift.push_back("CREATE REPOSITORY succeeded but SHOW REPOSITORIES does not list the repository");
    return result;
  }
  result.drift = verify(*created, repository);
  result.outcome = result.drift.empty() ? ApplyOutcome::kCreated : ApplyOutcome::kDrift;
  return result;
}

}  // namespace sk::repository
