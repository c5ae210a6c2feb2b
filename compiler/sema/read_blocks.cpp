// Reading the policy's blocks into drafts: keys, values, names (SK02xx diagnostics).
#include <numeric>

#include "compiler/sema/builder.h"

namespace sk::sema::detail {

namespace {

// The callee of a call (`instance_profile()`) read as the word it names.
ast::Expr callee_word(const ast::Expr& call) {
  ast::Expr word;
  word.kind = ast::Expr::Kind::kPath;
  word.range = call.path.front().range;
  word.path = call.path.first(1);
  return word;
}

// "http://localhost…", "http://127.x.y.z…" (a dotted IPv4 literal, not a name such as 127.evil.com): a receiver or
// store on this host, where TLS adds nothing.
bool is_loopback_http(std::string_view url) {
  std::string_view host = url.substr(7);
  host = host.substr(0, host.find_first_of(":/?#"));
  if (host == "localhost") return true;
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char ch : host) {
    if (ch == '.') {
      ++dots;
    } else if (ch < '0' || ch > '9') {
      return false;
    }
  }
  return dots == 3;
}

// `catch_up` (issue 10 item 11): `none`, `next_slot` (the default) or a duration from the slot ("2d").
std::optional<model::CatchUp> read_catch_up(const ast::Expr& value, DiagnosticSink& sink) {
  if (value.is_word()) {
    auto w = read_word(value, "catch_up", "catch-up horizon", {"none", "next_slot"}, sink);
    if (!w) return std::nullopt;
    return model::CatchUp{*w == "none" ? model::CatchUp::Kind::kNone : model::CatchUp::Kind::kUntilNextSlot, {}};
  }
  auto d = read_duration(value, "catch_up", "d", sink);
  if (!d) return std::nullopt;
  if (d->seconds() <= 0) {
    sink.report(Code::kNumberOutOfRange, value.range, "catch_up", value.text,
                "more than 0 (write catch_up = none for no catch-up)");
    return std::nullopt;
  }
  return model::CatchUp{model::CatchUp::Kind::kWithin, *d};
}

// `timeout`, `on_overrun` and `catch_up` of a tier or of the defaults block (issue 10 item 9): the job's server-side timeout,
// at least StarRocks' minimum of 10m (SK0219: the server would refuse the BACKUP), and what the runner does at the
// window's end. False when a value is invalid (reported).
template <typename Draft>
bool read_job_bounds(const BlockKeys& keys, DiagnosticSink& sink, Draft& d) {
  bool ok = true;
  if (const ast::Entry* e = keys.get("timeout")) {
    d.timeout_range = e->value.range;
    d.timeout = read_duration(e->value, "timeout", "h", sink);
    if (d.timeout && d.timeout->seconds() < model::kMinJobTimeoutSeconds) {
      sink.report(Code::kNumberOutOfRange, e->value.range, "timeout", e->value.text,
                  "at least 10m, StarRocks' minimum BACKUP timeout");
      d.timeout.reset();
    }
    ok = ok && d.timeout.has_value();
  }
  if (const ast::Entry* e = keys.get("on_overrun")) {
    d.on_overrun_range = e->value.range;
    if (auto w = read_word(e->value, "on_overrun", "overrun action", {"alert", "cancel"}, sink)) {
      d.on_overrun = *w == "cancel" ? model::OverrunAction::kCancel : model::OverrunAction::kAlert;
    } else {
      ok = false;
    }
  }
  if (const ast::Entry* e = keys.get("catch_up")) {
    d.catch_up_range = e->value.range;
    d.catch_up = read_catch_up(e->value, sink);
    ok = ok && d.catch_up.has_value();
  }
  return ok;
}

// Why `id` is not a VPC endpoint id ("vpce-" and 8 or 17 lower-case hex digits), or nullopt.
std::optional<std::string> vpc_endpoint_problem(std::string_view id) {
  if (!id.starts_with("vpce-")) return "it does not start with vpce-";
  const std::string_view hex = id.substr(5);
  if (hex.size() != 8 && hex.size() != 17) return fmt::format("{} characters after vpce-, not 8 or 17", hex.size());
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return fmt::format("'{}' is not a lower-case hex digit", c);
    }
  }
  return std::nullopt;
}

}  // namespace

