// Semantic analysis driver: walks the policy block, reads every nested block into a draft (reporting SK02xx
// problems), resolves cross references, runs the policy-level checks (SK03xx) and assembles the model only when
// nothing is wrong.
#include "compiler/sema/build_model.h"

#include "compiler/sema/builder.h"

namespace sk::sema {
namespace detail {

namespace {

// The file's one `policy` block; other top-level blocks and further policies are reported. Null when none.
const ast::Block* find_policy_block(const ast::Policy& file, DiagnosticSink& sink) {
  const ast::Block* policy_block = nullptr;
  for (const ast::Block& b : file.blocks) {
    if (b.kind.text != "policy") {
      diag::Diagnostic& d = sink.report(Code::kUnknownBlock, b.kind.range, b.kind.text, "the file");
      if (std::find(kPolicyBlocks.begin(), kPolicyBlocks.end(), b.kind.text) != kPolicyBlocks.end()) {
        d.note(std::nullopt, fmt::format("'{}' blocks go inside 'policy \"name\" {{ … }}'", b.kind.text));
      } else if (auto m = diag::closest_match(b.kind.text, {"policy"})) {
        d.suggest(*m);
      }
      continue;
    }
    if (policy_block != nullptr) {
      sink.report(Code::kDuplicatePolicy, b.header_range)
          .note(policy_block->header_range, "first policy here");
      continue;
    }
    policy_block = &b;
  }
  return policy_block;
}

// ---- assembling the model: every draft is complete when no error was reported; nullopt otherwise ----

std::optional<model::Repository> assemble_repository(const RepositoryDraft& r) {
  if (!r.complete || !r.name || !r.location) return std::nullopt;
  model::Repository out{*r.name,    *r.location,    r.endpoint,   r.region,        r.credentials,
                        r.role_arn, r.block->range, r.name_range, r.endpoint_range};
  out.private_endpoint = r.private_endpoint;
  out.vpc_endpoint = r.vpc_endpoint;
  out.lifecycle_rules = r.lifecycle_rules;
  out.private_endpoint_range = r.private_endpoint_range;
  out.vpc_endpoint_range = r.vpc_endpoint_range;
  out.lifecycle_rules_range = r.lifecycle_rules_range;
  return out;
}

std::optional<model::Tier> assemble_tier(const TierDraft& t, const std::string& suffix,
                                         const model::Policy& policy, const LabelTemplate& default_label) {
  if (!t.complete || !t.name || !t.kind || !t.schedule || !t.retain) return std::nullopt;
  std::vector<TierName> covers;
  for (const Located& c : t.covers) {
    auto n = TierName::parse(c.text);
    if (!n) return std::nullopt;
    covers.push_back(*n);
  }
  std::optional<RepositoryName> repository;
  if (t.repository) {
    auto n = RepositoryName::parse(t.repository->text);
    if (!n) return std::nullopt;
    repository = *n;
  } else if (policy.repositories.size() == 1) {
    repository = policy.repositories.front().name;
  }
  model::Tier tier{*t.name,
                   *t.kind,
                   t.include.value_or(Predicate::always()),
                   t.changes,
                   *t.schedule,
                   *t.retain,
                   window_of(t),
                   t.label.value_or(default_label),
                   t.precedence,
                   covers,
                   repository,
                   suffix,
                   t.block->range,
                   t.name_range,
                   t.schedule_range,
                   t.retain_range,
                   t.window_range,
                   t.include_range,
                   t.kind_range,
                   t.covers_range,
                   t.precedence_range,
                   t.timeout.value_or(Duration::from_seconds(model::kDefaultJobTimeoutSeconds)),
                   t.on_overrun.value_or(model::OverrunAction::kAlert),
                   t.timeout ? t.timeout_range : t.name_range,
                   t.on_overrun ? t.on_overrun_range : t.name_range,
                   t.keep,
                   t.keep_range,
                   t.catch_up.value_or(model::CatchUp{}),
                   t.catch_up ? t.catch_up_range : t.name_range};
  tier.lifecycle = t.lifecycle;
  tier.lifecycle_range = t.lifecycle ? t.lifecycle_range : t.name_range;
  return tier;
}

std::optional<model::Drill> assemble_drill(const DrillDraft& d) {
  if (!d.complete || !d.name || !d.schedule || !d.from || !d.scope) return std::nullopt;
  auto from = TierName::parse(d.from->text);
  if (!from) return std::nullopt;
  return model::Drill{*d.name,        *d.schedule,  *from,         *d.scope,        d.verify,
                      d.block->range, d.name_range, d.from->range, d.schedule_range};
}

std::optional<model::Notifier> assemble_notifier(const NotifierDraft& n) {
  if (!n.complete || !n.name || !n.kind) return std::nullopt;
  return model::Notifier{*n.name, *n.kind, n.target, n.block->range, n.name_range};
}

std::optional<model::Alert> assemble_alert(const AlertDraft& a) {
  if (!a.complete || !a.name || !a.when) return std::nullopt;
  std::vector<NotifierName> notify;
  for (const Located& l : a.notify) {
    auto n = NotifierName::parse(l.text);
    if (!n) return std::nullopt;
    notify.push_back(*n);
  }
  return model::Alert{*a.name, *a.when, notify, a.severity, a.block->range, a.name_range, a.when_range};
}

// Appends assemble(draft) for every draft; false as soon as one is incomplete.
template <typename Draft, typename Out, typename Assemble>
bool assemble_all(const std::vector<Draft>& drafts, std::vector<Out>& out, Assemble assemble) {
  for (const Draft& d : drafts) {
    auto item = assemble(d);
    if (!item) return false;
    out.push_back(std::move(*item));
  }
  return true;
}

}  // namespace

std::optional<model::Policy> Builder::run(const ast::Policy& file) {
  const ast::Block* policy_block = find_policy_block(file, sink_);
  if (policy_block == nullptr) {
    if (!sink_.has_errors()) sink_.report(Code::kMissingPolicy, std::nullopt);
    return std::nullopt;
  }

  model::Policy policy;
  policy.range = policy_block->range;
  if (!policy_block->name) {
    sink_.report(Code::kMissingBlockName, policy_block->kind.range, "policy", "policy");
  } else {
    policy.name = policy_block->name->text;
    policy.name_range = policy_block->name->range;
  }
  read_policy_keys(*policy_block, policy);
  // Defaults first: tiers read them.
  for (const ast::Block& b : policy_block->blocks) {
    if (b.kind.text == "defaults") read_defaults(b);
  }
  for (const ast::Block& b : policy_block->blocks) {
    const std::string k(b.kind.text);
    if (k == "repository") read_repository(b);
    else if (k == "precheck") read_precheck(b, policy.precheck);
    else if (k == "tier") read_tier(b);
    else if (k == "drill") read_drill(b);
    else if (k == "alert") read_alert(b);
    else if (k == "notifier") read_notifier(b);
    else if (k == "exclude") read_exclusion(b, policy);
  }
  if (tiers_.size() > kMaxTiers) {
    sink_.report(Code::kTooManyTiers, tiers_[kMaxTiers].block->header_range, tiers_.size() + tiers_not_kept_,
                 kMaxTiers);
    return std::nullopt;
  }
  // A tier that fires several times a day without a window: the hours between its slots, as short as the clocks
  // in the policy's zone make them (a DST night), at most 4h — so the default never trips SK0303.
  for (TierDraft& t : tiers_) {
    if (t.window || !t.schedule || !t.schedule->sub_daily() || t.schedule->never_fires()) continue;
    const auto real = shortest_real_gap(*t.schedule, policy.time_zone, options_.calendar_start);
    t.window = std::min(window_of(t), real ? real->length : window_of(t));
  }
  check_unique(repositories_, "repository");
  check_unique(tiers_, "tier");
  check_unique(drills_, "drill");
  check_unique(alerts_, "alert");
  check_unique(notifiers_, "notifier");
  resolve_references();
  check_tiers(policy);
  check_covers_cycles();
  check_coincidence();
  check_drill_windows();
  if (tiers_.empty() && !policy_block->recovered) sink_.report(Code::kNoTiers, policy_block->header_range);

  if (sink_.has_errors()) return std::nullopt;

  if (!assemble_all(repositories_, policy.repositories, assemble_repository)) return std::nullopt;
  const auto tier = [&](const TierDraft& t) { return assemble_tier(t, default_suffix(t), policy, label_of(t)); };
  if (!assemble_all(tiers_, policy.tiers, tier) || !assemble_all(drills_, policy.drills, assemble_drill) ||
      !assemble_all(notifiers_, policy.notifiers, assemble_notifier) ||
      !assemble_all(alerts_, policy.alerts, assemble_alert)) {
    return std::nullopt;
  }
  return policy;
}

}  // namespace detail

std::optional<model::Policy> build_model(const ast::Policy& policy, diag::DiagnosticSink& sink,
                                         const Options& options) {
  detail::Builder builder(sink, options);
  return builder.run(policy);
}

}  // namespace sk::sema
