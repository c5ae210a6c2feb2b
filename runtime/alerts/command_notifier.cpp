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


std::string first_word(std::string_view command) {
  const std::size_t begin = command.find_first_not_of(" \t\n");
  if (begin == std::string_view::npos) return "";
  const std::size_t end = command.find_first_of(" \t\n", begin);
  return std::string(command.substr(begin, end == std::string_view::npos ? end : end - begin));
}

// The child's argv and envp, prepared before fork(): after it, only async-signal-safe calls. Pinned in place
// (argv and envp point into the strings it owns).
class ChildArgs {
 public:
  ChildArgs(std::string shell, std::string command, const AlertEvent& event)
      : shell_(std::move(shell)), command_(std::move(command)) {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      if (is_inherited_variable(*e)) env_storage_.emplace_back(*e);
    }
    for (const auto& [key, value] : environment(event)) env_storage_.push_back(key + "=" + value);
    envp_.reserve(env_storage_.size() + 1);
    for (std::string& s : env_storage_) envp_.push_back(s.data());
    envp_.push_back(nullptr);
    argv_ = {shell_.data(), dash_c_.data(), command_.data(), nullptr};
  }
  ChildArgs(const ChildArgs&) = delete;
  ChildArgs& operator=(const ChildArgs&) = delete;
  [[nodiscard]] char* const* argv() const { return argv_.data(); }
  [[nodiscard]] char* const* envp() const { return envp_.data(); }

 private:
  std::vector<std::string> env_storage_;
  std::vector<char*> envp_;
  std::string shell_;
  std::string dash_c_ = "-c";
  std::string command_;
  std::array<char*, 4> argv_{};
};

// In the forked child: its own process group, the pipes as stdin/stdout/stderr, nothing else inherited, then
// the shell. Async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildArgs& args, const Pipe& stdin_pipe, const Pipe& output_pipe) {
  ::setpgid(0, 0);
  ::dup2(stdin_pipe.read.get(), STDIN_FILENO);
  ::dup2(output_pipe.write.get(), STDOUT_FILENO);
  ::dup2(output_pipe.write.get(), STDERR_FILENO);
  ::close_range(3, ~0U, 0);  // the runner's sockets and files are not the command's business
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);  // the child starts with a clean signal mask
  ::execve(args.argv()[0], args.argv(), args.envp());
  ::_exit(127);
}

// The parent's side of a running child: feeds it `input`, keeps the tail of its output, and waits for it.
class ChildSession {
 public:
  ChildSession(pid_t pid, Fd& to_child, Fd& from_child, std::string_view input, std::size_t max_output_bytes)
      : pid_(pid), to_child_(to_child), from_child_(from_child), input_(input), tail_(max_output_bytes) {}

  // Runs until the child exits (true) or the deadline passes (false).
  bool wait_until(SteadyClock::time_point deadline) {
    if (input_.empty()) to_child_.reset();
    while (true) {
      const auto now = SteadyClock::now();
      if (now >= deadline) return false;
      const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      // Short poll slices so that a child that exits while a grandchild holds the pipes is still noticed.
      wait_for_pipes(static_cast<int>(std::min<std::int64_t>(remaining.count() + 1, 50)));
      write_some();
      read_available();
      if (::waitpid(pid_, &status_, WNOHANG) == pid_) return true;
    }
  }

  // Kills the child's process group and reaps the child.
  void kill() {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
  }

  // Drains what the child wrote just before exiting.
  void drain() {
    while (from_child_.open()) {
      const ssize_t r = ::read(from_child_.get(), buffer_.data(), buffer_.size());
      if (r <= 0) break;
      tail_.append(buffer_.data(), static_cast<std::size_t>(r));
    }
  }

  [[nodiscard]] int status() const { return status_; }
  [[nodiscard]] std::string output() const { return tail_.line(); }

