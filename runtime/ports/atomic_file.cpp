#include "runtime/ports/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sk::ports {
namespace {

Status write_error(const std::filesystem::path& target, const WriteErrorText& text, std::string_view step,
                   int error) {
  return fail(text.code, "cannot write {}{}: {}: {}", text.noun, target.string(), step, std::strerror(error));
}

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

Status write_file_atomically(const std::filesystem::path& target, std::string_view content,
                             const WriteErrorText& on_error) {
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return write_error(target, on_error, "creating a temporary file", errno);
  const bool written = write_all(fd, content) && ::fchmod(fd, 0644) == 0 && ::fsync(fd) == 0;
  const int write_errno = errno;
  if (::close(fd) != 0 || !written) {
    const int e = written ? errno : write_errno;
    ::unlink(temp.c_str());
    return write_error(target, on_error, "writing the temporary file", e);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp.c_str());
    return write_error(target, on_error, "renaming the temporary file", e);
  }
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    const int synced = ::fsync(dir_fd);
    static_cast<void>(synced);
    ::close(dir_fd);
  }
  return {};
}

}  // namespace sk::ports
