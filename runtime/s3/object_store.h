// ObjectStore: the port through which starkeep reads and deletes repository objects and reads a bucket's posture
// (versioning, Object Lock, lifecycle rules, policy). S3Client (s3_client.h) implements it over libcurl;
// InMemoryObjectStore (fake_object_store.h, tests only) implements it in memory, so `expire`, `repository check`
// and the emulator's S3 backend can be unit-tested without a server.
//
// One ObjectStore is bound to one bucket. Keys are full object keys (the repository prefix included).
// Posture reads return a Probe: *known* (the endpoint answered, including "not configured") or *unknown* (the
// endpoint does not implement the call: NotImplemented / 501, MethodNotAllowed / 405). Unknown is never a pass:
// callers must report it as such.
//
// Free functions list_all / for_each_page / delete_keys do the paging (one ListObjectsV2 request per ≤ 1000 keys)
// and batching (one DeleteObjects request per ≤ 1000 keys) on top of any implementation.
#pragma once

#include <cassert>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sk::s3 {

// S3's limit for one ListObjectsV2 page and one DeleteObjects request.
inline constexpr std::size_t kMaxKeysPerRequest = 1000;

// The answer to a posture read: a value, or "unknown" with the endpoint's reason.
template <typename T>
class Probe {
 public:
  [[nodiscard]] static Probe known(T value) { return Probe(std::move(value), {}); }
  [[nodiscard]] static Probe unknown(std::string reason) { return Probe(std::nullopt, std::move(reason)); }
  [[nodiscard]] bool is_known() const { return value_.has_value(); }
  // Precondition: is_known().
  [[nodiscard]] const T& value() const {
    assert(value_.has_value());
    return *value_;
  }
  // Why the answer is unknown ("" when known), e.g. "NotImplemented: A parameter you provided implies …".
  [[nodiscard]] const std::string& unknown_reason() const { return reason_; }

 private:
  Probe(std::optional<T> value, std::string reason) : value_(std::move(value)), reason_(std::move(reason)) {}
  std::optional<T> value_;
  std::string reason_;
};

struct ObjectSummary {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;           // as S3 sends it, quotes included
  std::string last_modified;  // ISO 8601 as S3 sends it
  friend bool operator==(const ObjectSummary&, const ObjectSummary&) = default;
};

struct ListRequest {
  std::string prefix;
  std::string delimiter;           // "" = flat listing
  std::string continuation_token;  // "" = first page
  int max_keys = static_cast<int>(kMaxKeysPerRequest);
};

struct ListPage {
  std::vector<ObjectSummary> objects;        // in S3 key order
  std::vector<std::string> common_prefixes;  // with a delimiter only
  std::optional<std::string> next_token;     // set exactly when the listing is truncated
};

struct KeyFailure {
  std::string key;
  std::string code;     // S3's error code for the key (e.g. AccessDenied), or "NotConfirmed"
  std::string message;
  friend bool operator==(const KeyFailure&, const KeyFailure&) = default;
};

// The answer to one DeleteObjects request. Every requested key is in exactly one of the two lists: a key the
// response neither confirmed nor refused is a failure with code "NotConfirmed".
struct DeleteBatch {
  std::vector<std::string> deleted;
  std::vector<KeyFailure> failed;
};

enum class VersioningStatus { kNeverEnabled, kEnabled, kSuspended };
[[nodiscard]] std::string_view to_string(VersioningStatus status);  // "never enabled", "Enabled", "Suspended"

struct BucketVersioning {
  VersioningStatus status = VersioningStatus::kNeverEnabled;
  bool mfa_delete = false;
};

enum class RetentionMode { kGovernance, kCompliance };
struct DefaultRetention {
  RetentionMode mode = RetentionMode::kGovernance;
  int days = 0;   // exactly one of days / years is positive
  int years = 0;
};
struct ObjectLockConfiguration {
  bool enabled = false;  // false: no Object Lock configuration on the bucket
  std::optional<DefaultRetention> default_retention;
};

struct LifecycleRule {
  std::string id;
  bool enabled = false;
  std::string prefix;             // Filter/Prefix, And/Prefix or the legacy Prefix; "" = the whole bucket
  bool other_filters = false;     // tags or object-size conditions narrow the rule beyond the prefix
  std::optional<int> expiration_days;
  std::optional<std::string> expiration_date;
  std::optional<int> noncurrent_days;            // NoncurrentVersionExpiration
  std::optional<int> abort_multipart_days;       // AbortIncompleteMultipartUpload
};
struct LifecycleConfiguration {
  std::vector<LifecycleRule> rules;  // empty: the bucket has no lifecycle configuration
};

struct BucketPolicy {
  std::optional<std::string> json;  // nullopt: the bucket has no policy
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // "s3://<bucket> at <endpoint>", for messages (no secrets).
  [[nodiscard]] virtual std::string describe() const = 0;

  // One ListObjectsV2 request (max_keys ≤ 1000).
  [[nodiscard]] virtual Result<ListPage> list_page(const ListRequest& request) = 0;
  // One DeleteObjects request for 1..1000 keys ("s3.usage" otherwise). Deleting a missing key succeeds (S3).
  [[nodiscard]] virtual Result<DeleteBatch> delete_batch(std::span<const std::string> keys) = 0;
  // GetObject / PutObject of small objects held in memory.
  [[nodiscard]] virtual Result<std::string> get_object(std::string_view key) = 0;
  [[nodiscard]] virtual Status put_object(std::string_view key, std::string_view body) = 0;

  [[nodiscard]] virtual Result<Probe<BucketVersioning>> bucket_versioning() = 0;
  [[nodiscard]] virtual Result<Probe<ObjectLockConfiguration>> object_lock_configuration() = 0;
  [[nodiscard]] virtual Result<Probe<LifecycleConfiguration>> lifecycle_configuration() = 0;
  [[nodiscard]] virtual Result<Probe<BucketPolicy>> bucket_policy() = 0;
};

// Calls `on_page` for every page of the listing of `prefix`, following continuation tokens (one request per page
// of up to 1000 keys). Stops at the first error (the store's, or `on_page`'s). A token that repeats the previous
// one is "s3.parse" (a server that would make the loop endless).
[[nodiscard]] Status for_each_page(ObjectStore& store, std::string_view prefix, std::string_view delimiter,
                                   const std::function<Status(const ListPage&)>& on_page);

struct Listing {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;
  int requests = 0;  // ListObjectsV2 requests made
};
// Every page of `prefix` collected in memory (for listings of bounded size; use for_each_page otherwise).
[[nodiscard]] Result<Listing> list_all(ObjectStore& store, std::string_view prefix, std::string_view delimiter = {});

// What delete_keys did. deleted ∪ failed ∪ not_confirmed = the keys given, each once. `error` is set when a
// request failed as a whole (after its retries): its keys and all later ones are `not_confirmed` (the failed
// request may have deleted some of its keys; a later listing tells). Only `deleted` may be recorded as gone.
struct DeleteReport {
  std::vector<std::string> deleted;
  std::vector<KeyFailure> failed;
  std::vector<std::string> not_confirmed;
  int requests = 0;  // DeleteObjects requests made
  std::optional<Error> error;
  [[nodiscard]] bool complete() const { return failed.empty() && not_confirmed.empty() && !error; }
};
// Deletes `keys` in order, in batches of up to 1000 (one DeleteObjects each), stopping at the first batch that
// fails as a whole. Never throws; the report says exactly which keys are gone.
[[nodiscard]] DeleteReport delete_keys(ObjectStore& store, std::span<const std::string> keys);

}  // namespace sk::s3
