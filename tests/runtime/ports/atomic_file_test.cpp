// ports::write_file_atomically: the target holds either the old or the new content, never a part, and no
// temporary file is left behind on success or failure.
#include "runtime/ports/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sk::ports {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sk_atomic_file_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
  const WriteErrorText text_{"io.write", "the test file "};
};

TEST_F(AtomicFile, ReplacesTheTargetAndLeavesNoTemporaryFile) {
  const fs::path target = dir_ / "out.prom";
  ASSERT_TRUE(write_file_atomically(target, "first\n", text_));
  ASSERT_TRUE(write_file_atomically(target, "second\n", text_));
  EXPECT_EQ(read(target), "second\n");
  EXPECT_EQ(entries(), 1u);
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

TEST_F(AtomicFile, AMissingDirectoryFailsWithTheCallersCodeAndNoun) {
  const fs::path target = dir_ / "absent" / "out.prom";
  auto written = write_file_atomically(target, "x", text_);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, "io.write");
  EXPECT_EQ(written.error().message.rfind("cannot write the test file " + target.string() +
                                              ": creating a temporary file: ", 0),
            0u)
      << written.error().message;
}

TEST_F(AtomicFile, AFailedRenameLeavesTheTargetAndRemovesTheTemporaryFile) {
  const fs::path target = dir_ / "report.html";
  fs::create_directories(target / "inside");  // renaming a file over a non-empty directory fails
  auto written = write_file_atomically(target, "x", {"report.write", ""});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, "report.write");
  EXPECT_NE(written.error().message.find(": renaming the temporary file: "), std::string::npos)
      << written.error().message;
  EXPECT_TRUE(fs::is_directory(target / "inside"));
  EXPECT_EQ(entries(), 1u) << "the temporary file was removed";
}

}  // namespace
}  // namespace sk::ports
