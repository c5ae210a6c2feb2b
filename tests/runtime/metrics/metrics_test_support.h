// Shared by the metrics unit tests: the production policy compiled from policies/production.skp, ops rows built
// in a line each, and promtool run on a text (the Debian `prometheus` package; its absence fails the test).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/compile.h"
#include "compiler/model/policy.h"
#include "runtime/ops/ops_store.h"

namespace sk::metrics::test {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::filesystem::path source_dir() { return SK_SOURCE_DIR; }

inline model::Policy compile_policy(const std::string& text, const std::string& name = "test.skp") {
  diag::SourceFile file(name, text);
  driver::CompileInput input{&file, nullptr};
  driver::Compilation c = driver::compile(input);
  EXPECT_TRUE(c.policy.has_value()) << "the test policy does not compile";
  return c.policy ? *c.policy : model::Policy{};
}

inline model::Policy production_policy() {
  return compile_policy(read_text(source_dir() / "policies/production.skp"), "policies/production.skp");
}

inline Instant at(std::int64_t unix_seconds) { return Instant::from_unix_seconds(unix_seconds); }

inline constexpr std::int64_t kDay = 86400;
inline constexpr std::int64_t kT0 = 1764547200;  // 2025-12-01T00:00:00Z, a Monday

struct AttemptSpec {
  std::string database;
  std::vector<std::string> tiers;
  ops::AttemptState state;
  std::int64_t submitted;                   // unix seconds
  std::int64_t duration = 600;              // started = submitted + 5, finished = started + duration
  std::optional<std::int64_t> bytes = {};
  std::string run_id = "run-1";
  std::string label = {};                   // default: database_submitted
};

inline ops::BackupAttempt attempt(const AttemptSpec& s) {
  std::vector<TierName> tiers;
  for (const auto& t : s.tiers) tiers.push_back(*TierName::parse(t));
  const std::string label = s.label.empty() ? "l" + std::to_string(s.submitted) : s.label;
  ops::BackupAttempt a{s.run_id, *SnapshotLabel::parse(label), *RepositoryName::parse("s3_prod"),
                       *DatabaseName::parse(s.database)};
  a.tiers = tiers;
  a.state = s.state;
  a.submitted_at = at(s.submitted);
  a.started_at = at(s.submitted + 5);
  if (ops::is_terminal(s.state)) a.finished_at = at(s.submitted + 5 + s.duration);
  a.bytes = s.bytes;
  a.updated_at = a.finished_at.value_or(at(s.submitted));
  return a;
}

inline ops::RestoreRecord drill_row(const std::string& drill, std::int64_t started, std::optional<std::string> verdict,
                                    ops::AttemptState state = ops::AttemptState::kFinished) {
  ops::RestoreRecord r{drill + std::to_string(started),
                       "run-d",
                       ops::RestoreKind::kDrill,
                       drill,
                       *RepositoryName::parse("s3_prod"),
                       *SnapshotLabel::parse("l1"),
                       *BackupTimestamp::from_server("2025-12-01-01-00-00-000"),
                       *DatabaseName::parse("sales"),
                       *DatabaseName::parse("drill_scratch")};
  r.state = state;
  r.started_at = at(started);
  if (ops::is_terminal(state)) r.finished_at = at(started + 300);
  r.verification = std::move(verdict);
  r.updated_at = r.finished_at.value_or(at(started));
  return r;
}

inline ops::RunMarker run_marker(const std::string& run_id, const std::string& database, std::int64_t started,
                                 ops::RunState state) {
  ops::RunMarker m{run_id, *DatabaseName::parse(database), "slot", "host", 42, state, at(started), at(started)};
  if (state != ops::RunState::kActive) m.finished_at = at(started + 1200);
  return m;
}

inline ops::ExpiryRecord expiry(const std::string& label, ops::ExpiryState state) {
  ops::ExpiryRecord e{"run-x", *RepositoryName::parse("s3_prod"), *SnapshotLabel::parse(label),
                      *DatabaseName::parse("sales")};
  e.state = state;
  return e;
}

// promtool's exit status and output for `promtool <args>` with `input` on stdin.
struct Promtool {
  int status = -1;
  std::string output;
};
inline Promtool promtool(const std::string& args, const std::string& input) {
  const std::filesystem::path in = std::filesystem::temp_directory_path() /
                                   ("sk-promtool-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                    "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::ofstream(in, std::ios::binary) << input;
  const std::string command = std::string(SK_PROMTOOL) + " " + args + " < " + in.string() + " 2>&1";
  Promtool result;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
    result.status = ::pclose(pipe);
  }
  std::filesystem::remove(in);
  return result;
}

}  // namespace sk::metrics::test
