// `starkeep-emu-harness up/down` with --mariadb-only (the emulator part is covered by emu_cluster_test).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "emulator/harness/env_file.h"
#include "emulator/harness/gtest_fixture.h"
#include "emulator/harness/process.h"

namespace sk::emu::harness {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string output;
};

CliRun run_harness(const std::string& args) {
  CliRun r;
  std::string command = std::string(STARKEEP_EMU_HARNESS_BIN) + " " + args + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(EnvFile, RoundTripsValuesWithQuotesAndSpaces) {
  auto dir = make_temp_dir({}, "sk-env-test-");
  ASSERT_TRUE(dir);
  EnvValues values = {{"A", "plain"}, {"B", "it's a path/with spaces"}, {"C", ""}};
  ASSERT_TRUE(write_env_file(*dir / "env", values));
  auto back = read_env_file(*dir / "env");
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(*back, values);
  // The shell agrees.
  std::string cmd = "bash -c '. " + (*dir / "env").string() + " && printf %s \"$B\"'";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::array<char, 256> buf{};
  size_t n = std::fread(buf.data(), 1, buf.size(), p);
  ::pclose(p);
  EXPECT_EQ(std::string(buf.data(), n), "it's a path/with spaces");
  fs::remove_all(*dir);
}

TEST(HarnessCli, UpIsIdempotentAndDownStopsEverything) {
  auto dir = make_temp_dir({}, "sk-cli-test-");
  ASSERT_TRUE(dir);
  std::string d = "--dir " + dir->string();

  CliRun up = run_harness("up --mariadb-only " + d);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto env = read_env_file(*dir / "env");
  ASSERT_TRUE(env) << env.error().describe();
  int pid = std::stoi(env->at("MARIADB_PID"));
  uint16_t port = static_cast<uint16_t>(std::stoi(env->at("MARIADB_PORT")));
  fs::path mariadb_dir = env->at("MARIADB_DIR");
  EXPECT_TRUE(process_alive(pid, "mariadbd"));
  EXPECT_EQ(env->at("MARIADB_HOST"), "127.0.0.1");
  EXPECT_EQ(env->at("MARIADB_USER"), "root");
  {
    auto conn = testing::connect_mysql("127.0.0.1", port, "root", "");
    EXPECT_TRUE(conn->isValid());
  }

  CliRun again = run_harness("up --mariadb-only " + d);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already up"), std::string::npos) << again.output;
  EXPECT_EQ(read_env_file(*dir / "env")->at("MARIADB_PID"), std::to_string(pid));

  CliRun down = run_harness("down " + d);
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_FALSE(process_alive(pid, "mariadbd"));
  EXPECT_FALSE(fs::exists(mariadb_dir));
  EXPECT_FALSE(fs::exists(*dir / "env"));

  CliRun down_again = run_harness("down " + d);
  EXPECT_EQ(down_again.exit_code, 0) << down_again.output;
  EXPECT_NE(down_again.output.find("nothing to stop"), std::string::npos);
  fs::remove_all(*dir);
}

TEST(HarnessCli, UpAfterACrashStartsAfresh) {
  auto dir = make_temp_dir({}, "sk-cli-test-");
  ASSERT_TRUE(dir);
  std::string d = "--dir " + dir->string();
  CliRun first = run_harness("up --mariadb-only " + d);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto env = read_env_file(*dir / "env");
  ASSERT_TRUE(env);
  int old_pid = std::stoi(env->at("MARIADB_PID"));
  ASSERT_TRUE(stop_pid(old_pid, "mariadbd", std::chrono::seconds(30)));  // "crash"

  CliRun up = run_harness("up --mariadb-only " + d);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto fresh = read_env_file(*dir / "env");
  ASSERT_TRUE(fresh);
  int pid = std::stoi(fresh->at("MARIADB_PID"));
  EXPECT_NE(pid, old_pid);
  EXPECT_TRUE(process_alive(pid, "mariadbd"));
  EXPECT_FALSE(fs::exists(env->at("MARIADB_DIR"))) << "the dead instance's datadir is removed";
  EXPECT_EQ(run_harness("down " + d).exit_code, 0);
  EXPECT_FALSE(process_alive(pid, "mariadbd"));
  fs::remove_all(*dir);
}

TEST(HarnessCli, UpWithoutEmulatorBinaryFailsClearly) {
  auto dir = make_temp_dir({}, "sk-cli-test-");
  ASSERT_TRUE(dir);
  CliRun up = run_harness("up --dir " + dir->string() + " --emulator-bin /nonexistent/starkeep-emulator");
  EXPECT_EQ(up.exit_code, 1) << up.output;
  EXPECT_NE(up.output.find("/nonexistent/starkeep-emulator"), std::string::npos) << up.output;
  EXPECT_FALSE(fs::exists(*dir / "env"));
  fs::remove_all(*dir);
}

}  // namespace
}  // namespace sk::emu::harness
