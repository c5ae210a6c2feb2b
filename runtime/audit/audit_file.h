// The audit log file: opened once per process with O_APPEND, each record written as one line by one write() under
// an exclusive flock() and fsync()ed before the next statement is sent, so lines of concurrent starkeep processes
// (two runners, a runner and a restore) never interleave and a crash loses at most the line being written.
// Thread-safe: the runner's workers share one AuditFile.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sk::audit {

class AuditFile {
 public:
  // Creates the file (mode 0600) when absent. Errors: "io.write" naming the path and the system's reason.
  [[nodiscard]] static Result<std::unique_ptr<AuditFile>> open(const std::string& path);
  ~AuditFile();
  AuditFile(const AuditFile&) = delete;
  AuditFile& operator=(const AuditFile&) = delete;

  // Appends `line` and a newline, then fsync. Errors: "io.write".
  [[nodiscard]] Status append(std::string_view line);
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  AuditFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
  std::mutex mutex_;
};

}  // namespace sk::audit
