// Test doubles for the runtime ports: FakeClock (set and advanced by hand), FakeSleeper (records every sleep and
// advances a FakeClock instead of blocking) and RecordingSqlConnection (records every statement and answers from
// a script of regex rules). Used by unit tests of everything above the ports; never linked into the product.
// Not thread-safe unless stated.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::ports {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant start = Instant::from_unix_seconds(1'757'811'600) /* 2025-09-14T01:00:00Z */)
      : now_ms_(start.unix_seconds() * 1000) {}

  [[nodiscard]] Instant now() override { return Instant::from_unix_seconds(now_ms_ / 1000); }
  [[nodiscard]] std::chrono::milliseconds monotonic() override { return std::chrono::milliseconds(now_ms_); }

  void advance(std::chrono::milliseconds by) { now_ms_ += by.count(); }
  void set(Instant t) { now_ms_ = t.unix_seconds() * 1000; }

 private:
  std::int64_t now_ms_;
};

// Records the requested durations; advances `clock` (if given) by each of them.
class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock* clock = nullptr) : clock_(clock) {}
  void sleep_for(std::chrono::milliseconds duration) override {
    sleeps_.push_back(duration);
    if (clock_ && duration.count() > 0) clock_->advance(duration);
  }
  [[nodiscard]] const std::vector<std::chrono::milliseconds>& sleeps() const { return sleeps_; }

 private:
  FakeClock* clock_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

// Builds Rows for scripts; aborts the test program if a row's width is wrong (a bug in the test itself).
[[nodiscard]] Rows make_rows(std::vector<std::string> columns, std::vector<Rows::Row> rows);

class RecordingSqlConnection final : public SqlConnection {
 public:
  struct Statement {
    std::string sql;
    Idempotency idempotency = Idempotency::kIdempotent;
    bool is_query = false;  // sent through query() rather than execute()
  };
  using Handler = std::function<Result<Rows>(std::string_view sql)>;

  // Adds a rule: statements matching `pattern` (ECMAScript regex, case-insensitive, searched anywhere in the
  // text; anchor with ^ for a prefix) get `reply`. Rules are tried in the order added; a rule with `times` ≥ 0
  // answers that many statements and is then skipped. Returns *this for chaining.
  RecordingSqlConnection& on(std::string_view pattern, Result<Rows> reply, int times = -1);
  RecordingSqlConnection& on_error(std::string_view pattern, Error error, int times = -1);
  RecordingSqlConnection& on_call(std::string_view pattern, Handler handler, int times = -1);
  // Unmatched statements: with strict (the default is false) they fail with "sql.usage" naming the statement;
  // otherwise queries return an empty Rows and executes succeed.
  void set_strict(bool strict) { strict_ = strict; }

  [[nodiscard]] const std::vector<Statement>& statements() const { return statements_; }
  [[nodiscard]] std::vector<std::string> sql() const;
  [[nodiscard]] std::size_t count_matching(std::string_view pattern) const;
  void clear_statements() { statements_.clear(); }

 private:
  struct Rule {
    std::regex pattern;
    Handler handler;
    int remaining;
  };
  Result<Rows> answer(std::string_view sql, Idempotency idempotency, bool is_query);
  Result<Rows> do_query(std::string_view sql, Idempotency idempotency) override;
  Status do_execute(std::string_view sql, Idempotency idempotency) override;

  std::vector<Rule> rules_;
  std::vector<Statement> statements_;
  bool strict_ = false;
};

}  // namespace sk::ports
