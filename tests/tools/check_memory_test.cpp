// The parser's memory, without timing: the real `starkeep check` runs in a child process whose data segment
// (RLIMIT_DATA: heap and private anonymous mappings) is capped, on a policy dense in nested blocks just under
// the input limit (SK0107). Building the AST only after the whole parse kept ANTLR's parse tree of the file
// alive — about 55 MiB of data for this input, so the parse ran out of memory under the cap and said so
// (SK0107); built and freed entry by entry and block by block it needs about 20 MiB, and the check completes
// with its ordinary diagnostics. The same for a list of unquoted names, the shape that cost most per byte.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// Between what the streaming parser needs for the input below (about 20 MiB) and what the whole parse tree
// needed (more than 50 MiB).
constexpr rlim_t kDataCap = rlim_t{36} << 20;
// Between what `check` needs for a list of unquoted names near the limit (about 12 MiB, most of it the 32,752
// diagnostics) and what it needed while each element waited for the end of the list (about 30 MiB).
constexpr rlim_t kListDataCap = rlim_t{20} << 20;
// Between what `check` needs for a body of 65,000 `a=1` entries near the limit (about 32 MiB, most of it the 65,000
// SK0201 diagnostics) and what the parse alone needed while every entry's parse-tree shell, separator, tokens and
// waiting node lived until the body ended (about 70 MiB: SK0107).
constexpr rlim_t kSmallEntriesDataCap = rlim_t{48} << 20;

struct CappedRun {
  int code = -1;  // exit status, 128 + signal when killed by one
  std::string err;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `starkeep check --policy <policy> [--inventory <inventory>]` with its data segment capped at `cap` bytes; stdout
// is discarded.
CappedRun check_under_cap(const fs::path& policy, rlim_t cap, const fs::path& inventory = {}) {
  const fs::path err = policy.parent_path() / "stderr.txt";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const rlimit limit{cap, cap};
    const int out_fd = ::open("/dev/null", O_WRONLY);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (::setrlimit(RLIMIT_DATA, &limit) != 0 || out_fd < 0 || err_fd < 0 ||
        ::dup2(out_fd, STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) {
      ::_exit(126);
    }
    if (inventory.empty()) {
      ::execl(SK_STARKEEP_BIN, SK_STARKEEP_BIN, "check", "--policy", policy.c_str(), static_cast<char*>(nullptr));
    } else {
      ::execl(SK_STARKEEP_BIN, SK_STARKEEP_BIN, "check", "--policy", policy.c_str(), "--inventory",
              inventory.c_str(), static_cast<char*>(nullptr));
    }
    ::_exit(127);
  }
  CappedRun run;
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return run;
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.err = read_all(err);
  return run;
}

// Blocks four deep with an entry at each level, one group per line, until just under 256 KiB (the input
// limit).
std::string dense_nested_blocks() {
  std::string text = "policy \"p\" {\n";
  for (int i = 0;; ++i) {
    const std::string line =
        fmt::format("  a \"{}\" {{ k = x; b \"y\" {{ m = 1d; c \"z\" {{ d \"w\" {{ n = 2 }} }} }} }}\n", i);
    if (text.size() + line.size() + 2 > 262000) break;
    text += line;
  }
  return text + "}\n";
}

// `databases = [d00000, d00001, …, z]` just under the input limit: a bracketed list of unquoted names, the shape
// that cost the parser most (each element an expression of its own, with a parse-tree branch, two tokens and a
// node). `elements` is how many names it holds.
struct NameList {
  std::string text;
  size_t elements = 0;
};

NameList unquoted_name_list() {
  NameList list{"policy \"p\" {\n  databases = [", 1};
  for (int i = 0;; ++i) {
    const std::string element = fmt::format("d{:05}, ", i);
    if (list.text.size() + element.size() + 6 > 262000) break;
    list.text += element;
    ++list.elements;
  }
  list.text += "z]\n}\n";
  return list;
}

// `a=1` on each line until just under the input limit: the shape that cost the parser most per byte (about 1 KB
// per 4-byte entry while the body lasted). `entries` is how many it holds.
NameList small_entries() {
  NameList body{"policy \"p\" {\n", 0};
  while (body.text.size() + 4 + 2 <= 262000) {
    body.text += "a=1\n";
    ++body.elements;
  }
  body.text += "}\n";
  return body;
}

class CheckMemory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("check_memory_test.{}", ::getpid());
    fs::create_directories(dir_);
    policy_ = dir_ / "dense.skp";
    std::ofstream(policy_) << dense_nested_blocks();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_, policy_;
};

