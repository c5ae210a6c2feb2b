// The emulator's stand-in for remote backup storage: repository locations (s3a://, s3://, hdfs://, ...) map
// onto a local directory tree under EmulatorConfig::repository_root, laid out as StarRocks lays out a
// repository (reference §1.5): `__starrocks_repository_<name>/__repo_info`, `__ss_<label>/__meta.<md5>`,
// `__ss_<label>/__info_<timestamp>.<md5>`, `__ss_<label>/__ss_content/...`. Uploads are written as
// `<file>.part` and then renamed to `<file>.<md5>`. Two emulator instances sharing the root see each other's
// snapshots, as two clusters sharing a bucket do. Stateless functions; concurrent calls on different files
// are safe.
#pragma once

#include <filesystem>
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

// Hex MD5 of `data`.
std::string md5_hex(std::string_view data);

// Writes `data` as `<base>.part`, then renames it to `<base>.<md5>`; returns the final file name (no
// directory). Creates missing parent directories.
Result<std::string> upload_file(const std::filesystem::path& base, std::string_view data);

Result<std::string> read_file(const std::filesystem::path& path);
Status write_plain_file(const std::filesystem::path& path, std::string_view data);

// Labels of the `__ss_<label>` directories of a repository directory, sorted.
Result<std::vector<std::string>> list_snapshot_labels(const std::filesystem::path& repo_dir);

// File names in `dir` that start with `prefix`, sorted; an absent directory gives an empty list.
Result<std::vector<std::string>> list_files_with_prefix(const std::filesystem::path& dir,
                                                        std::string_view prefix);

// Splits `name.<32-hex md5>` into name and md5; false when the suffix is not an md5 (e.g. `.part`).
bool decode_checksum_name(std::string_view file, std::string& name, std::string& md5);

}  // namespace sk::emu::backup