// ---- policy keys ----

void Builder::read_policy_keys(const ast::Block& b, model::Policy& policy) {
  BlockKeys keys(b, b.name ? "policy '" + std::string(b.name->text) + "'" : "policy",
                 {"timezone", "databases", "blackout", "exclude"}, sink_, {}, kPolicyBlocks);
  if (const ast::Entry* e = keys.get("exclude")) {
    // `exclude = tables where …` has no place for the reason: the block form carries it.
    sink_.report(Code::kExclusionReason, e->key.range,
                 "write it as a block named by the reason: exclude \"why these tables are not backed up\" "
                 "{ tables = tables where … }");
  }
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
  if (const ast::Entry* e = keys.get("blackout")) {
    if (auto read = read_blackouts(e->value, sink_)) policy_blackouts_ = *read;
  }
  if (const ast::Entry* e = keys.get("databases")) {
    read_databases(*e, policy);
  } else {
    missing_key(b, keys, "databases")
        .note(std::nullopt, "write databases = [\"sales\", \"crm\"] or databases = all except [\"tmp\"]");
  }
}

// A name listed again is reported where it is repeated and dropped. Sorted, not hashed: a linear search per name
// made a list of 100k names take minutes, and a set of them would double the memory the list needs.
void Builder::drop_repeated_databases(std::vector<DatabaseName>& names, const std::vector<const Expr*>& written) {
  std::vector<uint32_t> order(written.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return names[a] < names[b]; });
  std::vector<bool> repeated(written.size());
  for (size_t k = 1; k < order.size(); ++k) repeated[order[k]] = names[order[k]] == names[order[k - 1]];
  size_t kept = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (repeated[i]) {
      sink_.report(Code::kDatabaseListedTwice, written[i]->range, written[i]->text);
    } else {
      if (kept != i) names[kept] = std::move(names[i]);  // never onto itself: that would empty the name
      ++kept;
    }
  }
  names.erase(names.begin() + static_cast<std::ptrdiff_t>(kept), names.end());
}

void Builder::read_databases(const ast::Entry& e, model::Policy& policy) {
  const Expr& v = e.value;
  policy.databases.range = v.range;
  const auto read_list = [&](const Expr& list, std::vector<DatabaseName>& out) {
    // The names are read from the tree, not copied first: a generated list can hold 25,000 of them.
    if (!is_string_list(list, "databases", false, sink_)) return;
    std::vector<DatabaseName> names;
    names.reserve(list.operands.size());
    std::vector<const Expr*> written;  // the element each name was read from
    written.reserve(list.operands.size());
    for (const Expr& element : list.operands) {
      auto n = DatabaseName::parse(element.text);
      if (!n) {
        sink_.report(Code::kInvalidName, element.range, "database", element.text, n.error().message);
        continue;
      }
      names.push_back(std::move(*n));
      written.push_back(&element);
    }
    drop_repeated_databases(names, written);
    out = std::move(names);
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
        .suggest("[\"" + std::string(v.text) + "\"]");
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
                 {"location", "endpoint", "region", "credentials", "private_endpoint", "vpc_endpoint",
                  "lifecycle_rules"},
                 sink_);
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
      if (s->rfind("http://", 0) == 0 && is_loopback_http(*s)) {
        // A store on this host (s3rver, a local MinIO): nothing travels over the network.
      } else if (s->rfind("http://", 0) == 0) {
        sink_.report(Code::kInsecureEndpoint, e->value.range, *s)
            .suggest("\"https://" + s->substr(7) + "\"")
            .note(std::nullopt,
                  "backups travel over this connection; starkeep accepts https:// endpoints, and plain http:// only "
                  "on this host (localhost, 127.x.y.z)");
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
    } else if (auto w = read_word(v.is(Expr::Kind::kCall) ? callee_word(v) : v,
                                  "credentials", "credentials kind", {"env", "instance_profile", "assume_role"},
                                  sink_)) {
      if (*w == "env") r.credentials = model::CredentialsKind::kEnvironment;
      else if (*w == "instance_profile") r.credentials = model::CredentialsKind::kInstanceProfile;
      else
        sink_.report(Code::kWrongType, v.range, "assume_role", "the role ARN: assume_role(\"arn:aws:iam::…\")",
                     "no argument");
    }
  }
  read_repository_posture(keys, r);
  r.complete = r.complete && r.name && r.location;
  repositories_.push_back(std::move(r));
}

