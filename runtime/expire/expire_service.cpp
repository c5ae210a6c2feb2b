#include "runtime/expire/expire_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "kernel/dialect/starrocks_dialect.h"
#include "kernel/dialect/drop_snapshot.h"
#include "kernel/dialect/runner_sql.h"
#include "kernel/dialect/time_zone.h"
#include "runtime/jobs/lifecycle.h"
#include "runtime/jobs/server_views.h"
#include "runtime/expire/storage_delete.h"
#include "runtime/expire/storage_listing.h"
#include "runtime/ops/ops_store.h"
#include "runtime/s3/s3_config.h"

namespace sk::expire {
namespace {

Result<RepositoryListing> list_repository(ports::SqlConnection& conn, const RepositoryName& repo) {
  auto rows = conn.query(dialect::render_show_snapshot(repo));
  if (!rows) {
    if (ports::is_connection_error(rows.error())) return std::unexpected(std::move(rows.error()));
    return fail("expire.repository", "cannot list repository {}: {}; nothing was deleted", repo.str(),
                ports::server_text(rows.error()));
  }
  auto parsed = jobs::parse_show_snapshot(*rows);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  RepositoryListing listing{repo, {}};
  for (jobs::SnapshotRow& r : *parsed) {
    listing.snapshots[r.label] = Listed{std::move(r.timestamps), r.status, std::move(r.ttl), std::move(r.expire_time)};
  }
  return listing;
}

// StarRocks 4.2 prints a snapshot's TTL expiry in the cluster's time zone: read it (one SHOW VARIABLES, only when
// some snapshot has a ttl). An expiry that cannot be read stays unknown, and is reported as such, never guessed.
Status read_ttl_expiries(ports::SqlConnection& conn, std::vector<RepositoryListing>& listings) {
  const bool any = std::any_of(listings.begin(), listings.end(), [](const RepositoryListing& l) {
    return std::any_of(l.snapshots.begin(), l.snapshots.end(), [](const auto& kv) { return kv.second.ttl.has_value(); });
  });
  if (!any) return ok();
  auto rows = conn.query(dialect::render_show_time_zone());
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading the cluster's time zone"));
  std::optional<TimeZone> zone;
  if (const std::optional<std::string> value = jobs::time_zone_value(*rows)) {
    if (auto z = dialect::parse_time_zone_variable(*value)) zone = *z;
  }
  for (RepositoryListing& l : listings) {
    for (auto& [label, listed] : l.snapshots) {
      if (!listed.ttl || !listed.expire_text || !zone) continue;
      if (auto t = jobs::read_snapshot_time(*listed.expire_text, *zone)) listed.ttl_expires = *t;
    }
  }
  return ok();
}

// The repositories expired: the policy's, or the one asked for.
Result<std::vector<RepositoryName>> chosen_repositories(const model::Policy& policy, const Request& request) {
  std::vector<RepositoryName> out;
  for (const model::Repository& r : policy.repositories) {
    if (!request.repository || r.name == *request.repository) out.push_back(r.name);
  }
  if (out.empty()) {
    return fail("expire.usage", "repository {} is not in policy {}", request.repository->str(), policy.name);
  }
  return out;
}

// The expiry rows, and the (repository, label) pairs running restores read. A dry run does not migrate: before
// schema 3 there are no expiries.
Status load_ops_state(ops::OpsStore& store, const Env& env, bool dry_run, ExpireInput& in) {
  bool has_expiries = true;
  if (dry_run) {
    auto version = ops::current_schema_version(env.connection, env.ops);
    if (!version) return std::unexpected(std::move(version.error()));
    has_expiries = *version >= 3;
  }
  if (has_expiries) {
    auto expiries = store.load_expiries();
    if (!expiries) return std::unexpected(std::move(expiries.error()));
    in.expiries = std::move(*expiries);
  }
  auto restores = store.load_unfinished_restores();
  if (!restores) return std::unexpected(std::move(restores.error()));
  for (const ops::RestoreRecord& r : *restores) in.in_use.insert({r.repository.str(), r.label.str()});
  return ok();
}

Result<ExpireInput> gather(const model::Policy& policy, const Env& env, const Request& request, ops::OpsStore& store) {
  auto repos = chosen_repositories(policy, request);
  if (!repos) return std::unexpected(std::move(repos.error()));
  ExpireInput in{request.at, policy.time_zone, tier_retention(policy), Duration::from_days(1), env.ops.database,
                 {}, {}};
  if (!policy.tiers.empty()) {
    // Calendar months count by their fewest days: the catalog is never kept shorter than a tier.
    const auto shortest = [](const model::Tier& t) {
      return t.retain.calendar() ? Duration::from_days(t.retain.shortest_days()) : t.retain.fixed();
    };
    in.catalog_keep = shortest(*std::min_element(policy.tiers.begin(), policy.tiers.end(),
                                                 [&](const auto& a, const auto& b) { return shortest(a) < shortest(b); }));
  }
  in.keeps = tier_keeps(policy);
  auto history = load_finished_history(store);
  if (!history) return std::unexpected(std::move(history.error()));
  in.history = std::move(*history);
  if (auto s = load_ops_state(store, env, request.dry_run, in); !s) return std::unexpected(std::move(s.error()));
  for (const RepositoryName& r : *repos) {
    auto listing = list_repository(env.connection, r);
    if (!listing) return std::unexpected(std::move(listing.error()));
    in.repositories.push_back(std::move(*listing));
  }
  if (auto s = read_ttl_expiries(env.connection, in.repositories); !s) return std::unexpected(std::move(s.error()));
  return in;
}

// The object store and key prefix of each repository deletions happen in (before 4.2 only).
struct Storage {
  std::unique_ptr<s3::ObjectStore> store;
  std::string prefix;  // the location's key prefix ("" or ending in '/')
};
using Storages = std::map<std::string, Storage>;

// Opens every repository that has a snapshot to delete, before the first deletion: a missing credential or a
// location outside S3 stops the expire with nothing deleted.
Result<Storages> open_storages(const model::Policy& policy, const Env& env, const ExpirePlan& plan,
                               const std::string& version) {
  const std::string why = fmt::format(
      "StarRocks {} has no DROP SNAPSHOT (it arrived in 4.2), so snapshots are deleted in storage",
      version.empty() ? "(version unknown)" : version);
  if (!env.open_storage) return fail("expire.no_delete", "{}, which is not configured here; nothing was deleted", why);
  Storages out;
  for (const Decision& d : plan.decisions) {
    if (d.verdict != Verdict::kExpire || out.contains(d.repository.str())) continue;
    const model::Repository* repo = policy.find_repository(d.repository);
    if (!repo) return fail("expire.usage", "repository {} is not in policy {}", d.repository.str(), policy.name);
    auto location = s3::parse_location(repo->location);
    if (!location) {
      return fail("expire.no_delete", "{}: repository {}: {}; nothing was deleted", why, d.repository.str(),
                  location.error().message);
    }
    auto store = env.open_storage(*repo);
    if (!store) {
      return fail("expire.no_delete", "{}: repository {}: {}; nothing was deleted", why, d.repository.str(),
                  store.error().message);
    }
    out.emplace(d.repository.str(), Storage{std::move(*store), location->prefix});
  }
  return out;
}

ops::SnapshotKind ops_kind(Kind kind) {
  switch (kind) {
    case Kind::kCatalog:
      return ops::SnapshotKind::kCatalog;
    case Kind::kCanary:
      return ops::SnapshotKind::kCanary;
    case Kind::kData:
    case Kind::kUnknown:
      break;
  }
  return ops::SnapshotKind::kData;
}

ops::ExpiryRecord expiry_record(const Decision& d, const Request& request, const ExpireInput& in, Instant now) {
  ops::ExpiryRecord r{request.run_id, d.repository, d.label, d.database.value_or(in.ops_database)};
  r.kind = ops_kind(d.kind);
  r.tiers = d.tiers;
  r.backup_timestamp = d.backup_timestamp;
  r.method = ops::ExpiryMethod::kDropSnapshot;
  r.reason = fmt::format("{}", fmt::join(d.reasons, "; "));
  r.decided_at = now;
  return r;
}

bool listed(const ExpireInput& in, const Decision& d) {
  for (const RepositoryListing& l : in.repositories) {
    if (l.repository == d.repository) return l.snapshots.contains(d.label.str());
  }
  return false;
}

// The repository's storage failed a deletion: `repository.unreachable` for it (the runner's alert for a repository
// error), with the snapshot and the S3 error.
void alert_storage_failure(const Env& env, const Decision& d, const Error& error) {
  if (env.alert == nullptr) return;
  alerts::AlertContext c;
  c.repository = d.repository;
  c.label = d.label;
  c.database = d.database;
  c.detail = fmt::format("deleting snapshot {} in storage failed: {}", d.label.str(), error.describe());
  env.alert->raise(alerts::AlertKind::kRepositoryUnreachable, c);
}

// Before 4.2: the snapshot's objects, always the whole prefix (a resumed deletion finishes leftovers). A transport
// failure ends the expire (every further request would fail the same way); its row stays `deleting`, so the next
// expire resumes it and restores never offer it meanwhile.
Result<Deletion> delete_in_storage(const Env& env, Storage& storage, const Decision& d, Deletion del) {
  auto deleted = delete_snapshot_objects(*storage.store, snapshot_prefix(storage.prefix, d.repository, d.label));
  if (deleted) {
    del.already_gone = deleted->objects == 0;
    return del;
  }
  alert_storage_failure(env, d, deleted.error());
  if (deleted.error().code == "s3.transport") return std::unexpected(std::move(deleted.error()));
  del.outcome = Outcome::kFailed;
  del.error = deleted.error().message;
  return del;
}

// StarRocks 4.2 refuses DROP SNAPSHOT without FORCE when the snapshot's info file names another cluster (or none).
bool owned_by_another_cluster(const Error& e) { return jobs::server_error_contains(e, "Use DROP SNAPSHOT ... FORCE"); }

// One snapshot: recorded, deleted, settled. A lost connection ends the expire (the row stays `deleting`).
Result<Deletion> delete_one(const Env& env, ops::OpsStore& store, const ExpireInput& in, const Request& request,
                            const Decision& d, std::size_t index, Storages& storages) {
  ops::ExpiryRecord record = expiry_record(d, request, in, env.clock.now());
  auto storage = storages.find(d.repository.str());
  if (storage != storages.end()) record.method = ops::ExpiryMethod::kStorage;
  if (auto s = store.record_expiry(record); !s) return std::unexpected(std::move(s.error()));
  Deletion del{index, Outcome::kDeleted, std::nullopt, !listed(in, d)};
  if (storage != storages.end()) {
    auto done = delete_in_storage(env, storage->second, d, del);
    if (!done) return std::unexpected(std::move(done.error()));
    del = *done;
  } else if (!del.already_gone) {
    auto dropped = env.connection.execute(dialect::render_drop_snapshot(d.repository, d.label),
                                          ports::Idempotency::kNotIdempotent);
    if (!dropped && owned_by_another_cluster(dropped.error()) && d.kind == Kind::kData) {
      // Written by another cluster (e.g. before a cold start onto this one): the history records it FINISHED with
      // the backup timestamp the repository lists (the verdict required it), so it is starkeep's own.
      if (env.progress != nullptr) {
        *env.progress << fmt::format("{}: its info file names another cluster; ops.backup_history records it as "
                                     "starkeep's own, so DROP SNAPSHOT ... FORCE\n",
                                     d.label.str());
      }
      dropped = env.connection.execute(dialect::render_drop_snapshot_force(d.repository, d.label),
                                       ports::Idempotency::kNotIdempotent);
    }
    if (!dropped) {
      if (ports::is_connection_error(dropped.error())) return std::unexpected(std::move(dropped.error()));
      if (jobs::server_error_contains(dropped.error(), "Snapshot does not exist")) {
        del.already_gone = true;
      } else {
        del.outcome = Outcome::kFailed;
        del.error = ports::server_text(dropped.error());
        if (owned_by_another_cluster(dropped.error())) {
          *del.error += fmt::format(
              " — starkeep forces DROP SNAPSHOT only for data snapshots ops.backup_history records; if this {} "
              "snapshot is yours, drop it by hand with DROP SNAPSHOT ... FORCE",
              to_string(d.kind));
        }
      }
    }
  }
  record.state = del.outcome == Outcome::kDeleted ? ops::ExpiryState::kDeleted : ops::ExpiryState::kFailed;
  record.finished_at = env.clock.now();
  record.error_text = del.error;
  if (auto s = store.record_expiry(record); !s) return std::unexpected(std::move(s.error()));
  return del;
}

Status delete_expired(const Env& env, ops::OpsStore& store, const ExpireInput& in, const Request& request,
                      Storages& storages, Report& report) {
  const std::size_t total = report.plan.count(Verdict::kExpire);
  std::size_t done = 0;
  const auto started = env.clock.monotonic();
  const std::string task = fmt::format("expire {} snapshot(s)", total);
  for (std::size_t i = 0; i < report.plan.decisions.size(); ++i) {
    const Decision& d = report.plan.decisions[i];
    if (d.verdict != Verdict::kExpire) continue;
    if (env.stop && env.stop->load()) {
      if (env.display) env.display->done(task);
      return fail("expire.interrupted", "stopped after {} of {} deletions; the next expire goes on", done, total);
    }
    if (env.display) {
      env.display->update({task, fmt::format("deleting {}/{} {} on {}", done + 1, total, d.label.str(),
                                             d.repository.str()),
                           std::chrono::duration_cast<std::chrono::seconds>(env.clock.monotonic() - started)});
    }
    auto del = delete_one(env, store, in, request, d, i, storages);
    if (!del && env.display) env.display->done(task);
    if (!del) return std::unexpected(std::move(del.error()));
    ++done;
    if (env.progress) {
      *env.progress << fmt::format("expire: [{}/{}] {} {} on {}{}\n", done, total,
                                   del->outcome == Outcome::kDeleted ? "deleted" : "FAILED", d.label.str(),
                                   d.repository.str(), del->error ? ": " + *del->error : std::string());
    }
    report.deletions.push_back(std::move(*del));
  }
  if (env.display) env.display->done(task);
  return ok();
}

// The repository listed in storage for `repository check`, or why not (StorageStatus). Errors: a listing begun that
// failed (the store's "s3.*", with the repository named).
Status list_in_storage(const model::Policy& policy, const Env& env, const RepositoryName& name, StorageInput& storage,
                       CheckReport& report) {
  StorageStatus& status = report.storage.emplace_back(StorageStatus{name});
  const model::Repository* repo = policy.find_repository(name);
  if (!env.open_storage || !repo) {
    status.detail = "no storage access is configured for this check";
    return ok();
  }
  auto location = s3::parse_location(repo->location);
  if (!location) {
    status.detail = location.error().message;
    return ok();
  }
  auto opened = env.open_storage(*repo);
  if (!opened) {
    status.detail = opened.error().message;
    return ok();
  }
  auto listing = list_repository_storage(**opened, location->prefix, name);
  auto posture = listing ? repository::bucket_posture(policy, *repo, **opened)
                         : Result<std::vector<repository::PostureItem>>(std::unexpected(listing.error()));
  if (!posture) {
    Error e = std::move(posture.error());
    e.message = fmt::format("cannot {} repository {} in storage ({}): {}", listing ? "read the bucket of" : "list",
                            name.str(), (*opened)->describe(), e.message);
    return std::unexpected(std::move(e));
  }
  report.posture.insert(report.posture.end(), posture->begin(), posture->end());
  status.listed = true;
  status.detail = listing->store;
  status.objects = listing->objects;
  status.directories = listing->snapshots.size();
  status.requests = listing->requests;
  storage.listings.push_back(std::move(*listing));
  return ok();
}

}  // namespace

// Every FINISHED backup with its manifest and partition sets: three queries, whatever the history's size.
Result<std::vector<restore::Snapshot>> load_finished_history(ops::OpsStore& store) {
  auto attempts = store.load_finished_attempts();
  if (!attempts) return std::unexpected(std::move(attempts.error()));
  auto entries = store.load_all_manifests();
  if (!entries) return std::unexpected(std::move(entries.error()));
  auto sets = store.load_all_partition_sets();
  if (!sets) return std::unexpected(std::move(sets.error()));
  std::map<std::string, restore::Snapshot*> by_id;
  std::vector<restore::Snapshot> out;
  out.reserve(attempts->size());
  for (ops::BackupAttempt& a : *attempts) out.push_back(restore::Snapshot{std::move(a), {}, {}});
  for (restore::Snapshot& s : out) by_id[s.attempt.attempt_id()] = &s;
  for (ops::ManifestEntry& e : *entries) {
    if (auto it = by_id.find(e.attempt_id); it != by_id.end()) it->second->entries.push_back(std::move(e));
  }
  for (ops::PartitionSet& p : *sets) {
    if (auto it = by_id.find(p.attempt_id); it != by_id.end()) it->second->partition_sets.push_back(std::move(p));
  }
  return out;
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDeleted:
      return "deleted";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kNotRun:
      return "not_run";
  }
  return "not_run";
}

