#include "runtime/s3/fake_object_store.h"

#include <algorithm>
#include <set>

namespace sk::s3 {

std::optional<Error> InMemoryObjectStore::begin(Operation operation) {
  const auto it = failures_.find({operation, ++calls_[operation]});
  if (it == failures_.end()) return std::nullopt;
  return it->second;
}

int InMemoryObjectStore::calls(Operation operation) const {
  const auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

Result<ListPage> InMemoryObjectStore::list_page(const ListRequest& request) {
  if (auto e = begin(Operation::kList)) return std::unexpected(std::move(*e));
  ListPage page;
  std::set<std::string> prefixes;
  const std::size_t max = static_cast<std::size_t>(std::clamp(request.max_keys, 1, int{kMaxKeysPerRequest}));
  auto it = request.continuation_token.empty() ? objects_.lower_bound(request.prefix)
                                               : objects_.upper_bound(request.continuation_token);
  std::string last;
  while (it != objects_.end() && it->first.starts_with(request.prefix)) {
    if (page.objects.size() + prefixes.size() == max) {
      page.next_token = last;
      break;
    }
    const std::string& key = it->first;
    const std::size_t cut = request.delimiter.empty() ? std::string::npos
                                                      : key.find(request.delimiter, request.prefix.size());
    if (cut == std::string::npos) {
      page.objects.push_back({key, it->second.size(), "\"fake\"", "2026-01-01T00:00:00.000Z"});
      last = key;
      ++it;
      continue;
    }
    const std::string common = key.substr(0, cut + request.delimiter.size());
    prefixes.insert(common);
    for (; it != objects_.end() && it->first.starts_with(common); ++it) last = it->first;  // one entry, like S3
  }
  page.common_prefixes.assign(prefixes.begin(), prefixes.end());
  return page;
}

Result<DeleteBatch> InMemoryObjectStore::delete_batch(std::span<const std::string> keys) {
  if (auto e = begin(Operation::kDelete)) return std::unexpected(std::move(*e));
  if (keys.empty() || keys.size() > kMaxKeysPerRequest) {
    return fail("s3.usage", "DeleteObjects takes 1 to {} keys, not {}", kMaxKeysPerRequest, keys.size());
  }
  DeleteBatch batch;
  for (const auto& key : keys) {
    objects_.erase(key);
    batch.deleted.push_back(key);
  }
  return batch;
}

Result<std::string> InMemoryObjectStore::get_object(std::string_view key) {
  if (auto e = begin(Operation::kGet)) return std::unexpected(std::move(*e));
  const auto it = objects_.find(key);
  if (it == objects_.end()) return fail("s3.not_found", "S3 GetObject on {}: HTTP 404 NoSuchKey", describe());
  return it->second;
}

Status InMemoryObjectStore::put_object(std::string_view key, std::string_view body) {
  if (auto e = begin(Operation::kPut)) return std::unexpected(std::move(*e));
  objects_.insert_or_assign(std::string(key), std::string(body));
  return ok();
}

template <typename T>
Result<Probe<T>> InMemoryObjectStore::posture(const std::optional<Probe<T>>& answer) {
  if (auto e = begin(Operation::kPosture)) return std::unexpected(std::move(*e));
  return answer ? *answer : Probe<T>::unknown("not set in the in-memory store");
}

Result<Probe<BucketVersioning>> InMemoryObjectStore::bucket_versioning() { return posture(versioning); }
Result<Probe<ObjectLockConfiguration>> InMemoryObjectStore::object_lock_configuration() {
  return posture(object_lock);
}
Result<Probe<LifecycleConfiguration>> InMemoryObjectStore::lifecycle_configuration() { return posture(lifecycle); }
Result<Probe<BucketPolicy>> InMemoryObjectStore::bucket_policy() { return posture(policy); }

}  // namespace sk::s3
