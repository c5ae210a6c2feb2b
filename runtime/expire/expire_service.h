// The service behind `starkeep expire`: gathers what the verdicts need — the whole backup history (three queries),
// the earlier expiries, the restores still running, SHOW SNAPSHOT of every repository expired — decides
// (expire_plan.h) and, unless it is a dry run, deletes every snapshot the verdicts expire:
//
//  1. a row in ops.snapshot_expiry, state `deleting`, before anything is deleted (so a killed expire is finished
//     by the next one, and restore planning never offers a snapshot on its way out);
//  2. DROP SNAPSHOT `label` ON `repo` (StarRocks 4.2+; a snapshot the repository no longer lists, or that the
//     server says does not exist, counts as deleted), or, before 4.2, its objects deleted through the repository's
//     S3 API (storage_delete.h: info and meta first, then the content; always the whole prefix, so a resumed
//     deletion finishes content an earlier one left);
//  3. the row settled: `deleted`, or `failed` with the server's error (the next expire retries).
// A storage deletion that fails on the S3 API (endpoint unreachable, credentials refused, objects not deleted)
// raises `repository.unreachable` through Env::alert for the repository (one per snapshot it failed on).
// Nothing is deleted when any repository cannot be listed (expire.repository) or when the server has no DROP
// SNAPSHOT and no storage access is configured (expire.no_delete): both are found before the first deletion.
// A stop request (SIGTERM) is honoured between deletions (expire.interrupted). Not thread-safe (one connection).
#pragma once

#include <atomic>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/expire/expire_plan.h"
#include "runtime/expire/repository_check.h"
#include "runtime/alerts/alert_port.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/progress.h"
#include "runtime/ports/sql_connection.h"
#include "runtime/repository/posture.h"
#include "runtime/s3/object_store.h"

namespace sk::expire {

// Opens the object store of a policy repository (s3::config_for + s3::make_s3_client in the CLI; a fake in tests).
using OpenStorage = std::function<Result<std::unique_ptr<s3::ObjectStore>>(const model::Repository&)>;

struct Env {
  ports::SqlConnection& connection;
  ops::OpsConfig ops;
  ports::Clock& clock;
  std::ostream* progress = nullptr;           // one line per deletion
  const std::atomic<bool>* stop = nullptr;    // set by SIGTERM/SIGINT
  OpenStorage open_storage{};                 // used only when the server has no DROP SNAPSHOT; empty: none
  ports::Progress* display = nullptr;         // the updating progress line: which deletion, elapsed time
  alerts::AlertPort* alert = nullptr;         // repository.unreachable on a failed storage deletion; may be null
  repository::ResolveHost resolve{};          // repository check's private-endpoint check; empty: getaddrinfo
};

struct Request {
  Instant at;                                   // the instant the verdicts are taken at
  std::optional<RepositoryName> repository{};   // only this repository of the policy
  bool dry_run = true;
  std::string run_id{};                         // recorded in ops.snapshot_expiry
};

enum class Outcome { kDeleted, kFailed, kNotRun };
[[nodiscard]] std::string_view to_string(Outcome outcome);

struct Deletion {
  std::size_t decision = 0;  // index into the plan's decisions
  Outcome outcome = Outcome::kNotRun;
  std::optional<std::string> error{};
  bool already_gone = false;  // the repository no longer listed it, or the server said it does not exist
};

struct Report {
  ExpirePlan plan;
  std::string server_version;
  bool drop_snapshot = false;      // the server supports DROP SNAPSHOT
  std::vector<Deletion> deletions{};  // one per expired decision, in plan order (empty on a dry run)
};

[[nodiscard]] Result<Report> run_expire(const model::Policy& policy, const Env& env, const Request& request);

// `starkeep repository check` (repository_check.h): the same inputs as a dry run of expire (nothing is written,
// the ops schema is not migrated), plus — where `Env::open_storage` opens the repository's bucket — the repository
// listed in storage (storage_listing.h); the findings, and how many snapshots were weighed.
//
// The storage listing of a repository is *not done*, and says why, when the check has no storage access
// (no open_storage, missing credential variables, an instance-profile or assume-role repository, a location
// outside S3): never a silent pass; its bucket posture is then not read either. A listing that fails once begun (endpoint unreachable, access denied) fails the
// check with the store's error ("s3.*": exit 14), as a SHOW SNAPSHOT that fails does.
struct StorageStatus {
  RepositoryName repository;
  bool listed = false;
  std::string detail{};          // listed: the store ("s3://bucket at endpoint"); not listed: why not
  std::size_t objects = 0;       // keys under the repository prefix
  std::size_t directories = 0;   // snapshot directories (`__ss_<label>/`)
  int requests = 0;              // ListObjectsV2 requests
};
struct CheckReport {
  std::vector<Finding> findings;
  // Bucket posture (runtime/repository/posture.h): versioning, Object Lock and lifecycle of every repository listed
  // in storage, and the endpoint of every `private_endpoint = true` repository.
  std::vector<repository::PostureItem> posture{};
  std::size_t listed = 0;       // labels the repositories list
  std::size_t in_history = 0;   // FINISHED backups of those repositories in ops.backup_history
  std::vector<StorageStatus> storage{};  // one per repository checked, in policy order
};
[[nodiscard]] Result<CheckReport> check_repositories(const model::Policy& policy, const Env& env,
                                                     const Request& request);

// Every FINISHED backup with its manifest and partition sets: three queries, whatever the history's size (expire,
// repository check and the KPI report's restore-point timeline weigh the same history).
[[nodiscard]] Result<std::vector<restore::Snapshot>> load_finished_history(ops::OpsStore& store);

// The policy's retention inputs: tier name → retain, and the shortest retain (catalog snapshots' keep).
[[nodiscard]] std::map<std::string, RetainPeriod> tier_retention(const model::Policy& policy);
// The tiers' count-based keeps (`keep = last 7`, `keep = at least 3`).
[[nodiscard]] std::vector<analysis::retention::CountKeep> tier_keeps(const model::Policy& policy);

}  // namespace sk::expire
