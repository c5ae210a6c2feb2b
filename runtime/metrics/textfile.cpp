#include "runtime/metrics/textfile.h"

#include "common/error_codes.h"
#include "runtime/ports/atomic_file.h"

namespace sk::metrics {
namespace {

std::filesystem::path directory_of(const std::filesystem::path& target) {
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

}  // namespace

Status check_writable_target(const std::filesystem::path& target) {
  std::error_code ec;
  const auto dir = directory_of(target);
  if (!std::filesystem::is_directory(dir, ec)) {
    return fail(errc::kIoWrite, "cannot write the metrics file {}: {} is not a directory", target.string(), dir.string());
  }
  if (std::filesystem::is_directory(target, ec)) {
    return fail(errc::kIoWrite, "cannot write the metrics file {}: it is a directory", target.string());
  }
  return {};
}

Status write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  if (auto s = check_writable_target(target); !s) return s;
  return ports::write_file_atomically(target, content, {errc::kIoWrite, "the metrics file "});
}

}  // namespace sk::metrics
