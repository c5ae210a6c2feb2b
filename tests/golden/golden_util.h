// Shared by the planner's golden harnesses (plan/, analysis/): file helpers and the comparison that
// UPDATE_GOLDEN=1 turns into a rewrite.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace sk::golden {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// Compares `actual` with the file, or rewrites the file when UPDATE_GOLDEN is set.
inline void expect_golden(const fs::path& expected_path, const std::string& actual) {
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    write_file(expected_path, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path << " (run with UPDATE_GOLDEN=1)";
  EXPECT_EQ(read_file(expected_path), actual) << "differs from " << expected_path;
}

inline std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

}  // namespace sk::golden
