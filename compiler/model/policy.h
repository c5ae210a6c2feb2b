// The policy model: what a policy means, valid by construction (built only by sema::build_model from a
// diagnostics-free AST), with source ranges kept so that later stages (analysis, plan) can point at the text.
// The planner consumes only these types. Plain immutable-after-construction values; safe to share read-only
// between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/retain_period.h"
#include "kernel/domain/schedule.h"
#include "kernel/domain/time.h"

namespace sk::model {

using diag::SourceRange;

// Attributes an inclusion rule can test; the planner fills one per inventory table and tier.
struct TableAttributes {
  std::string_view database;
  std::string_view table;
  std::string_view table_class;  // lower case ("fact", "dimension", …)
  bool partitioned = false;
  bool eligible = true;  // the inventory's eligibility of this table for the tier being evaluated
};

// Inclusion rules: a validated boolean expression tree over TableAttributes. Immutable value, shared_ptr-backed
// (cheap to copy). Globs ("fct_*") support '*' (any run of characters) and '?' (one character), case-sensitive,
// matched against the whole name.
class Predicate {
 public:
  enum class Kind {
    kTrue,         // always()
    kFalse,        // never()
    kAnd,          // operands()
    kOr,           // operands()
    kNot,          // operands()[0]
    kClassIn,      // table_class ∈ values()  (class == "x" is a one-value set)
    kDatabaseIn,   // database ∈ values()
    kDatabaseMatches,  // database matches glob values()[0]
    kTableIn,      // table ∈ values()
    kTableMatches,     // table matches glob values()[0]
    kPartitioned,
    kEligible,
  };

  static Predicate always();
  static Predicate never();
  static Predicate all_of(std::vector<Predicate> operands, SourceRange range = {});  // empty → always()
  static Predicate any_of(std::vector<Predicate> operands, SourceRange range = {});  // empty → never()
  static Predicate negate(Predicate operand, SourceRange range = {});
  // `value_ranges`, when given, holds where each class literal was written (same order as `classes`).
  static Predicate class_in(std::vector<std::string> classes, SourceRange range = {},
                            std::vector<SourceRange> value_ranges = {});
  static Predicate database_in(std::vector<std::string> databases, SourceRange range = {});
  static Predicate database_matches(std::string glob, SourceRange range = {});
  static Predicate table_in(std::vector<std::string> tables, SourceRange range = {});
  static Predicate table_matches(std::string glob, SourceRange range = {});
  static Predicate partitioned(SourceRange range = {});
  static Predicate eligible(SourceRange range = {});

  [[nodiscard]] bool evaluate(const TableAttributes& table) const;
  // Canonical text, for plan JSON and previews: `class == "fact" and partitioned`, `not (a or b)`,
  // `class in ["dimension", "lookup"]`, `table matches "fct_*"`, `true`.
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] Kind kind() const;
  [[nodiscard]] const std::vector<Predicate>& operands() const;
  [[nodiscard]] const std::vector<std::string>& values() const;
  [[nodiscard]] SourceRange range() const;  // where the user wrote this node ({} for synthesized nodes)
  // Where each of values() was written: one range per value, or empty when the node was synthesized.
  [[nodiscard]] const std::vector<SourceRange>& value_ranges() const;

  // True if every table the predicate selects is partitioned, decided syntactically: the predicate is
  // `partitioned`, or an `and` with a conjunct that requires it, or an `or` all of whose operands require it, or
  // `never()`.
  [[nodiscard]] bool requires_partitioned() const;

  // Glob matching used by kDatabaseMatches / kTableMatches.
  static bool glob_match(std::string_view glob, std::string_view text);

