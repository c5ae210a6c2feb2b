// Semantic analysis driver: walks the policy block, reads every nested block into a draft (reporting SK02xx
// problems), resolves cross references, runs the policy-level checks (SK03xx) and assembles the model only when
// nothing is wrong.
#include "compiler/sema/build_model.h"

#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "compiler/sema/checks.h"
#include "compiler/sema/values.h"

namespace sk::sema {
namespace {

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
  std::optional<Duration> retain;
  SourceRange retain_range;
  std::optional<Duration> window;
  SourceRange window_range;
  std::optional<LabelTemplate> label;
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
  bool complete = true;
};

struct Defaults {
  std::optional<Duration> window;
  SourceRange window_range;
  std::optional<Duration> retain;
  SourceRange retain_range;
  std::optional<LabelTemplate> label;
  std::optional<Located> repository;
};

std::string in_quotes(std::string_view s) { return fmt::format("'{}'", s); }

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
  void read_databases(const ast::Entry& e, model::Policy& policy);
  void read_repository(const ast::Block& b);
  void read_precheck(const ast::Block& b, model::Precheck& precheck);
  void read_defaults(const ast::Block& b);
  void read_tier(const ast::Block& b);
  void read_backup_kind(const ast::Entry& e, TierDraft& t);
  void read_drill(const ast::Block& b);
  void read_alert(const ast::Block& b);
  std::optional<model::AlertCondition> read_condition(const Expr& e);
  void read_notifier(const ast::Block& b);

  // ---- checks ----
  template <typename D>
  void check_unique(const std::vector<D>& drafts, std::string_view kind);
  void resolve_references();
  void check_tiers(const model::Policy& policy);
  void check_coincidence();
  void check_label_collision(const TierDraft& a, const TierDraft& b, CivilDay day);
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
  std::vector<RepositoryDraft> repositories_;
  std::vector<TierDraft> tiers_;
  std::vector<DrillDraft> drills_;
  std::vector<AlertDraft> alerts_;
  std::vector<NotifierDraft> notifiers_;
  const ast::Block* precheck_block_ = nullptr;
  const ast::Block* defaults_block_ = nullptr;
  diag::Diagnostic scratch_{};
  std::vector<std::optional<FiringCalendar>> calendars_;  // per tier, computed on first use
};

const std::vector<std::string> kPolicyBlocks = {"repository", "precheck", "defaults", "tier",
                                                "drill",      "alert",    "notifier"};

std::optional<model::Policy> Builder::run(const ast::Policy& file) {
  const ast::Block* policy_block = nullptr;
  for (const ast::Block& b : file.blocks) {
    if (b.kind.text != "policy") {
      diag::Diagnostic& d = sink_.report(Code::kUnknownBlock, b.kind.range, b.kind.text, "the file");
      if (std::find(kPolicyBlocks.begin(), kPolicyBlocks.end(), b.kind.text) != kPolicyBlocks.end()) {
        d.note(std::nullopt, fmt::format("'{}' blocks go inside 'policy \"name\" {{ … }}'", b.kind.text));
      } else if (auto m = diag::closest_match(b.kind.text, {"policy"})) {
        d.suggest(*m);
      }
      continue;
    }
    if (policy_block != nullptr) {
      sink_.report(Code::kDuplicatePolicy, b.header_range).note(policy_block->header_range, "first policy here");
      continue;
    }
    policy_block = &b;
  }
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
    const std::string& k = b.kind.text;
    if (k == "repository") read_repository(b);
    else if (k == "precheck") read_precheck(b, policy.precheck);
    else if (k == "tier") read_tier(b);
    else if (k == "drill") read_drill(b);
    else if (k == "alert") read_alert(b);
    else if (k == "notifier") read_notifier(b);
  }
  // Calendar checks compare every pair of tiers; bound the work for hostile inputs.
  constexpr size_t kMaxTiers = 256;
  if (tiers_.size() > kMaxTiers) {
    sink_.report(Code::kTooManyTiers, tiers_[kMaxTiers].block->header_range, tiers_.size(), kMaxTiers);
    return std::nullopt;
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
  if (tiers_.empty() && !policy_block->recovered) sink_.report(Code::kNoTiers, policy_block->header_range);

  if (sink_.has_errors()) return std::nullopt;

  // ---- assemble the model (every draft is complete when no error was reported) ----
  for (const RepositoryDraft& r : repositories_) {
    if (!r.complete || !r.name || !r.location) return std::nullopt;
    policy.repositories.push_back(model::Repository{*r.name, *r.location, r.endpoint, r.region, r.credentials,
                                                    r.role_arn, r.block->range, r.name_range, r.endpoint_range});
  }
  const auto default_label = LabelTemplate::parse(LabelTemplate::kDefault);
  for (const TierDraft& t : tiers_) {
    if (!t.complete || !t.name || !t.kind || !t.schedule || !t.retain || !default_label) return std::nullopt;
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
    const std::string suffix = default_suffix(t);
    policy.tiers.push_back(model::Tier{
        *t.name, *t.kind, t.include.value_or(Predicate::always()), t.changes, *t.schedule, *t.retain,
        t.window.value_or(Duration::from_hours(4)), t.label.value_or(*default_label), t.precedence, covers,
        repository, suffix, t.block->range, t.name_range, t.schedule_range, t.retain_range, t.window_range,
        t.include_range, t.kind_range, t.covers_range, t.precedence_range});
  }
  for (const DrillDraft& d : drills_) {
    if (!d.complete || !d.name || !d.schedule || !d.from || !d.scope) return std::nullopt;
    auto from = TierName::parse(d.from->text);
    if (!from) return std::nullopt;
    policy.drills.push_back(model::Drill{*d.name, *d.schedule, *from, *d.scope, d.verify, d.block->range,
                                         d.name_range, d.from->range, d.schedule_range});
  }
  for (const NotifierDraft& n : notifiers_) {
    if (!n.complete || !n.name || !n.kind) return std::nullopt;
    policy.notifiers.push_back(model::Notifier{*n.name, *n.kind, n.target, n.block->range, n.name_range});
  }
  for (const AlertDraft& a : alerts_) {
    if (!a.complete || !a.name || !a.when) return std::nullopt;
    std::vector<NotifierName> notify;
    for (const Located& l : a.notify) {
      auto n = NotifierName::parse(l.text);
      if (!n) return std::nullopt;
      notify.push_back(*n);
    }
    policy.alerts.push_back(model::Alert{*a.name, *a.when, notify, a.severity, a.block->range, a.name_range,
                                         a.when_range});
  }
  return policy;
}

