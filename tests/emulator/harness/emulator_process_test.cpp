// EmulatorProcess start-up contract, checked with stand-in executables (the real binary is covered by
// emu_cluster_test when it exists): the exact command line, and a clear error when the process dies early.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "emulator/harness/emulator_process.h"

namespace sk::emu::harness {
namespace {

namespace fs = std::filesystem;

TEST(EmulatorCommandLine, FollowsTheFlagContract) {
  EmulatorOptions o;
  o.binary = "/b/starkeep-emulator";
  o.mariadb_port = 3307;
  o.repository_root = "/w/repository";
  o.extra_args = {"--enable-faults", "--time-scale", "50"};
  std::vector<std::string> expected = {"/b/starkeep-emulator", "--port", "0", "--mariadb-host", "127.0.0.1",
                                       "--mariadb-port", "3307", "--mariadb-user", "root", "--repository-root",
                                       "/w/repository", "--port-file", "/w/emulator.port", "--enable-faults",
                                       "--time-scale", "50"};
  EXPECT_EQ(emulator_command_line(o, "/w/emulator.port"), expected);
  o.mariadb_password = "pw";
  auto with_pw = emulator_command_line(o, "/w/emulator.port");
  EXPECT_EQ(with_pw[9], "--mariadb-password");
  EXPECT_EQ(with_pw[10], "pw");
}

TEST(EmulatorProcessStart, EarlyExitIsReportedWithTheLogTail) {
  auto dir = make_temp_dir({}, "sk-emu-proc-test-");
  ASSERT_TRUE(dir);
  fs::path script = *dir / "fake-emulator.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\necho \"bad start: $*\"\nexit 3\n";
  }
  ::chmod(script.c_str(), 0755);
  EmulatorOptions o;
  o.binary = script;
  o.work_dir = *dir;
  o.mariadb_port = 1;
  auto emu = EmulatorProcess::start(o);
  ASSERT_FALSE(emu);
  EXPECT_EQ(emu.error().code, "harness.start");
  EXPECT_NE(emu.error().message.find("bad start: --port 0 --mariadb-host 127.0.0.1"), std::string::npos)
      << emu.error().message;
  EXPECT_TRUE(fs::is_directory(*dir / "repository"));
  fs::remove_all(*dir);
}

TEST(EmulatorProcessStart, WithoutAPortFileStartTimesOut) {
  auto dir = make_temp_dir({}, "sk-emu-proc-test-");
  ASSERT_TRUE(dir);
  EmulatorOptions o;
  fs::path script = *dir / "silent.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nexec sleep 60\n";
  }
  ::chmod(script.c_str(), 0755);
  o.binary = script;
  o.work_dir = *dir;
  o.start_timeout = std::chrono::milliseconds(300);
  auto emu = EmulatorProcess::start(o);
  ASSERT_FALSE(emu);
  EXPECT_EQ(emu.error().code, "harness.start");
  EXPECT_NE(emu.error().message.find("no port file"), std::string::npos) << emu.error().message;
  fs::remove_all(*dir);
}

}  // namespace
}  // namespace sk::emu::harness
