#include "emulator/backup/s3_repository_storage.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <vector>

#include "runtime/s3/object_store.h"
#include "runtime/s3/s3_client.h"
#include "runtime/s3/s3_config.h"

namespace sk::emu::backup {

namespace {

std::string property_or(const std::map<std::string, std::string>& properties, const std::string& key,
                        const std::string& fallback) {
  auto it = properties.find(key);
  return it == properties.end() || it->second.empty() ? fallback : it->second;
}

// The objects under one key prefix. Every call holds the mutex: the S3 client keeps one connection and is not
// thread-safe, and the job thread and the connection threads share the repository.
class S3RepositoryStorage final : public RepositoryStorage {
 public:
  S3RepositoryStorage(std::unique_ptr<s3::ObjectStore> store, std::string root)
      : store_(std::move(store)), root_(std::move(root)) {}

  std::string describe() const override { return fmt::format("{} ({})", root_, store_->describe()); }

  Status probe() override {
    std::lock_guard lock(mu_);
    auto page = store_->list_page({root_, "/", "", 1});
    if (!page) return std::unexpected(page.error());
    return sk::ok();
  }

  Result<bool> exists(std::string_view path) override {
    std::lock_guard lock(mu_);
    auto page = store_->list_page({key(path), "", "", 1});
    if (!page) return std::unexpected(page.error());
    return !page->objects.empty() && page->objects.front().key == key(path);
  }

  Result<std::string> read(std::string_view path) override {
    std::lock_guard lock(mu_);
    auto body = store_->get_object(key(path));
    if (!body && body.error().code == "s3.not_found") return sk::fail("repo.io", "File does not exist: {}", key(path));
    return body;
  }

  Status write(std::string_view path, std::string_view data) override {
    std::lock_guard lock(mu_);
    return store_->put_object(key(path), data);
  }

  Result<std::string> upload(std::string_view base, std::string_view data) override {
    std::lock_guard lock(mu_);
    const std::string part = key(base) + std::string(kPartSuffix);
    const std::string md5 = md5_hex(data);
    if (auto s = store_->put_object(part, data); !s) return std::unexpected(s.error());
    if (auto s = store_->put_object(key(base) + "." + md5, data); !s) return std::unexpected(s.error());
    const std::vector<std::string> keys{part};
    const s3::DeleteReport removed = s3::delete_keys(*store_, keys);
    if (!removed.complete()) {
      return sk::fail("repo.io", "failed to rename {}: {}", part,
                      removed.error ? removed.error->message : std::string("the .part was not deleted"));
    }
    const std::size_t slash = base.rfind('/');
    return std::string(slash == std::string_view::npos ? base : base.substr(slash + 1)) + "." + md5;
  }

  // A flat listing, labels taken from the keys: what a delimiter listing's common prefixes give on S3, but
  // s3rver 3.7.1 omits a common prefix whose keys all lie one level deeper (`__ss_<label>/__ss_content/...` only:
  // exactly the content-only directory an interrupted deletion leaves), so the emulator does not rely on it.
  Result<std::vector<std::string>> snapshot_labels() override {
    std::lock_guard lock(mu_);
    const std::string prefix = root_ + std::string(kSnapshotDirPrefix);
    std::set<std::string> labels;
    auto listed = s3::for_each_page(*store_, prefix, "", [&](const s3::ListPage& page) -> Status {
      for (const s3::ObjectSummary& o : page.objects) {
        const std::size_t slash = o.key.find('/', prefix.size());
        if (slash != std::string::npos && slash > prefix.size()) {
          labels.insert(o.key.substr(prefix.size(), slash - prefix.size()));
        }
      }
      return sk::ok();
    });
    if (!listed) return std::unexpected(listed.error());
    return std::vector<std::string>(labels.begin(), labels.end());
  }