// ---- policy keys ----

void Builder::read_policy_keys(const ast::Block& b, model::Policy& policy) {
  BlockKeys keys(b, b.name ? "policy '" + b.name->text + "'" : "policy", {"timezone", "databases"}, sink_, {},
                 kPolicyBlocks);
  if (const ast::Entry* e = keys.get("timezone")) {
    if (auto name = read_string(*e, sink_)) {
      auto tz = TimeZone::parse(*name);
      if (tz) {
        policy.time_zone = *tz;
        policy.time_zone_range = e->value.range;
      } else {
        diag::Diagnostic& d = sink_.report(Code::kUnknownTimeZone, e->value.range, *name);
        if (auto m = diag::closest_match(*name, {"UTC", "Etc/UTC", "Europe/London", "Europe/Berlin",
                                                 "Europe/Paris", "America/New_York", "America/Chicago",
                                                 "America/Los_Angeles", "Asia/Shanghai", "Asia/Tokyo",
                                                 "Asia/Singapore", "Australia/Sydney"})) {
          d.suggest(*m);
        } else {
          d.note(std::nullopt, "use an IANA time zone name such as \"UTC\" or \"Europe/Berlin\"");
        }
      }
    }
  }
  if (const ast::Entry* e = keys.get("databases")) {
    read_databases(*e, policy);
  } else {
    missing_key(b, keys, "databases")
        .note(std::nullopt, "write databases = [\"sales\", \"crm\"] or databases = all except [\"tmp\"]");
  }
}

void Builder::read_databases(const ast::Entry& e, model::Policy& policy) {
  const Expr& v = e.value;
  policy.databases.range = v.range;
  const auto read_list = [&](const Expr& list, std::vector<DatabaseName>& out) {
    auto items = read_strings(list, "databases", false, sink_);
    if (!items) return;
    for (const Located& item : *items) {
      auto n = DatabaseName::parse(item.text);
      if (!n) {
        sink_.report(Code::kInvalidName, item.range, "database", item.text, n.error().message);
        continue;
      }
      if (std::find(out.begin(), out.end(), *n) != out.end()) {
        sink_.report(Code::kDatabaseListedTwice, item.range, item.text);
        continue;
      }
      out.push_back(*n);
    }
  };
  if (v.is_word("all")) {
    policy.databases.all = true;
    return;
  }
  if (v.is(Expr::Kind::kPhrase) && v.operands.size() == 3 && v.operands[0].is_word("all") &&
      v.operands[1].is_word("except")) {
    policy.databases.all = true;
    read_list(v.operands[2], policy.databases.exclude);
    return;
  }
  if (v.is(Expr::Kind::kList)) {
    if (v.operands.empty()) {
      sink_.report(Code::kEmptyDatabaseList, v.range);
      return;
    }
    read_list(v, policy.databases.include);
    return;
  }
  if (v.is(Expr::Kind::kString)) {
    sink_.report(Code::kWrongType, v.range, "databases", "a list of names", "a string")
        .suggest("[\"" + v.text + "\"]");
    return;
  }
  if (v.is(Expr::Kind::kError)) return;
  sink_.report(Code::kWrongType, v.range, "databases", "a list such as [\"sales\"], 'all' or 'all except [...]'",
               ast::describe(v));
}

// ---- repository, precheck, defaults ----

void Builder::read_repository(const ast::Block& b) {
  RepositoryDraft r;
  r.block = &b;
  r.name = read_name<RepositoryName>(b, "repository", r.name_range);
  BlockKeys keys(b, "repository" + (b.name ? " " + in_quotes(b.name->text) : std::string()),
                 {"location", "endpoint", "region", "credentials"}, sink_);
  if (const ast::Entry* e = keys.get("location")) {
    if (auto s = read_string(*e, sink_)) {
      if (s->find("://") == std::string::npos || s->find("://") == 0) {
        sink_.report(Code::kWrongType, e->value.range, "location", "a URI such as \"s3a://bucket/prefix\"",
                     in_quotes(*s));
      } else {
        r.location = *s;
      }
    }
  } else {
    missing_key(b, keys, "location");
  }
  if (const ast::Entry* e = keys.get("endpoint")) {
    if (auto s = read_string(*e, sink_)) {
      r.endpoint = *s;
      r.endpoint_range = e->value.range;
      if (s->rfind("http://", 0) == 0) {
        sink_.report(Code::kInsecureEndpoint, e->value.range, *s)
            .suggest("\"https://" + s->substr(7) + "\"")
            .note(std::nullopt, "backups travel over this connection; starkeep accepts only https:// endpoints");
      } else if (s->rfind("https://", 0) != 0) {
        sink_.report(Code::kInsecureEndpoint, e->value.range, *s)
            .note(std::nullopt, "write the endpoint as a full URL starting with https://");
      }
    }
  }
  if (const ast::Entry* e = keys.get("region")) {
    if (auto s = read_string(*e, sink_)) r.region = *s;
  }
  if (const ast::Entry* e = keys.get("credentials")) {
    const Expr& v = e->value;
    if (v.is(Expr::Kind::kCall) && v.path.front().text == "assume_role") {
      if (v.operands.size() == 1 && v.operands[0].is(Expr::Kind::kString) && !v.argument_names[0]) {
        r.credentials = model::CredentialsKind::kAssumeRole;
        r.role_arn = v.operands[0].text;
      } else {
        sink_.report(Code::kWrongType, v.range, "assume_role", "one string argument (the role ARN)",
                     fmt::format("{} argument(s)", v.operands.size()));
      }
    } else if (auto w = read_word(v.is(Expr::Kind::kCall) ? Expr{Expr::Kind::kPath, v.path.front().range, "",
                                                                 {v.path.front()}, {}, {}, {}, false}
                                                          : v,
                                  "credentials", "credentials kind", {"env", "instance_profile", "assume_role"},
                                  sink_)) {
      if (*w == "env") r.credentials = model::CredentialsKind::kEnvironment;
      else if (*w == "instance_profile") r.credentials = model::CredentialsKind::kInstanceProfile;
      else
        sink_.report(Code::kWrongType, v.range, "assume_role", "the role ARN: assume_role(\"arn:aws:iam::…\")",
                     "no argument");
    }
  }
  r.complete = r.name && r.location;
  repositories_.push_back(std::move(r));
}

