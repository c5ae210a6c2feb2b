#include "emulator/backup/repository_storage.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "emulator/backup/s3_repository_storage.h"
#include "emulator/backup/statement_lexer.h"

namespace sk::emu::backup {

namespace fs = std::filesystem;

std::string normalize_location(std::string_view location) {
  std::string out(location);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

Result<fs::path> map_location(const std::string& root, std::string_view location) {
  if (root.empty()) return sk::fail("repo.no_root", "emulator has no repository root configured");
  std::string loc = normalize_location(location);
  size_t sep = loc.find("://");
  if (sep == std::string::npos) return sk::fail("repo.bad_location", "Invalid location: {}", loc);
  std::string scheme = to_upper(loc.substr(0, sep));
  std::string rest = loc.substr(sep + 3);
  fs::path base(root);
  if (scheme == "HDFS" || scheme == "VIEWFS") {
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    std::string host = authority.substr(0, authority.find(':'));
    if (host.empty()) return sk::fail("repo.bad_location", "Invalid location: {}", loc);
    base /= "hdfs";
    base /= host;
    if (slash != std::string::npos)
      rest = rest.substr(slash + 1);
    else
      rest.clear();
  } else if (scheme == "S3A" || scheme == "S3" || scheme == "S3N" || scheme == "OSS" || scheme == "COS" ||
             scheme == "COSN" || scheme == "OBS" || scheme == "GS" || scheme == "KS3" || scheme == "TOS") {
    if (rest.empty() || rest.front() == '/') return sk::fail("repo.bad_location", "bucket is null/empty");
  } else {
    return sk::fail("repo.bad_location", "Invalid location: {}", loc);
  }
  std::stringstream parts(rest);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return sk::fail("repo.bad_location", "Invalid location: {}", loc);
    base /= part;
  }
  return base;
}

std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

bool decode_checksum_name(std::string_view file, std::string& name, std::string& md5) {
  size_t dot = file.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view suffix = file.substr(dot + 1);
  if (suffix.size() != 32) return false;
  name = std::string(file.substr(0, dot));
  md5 = std::string(suffix);
  return true;
}

std::string snapshot_dir(std::string_view label) { return std::string(kSnapshotDirPrefix) + std::string(label); }

std::string content_dir(std::string_view label) { return snapshot_dir(label) + "/" + std::string(kContentDir); }

namespace {

Status write_local_file(const fs::path& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return sk::fail("repo.io", "failed to create directory {}: {}", path.parent_path().string(), ec.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return sk::fail("repo.io", "failed to open {} for writing", path.string());
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return sk::fail("repo.io", "failed to write {}", path.string());
  return sk::ok();
}

// A repository on a local directory tree. Stateless apart from its root: concurrent calls on different files are
// safe, as on a file system.
class LocalRepositoryStorage final : public RepositoryStorage {
 public:
  explicit LocalRepositoryStorage(fs::path root) : root_(std::move(root)) {}

  std::string describe() const override { return root_.string(); }
  Status probe() override { return sk::ok(); }

  Result<bool> exists(std::string_view path) override {
    std::error_code ec;
    return fs::exists(at(path), ec);
  }

  Result<std::string> read(std::string_view path) override {
    std::ifstream in(at(path), std::ios::binary);
    if (!in) return sk::fail("repo.io", "File does not exist: {}", at(path).string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  Status write(std::string_view path, std::string_view data) override { return write_local_file(at(path), data); }

  Result<std::string> upload(std::string_view base, std::string_view data) override {
    fs::path tmp = at(base);
    tmp += kPartSuffix;
    if (auto st = write_local_file(tmp, data); !st) return std::unexpected(st.error());
    fs::path final_path = at(base);
    final_path += "." + md5_hex(data);
    std::error_code ec;
    fs::rename(tmp, final_path, ec);
    if (ec) return sk::fail("repo.io", "failed to rename {}: {}", tmp.string(), ec.message());
    return final_path.filename().string();
  }

  Result<std::vector<std::string>> snapshot_labels() override {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::exists(root_, ec)) return out;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
      std::string name = entry.path().filename().string();
      if (entry.is_directory() && name.starts_with(kSnapshotDirPrefix)) {
        out.push_back(name.substr(kSnapshotDirPrefix.size()));
      }
    }
    if (ec) return sk::fail("repo.io", "failed to list {}: {}", root_.string(), ec.message());
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<std::vector<std::string>> files_with_prefix(std::string_view dir, std::string_view prefix) override {
    std::vector<std::string> out;
    std::error_code ec;
    const fs::path d = at(dir);
    if (!fs::exists(d, ec)) return out;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && name.starts_with(prefix)) out.push_back(name);
    }
    if (ec) return sk::fail("repo.io", "failed to list {}: {}", d.string(), ec.message());
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<std::vector<std::string>> files_under(std::string_view dir) override {
    std::vector<std::string> out;
    std::error_code ec;
    const fs::path d = at(dir);
    if (!fs::exists(d, ec)) return out;
    for (const auto& e : fs::recursive_directory_iterator(d, ec)) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root_).generic_string());
    }
    if (ec) return sk::fail("repo.io", "failed to list {}: {}", d.string(), ec.message());
    std::sort(out.begin(), out.end());
    return out;
  }

  Status remove_tree(std::string_view dir) override {
    std::error_code ec;
    fs::remove_all(at(dir), ec);
    if (ec) return sk::fail("repo.io", "failed to delete {}: {}", at(dir).string(), ec.message());
    return sk::ok();
  }

 private:
  fs::path at(std::string_view rel) const { return rel.empty() ? root_ : root_ / std::string(rel); }
  fs::path root_;
};

}  // namespace

std::shared_ptr<RepositoryStorage> make_local_storage(fs::path root) {
  return std::make_shared<LocalRepositoryStorage>(std::move(root));
}

Result<std::shared_ptr<RepositoryStorage>> open_repository_storage(
    const StorageSettings& settings, std::string_view location, std::string_view name,
    const std::map<std::string, std::string>& properties) {
  const std::string repo_dir = std::string(kRepoDirPrefix) + std::string(name);
  if (settings.backend == StorageBackend::kS3) return open_s3_storage(settings.s3, location, repo_dir, properties);
  auto mapped = map_location(settings.repository_root, location);
  if (!mapped) return std::unexpected(mapped.error());
  return make_local_storage(*mapped / repo_dir);
}

}  // namespace sk::emu::backup
