// The repository as storage holds it, for `repository check` (docs/retention.md, "Repository check"): what SHOW
// SNAPSHOT cannot see. StarRocks keeps each snapshot under <location prefix>__starrocks_repository_<repo>/__ss_<label>/
// — `__meta.<md5>`, `__info_<timestamp>.<md5>` and the content tree `__ss_content/…` — next to the repository's
// `__repo_info`; uploads are written as `<name>.part` and renamed (reference/starrocks.md §1.5). The FE lists a label
// only when it can read an info file, so a directory with content and no info (an interrupted deletion in storage,
// a lifecycle rule that took the small files first) or an abandoned `.part` upload is invisible to SHOW SNAPSHOT.
//
// The listing is flat: ListObjectsV2 of the repository prefix without a delimiter, one request per 1000 keys,
// streamed page by page into one summary per snapshot directory (memory grows with the directories, not the
// objects). A delimiter listing would need one request for the directories plus at least one per directory to see
// inside it — more requests whenever snapshots are small, and never fewer than ⌈objects / 1000⌉ anyway.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "runtime/s3/object_store.h"

namespace sk::expire {

// One `__ss_<label>/` directory.
struct StoredSnapshot {
  std::vector<std::string> info;        // final `__info_*` object names (no `.part`), in key order
  std::size_t meta = 0;                 // final `__meta*` objects
  std::size_t content = 0;              // objects under `__ss_content/` (`.part` ones excluded)
  std::vector<std::string> parts;       // `.part` objects, names relative to the directory, in key order
  std::size_t other = 0;                // any other object in the directory
};

struct StorageListing {
  RepositoryName repository;
  std::string store;                              // "s3://bucket at endpoint", for messages
  std::string prefix;                             // "<location prefix>__starrocks_repository_<repo>/"
  std::map<std::string, StoredSnapshot> snapshots;  // by label
  std::vector<std::string> stray;  // keys under the prefix outside the layout (relative to it); __repo_info is not
  std::size_t objects = 0;
  int requests = 0;  // ListObjectsV2 requests
};

// "<location prefix>__starrocks_repository_<repo>/" for a location prefix as s3::parse_location returns it.
[[nodiscard]] std::string repository_prefix(std::string_view location_prefix, const RepositoryName& repository);

// Lists the repository's prefix in `store` (flat, one request per 1000 keys). Errors: the store's ("s3.*").
[[nodiscard]] Result<StorageListing> list_repository_storage(s3::ObjectStore& store, std::string_view location_prefix,
                                                             const RepositoryName& repository);

// Why a snapshot directory is incomplete ("" when it holds info, meta and content and no unfinished upload):
// "content only: 3 object(s), no __info_ file", "info without content", "no __meta file",
// "2 unfinished upload(s) (__ss_content/a.dat.part, …)".
[[nodiscard]] std::string incomplete(const StoredSnapshot& snapshot);

}  // namespace sk::expire