TEST_F(CheckMemory, DenseNestedBlocksNearTheLimitParseWithinTheCap) {
  ASSERT_GT(fs::file_size(policy_), size_t{250} << 10);
  const CappedRun run = check_under_cap(policy_, kDataCap);
  // Parsed and checked: the policy's own mistakes (no 'databases', unknown block kinds), no resource error.
  EXPECT_EQ(run.code, 1) << run.err.substr(0, 2000);
  EXPECT_EQ(run.err.find("SK0107"), std::string::npos) << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find("error[SK0215]: policy 'p' has no 'databases'"), std::string::npos)
      << run.err.substr(0, 2000);
}

// The list of unquoted names needed about 30 MiB of data while each element waited for the list's end with its
// parse-tree shell, separator, tokens and a 136-byte node; now each is built and its parse tree freed as the parser
// leaves it, into an 88-byte node, and `check` needs about 12 MiB.
TEST_F(CheckMemory, UnquotedNameListNearTheLimitParsesWithinTheCap) {
  const fs::path policy = dir_ / "unquoted.skp";
  const NameList list = unquoted_name_list();
  std::ofstream(policy) << list.text;
  ASSERT_GT(fs::file_size(policy), size_t{250} << 10);
  const CappedRun run = check_under_cap(policy, kListDataCap);
  // Parsed and checked: one SK0210 per name (databases are quoted strings), no resource error.
  ASSERT_GT(list.elements, size_t{32000});
  EXPECT_EQ(run.code, 1) << run.err.substr(0, 2000);
  EXPECT_EQ(run.err.find("SK0107"), std::string::npos) << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find("error[SK0210]: 'databases' expects strings in the list, found 'd00000'"), std::string::npos)
      << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find(fmt::format("{} errors, 1 warning", list.elements)), std::string::npos)
      << run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
}

// `tier "N" {}` per line just under the input limit: 17,000 tiers, four mistakes each. Every tier was kept as a
// draft of about a kilobyte although past 256 the policy is rejected (SK0323) before anything reads them again,
// and every one of the 68,000 diagnostics was kept: more than 56 MiB of data, exit 71 under this cap. Now the
// tiers past the limit are read and counted, not kept, and the sink keeps the first 1,000 diagnostics.
TEST_F(CheckMemory, EmptyTiersNearTheLimitAreCheckedWithinTheCap) {
  const fs::path policy = dir_ / "tiers.skp";
  std::string text = "policy \"p\" {\n";
  int tiers = 0;
  for (;; ++tiers) {
    const std::string line = fmt::format("tier \"{}\" {{}}\n", tiers);
    if (text.size() + line.size() + 2 > 262000) break;
    text += line;
  }
  std::ofstream(policy) << text << "}\n";
  const CappedRun run = check_under_cap(policy, rlim_t{28} << 20);
  EXPECT_EQ(run.code, 1) << run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
  EXPECT_EQ(run.err.find("SK0107"), std::string::npos);
  EXPECT_NE(run.err.find("error[SK0215]: policy 'p' has no 'databases'"), std::string::npos)
      << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find("more diagnostics not shown (the first 100 are above; --format json lists the first 1000)"),
            std::string::npos)
      << run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
  EXPECT_GT(tiers, 17000);
}

// `databases = [,,,,…]` just under the input limit: a syntax error per byte. Each was reported, with about a
// kilobyte of diagnostics, recovery state and copies, and `check` needed about 290 MB (exit 71 under this cap); the
// parse now stops after 50 syntax errors (SK0108).
TEST_F(CheckMemory, ASyntaxErrorPerByteStopsAtTheLimit) {
  const fs::path policy = dir_ / "commas.skp";
  std::ofstream(policy) << "policy \"p\" {\n  databases = [" << std::string(261000, ',') << "]\n}\n";
  const CappedRun run = check_under_cap(policy, rlim_t{28} << 20);
  EXPECT_EQ(run.code, 1) << run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
  EXPECT_NE(run.err.find("error[SK0108]: more than 50 syntax errors; the file was not parsed further"),
            std::string::npos)
      << run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
  EXPECT_NE(run.err.find("commas.skp: 51 errors, 0 warnings"), std::string::npos)
      << run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
}

// A body's items are built as they go: each entry appended to its block when the parser leaves it, its parse-tree
// shell, separator and tokens freed at the next one (the missing-separator check decided then). Main's parser kept
// all of them until the block's '}' and ran out of memory under this cap (SK0107).
TEST_F(CheckMemory, ABodyOfSmallEntriesNearTheLimitParsesWithinTheCap) {
  const fs::path policy = dir_ / "entries.skp";
  const NameList body = small_entries();
  std::ofstream(policy) << body.text;
  ASSERT_GT(fs::file_size(policy), size_t{250} << 10);
  const CappedRun run = check_under_cap(policy, kSmallEntriesDataCap);
  // Parsed and checked: one SK0201 per entry, no resource error.
  ASSERT_GT(body.elements, size_t{65000});
  EXPECT_EQ(run.code, 1) << run.err.substr(0, 2000);
  EXPECT_EQ(run.err.find("SK0107"), std::string::npos) << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find("error[SK0201]: unknown key 'a' in policy 'p'"), std::string::npos) << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find(fmt::format("{} errors, 1 warning", body.elements + 1)), std::string::npos)
      << run.err.substr(run.err.size() > 2000 ? run.err.size() - 2000 : 0);
}

