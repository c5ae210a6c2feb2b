#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "emulator/backup/statement_lexer.h"
#include "emulator/backup/statements.h"

namespace sk::emu::backup {

Version Version::parse(std::string_view text) {
  Version v{0, 0, 0};
  int* parts[] = {&v.major, &v.minor, &v.patch};
  size_t i = 0;
  for (int* p : parts) {
    int value = 0;
    bool any = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      ++i;
      any = true;
    }
    if (!any) break;
    *p = value;
    if (i < text.size() && text[i] == '.') {
      ++i;
    } else {
      break;
    }
  }
  return v;
}

namespace {

enum class Family { kNone, kRepository, kJob, kFault };

Family classify(const std::vector<std::string>& w) {
  auto at = [&](size_t i) -> std::string_view {
    return i < w.size() ? std::string_view(w[i]) : std::string_view();
  };
  if (at(0) == "CREATE" &&
      (at(1) == "REPOSITORY" || (at(1) == "READ" && at(2) == "ONLY" && at(3) == "REPOSITORY"))) {
    return Family::kRepository;
  }
  if (at(0) == "DROP" && (at(1) == "REPOSITORY" || at(1) == "SNAPSHOT")) return Family::kRepository;
  if (at(0) == "SHOW" &&
      (at(1) == "REPOSITORIES" || at(1) == "BACKUP" || at(1) == "RESTORE" || at(1) == "SNAPSHOT")) {
    return Family::kJob;
  }
  if (at(0) == "BACKUP" || at(0) == "RESTORE") return Family::kJob;
  if (at(0) == "CANCEL" && (at(1) == "BACKUP" || at(1) == "RESTORE")) return Family::kJob;
  if (at(0) == "ADMIN" && at(1) == "EMULATOR") {
    if (at(2) == "SET" && (at(3) == "REPOSITORY" || at(3) == "LOCATION")) return Family::kFault;
    if ((at(2) == "FAIL" || at(2) == "DELAY" || at(2) == "CLEAR") && at(3) == "JOB") return Family::kFault;
    if (at(2) == "START" && at(3) == "FOREIGN") return Family::kFault;
    if (at(2) == "CORRUPT" && at(3) == "SNAPSHOT") return Family::kFault;
    if (at(2) == "REFUSE" && at(3) == "NEXT") return Family::kFault;
    if (at(2) == "LOSE" && at(3) == "NEXT") return Family::kFault;
    if (at(2) == "ADVANCE" && at(3) == "CLOCK") return Family::kFault;
  }
  return Family::kNone;
}

class Parser {
 public:
  Parser(std::string_view sql, const Version& version)
      : sql_(sql), tokens_(tokenize(sql)), version_(version) {}

