#include "tests/support/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;  // NOLINT: POSIX

namespace sk::test {

std::string Finished::describe() const {
  return fmt::format("exit {}{}\nstdout:\n{}\nstderr:\n{}", code, timed_out ? " (timed out, killed)" : "",
                     out, err);
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Processes::Processes(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

Processes::~Processes() {
  for (pid_t pid : live_) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

namespace {

// The environment of the child: ours without the names in `unset`, with every NAME in `extra` replaced or
// added.
std::vector<std::string> child_environment(const std::vector<std::string>& extra,
                                           const std::vector<std::string>& unset) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    const bool overridden = std::any_of(extra.begin(), extra.end(), [&](const std::string& x) {
      return x.compare(0, name.size() + 1, name + "=") == 0;
    });
    const bool removed = std::find(unset.begin(), unset.end(), name) != unset.end();
    if (!overridden && !removed) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Proc Processes::spawn(const std::vector<std::string>& args, const SpawnOptions& options) {
  Proc p;
  p.out = dir_ / fmt::format("out{}.txt", counter_);
  p.err = dir_ / fmt::format("err{}.txt", counter_);
  ++counter_;
  // Everything the child needs is prepared before fork (the child of a threaded process may only exec).
  std::vector<std::string> arg_copy = args;
  std::vector<std::string> env = child_environment(options.env, options.unset);
  std::vector<char*> argv = c_strings(arg_copy);
  std::vector<char*> envp = c_strings(env);
  const int o = options.discard_stdout
                    ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                    : ::open(p.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int e =
      options.merge_stderr ? -1 : ::open(p.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  p.started = std::chrono::steady_clock::now();
  p.pid = ::fork();
  if (p.pid == 0) {
    ::dup2(o, 1);
    ::dup2(e >= 0 ? e : o, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(o);
  if (e >= 0) ::close(e);
  if (options.merge_stderr) p.err.clear();
  live_.push_back(p.pid);
  return p;
}

Finished Processes::finish(const Proc& p, int status, bool timed_out) {
  live_.erase(std::remove(live_.begin(), live_.end(), p.pid), live_.end());
  Finished f;
  f.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  f.timed_out = timed_out;
  f.out = slurp(p.out);
  if (!p.err.empty()) f.err = slurp(p.err);
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.started).count();
  return f;
}

Finished Processes::wait(const Proc& p, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  auto delay = std::chrono::milliseconds(1);
  for (;;) {
    const pid_t r = ::waitpid(p.pid, &status, WNOHANG);
    if (r == p.pid) return finish(p, status, false);
    if (r < 0) {  // not our child (already reaped)
      Finished f = finish(p, 0, false);
      f.code = -1;
      return f;
    }
    if (std::chrono::steady_clock::now() >= end) {
      ::kill(p.pid, SIGKILL);
      ::waitpid(p.pid, &status, 0);
      return finish(p, status, true);
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(2));  // Finished::seconds within ~2 ms (benchmarks)
  }
}

Finished Processes::run(const std::vector<std::string>& args, const SpawnOptions& options,
                        std::chrono::milliseconds timeout) {
  return wait(spawn(args, options), timeout);
}

Finished Processes::shell(const std::string& script, const std::vector<std::string>& env,
                          std::chrono::milliseconds timeout) {
  return run({"/bin/bash", "-c", script}, SpawnOptions{.env = env, .merge_stderr = true}, timeout);
}

bool Processes::wait_stopped(const Proc& p) {
  int status = 0;
  if (::waitpid(p.pid, &status, WUNTRACED) != p.pid) return false;
  if (WIFSTOPPED(status)) return true;
  live_.erase(std::remove(live_.begin(), live_.end(), p.pid), live_.end());
  return false;
}

Finished Processes::kill_now(const Proc& p) {
  ::kill(p.pid, SIGKILL);
  int status = 0;
  ::waitpid(p.pid, &status, 0);
  return finish(p, status, false);
}

void Processes::signal(const Proc& p, int signal) { ::kill(p.pid, signal); }

}  // namespace sk::test
