// InMemoryObjectStore: an ObjectStore test double (tests only, target sk_s3_fakes). Objects live in a sorted map,
// listings page like S3 (key order, prefix, delimiter, max-keys, an opaque continuation token), DeleteObjects
// confirms every key. Every call is counted, the next calls of an operation can be made to fail, and the posture
// answers are set by the test (unknown until set, so a test never gets a "pass" it did not ask for).
// Not thread-safe.
#pragma once

#include <optional>
#include <utility>
#include <map>
#include <string>

#include "runtime/s3/object_store.h"

namespace sk::s3 {

class InMemoryObjectStore final : public ObjectStore {
 public:
  enum class Operation { kList, kDelete, kGet, kPut, kPosture };

  explicit InMemoryObjectStore(std::string bucket = "fake-bucket") : bucket_(std::move(bucket)) {}

  [[nodiscard]] std::string describe() const override { return "s3://" + bucket_ + " (in memory)"; }
  [[nodiscard]] Result<ListPage> list_page(const ListRequest& request) override;
  [[nodiscard]] Result<DeleteBatch> delete_batch(std::span<const std::string> keys) override;
  [[nodiscard]] Result<std::string> get_object(std::string_view key) override;
  [[nodiscard]] Status put_object(std::string_view key, std::string_view body) override;
  [[nodiscard]] Result<Probe<BucketVersioning>> bucket_versioning() override;
  [[nodiscard]] Result<Probe<ObjectLockConfiguration>> object_lock_configuration() override;
  [[nodiscard]] Result<Probe<LifecycleConfiguration>> lifecycle_configuration() override;
  [[nodiscard]] Result<Probe<BucketPolicy>> bucket_policy() override;

  // Call number `call` of `operation` (counted from 1 over the store's life) fails with `error`.
  void fail_call(Operation operation, int call, Error error) { failures_[{operation, call}] = std::move(error); }
  // The next call of `operation` fails with `error`.
  void fail_next(Operation operation, Error error) { fail_call(operation, calls(operation) + 1, std::move(error)); }
  [[nodiscard]] int calls(Operation operation) const;
  [[nodiscard]] const std::map<std::string, std::string, std::less<>>& objects() const { return objects_; }

  std::optional<Probe<BucketVersioning>> versioning;
  std::optional<Probe<ObjectLockConfiguration>> object_lock;
  std::optional<Probe<LifecycleConfiguration>> lifecycle;
  std::optional<Probe<BucketPolicy>> policy;

 private:
  // The queued failure for `operation`, counting the call.
  std::optional<Error> begin(Operation operation);
  template <typename T>
  Result<Probe<T>> posture(const std::optional<Probe<T>>& answer);

  std::string bucket_;
  std::map<std::string, std::string, std::less<>> objects_;
  std::map<std::pair<Operation, int>, Error> failures_;
  std::map<Operation, int> calls_;
};

}  // namespace sk::s3