  std::expected<Statement, std::string> parse() {
    std::optional<Statement> stmt = statement();
    if (!error_.empty()) return std::unexpected(error_);
    if (peek().is_symbol(';')) advance();
    if (peek().kind != TokenKind::kEnd) {
      fail_unexpected("<EOF>");
      return std::unexpected(error_);
    }
    return std::move(*stmt);
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& advance() {
    const Token& t = peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool ok() const { return error_.empty(); }

  void fail_unexpected(std::string_view expected) {
    if (!error_.empty()) return;
    const Token& t = peek();
    size_t line = 1;
    size_t col = 0;
    for (size_t i = 0; i < t.offset && i < sql_.size(); ++i) {
      if (sql_[i] == '\n') {
        ++line;
        col = 0;
      } else {
        ++col;
      }
    }
    std::string shown =
        t.kind == TokenKind::kEnd ? "<EOF>" : std::string(sql_.substr(t.offset, token_length(t)));
    error_ = fmt::format(
        "Getting syntax error at line {}, column {}. Detail message: Unexpected input '{}', "
        "the most similar input is {{{}}}.",
        line, col, shown, expected);
  }
  size_t token_length(const Token& t) const {
    size_t next = pos_ + 1 < tokens_.size() ? tokens_[pos_ + 1].offset : sql_.size();
    size_t len = next > t.offset ? next - t.offset : 0;
    while (len > 0 && std::isspace(static_cast<unsigned char>(sql_[t.offset + len - 1]))) --len;
    return len;
  }

  bool accept(std::string_view kw) {
    if (ok() && peek().is(kw)) {
      advance();
      return true;
    }
    return false;
  }
  bool accept_symbol(char c) {
    if (ok() && peek().is_symbol(c)) {
      advance();
      return true;
    }
    return false;
  }
  void expect(std::string_view kw) {
    if (!ok()) return;
    if (!accept(kw)) fail_unexpected(fmt::format("'{}'", kw));
  }
  void expect_symbol(char c) {
    if (!ok()) return;
    if (!accept_symbol(c)) fail_unexpected(fmt::format("'{}'", c));
  }
  std::string name() {
    if (!ok()) return {};
    if (peek().is_name()) return advance().text;
    fail_unexpected("a legal identifier");
    return {};
  }
  std::string string_literal() {
    if (!ok()) return {};
    if (peek().kind == TokenKind::kString) return advance().text;
    fail_unexpected("a string");
    return {};
  }
  std::string name_or_string() {
    if (ok() && peek().kind == TokenKind::kString) return advance().text;
    return name();
  }
  bool boolean() {
    if (!ok()) return false;
    const Token& t = peek();
    std::string v = to_upper(t.text);
    if ((t.kind == TokenKind::kWord || t.kind == TokenKind::kString || t.kind == TokenKind::kNumber) &&
        (v == "TRUE" || v == "FALSE" || v == "1" || v == "0")) {
      advance();
      return v == "TRUE" || v == "1";
    }
    fail_unexpected("'true', 'false'");
    return false;
  }
  double number() {
    if (!ok()) return 0;
    const Token& t = peek();
    if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kString) {
      char* end = nullptr;
      double v = std::strtod(t.text.c_str(), &end);
      if (end != nullptr && *end == '\0' && !t.text.empty()) {
        advance();
        return v;
      }
    }
    fail_unexpected("a number");
    return 0;
  }

  Properties properties() {
    Properties out;
    expect_symbol('(');
    while (ok()) {
      std::string key = name_or_string();
      expect_symbol('=');
      std::string value = name_or_string();
      if (!ok()) break;
      out.emplace_back(std::move(key), std::move(value));
      if (!accept_symbol(',')) break;
    }
    expect_symbol(')');
    return out;
  }

  // [PARTITION|PARTITIONS] (p, ...) or TEMPORARY PARTITION (...), after a table name.
  void partitions(TableItem& item) {
    bool temp = false;
    if (peek().is("TEMPORARY") && (peek(1).is("PARTITION") || peek(1).is("PARTITIONS"))) {
      advance();
      temp = true;
    }
    if (accept("PARTITION") || accept("PARTITIONS")) {
      item.temp_partitions = temp;
      if (accept_symbol('(')) {
        while (ok()) {
          item.partitions.push_back(name());
          if (!accept_symbol(',')) break;
        }
        expect_symbol(')');
      } else {
        item.partitions.push_back(name());
      }
    }
  }

  // ON ( ... ) for BACKUP and RESTORE; returns whether ALL TABLES was given.
  bool on_list(std::vector<TableItem>& items) {
    bool all = false;
    expect_symbol('(');
    while (ok()) {
      if (version_.at_least(3, 4) && peek().is("ALL") && peek(1).is("TABLES")) {
        advance();
        advance();
        all = true;
      } else {
        if (version_.at_least(3, 4) && (peek().is("TABLE") || peek().is("TABLES")) && peek(1).is_name())
          advance();
        TableItem item;
        item.table = name();
        partitions(item);
        if (accept("AS")) {
          item.alias = name();
        }
        items.push_back(std::move(item));
      }
      if (!accept_symbol(',')) break;
    }
    expect_symbol(')');
    return all;
  }

  // [db.]label
  void qualified_label(std::optional<std::string>& db, std::string& label) {
    std::string first = name();
    if (accept_symbol('.')) {
      db = first;
      label = name();
    } else {
      label = first;
    }
  }

  std::optional<std::string> from_db() {
    if (accept("FROM") || accept("IN")) return name();
    return std::nullopt;
  }

  std::string job_state() {
    if (!ok()) return {};
    static constexpr std::string_view kStates[] = {
        "PENDING",     "SNAPSHOTING", "UPLOAD_SNAPSHOT", "UPLOADING", "SAVE_META",
        "UPLOAD_INFO", "DOWNLOAD",    "DOWNLOADING",     "COMMIT",    "COMMITTING"};
    const Token& t = peek();
    if (t.kind == TokenKind::kWord || t.kind == TokenKind::kString) {
      std::string up = to_upper(t.text);
      for (std::string_view s : kStates) {
        if (up == s) {
          advance();
          return up;
        }
      }
    }
    fail_unexpected(
        "a job state (PENDING, SNAPSHOTING, UPLOAD_SNAPSHOT, UPLOADING, SAVE_META, UPLOAD_INFO, "
        "DOWNLOAD, DOWNLOADING, COMMIT, COMMITTING)");
    return {};
  }

  std::optional<Statement> statement() {
    const Token& t = peek();
    if (t.is("CREATE")) return create_repository();
    if (t.is("DROP")) {
      advance();
      if (accept("REPOSITORY")) return DropRepositoryStmt{name()};
      expect("SNAPSHOT");
      if (!version_.at_least(4, 2)) {
        fail_unexpected("'REPOSITORY'");
        return std::nullopt;
      }
      DropSnapshotStmt s;
      s.label = name();
      expect("ON");
      s.repo = name();
      s.force = accept("FORCE");
      return s;
    }
    if (t.is("SHOW")) {
      advance();
      if (accept("REPOSITORIES")) return ShowRepositoriesStmt{};
      if (accept("BACKUP")) return ShowJobStmt{false, from_db()};
      if (accept("RESTORE")) return ShowJobStmt{true, from_db()};
      expect("SNAPSHOT");
      return show_snapshot();
    }
    if (t.is("BACKUP")) return backup();
    if (t.is("RESTORE")) return restore();
    if (t.is("CANCEL")) {
      advance();
      if (accept("BACKUP")) return CancelJobStmt{false, from_db()};
      expect("RESTORE");
      return CancelJobStmt{true, from_db()};
    }
    if (t.is("ADMIN")) return admin_emulator();
    fail_unexpected("'SHOW'");
    return std::nullopt;
  }

  std::optional<Statement> create_repository() {
    expect("CREATE");
    CreateRepositoryStmt s;
    if (accept("READ")) {
      expect("ONLY");
      s.read_only = true;
    }
    expect("REPOSITORY");
    s.name = name();
    expect("WITH");
    expect("BROKER");
    if (ok() && !(peek().is("ON") && peek(1).is("LOCATION"))) s.broker = name_or_string();
    expect("ON");
    expect("LOCATION");
    s.location = string_literal();
    if (accept("PROPERTIES")) s.properties = properties();
    return s;
  }

  std::optional<Statement> show_snapshot() {
    ShowSnapshotStmt s;
    expect("ON");
    s.repo = name();
    if (!accept("WHERE")) return s;
    bool have_label = false;
    while (ok()) {
      if (accept("SNAPSHOT")) {
        if (accept("IN")) {
          expect_symbol('(');
          while (ok()) {
            s.labels.push_back(name_or_string());
            if (!accept_symbol(',')) break;
          }
          expect_symbol(')');
          s.label_in_list = true;
        } else {
          expect_symbol('=');
          s.labels.push_back(name_or_string());
        }
        have_label = true;
      } else if (accept("TIMESTAMP")) {
        expect_symbol('=');
        s.timestamp = name_or_string();
      } else {
        fail_unexpected("'SNAPSHOT', 'TIMESTAMP'");
      }
      if (!accept("AND")) break;
    }
    if (ok() && (!have_label || (s.label_in_list && s.timestamp))) {
      error_ =
          "Getting analyzing error. Detail message: Where clause should looks like: SNAPSHOT = "
          "'your_snapshot_name' [AND TIMESTAMP = '2018-04-18-19-19-10'].";
    }
    return s;
  }

  std::optional<Statement> backup() {
    expect("BACKUP");
    BackupStmt s;
    if (peek().is("DATABASE")) {
      if (!version_.at_least(3, 4)) {
        fail_unexpected("'SNAPSHOT'");
        return std::nullopt;
      }
      advance();
      s.db = name();
    }
    expect("SNAPSHOT");
    std::optional<std::string> label_db;
    qualified_label(label_db, s.label);
    if (label_db) s.db = label_db;
    expect("TO");
    s.repo = name();
    if (accept("ON")) {
      s.has_on = true;
      s.all_tables = on_list(s.tables);
    }
    if (accept("PROPERTIES")) s.properties = properties();
    return s;
  }

  std::optional<Statement> restore() {
    expect("RESTORE");
    RestoreStmt s;
    expect("SNAPSHOT");
    qualified_label(s.label_db, s.label);
    expect("FROM");
    s.repo = name();
    if (peek().is("DATABASE")) {
      if (!version_.at_least(3, 4)) {
        fail_unexpected("'ON', 'PROPERTIES'");
        return std::nullopt;
      }
      advance();
      s.source_db = name();
      if (accept("AS")) s.target_db = name();
    }
    if (accept("ON")) {
      s.has_on = true;
      s.all_tables = on_list(s.tables);
    }
    if (accept("PROPERTIES")) s.properties = properties();
    return s;
  }

  // ADMIN EMULATOR <fault>: the fault-injection statements (docs/emulator.md).
  std::optional<Statement> admin_emulator() {
    expect("ADMIN");
    expect("EMULATOR");
    if (accept("SET")) return set_storage_fault();
    if (accept("FAIL")) return fail_job();
    if (accept("DELAY")) return delay_job();
    if (accept("START")) return start_foreign_backup();
    if (accept("REFUSE")) return refuse_submits();
    if (accept("LOSE")) return lose_submit_reply();
    if (accept("CORRUPT")) return corrupt_snapshot();
    if (accept("ADVANCE")) return advance_clock();
    expect("CLEAR");
    expect("JOB");
    expect("FAULTS");
    return ClearJobFaultsStmt{};
  }

  // SET LOCATION 'l' UNREACHABLE = b | SET REPOSITORY r {UNREACHABLE | READ ONLY} = b, after SET.
  std::optional<Statement> set_storage_fault() {
    if (accept("LOCATION")) {
      SetLocationFaultStmt s;
      s.location = string_literal();
      expect("UNREACHABLE");
      expect_symbol('=');
      s.value = boolean();
      return s;
    }
    expect("REPOSITORY");
    SetRepositoryFaultStmt s;
    s.repo = name();
    if (accept("UNREACHABLE")) {
      s.kind = SetRepositoryFaultStmt::Kind::kUnreachable;
    } else {
      expect("READ");
      expect("ONLY");
      s.kind = SetRepositoryFaultStmt::Kind::kStorageReadOnly;
    }
    expect_symbol('=');
    s.value = boolean();
    return s;
  }

  // FAIL JOB AT state [IN DATABASE db] [WITH STATUS 's'], after FAIL.
  std::optional<Statement> fail_job() {
    expect("JOB");
    expect("AT");
    FailJobStmt s;
    s.state = job_state();
    if (accept("IN")) {
      expect("DATABASE");
      s.db = name();
    }
    if (accept("WITH")) {
      expect("STATUS");
      s.status = string_literal();
    }
    return s;
  }

  // DELAY JOB AT state [IN DATABASE db] SECONDS n, after DELAY.
  std::optional<Statement> delay_job() {
    expect("JOB");
    expect("AT");
    DelayJobStmt s;
    s.state = job_state();
    if (accept("IN")) {
      expect("DATABASE");
      s.db = name();
    }
    expect("SECONDS");
    s.seconds = number();
    return s;
  }

  // START FOREIGN BACKUP IN DATABASE db [SECONDS n], after START.
  std::optional<Statement> start_foreign_backup() {
    expect("FOREIGN");
    expect("BACKUP");
    expect("IN");
    expect("DATABASE");
    ForeignBackupStmt s;
    s.db = name();
    if (accept("SECONDS")) s.seconds = number();
    return s;
  }

  // REFUSE NEXT SUBMITS n [WITH 'text'], after REFUSE.
  std::optional<Statement> refuse_submits() {
    expect("NEXT");
    expect("SUBMITS");
    RefuseSubmitsStmt s;
    s.count = static_cast<int>(number());
    if (accept("WITH")) s.text = string_literal();
    return s;
  }

  // LOSE NEXT SUBMIT REPLY [AFTER ACCEPT | BEFORE ACCEPT], after LOSE.
  std::optional<Statement> lose_submit_reply() {
    expect("NEXT");
    expect("SUBMIT");
    expect("REPLY");
    LoseSubmitReplyStmt s;
    if (accept("BEFORE")) {
      expect("ACCEPT");
      s.after_accept = false;
    } else if (accept("AFTER")) {
      expect("ACCEPT");
    }
    return s;
  }

  // ADVANCE CLOCK n {SECOND|MINUTE|HOUR|DAY}[S], after ADVANCE.
  std::optional<Statement> advance_clock() {
    expect("CLOCK");
    const double n = number();
    if (!ok()) return std::nullopt;
    int64_t unit = 0;
    if (accept("SECOND") || accept("SECONDS")) {
      unit = 1;
    } else if (accept("MINUTE") || accept("MINUTES")) {
      unit = 60;
    } else if (accept("HOUR") || accept("HOURS")) {
      unit = 3600;
    } else if (accept("DAY") || accept("DAYS")) {
      unit = 86400;
    } else {
      fail_unexpected("SECOND, MINUTE, HOUR or DAY");
      return std::nullopt;
    }
    if (n < 0) {
      fail_unexpected("a non-negative number");
      return std::nullopt;
    }
    return AdvanceClockStmt{static_cast<int64_t>(n) * unit};
  }

  // CORRUPT SNAPSHOT label ON repo, after CORRUPT.
  std::optional<Statement> corrupt_snapshot() {
    expect("SNAPSHOT");
    CorruptSnapshotStmt s;
    s.label = name();
    expect("ON");
    s.repo = name();
    return s;
  }

  std::string_view sql_;
  std::vector<Token> tokens_;
  Version version_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

bool is_backup_statement(std::string_view sql) { return classify(leading_words(sql, 4)) != Family::kNone; }

std::optional<std::expected<Statement, std::string>> parse_statement(std::string_view sql,
                                                                     const Version& version) {
  if (!is_backup_statement(sql)) return std::nullopt;
  Parser parser(sql, version);
  return parser.parse();
}

bool is_fault_statement(const Statement& stmt) {
  return std::holds_alternative<SetRepositoryFaultStmt>(stmt) ||
         std::holds_alternative<SetLocationFaultStmt>(stmt) || std::holds_alternative<FailJobStmt>(stmt) ||
         std::holds_alternative<DelayJobStmt>(stmt) || std::holds_alternative<ForeignBackupStmt>(stmt) ||
         std::holds_alternative<RefuseSubmitsStmt>(stmt) || std::holds_alternative<LoseSubmitReplyStmt>(stmt) ||
         std::holds_alternative<ClearJobFaultsStmt>(stmt) ||
         std::holds_alternative<CorruptSnapshotStmt>(stmt) || std::holds_alternative<AdvanceClockStmt>(stmt);
}

}  // namespace sk::emu::backup
