#include "runtime/repository/posture.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

#include "compiler/analysis/lifecycle.h"
#include "runtime/repository/lifecycle_document.h"
#include "runtime/s3/s3_config.h"

namespace sk::repository {
namespace {

using analysis::lifecycle::RepositoryRules;

PostureItem item(const model::Repository& r, std::string subject, PostureState state, std::string detail) {
  return PostureItem{r.name, std::move(subject), state, std::move(detail)};
}

std::string unknown_detail(std::string_view call, const std::string& reason) {
  return fmt::format("the endpoint does not implement {} ({}): not verified", call, reason);
}

bool overlap(std::string_view a, std::string_view b) { return a.starts_with(b) || b.starts_with(a); }

// The fewest days a lifecycle rule may keep the tier's objects, knowing only the policy: its longest retention plus
// its job timeout (restore chains can only lengthen it: `repository lifecycle` with the inventory says by how much).
std::int64_t least_days(const model::Tier& tier) {
  const Duration own = tier.retain.calendar() ? Duration::from_days(tier.retain.longest_days()) : tier.retain.fixed();
  return std::max<std::int64_t>(1, ((own + tier.timeout).seconds() + 86'399) / 86'400);
}

// Drift of the bucket's rules against what each tier's snapshots need (retention + timeout, no inventory here).
void judge_rules(const model::Policy& policy, const model::Repository& repository, const RepositoryRules& expected,
                 const s3::LifecycleConfiguration& actual, std::vector<PostureItem>& out) {
  for (const s3::LifecycleRule& rule : actual.rules) {
    if (!rule.enabled || (!rule.expiration_days && !rule.expiration_date)) continue;
    for (const model::Tier& tier : policy.tiers) {
      const model::Repository* r = policy.repository_for(tier);
      if (!r || r->name != repository.name) continue;
      const std::string tier_prefix =
          expected.repository_prefix + "__ss_" + tier.label.constant_prefix(tier.name, tier.label_suffix);
      if (!overlap(rule.prefix, tier_prefix)) continue;
      const std::int64_t needed = least_days(tier);
      if (rule.expiration_date) {
        out.push_back(item(repository, "lifecycle", PostureState::kDrift,
                           fmt::format("rule '{}' (prefix \"{}\") deletes tier '{}''s snapshots on {}, whatever their "
                                       "retention",
                                       rule.id, rule.prefix, tier.name.str(), *rule.expiration_date)));
      } else if (*rule.expiration_days < needed) {
        out.push_back(item(repository, "lifecycle", PostureState::kDrift,
                           fmt::format("rule '{}' (prefix \"{}\") deletes tier '{}''s snapshots after {} days; they "
                                       "must stay at least {} (retain {} plus the job timeout)",
                                       rule.id, rule.prefix, tier.name.str(), *rule.expiration_days, needed,
                                       tier.retain.to_string())));
      }
    }
  }
}

// With `lifecycle_rules = true`: every rule `repository lifecycle` emits is in the bucket.
void judge_expected(const model::Repository& repository, const RepositoryRules& expected,
                    const s3::LifecycleConfiguration& actual, std::vector<PostureItem>& out) {
  const auto present = [&](const std::string& prefix, bool abort) {
    return std::any_of(actual.rules.begin(), actual.rules.end(), [&](const s3::LifecycleRule& r) {
      return r.enabled && r.prefix == prefix && (abort ? r.abort_multipart_days.has_value()
                                                       : r.expiration_days.has_value());
    });
  };
  for (const auto& e : expected.rules) {
    if (present(e.prefix, false)) continue;
    out.push_back(item(repository, "lifecycle", PostureState::kDrift,
                       fmt::format("no enabled expiration rule for tier '{}' (prefix \"{}\"; `starkeep repository "
                                   "lifecycle` emits it)",
                                   e.tier.str(), e.prefix)));
  }
  if (!present(expected.repository_prefix, true)) {
    out.push_back(item(repository, "lifecycle", PostureState::kDrift,
                       fmt::format("no rule aborting incomplete multipart uploads under \"{}\"",
                                   expected.repository_prefix)));
  }
}

}  // namespace

std::string_view to_string(PostureState state) {
  switch (state) {
    case PostureState::kOk:
      return "ok";
    case PostureState::kDrift:
      return "drift";
    case PostureState::kUnknown:
      break;
  }
  return "unknown";
}

PostureItem versioning_posture(const model::Repository& repository, const s3::Probe<s3::BucketVersioning>& probe) {
  if (!probe.is_known()) {
    return item(repository, "versioning", PostureState::kUnknown,
                unknown_detail("GetBucketVersioning", probe.unknown_reason()));
  }
  const s3::VersioningStatus status = probe.value().status;
  if (status == s3::VersioningStatus::kEnabled) return item(repository, "versioning", PostureState::kOk, "Enabled");
  return item(repository, "versioning", PostureState::kDrift,
              fmt::format("versioning is {}; `repository security` enables it (deleted or overwritten snapshot "
                          "objects stay recoverable)",
                          s3::to_string(status)));
}

PostureItem object_lock_posture(const model::Repository& repository,
                                const s3::Probe<s3::ObjectLockConfiguration>& probe) {
  if (!probe.is_known()) {
    return item(repository, "object_lock", PostureState::kUnknown,
                unknown_detail("GetObjectLockConfiguration", probe.unknown_reason()));
  }
  const s3::ObjectLockConfiguration& lock = probe.value();
  if (!lock.enabled) {
    return item(repository, "object_lock", PostureState::kDrift,
                "Object Lock is not enabled; `repository security` enables it with a GOVERNANCE default retention");
  }
  if (!lock.default_retention) {
    return item(repository, "object_lock", PostureState::kOk, "enabled, no default retention");
  }
  const s3::DefaultRetention& d = *lock.default_retention;
  return item(repository, "object_lock", PostureState::kOk,
              fmt::format("enabled, {} {} {}", d.mode == s3::RetentionMode::kGovernance ? "GOVERNANCE" : "COMPLIANCE",
                          d.days > 0 ? d.days : d.years, d.days > 0 ? "days" : "years"));
}

std::vector<PostureItem> lifecycle_posture(const model::Policy& policy, const model::Repository& repository,
                                           const s3::Probe<s3::LifecycleConfiguration>& probe) {
  if (!probe.is_known()) {
    return {item(repository, "lifecycle", PostureState::kUnknown,
                 unknown_detail("GetBucketLifecycleConfiguration", probe.unknown_reason()))};
  }
  const RepositoryRules expected = analysis::lifecycle::rules_for(policy, repository, {});
  std::vector<PostureItem> out;
  judge_rules(policy, repository, expected, probe.value(), out);
  if (repository.lifecycle_rules) judge_expected(repository, expected, probe.value(), out);
  if (out.empty()) {
    out.push_back(item(repository, "lifecycle", PostureState::kOk,
                       fmt::format("{} rule(s); none expires a snapshot before its retention",
                                   probe.value().rules.size())));
  }
  return out;
}

Result<std::vector<PostureItem>> bucket_posture(const model::Policy& policy, const model::Repository& repository,
                                                s3::ObjectStore& store) {
  auto versioning = store.bucket_versioning();
  if (!versioning) return std::unexpected(std::move(versioning.error()));
  auto lock = store.object_lock_configuration();
  if (!lock) return std::unexpected(std::move(lock.error()));
  auto lifecycle = store.lifecycle_configuration();
  if (!lifecycle) return std::unexpected(std::move(lifecycle.error()));
  std::vector<PostureItem> out{versioning_posture(repository, *versioning), object_lock_posture(repository, *lock)};
  for (PostureItem& i : lifecycle_posture(policy, repository, *lifecycle)) out.push_back(std::move(i));
  return out;
}

bool is_private_address(std::string_view text) {
  const std::string s(text);
  std::array<unsigned char, 16> v6{};
  std::array<unsigned char, 4> v4{};
  if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) {
    const bool mapped = std::all_of(v6.begin(), v6.begin() + 10, [](unsigned char b) { return b == 0; }) &&
                        v6[10] == 0xff && v6[11] == 0xff;
    if (!mapped) {
      const bool loopback = std::all_of(v6.begin(), v6.begin() + 15, [](unsigned char b) { return b == 0; }) &&
                            v6[15] == 1;
      return loopback || (v6[0] & 0xfe) == 0xfc || (v6[0] == 0xfe && (v6[1] & 0xc0) == 0x80);
    }
    std::copy(v6.begin() + 12, v6.end(), v4.begin());
  } else if (inet_pton(AF_INET, s.c_str(), v4.data()) != 1) {
    return false;
  }
  return v4[0] == 10 || v4[0] == 127 || (v4[0] == 172 && (v4[1] & 0xf0) == 16) || (v4[0] == 192 && v4[1] == 168) ||
         (v4[0] == 169 && v4[1] == 254) || (v4[0] == 100 && (v4[1] & 0xc0) == 64);
}

Result<std::vector<std::string>> resolve_host(std::string_view host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string name(host);
  if (int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0) {
    return fail("repository.resolve", "cannot resolve {}: {}", name, gai_strerror(rc));
  }
  std::set<std::string> out;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const void* raw = a->ai_family == AF_INET6
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr);
    if (inet_ntop(a->ai_family, raw, text.data(), text.size()) != nullptr) out.insert(text.data());
  }
  freeaddrinfo(found);
  return std::vector<std::string>(out.begin(), out.end());
}

PostureItem endpoint_posture(const model::Repository& repository, const ResolveHost& resolve) {
  auto endpoint = s3::Endpoint::parse(repository.endpoint);
  if (!endpoint) {
    return item(repository, "endpoint", PostureState::kUnknown, endpoint.error().message + ": not verified");
  }
  std::string host = endpoint->host();
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  auto addresses = resolve(host);
  if (!addresses) {
    return item(repository, "endpoint", PostureState::kUnknown, addresses.error().message + ": not verified");
  }
  std::vector<std::string> public_ones;
  for (const std::string& a : *addresses) {
    if (!is_private_address(a)) public_ones.push_back(a);
  }
  if (addresses->empty()) {
    return item(repository, "endpoint", PostureState::kUnknown, fmt::format("{} resolves to no address", host));
  }
  if (public_ones.empty()) {
    return item(repository, "endpoint", PostureState::kOk,
                fmt::format("{} resolves to private addresses only ({})", host, fmt::join(*addresses, ", ")));
  }
  return item(repository, "endpoint", PostureState::kDrift,
              fmt::format("the policy requires a private endpoint, but {} resolves to public address(es) {}: backups "
                          "leave the private network",
                          host, fmt::join(public_ones, ", ")));
}

}  // namespace sk::repository
