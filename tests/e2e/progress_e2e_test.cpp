// Issue 13 item 6: the progress of a long wait, end to end (the real starkeep binary, emulator with a delayed job).
// stderr a terminal (a pty from forkpty): one line rewritten in place ("\r" … "\x1b[K") with state and elapsed time
// and, once the tier has a finished backup, its usual duration, cleared at the end; stderr a pipe: plain lines, no
// control character, a bounded number; --format json: no progress at all, stdout one JSON document as before.
#include <gtest/gtest.h>

#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/e2e/run_fixture.h"

namespace sk::e2e {
namespace {

struct PtyRun {
  int code = -1;
  std::string output;  // stdout and stderr as the terminal got them
};

// Runs args[0] with stdin, stdout and stderr on a new pseudo-terminal and returns what it wrote and its exit code.
PtyRun run_on_pty(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int master = -1;
  winsize size{};
  size.ws_col = 200;
  size.ws_row = 24;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  PtyRun out;
  if (pid < 0) return out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n > 0) {
      out.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO: the child closed the terminal
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

class ProgressE2e : public RunFixture {
 protected:
  std::vector<std::string> text_args(const std::string& at, std::vector<std::string> extra = {}) {
    auto args = run_args(at, std::move(extra));
    std::replace(args.begin(), args.end(), std::string("json"), std::string("text"));
    return args;
  }
  // The next BACKUP of `db` stays 60 emulated seconds (3 s at the fixture's time scale) in UPLOADING.
  void delay_upload(const std::string& db) { exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE " + db + " SECONDS 60"); }
};

TEST_F(ProgressE2e, APipeGetsPlainLinesAndATerminalOneUpdatingLineWithTheUsualDuration) {
  make_cluster_data("pg");
  delay_upload("pg_a");
  const Finished plain = wait(spawn(text_args(kMonday, {"--database", "pg_a"})));
  ASSERT_EQ(plain.code, kExitOk) << describe(plain);
  const std::string task = "progress: backup pg_a daily pg_a_20250915_inc: ";
  EXPECT_NE(plain.err.find(task + "UPLOADING, "), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find('\r'), std::string::npos) << "no control character in a file";
  EXPECT_EQ(plain.err.find('\x1b'), std::string::npos);
  // One line per state change (at most PENDING … UPLOADING … : 7 states) within the 30 s interval, although the
  // job was polled every 200 ms or so for 3 s.
  EXPECT_LE(count(plain.err, task), 7u) << plain.err;
  EXPECT_EQ(plain.err.find("usually"), std::string::npos) << "no earlier daily backup of pg_a yet";

  exec("INSERT INTO pg_a.orders VALUES (4, '2025-10-08', 40)");  // Tuesday's daily has a changed partition
  delay_upload("pg_a");
  const PtyRun tty = run_on_pty(text_args(kTuesday, {"--database", "pg_a"}));
  ASSERT_EQ(tty.code, kExitOk) << tty.output;
  const std::string line = "\rbackup pg_a daily pg_a_20250916_inc: UPLOADING, ";
  EXPECT_NE(tty.output.find(line), std::string::npos) << tty.output;
  EXPECT_GE(count(tty.output, "\rbackup pg_a daily"), 2u) << "the line is rewritten: " << tty.output;
  EXPECT_NE(tty.output.find("(usually "), std::string::npos) << "Monday's backup gives the estimate: " << tty.output;
  EXPECT_NE(tty.output.find("from 1 earlier)\x1b[K"), std::string::npos) << tty.output;
  EXPECT_NE(tty.output.find("\r\x1b[K"), std::string::npos) << "the line is cleared at the end";
  EXPECT_EQ(tty.output.find("progress: "), std::string::npos) << "no plain lines on a terminal";
}

TEST_F(ProgressE2e, JsonFormatHasNoProgressAndTheSameStdout) {
  make_cluster_data("pj");
  delay_upload("pj_a");
  const Finished json = run(kMonday, {"--database", "pj_a"});
  ASSERT_EQ(json.code, kExitOk) << describe(json);
  EXPECT_EQ(json.err.find("progress"), std::string::npos) << json.err;
  std::istringstream lines(json.err);
  for (std::string l; std::getline(lines, l);) {
    EXPECT_FALSE(nlohmann::json::parse(l, nullptr, false).is_discarded()) << "not a JSON line: " << l;
  }
  const auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  EXPECT_EQ(doc.at("databases").size(), 1u) << json.out;
}

}  // namespace
}  // namespace sk::e2e