void Builder::read_precheck(const ast::Block& b, model::Precheck& precheck) {
  if (precheck_block_ != nullptr) {
    sink_.report(Code::kDuplicateName, b.kind.range, "block", "precheck")
        .note(precheck_block_->kind.range, "first precheck block here");
    return;
  }
  precheck_block_ = &b;
  precheck.range = b.range;
  if (b.name) sink_.report(Code::kWrongType, b.name->range, "precheck", "no name", "a name");
  BlockKeys keys(b, "precheck", {"snapshot_disk_free", "canary_backup"}, sink_, {"snapshot_disk_free"});
  if (const ast::Entry* e = keys.get("snapshot_disk_free")) {
    if (auto p = read_percent(e->value, e->key.text, sink_)) {
      precheck.snapshot_disk_free_min = *p;
      if (p->hundredths() < 500) sink_.report(Code::kWeakThreshold, e->value.range, p->to_string());
    }
  }
  if (const ast::Entry* e = keys.get("canary_backup")) {
    if (auto v = read_bool(*e, sink_)) precheck.canary_backup = *v;
  }
}

void Builder::read_defaults(const ast::Block& b) {
  if (defaults_block_ != nullptr) {
    sink_.report(Code::kDuplicateName, b.kind.range, "block", "defaults")
        .note(defaults_block_->kind.range, "first defaults block here");
    return;
  }
  defaults_block_ = &b;
  BlockKeys keys(b, "defaults", {"window", "retain", "label", "repository"}, sink_);
  if (const ast::Entry* e = keys.get("window")) {
    defaults_.window = read_duration(e->value, "window", "h", sink_);
    defaults_.window_range = e->value.range;
  }
  if (const ast::Entry* e = keys.get("retain")) {
    defaults_.retain = read_duration(e->value, "retain", "d", sink_);
    defaults_.retain_range = e->value.range;
  }
  if (const ast::Entry* e = keys.get("label")) {
    if (auto s = read_string(*e, sink_)) {
      auto l = LabelTemplate::parse(*s);
      if (l) defaults_.label = *l;
      else sink_.report(Code::kInvalidLabelTemplate, e->value.range, l.error().message);
    }
  }
  if (const ast::Entry* e = keys.get("repository")) {
    if (auto s = read_string(*e, sink_)) defaults_.repository = Located{*s, e->value.range};
  }
}

// ---- tiers ----

void Builder::read_backup_kind(const ast::Entry& e, TierDraft& t) {
  const Expr& v = e.value;
  t.kind_range = v.range;
  static const std::vector<std::string> kKinds = {"changed_partitions", "tables", "database"};
  if (v.is(Expr::Kind::kCall)) {
    const ast::Ident& callee = v.path.front();
    if (callee.text != "changed_partitions") {
      diag::Diagnostic& d = sink_.report(Code::kUnknownWord, callee.range, "backup kind", callee.text,
                                         join_words(kKinds));
      if (auto m = diag::closest_match(callee.text, kKinds)) d.suggest(*m);
      t.complete = false;
      return;
    }
    t.kind = model::BackupKind::kChangedPartitions;
    for (size_t i = 0; i < v.operands.size(); ++i) {
      const std::optional<ast::Ident>& name = v.argument_names[i];
      if (!name || name->text != "updated_within") {
        diag::Diagnostic& d =
            sink_.report(Code::kUnknownKey, name ? name->range : v.operands[i].range,
                         name ? name->text : "(unnamed argument)", "changed_partitions(…)");
        d.note(std::nullopt, "the only argument is updated_within = <duration>, e.g. changed_partitions(updated_within = 3d)");
        if (name) {
          if (auto m = diag::closest_match(name->text, {"updated_within"})) d.suggest(*m);
        }
        t.complete = false;
        continue;
      }
      auto within = read_duration(v.operands[i], "updated_within", "d", sink_);
      if (!within) {
        t.complete = false;
        continue;
      }
      t.changes.mode = model::ChangeDetection::Mode::kUpdatedWithin;
      t.changes.within = *within;
    }
    return;
  }
  // Words people use for the kinds.
  static const std::vector<std::pair<std::string, std::string>> kSynonyms = {
      {"incremental", "changed_partitions"}, {"inc", "changed_partitions"}, {"partitions", "changed_partitions"},
      {"full", "tables"},  {"table", "tables"}, {"baseline", "database"}, {"databases", "database"}};
  if (v.is_word()) {
    for (const auto& [word, kind] : kSynonyms) {
      if (v.path.front().text == word) {
        sink_.report(Code::kUnknownWord, v.range, "backup kind", word, join_words(kKinds)).suggest(kind);
        t.complete = false;
        return;
      }
    }
  }
  auto w = read_word(v, "backup", "backup kind", kKinds, sink_);
  if (!w) {
    t.complete = false;
    return;
  }
  t.kind = *w == "changed_partitions" ? model::BackupKind::kChangedPartitions
           : *w == "tables"           ? model::BackupKind::kTables
                                      : model::BackupKind::kDatabase;
}

