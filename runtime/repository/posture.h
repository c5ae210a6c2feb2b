// The bucket posture `repository check` reads back and compares with the policy (docs/retention.md, "Bucket
// posture"), as `repository apply` reports drift of the repository itself:
//   versioning  — Enabled, as `repository security` emits it;
//   object_lock — enabled (the security documents' GOVERNANCE default retention);
//   lifecycle   — no enabled rule expires a tier's snapshots sooner than they must stay (the tier's own retention
//                 and job timeout: what the check can know without the inventory), no rule expires them on a fixed
//                 date; and, when the repository sets `lifecycle_rules = true`, every rule `repository lifecycle`
//                 emits is there (same prefix, enabled, an expiration) plus the multipart abort rule;
//   endpoint    — with `private_endpoint = true`: every address the endpoint host resolves to is private
//                 (RFC 1918, loopback, link-local, IPv6 unique-local); a public one is drift.
// A probe the endpoint does not implement, or a host that does not resolve, is `unknown`: never a pass.
// Pure except resolve_host (getaddrinfo). Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/s3/object_store.h"

namespace sk::repository {

enum class PostureState { kOk, kDrift, kUnknown };
[[nodiscard]] std::string_view to_string(PostureState state);  // "ok", "drift", "unknown"

struct PostureItem {
  RepositoryName repository;
  std::string subject;  // "versioning", "object_lock", "lifecycle", "endpoint"
  PostureState state = PostureState::kUnknown;
  std::string detail;
};

[[nodiscard]] PostureItem versioning_posture(const model::Repository& repository,
                                             const s3::Probe<s3::BucketVersioning>& probe);
[[nodiscard]] PostureItem object_lock_posture(const model::Repository& repository,
                                              const s3::Probe<s3::ObjectLockConfiguration>& probe);
// One item per drift found (or one `ok` / `unknown` item).
[[nodiscard]] std::vector<PostureItem> lifecycle_posture(const model::Policy& policy,
                                                         const model::Repository& repository,
                                                         const s3::Probe<s3::LifecycleConfiguration>& probe);

// The three bucket reads through `store` (one request each). Errors: the store's ("s3.*") other than "not
// implemented", which is an `unknown` item.
[[nodiscard]] Result<std::vector<PostureItem>> bucket_posture(const model::Policy& policy,
                                                              const model::Repository& repository,
                                                              s3::ObjectStore& store);

// Numeric IPv4 / IPv6 text → whether it is private: 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10
// (carrier-grade NAT), ::1, fe80::/10, fc00::/7, and IPv4-mapped forms of those. Anything else (or text that is no
// address) is public.
[[nodiscard]] bool is_private_address(std::string_view address);

// The addresses `host` resolves to (getaddrinfo, numeric text, deduplicated, sorted). Errors: "repository.resolve".
using ResolveHost = std::function<Result<std::vector<std::string>>(std::string_view host)>;
[[nodiscard]] Result<std::vector<std::string>> resolve_host(std::string_view host);

// The `endpoint` item of a `private_endpoint = true` repository (nullopt-free: call it only for those).
[[nodiscard]] PostureItem endpoint_posture(const model::Repository& repository, const ResolveHost& resolve);

}  // namespace sk::repository
