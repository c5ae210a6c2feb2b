// `starkeep repository lifecycle`: the S3 lifecycle configuration of one repository, from the compiler's rules
// (compiler/analysis/lifecycle.h: one expiration rule per tier an age rule can target, never shorter than its
// snapshots must stay, plus one rule aborting incomplete multipart uploads under the repository prefix) — as the JSON
// `aws s3api put-bucket-lifecycle-configuration --lifecycle-configuration file://…` reads, or as the XML body of
// PUT ?lifecycle. Pure, canonical (stable for golden tests). Thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "compiler/analysis/lifecycle.h"

namespace sk::repository {

// {"Rules": [{"ID", "Status": "Enabled", "Filter": {"Prefix"}, "Expiration": {"Days"}} …,
//            {"ID": "starkeep-<repo>-abort-multipart", …, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation"}}]}
[[nodiscard]] nlohmann::json lifecycle_json(const analysis::lifecycle::RepositoryRules& rules);

// <LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"> with the same rules, text escaped.
[[nodiscard]] std::string lifecycle_xml(const analysis::lifecycle::RepositoryRules& rules);

// For a human: one line per rule (prefix, days, and what the days come from) and per tier no rule can target (why,
// and the fix).
[[nodiscard]] std::string lifecycle_text(const analysis::lifecycle::RepositoryRules& rules);

// "starkeep-<repo>-abort-multipart".
[[nodiscard]] std::string abort_rule_id(const analysis::lifecycle::RepositoryRules& rules);

}  // namespace sk::repository