void Builder::read_tier(const ast::Block& b) {
  TierDraft t;
  t.block = &b;
  t.name = read_name<TierName>(b, "tier", t.name_range);
  t.window_range = t.name_range;
  BlockKeys keys(b, "tier" + (b.name ? " " + in_quotes(b.name->text) : std::string()),
                 {"backup", "include", "schedule", "retain", "window", "label", "precedence", "covers",
                  "repository", "suffix"},
                 sink_);
  if (const ast::Entry* e = keys.get("backup")) {
    read_backup_kind(*e, t);
  } else {
    missing_key(b, keys, "backup")
        .note(std::nullopt, "write backup = changed_partitions, tables or database");
    t.complete = false;
  }
  if (const ast::Entry* e = keys.get("include")) {
    t.include_written = true;
    t.include_range = e->value.range;
    if (t.kind == model::BackupKind::kDatabase) {
      sink_.report(Code::kKeyNotApplicable, e->key.range, "include", "database backups (they contain every table)")
          .note(t.kind_range, "the tier backs up whole databases here");
      t.complete = false;
    } else {
      t.include = read_include(e->value, sink_);
      if (!t.include) t.complete = false;
    }
  } else {
    t.include_range = t.name_range;
  }
  if (const ast::Entry* e = keys.get("schedule")) {
    t.schedule_range = e->value.range;
    t.schedule = read_schedule(e->value, sink_);
    if (!t.schedule) t.complete = false;
  } else {
    missing_key(b, keys, "schedule")
        .note(std::nullopt, "e.g. schedule = mon..sat at 01:00");
    t.complete = false;
  }
  if (const ast::Entry* e = keys.get("retain")) {
    t.retain_range = e->value.range;
    t.retain = read_duration(e->value, "retain", "d", sink_);
    if (!t.retain) t.complete = false;
  } else if (defaults_.retain) {
    t.retain = defaults_.retain;
    t.retain_range = defaults_.retain_range;
  } else {
    missing_key(b, keys, "retain").note(std::nullopt, "e.g. retain = 14d");
    t.complete = false;
  }
  if (const ast::Entry* e = keys.get("window")) {
    t.window_range = e->value.range;
    t.window = read_duration(e->value, "window", "h", sink_);
    if (!t.window) t.complete = false;
  } else if (defaults_.window) {
    t.window = defaults_.window;
    t.window_range = defaults_.window_range;
  }
  if (const ast::Entry* e = keys.get("label")) {
    if (auto s = read_string(*e, sink_)) {
      auto l = LabelTemplate::parse(*s);
      if (l) {
        t.label = *l;
      } else {
        sink_.report(Code::kInvalidLabelTemplate, e->value.range, l.error().message);
        t.complete = false;
      }
    }
  } else if (defaults_.label) {
    t.label = defaults_.label;
  }
  if (const ast::Entry* e = keys.get("precedence")) {
    t.precedence_range = e->value.range;
    if (auto p = read_integer(e->value, "precedence", -1000, 1000, sink_)) t.precedence = static_cast<int>(*p);
  }
  if (const ast::Entry* e = keys.get("covers")) {
    t.covers_range = e->value.range;
    if (auto c = read_strings(e->value, "covers", true, sink_)) t.covers = *c;
  }
  if (const ast::Entry* e = keys.get("repository")) {
    if (auto s = read_string(*e, sink_)) t.repository = Located{*s, e->value.range};
  } else if (defaults_.repository) {
    t.repository = defaults_.repository;
  }
  if (const ast::Entry* e = keys.get("suffix")) {
    if (auto s = read_string(*e, sink_)) {
      const bool ok = !s->empty() && std::all_of(s->begin(), s->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      });
      if (ok) {
        t.suffix = *s;
      } else {
        sink_.report(Code::kInvalidName, e->value.range, "suffix", *s, "use letters, digits and '_' only");
      }
    }
  }
  if (!t.name) t.complete = false;
  tiers_.push_back(std::move(t));
}

// ---- drills ----

