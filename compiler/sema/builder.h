// Internal to sema: the drafts that blocks are read into and the Builder that reads them, resolves references and
// runs the policy-level checks. build_model.cpp drives it; read_blocks.cpp reads blocks (SK02xx);
// cross_checks.cpp checks the policy as a whole (SK03xx). One Builder per compilation; not thread-safe.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/utf8.h"
#include "compiler/sema/build_model.h"
#include "compiler/sema/checks.h"
#include "compiler/sema/values.h"

namespace sk::sema::detail {

// At most this many tiers (SK0323): the calendar checks compare every pair of tiers; bound the work for hostile
// inputs.
inline constexpr size_t kMaxTiers = 256;

using ast::Expr;
using diag::Code;
using model::Predicate;

struct Named {
  std::string text;
  SourceRange range;
};

struct TierDraft {
  const ast::Block* block = nullptr;
  std::optional<TierName> name;
  SourceRange name_range;
  std::optional<model::BackupKind> kind;
  SourceRange kind_range;
  model::ChangeDetection changes;
  std::optional<Predicate> include;
  bool include_written = false;
  SourceRange include_range;
  std::optional<Schedule> schedule;
  SourceRange schedule_range;
  std::optional<RetainPeriod> retain;
  SourceRange retain_range;
  std::optional<model::KeepCount> keep;
  SourceRange keep_range;
  std::optional<Duration> window;
  SourceRange window_range;
  std::optional<Duration> timeout;  // the job's server-side timeout (issue 10 item 9)
  SourceRange timeout_range;
  std::optional<model::OverrunAction> on_overrun;
  SourceRange on_overrun_range;
  std::optional<model::CatchUp> catch_up;  // issue 10 item 11
  SourceRange catch_up_range;
  std::optional<Duration> lifecycle;  // `lifecycle = 120d` (issue 12 item 4)
  SourceRange lifecycle_range;
  std::optional<LabelTemplate> label;
  SourceRange label_range;  // where the tier's (or the defaults') label was written; empty when not written
  int precedence = 0;
  SourceRange precedence_range;
  std::vector<Located> covers;
  SourceRange covers_range;
  std::optional<Located> repository;
  std::string suffix;
  bool complete = true;  // false when a required part is missing or invalid (already reported)
};

struct DrillDraft {
  const ast::Block* block = nullptr;
  std::optional<DrillName> name;
  SourceRange name_range;
  std::optional<Schedule> schedule;
  SourceRange schedule_range;
  std::optional<Located> from;
  std::optional<model::DrillScope> scope;
  SourceRange scope_range;
  model::Verification verify = model::Verification::kChecksum;
  bool complete = true;
};

struct AlertDraft {
  const ast::Block* block = nullptr;
  std::optional<AlertName> name;
  SourceRange name_range;
  std::optional<model::AlertCondition> when;
  SourceRange when_range;
  std::vector<Located> notify;
  model::Severity severity = model::Severity::kWarning;
  bool complete = true;
};

struct NotifierDraft {
  const ast::Block* block = nullptr;
  std::optional<NotifierName> name;
  SourceRange name_range;
  std::optional<model::NotifierKind> kind;
  std::string target;
  bool complete = true;
};

struct RepositoryDraft {
  const ast::Block* block = nullptr;
  std::optional<RepositoryName> name;
  SourceRange name_range;
  std::optional<std::string> location;
  std::string endpoint, region;
  SourceRange endpoint_range;
  model::CredentialsKind credentials = model::CredentialsKind::kEnvironment;
  std::optional<std::string> role_arn;
  bool private_endpoint = false;
  std::optional<std::string> vpc_endpoint;
  bool lifecycle_rules = false;
  SourceRange private_endpoint_range, vpc_endpoint_range, lifecycle_rules_range;
  bool complete = true;
};

struct Defaults {
  std::optional<Duration> window;
  SourceRange window_range;
  std::optional<Duration> timeout;  // the job's server-side timeout (issue 10 item 9)
  SourceRange timeout_range;
  std::optional<model::OverrunAction> on_overrun;
  SourceRange on_overrun_range;
  std::optional<model::CatchUp> catch_up;  // issue 10 item 11
  SourceRange catch_up_range;
  std::optional<Duration> lifecycle;  // `lifecycle = 120d` (issue 12 item 4)
  SourceRange lifecycle_range;
  std::optional<RetainPeriod> retain;
  SourceRange retain_range;
  std::optional<LabelTemplate> label;
  SourceRange label_range;
  std::optional<Located> repository;
  std::optional<std::vector<Blackout>> blackouts;
};

  // The tier's window: its own (or the defaults'), else 4h, or the hours between its slots when it fires more often.
inline Duration window_of(const TierDraft& t) {
  if (t.window) return *t.window;
  const Duration four = Duration::from_hours(4);
  if (!t.schedule || !t.schedule->sub_daily()) return four;
  return std::min(four, Duration::from_hours(t.schedule->interval_hours()));
}
// The tier's label template: its own (or the defaults'), else the default for how often it fires.
inline LabelTemplate label_of(const TierDraft& t) {
  if (t.label) return *t.label;
  const bool sub_daily = t.schedule && t.schedule->sub_daily();
  return *LabelTemplate::parse(sub_daily ? LabelTemplate::kDefaultSubDaily : LabelTemplate::kDefault);
}

inline std::string in_quotes(std::string_view s) { return fmt::format("'{}'", s); }

class Builder {
 public:
  Builder(DiagnosticSink& sink, const Options& options) : sink_(sink), options_(options) {}

  std::optional<model::Policy> run(const ast::Policy& file);

