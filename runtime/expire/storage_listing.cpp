#include "runtime/expire/storage_listing.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sk::expire {
namespace {

constexpr std::string_view kSnapshotDir = "__ss_";
constexpr std::string_view kContentDir = "__ss_content/";
constexpr std::string_view kPartSuffix = ".part";
constexpr std::size_t kPartsShown = 3;

// One key, relative to the repository prefix, into its snapshot directory or the stray list.
void classify(std::string_view rel, StorageListing& out) {
  if (rel == "__repo_info") return;
  const auto slash = rel.find('/');
  if (!rel.starts_with(kSnapshotDir) || slash == std::string_view::npos || slash == kSnapshotDir.size()) {
    out.stray.emplace_back(rel);
    return;
  }
  StoredSnapshot& s = out.snapshots[std::string(rel.substr(kSnapshotDir.size(), slash - kSnapshotDir.size()))];
  const std::string_view name = rel.substr(slash + 1);
  if (name.ends_with(kPartSuffix)) {
    s.parts.emplace_back(name);
  } else if (name.starts_with(kContentDir)) {
    ++s.content;
  } else if (name.starts_with("__info_")) {
    s.info.emplace_back(name);
  } else if (name.starts_with("__meta")) {
    ++s.meta;
  } else {
    ++s.other;
  }
}

}  // namespace

std::string repository_prefix(std::string_view location_prefix, const RepositoryName& repository) {
  return fmt::format("{}__starrocks_repository_{}/", location_prefix, repository.str());
}

Result<StorageListing> list_repository_storage(s3::ObjectStore& store, std::string_view location_prefix,
                                               const RepositoryName& repository) {
  StorageListing out{repository, store.describe(), repository_prefix(location_prefix, repository), {}, {}, 0, 0};
  auto status = s3::for_each_page(store, out.prefix, {}, [&](const s3::ListPage& page) -> Status {
    ++out.requests;
    for (const s3::ObjectSummary& o : page.objects) {
      ++out.objects;
      if (!o.key.starts_with(out.prefix)) continue;  // a server that ignores the prefix: not ours to judge
      classify(std::string_view(o.key).substr(out.prefix.size()), out);
    }
    return ok();
  });
  if (!status) return std::unexpected(std::move(status.error()));
  return out;
}

std::string incomplete(const StoredSnapshot& s) {
  std::vector<std::string> why;
  if (s.info.empty() && s.content > 0) {
    why.push_back(fmt::format("content only: {} object(s), no __info_ file", s.content));
  } else if (s.info.empty()) {
    why.push_back("no __info_ file");
  } else if (s.content == 0) {
    why.emplace_back("info without content: no object under __ss_content/");
  }
  if (!s.info.empty() && s.meta == 0) why.emplace_back("no __meta file");
  if (!s.parts.empty()) {
    std::vector<std::string> shown(s.parts.begin(),
                                   s.parts.begin() + static_cast<std::ptrdiff_t>(std::min(s.parts.size(), kPartsShown)));
    why.push_back(fmt::format("{} unfinished upload(s) ({}{})", s.parts.size(), fmt::join(shown, ", "),
                              s.parts.size() > kPartsShown ? ", …" : ""));
  }
  return fmt::format("{}", fmt::join(why, "; "));
}

}  // namespace sk::expire