void Builder::read_drill(const ast::Block& b) {
  DrillDraft d;
  d.block = &b;
  d.name = read_name<DrillName>(b, "drill", d.name_range);
  BlockKeys keys(b, "drill" + (b.name ? " " + in_quotes(b.name->text) : std::string()),
                 {"every", "schedule", "from", "restore", "verify"}, sink_);
  const ast::Entry* every = keys.get("every");
  const ast::Entry* schedule = keys.get("schedule");
  if (every != nullptr && schedule != nullptr) {
    sink_.report(Code::kConflictingKeys, schedule->key.range, "every", "schedule", keys.what())
        .note(every->key.range, "'every' is set here");
    d.complete = false;
  } else if (every != nullptr) {
    d.schedule_range = every->value.range;
    d.schedule = read_every(every->value, sink_);
  } else if (schedule != nullptr) {
    d.schedule_range = schedule->value.range;
    d.schedule = read_schedule(schedule->value, sink_);
  } else {
    missing_key(b, keys, "every")
        .note(std::nullopt, "e.g. every = month, every = quarter at 04:00, or schedule = first mon of month at 09:00");
  }
  if (!d.schedule) d.complete = false;
  if (const ast::Entry* e = keys.get("from")) {
    if (auto s = read_string(*e, sink_)) d.from = Located{*s, e->value.range};
  } else {
    missing_key(b, keys, "from")
        .note(std::nullopt, "name the tier whose snapshots the drill restores: from = \"daily\"");
  }
  if (!d.from) d.complete = false;
  if (const ast::Entry* e = keys.get("restore")) {
    const Expr& v = e->value;
    d.scope_range = v.range;
    static const std::vector<std::string> kScopes = {"partition", "table", "database"};
    // `one partition`, `one table`, `database` (also `partition`, `table`, `whole database`).
    const Expr* word = &v;
    if (v.is(Expr::Kind::kPhrase) && v.operands.size() == 2 &&
        (v.operands[0].is_word("one") || v.operands[0].is_word("whole"))) {
      word = &v.operands[1];
    }
    if (auto w = read_word(*word, "restore", "restore scope", kScopes, sink_)) {
      d.scope = *w == "partition" ? model::DrillScope::kPartition
                : *w == "table"   ? model::DrillScope::kTable
                                  : model::DrillScope::kDatabase;
    }
  } else {
    missing_key(b, keys, "restore")
        .note(std::nullopt, "write restore = one partition, one table or database");
  }
  if (!d.scope) d.complete = false;
  if (const ast::Entry* e = keys.get("verify")) {
    if (auto w = read_word(e->value, "verify", "verification", {"checksum", "row_count"}, sink_)) {
      d.verify = *w == "checksum" ? model::Verification::kChecksum : model::Verification::kRowCount;
    } else {
      d.complete = false;
    }
  }
  if (!d.name) d.complete = false;
  drills_.push_back(std::move(d));
}

// ---- alerts and notifiers ----

std::optional<model::AlertCondition> Builder::read_condition(const Expr& e) {
  using K = model::AlertCondition::Kind;
  static const std::vector<std::string> kStates = {"PENDING",  "SNAPSHOTING", "UPLOAD_SNAPSHOT", "UPLOADING",
                                                   "SAVE_META", "UPLOAD_INFO", "FINISHED", "CANCELLED", "FAILED"};
  static const std::vector<std::string> kSubjects = {"job.state", "job.elapsed", "repository.unreachable",
                                                     "snapshot_disk_free", "precheck.failed"};
  model::AlertCondition c;
  const auto unknown_subject = [&](const Expr& subject) {
    if (subject.is(Expr::Kind::kError)) return;
    const std::string text = subject.is(Expr::Kind::kPath) ? subject.dotted() : ast::describe(subject);
    diag::Diagnostic& d = sink_.report(Code::kUnknownWord, subject.range, "alert condition", text,
                                       "job.state in [...], job.elapsed > tier.window, repository.unreachable, "
                                       "snapshot_disk_free < N%, precheck.failed");
    if (subject.is(Expr::Kind::kPath)) {
      if (auto m = diag::closest_match(text, kSubjects)) d.suggest(*m);
    }
  };
  const auto state = [&](const Expr& s) -> bool {
    if (!s.is_word()) {
      sink_.report(Code::kWrongType, s.range, "job.state", "a job state such as FAILED", ast::describe(s));
      return false;
    }
    const std::string& w = s.path.front().text;
    if (std::find(kStates.begin(), kStates.end(), w) == kStates.end()) {
      diag::Diagnostic& d = sink_.report(Code::kUnknownJobState, s.range, w, join_words(kStates));
      if (auto m = diag::closest_match(w, kStates)) d.suggest(*m);
      return false;
    }
    c.states.insert(w);
    return true;
  };
  if (e.is(Expr::Kind::kPath)) {
    const std::string text = e.dotted();
    if (text == "repository.unreachable") {
      c.kind = K::kRepositoryUnreachable;
      return c;
    }
    if (text == "precheck.failed") {
      c.kind = K::kPrecheckFailed;
      return c;
    }
    unknown_subject(e);
    return std::nullopt;
  }
  if (e.is(Expr::Kind::kIn) || (e.is(Expr::Kind::kCompare) && e.text == "==")) {
    const Expr& lhs = e.operands[0];
    if (!lhs.is(Expr::Kind::kPath) || lhs.dotted() != "job.state") {
      unknown_subject(lhs);
      return std::nullopt;
    }
    c.kind = K::kJobState;
    const Expr& rhs = e.operands[1];
    bool ok = true;
    if (e.is(Expr::Kind::kIn)) {
      if (!rhs.is(Expr::Kind::kList) || rhs.operands.empty()) {
        sink_.report(Code::kWrongType, rhs.range, "job.state in", "a list of job states such as [CANCELLED, FAILED]",
                     ast::describe(rhs));
        return std::nullopt;
      }
      for (const Expr& s : rhs.operands) ok = state(s) && ok;
    } else {
      ok = state(rhs);
    }
    if (!ok) return std::nullopt;
    return c;
  }
  if (e.is(Expr::Kind::kCompare)) {
    const Expr& lhs = e.operands[0];
    const Expr& rhs = e.operands[1];
    const std::string subject = lhs.is(Expr::Kind::kPath) ? lhs.dotted() : "";
    if (subject == "job.elapsed") {
      if (e.text != ">") {
        sink_.report(Code::kWrongOperator, e.op_range, ">", "job.elapsed", e.text);
        return std::nullopt;
      }
      c.kind = K::kOverrun;
      if (rhs.is(Expr::Kind::kPath) && rhs.dotted() == "tier.window") return c;
      auto d = read_duration(rhs, "job.elapsed", "h", sink_);
      if (!d) return std::nullopt;
      c.elapsed_limit = *d;
      return c;
    }
    if (subject == "snapshot_disk_free") {
      if (e.text != "<") {
        sink_.report(Code::kWrongOperator, e.op_range, "<", "snapshot_disk_free", e.text);
        return std::nullopt;
      }
      c.kind = K::kDiskFreeBelow;
      auto p = read_percent(rhs, "snapshot_disk_free", sink_);
      if (!p) return std::nullopt;
      c.threshold = *p;
      return c;
    }
    unknown_subject(lhs);
    return std::nullopt;
  }
  if (!e.is(Expr::Kind::kError)) {
    sink_.report(Code::kWrongType, e.range, "when", "one condition such as job.state in [CANCELLED, FAILED]",
                 ast::describe(e));
  }
  return std::nullopt;
}

