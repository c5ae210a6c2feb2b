// S3 lifecycle rules per retention class (docs/retention.md, "Lifecycle rules"): which key prefix an age rule can
// target for each tier, and after how many days it may expire the tier's objects.
//
// Every snapshot lives under <location prefix>__starrocks_repository_<repo>/__ss_<label>/, so an age rule reaches
// one tier only when nothing else in the repository has labels starting like the tier's: the tier is the only one
// writing to its repository (the rule takes the repository's `__ss_` directories, never `__repo_info`), or its label
// template starts with a constant text (literals, {tier}, {suffix}) that no other tier's labels, and no catalog or
// canary snapshot label, can start with. A tier kept by count (`keep = …`) cannot be expressed as an age.
//
// The expiration is never shorter than what retained restore points need: the tier's keep horizon from the
// chain-aware analysis (analysis.h keep_horizons: own retention, chains, count keeps), plus the tier's job timeout
// (content objects are uploaded up to that long before the snapshot finishes), in whole days rounded up. A tier may
// declare a longer one (`lifecycle = 400d`); a shorter one is an error (SK0513). Each repository also gets a rule
// aborting incomplete multipart uploads after the longest job timeout of its tiers, plus a day.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/model/policy.h"
#include "kernel/domain/quantities.h"

namespace sk::analysis::lifecycle {

struct Rule {
  std::string id;              // "starkeep-<repo>-<tier>"
  TierName tier;
  std::string prefix;          // the key prefix in the bucket
  std::int64_t expiration_days = 0;
  std::int64_t needed_days = 0;  // what retained restore points need (the derived expiration)
  bool declared = false;         // expiration_days is the tier's `lifecycle`
  Duration keep;                 // the longest its snapshots must stay after they are taken (before the timeout)
};

// A tier no age rule can target, and what would let one.
struct Untargetable {
  TierName tier;
  std::string reason;
  std::string fix;
};

struct RepositoryRules {
  RepositoryName repository;
  std::string bucket;
  std::string repository_prefix;  // "<location prefix>__starrocks_repository_<repo>/"
  std::vector<Rule> rules;        // in tier order
  std::vector<Untargetable> untargetable;
  std::int64_t abort_multipart_days = 0;
};

// `horizons`: analysis::keep_horizons (a tier absent from it is judged by its own retention alone).
[[nodiscard]] RepositoryRules rules_for(const model::Policy& policy, const model::Repository& repository,
                                        const std::map<std::string, Duration>& horizons);

// SK0512 (warning) for every tier of a `lifecycle_rules = true` repository no rule can target; SK0513 (error) for a
// tier whose declared `lifecycle` is shorter than its snapshots must stay.
void check(const model::Policy& policy, const std::map<std::string, Duration>& horizons, diag::DiagnosticSink& sink);

// Whether check() has anything to say: a repository with lifecycle_rules, or a tier with a declared lifecycle.
[[nodiscard]] bool wanted(const model::Policy& policy);

}  // namespace sk::analysis::lifecycle
