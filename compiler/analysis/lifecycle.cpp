#include "compiler/analysis/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <variant>

namespace sk::analysis::lifecycle {
namespace {

using diag::Code;

constexpr std::int64_t kDay = 86'400;
// The label prefixes of the snapshots the runner publishes besides the tiers' (runtime/catalog, the canary).
constexpr std::string_view kOtherLabelPrefixes[] = {"starkeep_catalog_", "starkeep_canary_"};

std::int64_t lifecycle_days_up(Duration d) { return (d.seconds() + kDay - 1) / kDay; }

// "s3a://bucket/a/b/" → {"bucket", "a/b/"}: the key prefix is "" or ends with '/' (as StarRocks strips a trailing
// '/' from the location and joins with '/').
std::pair<std::string, std::string> split_location(std::string_view location) {
  if (auto p = location.find("://"); p != std::string_view::npos) location.remove_prefix(p + 3);
  const auto slash = location.find('/');
  std::string bucket(location.substr(0, slash));
  std::string_view rest = slash == std::string_view::npos ? std::string_view() : location.substr(slash + 1);
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  return {std::move(bucket), rest.empty() ? std::string() : std::string(rest) + "/"};
}

std::vector<const model::Tier*> tiers_of(const model::Policy& policy, const model::Repository& repository) {
  std::vector<const model::Tier*> out;
  for (const model::Tier& t : policy.tiers) {
    const model::Repository* r = policy.repository_for(t);
    if (r && r->name == repository.name) out.push_back(&t);
  }
  return out;
}

// Labels starting with `a` and labels starting with `b` can coincide ("" starts like anything).
bool overlap(std::string_view a, std::string_view b) {
  return a.empty() || b.empty() || a.starts_with(b) || b.starts_with(a);
}

std::string prefix_of(const model::Tier& t) { return t.label.constant_prefix(t.name, t.label_suffix); }

// The label prefix (after `__ss_`) a rule for `tier` may use, or why there is none.
std::variant<std::string, Untargetable> target(const model::Tier& tier, const std::vector<const model::Tier*>& peers,
                                               const model::Repository& repository) {
  const std::string own_repository = fmt::format(
      "give it a label template with a distinct start (label = \"{}_{{db}}_{{date}}\") or a repository of its own",
      tier.name.str());
  if (tier.keep) {
    return Untargetable{tier.name, fmt::format("it keeps snapshots by count (keep = {} {}), which no age can express",
                                               tier.keep->alone ? "last" : "at least", tier.keep->count),
                        "keep it by retain alone, or leave its expiry to `starkeep expire`"};
  }
  if (peers.size() == 1) return std::string();
  const std::string mine = prefix_of(tier);
  if (mine.empty()) {
    return Untargetable{tier.name,
                        fmt::format("its labels (\"{}\") start with no constant text, and {} tiers share repository "
                                    "'{}'",
                                    tier.label.str(), peers.size(), repository.name.str()),
                        own_repository};
  }
  for (const model::Tier* other : peers) {
    if (other == &tier || !overlap(mine, prefix_of(*other))) continue;
    return Untargetable{tier.name,
                        fmt::format("the labels of tier '{}' (\"{}\") can start like its own (\"{}…\")",
                                    other->name.str(), other->label.str(), mine),
                        own_repository};
  }
  for (std::string_view other : kOtherLabelPrefixes) {
    if (!overlap(mine, other)) continue;
    return Untargetable{tier.name, fmt::format("catalog or canary snapshot labels ({}…) start like its own", other),
                        own_repository};
  }
  return mine;
}

// The longest a snapshot of `tier` must stay, from when it is taken.
Duration keep_of(const model::Tier& tier, const std::map<std::string, Duration>& horizons) {
  auto it = horizons.find(tier.name.str());
  const Duration own = tier.retain.calendar() ? Duration::from_days(tier.retain.longest_days()) : tier.retain.fixed();
  return it == horizons.end() ? own : std::max(own, it->second);
}

}  // namespace

RepositoryRules rules_for(const model::Policy& policy, const model::Repository& repository,
                          const std::map<std::string, Duration>& horizons) {
  auto [bucket, location_prefix] = split_location(repository.location);
  RepositoryRules out{repository.name, std::move(bucket),
                      fmt::format("{}__starrocks_repository_{}/", location_prefix, repository.name.str()), {}, {}, 1};
  const auto peers = tiers_of(policy, repository);
  for (const model::Tier* t : peers) {
    out.abort_multipart_days = std::max(out.abort_multipart_days, lifecycle_days_up(t->timeout) + 1);
    auto where = target(*t, peers, repository);
    if (auto* u = std::get_if<Untargetable>(&where)) {
      out.untargetable.push_back(std::move(*u));
      continue;
    }
    const Duration keep = keep_of(*t, horizons);
    Rule r{fmt::format("starkeep-{}-{}", repository.name.str(), t->name.str()), t->name,
           out.repository_prefix + "__ss_" + std::get<std::string>(where), 0,
           std::max<std::int64_t>(1, lifecycle_days_up(keep + t->timeout)), false, keep};
    r.declared = t->lifecycle.has_value();
    r.expiration_days = r.declared ? lifecycle_days_up(*t->lifecycle) : r.needed_days;
    out.rules.push_back(std::move(r));
  }
  return out;
}

bool wanted(const model::Policy& policy) {
  return std::any_of(policy.repositories.begin(), policy.repositories.end(),
                     [](const model::Repository& r) { return r.lifecycle_rules; }) ||
         std::any_of(policy.tiers.begin(), policy.tiers.end(), [](const model::Tier& t) { return t.lifecycle; });
}

void check(const model::Policy& policy, const std::map<std::string, Duration>& horizons, diag::DiagnosticSink& sink) {
  for (const model::Repository& repository : policy.repositories) {
    const RepositoryRules rules = rules_for(policy, repository, horizons);
    for (const Untargetable& u : rules.untargetable) {
      const model::Tier* t = policy.find_tier(u.tier);
      if (!repository.lifecycle_rules && !t->lifecycle) continue;
      sink.report(Code::kLifecycleNoPrefix, t->lifecycle ? t->lifecycle_range : t->name_range, u.tier.str(), u.reason)
          .note(std::nullopt, u.fix + "; until then `starkeep expire` is the only thing that deletes its snapshots");
    }
    for (const Rule& r : rules.rules) {
      if (!r.declared || r.expiration_days >= r.needed_days) continue;
      const model::Tier* t = policy.find_tier(r.tier);
      sink.report(Code::kLifecycleTooShort, t->lifecycle_range, r.tier.str(), t->lifecycle->to_string(),
                  fmt::format("{}d", r.needed_days))
          .note(t->retain_range,
                fmt::format("retained restore points need its snapshots up to {} after they are taken (retention and "
                            "restore chains), plus the job timeout {} the upload may take before",
                            Duration::from_days(lifecycle_days_up(r.keep)).to_string(),
                            t->timeout.to_string()))
          .suggest(fmt::format("{}d", r.needed_days));
    }
  }
}

}  // namespace sk::analysis::lifecycle
