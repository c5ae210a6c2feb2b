// The emulator's S3 repository backend: a repository's files are the objects under
// `<location prefix>__starrocks_repository_<name>/` of the location's bucket, read and written through the
// product's S3 client (runtime/s3: SigV4 by libcurl, bounded retries), so the emulated cluster writes to a real
// S3 API (s3rver in the tests) with the keys StarRocks writes. An upload is a PUT of `<file>.part`, a PUT of
// `<file>.<md5>` and a DELETE of the `.part`: StarRocks' rename through the s3a file system is a copy and a delete,
// which leaves the same objects. "Directories" are key prefixes: a `__ss_<label>/` directory exists while any key
// lives under it (so content left behind by an interrupted deletion is still listed, as StarRocks lists it).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "emulator/backup/repository_storage.h"

namespace sk::s3 {
class ObjectStore;
}

namespace sk::emu::backup {

// The repository `repo_dir` ("__starrocks_repository_<name>") at `location` (s3://, s3a:// or s3n://): endpoint,
// region and keys from `properties` (`aws.s3.endpoint`, `aws.s3.region`, `aws.s3.access_key`,
// `aws.s3.secret_key`), else from `defaults`. An endpoint without a scheme is taken as https://. Errors:
// "repo.bad_location" (not an S3 location, or no bucket: "bucket is null/empty"), "repo.config" (no endpoint, a
// plain-http endpoint that is not loopback, no keys).
[[nodiscard]] Result<std::shared_ptr<RepositoryStorage>> open_s3_storage(
    const S3Defaults& defaults, std::string_view location, std::string_view repo_dir,
    const std::map<std::string, std::string>& properties);

// The same over a given object store (bound to the location's bucket), for tests with an in-memory store.
[[nodiscard]] std::shared_ptr<RepositoryStorage> make_s3_storage(std::unique_ptr<s3::ObjectStore> store,
                                                                 std::string root_prefix);

}  // namespace sk::emu::backup
