// `starkeep repository security`: the storage-side half of repository security (product.md §5), generated from
// the policy's repository declaration — pure, no cluster and no AWS call:
//   * a least-privilege IAM policy for the identity StarRocks uses (list the repository prefix, read/write/delete
//     objects under it, abort multipart uploads — StarRocks uploads `.part` files and renames them, so it needs
//     DeleteObject);
//   * a bucket policy that denies every request not made over TLS (aws:SecureTransport = false);
//   * versioning and Object Lock configuration suggestions (GOVERNANCE mode, default retention = the longest
//     `retain` among the tiers writing to the repository), plus notes (private endpoint, non-AWS stores).
// Output is canonical JSON (keys sorted), stable for golden tests. Thread-safe.
// Errors: "repository.location" when the location is not scheme://bucket[/prefix].
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "kernel/domain/quantities.h"
#include "compiler/model/policy.h"

namespace sk::repository {

struct BucketLocation {
  std::string scheme;  // "s3a"
  std::string bucket;
  std::string prefix;  // without leading or trailing '/'; may be empty
};
[[nodiscard]] Result<BucketLocation> parse_bucket_location(std::string_view location);

// The longest `retain` of the tiers whose snapshots go to `repository`; nullopt when no tier uses it.
[[nodiscard]] std::optional<Duration> longest_retention(const model::Policy& policy,
                                                        const RepositoryName& repository);

// {"repository", "location", "bucket", "prefix", "iam_policy", "bucket_policy", "versioning", "object_lock",
//  "notes"}.
[[nodiscard]] Result<nlohmann::json> security_documents(const model::Repository& repository,
                                                        std::optional<Duration> retention);

}  // namespace sk::repository
