#include "runtime/repository/security.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/ascii.h"

namespace sk::repository {
namespace {

using nlohmann::json;

// The host of an endpoint URL ("https://s3.eu-west-1.amazonaws.com:443/x" → "s3.eu-west-1.amazonaws.com").
std::string endpoint_host(std::string_view endpoint) {
  if (auto p = endpoint.find("://"); p != std::string_view::npos) endpoint.remove_prefix(p + 3);
  endpoint = endpoint.substr(0, endpoint.find_first_of("/:"));
  return ascii::to_lower(endpoint);
}

json iam_policy(const BucketLocation& loc) {
  const std::string bucket_arn = "arn:aws:s3:::" + loc.bucket;
  const std::string objects_arn = bucket_arn + "/" + (loc.prefix.empty() ? "*" : loc.prefix + "/*");
  json list = {{"Sid", "StarkeepListRepository"},
               {"Effect", "Allow"},
               {"Action", {"s3:ListBucket"}},
               {"Resource", bucket_arn}};
  if (!loc.prefix.empty()) {
    list["Condition"] = {{"StringLike", {{"s3:prefix", {loc.prefix, loc.prefix + "/*"}}}}};
  }
  json statements = json::array();
  statements.push_back(std::move(list));
  statements.push_back({{"Sid", "StarkeepBucketLocation"},
                        {"Effect", "Allow"},
                        {"Action", {"s3:GetBucketLocation"}},
                        {"Resource", bucket_arn}});
  statements.push_back({{"Sid", "StarkeepReadWriteSnapshots"},
                        {"Effect", "Allow"},
                        {"Action",
                         {"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                          "s3:PutObject"}},
                        {"Resource", objects_arn}});
  return {{"Version", "2012-10-17"}, {"Statement", std::move(statements)}};
}

// Denies non-TLS requests and, with a VPC endpoint id, every request to the repository's objects that does not come
// through that endpoint (aws:SourceVpce).
json bucket_policy(const BucketLocation& loc, const std::optional<std::string>& vpc_endpoint) {
  const std::string bucket_arn = "arn:aws:s3:::" + loc.bucket;
  json deny = {{"Sid", "DenyInsecureTransport"},
               {"Effect", "Deny"},
               {"Principal", "*"},
               {"Action", "s3:*"},
               {"Resource", {bucket_arn, bucket_arn + "/*"}},
               {"Condition", {{"Bool", {{"aws:SecureTransport", "false"}}}}}};
  json statements = json::array({std::move(deny)});
  if (vpc_endpoint) {
    statements.push_back({{"Sid", "DenyOutsideVpcEndpoint"},
                          {"Effect", "Deny"},
                          {"Principal", "*"},
                          {"Action", "s3:*"},
                          {"Resource",
                           {bucket_arn, bucket_arn + "/" + (loc.prefix.empty() ? "*" : loc.prefix + "/*")}},
                          {"Condition", {{"StringNotEquals", {{"aws:SourceVpce", *vpc_endpoint}}}}}});
  }
  return {{"Version", "2012-10-17"}, {"Statement", std::move(statements)}};
}

// Notes on the endpoint: private endpoint required, the VPC endpoint condition, public or not AWS.
void endpoint_notes(const model::Repository& repository, json& notes) {
  const std::string host = endpoint_host(repository.endpoint);
  if (repository.vpc_endpoint) {
    notes.push_back(fmt::format("The bucket policy denies every request that does not come through VPC endpoint {} "
                                "(aws:SourceVpce): requests from the console or other networks are refused too.",
                                *repository.vpc_endpoint));
  }
  if (repository.private_endpoint) {
    notes.push_back("private_endpoint = true: `starkeep repository check` resolves the endpoint and reports a public "
                    "address as drift.");
  }
  const bool public_aws = host.ends_with("amazonaws.com") && host.find("vpce") == std::string::npos;
  if (host.empty() || (public_aws && repository.vpc_endpoint)) {
    if (host.empty()) {
      notes.push_back("No endpoint: the provider's default (public, HTTPS) endpoint is used. Consider a private "
                      "(VPC) endpoint and an aws:SourceVpce condition.");
    } else {
      notes.push_back(fmt::format("Endpoint {} is the public AWS endpoint; with vpc_endpoint set, its requests pass "
                                  "the bucket policy only when they are routed through that (gateway) endpoint.",
                                  host));
    }
  } else if (host.find("vpce") != std::string::npos) {
    notes.push_back(fmt::format("Endpoint {} is a private (VPC) endpoint.", host));
  } else if (host.ends_with("amazonaws.com") && !repository.vpc_endpoint) {
    notes.push_back(fmt::format("Endpoint {} is a public AWS endpoint: consider a private (VPC) endpoint and an "
                                "aws:SourceVpce condition in the bucket policy.",
                                host));
  } else {
    notes.push_back(fmt::format("Endpoint {} is not AWS: the documents use the AWS policy language (MinIO and most "
                                "S3-compatible stores accept it; check your provider).",
                                host));
  }
}

}  // namespace

Result<BucketLocation> parse_bucket_location(std::string_view location) {
  const auto sep = location.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return sk::fail("repository.location", "location '{}' is not of the form s3a://bucket/prefix", location);
  }
  BucketLocation out;
  out.scheme = ascii::to_lower(location.substr(0, sep));
  std::string_view rest = location.substr(sep + 3);
  const auto slash = rest.find('/');
  out.bucket = std::string(rest.substr(0, slash));
  if (out.bucket.empty()) {
    return sk::fail("repository.location", "location '{}' has no bucket", location);
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    out.prefix = std::string(prefix);
  }
  return out;
}

std::optional<Duration> longest_retention(const model::Policy& policy, const RepositoryName& repository) {
  std::optional<Duration> longest;
  for (const auto& tier : policy.tiers) {
    const model::Repository* r = policy.repository_for(tier);
    if (!r || r->name != repository) continue;
    // Calendar months count by their most days, so a lock or lifecycle rule never ends before a slot's expiry.
    const Duration d = tier.retain.calendar() ? Duration::from_days(tier.retain.longest_days()) : tier.retain.fixed();
    if (!longest || d > *longest) longest = d;
  }
  return longest;
}

Result<json> security_documents(const model::Repository& repository, std::optional<Duration> retention) {
  auto loc = parse_bucket_location(repository.location);
  if (!loc) return std::unexpected(loc.error());
  json notes = json::array();
  json object_lock;
  if (retention) {
    const std::int64_t days = std::max<std::int64_t>(1, (retention->seconds() + 86'399) / 86'400);
    object_lock = {{"ObjectLockEnabled", "Enabled"},
                   {"Rule", {{"DefaultRetention", {{"Days", days}, {"Mode", "GOVERNANCE"}}}}}};
    notes.push_back(fmt::format(
        "Object Lock: GOVERNANCE retention of {} days (the longest tier retention, {}) keeps every object version "
        "at least as long as starkeep keeps the snapshot; COMPLIANCE mode would also stop an administrator, and "
        "retention enforcement, from removing it earlier. Object Lock can only be enabled on a bucket with "
        "versioning.",
        days, retention->to_string()));
  } else {
    object_lock = {{"ObjectLockEnabled", "Enabled"}};
    notes.push_back("Object Lock: no tier writes to this repository, so no default retention is suggested.");
  }
  notes.push_back(
      "Versioning: StarRocks writes '.part' files and renames them (copy + delete); with versioning the deleted "
      "versions stay until a lifecycle rule (NoncurrentVersionExpiration) removes them.");
  if (loc->prefix.empty()) {
    notes.push_back("The location has no prefix: the IAM policy grants the whole bucket. A dedicated prefix per "
                    "retention class allows per-tier lifecycle rules.");
  }
  endpoint_notes(repository, notes);
  switch (repository.credentials) {
    case model::CredentialsKind::kEnvironment:
      notes.push_back("Credentials: attach the IAM policy to the user whose keys are in STARKEEP_S3_ACCESS_KEY / "
                      "STARKEEP_S3_SECRET_KEY; rotate them regularly.");
      break;
    case model::CredentialsKind::kInstanceProfile:
      notes.push_back("Credentials: attach the IAM policy to the instance profile of every FE and BE host.");
      break;
    case model::CredentialsKind::kAssumeRole:
      notes.push_back(fmt::format("Credentials: attach the IAM policy to role {}; the FE/BE instance profile needs "
                                  "only sts:AssumeRole on it.",
                                  repository.role_arn.value_or("<role>")));
      break;
  }
  json out;
  out["repository"] = repository.name.str();
  out["location"] = repository.location;
  out["bucket"] = loc->bucket;
  out["prefix"] = loc->prefix;
  out["iam_policy"] = iam_policy(*loc);
  out["bucket_policy"] = bucket_policy(*loc, repository.vpc_endpoint);
  out["versioning"] = {{"Status", "Enabled"}};
  out["object_lock"] = std::move(object_lock);
  out["notes"] = std::move(notes);
  return out;
}

}  // namespace sk::repository
