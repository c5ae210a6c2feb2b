#include "runtime/alerts/command_notifier.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <string_view>
#include <thread>
#include <vector>

#include "runtime/ports/redact.h"

namespace sk::alerts {
namespace {

using SteadyClock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~Fd() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

Result<Pipe> make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return fail("alerts.command_start", "pipe() failed: {}", std::strerror(errno));
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Blocks SIGPIPE in the calling thread for the scope; a SIGPIPE raised meanwhile (writing to a child that
// closed its stdin) is consumed before the old mask comes back, so it is never delivered.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        sigtimedwait(&pipe_set_, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_set_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

// The command's output, of which only the last `limit` bytes are kept.
class Tail {
 public:
  explicit Tail(std::size_t limit) : limit_(limit) {}
  void append(const char* data, std::size_t n) {
    text_.append(data, n);
    if (text_.size() > 2 * limit_ + 4096) text_.erase(0, text_.size() - limit_);
  }
  [[nodiscard]] std::string line() const {
    std::string_view view = text_;
    if (view.size() > limit_) view = view.substr(view.size() - limit_);
    std::string out;
    for (const char c : view) {
      const auto u = static_cast<unsigned char>(c);
      out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    while (!out.empty() && out.front() == ' ') out.erase(0, 1);
    return ports::redact(out);
  }

 private:
  std::size_t limit_;
  std::string text_;
};

bool is_alert_variable(std::string_view entry) { return entry.starts_with("STARKEEP_ALERT_"); }

std::string first_word(std::string_view command) {
  const std::size_t begin = command.find_first_not_of(" \t\n");
  if (begin == std::string_view::npos) return "";
  const std::size_t end = command.find_first_of(" \t\n", begin);
  return std::string(command.substr(begin, end == std::string_view::npos ? end : end - begin));
}

}  // namespace

CommandNotifier::CommandNotifier(std::string command, CommandOptions options)
    : command_(std::move(command)), options_(std::move(options)) {}

std::string CommandNotifier::describe() const { return "command " + ports::redact(first_word(command_)); }

Status CommandNotifier::send(const AlertEvent& event) {
  try {
    const std::string who = describe();
    const std::string input = webhook_payload(event);

    // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
    std::vector<std::string> env_storage;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      if (!is_alert_variable(*e)) env_storage.emplace_back(*e);
    }
    for (const auto& [key, value] : environment(event)) env_storage.push_back(key + "=" + value);
    std::vector<char*> envp;
    envp.reserve(env_storage.size() + 1);
    for (std::string& s : env_storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string shell = options_.shell;
    std::string dash_c = "-c";
    std::string command = command_;
    std::array<char*, 4> argv = {shell.data(), dash_c.data(), command.data(), nullptr};

    auto stdin_pipe = make_pipe();
    if (!stdin_pipe) return std::unexpected(std::move(stdin_pipe.error()).with_context(who));
    auto output_pipe = make_pipe();
    if (!output_pipe) return std::unexpected(std::move(output_pipe.error()).with_context(who));

    SigpipeGuard sigpipe_guard;
    const pid_t pid = ::fork();
    if (pid < 0) return fail("alerts.command_start", "{}: fork() failed: {}", who, std::strerror(errno));
    if (pid == 0) {
      ::setpgid(0, 0);
      ::dup2(stdin_pipe->read.get(), STDIN_FILENO);
      ::dup2(output_pipe->write.get(), STDOUT_FILENO);
      ::dup2(output_pipe->write.get(), STDERR_FILENO);
      ::close_range(3, ~0U, 0);  // the runner's sockets and files are not the command's business
      sigset_t none;
      sigemptyset(&none);
      pthread_sigmask(SIG_SETMASK, &none, nullptr);  // the child starts with a clean signal mask
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // also done by the child; whichever runs first wins, the other fails harmlessly
    stdin_pipe->read.reset();
    output_pipe->write.reset();
    Fd& to_child = stdin_pipe->write;
    Fd& from_child = output_pipe->read;
    set_nonblocking(to_child.get());
    set_nonblocking(from_child.get());

    const auto deadline = SteadyClock::now() + options_.timeout;
    std::size_t written = 0;
    Tail tail(options_.max_output_bytes);
    std::array<char, 4096> buffer{};
    int status = 0;
    bool exited = false;
    if (input.empty()) to_child.reset();
    while (!exited) {
      const auto now = SteadyClock::now();
      if (now >= deadline) break;
      const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      // Short poll slices so that a child that exits while a grandchild holds the pipes is still noticed.
      const int slice = static_cast<int>(std::min<std::int64_t>(remaining.count() + 1, 50));
      std::array<pollfd, 2> fds{};
      nfds_t n = 0;
      if (to_child.open()) fds[n++] = pollfd{to_child.get(), POLLOUT, 0};
      if (from_child.open()) fds[n++] = pollfd{from_child.get(), POLLIN, 0};
      if (n > 0) {
        ::poll(fds.data(), n, slice);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(slice, 10)));
      }
      if (to_child.open()) {
        const ssize_t w = ::write(to_child.get(), input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) to_child.reset();
      }
      while (from_child.open()) {
        const ssize_t r = ::read(from_child.get(), buffer.data(), buffer.size());
        if (r > 0) {
          tail.append(buffer.data(), static_cast<std::size_t>(r));
          continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) from_child.reset();
        break;
      }
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) exited = true;
    }
    if (!exited) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      const std::string output = tail.line();
      return fail("alerts.command_timeout", "{} did not finish within {} ms and was killed{}{}", who,
                  options_.timeout.count(), output.empty() ? "" : "; output: ", output);
    }
    // Drain what the child wrote just before exiting.
    while (from_child.open()) {
      const ssize_t r = ::read(from_child.get(), buffer.data(), buffer.size());
      if (r <= 0) break;
      tail.append(buffer.data(), static_cast<std::size_t>(r));
    }
    const std::string output = tail.line();
    const std::string suffix = output.empty() ? "" : "; output: " + output;
    if (WIFEXITED(status)) {
      const int code = WEXITSTATUS(status);
      if (code == 0) return ok();
      if (code == 127 && output.empty()) {
        return fail("alerts.command_failed", "{} exited with status 127 (could not be started){}", who,
                    suffix);
      }
      return fail("alerts.command_failed", "{} exited with status {}{}", who, code, suffix);
    }
    if (WIFSIGNALED(status)) {
      return fail("alerts.command_failed", "{} was killed by signal {}{}", who, WTERMSIG(status), suffix);
    }
    return fail("alerts.command_failed", "{} ended abnormally{}", who, suffix);
  } catch (const std::exception& e) {
    return fail("alerts.internal", "{}: {}", describe(), ports::redact(e.what()));
  }
}

}  // namespace sk::alerts
