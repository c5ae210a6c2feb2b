#include "runtime/expire/storage_delete.h"

#include <fmt/format.h>

#include <vector>

#include "runtime/expire/test_pause.h"

namespace sk::expire {
namespace {

// The object's name within the snapshot directory starts with __info_ or __meta: what SHOW SNAPSHOT reads.
bool is_info_or_meta(std::string_view key, std::string_view prefix) {
  const std::string_view name = key.substr(prefix.size());
  return name.starts_with("__info_") || name.starts_with("__meta");
}

Status delete_all(s3::ObjectStore& store, const std::vector<std::string>& keys, StorageDeletion& out) {
  if (keys.empty()) return ok();
  const s3::DeleteReport report = s3::delete_keys(store, keys);
  out.delete_requests += report.requests;
  if (report.complete()) return ok();
  if (report.error && report.failed.empty()) return std::unexpected(*report.error);
  const std::string first =
      report.failed.empty() ? "not confirmed" : report.failed.front().code + " on " + report.failed.front().key;
  return fail("expire.storage", "{} of {} objects not deleted ({}); the next expire retries",
              report.failed.size() + report.not_confirmed.size(), keys.size(), first);
}

}  // namespace

std::string snapshot_prefix(std::string_view location_prefix, const RepositoryName& repository,
                            const SnapshotLabel& label) {
  return fmt::format("{}__starrocks_repository_{}/__ss_{}/", location_prefix, repository.str(), label.str());
}

Result<StorageDeletion> delete_snapshot_objects(s3::ObjectStore& store, std::string_view prefix) {
  auto listing = s3::list_all(store, prefix);
  if (!listing) return std::unexpected(std::move(listing.error()));
  StorageDeletion out{listing->objects.size(), listing->requests, 0};
  std::vector<std::string> first, rest;
  for (const s3::ObjectSummary& o : listing->objects) {
    (is_info_or_meta(o.key, prefix) ? first : rest).push_back(o.key);
  }
  if (auto s = delete_all(store, first, out); !s) return std::unexpected(std::move(s.error()));
  test_pause_point(kPauseInfoDeleted);  // tests only: the snapshot has left SHOW SNAPSHOT, its content not yet
  if (auto s = delete_all(store, rest, out); !s) return std::unexpected(std::move(s.error()));
  return out;
}

}  // namespace sk::expire
