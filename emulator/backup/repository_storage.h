// The emulator's stand-in for remote backup storage. A repository's files live under one root,
// `<location>/__starrocks_repository_<name>/`, laid out as StarRocks lays out a repository (reference §1.5):
// `__repo_info`, `__ss_<label>/__meta.<md5>`, `__ss_<label>/__info_<timestamp>.<md5>`, `__ss_<label>/__ss_content/...`.
// Uploads are written as `<file>.part` and then renamed to `<file>.<md5>` (FE Repository.upload: storage.upload
// of the `.part`, then storage.rename; on S3 the rename is a copy of the object to its final key and a delete of
// the `.part`, which is what the S3 backend does: a PUT of the final key, then a DELETE of the `.part`).
//
// RepositoryStorage is that root behind an interface with two implementations:
//  * LocalRepositoryStorage — a local directory tree under EmulatorConfig::repository_root (`s3a://bucket/prefix`
//    → `<root>/bucket/prefix`); the default, and the fast one for tests;
//  * S3RepositoryStorage (s3_repository_storage.h) — the objects of an S3 bucket through the product's S3 client
//    (runtime/s3), so the emulated cluster writes to s3rver exactly as StarRocks writes to S3.
// Two emulator instances sharing the root (or the bucket) see each other's snapshots, as two clusters sharing a
// bucket do. Paths given to a storage are relative to the repository root, '/'-separated, never starting with '/'.
// Implementations are thread-safe (the job thread and connection threads share one).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sk::emu::backup {

// Where a location URI lives on local disk: `s3a://bucket/prefix` (also s3://, oss://, cos://, cosn://,
// obs://, gs://) → `<root>/bucket/prefix`; `hdfs://host:port/path` → `<root>/hdfs/host/path`. Errors for an
// empty root, an unknown scheme or a location without a bucket/host.
Result<std::filesystem::path> map_location(const std::string& root, std::string_view location);

// `location` without trailing slashes (StarRocks strips them at CREATE REPOSITORY).
std::string normalize_location(std::string_view location);

inline constexpr std::string_view kRepoDirPrefix = "__starrocks_repository_";
inline constexpr std::string_view kSnapshotDirPrefix = "__ss_";
inline constexpr std::string_view kInfoPrefix = "__info_";
inline constexpr std::string_view kMetaFile = "__meta";
inline constexpr std::string_view kContentDir = "__ss_content";
inline constexpr std::string_view kRepoInfoFile = "__repo_info";
inline constexpr std::string_view kPartSuffix = ".part";

// Hex MD5 of `data`.
std::string md5_hex(std::string_view data);

// Splits `name.<32-hex md5>` into name and md5; false when the suffix is not an md5 (e.g. `.part`).
bool decode_checksum_name(std::string_view file, std::string& name, std::string& md5);

// "__ss_<label>" and "__ss_<label>/__ss_content": the relative directories of one snapshot.
std::string snapshot_dir(std::string_view label);
std::string content_dir(std::string_view label);

class RepositoryStorage {
 public:
  virtual ~RepositoryStorage() = default;

  // Where the repository root is ("<dir>" or "s3://bucket/prefix/... at <endpoint>"), for messages.
  [[nodiscard]] virtual std::string describe() const = 0;
  // Ok when the storage answers (a listing of the root succeeds); the error otherwise (the repository "ping").
  [[nodiscard]] virtual Status probe() = 0;
  [[nodiscard]] virtual Result<bool> exists(std::string_view path) = 0;
  // "repo.io" with "File does not exist: …" when absent.
  [[nodiscard]] virtual Result<std::string> read(std::string_view path) = 0;
  // Writes `path` as it is (no `.part`, no checksum): __repo_info.
  [[nodiscard]] virtual Status write(std::string_view path, std::string_view data) = 0;
  // Writes `<base>.part`, then renames it to `<base>.<md5>`; returns the final file name (no directory).
  [[nodiscard]] virtual Result<std::string> upload(std::string_view base, std::string_view data) = 0;
  // Labels of the `__ss_<label>` directories of the repository, sorted (on S3: every label some key lives under).
  [[nodiscard]] virtual Result<std::vector<std::string>> snapshot_labels() = 0;
  // Names of the files directly in directory `dir` that start with `prefix`, sorted; an absent directory gives an
  // empty list.
  [[nodiscard]] virtual Result<std::vector<std::string>> files_with_prefix(std::string_view dir,
                                                                           std::string_view prefix) = 0;
  // Paths (relative to the root) of every file under `dir`, recursively, sorted.
  [[nodiscard]] virtual Result<std::vector<std::string>> files_under(std::string_view dir) = 0;
  // Deletes every file under `dir` (absent: ok).
  [[nodiscard]] virtual Status remove_tree(std::string_view dir) = 0;
};

// The local directory implementation, rooted at `root` (the `__starrocks_repository_<name>` directory).
[[nodiscard]] std::shared_ptr<RepositoryStorage> make_local_storage(std::filesystem::path root);

// Which backend the emulator's repositories use (flag --repository-backend).
enum class StorageBackend { kLocal, kS3 };

// Where the S3 backend sends requests unless the repository's PROPERTIES say otherwise (flags --s3-endpoint,
// --s3-region; keys from STARKEEP_EMU_S3_ACCESS_KEY / STARKEEP_EMU_S3_SECRET_KEY). Holds secrets: never log.
struct S3Defaults {
  std::string endpoint;  // "http://127.0.0.1:port" (loopback) or "https://…"
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
};

struct StorageSettings {
  StorageBackend backend = StorageBackend::kLocal;
  std::string repository_root;  // the local backend's root directory
  S3Defaults s3;
};

// The storage of repository `name` at `location` (normalized), created with `properties` (CREATE REPOSITORY's
// PROPERTIES: on the S3 backend `aws.s3.endpoint`, `aws.s3.region`, `aws.s3.access_key` and `aws.s3.secret_key`
// override the defaults, as StarRocks reads them). Errors ("repo.bad_location", "repo.no_root", "repo.config")
// carry StarRocks' wording where it has one ("bucket is null/empty").
[[nodiscard]] Result<std::shared_ptr<RepositoryStorage>> open_repository_storage(
    const StorageSettings& settings, std::string_view location, std::string_view name,
    const std::map<std::string, std::string>& properties);

}  // namespace sk::emu::backup
