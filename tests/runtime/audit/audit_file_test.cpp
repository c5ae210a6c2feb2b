// The audit file and sink: one line per statement, appended (never truncated), and two processes appending at
// the same time never interleave their lines.
#include "runtime/audit/audit_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <cstdint>

#include "runtime/audit/audit_query.h"
#include "runtime/audit/audit_sink.h"
#include "runtime/ports/fakes.h"

namespace sk::audit {
namespace {

namespace fs = std::filesystem;

struct TempPath {
  fs::path path = fs::temp_directory_path() / ("sk_audit_" + std::to_string(::getpid()) + "_" +
                                               std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".log");
  ~TempPath() { fs::remove(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AuditFile, AppendsAndNeverTruncates) {
  TempPath t;
  {
    std::ofstream(t.path) << "earlier\n";
  }
  auto file = AuditFile::open(t.path.string());
  ASSERT_TRUE(file) << file.error().describe();
  ASSERT_TRUE((*file)->append("one"));
  ASSERT_TRUE((*file)->append("two"));
  EXPECT_EQ(slurp(t.path), "earlier\none\ntwo\n");
}

TEST(AuditFile, ANewFileIsReadableByItsOwnerOnly) {
  TempPath t;
  auto file = AuditFile::open(t.path.string());
  ASSERT_TRUE(file) << file.error().describe();
  EXPECT_EQ(fs::status(t.path).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
}

TEST(AuditFile, UnwritablePathIsAnIoWriteError) {
  auto file = AuditFile::open("/nonexistent-dir/audit.log");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, "io.write");
  EXPECT_NE(file.error().message.find("/nonexistent-dir/audit.log"), std::string::npos);
}

// Long records from two processes (and two threads in each) at once: every line is one whole record.
TEST(AuditFile, ConcurrentProcessesNeverInterleaveLines) {
  TempPath t;
  constexpr int kLines = 400;
  const auto writer = [&](const std::string& command) {
    auto file = AuditFile::open(t.path.string());
    if (!file) return false;
    std::shared_ptr<AuditFile> shared = std::move(*file);
    ports::FakeClock clock;
    const auto context = std::make_shared<const AuditContext>(AuditContext{command, "id", "u", "h:1"});
    const auto work = [&] {
      AuditSink sink(shared, context, clock, std::nullopt, nullptr);
      for (int i = 0; i < kLines; ++i) {
        ports::StatementEvent e;
        e.sql = "INSERT INTO `ops`.`t` VALUES ('" + std::string(3000 + i, 'a' + static_cast<char>(i % 26)) + "')";
        sink.on_statement(e);
      }
    };
    std::thread other(work);
    work();
    other.join();
    return true;
  };
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(writer("child") ? 0 : 1);
  ASSERT_TRUE(writer("parent"));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const AuditLog log = parse_audit_log(slurp(t.path));
  EXPECT_TRUE(log.malformed.empty()) << log.malformed.size() << " torn lines, first at " << log.malformed[0].line;
  EXPECT_EQ(log.records.size(), 4u * kLines);
  std::size_t parent = 0;
  for (const auto& r : log.records) {
    parent += r.record.command == "parent" ? 1 : 0;
    EXPECT_EQ(r.record.database, "ops");
    EXPECT_EQ(r.record.kind, "INSERT");
  }
  EXPECT_EQ(parent, 2u * kLines);
}

TEST(AuditSink, RecordsTheContextTheEventAndTheSessionDatabase) {
  TempPath t;
  auto file = AuditFile::open(t.path.string());
  ASSERT_TRUE(file);
  ports::FakeClock clock;
  const auto context = std::make_shared<const AuditContext>(AuditContext{"run", "run-7", "backup", "fe:9030"});
  AuditSink sink(std::move(*file), context, clock, std::string("sales"), nullptr);
  ports::StatementEvent e;
  e.sql = "SHOW BACKUP FROM `other`";
  e.is_query = true;
  e.rows = 3;
  e.elapsed = std::chrono::milliseconds(12);
  sink.on_statement(e);
  e.sql = "BACKUP SNAPSHOT `sales`.`l` TO `r`";
  e.rows.reset();
  e.error_code = "sql.server";
  e.error = "ERROR 1064 (HY000): refused";
  sink.on_statement(e);
  const AuditLog log = parse_audit_log(slurp(t.path));
  ASSERT_EQ(log.records.size(), 2u);
  const AuditRecord& a = log.records[0].record;
  EXPECT_EQ(a.command, "run");
  EXPECT_EQ(a.run_id, "run-7");
  EXPECT_EQ(a.user, "backup");
  EXPECT_EQ(a.server, "fe:9030");
  EXPECT_EQ(a.database, "sales") << "the session's database wins";
  EXPECT_EQ(a.kind, "SHOW BACKUP");
  EXPECT_EQ(a.rows, 3u);
  EXPECT_EQ(a.duration, std::chrono::milliseconds(12));
  EXPECT_EQ(a.outcome, Outcome::kOk);
  const AuditRecord& b = log.records[1].record;
  EXPECT_EQ(b.outcome, Outcome::kError);
  EXPECT_EQ(b.error_code, "sql.server");
  EXPECT_EQ(b.kind, "BACKUP");
}

}  // namespace
}  // namespace sk::audit
