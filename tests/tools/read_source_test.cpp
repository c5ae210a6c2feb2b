// read_source (tools/starkeep/cli_common.h): a large inventory is mapped, not copied, and reads exactly as the
// file's bytes; a mapped file truncated under the command stops it with the input error (exit 66) and a message,
// where the bare mapping would die of SIGBUS.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/exit_codes.h"

namespace {

namespace fs = std::filesystem;

class ReadSource : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("starkeep-read-source-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  // `size` bytes of lines "line 1\n", "line 2\n", …, cut at `size`.
  std::string write(size_t size) {
    std::string text;
    for (size_t i = 1; text.size() < size; ++i) text += "line " + std::to_string(i) + "\n";
    text.resize(size);
    std::ofstream(path_, std::ios::binary) << text;
    return text;
  }
  fs::path path_;
};

TEST_F(ReadSource, AMappedFileReadsAsItsBytesWithLinesAndColumns) {
  const std::string text = write(3 << 20);
  auto file = sk::cli::read_source(path_.string());
  ASSERT_TRUE(file) << file.error().describe();
  EXPECT_EQ(file->text(), text);
  EXPECT_EQ(file->line_text(2), "line 2");
  EXPECT_EQ(file->line_col(static_cast<uint32_t>(text.size() - 1)).line, file->line_count());
  // Copies share the mapping; the copy stays valid after the original is gone.
  std::optional<sk::diag::SourceFile> copy(*file);
  file = sk::cli::read_source(path_.string());
  EXPECT_EQ(copy->text(), text);
}

TEST_F(ReadSource, ASmallFileAndAMissingFile) {
  const std::string text = write(100);
  auto file = sk::cli::read_source(path_.string());
  ASSERT_TRUE(file);
  EXPECT_EQ(file->text(), text);
  auto missing = sk::cli::read_source((path_.string() + ".missing"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().describe().find("No such file or directory"), std::string::npos);
}

TEST_F(ReadSource, AMappedFileTruncatedWhileReadStopsWithTheInputError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  write(3 << 20);
  EXPECT_EXIT(
      {
        auto file = sk::cli::read_source(path_.string());
        if (!file) std::_Exit(1);
        if (::truncate(path_.c_str(), 0) != 0) std::_Exit(2);
        volatile char last = file->text().back();
        static_cast<void>(last);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(sk::cli::kExitNoInput), "the inventory file was truncated while it was read");
}

}  // namespace