void Builder::read_alert(const ast::Block& b) {
  AlertDraft a;
  a.block = &b;
  a.name = read_name<AlertName>(b, "alert", a.name_range);
  BlockKeys keys(b, "alert" + (b.name ? " " + in_quotes(b.name->text) : std::string()), {"when", "notify", "severity"},
                 sink_);
  if (const ast::Entry* e = keys.get("when")) {
    a.when_range = e->value.range;
    a.when = read_condition(e->value);
  } else {
    missing_key(b, keys, "when")
        .note(std::nullopt, "e.g. when = job.state in [CANCELLED, FAILED]");
  }
  if (!a.when) a.complete = false;
  if (const ast::Entry* e = keys.get("notify")) {
    if (auto n = read_strings(e->value, "notify", true, sink_)) {
      a.notify = *n;
      if (a.notify.empty()) {
        sink_.report(Code::kWrongType, e->value.range, "notify", "at least one notifier name", "an empty list");
        a.complete = false;
      }
    } else {
      a.complete = false;
    }
  } else {
    missing_key(b, keys, "notify")
        .note(std::nullopt, "name the notifier(s) to call: notify = \"oncall\"");
    a.complete = false;
  }
  if (const ast::Entry* e = keys.get("severity")) {
    if (auto w = read_word(e->value, "severity", "severity", {"critical", "warning", "info"}, sink_)) {
      a.severity = *w == "critical" ? model::Severity::kCritical
                   : *w == "warning" ? model::Severity::kWarning
                                     : model::Severity::kInfo;
    }
  }
  if (!a.name) a.complete = false;
  alerts_.push_back(std::move(a));
}

void Builder::read_notifier(const ast::Block& b) {
  NotifierDraft n;
  n.block = &b;
  n.name = read_name<NotifierName>(b, "notifier", n.name_range);
  BlockKeys keys(b, "notifier" + (b.name ? " " + in_quotes(b.name->text) : std::string()),
                 {"webhook", "format", "command", "log"}, sink_);
  const ast::Entry* webhook = keys.get("webhook");
  const ast::Entry* command = keys.get("command");
  const ast::Entry* log = keys.get("log");
  const ast::Entry* format = keys.get("format");
  std::vector<const ast::Entry*> targets;
  for (const ast::Entry* e : {webhook, command, log}) {
    if (e != nullptr) targets.push_back(e);
  }
  if (targets.empty()) {
    missing_key(b, keys, "webhook")
        .note(std::nullopt, "a notifier needs one of: webhook = \"https://…\", command = \"…\", log = true");
    n.complete = false;
  } else if (targets.size() > 1) {
    sink_.report(Code::kConflictingKeys, targets[1]->key.range, targets[0]->key.text, targets[1]->key.text,
                 keys.what())
        .note(targets[0]->key.range, fmt::format("'{}' is set here", targets[0]->key.text));
    n.complete = false;
  } else if (webhook != nullptr) {
    if (auto url = read_string(*webhook, sink_)) {
      if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
        sink_.report(Code::kWrongType, webhook->value.range, "webhook", "an http(s):// URL", in_quotes(*url));
        n.complete = false;
      }
      n.target = *url;
      n.kind = model::NotifierKind::kWebhook;
      if (format != nullptr) {
        if (auto f = read_word(format->value, "format", "webhook format", {"alertmanager", "json"}, sink_)) {
          if (*f == "alertmanager") n.kind = model::NotifierKind::kAlertmanager;
        } else {
          n.complete = false;
        }
      }
    } else {
      n.complete = false;
    }
  } else if (command != nullptr) {
    if (auto c = read_string(*command, sink_)) {
      n.kind = model::NotifierKind::kCommand;
      n.target = *c;
    } else {
      n.complete = false;
    }
  } else if (auto v = read_bool(*log, sink_)) {
    if (*v) {
      n.kind = model::NotifierKind::kLog;
    } else {
      sink_.report(Code::kWrongType, log->value.range, "log", "true (remove the notifier to disable it)", "false");
      n.complete = false;
    }
  } else {
    n.complete = false;
  }
  if (format != nullptr && webhook == nullptr) {
    sink_.report(Code::kKeyNotApplicable, format->key.range, "format", "command or log notifiers (only webhooks)");
    n.complete = false;
  }
  if (!n.name) n.complete = false;
  notifiers_.push_back(std::move(n));
}

// ---- cross references and checks ----

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