// `private_endpoint`, `vpc_endpoint`, `lifecycle_rules` (issue 12 item 4).
void Builder::read_repository_posture(const BlockKeys& keys, RepositoryDraft& r) {
  if (const ast::Entry* e = keys.get("private_endpoint")) {
    r.private_endpoint_range = e->value.range;
    if (auto v = read_bool(*e, sink_)) r.private_endpoint = *v;
    if (r.private_endpoint && r.endpoint.empty() && !keys.attempted("endpoint") && r.name) {
      sink_.report(Code::kPrivateEndpointUndeclared, e->value.range, r.name->str())
          .note(std::nullopt, "declare the private endpoint, e.g. endpoint = "
                              "\"https://bucket.vpce-0a1b2c3d4e5f67890-abcdefgh.s3.eu-west-1.vpce.amazonaws.com\"");
      r.complete = false;
    }
  }
  if (const ast::Entry* e = keys.get("vpc_endpoint")) {
    r.vpc_endpoint_range = e->value.range;
    if (auto s = read_string(*e, sink_)) {
      if (auto why = vpc_endpoint_problem(*s)) {
        diag::Diagnostic& d = sink_.report(Code::kInvalidVpcEndpoint, e->value.range, *s, *why);
        if (s->starts_with("vpc-")) d.suggest("\"vpce-" + s->substr(4) + "\"");
        d.note(std::nullopt, "a VPC endpoint id is vpce- and 8 or 17 hex digits (aws ec2 describe-vpc-endpoints)");
        r.complete = false;
      } else {
        r.vpc_endpoint = *s;
      }
    }
  }
  if (const ast::Entry* e = keys.get("lifecycle_rules")) {
    r.lifecycle_rules_range = e->value.range;
    if (auto v = read_bool(*e, sink_)) r.lifecycle_rules = *v;
  }
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
  BlockKeys keys(b, "defaults", {"window", "timeout", "on_overrun", "catch_up", "retain", "label", "repository", "blackout"},
                 sink_);
  if (const ast::Entry* e = keys.get("blackout")) defaults_.blackouts = read_blackouts(e->value, sink_);
  if (const ast::Entry* e = keys.get("window")) {
    defaults_.window = read_duration(e->value, "window", "h", sink_);
    defaults_.window_range = e->value.range;
  }
  (void)read_job_bounds(keys, sink_, defaults_);
  if (const ast::Entry* e = keys.get("retain")) {
    defaults_.retain = read_retain(e->value, sink_);
    defaults_.retain_range = e->value.range;
  }
  if (const ast::Entry* e = keys.get("label")) {
    if (auto s = read_string(*e, sink_)) {
      auto l = LabelTemplate::parse(*s);
      if (l) {
        defaults_.label = *l;
        defaults_.label_range = e->value.range;
      } else {
        sink_.report(Code::kInvalidLabelTemplate, e->value.range, l.error().message);
      }
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

namespace {

void read_tier_include(const BlockKeys& keys, DiagnosticSink& sink, TierDraft& t) {
  const ast::Entry* e = keys.get("include");
  if (e == nullptr) {
    t.include_range = t.name_range;
    return;
  }
  t.include_written = true;
  t.include_range = e->value.range;
  if (t.kind == model::BackupKind::kDatabase) {
    sink.report(Code::kKeyNotApplicable, e->key.range, "include",
                "database backups (they contain every table)")
        .note(t.kind_range, "the tier backs up whole databases here");
    t.complete = false;
  } else {
    t.include = read_include(e->value, sink);
    if (!t.include) t.complete = false;
  }
}

void read_tier_label(const BlockKeys& keys, const Defaults& defaults, DiagnosticSink& sink, TierDraft& t) {
  if (const ast::Entry* e = keys.get("label")) {
    if (auto s = read_string(*e, sink)) {
      auto l = LabelTemplate::parse(*s);
      if (l) {
        t.label = *l;
        t.label_range = e->value.range;
      } else {
        sink.report(Code::kInvalidLabelTemplate, e->value.range, l.error().message);
        t.complete = false;
      }
    }
  } else if (defaults.label) {
    t.label = defaults.label;
    t.label_range = defaults.label_range;
  }
}

void read_tier_suffix(const BlockKeys& keys, DiagnosticSink& sink, TierDraft& t) {
  const ast::Entry* e = keys.get("suffix");
  if (e == nullptr) return;
  if (auto s = read_string(*e, sink)) {
    const bool ok = !s->empty() && std::all_of(s->begin(), s->end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (ok) {
      t.suffix = *s;
    } else {
      sink.report(Code::kInvalidName, e->value.range, "suffix", *s, "use letters, digits and '_' only");
    }
  }
}

// `keep = last 7` / `keep = at least 3` (a count of snapshots per database, 1..1000).
void read_tier_keep(const BlockKeys& keys, DiagnosticSink& sink, TierDraft& t) {
  const ast::Entry* e = keys.get("keep");
  if (e == nullptr) return;
  const Expr& v = e->value;
  t.keep_range = v.range;
  const auto& ops = v.operands;
  const bool phrase = v.is(Expr::Kind::kPhrase);
  const bool last = phrase && ops.size() == 2 && ops[0].is_word("last");
  const bool at_least = phrase && ops.size() == 3 && ops[0].is_word("at") && ops[1].is_word("least");
  if (!last && !at_least) {
    if (v.is(Expr::Kind::kError)) return;
    diag::Diagnostic& d = sink.report(Code::kInvalidKeep, v.range, ast::describe(v));
    if (v.is(Expr::Kind::kNumber)) d.suggest("last " + std::string(v.text));
    else if (phrase && ops.size() == 2 && ops[0].is_word() && ops[1].is(Expr::Kind::kNumber)) {
      if (auto m = diag::closest_match(ops[0].path.front().text, {"last", "least"}))
        d.suggest((*m == "last" ? "last " : "at least ") + std::string(ops[1].text));
    }
    t.complete = false;
    return;
  }
  auto n = read_integer(ops.back(), "keep", 1, 1000, sink);
  if (!n) {
    t.complete = false;
    return;
  }
  t.keep = model::KeepCount{*n, last};
}

// The keys with no "missing" diagnostic: window, timeout, on_overrun, catch_up, label, precedence, covers, repository, suffix.
void read_tier_optional_keys(const BlockKeys& keys, const Defaults& defaults, DiagnosticSink& sink,
                             TierDraft& t) {
  if (const ast::Entry* e = keys.get("window")) {
    t.window_range = e->value.range;
    t.window = read_duration(e->value, "window", "h", sink);
    if (!t.window) t.complete = false;
  } else if (defaults.window) {
    t.window = defaults.window;
    t.window_range = defaults.window_range;
  }
  if (!read_job_bounds(keys, sink, t)) t.complete = false;
  if (!keys.get("timeout") && defaults.timeout) {
    t.timeout = defaults.timeout;
    t.timeout_range = defaults.timeout_range;
  }
  if (!keys.get("on_overrun") && defaults.on_overrun) {
    t.on_overrun = defaults.on_overrun;
    t.on_overrun_range = defaults.on_overrun_range;
  }
  if (!keys.get("catch_up") && defaults.catch_up) {
    t.catch_up = defaults.catch_up;
    t.catch_up_range = defaults.catch_up_range;
  }
  read_tier_label(keys, defaults, sink, t);
  if (const ast::Entry* e = keys.get("precedence")) {
    t.precedence_range = e->value.range;
    if (auto p = read_integer(e->value, "precedence", -1000, 1000, sink)) t.precedence = static_cast<int>(*p);
  }
  if (const ast::Entry* e = keys.get("lifecycle")) {
    t.lifecycle_range = e->value.range;
    t.lifecycle = read_duration(e->value, "lifecycle", "d", sink);
    if (t.lifecycle && t.lifecycle->seconds() < 86'400) {
      sink.report(Code::kNumberOutOfRange, e->value.range, "lifecycle", e->value.text,
                  "at least 1d: S3 lifecycle rules count whole days");
      t.lifecycle.reset();
    }
    if (!t.lifecycle) t.complete = false;
  }
  if (const ast::Entry* e = keys.get("covers")) {
    t.covers_range = e->value.range;
    if (auto c = read_strings(e->value, "covers", true, sink)) t.covers = *c;
  }
  if (const ast::Entry* e = keys.get("repository")) {
    if (auto s = read_string(*e, sink)) t.repository = Located{*s, e->value.range};
  } else if (defaults.repository) {
    t.repository = defaults.repository;
  }
  read_tier_suffix(keys, sink, t);
}

}  // namespace

void Builder::read_tier(const ast::Block& b) {
  TierDraft t;
  t.block = &b;
  t.name = read_name<TierName>(b, "tier", t.name_range);
  t.window_range = t.name_range;
  BlockKeys keys(b, "tier" + (b.name ? " " + in_quotes(b.name->text) : std::string()),
                 {"backup", "include", "schedule", "retain", "keep", "window", "timeout", "on_overrun", "catch_up", "label",
                  "precedence", "covers", "repository", "suffix", "blackout", "lifecycle"},
                 sink_);
  if (const ast::Entry* e = keys.get("backup")) {
    read_backup_kind(*e, t);
  } else {
    missing_key(b, keys, "backup")
        .note(std::nullopt, "write backup = changed_partitions, tables or database");
    t.complete = false;
  }
  read_tier_include(keys, sink_, t);
  if (const ast::Entry* e = keys.get("schedule")) {
    t.schedule_range = e->value.range;
    t.schedule = read_schedule(e->value, sink_);
    if (!t.schedule) t.complete = false;
    apply_blackouts(keys, t);
  } else {
    missing_key(b, keys, "schedule")
        .note(std::nullopt, "e.g. schedule = mon..sat at 01:00");
    t.complete = false;
  }
  read_tier_keep(keys, sink_, t);
  if (const ast::Entry* e = keys.get("retain")) {
    t.retain_range = e->value.range;
    t.retain = read_retain(e->value, sink_);
    if (!t.retain) t.complete = false;
    if (t.keep && t.keep->alone) {
      sink_.report(Code::kKeepConflictsRetain, t.keep_range,
                   fmt::format("keep = last {} keeps snapshots by count alone, but the tier also has a retain",
                               t.keep->count))
          .note(e->value.range, "retain set here")
          .suggest(fmt::format("at least {}", t.keep->count));
      t.complete = false;
    }
  } else if (t.keep && t.keep->alone) {
    t.retain = RetainPeriod(Duration());  // by count alone; a defaults retain does not apply
    t.retain_range = t.keep_range;
  } else if (defaults_.retain) {
    t.retain = defaults_.retain;
    t.retain_range = defaults_.retain_range;
  } else if (t.keep) {
    sink_.report(Code::kKeepConflictsRetain, t.keep_range,
                 fmt::format("keep = at least {} keeps snapshots beside a retain, and the tier has none", t.keep->count))
        .note(std::nullopt, fmt::format("add e.g. retain = 14d, or write keep = last {} to keep by count alone",
                                        t.keep->count))
        .suggest(fmt::format("last {}", t.keep->count));
    t.complete = false;
  } else if (!keys.attempted("keep")) {
    missing_key(b, keys, "retain").note(std::nullopt, "e.g. retain = 14d, or keep = last 7");
    t.complete = false;
  } else {
    t.complete = false;  // an invalid keep was reported
  }
  read_tier_optional_keys(keys, defaults_, sink_, t);
  if (!t.name) t.complete = false;
  // Past the limit nothing but the count is needed (run() rejects the policy before any check across tiers), and a
  // draft is about a kilobyte: 20,000 tiers in 256 KiB would otherwise need 20 MB.
  if (tiers_.size() > kMaxTiers) {
    ++tiers_not_kept_;
    return;
  }
  tiers_.push_back(std::move(t));
}

// The policy's blackouts and the tier's own (else the defaults') join those written in the schedule.
void Builder::apply_blackouts(const BlockKeys& keys, TierDraft& t) {
  std::vector<Blackout> extra = policy_blackouts_;
  if (const ast::Entry* e = keys.get("blackout")) {
    auto own = read_blackouts(e->value, sink_);
    if (!own) {
      t.complete = false;
      return;
    }
    extra.insert(extra.end(), own->begin(), own->end());
  } else if (defaults_.blackouts) {
    extra.insert(extra.end(), defaults_.blackouts->begin(), defaults_.blackouts->end());
  }
  if (!t.schedule || extra.empty()) return;
  auto s = t.schedule->with_blackouts(extra);
  if (!s) {
    sink_.report(Code::kInvalidBlackout, t.schedule_range, s.error().message);
    t.schedule.reset();
    t.complete = false;
    return;
  }
  t.schedule = *s;
}

// ---- exclusions ----

void Builder::read_exclusion(const ast::Block& b, model::Policy& policy) {
  model::Exclusion x{"", Predicate::never(), b.range, b.kind.range, b.kind.range};
  bool complete = true;
  if (!b.name) {
    sink_.report(Code::kExclusionReason, b.kind.range,
                 "name the block by why the tables are not backed up: exclude \"scratch tables, rebuilt nightly\" "
                 "{ tables = tables where … }");
    complete = false;
  } else {
    x.reason = b.name->text;
    x.reason_range = b.name->range;
    const bool blank = std::all_of(x.reason.begin(), x.reason.end(), [](char c) { return c == ' ' || c == '\t'; });
    if (blank) {
      sink_.report(Code::kExclusionReason, b.name->range,
                   "the reason is empty; say why these tables are deliberately not backed up");
      complete = false;
    }
  }
  BlockKeys keys(b, "exclude" + (b.name ? " \"" + std::string(b.name->text) + "\"" : std::string()), {"tables"}, sink_);
  if (const ast::Entry* e = keys.get("tables")) {
    x.tables_range = e->value.range;
    auto p = read_include(e->value, sink_);
    if (p) x.tables = *p;
    else complete = false;
  } else {
    missing_key(b, keys, "tables").note(std::nullopt, "e.g. tables = tables where table matches \"tmp_*\"");
    complete = false;
  }
  if (complete) policy.exclusions.push_back(std::move(x));
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
  if (d.schedule && d.schedule->sub_daily()) {
    sink_.report(Code::kSubDailyNotHere, d.schedule_range, fmt::format("a drill ('{}')", b.name ? b.name->text : "?"),
                 d.schedule->to_string(), d.schedule->times().size())
        .note(std::nullopt, "a restore drill runs once on each day it is due; write e.g. 'daily at 10:00'");
    d.schedule.reset();
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

namespace {

using ConditionKind = model::AlertCondition::Kind;

void report_unknown_subject(const Expr& subject, DiagnosticSink& sink) {
  static const std::vector<std::string> kSubjects = {"job.state",          "job.elapsed",     "repository.unreachable",
                                                     "snapshot_disk_free", "precheck.failed", "repository.finding"};
  if (subject.is(Expr::Kind::kError)) return;
  const std::string text = subject.is(Expr::Kind::kPath) ? subject.dotted() : ast::describe(subject);
  diag::Diagnostic& d = sink.report(Code::kUnknownWord, subject.range, "alert condition", text,
                                    "job.state in [...], job.elapsed > tier.window, repository.unreachable, "
                                    "snapshot_disk_free < N%, precheck.failed, repository.finding in [...]");
  if (subject.is(Expr::Kind::kPath)) {
    if (auto m = diag::closest_match(text, kSubjects)) d.suggest(*m);
  }
}

// One job state of `job.state in [...]` / `job.state == X` into c.states; false (reported) when it is not
// one.
bool read_job_state(const Expr& s, model::AlertCondition& c, DiagnosticSink& sink) {
  static const std::vector<std::string> kStates = {"PENDING",   "SNAPSHOTING", "UPLOAD_SNAPSHOT",
                                                   "UPLOADING", "SAVE_META",   "UPLOAD_INFO",
                                                   "FINISHED",  "CANCELLED",   "FAILED"};
  if (!s.is_word()) {
    sink.report(Code::kWrongType, s.range, "job.state", "a job state such as FAILED", ast::describe(s));
    return false;
  }
  const std::string w(s.path.front().text);
  if (std::find(kStates.begin(), kStates.end(), w) == kStates.end()) {
    diag::Diagnostic& d = sink.report(Code::kUnknownJobState, s.range, w, join_words(kStates));
    if (auto m = diag::closest_match(w, kStates)) d.suggest(*m);
    return false;
  }
  c.states.insert(w);
  return true;
}

// One finding of `repository.finding in [...]` / `repository.finding == X` into c.findings; false (reported) when
// it is not one.
bool read_finding(const Expr& s, model::AlertCondition& c, DiagnosticSink& sink) {
  std::vector<std::string> names;
  for (model::RepositoryFinding f : model::kAllRepositoryFindings) names.emplace_back(model::to_string(f));
  if (!s.is_word()) {
    sink.report(Code::kWrongType, s.range, "repository.finding", "a finding such as missing", ast::describe(s));
    return false;
  }
  const std::string w(s.path.front().text);
  const auto finding = model::parse_repository_finding(w);
  if (!finding) {
    diag::Diagnostic& d = sink.report(Code::kUnknownWord, s.range, "repository finding", w, join_words(names));
    if (auto m = diag::closest_match(w, names)) d.suggest(*m);
    return false;
  }
  c.findings.insert(*finding);
  return true;
}

// The right-hand side of `<subject> in [a, b]` or `<subject> == a`: each element through read_one; false when the
// list is malformed or an element was reported.
template <typename ReadOne>
bool read_word_list(const Expr& e, std::string_view subject, std::string_view example, ReadOne read_one,
                    DiagnosticSink& sink) {
  const Expr& rhs = e.operands[1];
  if (!e.is(Expr::Kind::kIn)) return read_one(rhs);
  if (!rhs.is(Expr::Kind::kList) || rhs.operands.empty()) {
    sink.report(Code::kWrongType, rhs.range, std::string(subject) + " in", example, ast::describe(rhs));
    return false;
  }
  bool ok = true;
  for (const Expr& s : rhs.operands) ok = read_one(s) && ok;
  return ok;
}

// `job.state in [...]`, `job.state == X`, `repository.finding in [...]` or `repository.finding == X`.
std::optional<model::AlertCondition> read_list_condition(const Expr& e, DiagnosticSink& sink) {
  const Expr& lhs = e.operands[0];
  const std::string subject = lhs.is(Expr::Kind::kPath) ? lhs.dotted() : "";
  model::AlertCondition c;
  if (subject == "repository.finding") {
    c.kind = ConditionKind::kRepositoryFinding;
    const bool ok = read_word_list(
        e, subject, "a list of findings such as [missing, partial]",
        [&](const Expr& s) { return read_finding(s, c, sink); }, sink);
    if (!ok) return std::nullopt;
    return c;
  }
  if (subject != "job.state") {
    report_unknown_subject(lhs, sink);
    return std::nullopt;
  }
  c.kind = ConditionKind::kJobState;
  const bool ok = read_word_list(
      e, subject, "a list of job states such as [CANCELLED, FAILED]",
      [&](const Expr& s) { return read_job_state(s, c, sink); }, sink);
  if (!ok) return std::nullopt;
  return c;
}

// `job.elapsed > tier.window | <duration>` or `snapshot_disk_free < N%`.
std::optional<model::AlertCondition> read_threshold_condition(const Expr& e, DiagnosticSink& sink) {
  const Expr& lhs = e.operands[0];
  const Expr& rhs = e.operands[1];
  const std::string subject = lhs.is(Expr::Kind::kPath) ? lhs.dotted() : "";
  model::AlertCondition c;
  if (subject == "job.elapsed") {
    if (e.text != ">") {
      sink.report(Code::kWrongOperator, e.op_range, ">", "job.elapsed", e.text);
      return std::nullopt;
    }
    c.kind = ConditionKind::kOverrun;
    if (rhs.is(Expr::Kind::kPath) && rhs.dotted() == "tier.window") return c;
    auto d = read_duration(rhs, "job.elapsed", "h", sink);
    if (!d) return std::nullopt;
    c.elapsed_limit = *d;
    return c;
  }
  if (subject == "snapshot_disk_free") {
    if (e.text != "<") {
      sink.report(Code::kWrongOperator, e.op_range, "<", "snapshot_disk_free", e.text);
      return std::nullopt;
    }
    c.kind = ConditionKind::kDiskFreeBelow;
    auto p = read_percent(rhs, "snapshot_disk_free", sink);
    if (!p) return std::nullopt;
    c.threshold = *p;
    return c;
  }
  report_unknown_subject(lhs, sink);
  return std::nullopt;
}

}  // namespace

std::optional<model::AlertCondition> Builder::read_condition(const Expr& e) {
  if (e.is(Expr::Kind::kPath)) {
    const std::string text = e.dotted();
    model::AlertCondition c;
    if (text == "repository.unreachable") {
      c.kind = ConditionKind::kRepositoryUnreachable;
      return c;
    }
    if (text == "precheck.failed") {
      c.kind = ConditionKind::kPrecheckFailed;
      return c;
    }
    report_unknown_subject(e, sink_);
    return std::nullopt;
  }
  if (e.is(Expr::Kind::kIn) || (e.is(Expr::Kind::kCompare) && e.text == "==")) {
    return read_list_condition(e, sink_);
  }
  if (e.is(Expr::Kind::kCompare)) return read_threshold_condition(e, sink_);
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
      } else if (url->rfind("http://", 0) == 0 && !is_loopback_http(*url)) {
        // Alerts carry job details; like repository endpoints they must not travel in clear text.
        // Plain http is accepted only for a receiver on this host (the runtime's rule too: docs/alerts.md).
        sink_.report(Code::kInsecureWebhook, webhook->value.range, *url)
            .suggest("\"https://" + url->substr(7) + "\"")
            .note(std::nullopt, "plain http:// is accepted only for a receiver on this host (localhost, 127.0.0.0/8)");
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

}  // namespace sk::sema::detail