 private:
  // ---- reading blocks ----
  template <typename N>
  std::optional<N> read_name(const ast::Block& b, std::string_view kind, SourceRange& name_range) {
    if (!b.name) {
      sink_.report(Code::kMissingBlockName, b.kind.range, kind, kind);
      return std::nullopt;
    }
    name_range = b.name->range;
    auto n = N::parse(b.name->text);
    if (!n) {
      // A name holding an invalid byte was reported by the parser (SK0105, or SK0104 for a later byte): one bad
      // byte, one error.
      if (!is_valid_utf8(b.name->text)) return std::nullopt;
      sink_.report(Code::kInvalidName, b.name->range, kind, b.name->text, n.error().message);
      return std::nullopt;
    }
    return *n;
  }

  // Reports a required key as missing, unless the block had a syntax error (the key may be what failed to parse);
  // then the returned diagnostic is a scratch object that is not reported.
  diag::Diagnostic& missing_key(const ast::Block& b, const BlockKeys& keys, std::string_view key) {
    if (b.recovered || keys.attempted(key)) {
      scratch_ = diag::Diagnostic{};
      return scratch_;
    }
    return sink_.report(Code::kMissingKey, b.header_range, keys.what(), key);
  }

  void read_policy_keys(const ast::Block& b, model::Policy& policy);
  void apply_blackouts(const BlockKeys& keys, TierDraft& t);
  void check_blackouts(const TierDraft& t);
  void read_databases(const ast::Entry& e, model::Policy& policy);
  void drop_repeated_databases(std::vector<DatabaseName>& names, const std::vector<const Expr*>& written);
  void read_repository(const ast::Block& b);
  void read_repository_posture(const BlockKeys& keys, RepositoryDraft& r);
  void read_precheck(const ast::Block& b, model::Precheck& precheck);
  void read_defaults(const ast::Block& b);
  void read_tier(const ast::Block& b);
  void read_backup_kind(const ast::Entry& e, TierDraft& t);
  void read_drill(const ast::Block& b);
  void read_alert(const ast::Block& b);
  std::optional<model::AlertCondition> read_condition(const Expr& e);
  void read_notifier(const ast::Block& b);
  void read_exclusion(const ast::Block& b, model::Policy& policy);

  // ---- checks ----
  template <typename D>
  void check_unique(const std::vector<D>& drafts, std::string_view kind);
  void resolve_references();
  void check_tiers(const model::Policy& policy);
  void check_window(const TierDraft& t, const TimeZone& zone);
  void check_timeout(const TierDraft& t);
  void check_catch_up(const TierDraft& t);
  void check_retention_covers_gaps(const TierDraft& t);
  void check_drill_windows();
  void check_coincidence();
  void check_label_collision(const TierDraft& a, const TierDraft& b, CivilDay day);
  // Pairs with a tier that fires several times a day: every two slots of `day` that both run must differ in label.
  void check_sub_daily_labels(const TierDraft& a, const TierDraft& b, CivilDay day);
  void check_label_has_time(const TierDraft& t);
  void check_covers_cycles();
  // The tier's firing calendar over one 400-year cycle from options_.calendar_start; null without a schedule.
  const FiringCalendar* calendar(const TierDraft& t) {
    const auto i = static_cast<size_t>(&t - tiers_.data());
    if (!t.schedule) return nullptr;
    if (calendars_.size() < tiers_.size()) calendars_.resize(tiers_.size());
    if (!calendars_[i]) calendars_[i].emplace(*t.schedule, options_.calendar_start);
    return &*calendars_[i];
  }
  static std::string default_suffix(const TierDraft& t) {
    if (!t.suffix.empty()) return t.suffix;
    if (!t.kind) return "";
    return *t.kind == model::BackupKind::kChangedPartitions ? "inc"
           : *t.kind == model::BackupKind::kTables         ? "full"
                                                           : "base";
  }

  std::vector<std::string> tier_names() const {
    std::vector<std::string> out;
    for (const TierDraft& t : tiers_) {
      if (t.name) out.push_back(t.name->str());
    }
    return out;
  }
  const TierDraft* find_tier(std::string_view name) const {
    for (const TierDraft& t : tiers_) {
      if (t.name && t.name->str() == name) return &t;
    }
    return nullptr;
  }

  DiagnosticSink& sink_;
  const Options& options_;
  Defaults defaults_;
  std::vector<Blackout> policy_blackouts_;  // `blackout = …` in the policy block: applies to every tier
  std::vector<RepositoryDraft> repositories_;
  std::vector<TierDraft> tiers_;  // at most kMaxTiers + 1: past the limit the policy is rejected (SK0323)
  size_t tiers_not_kept_ = 0;      // tiers read (and their own mistakes reported) but not kept
  std::vector<DrillDraft> drills_;
  std::vector<AlertDraft> alerts_;
  std::vector<NotifierDraft> notifiers_;
  const ast::Block* precheck_block_ = nullptr;
  const ast::Block* defaults_block_ = nullptr;
  diag::Diagnostic scratch_{};
  std::vector<std::optional<FiringCalendar>> calendars_;  // per tier, computed on first use
};

inline const std::vector<std::string> kPolicyBlocks = {"repository", "precheck", "defaults", "tier",
                                                       "drill",      "alert",    "notifier", "exclude"};

template <typename D>
void Builder::check_unique(const std::vector<D>& drafts, std::string_view kind) {
  for (size_t i = 0; i < drafts.size(); ++i) {
    if (!drafts[i].name) continue;
    for (size_t j = 0; j < i; ++j) {
      if (drafts[j].name && *drafts[j].name == *drafts[i].name) {
        sink_.report(Code::kDuplicateName, drafts[i].name_range, kind, drafts[i].name->str())
            .note(drafts[j].name_range, fmt::format("the first {} named '{}' is here", kind, drafts[i].name->str()));
        break;
      }
    }
  }
}

}  // namespace sk::sema::detail
