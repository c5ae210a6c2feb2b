#include "runtime/s3/object_store.h"

#include <algorithm>

namespace sk::s3 {

std::string_view to_string(VersioningStatus status) {
  switch (status) {
    case VersioningStatus::kNeverEnabled:
      return "never enabled";
    case VersioningStatus::kEnabled:
      return "Enabled";
    case VersioningStatus::kSuspended:
      return "Suspended";
  }
  return "never enabled";
}

Status for_each_page(ObjectStore& store, std::string_view prefix, std::string_view delimiter,
                     const std::function<Status(const ListPage&)>& on_page) {
  ListRequest request{std::string(prefix), std::string(delimiter), {}, static_cast<int>(kMaxKeysPerRequest)};
  for (;;) {
    auto page = store.list_page(request);
    if (!page) return std::unexpected(std::move(page.error()).with_context("listing " + std::string(prefix)));
    if (auto s = on_page(*page); !s) return s;
    if (!page->next_token) return ok();
    if (*page->next_token == request.continuation_token) {
      return fail("s3.parse", "{} returned the same continuation token twice while listing '{}'", store.describe(),
                  prefix);
    }
    request.continuation_token = std::move(*page->next_token);
  }
}

Result<Listing> list_all(ObjectStore& store, std::string_view prefix, std::string_view delimiter) {
  Listing listing;
  auto status = for_each_page(store, prefix, delimiter, [&](const ListPage& page) -> Status {
    ++listing.requests;
    listing.objects.insert(listing.objects.end(), page.objects.begin(), page.objects.end());
    listing.common_prefixes.insert(listing.common_prefixes.end(), page.common_prefixes.begin(),
                                   page.common_prefixes.end());
    return ok();
  });
  if (!status) return std::unexpected(status.error());
  return listing;
}

DeleteReport delete_keys(ObjectStore& store, std::span<const std::string> keys) {
  DeleteReport report;
  std::size_t next = 0;
  while (next < keys.size()) {
    const std::size_t count = std::min(kMaxKeysPerRequest, keys.size() - next);
    const auto batch = keys.subspan(next, count);
    ++report.requests;
    auto answer = store.delete_batch(batch);
    if (!answer) {
      report.error = std::move(answer.error());
      report.not_confirmed.assign(keys.begin() + static_cast<std::ptrdiff_t>(next), keys.end());
      return report;
    }
    report.deleted.insert(report.deleted.end(), answer->deleted.begin(), answer->deleted.end());
    report.failed.insert(report.failed.end(), answer->failed.begin(), answer->failed.end());
    next += count;
  }
  return report;
}

}  // namespace sk::s3
