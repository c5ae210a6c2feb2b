// Deleting one snapshot in storage, for servers without DROP SNAPSHOT (StarRocks before 4.2): every object under
// <location prefix>__starrocks_repository_<repo>/__ss_<label>/ (reference/starrocks.md: a snapshot lives entirely
// under that prefix). The `__info_*` and `__meta*` objects go first — the snapshot leaves SHOW SNAPSHOT, so no
// restore can start on a half-deleted snapshot — then the content. A crash or an error in between leaves content
// only: the next expire deletes the whole prefix again (deleting a missing key succeeds), and `repository check`
// reports it until then. Listing: one request per 1000 keys; deletion: one request per 1000 keys.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "runtime/s3/object_store.h"

namespace sk::expire {

// "<prefix>__starrocks_repository_<repo>/__ss_<label>/" for a location prefix as s3::parse_location returns it.
[[nodiscard]] std::string snapshot_prefix(std::string_view location_prefix, const RepositoryName& repository,
                                          const SnapshotLabel& label);

struct StorageDeletion {
  std::size_t objects = 0;  // listed under the prefix
  int list_requests = 0;
  int delete_requests = 0;
};

// Deletes every object under `prefix`, info and meta objects first. Errors: the store's ("s3.*"), or
// "expire.storage" when a key was refused or not confirmed (how many, and the first key's code).
[[nodiscard]] Result<StorageDeletion> delete_snapshot_objects(s3::ObjectStore& store, std::string_view prefix);

}  // namespace sk::expire
