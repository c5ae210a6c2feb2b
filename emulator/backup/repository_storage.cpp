#include "emulator/backup/repository_storage.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

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

Status write_plain_file(const fs::path& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return sk::fail("repo.io", "failed to create directory {}: {}", path.parent_path().string(),
                    ec.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return sk::fail("repo.io", "failed to open {} for writing", path.string());
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return sk::fail("repo.io", "failed to write {}", path.string());
  return sk::ok();
}

Result<std::string> upload_file(const fs::path& base, std::string_view data) {
  fs::path tmp = base;
  tmp += ".part";
  if (auto st = write_plain_file(tmp, data); !st) return std::unexpected(st.error());
  std::string md5 = md5_hex(data);
  fs::path final_path = base;
  final_path += "." + md5;
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) return sk::fail("repo.io", "failed to rename {}: {}", tmp.string(), ec.message());
  return final_path.filename().string();
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return sk::fail("repo.io", "File does not exist: {}", path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::vector<std::string>> list_snapshot_labels(const fs::path& repo_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(repo_dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(repo_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with(kSnapshotDirPrefix)) {
      out.push_back(name.substr(kSnapshotDirPrefix.size()));
    }
  }
  if (ec) return sk::fail("repo.io", "failed to list {}: {}", repo_dir.string(), ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> list_files_with_prefix(const fs::path& dir, std::string_view prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with(prefix)) out.push_back(name);
  }
  if (ec) return sk::fail("repo.io", "failed to list {}: {}", dir.string(), ec.message());
  std::sort(out.begin(), out.end());
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

}  // namespace sk::emu::backup
