// Readers of S3's XML answers, strict: a required element that is missing or a number that does not parse is
// "s3.parse" naming the element, never a silently empty result. Pure; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "runtime/s3/object_store.h"

namespace sk::s3 {

// An <Error> document (any status ≥ 300). Bodies that are not S3 errors (empty, HTML from a proxy) give empty
// fields rather than an error: the status still tells what happened.
struct S3ErrorBody {
  std::string code;  // "NoSuchBucket", "SlowDown", …
  std::string message;
  std::string request_id;
};
[[nodiscard]] S3ErrorBody parse_error_body(std::string_view body);

// <ListBucketResult> of ListObjectsV2. IsTruncated is required; a truncated page without NextContinuationToken
// is refused (following it would loop).
[[nodiscard]] Result<ListPage> parse_list_objects(std::string_view body);

// <DeleteResult>: <Deleted><Key> and <Error><Key><Code><Message> entries, matched against the keys requested; a
// requested key in neither list becomes a failure "NotConfirmed", a key the request did not contain is refused.
[[nodiscard]] Result<DeleteBatch> parse_delete_result(std::string_view body, std::span<const std::string> requested);

// <VersioningConfiguration> (empty when versioning was never enabled).
[[nodiscard]] Result<BucketVersioning> parse_versioning(std::string_view body);
// <ObjectLockConfiguration> with ObjectLockEnabled and an optional Rule/DefaultRetention (Mode and Days or Years).
[[nodiscard]] Result<ObjectLockConfiguration> parse_object_lock(std::string_view body);
// <LifecycleConfiguration> with its rules (ID, Status, Filter/Prefix, Expiration, NoncurrentVersionExpiration,
// AbortIncompleteMultipartUpload; transitions are not read).
[[nodiscard]] Result<LifecycleConfiguration> parse_lifecycle(std::string_view body);

}  // namespace sk::s3
