#include "runtime/executor/run_support.h"

#include <fmt/format.h>

#include "common/error_codes.h"
#include "kernel/dialect/runner_sql.h"
#include "kernel/dialect/time_zone.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/jobs/server_views.h"
#include "runtime/verify/fingerprint.h"

namespace sk::executor::detail {

int rank(Outcome o) {
  switch (o) {
    case Outcome::kNothingDue:
      return 0;
    case Outcome::kAlreadyHandled:  // below success: a run that backed up what was left of its slot exits 0
      return 1;
    case Outcome::kSuccess:
      return 2;
    case Outcome::kConflict:
      return 3;
    case Outcome::kJobFailed:
      return 4;
    case Outcome::kRepositoryError:
      return 5;
    case Outcome::kPrecheckFailed:
      return 6;
    case Outcome::kConnectionFailed:
      return 7;
    case Outcome::kInterrupted:
      return 8;
  }
  return 0;
}

std::function<double()> jitter(const RunnerDeps& deps) {
  return deps.random01 ? deps.random01 : std::function<double()>(jobs::default_random01);
}

std::optional<std::int64_t> manifest_bytes(ops::OpsStore& store, const std::string& attempt_id) {
  auto manifest = store.load_manifest(attempt_id);
  if (!manifest || manifest->empty()) return std::nullopt;
  std::int64_t sum = 0;
  for (const auto& e : *manifest) {
    if (!e.data_size) return std::nullopt;
    sum += *e.data_size;
  }
  return sum;
}

void fingerprint_snapshot(ports::SqlConnection& conn, ops::OpsStore& store, const std::string& attempt_id,
                          const DatabaseName& db, RunLog& log, const LogFields& fields) {
  auto recorded = verify::record_attempt_fingerprints(conn, store, attempt_id, db);
  LogFields f = fields;
  f.event = "fingerprint";
  if (!recorded) {
    log.warn(f,
             "cannot record the snapshot's fingerprints (restores of it verify against the live data when "
             "unchanged): " +
                 recorded.error().describe());
    return;
  }
  std::string skipped;
  for (const auto& s : recorded->skipped) skipped += (skipped.empty() ? "" : "; ") + s;
  log.info(
      f, fmt::format("recorded {} partition fingerprint(s){}{}", recorded->recorded,
                     recorded->reused > 0
                         ? fmt::format(" ({} unchanged since an earlier snapshot's, not scanned again)",
                                       recorded->reused)
                         : std::string(),
                     skipped.empty() ? "" : "; not recorded (data changed since the snapshot): " + skipped));
}

bool is_repository_error(const Error& e) {
  return jobs::server_error_contains(e, "Repository") || jobs::server_error_contains(e, "repository ") ||
         jobs::server_error_contains(e, "failed to list remote path") ||
         jobs::server_error_contains(e, "is read only");
}

Result<TimeZone> cluster_zone(ports::SqlConnection& conn, RunLog& log) {
  auto rows = conn.query(dialect::render_show_time_zone());
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("reading the cluster's time zone"));
  std::string shown = "(none)";
  if (const std::optional<std::string> value = jobs::time_zone_value(*rows)) {
    if (auto zone = dialect::parse_time_zone_variable(*value)) return *zone;
    shown = "'" + *value + "'";
  }
  // Not a value StarRocks itself accepts: ask the server for its current offset rather than guess.
  auto offset = conn.query(dialect::render_utc_offset_query());
  if (!offset) return std::unexpected(std::move(offset.error()).with_context("reading the cluster's UTC offset"));
  auto seconds = offset->empty() ? Result<std::optional<std::int64_t>>(std::nullopt)
                                 : offset->get_int(0, "utc_offset_seconds");
  if (!seconds || !*seconds || **seconds < -18 * 3600 || **seconds > 18 * 3600) {
    return fail(errc::kClusterTimeZone,
                "the cluster's time_zone {} is no zone StarRocks accepts, and the server did not report its UTC "
                "offset; server times cannot be read (set time_zone to an IANA name or an offset such as +08:00)",
                shown);
  }
  const TimeZone zone = TimeZone::fixed(static_cast<int>(**seconds));
  log.warn({"cluster.time_zone"},
           fmt::format("the cluster's time_zone {} is no zone starkeep knows; reading server times at the server's "
                       "current UTC offset {} (times on the other side of a daylight-saving change are off by it)",
                       shown, zone.name()));
  return zone;
}

Result<std::vector<jobs::SnapshotRow>> show_snapshot(ports::SqlConnection& conn, const RepositoryName& repo,
                                                     const std::optional<SnapshotLabel>& label) {
  auto rows = conn.query(dialect::render_show_snapshot(repo, label));
  if (!rows) return std::unexpected(std::move(rows.error()).with_context("SHOW SNAPSHOT ON " + repo.str()));
  return jobs::parse_show_snapshot(*rows);
}

std::optional<BackupTimestamp> finished_timestamp(ports::SqlConnection& conn, const RepositoryName& repo,
                                                  const SnapshotLabel& label) {
  auto ts = jobs::finished_snapshot(conn, repo, label);
  return ts ? *ts : std::nullopt;
}

bool marker_alive(const ops::RunMarker& m, const RunConfig& config, RunnerDeps& deps) {
  if (m.run_id == config.run_id) return true;
  if (m.host == config.host) {
    if (deps.process_alive && !deps.process_alive(m.host, m.pid)) return false;
    // Issue 10 item 5: a live process with the marker's pid is the run only when it started when the run did (same
    // boot, same start time); otherwise the pid was reused and the run is dead, however fresh its last heartbeat.
    if (m.process_start && deps.process_start) {
      const std::optional<std::string> now = deps.process_start(m.pid);
      if (now && *now != *m.process_start) return false;
    }
  }
  return (deps.clock.now() - m.heartbeat_at).seconds() <= config.stale_heartbeat.count();
}

bool run_is_dead(ops::OpsStore& store, const ops::BackupAttempt& attempt, const RunConfig& config,
                 RunnerDeps& deps, std::vector<ops::RunMarker>& dead_markers) {
  if (attempt.run_id == config.run_id) return false;
  auto markers = store.load_active_runs(attempt.database);
  if (!markers) return false;  // cannot tell: leave it for a later run
  for (const auto& m : *markers) {
    if (m.run_id != attempt.run_id) continue;
    if (marker_alive(m, config, deps)) return false;
    dead_markers.push_back(m);
    return true;
  }
  return true;  // no active marker: the run ended (or never marked) without settling the row
}

}  // namespace sk::executor::detail
