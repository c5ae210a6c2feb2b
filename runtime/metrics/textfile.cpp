#include "runtime/metrics/textfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/result.h"

namespace sk::metrics {
namespace {

Status io_error(const std::filesystem::path& path, std::string_view step, int error) {
  return fail("io.write", "cannot write the metrics file {}: {}: {}", path.string(), step, std::strerror(error));
}

std::filesystem::path directory_of(const std::filesystem::path& target) {
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

// Writes all of `content` to `fd`.
bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Status check_writable_target(const std::filesystem::path& target) {
  std::error_code ec;
  const auto dir = directory_of(target);
  if (!std::filesystem::is_directory(dir, ec)) {
    return fail("io.write", "cannot write the metrics file {}: {} is not a directory", target.string(), dir.string());
  }
  if (std::filesystem::is_directory(target, ec)) {
    return fail("io.write", "cannot write the metrics file {}: it is a directory", target.string());
  }
  return {};
}

Status write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  if (auto s = check_writable_target(target); !s) return s;
  const auto dir = directory_of(target);
  std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return io_error(target, "creating a temporary file", errno);
  const bool written = write_all(fd, content) && ::fchmod(fd, 0644) == 0 && ::fsync(fd) == 0;
  const int write_errno = errno;
  if (::close(fd) != 0 || !written) {
    const int e = written ? errno : write_errno;
    ::unlink(temp.c_str());
    return io_error(target, "writing the temporary file", e);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp.c_str());
    return io_error(target, "renaming the temporary file", e);
  }
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    const int synced = ::fsync(dir_fd);  // best effort: the rename is already visible; this makes it durable
    static_cast<void>(synced);
    ::close(dir_fd);
  }
  return {};
}

}  // namespace sk::metrics
