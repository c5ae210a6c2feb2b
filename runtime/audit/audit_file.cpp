#include "runtime/audit/audit_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error_codes.h"

namespace sk::audit {
namespace {

// Holds an exclusive flock() for its lifetime.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() { ::flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<AuditFile>> AuditFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(errc::kIoWrite, "--audit-log {}: cannot open for appending: {}", path, std::strerror(errno));
  return std::unique_ptr<AuditFile>(new AuditFile(path, fd));
}

AuditFile::~AuditFile() { ::close(fd_); }

Status AuditFile::append(std::string_view line) {
  std::string text(line);
  text += '\n';
  const std::lock_guard guard(mutex_);
  const FileLock lock(fd_);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(errc::kIoWrite, "--audit-log {}: write failed: {}", path_, std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) return fail(errc::kIoWrite, "--audit-log {}: fsync failed: {}", path_, std::strerror(errno));
  return ok();
}

}  // namespace sk::audit