void Builder::resolve_references() {
  const std::vector<std::string> tiers = tier_names();
  std::vector<std::string> repositories, notifiers;
  for (const RepositoryDraft& r : repositories_) {
    if (r.name) repositories.push_back(r.name->str());
  }
  for (const NotifierDraft& n : notifiers_) {
    if (n.name) notifiers.push_back(n.name->str());
  }
  const auto unknown = [&](Code code, const Located& ref, const std::vector<std::string>& known,
                           std::string_view kind) {
    diag::Diagnostic& d = sink_.report(code, ref.range, ref.text);
    if (auto m = diag::closest_match(ref.text, known)) {
      d.suggest("\"" + *m + "\"");
    } else if (known.empty()) {
      d.note(std::nullopt, fmt::format("the policy declares no {}", kind));
    } else {
      d.note(std::nullopt, fmt::format("declared: {}", join_words(known)));
    }
  };
  for (DrillDraft& d : drills_) {
    if (d.from && std::find(tiers.begin(), tiers.end(), d.from->text) == tiers.end()) {
      unknown(Code::kUnknownTier, *d.from, tiers, "tier");
      d.complete = false;
    }
  }
  for (TierDraft& t : tiers_) {
    for (const Located& c : t.covers) {
      if (std::find(tiers.begin(), tiers.end(), c.text) == tiers.end()) {
        unknown(Code::kUnknownTier, c, tiers, "tier");
        t.complete = false;
      }
    }
    if (t.repository) {
      if (std::find(repositories.begin(), repositories.end(), t.repository->text) == repositories.end()) {
        unknown(Code::kUnknownRepository, *t.repository, repositories, "repository");
        t.complete = false;
      }
    }
  }
  for (AlertDraft& a : alerts_) {
    for (const Located& n : a.notify) {
      if (std::find(notifiers.begin(), notifiers.end(), n.text) == notifiers.end()) {
        unknown(Code::kUnknownNotifier, n, notifiers, "notifier");
        a.complete = false;
      }
    }
  }
  for (const NotifierDraft& n : notifiers_) {
    if (!n.name) continue;
    const bool used = std::any_of(alerts_.begin(), alerts_.end(), [&](const AlertDraft& a) {
      return std::any_of(a.notify.begin(), a.notify.end(), [&](const Located& l) { return l.text == n.name->str(); });
    });
    const bool all_resolved = std::all_of(alerts_.begin(), alerts_.end(), [](const AlertDraft& a) { return a.complete; });
    if (!used && all_resolved && n.complete) sink_.report(Code::kUnusedNotifier, n.name_range, n.name->str());
  }
  // Repositories: every tier needs one.
  if (!tiers_.empty() && repositories_.empty()) {
    sink_.report(Code::kNoRepository, tiers_.front().block->header_range)
        .note(std::nullopt, "declare where snapshots go: repository \"s3_prod\" { location = \"s3a://bucket/prefix\" … }");
  } else if (repositories_.size() > 1) {
    for (TierDraft& t : tiers_) {
      if (!t.repository) {
        sink_.report(Code::kAmbiguousRepository, t.block->header_range, t.name ? t.name->str() : "?",
                     fmt::format("{} repositories", repositories_.size()))
            .note(std::nullopt, "add repository = \"<name>\" to the tier or to a defaults block");
        t.complete = false;
      }
    }
  }
  // Drill scopes against the kind of the tier they restore from.
  for (const DrillDraft& d : drills_) {
    if (!d.from || !d.scope) continue;
    const TierDraft* t = find_tier(d.from->text);
    if (t == nullptr || !t->kind) continue;
    bool fits = true;
    std::string needs;
    switch (*d.scope) {
      case model::DrillScope::kPartition:
        fits = *t->kind == model::BackupKind::kChangedPartitions;
        needs = "a changed_partitions tier";
        break;
      case model::DrillScope::kTable:
        fits = *t->kind != model::BackupKind::kChangedPartitions;
        needs = "a tables or database tier (an incremental snapshot holds only changed partitions)";
        break;
      case model::DrillScope::kDatabase:
        fits = *t->kind == model::BackupKind::kDatabase;
        needs = "a database tier";
        break;
    }
    if (!fits) {
      sink_.report(Code::kDrillScopeMismatch, d.scope_range, d.name ? d.name->str() : "?",
                   std::string("one ") + std::string(model::to_string(*d.scope)), d.from->text,
                   model::to_string(*t->kind))
          .note(t->kind_range, fmt::format("tier '{}' is declared as {} here", d.from->text,
                                           model::to_string(*t->kind)))
          .note(std::nullopt, "this drill needs " + needs);
    }
  }
}

void Builder::check_tiers(const model::Policy& policy) {
  for (const TierDraft& t : tiers_) {
    const std::string name = t.name ? t.name->str() : "?";
    if (t.schedule) {
      if (t.schedule->never_fires()) {
        sink_.report(Code::kScheduleNeverFires, t.schedule_range, t.schedule->to_string())
            .note(std::nullopt, "no day of the calendar matches (e.g. day 30 in February)");
      } else {
        const Duration min_gap = t.schedule->min_interval();
        const Duration max_gap = t.schedule->max_interval();
        const Duration window = t.window.value_or(Duration::from_hours(4));
        if (window > min_gap) {
          sink_.report(Code::kWindowExceedsInterval, t.window_range, window.to_string(), name, min_gap.to_string())
              .note(t.schedule_range, fmt::format("'{}' can run again {} later", t.schedule->to_string(),
                                                  min_gap.to_string()))
              .note(std::nullopt, "a run would still be allowed to work when the next one is due");
        }
        if (t.retain && *t.retain < max_gap) {
          sink_.report(Code::kRetentionShorterThanInterval, t.retain_range, name, t.retain->to_string(),
                       max_gap.to_string())
              .note(t.schedule_range, fmt::format("the longest gap between runs of '{}' is {}",
                                                  t.schedule->to_string(), max_gap.to_string()))
              .suggest(max_gap.to_string());
        }
      }
    }
    if (t.kind == model::BackupKind::kChangedPartitions && t.include && !t.include->requires_partitioned()) {
      diag::Diagnostic& d = sink_.report(Code::kIncrementalNeedsPartitioned, t.include_range, name);
      if (t.include_written) {
        d.note(std::nullopt, "only partitioned tables have partitions to back up incrementally; add "
                             "'and partitioned' to the condition");
        const Predicate& p = *t.include;
        if (p.kind() != Predicate::Kind::kTrue && p.range().end > p.range().begin) {
          d.suggest(p.kind() == Predicate::Kind::kOr ? "tables where (" + p.to_string() + ") and partitioned"
                                                     : "tables where " + p.to_string() + " and partitioned");
        }
      } else {
        d.note(std::nullopt, "the tier has no include rule, so it selects every table; add include = tables where "
                             "partitioned");
      }
    }
    if (t.include && !satisfiable(*t.include)) {
      sink_.report(Code::kTierSelectsNothing, t.include_range, name)
          .note(std::nullopt, "the condition contradicts itself for every table");
    } else if (t.include && !policy.databases.all && !policy.databases.include.empty()) {
      std::vector<std::string> listed;
      for (const DatabaseName& d : policy.databases.include) listed.push_back(d.str());
      if (!satisfiable(*t.include, &listed)) {
        sink_.report(Code::kTierSelectsNothing, t.include_range, name)
            .note(policy.databases.range, "it only selects databases that the policy does not back up");
      }
    }
  }
}