std::vector<analysis::retention::CountKeep> tier_keeps(const model::Policy& policy) {
  std::vector<analysis::retention::CountKeep> out;
  for (const model::Tier& t : policy.tiers) {
    if (t.keep) out.push_back({t.name.str(), t.keep->count});
  }
  return out;
}

std::map<std::string, RetainPeriod> tier_retention(const model::Policy& policy) {
  std::map<std::string, RetainPeriod> out;
  for (const model::Tier& t : policy.tiers) out.emplace(t.name.str(), t.retain);
  return out;
}

Result<CheckReport> check_repositories(const model::Policy& policy, const Env& env, const Request& request) {
  Request dry = request;
  dry.dry_run = true;
  ops::OpsStore store(env.connection, env.ops, env.clock);
  auto in = gather(policy, env, dry, store);
  if (!in) return std::unexpected(std::move(in.error()));
  CheckReport report;
  StorageInput storage;
  for (const RepositoryListing& l : in->repositories) {
    auto listed = list_in_storage(policy, env, l.repository, storage, report);
    if (!listed) return std::unexpected(std::move(listed.error()));
    const model::Repository* repo = policy.find_repository(l.repository);
    if (repo && repo->private_endpoint) {
      const repository::ResolveHost resolve = env.resolve ? env.resolve : repository::resolve_host;
      report.posture.push_back(repository::endpoint_posture(*repo, resolve));
    }
  }
  if (!storage.listings.empty()) {
    auto running = store.load_unfinished_attempts();
    if (!running) return std::unexpected(std::move(running.error()));
    for (const ops::BackupAttempt& a : *running) storage.running.insert({a.repository.str(), a.label.str()});
  }
  report.findings = check_findings(*in, decide(*in), storage);
  for (const RepositoryListing& l : in->repositories) {
    report.listed += l.snapshots.size();
    for (const restore::Snapshot& s : in->history) report.in_history += s.attempt.repository == l.repository ? 1 : 0;
  }
  return report;
}

Result<Report> run_expire(const model::Policy& policy, const Env& env, const Request& request) {
  if (!request.dry_run) {
    if (auto s = ops::migrate(env.connection, env.ops, env.clock, "starkeep expire " + request.run_id); !s) {
      return std::unexpected(std::move(s.error()));
    }
  }
  Report report;
  auto version = jobs::server_version(env.connection);
  if (!version) return std::unexpected(std::move(version.error()));
  report.server_version = *version;
  report.drop_snapshot = dialect::supports_drop_snapshot(*version);
  ops::OpsStore store(env.connection, env.ops, env.clock);
  auto in = gather(policy, env, request, store);
  if (!in) return std::unexpected(std::move(in.error()));
  report.plan = decide(*in);
  if (request.dry_run || report.plan.count(Verdict::kExpire) == 0) return report;
  Storages storages;
  if (!report.drop_snapshot) {
    auto opened = open_storages(policy, env, report.plan, report.server_version);
    if (!opened) return std::unexpected(std::move(opened.error()));
    storages = std::move(*opened);
  }
  if (auto s = delete_expired(env, store, *in, request, storages, report); !s) {
    return std::unexpected(std::move(s.error()));
  }
  return report;
}

}  // namespace sk::expire
