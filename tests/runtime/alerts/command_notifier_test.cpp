// CommandNotifier and LogNotifier: stdin and environment of the command, exit status handling, the timeout
// killing the whole process group, no SIGPIPE when the command ignores stdin, redaction of its output.
#include "runtime/alerts/command_notifier.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/alerts/log_notifier.h"
#include "test_support.h"

namespace sk::alerts {
namespace {

using namespace std::chrono_literals;
using testing::sample_event;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sk_alerts_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True when the process is gone or a zombie (dead, not yet reaped by its new parent).
bool process_dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string content;
  std::getline(stat, content);
  const auto close = content.rfind(')');
  return close == std::string::npos || content.size() < close + 3 || content[close + 2] == 'Z';
}

TEST(CommandNotifier, CommandReceivesTheEventJsonOnStdin) {
  TempDir dir;
  const std::string out = dir.file("stdin.json");
  CommandNotifier notifier("cat > '" + out + "'");
  const AlertEvent e = sample_event();
  const Status s = notifier.send(e);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(read_file(out), webhook_payload(e));
  EXPECT_EQ(nlohmann::json::parse(read_file(out))["labels"]["database"], "sales");
}

TEST(CommandNotifier, CommandSeesStarkeepAlertVariables) {
  TempDir dir;
  const std::string out = dir.file("env.txt");
  ::setenv("STARKEEP_ALERT_STALE", "from-parent", 1);
  CommandNotifier notifier("env | grep '^STARKEEP_ALERT_' | sort > '" + out + "'");
  const Status s = notifier.send(sample_event());
  ::unsetenv("STARKEEP_ALERT_STALE");
  ASSERT_TRUE(s) << s.error().describe();
  const std::string env = read_file(out);
  EXPECT_NE(env.find("STARKEEP_ALERT_NAME=job_failed\n"), std::string::npos) << env;
  EXPECT_NE(env.find("STARKEEP_ALERT_DATABASE=sales\n"), std::string::npos) << env;
  EXPECT_NE(env.find("STARKEEP_ALERT_LABEL=sales_20250914_inc\n"), std::string::npos) << env;
  EXPECT_NE(env.find("STARKEEP_ALERT_SEVERITY=critical\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("STARKEEP_ALERT_STALE"), std::string::npos) << "inherited alert variables must not leak";
  // The allowlisted part of the environment is inherited.
  EXPECT_TRUE(CommandNotifier("test -n \"$PATH\"").send(sample_event()));
}

// Issue 10 item 12: the command gets an allowlisted environment (PATH, HOME, locale, time zone, …), never the
// runner's secrets: the cluster password, S3 keys, AWS credentials, any other variable.
TEST(CommandNotifier, CommandGetsOnlyAllowlistedVariables) {
  TempDir dir;
  const std::string out = dir.file("env.txt");
  const std::vector<std::pair<std::string, std::string>> secrets = {
      {"STARKEEP_PASSWORD", "pw-Zq8"},          {"STARKEEP_S3_ACCESS_KEY", "ak-Zq8"},
      {"STARKEEP_S3_SECRET_KEY", "sk-Zq8"},     {"AWS_SECRET_ACCESS_KEY", "aws-Zq8"},
      {"AWS_ACCESS_KEY_ID", "awsid-Zq8"},       {"SOME_OTHER_TOKEN", "tok-Zq8"}};
  for (const auto& [k, v] : secrets) ::setenv(k.c_str(), v.c_str(), 1);
  ::setenv("LANG", "C.UTF-8", 1);
  ::setenv("TZ", "UTC", 1);
  const Status s = CommandNotifier("env > '" + out + "'").send(sample_event());
  for (const auto& [k, v] : secrets) ::unsetenv(k.c_str());
  ASSERT_TRUE(s) << s.error().describe();
  const std::string env = read_file(out);
  EXPECT_EQ(env.find("Zq8"), std::string::npos) << env;
  EXPECT_NE(env.find("\nPATH="), std::string::npos) << env;
  EXPECT_NE(env.find("LANG=C.UTF-8\n"), std::string::npos) << env;
  EXPECT_NE(env.find("TZ=UTC\n"), std::string::npos) << env;
  EXPECT_NE(env.find("STARKEEP_ALERT_NAME=job_failed\n"), std::string::npos) << env;
}

TEST(CommandNotifier, AllowlistOfInheritedVariables) {
  for (const char* kept : {"PATH=/usr/bin", "HOME=/root", "LANG=C", "LC_ALL=C", "LC_TIME=de_DE", "TZ=UTC",
                           "USER=sk", "LOGNAME=sk", "TMPDIR=/tmp", "SHELL=/bin/sh"}) {
    EXPECT_TRUE(is_inherited_variable(kept)) << kept;
  }
  for (const char* dropped : {"STARKEEP_PASSWORD=x", "STARKEEP_S3_SECRET_KEY=x", "AWS_SECRET_ACCESS_KEY=x",
                              "AWS_SESSION_TOKEN=x", "STARKEEP_ALERT_NAME=stale", "LD_PRELOAD=/x.so", "PATHX=1",
                              "MYSQL_PWD=x", "PATH"}) {
    EXPECT_FALSE(is_inherited_variable(dropped)) << dropped;
  }
}

TEST(CommandNotifier, InheritsNoOtherFileDescriptors) {
  const int fd = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(fd, 3);
  const std::string probe = "/proc/$$/fd/" + std::to_string(fd);
  // Sanity check of the probe itself: an inherited descriptor is visible this way.
  const Status visible = CommandNotifier("exec 7</dev/null; test -e /proc/$$/fd/7").send(sample_event());
  const Status s = CommandNotifier("test ! -e " + probe).send(sample_event());
  ::close(fd);
  EXPECT_TRUE(visible) << visible.error().describe();
  EXPECT_TRUE(s) << s.error().describe();
}

TEST(CommandNotifier, NonZeroExitIsAFailureWithTheRedactedOutput) {
  CommandNotifier notifier("echo 'paging failed: password=hunter2' >&2; exit 3");
  Status s;
  EXPECT_NO_THROW(s = notifier.send(sample_event()));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.command_failed");
  EXPECT_NE(s.error().message.find("status 3"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("paging failed"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("hunter2"), std::string::npos) << s.error().message;
}

TEST(CommandNotifier, MissingProgramFails) {
  CommandNotifier notifier("/nonexistent/starkeep-pager --now");
  const Status s = notifier.send(sample_event());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.command_failed");
  EXPECT_NE(s.error().message.find("127"), std::string::npos) << s.error().message;
  EXPECT_EQ(notifier.describe(), "command /nonexistent/starkeep-pager");
}

TEST(CommandNotifier, MissingShellFails) {
  CommandOptions o;
  o.shell = "/nonexistent/sh";
  const Status s = CommandNotifier("true", o).send(sample_event());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.command_failed");
}

TEST(CommandNotifier, HangingCommandIsKilledWithItsChildrenAtTheTimeout) {
  TempDir dir;
  const std::string pid_file = dir.file("pid");
  CommandOptions o;
  o.timeout = 1500ms;
  // The shell starts a grandchild and waits for it: both must die.
  CommandNotifier notifier("sleep 60 & echo $! > '" + pid_file + "'; wait", o);
  const Status s = notifier.send(sample_event());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.command_timeout");
  EXPECT_NE(s.error().message.find("1500 ms"), std::string::npos) << s.error().message;
  const std::string pid_text = read_file(pid_file);
  ASSERT_FALSE(pid_text.empty());
  const pid_t grandchild = std::stoi(pid_text);
  // SIGKILL is delivered asynchronously; give the kernel a moment (this is not a performance assertion).
  for (int i = 0; i < 100 && !process_dead(grandchild); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(process_dead(grandchild)) << "grandchild " << grandchild << " survived the timeout";
}

TEST(CommandNotifier, CommandThatIgnoresALargeStdinDoesNotKillTheRunner) {
  AlertEvent e = sample_event();
  e.description = std::string(512 * 1024, 'x');  // far more than a pipe buffer
  const Status s = CommandNotifier("exit 0").send(e);
  EXPECT_TRUE(s) << s.error().describe();  // reaching this line means no SIGPIPE killed the test
  const Status s2 = CommandNotifier("exec 0<&-; sleep 0.1; exit 4").send(e);
  ASSERT_FALSE(s2);
  EXPECT_NE(s2.error().message.find("status 4"), std::string::npos) << s2.error().message;
}

TEST(CommandNotifier, ConcurrentSendsAreIndependent) {
  TempDir dir;
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      AlertEvent e = sample_event();
      e.summary = "event " + std::to_string(i);
      results[static_cast<std::size_t>(i)] =
          CommandNotifier("cat > '" + dir.file("out" + std::to_string(i)) + "'").send(e);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(results[static_cast<std::size_t>(i)]);
    EXPECT_EQ(nlohmann::json::parse(read_file(dir.file("out" + std::to_string(i))))["summary"],
              "event " + std::to_string(i));
  }
}

TEST(LogNotifier, WritesOneStructuredLine) {
  std::vector<std::string> lines;
  LogNotifier notifier([&](std::string line) { lines.push_back(std::move(line)); });
  AlertEvent e = sample_event();
  e.description = "IDENTIFIED BY 'pw1234'";
  ASSERT_TRUE(notifier.send(e));
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_TRUE(lines[0].starts_with("alert {")) << lines[0];
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
  EXPECT_EQ(lines[0].find("pw1234"), std::string::npos);
  const auto j = nlohmann::json::parse(lines[0].substr(6));
  EXPECT_EQ(j["alert"], "job_failed");
  EXPECT_EQ(j["labels"]["tier"], "daily");
}

TEST(LogNotifier, ThrowingSinkBecomesAnError) {
  LogNotifier notifier([](std::string) { throw std::runtime_error("disk full"); });
  Status s;
  EXPECT_NO_THROW(s = notifier.send(sample_event()));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "alerts.log_failed");
}

}  // namespace
}  // namespace sk::alerts