void Builder::check_covers_cycles() {
  for (size_t i = 0; i < tiers_.size(); ++i) {
    const TierDraft& t = tiers_[i];
    if (!t.name) continue;
    // Depth-first walk over covers, looking for a path back to t.
    std::vector<std::string> path{t.name->str()};
    std::vector<std::string> visited;
    std::function<bool(const TierDraft&)> walk = [&](const TierDraft& from) -> bool {
      for (const Located& c : from.covers) {
        if (c.text == t.name->str()) return true;
        if (std::find(visited.begin(), visited.end(), c.text) != visited.end()) continue;
        visited.push_back(c.text);
        const TierDraft* next = find_tier(c.text);
        if (next == nullptr) continue;
        path.push_back(c.text);
        if (walk(*next)) return true;
        path.pop_back();
      }
      return false;
    };
    // Report each cycle once, at its first tier in declaration order.
    const auto index_of = [&](const std::string& n) {
      for (size_t k = 0; k < tiers_.size(); ++k) {
        if (tiers_[k].name && tiers_[k].name->str() == n) return k;
      }
      return tiers_.size();
    };
    if (walk(t) && std::all_of(path.begin(), path.end(), [&](const std::string& n) { return index_of(n) >= i; })) {
      std::string chain;
      for (const std::string& p : path) chain += "'" + p + "' covers ";
      chain += "'" + t.name->str() + "'";
      sink_.report(Code::kCoversCycle, t.covers_range, t.name->str(), chain);
    }
    for (const Located& c : t.covers) {
      const TierDraft* other = find_tier(c.text);
      if (other == nullptr || other == &t) continue;
      if (t.precedence < other->precedence) {
        sink_.report(Code::kCoversPrecedenceConflict, t.precedence_range.end > t.precedence_range.begin
                                                          ? t.precedence_range
                                                          : c.range,
                     t.name->str(), c.text, t.precedence, other->precedence)
            .note(other->precedence_range.end > other->precedence_range.begin ? std::optional(other->precedence_range)
                                                                              : std::nullopt,
                  fmt::format("'{}' has precedence {}", c.text, other->precedence));
      }
      const FiringCalendar* mine = calendar(t);
      const FiringCalendar* theirs = calendar(*other);
      if (mine != nullptr && theirs != nullptr && !mine->first_common_day(*theirs)) {
        sink_.report(Code::kCoversNotCoinciding, c.range, t.name->str(), c.text);
      }
    }
  }
}

void Builder::check_label_collision(const TierDraft& a, const TierDraft& b, CivilDay day) {
  const auto default_label = LabelTemplate::parse(LabelTemplate::kDefault);
  if (!default_label || !a.name || !b.name) return;
  const LabelTemplate& la = a.label ? *a.label : *default_label;
  const LabelTemplate& lb = b.label ? *b.label : *default_label;
  const auto db = DatabaseName::parse("db");
  if (!db) return;
  const auto ra = la.render(*db, *a.name, default_suffix(a), a.schedule->at().on(day));
  const auto rb = lb.render(*db, *b.name, default_suffix(b), b.schedule->at().on(day));
  if (!ra || !rb || !(*ra == *rb)) return;
  sink_.report(Code::kLabelCollision, b.schedule_range, a.name->str(), b.name->str(), ra->str())
      .note(a.schedule_range, fmt::format("'{}' is due on {} too", a.name->str(), describe_day(day)))
      .note(std::nullopt, "give one tier another suffix (suffix = \"...\") or use {tier} in the label template");
}

void Builder::check_coincidence() {
  for (size_t i = 0; i < tiers_.size(); ++i) {
    for (size_t j = i + 1; j < tiers_.size(); ++j) {
      const TierDraft& a = tiers_[i];
      const TierDraft& b = tiers_[j];
      if (!a.name || !b.name || !a.schedule || !b.schedule || *a.name == *b.name) continue;
      const auto covers = [](const TierDraft& x, const TierDraft& y) {
        return std::any_of(x.covers.begin(), x.covers.end(), [&](const Located& c) { return c.text == y.name->str(); });
      };
      if (covers(a, b) || covers(b, a)) continue;
      auto day = calendar(a)->first_common_day(*calendar(b));
      if (!day) continue;
      if (a.precedence != b.precedence) {
        // Both run that day: their labels must differ.
        check_label_collision(a, b, *day);
        continue;
      }
      sink_.report(Code::kTiersCoincide, b.schedule_range, a.name->str(), b.name->str())
          .note(a.schedule_range, fmt::format("'{}' is due on {} too ({})", a.name->str(), describe_day(*day),
                                              a.schedule->to_string()))
          .note(std::nullopt, fmt::format("say which snapshot serves both: add covers = [\"{}\"] to tier '{}' "
                                          "(or the reverse), or give them different precedences",
                                          a.name->str(), b.name->str()));
    }
  }
}

}  // namespace

std::optional<model::Policy> build_model(const ast::Policy& policy, diag::DiagnosticSink& sink,
                                         const Options& options) {
  Builder builder(sink, options);
  return builder.run(policy);
}

}  // namespace sk::sema
