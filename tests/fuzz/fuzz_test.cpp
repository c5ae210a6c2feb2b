// A deterministic in-process mutation fuzzer for the policy front end (parse + sema), run in the g++ test suite next
// to the coverage-guided libFuzzer target (policy_parser_fuzzer, clang build): it fuzzes the front end as g++ builds
// it and covers shapes libFuzzer's length limit does not reach (100k-deep nesting). Seeds: the production policy,
// the examples and the golden cases; mutations: truncation, span deletion/duplication, byte flips, dictionary token
// insertion and splicing, from a fixed-seed generator. This binary is compiled with AddressSanitizer and
// UndefinedBehaviorSanitizer. Each test stops after its iteration count or its time budget, whichever comes first.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/fuzz/fuzz_policy.h"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  const fs::path repo(SK_REPO_DIR);
  out.push_back(read(repo / "policies" / "production.skp"));
  for (const char* dir : {"examples", "tests/golden/check"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(repo / dir)) {
      if (e.path().extension() == ".skp") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back(read(f));
  }
  return out;
}

void expect_ok(const std::string& input) {
  const std::string problem =
      sk::fuzz::check_policy_input(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  ASSERT_TRUE(problem.empty()) << problem << "\n--- input (" << input.size() << " bytes) ---\n" << input;
}

// Per-test time budget (default 20 s; SK_FUZZ_SECONDS overrides it for longer manual runs) and the generator seed
// (SK_FUZZ_SEED; default fixed, so the suite is reproducible).
std::chrono::seconds budget() {
  const char* env = std::getenv("SK_FUZZ_SECONDS");
  return std::chrono::seconds(env != nullptr ? std::max(1, std::atoi(env)) : 20);
}
uint64_t seed() {
  const char* env = std::getenv("SK_FUZZ_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20250914u;
}

TEST(FuzzPolicy, EveryPrefixOfTheProductionPolicy) {
  const std::string text = read(fs::path(SK_REPO_DIR) / "policies" / "production.skp");
  const auto start = std::chrono::steady_clock::now();
  // Every second length (every length when SK_FUZZ_SECONDS allows a long run).
  const size_t stride = std::getenv("SK_FUZZ_SECONDS") != nullptr ? 1 : 2;
  size_t n = 0;
  for (; n <= text.size(); n += stride) {
    expect_ok(text.substr(0, n));
    if (HasFatalFailure() || std::chrono::steady_clock::now() - start > budget()) break;
  }
  EXPECT_GE(n, 200u);
}

TEST(FuzzPolicy, RandomMutationsOfTheSeeds) {
  const std::vector<std::string> corpus = seeds();
  ASSERT_GE(corpus.size(), 10u);
  static const std::vector<std::string> kTokens = {
      "{", "}", "[", "]", "(", ")", "=", ">=", "==", ";", "\n", "\"", "\\", "..", ",", ".", "and", "or", "not",
      "in", "where", "matches", "at", "of", "month", "tier \"x\" {", "policy \"p\" {", "14d", "0d", "15%", "101%",
      "01:00", "99:99", "9999999999999999999999d", "first", "last", "day", "sun", "\xff", "\xc3", "#", "//", "\r",
      "\t", "\x00", "\\u{110000}", "\\u{", "covers", "\"weekly\"", "precedence", "-", "1.5", "000"};
  std::mt19937_64 rng(seed());
  const auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  const auto start = std::chrono::steady_clock::now();
  int iterations = 0;
  const int max_iterations = std::getenv("SK_FUZZ_SECONDS") != nullptr ? 100000000 : 20000;
  for (; iterations < max_iterations; ++iterations) {
    std::string s = corpus[pick(corpus.size())];
    const int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits; ++e) {
      switch (pick(6)) {
        case 0: s.resize(pick(s.size() + 1)); break;                       // truncate
        case 1: {                                                           // delete a span
          const size_t at = pick(s.size() + 1);
          s.erase(at, pick(32));
          break;
        }
        case 2: {                                                           // duplicate a span
          const size_t at = pick(s.size() + 1);
          const std::string span = s.substr(at, pick(64));
          s.insert(pick(s.size() + 1), span);
          break;
        }
        case 3:                                                             // flip a byte
          if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng() & 0xFF);
          break;
        case 4: s.insert(pick(s.size() + 1), kTokens[pick(kTokens.size())]); break;  // insert a token
        default: {                                                          // splice with another seed
          const std::string& other = corpus[pick(corpus.size())];
          s = s.substr(0, pick(s.size() + 1)) + other.substr(pick(other.size() + 1));
          break;
        }
      }
    }
    expect_ok(s);
    if (HasFatalFailure() || std::chrono::steady_clock::now() - start > budget()) break;
  }
  RecordProperty("iterations", iterations);
  EXPECT_GE(iterations, 100);  // the budget must allow a meaningful number of runs
}

TEST(FuzzPolicy, PathologicalShapes) {
  expect_ok(std::string(100000, '{'));
  expect_ok(std::string(100000, '('));
  expect_ok("policy \"p\" { a = " + std::string(5000, 'x') + " }");
  std::string long_and = "policy \"p\" { a = x";
  for (int i = 0; i < 5000; ++i) long_and += " and x";
  expect_ok(long_and + " }");
  std::string nots = "policy \"p\" { a = ";
  for (int i = 0; i < 1000; ++i) nots += "not ";
  expect_ok(nots + "x }");
  expect_ok(std::string(10000, '"'));
  expect_ok(std::string("policy \"p\" { a = \"") + std::string(3000, '\\') + "\" }");
  expect_ok(std::string(5000, '\n'));
}

}  // namespace
