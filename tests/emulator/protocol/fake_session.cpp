#include "tests/emulator/protocol/fake_session.h"

#include <stdexcept>

#include <fmt/format.h>

namespace sk::emu::testing {
namespace {

class FakeSession : public Session {
 public:
  FakeSession(FakeSessionFactory& f, std::string user, std::string db)
      : factory_(f), user_(std::move(user)), db_(std::move(db)) {}

  QueryResult query(std::string_view sql) override {
    factory_.record(fmt::format("query:{}", sql));
    if (sql == "SELECT rows") return sample_rows();
    if (sql == "SELECT whoami") {
      return ResultSet{{{"user"}, {"db"}}, {{user_, db_.empty() ? std::nullopt : std::optional(db_)}}};
    }
    if (sql.starts_with("SELECT big ")) {
      size_t n = std::stoul(std::string(sql.substr(11)));
      return ResultSet{{{"len", ColumnType::kLongLong}, {"v"}},
                       {{std::to_string(n), std::string(n, 'x')}, {"1", "y"}}};
    }
    if (sql.starts_with("SELECT echo_len ")) {
      return ResultSet{{{"len", ColumnType::kLongLong}}, {{std::to_string(sql.size() - 16)}}};
    }
    if (sql.starts_with("SELECT many ")) {
      size_t n = std::stoul(std::string(sql.substr(12)));
      ResultSet rs{{{"i", ColumnType::kLongLong}}, {}};
      for (size_t i = 0; i < n; ++i) rs.rows.push_back({std::to_string(i)});
      return rs;
    }
    if (sql == "SELECT drop_all()") {
      if (factory_.on_drop) factory_.on_drop();
      return OkResult{};
    }
    if (sql == "SELECT throw") throw std::runtime_error("engine bug");
    if (sql == "INSERT three") return OkResult{3, 0, ""};
    if (sql == "BACKUP bad") {
      return ErrorResult{1064, "HY000",
                         "Getting analyzing error. Detail message: Repository repo1 does not exist."};
    }
    if (sql == "CREATE REPOSITORY bad") {
      return ErrorResult{5064, "42000", "Failed to create repository: failed to list remote path"};
    }
    if (sql.starts_with("SET ") || sql.starts_with("set ")) return OkResult{};
    if (sql.starts_with("USE `") && sql.ends_with("`")) {
      if (auto err = use_database(sql.substr(5, sql.size() - 6))) return *err;
      return OkResult{};
    }
    if (sql.starts_with("SHOW SESSION VARIABLES LIKE 'lower_case_table_names'")) {
      return ResultSet{{{"Variable_name"}, {"Value"}}, {{"lower_case_table_names", "0"}}};
    }
    return ErrorResult{1064, "HY000", fmt::format("Getting syntax error at line 1. Detail message: {}", sql)};
  }

  std::optional<ErrorResult> use_database(std::string_view db) override {
    factory_.record(fmt::format("use:{}", db));
    if (db == "missing") return ErrorResult{1049, "42000", "Unknown database 'missing'"};
    db_ = std::string(db);
    return std::nullopt;
  }

  std::optional<ErrorResult> ping() override {
    factory_.record("ping");
    return std::nullopt;
  }

 private:
  FakeSessionFactory& factory_;
  std::string user_;
  std::string db_;
};

}  // namespace

ResultSet sample_rows() {
  ResultSet rs;
  rs.columns = {{"id", ColumnType::kLongLong}, {"name", ColumnType::kVarString}, {"note", ColumnType::kVarString}};
  rs.rows.push_back({"1", "plain", "n1"});
  rs.rows.push_back({"2", "日本語 ✓ ünïcødé", std::nullopt});
  rs.rows.push_back({"3", std::nullopt, ""});
  return rs;
}

std::optional<std::string> FakeSessionFactory::password_of(std::string_view user) const {
  if (user == "root") return std::string();
  if (user == "sk") return std::string("secret");
  return std::nullopt;
}

std::unique_ptr<Session> FakeSessionFactory::open(std::string_view user, std::string_view database) {
  record(fmt::format("open:{}:{}", user, database));
  return std::make_unique<FakeSession>(*this, std::string(user), std::string(database));
}

void FakeSessionFactory::record(std::string line) {
  std::lock_guard lock(mu_);
  log_.push_back(std::move(line));
}

std::vector<std::string> FakeSessionFactory::log() const {
  std::lock_guard lock(mu_);
  return log_;
}

bool FakeSessionFactory::saw(std::string_view line) const {
  std::lock_guard lock(mu_);
  for (const auto& l : log_) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace sk::emu::testing