 private:
  void wait_for_pipes(int slice) {
    std::array<pollfd, 2> fds{};
    nfds_t n = 0;
    if (to_child_.open()) fds[n++] = pollfd{to_child_.get(), POLLOUT, 0};
    if (from_child_.open()) fds[n++] = pollfd{from_child_.get(), POLLIN, 0};
    if (n > 0) {
      ::poll(fds.data(), n, slice);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(slice, 10)));
    }
  }

  void write_some() {
    if (!to_child_.open()) return;
    const ssize_t w = ::write(to_child_.get(), input_.data() + written_, input_.size() - written_);
    if (w > 0) written_ += static_cast<std::size_t>(w);
    if ((w < 0 && errno != EAGAIN && errno != EINTR) || written_ == input_.size()) to_child_.reset();
  }

  void read_available() {
    while (from_child_.open()) {
      const ssize_t r = ::read(from_child_.get(), buffer_.data(), buffer_.size());
      if (r > 0) {
        tail_.append(buffer_.data(), static_cast<std::size_t>(r));
        continue;
      }
      if (r == 0 || (errno != EAGAIN && errno != EINTR)) from_child_.reset();
      break;
    }
  }

  pid_t pid_;
  Fd& to_child_;
  Fd& from_child_;
  std::string_view input_;
  std::size_t written_ = 0;
  Tail tail_;
  std::array<char, 4096> buffer_{};
  int status_ = 0;
};

// The result of a command that exited (or was killed by a signal) with `status`.
Status exit_result(const std::string& who, int status, const std::string& output) {
  const std::string suffix = output.empty() ? "" : "; output: " + output;
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    if (code == 0) return ok();
    if (code == 127 && output.empty()) {
      return fail("alerts.command_failed", "{} exited with status 127 (could not be started){}", who, suffix);
    }
    return fail("alerts.command_failed", "{} exited with status {}{}", who, code, suffix);
  }
  if (WIFSIGNALED(status)) {
    return fail("alerts.command_failed", "{} was killed by signal {}{}", who, WTERMSIG(status), suffix);
  }
  return fail("alerts.command_failed", "{} ended abnormally{}", who, suffix);
}
}  // namespace

bool is_inherited_variable(std::string_view entry) {
  // What a shell command needs to run and to format text, nothing that can hold a secret (issue 10 item 12).
  constexpr std::array<std::string_view, 9> kNames = {"PATH", "HOME",   "USER",     "LOGNAME", "SHELL",
                                                      "TMPDIR", "LANG", "LANGUAGE", "TZ"};
  const std::size_t eq = entry.find('=');
  if (eq == std::string_view::npos) return false;
  const std::string_view name = entry.substr(0, eq);
  if (name.starts_with("LC_")) return true;
  for (auto allowed : kNames) {
    if (name == allowed) return true;
  }
  return false;
}

CommandNotifier::CommandNotifier(std::string command, CommandOptions options)
    : command_(std::move(command)), options_(std::move(options)) {}

std::string CommandNotifier::describe() const { return "command " + ports::redact(first_word(command_)); }

Status CommandNotifier::send(const AlertEvent& event) {
  try {
    const std::string who = describe();
    const std::string input = webhook_payload(event);
    const ChildArgs args(options_.shell, command_, event);

    auto stdin_pipe = make_pipe();
    if (!stdin_pipe) return std::unexpected(std::move(stdin_pipe.error()).with_context(who));
    auto output_pipe = make_pipe();
    if (!output_pipe) return std::unexpected(std::move(output_pipe.error()).with_context(who));

    SigpipeGuard sigpipe_guard;
    const pid_t pid = ::fork();
    if (pid < 0) return fail("alerts.command_start", "{}: fork() failed: {}", who, std::strerror(errno));
    if (pid == 0) exec_child(args, *stdin_pipe, *output_pipe);
    ::setpgid(pid, pid);  // also done by the child; whichever runs first wins, the other fails harmlessly
    stdin_pipe->read.reset();
    output_pipe->write.reset();
    set_nonblocking(stdin_pipe->write.get());
    set_nonblocking(output_pipe->read.get());

    ChildSession child(pid, stdin_pipe->write, output_pipe->read, input, options_.max_output_bytes);
    if (!child.wait_until(SteadyClock::now() + options_.timeout)) {
      child.kill();
      const std::string output = child.output();
      return fail("alerts.command_timeout", "{} did not finish within {} ms and was killed{}{}", who,
                  options_.timeout.count(), output.empty() ? "" : "; output: ", output);
    }
    child.drain();
    return exit_result(who, child.status(), child.output());
  } catch (const std::exception& e) {
    return fail("alerts.internal", "{}: {}", describe(), ports::redact(e.what()));
  }
}

}  // namespace sk::alerts