  Result<std::vector<std::string>> files_with_prefix(std::string_view dir, std::string_view prefix) override {
    std::lock_guard lock(mu_);
    const std::string dir_key = key(dir) + "/";
    auto listing = s3::list_all(*store_, dir_key + std::string(prefix), "/");
    if (!listing) return std::unexpected(listing.error());
    std::vector<std::string> out;
    for (const s3::ObjectSummary& o : listing->objects) out.push_back(o.key.substr(dir_key.size()));
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<std::vector<std::string>> files_under(std::string_view dir) override {
    std::lock_guard lock(mu_);
    auto listing = s3::list_all(*store_, key(dir) + "/");
    if (!listing) return std::unexpected(listing.error());
    std::vector<std::string> out;
    for (const s3::ObjectSummary& o : listing->objects) out.push_back(o.key.substr(root_.size()));
    std::sort(out.begin(), out.end());
    return out;
  }

  Status remove_tree(std::string_view dir) override {
    std::lock_guard lock(mu_);
    auto listing = s3::list_all(*store_, key(dir) + "/");
    if (!listing) return std::unexpected(listing.error());
    std::vector<std::string> keys;
    for (const s3::ObjectSummary& o : listing->objects) keys.push_back(o.key);
    if (keys.empty()) return sk::ok();
    const s3::DeleteReport report = s3::delete_keys(*store_, keys);
    if (report.complete()) return sk::ok();
    if (report.error) return std::unexpected(*report.error);
    return sk::fail("repo.io", "{} of {} objects under {} not deleted", report.failed.size() + report.not_confirmed.size(),
                    keys.size(), key(dir));
  }

 private:
  std::string key(std::string_view rel) const { return root_ + std::string(rel); }

  std::mutex mu_;
  std::unique_ptr<s3::ObjectStore> store_;
  std::string root_;  // "<location prefix>__starrocks_repository_<name>/"
};

// The endpoint text as StarRocks accepts it: with a scheme, or a bare host (HTTPS).
std::string endpoint_url(const std::string& text) {
  return text.find("://") == std::string::npos ? "https://" + text : text;
}

}  // namespace

std::shared_ptr<RepositoryStorage> make_s3_storage(std::unique_ptr<s3::ObjectStore> store, std::string root_prefix) {
  return std::make_shared<S3RepositoryStorage>(std::move(store), std::move(root_prefix));
}

Result<std::shared_ptr<RepositoryStorage>> open_s3_storage(const S3Defaults& defaults, std::string_view location,
                                                           std::string_view repo_dir,
                                                           const std::map<std::string, std::string>& properties) {
  auto parsed = s3::parse_location(location);
  if (!parsed) {
    const bool no_bucket = location.find("://") != std::string_view::npos &&
                           (location.substr(location.find("://") + 3).empty() ||
                            location.substr(location.find("://") + 3).front() == '/');
    return sk::fail("repo.bad_location", "{}", no_bucket ? "bucket is null/empty" : parsed.error().message);
  }
  const std::string endpoint_text = property_or(properties, "aws.s3.endpoint", defaults.endpoint);
  if (endpoint_text.empty()) {
    return sk::fail("repo.config", "no S3 endpoint: set aws.s3.endpoint or start the emulator with --s3-endpoint");
  }
  auto endpoint = s3::Endpoint::parse(endpoint_url(endpoint_text));
  if (!endpoint) return sk::fail("repo.config", "{}", endpoint.error().message);
  s3::S3Config config(std::move(*endpoint));
  config.region = property_or(properties, "aws.s3.region", defaults.region);
  config.bucket = parsed->bucket;
  config.addressing = s3::Addressing::kPath;
  config.credentials.access_key = property_or(properties, "aws.s3.access_key", defaults.access_key);
  config.credentials.secret_key = property_or(properties, "aws.s3.secret_key", defaults.secret_key);
  if (config.credentials.access_key.empty() || config.credentials.secret_key.empty()) {
    return sk::fail("repo.config", "no S3 keys: set aws.s3.access_key/aws.s3.secret_key or "
                                   "STARKEEP_EMU_S3_ACCESS_KEY/STARKEEP_EMU_S3_SECRET_KEY");
  }
  // A cluster's storage calls should fail fast when the store is down: two attempts, short waits.
  config.connect_timeout = std::chrono::milliseconds(2'000);
  config.request_timeout = std::chrono::milliseconds(20'000);
  config.retry.max_attempts = 2;
  config.retry.initial_backoff = std::chrono::milliseconds(50);
  config.retry.max_backoff = std::chrono::milliseconds(200);
  return make_s3_storage(s3::make_s3_client(std::move(config)), parsed->prefix + std::string(repo_dir) + "/");
}

}  // namespace sk::emu::backup
