// `starkeep audit`'s reader and filter: malformed lines are reported with their numbers and skipped, never fatal;
// every criterion of the filter narrows the answer.
#include "runtime/audit/audit_query.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sk::audit {
namespace {

std::string line(std::string_view time, std::string_view command, std::optional<std::string> db, std::string_view kind,
                 std::string_view outcome = "ok") {
  AuditRecord r;
  r.time = *Instant::parse(time, TimeZone::utc());
  r.command = command;
  r.run_id = "r1";
  r.database = std::move(db);
  r.kind = kind;
  r.outcome = outcome == "ok" ? Outcome::kOk : Outcome::kError;
  if (outcome != "ok") r.error_code = "sql.server";
  r.statement = std::string(kind) + " …";
  return to_json_line(r) + "\n";
}

const std::string kLog = line("2025-09-14T01:00:00Z", "run", "sales", "SHOW BACKUP") +
                         line("2025-09-14T01:00:05Z", "run", "sales", "BACKUP") +
                         line("2025-09-14T02:00:00Z", "repository apply", std::nullopt, "CREATE REPOSITORY") +
                         line("2025-09-15T09:30:00Z", "restore table", "shop", "RESTORE", "error") +
                         line("2025-09-15T09:40:00Z", "restore table", "shop", "ALTER TABLE");

std::vector<std::string> kinds(const std::vector<NumberedRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.record.kind);
  return out;
}

TEST(AuditLogReader, ReadsEveryLineInOrder) {
  const AuditLog log = parse_audit_log(kLog);
  EXPECT_TRUE(log.malformed.empty());
  ASSERT_EQ(log.records.size(), 5u);
  EXPECT_EQ(log.records[0].line, 1u);
  EXPECT_EQ(log.records[4].line, 5u);
  EXPECT_EQ(log.records[3].record.error_code, "sql.server");
}

TEST(AuditLogReader, MalformedLinesAreReportedWithTheirNumbers) {
  const std::string text = line("2025-09-14T01:00:00Z", "run", "sales", "BACKUP") +  // 1
                           "not json at all\n" +                                       // 2
                           "\n" +                                                      // 3: blank, skipped
                           R"({"time":"2025-09-14T01:00:00Z","command":"run"})" "\n" +  // 4: fields missing
                           R"({"time":"yesterday","command":"run","kind":"X","statement":"","outcome":"ok","duration_ms":1})" "\n" +
                           R"({"time":"2025-09-14T01:00:00Z","command":"run","kind":"X","statement":"","outcome":"maybe","duration_ms":1})" "\n" +
                           R"([1,2,3])" "\n" +                                          // 7
                           line("2025-09-14T01:00:09Z", "run", "sales", "SHOW BACKUP") +  // 8
                           R"({"time":"2025-09-14T01:0)";                               // 9: torn last write
  const AuditLog log = parse_audit_log(text);
  ASSERT_EQ(log.records.size(), 2u);
  EXPECT_EQ(log.records[0].line, 1u);
  EXPECT_EQ(log.records[1].line, 8u);
  ASSERT_EQ(log.malformed.size(), 6u);
  std::vector<std::size_t> lines;
  for (const auto& m : log.malformed) lines.push_back(m.line);
  EXPECT_EQ(lines, (std::vector<std::size_t>{2, 4, 5, 6, 7, 9}));
  EXPECT_NE(log.malformed[0].message.find("not a JSON object"), std::string::npos);
  EXPECT_NE(log.malformed[1].message.find("'kind'"), std::string::npos) << log.malformed[1].message;
  EXPECT_NE(log.malformed[2].message.find("'time'"), std::string::npos) << log.malformed[2].message;
  EXPECT_NE(log.malformed[3].message.find("maybe"), std::string::npos) << log.malformed[3].message;
}

TEST(AuditLogReader, BinaryGarbageNeverCrashes) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 37 + 11) % 256);
  const AuditLog log = parse_audit_log(garbage);
  EXPECT_TRUE(log.records.empty());
  EXPECT_FALSE(log.malformed.empty());
  EXPECT_FALSE(render_json({}, log.malformed).empty());
}

TEST(AuditFilter, EachCriterionNarrows) {
  const AuditLog log = parse_audit_log(kLog);
  AuditFilter f;
  EXPECT_EQ(select(log, f).size(), 5u);
  f.since = *Instant::parse("2025-09-14T01:00:05Z", TimeZone::utc());
  f.until = *Instant::parse("2025-09-15T09:40:00Z", TimeZone::utc());  // exclusive
  EXPECT_EQ(kinds(select(log, f)), (std::vector<std::string>{"BACKUP", "CREATE REPOSITORY", "RESTORE"}));
  f = {};
  f.command = "Restore Table";
  EXPECT_EQ(kinds(select(log, f)), (std::vector<std::string>{"RESTORE", "ALTER TABLE"}));
  f = {};
  f.database = "SALES";
  EXPECT_EQ(kinds(select(log, f)), (std::vector<std::string>{"SHOW BACKUP", "BACKUP"}));
  f = {};
  f.kind = "show";
  EXPECT_EQ(kinds(select(log, f)), (std::vector<std::string>{"SHOW BACKUP"}));
  f.kind = "SHOW BACK";  // a prefix of a word is not a kind
  EXPECT_TRUE(select(log, f).empty());
  f = {};
  f.kind = "CREATE REPOSITORY";
  EXPECT_EQ(kinds(select(log, f)), (std::vector<std::string>{"CREATE REPOSITORY"}));
  f = {};
  f.changes_only = true;
  EXPECT_EQ(kinds(select(log, f)), (std::vector<std::string>{"BACKUP", "CREATE REPOSITORY", "RESTORE", "ALTER TABLE"}));
  f.database = "shop";
  f.command = "restore table";
  EXPECT_EQ(kinds(select(log, f)), (std::vector<std::string>{"RESTORE", "ALTER TABLE"}));
}

TEST(AuditRender, TextHasOneLinePerRecordAndJsonKeepsLineNumbers) {
  const AuditLog log = parse_audit_log(kLog + "oops\n");
  const std::string text = render_text(log.records);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
  EXPECT_NE(text.find("2025-09-15T09:30:00Z restore table run=r1 user=- db=shop RESTORE error sql.server 0ms: "),
            std::string::npos)
      << text;
  const std::string json = render_json(log.records, log.malformed);
  EXPECT_NE(json.find("\"line\": 6"), std::string::npos) << json;
  EXPECT_NE(json.find("\"kind\": \"CREATE REPOSITORY\""), std::string::npos) << json;
}

}  // namespace
}  // namespace sk::audit