 private:
  struct Node;
  explicit Predicate(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  std::shared_ptr<const Node> node_;
};

enum class BackupKind { kChangedPartitions, kTables, kDatabase };
[[nodiscard]] std::string_view to_string(BackupKind kind);  // "changed_partitions", "tables", "database"

// What the runner does when a tier's job is still running at the end of its window (issue 10 item 9): the
// overrun alert always fires; kCancel also cancels the job then (CANCEL BACKUP, only while it is our job).
enum class OverrunAction { kAlert, kCancel };
[[nodiscard]] std::string_view to_string(OverrunAction action);  // "alert", "cancel"

// How long a tier whose latest slot has no successful job stays due after the slot's window (issue 10 item 11,
// docs/language.md "Catch-up of missed slots"): until the tier's next firing (the default), within a span from the
// slot (`catch_up = 2d`; still never past the next firing), or not at all (`catch_up = none`: due only inside the
// window). Only a tier's latest slot is ever caught up.
struct CatchUp {
  enum class Kind { kUntilNextSlot, kWithin, kNone } kind = Kind::kUntilNextSlot;
  Duration within;  // kWithin: measured from the slot
  [[nodiscard]] std::string to_string() const;  // "next_slot", "2d", "none"
};

// StarRocks' default and minimum BACKUP timeout (reference §2.1: Config.backup_job_default_timeout_ms = 86400 s;
// "timeout must be at least 10 min").
inline constexpr std::int64_t kDefaultJobTimeoutSeconds = 86400;
inline constexpr std::int64_t kMinJobTimeoutSeconds = 600;

// How a changed_partitions tier detects changes.
struct ChangeDetection {
  enum class Mode {
    kVisibleVersion,  // partitions whose VisibleVersion differs from the last manifest (the default)
    kUpdatedWithin,   // partitions whose VisibleVersionTime lies within `within` of the slot
  } mode = Mode::kVisibleVersion;
  std::optional<Duration> within;  // kUpdatedWithin only
};

// A tier's count-based keep (docs/language.md, "What `retain` means"): its newest `count` snapshots in each database
// are restore points whatever their age. `keep = last N` keeps by count alone (the tier's `retain` is zero);
// `keep = at least N` beside a `retain`: a snapshot is kept while either holds.
struct KeepCount {
  int64_t count = 1;    // 1..1000
  bool alone = false;   // `last N`
};

struct Tier {
  TierName name;
  BackupKind kind;
  Predicate include;         // kDatabase: always()
  ChangeDetection changes;   // meaningful for kChangedPartitions only
  Schedule schedule;
  // A fixed span or calendar months, measured in the policy's zone from the slot (kernel/domain/retain_period.h).
  RetainPeriod retain;
  Duration window;  // when not written: 4h, or for a sub-daily tier the shortest time between two slots on the
                    // policy's clock, at most 4h (docs/language.md §7); window_range then is the tier's name_range
  LabelTemplate label;       // default LabelTemplate::kDefault
  // On a local day when several tiers are due: a due tier listed in the `covers` of another due tier is not run
  // separately (the covering tier's snapshot counts for its retention, e.g. monthly covers weekly); the remaining
  // tiers run one after another in decreasing precedence. Sema guarantees that any two tiers that can be due on
  // the same day are related by covers or have different precedences (and then different labels).
  int precedence = 0;
  std::vector<TierName> covers;
  // Always set in a built model: the tier's own, else the defaults block's, else the policy's only repository.
  std::optional<RepositoryName> repository;
  // `suffix` used in labels for {suffix}: "inc" (changed_partitions), "full" (tables), "base" (database), or the
  // value of the tier's `suffix` key.
  std::string label_suffix;
  SourceRange range, name_range, schedule_range, retain_range, window_range, include_range;
  SourceRange kind_range, covers_range, precedence_range;
  // The server-side BACKUP timeout (PROPERTIES "timeout"): bounds the job; the window only drives the overrun
  // alert (issue 10 item 9). Default 24h (StarRocks' own default); sema keeps it at or above 10m.
  Duration timeout = Duration::from_seconds(kDefaultJobTimeoutSeconds);
  OverrunAction on_overrun = OverrunAction::kAlert;
  SourceRange timeout_range, on_overrun_range;
  std::optional<KeepCount> keep;  // `keep = last N` / `keep = at least N`
  SourceRange keep_range;
  CatchUp catch_up;               // default: until the next firing
  SourceRange catch_up_range;     // the tier's name_range when not written
  // `lifecycle = 120d`: the expiration the tier's S3 lifecycle rule uses instead of the one the chain-aware analysis
  // derives; shorter than what retained restore points need is an error (SK0513).
  std::optional<Duration> lifecycle{};
  SourceRange lifecycle_range{};
};

enum class CredentialsKind { kEnvironment, kInstanceProfile, kAssumeRole };
[[nodiscard]] std::string_view to_string(CredentialsKind kind);  // "env", "instance_profile", "assume_role"

struct Repository {
  RepositoryName name;
  std::string location;  // "s3a://bucket/prefix"
  std::string endpoint;  // "https://…" (HTTPS enforced by sema); may be empty (provider default)
  std::string region;    // may be empty
  CredentialsKind credentials = CredentialsKind::kEnvironment;
  std::optional<std::string> role_arn;  // kAssumeRole only
  SourceRange range, name_range, endpoint_range;
  // Bucket posture (docs/language.md, "Repositories"): `private_endpoint = true` — the endpoint must resolve to
  // private addresses only (`repository check` resolves it); `vpc_endpoint = "vpce-…"` — the emitted bucket policy
  // denies requests from anywhere else (aws:SourceVpce); `lifecycle_rules = true` — starkeep emits S3 lifecycle
  // rules for the repository's tiers (`repository lifecycle`) and `check` says which tiers cannot get one.
  bool private_endpoint = false;
  std::optional<std::string> vpc_endpoint{};
  bool lifecycle_rules = false;
  SourceRange private_endpoint_range{}, vpc_endpoint_range{}, lifecycle_rules_range{};
};

// Runner pre-checks. Without a precheck block: threshold 15%, no canary.
struct Precheck {
  Percent snapshot_disk_free_min = *Percent::from_hundredths(1500);
  bool canary_backup = false;
  SourceRange range;
};

enum class DrillScope { kPartition, kTable, kDatabase };
enum class Verification { kChecksum, kRowCount };
[[nodiscard]] std::string_view to_string(DrillScope scope);           // "partition", "table", "database"
[[nodiscard]] std::string_view to_string(Verification verification);  // "checksum", "row_count"

struct Drill {
  DrillName name;
  // `every = month` → day 1 of every month; `quarter` → day 1 of jan,apr,jul,oct; `6 months` → day 1 of jan,jul;
  // `year` → day 1 of jan; `week` → mon; `day` → daily; optional `at HH:MM` (default 06:00); or a full schedule.
  Schedule schedule;
  TierName from;
  DrillScope scope;
  Verification verify = Verification::kChecksum;
  SourceRange range, name_range, from_range, schedule_range;
};

enum class Severity { kInfo, kWarning, kCritical };
[[nodiscard]] std::string_view to_string(Severity severity);  // "info", "warning", "critical"

// What `starkeep repository check` can find (docs/retention.md), as `repository.finding in [...]` names it: a FINISHED
// snapshot gone from the repository, another backup under the label, an unfinished or content-only snapshot, a kept
// snapshot whose StarRocks 4.2 ttl deletes it before its keep horizon, one past its expiry, one the history does not
// know. Ordered most serious first.
enum class RepositoryFinding { kMissing, kConflict, kPartial, kTtl, kOverdue, kUnknown };
[[nodiscard]] std::string_view to_string(RepositoryFinding finding);  // "missing", "conflict", … (lower case)
[[nodiscard]] std::optional<RepositoryFinding> parse_repository_finding(std::string_view word);
inline constexpr RepositoryFinding kAllRepositoryFindings[] = {RepositoryFinding::kMissing, RepositoryFinding::kConflict,
                                                              RepositoryFinding::kPartial, RepositoryFinding::kTtl,
                                                              RepositoryFinding::kOverdue, RepositoryFinding::kUnknown};

struct AlertCondition {
  enum class Kind {
    kJobState,               // job.state in [CANCELLED, FAILED]
    kOverrun,                // job.elapsed > tier.window   (or > <duration>: elapsed_limit)
    kRepositoryUnreachable,  // repository.unreachable
    kDiskFreeBelow,          // snapshot_disk_free < 15%
    kPrecheckFailed,         // precheck.failed
    kRepositoryFinding,      // repository.finding in [missing, partial]
  } kind = Kind::kJobState;
  std::set<std::string> states;            // kJobState: upper case, e.g. CANCELLED, FAILED
  std::set<RepositoryFinding> findings;    // kRepositoryFinding
  std::optional<Percent> threshold;        // kDiskFreeBelow
  std::optional<Duration> elapsed_limit;   // kOverrun: nullopt = the tier's window
  std::string to_string() const;           // canonical text of the condition
};

struct Alert {
  AlertName name;
  AlertCondition when;
  std::vector<NotifierName> notify;  // non-empty; each names a declared notifier
  Severity severity = Severity::kWarning;
  SourceRange range, name_range, when_range;
};

enum class NotifierKind { kAlertmanager, kWebhook, kCommand, kLog };
[[nodiscard]] std::string_view to_string(NotifierKind kind);  // "alertmanager", "webhook", "command", "log"

struct Notifier {
  NotifierName name;
  NotifierKind kind;
  std::string target;  // URL (kAlertmanager, kWebhook), command line (kCommand), empty (kLog)
  SourceRange range, name_range;
};

struct DatabaseSelection {
  bool all = false;                    // `all` / `all except [...]`
  std::vector<DatabaseName> include;   // when !all: the listed databases (non-empty, no duplicates)
  std::vector<DatabaseName> exclude;   // when all: the excluded databases
  [[nodiscard]] bool matches(const DatabaseName& db) const;
  SourceRange range;
};

// Tables deliberately not backed up: `exclude "reason" { tables = tables where … }` (docs/language.md). Coverage
// lists them as excluded, not uncovered; a tier that would back one up is an error (SK0510).
struct Exclusion {
  std::string reason;  // non-empty
  Predicate tables;
  SourceRange range, reason_range, tables_range;
};

struct Policy {
  std::string name;
  TimeZone time_zone = TimeZone::utc();
  DatabaseSelection databases;
  std::vector<Repository> repositories;
  Precheck precheck;
  std::vector<Tier> tiers;  // in declaration order
  std::vector<Drill> drills;
  std::vector<Alert> alerts;
  std::vector<Notifier> notifiers;
  std::vector<Exclusion> exclusions;  // in declaration order
  SourceRange range, name_range, time_zone_range;

  [[nodiscard]] const Tier* find_tier(const TierName& name) const;
  [[nodiscard]] const Repository* find_repository(const RepositoryName& name) const;
  [[nodiscard]] const Notifier* find_notifier(const NotifierName& name) const;
  [[nodiscard]] const Drill* find_drill(const DrillName& name) const;
  [[nodiscard]] const Alert* find_alert(const AlertName& name) const;
  // The repository a tier writes to: its own, or the policy's only repository. Never null for a built model.
  [[nodiscard]] const Repository* repository_for(const Tier& tier) const;
  // The tiers whose `covers` lists `tier` (their snapshot counts for `tier` on days both are due).
  [[nodiscard]] std::vector<const Tier*> tiers_covering(const Tier& tier) const;
  // The first exclusion whose predicate holds for `table` (evaluated with eligible = true), or null.
  [[nodiscard]] const Exclusion* exclusion_for(const TableAttributes& table) const;
};

}  // namespace sk::model
