// Policy-level checks over the drafts: references, duplicates, calendar (windows, retention, coinciding tiers,
// labels), coverage relations, drill scopes, include rules (SK03xx diagnostics).
#include "compiler/sema/builder.h"

namespace sk::sema::detail {

// ---- cross references and checks ----

namespace {

// A reference to something the policy does not declare: the closest name, or what is declared.
void report_unknown(DiagnosticSink& sink, Code code, const Located& ref,
                    const std::vector<std::string>& known, std::string_view kind) {
  diag::Diagnostic& d = sink.report(code, ref.range, ref.text);
  if (auto m = diag::closest_match(ref.text, known)) {
    d.suggest("\"" + *m + "\"");
  } else if (known.empty()) {
    d.note(std::nullopt, fmt::format("the policy declares no {}", kind));
  } else {
    d.note(std::nullopt, fmt::format("declared: {}", join_words(known)));
  }
}

bool declared(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

template <typename Draft>
std::vector<std::string> draft_names(const std::vector<Draft>& drafts) {
  std::vector<std::string> out;
  for (const Draft& d : drafts) {
    if (d.name) out.push_back(d.name->str());
  }
  return out;
}

// Notifiers no alert uses (only when every alert resolved).
void report_unused_notifiers(const std::vector<NotifierDraft>& notifiers,
                             const std::vector<AlertDraft>& alerts, DiagnosticSink& sink) {
  for (const NotifierDraft& n : notifiers) {
    if (!n.name) continue;
    const bool used = std::any_of(alerts.begin(), alerts.end(), [&](const AlertDraft& a) {
      return std::any_of(a.notify.begin(), a.notify.end(),
                         [&](const Located& l) { return l.text == n.name->str(); });
    });
    const bool all_resolved =
        std::all_of(alerts.begin(), alerts.end(), [](const AlertDraft& a) { return a.complete; });
    if (!used && all_resolved && n.complete) sink.report(Code::kUnusedNotifier, n.name_range, n.name->str());
  }
}

// Repositories: every tier needs one.
void check_tier_repositories(std::vector<TierDraft>& tiers, const std::vector<RepositoryDraft>& repositories,
                             DiagnosticSink& sink) {
  if (!tiers.empty() && repositories.empty()) {
    sink.report(Code::kNoRepository, tiers.front().block->header_range)
        .note(std::nullopt,
              "declare where snapshots go: repository \"s3_prod\" { location = \"s3a://bucket/prefix\" … }");
  } else if (repositories.size() > 1) {
    for (TierDraft& t : tiers) {
      if (!t.repository) {
        sink.report(Code::kAmbiguousRepository, t.block->header_range, t.name ? t.name->str() : "?",
                    fmt::format("{} repositories", repositories.size()))
            .note(std::nullopt, "add repository = \"<name>\" to the tier or to a defaults block");
        t.complete = false;
      }
    }
  }
}

// A drill's scope against the kind of the tier it restores from.
void check_drill_scope(const DrillDraft& d, const TierDraft& t, DiagnosticSink& sink) {
  bool fits = true;
  std::string needs;
  switch (*d.scope) {
    case model::DrillScope::kPartition:
      fits = *t.kind == model::BackupKind::kChangedPartitions;
      needs = "a changed_partitions tier";
      break;
    case model::DrillScope::kTable:
      fits = *t.kind != model::BackupKind::kChangedPartitions;
      needs = "a tables or database tier (an incremental snapshot holds only changed partitions)";
      break;
    case model::DrillScope::kDatabase:
      fits = *t.kind == model::BackupKind::kDatabase;
      needs = "a database tier";
      break;
  }
  if (!fits) {
    sink.report(Code::kDrillScopeMismatch, d.scope_range, d.name ? d.name->str() : "?",
                std::string("one ") + std::string(model::to_string(*d.scope)), d.from->text,
                model::to_string(*t.kind))
        .note(t.kind_range,
              fmt::format("tier '{}' is declared as {} here", d.from->text, model::to_string(*t.kind)))
        .note(std::nullopt, "this drill needs " + needs);
  }
}

}  // namespace

void Builder::resolve_references() {
  const std::vector<std::string> tiers = tier_names();
  const std::vector<std::string> repositories = draft_names(repositories_);
  const std::vector<std::string> notifiers = draft_names(notifiers_);
  for (DrillDraft& d : drills_) {
    if (d.from && !declared(tiers, d.from->text)) {
      report_unknown(sink_, Code::kUnknownTier, *d.from, tiers, "tier");
      d.complete = false;
    }
  }
  for (TierDraft& t : tiers_) {
    for (const Located& c : t.covers) {
      if (!declared(tiers, c.text)) {
        report_unknown(sink_, Code::kUnknownTier, c, tiers, "tier");
        t.complete = false;
      }
    }
    if (t.repository && !declared(repositories, t.repository->text)) {
      report_unknown(sink_, Code::kUnknownRepository, *t.repository, repositories, "repository");
      t.complete = false;
    }
  }
  for (AlertDraft& a : alerts_) {
    for (const Located& n : a.notify) {
      if (!declared(notifiers, n.text)) {
        report_unknown(sink_, Code::kUnknownNotifier, n, notifiers, "notifier");
        a.complete = false;
      }
    }
  }
  report_unused_notifiers(notifiers_, alerts_, sink_);
  check_tier_repositories(tiers_, repositories_, sink_);
  for (const DrillDraft& d : drills_) {
    if (!d.from || !d.scope) continue;
    const TierDraft* t = find_tier(d.from->text);
    if (t == nullptr || !t->kind) continue;
    check_drill_scope(d, *t, sink_);
  }
}

namespace {

// The first pair of consecutive firing days (over one 400-year cycle from `start`) whose gap `months` calendar
// months from the first do not reach; nullopt when every gap is covered.
std::optional<std::pair<CivilDay, CivilDay>> first_uncovered_gap(const Schedule& s, std::int64_t months,
                                                                 CivilDay start) {
  std::optional<CivilDay> d = s.next_day_on_or_after(start);
  const CivilDay end = start + FiringCalendar::kCycleDays;
  while (d && *d < end) {
    const std::optional<CivilDay> next = s.next_day_on_or_after(*d + 1);
    if (!next) return std::nullopt;
    if (add_months(*d, months) < *next) return std::pair{*d, *next};
    d = next;
  }
  return std::nullopt;
}

}  // namespace

// Whether two schedules have a time of day in common (a sub-daily tier is due together with another only then).
static bool share_a_time(const Schedule& a, const Schedule& b) {
  const std::vector<TimeOfDay> ta = a.times(), tb = b.times();
  return std::any_of(ta.begin(), ta.end(), [&](TimeOfDay x) { return std::find(tb.begin(), tb.end(), x) != tb.end(); });
}

// SK0308: the last snapshot would expire before the next is taken. Calendar months are checked slot by slot on
// the calendar (a yearly schedule with `retain = 1 year` is fine across leap years); a fixed span against the
// longest gap.
void Builder::check_retention_covers_gaps(const TierDraft& t) {
  const Duration max_gap = t.schedule->max_interval();
  const std::string name = t.name ? t.name->str() : "?";
  std::optional<std::pair<CivilDay, CivilDay>> gap;
  if (t.retain->calendar()) {
    if (Duration::from_days(t.retain->shortest_days()) >= max_gap) return;
    gap = first_uncovered_gap(*t.schedule, t.retain->month_count(), options_.calendar_start);
    if (!gap) return;
  } else if (t.retain->fixed() >= max_gap) {
    return;
  }
  auto& d = sink_.report(Code::kRetentionShorterThanInterval, t.retain_range, name, t.retain->to_string(),
                         max_gap.to_string());
  d.note(t.schedule_range, fmt::format("the longest gap between runs of '{}' is {}", t.schedule->to_string(),
                                       max_gap.to_string()));
  if (gap) {
    d.note(std::nullopt, fmt::format("the snapshot of {} is kept until {}, but the next run is on {}",
                                     iso_date(gap->first), iso_date(add_months(gap->first, t.retain->month_count())),
                                     iso_date(gap->second)));
    const std::int64_t months = t.retain->month_count() + 1;
    d.suggest(months % 12 == 0 ? fmt::format("{} year{}", months / 12, months == 12 ? "" : "s")
                               : fmt::format("{} months", months));
  } else {
    d.suggest(max_gap.to_string());
  }
}

void Builder::check_tiers(const model::Policy& policy) {
  for (const TierDraft& t : tiers_) {
    const std::string name = t.name ? t.name->str() : "?";
    if (t.schedule) {
      if (t.schedule->never_fires()) {
        sink_.report(Code::kScheduleNeverFires, t.schedule_range, t.schedule->to_string())
            .note(std::nullopt, t.schedule->blackouts().empty() || t.schedule->without_blackouts().never_fires()
                                    ? "no day of the calendar matches (e.g. day 30 in February)"
                                    : "its blackouts skip every slot");
      } else {
        check_blackouts(t);
        check_label_has_time(t);
        check_window(t, policy.time_zone);
        // A count-based keep always keeps the newest snapshots: no gap can outlast it.
        if (t.retain && !t.keep) check_retention_covers_gaps(t);
      }
    }
    check_timeout(t);
    check_catch_up(t);
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

// SK0326: a blackout of the tier's own (or its defaults') that never covers one of its slots (a 01:00 tier with
// `not between 08:00 and 20:00`) is most likely a mistake. Checked on the slots of one 400-year cycle without blackouts.
void Builder::check_blackouts(const TierDraft& t) {
  const std::vector<Blackout>& all = t.schedule->blackouts();
  if (all.empty()) return;
  const Schedule base = t.schedule->without_blackouts();
  const TimeOfDay at = base.at();
  const std::vector<TimeOfDay> times = base.times();  // a sub-daily tier: every slot of the day
  std::vector<bool> used(all.size(), false);
  size_t left = all.size();
  const CivilDay start = options_.calendar_start;
  for (auto d = base.next_day_on_or_after(start); d && *d - start < FiringCalendar::kCycleDays && left > 0;
       d = base.next_day_on_or_after(*d + 1)) {
    for (size_t i = 0; i < all.size(); ++i) {
      if (!used[i] && std::any_of(times.begin(), times.end(), [&](TimeOfDay x) { return all[i].covers(*d, x); })) {
        used[i] = true;
        --left;
      }
    }
  }
  for (size_t i = 0; i < all.size(); ++i) {
    // The policy's blackouts apply to every tier; one that concerns only some tiers is not a mistake.
    if (used[i] || std::find(policy_blackouts_.begin(), policy_blackouts_.end(), all[i]) != policy_blackouts_.end()) {
      continue;
    }
    sink_.report(Code::kBlackoutNeverApplies, t.schedule_range, "not " + all[i].to_string(),
                 t.name ? t.name->str() : "?",
                 base.sub_daily() ? base.to_string().substr(0, base.to_string().find(" on ")) : at.to_string())
        .note(std::nullopt, "blackouts skip the slots that fall in them, judged by the slot's scheduled local time");
  }
}

// SK0303: the window against the shortest interval between runs, on the calendar and on the clock (a night when
// the clocks go forward makes a day 23h long).
void Builder::check_window(const TierDraft& t, const TimeZone& zone) {
  const Duration civil_gap = t.schedule->min_interval();
  const auto real = shortest_real_gap(*t.schedule, zone, options_.calendar_start);
  const bool dst_shorter = real && real->length < civil_gap;
  const Duration min_gap = dst_shorter ? real->length : civil_gap;
  const Duration window = window_of(t);
  if (window <= min_gap) return;
  const std::string name = t.name ? t.name->str() : "?";
  const std::string again =
      dst_shorter ? fmt::format("'{}' can run again {} later: the clocks in {} go forward after its run at {}",
                                t.schedule->to_string(), min_gap.to_string(), zone.name(), real->from.to_string(zone))
                  : fmt::format("'{}' can run again {} later", t.schedule->to_string(), min_gap.to_string());
  sink_.report(Code::kWindowExceedsInterval, t.window_range, window.to_string(), name, min_gap.to_string())
      .note(t.schedule_range, again)
      .note(std::nullopt, "a run would still be allowed to work when the next one is due");
}

// SK0366: a timeout shorter than the window lets the server cancel a slow job before the window ends, so the
// overrun alert (job still running at the window's end) can never fire (issue 10 item 9).
void Builder::check_timeout(const TierDraft& t) {
  if (!t.timeout) return;
  const Duration window = window_of(t);
  if (*t.timeout >= window) return;
  sink_.report(Code::kTimeoutShorterThanWindow, t.timeout_range, t.timeout->to_string(),
               t.name ? t.name->str() : "?", window.to_string())
      .note(t.window_range, "the overrun alert fires only while the job still runs at the window's end");
}

// SK0367: a catch-up horizon that ends within the window never catches anything up (issue 10 item 11): the slot
// is due inside its window anyway.
void Builder::check_catch_up(const TierDraft& t) {
  if (!t.catch_up || t.catch_up->kind != model::CatchUp::Kind::kWithin) return;
  const Duration window = t.window.value_or(Duration::from_hours(4));
  if (t.catch_up->within > window) return;
  sink_.report(Code::kCatchUpWithinWindow, t.catch_up_range, t.catch_up->within.to_string(),
               t.name ? t.name->str() : "?", window.to_string())
      .note(t.window_range, "a slot is due inside its window anyway; write catch_up = none for no catch-up")
      .suggest("none");
}

// SK0325: a drill that can start inside its source tier's window restores while that day's backup may still be
// running (the day's snapshot does not exist yet; on the tier's first day there is none at all).
void Builder::check_drill_windows() {
  for (const DrillDraft& d : drills_) {
    if (!d.schedule || !d.from) continue;
    const TierDraft* t = find_tier(d.from->text);
    if (t == nullptr || !t->schedule || !t->name) continue;
    const Duration window = window_of(*t);
    // A sub-daily tier opens a window at each of its times; the first day any of them holds the drill counts.
    TimeOfDay opens = t->schedule->at();
    std::optional<CivilDay> day;
    for (TimeOfDay at : t->schedule->times()) {
      const auto found = first_drill_in_window(*calendar(*t), at, window, *d.schedule, options_.calendar_start);
      if (found && (!day || *found < *day)) {
        day = found;
        opens = at;
      }
    }
    if (!day) continue;
    const CivilSecond closes = opens.on(*day) + window.seconds();
    sink_.report(Code::kDrillInsideTierWindow, d.schedule_range, d.name ? d.name->str() : "?", t->name->str())
        .note(t->window_range, fmt::format("on {} '{}' runs from {} until {:02}:{:02}{}", describe_day(*day),
                                           t->name->str(), opens.to_string(), closes.hour(), closes.minute(),
                                           CivilDay(closes) == *day ? "" : " the next day"))
        .note(std::nullopt, fmt::format("the drill may restore the snapshot before that day's, or find none on the "
                                        "tier's first day; schedule it at or after the end of the window"));
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
      } else if (mine != nullptr && theirs != nullptr && (t.schedule->sub_daily() || other->schedule->sub_daily()) &&
                 !share_a_time(*t.schedule, *other->schedule)) {
        sink_.report(Code::kCoversNoCommonSlot, c.range, t.name->str(), c.text)
            .note(other->schedule_range, fmt::format("'{}' fires {}", c.text, other->schedule->to_string()))
            .note(std::nullopt, "a tier that fires several times a day is covered only in a slot at the same time of "
                                "day; its other slots run their own jobs");
      }
    }
  }
}

void Builder::check_label_collision(const TierDraft& a, const TierDraft& b, CivilDay day) {
  if (!a.name || !b.name) return;
  const LabelTemplate la = label_of(a);
  const LabelTemplate lb = label_of(b);
  const auto db = DatabaseName::parse("db");
  if (!db) return;
  const auto ra = la.render(*db, *a.name, default_suffix(a), a.schedule->at().on(day));
  const auto rb = lb.render(*db, *b.name, default_suffix(b), b.schedule->at().on(day));
  if (!ra || !rb || !(*ra == *rb)) return;
  sink_.report(Code::kLabelCollision, b.schedule_range, a.name->str(), b.name->str(), ra->str())
      .note(a.schedule_range, fmt::format("'{}' is due on {} too", a.name->str(), describe_day(day)))
      .note(std::nullopt, "give one tier another suffix (suffix = \"...\") or use {tier} in the label template");
}

// SK0239: a tier that fires several times a day needs {time} in its labels, or one day's snapshots share a label.
// With {date} (always required) and {time}, labels are unique per tier by construction: a tier has at most one slot
// per nominal local date and time, DST included (a skipped time fires once or is absorbed by a later slot, a repeated
// time fires once), and labels are rendered from that nominal date and time.
void Builder::check_label_has_time(const TierDraft& t) {
  if (!t.schedule->sub_daily() || !t.label || t.label->uses("time")) return;
  diag::Diagnostic& d = sink_.report(Code::kLabelWithoutTime, t.label_range.end > t.label_range.begin
                                                                  ? t.label_range
                                                                  : t.schedule_range,
                                     t.name ? t.name->str() : "?", t.schedule->times().size(), t.label->str());
  d.note(t.schedule_range, fmt::format("it fires {}", t.schedule->to_string()));
  std::string fixed = t.label->str();
  const size_t date = fixed.find("{date}");
  if (date != std::string::npos) fixed.insert(date + 6, "_{time}");
  d.suggest("\"" + fixed + "\"");
}

// SK0322 for a pair with a sub-daily tier: both run on `day`, each in its own slots (a slot at the same time as one
// of a tier that covers it is served by that tier's job).
void Builder::check_sub_daily_labels(const TierDraft& a, const TierDraft& b, CivilDay day) {
  const auto db = DatabaseName::parse("db");
  if (!db || !a.name || !b.name) return;
  const auto covers = [](const TierDraft& x, const TierDraft& y) {
    return std::any_of(x.covers.begin(), x.covers.end(), [&](const Located& c) { return c.text == y.name->str(); });
  };
  const LabelTemplate la = label_of(a), lb = label_of(b);
  for (TimeOfDay ta : a.schedule->times()) {
    for (TimeOfDay tb : b.schedule->times()) {
      if (ta == tb && (covers(a, b) || covers(b, a))) continue;
      const auto ra = la.render(*db, *a.name, default_suffix(a), ta.on(day));
      const auto rb = lb.render(*db, *b.name, default_suffix(b), tb.on(day));
      if (!ra || !rb || !(*ra == *rb)) continue;
      sink_.report(Code::kLabelCollision, b.schedule_range, a.name->str(), b.name->str(), ra->str())
          .note(a.schedule_range, fmt::format("'{}' runs at {} on {} and '{}' at {}", a.name->str(), ta.to_string(),
                                              describe_day(day), b.name->str(), tb.to_string()))
          .note(std::nullopt, "give one tier another suffix (suffix = \"...\"), or use {tier} or {time} in the label "
                              "template");
      return;
    }
  }
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
      if (a.schedule->sub_daily() || b.schedule->sub_daily()) {
        // They share a day; they are due together only in slots at the same time of day.
        check_sub_daily_labels(a, b, *day);
        if (!share_a_time(*a.schedule, *b.schedule) || a.precedence != b.precedence) continue;
      } else if (a.precedence != b.precedence) {
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

}  // namespace sk::sema::detail