// The cap is real: far below what the input needs, the parse runs out of memory and says so (SK0107), exit 1
// — not a crash, not a syntax error.
TEST_F(CheckMemory, ACapTooSmallIsReportedAsAResourceLimit) {
  const CappedRun run = check_under_cap(policy_, rlim_t{5} << 20);
  EXPECT_EQ(run.code, 1) << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find("error[SK0107]: the policy was not parsed: out of memory while parsing"),
            std::string::npos)
      << run.err.substr(0, 2000);
  EXPECT_EQ(run.err.find("SK0101"), std::string::npos) << run.err.substr(0, 2000);
}

// A valid one-database policy and an inventory of `tables` unpartitioned tables in it (about 110 bytes of JSON
// each), listed in cluster_databases too.
void write_policy_and_inventory(const fs::path& policy, const fs::path& inventory, int tables) {
  std::ofstream(policy) << "policy \"p\" {\n  timezone = \"UTC\"\n  databases = [\"app\"]\n"
                           "  repository \"r\" { location = \"s3://bucket/p\"; endpoint = \"https://s3.example.com\" }\n"
                           "  tier \"nightly\" { backup = database; schedule = daily at 01:00; retain = 14d }\n"
                           "}\n";
  std::string names, rows;
  for (int i = 0; i < tables; ++i) {
    names += fmt::format("{}\"t{:06}\"", i == 0 ? "" : ",", i);
    rows += fmt::format("{}{{\"database\":\"app\",\"table\":\"t{:06}\",\"class\":\"fact\",\"partitioned\":false,"
                        "\"partitions\":[]}}",
                        i == 0 ? "" : ",\n", i);
  }
  std::ofstream(inventory) << "{\"inventory_version\":1,\"generated_at\":\"2025-09-14T00:00:00Z\",\"cluster_databases\":"
                           << "[{\"name\":\"app\",\"tables\":[" << names << "]}],\"tables\":[" << rows << "]}\n";
}

// Wherever memory runs out — in the parser (SK0107), or later (loading a large inventory, the checks, rendering)
// — the process says so: exit 1 with SK0107, or exit 71 "out of memory". Never exit 70 (an internal error: a bug),
// never a signal. Every cap from 4 to 24 MiB on two inputs, so each stage gets its turn to run out: the list of
// unquoted names (the parse is its peak: what follows keeps at most 1,000 of its 32,752 diagnostics) and a small
// policy with an inventory of 60,000 tables.
TEST_F(CheckMemory, RunningOutOfMemoryAnywhereIsReportedAsSuch) {
  const fs::path policy = dir_ / "unquoted.skp";
  const NameList list = unquoted_name_list();
  std::ofstream(policy) << list.text;
  const fs::path small = dir_ / "small.skp", inventory = dir_ / "inventory.json";
  write_policy_and_inventory(small, inventory, 60000);
  int completed = 0, parser_limit = 0, out_of_memory = 0;
  for (rlim_t mib = 4; mib <= 24; mib += 2) {
    for (const bool with_inventory : {false, true}) {
      const CappedRun run =
          with_inventory ? check_under_cap(small, mib << 20, inventory) : check_under_cap(policy, mib << 20);
      const std::string context = fmt::format("cap {} MiB, {}, exit {}: {}", mib, with_inventory ? "inventory" : "list",
                                              run.code, run.err.substr(run.err.size() > 600 ? run.err.size() - 600 : 0));
      if (run.code == 71) {
        EXPECT_NE(run.err.find("starkeep: error: out of memory"), std::string::npos) << context;
        ++out_of_memory;
      } else if (run.code == 1 && run.err.find("error[SK0107]") != std::string::npos) {
        ++parser_limit;
      } else if (with_inventory) {
        EXPECT_EQ(run.code, 0) << context;
        EXPECT_NE(run.err.find("0 errors, 0 warnings"), std::string::npos) << context;
        ++completed;
      } else {
        EXPECT_EQ(run.code, 1) << context;
        EXPECT_NE(run.err.find(fmt::format("{} errors, 1 warning", list.elements)), std::string::npos) << context;
        ++completed;
      }
    }
  }
  // The range covers all three outcomes (if the product's memory use moves, move the range with it).
  EXPECT_GT(parser_limit, 0);
  EXPECT_GT(out_of_memory, 0);
  EXPECT_GT(completed, 0);
}

}  // namespace
