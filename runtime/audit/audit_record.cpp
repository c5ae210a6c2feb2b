#include "runtime/audit/audit_record.h"

#include <array>
#include <cctype>

#include <nlohmann/json.hpp>

#include "common/error_codes.h"
#include "common/json_text.h"
#include "common/utf8.h"

namespace sk::audit {
namespace {

using Json = nlohmann::json;


std::string upper(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A token of a statement: a word, a quoted name (quotes removed) or one punctuation character.
struct Token {
  std::string text;
  bool quoted = false;
  bool word = false;
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view sql) : sql_(sql) {}

  std::optional<Token> next() {
    skip_space_and_comments();
    if (i_ >= sql_.size()) return std::nullopt;
    const char c = sql_[i_];
    if (c == '`' || c == '"' || c == '\'') return quoted(c);
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t begin = i_;
      while (i_ < sql_.size() && (std::isalnum(static_cast<unsigned char>(sql_[i_])) || sql_[i_] == '_' ||
                                  static_cast<unsigned char>(sql_[i_]) >= 0x80)) {
        ++i_;
      }
      return Token{std::string(sql_.substr(begin, i_ - begin)), false, true};
    }
    ++i_;
    return Token{std::string(1, c), false, false};
  }

 private:
  void skip_space_and_comments() {
    while (i_ < sql_.size()) {
      if (is_space(sql_[i_])) {
        ++i_;
      } else if (sql_.substr(i_, 2) == "--" || sql_[i_] == '#') {
        while (i_ < sql_.size() && sql_[i_] != '\n') ++i_;
      } else if (sql_.substr(i_, 2) == "/*") {
        const std::size_t end = sql_.find("*/", i_ + 2);
        i_ = end == std::string_view::npos ? sql_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  Token quoted(char q) {
    std::string text;
    ++i_;
    while (i_ < sql_.size()) {
      if (sql_[i_] == q) {
        if (i_ + 1 < sql_.size() && sql_[i_ + 1] == q) {
          text += q;
          i_ += 2;
          continue;
        }
        ++i_;
        break;
      }
      if (sql_[i_] == '\\' && q != '`' && i_ + 1 < sql_.size()) ++i_;
      text += sql_[i_++];
    }
    return Token{std::move(text), q == '`', false};
  }

  std::string_view sql_;
  std::size_t i_ = 0;
};

bool is_name(const Token& t) { return t.quoted || t.word; }

bool takes_object_word(std::string_view first) {
  constexpr std::array<std::string_view, 8> kWords = {"CREATE", "DROP",  "ALTER",    "SHOW",
                                                      "CANCEL", "ADMIN", "TRUNCATE", "RECOVER"};
  for (auto w : kWords) {
    if (first == w) return true;
  }
  return false;
}

// The words of CREATE … that stand between the verb and the object ("CREATE OR REPLACE VIEW", "SHOW FULL …").
bool is_modifier(std::string_view word) {
  return word == "OR" || word == "REPLACE" || word == "FULL" || word == "TEMPORARY" || word == "EXTERNAL" ||
         word == "GLOBAL" || word == "SESSION";
}

std::optional<std::string> database_after(Tokenizer& tokens, const std::string& keyword, bool show_like) {
  auto name = tokens.next();
  while (name && name->word && (upper(name->text) == "IF" || upper(name->text) == "NOT" ||
                                upper(name->text) == "EXISTS")) {
    name = tokens.next();
  }
  if (!name || !is_name(*name)) return std::nullopt;
  auto dot = tokens.next();
  if (dot && dot->text == "." && !dot->quoted) return name->text;
  if (keyword == "DATABASE" || keyword == "USE" || keyword == "SCHEMA") return name->text;
  if (show_like && (keyword == "FROM" || keyword == "IN")) return name->text;
  return std::nullopt;
}

Result<std::string> required_string(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fail(errc::kAuditMalformed, "missing or non-text field '{}'", key);
  return it->get<std::string>();
}

std::optional<std::string> optional_string(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string_view to_string(Outcome outcome) { return outcome == Outcome::kOk ? "ok" : "error"; }

std::string statement_kind(std::string_view sql) {
  Tokenizer tokens(sql);
  auto first = tokens.next();
  if (!first) return "";
  std::string kind = upper(first->text);
  if (kind == "INSERT") {
    auto second = tokens.next();
    if (second && upper(second->text) == "OVERWRITE") kind += " OVERWRITE";
    return kind;
  }
  if (!takes_object_word(kind)) return kind;
  auto second = tokens.next();
  while (second && second->word && is_modifier(upper(second->text))) second = tokens.next();
  if (second && second->word) kind += " " + upper(second->text);
  return kind;
}

std::optional<std::string> statement_database(std::string_view sql) {
  Tokenizer tokens(sql);
  auto first = tokens.next();
  if (!first) return std::nullopt;
  const std::string verb = upper(first->text);
  const bool show_like = verb == "SHOW" || verb == "CANCEL";
  if (verb == "USE") return database_after(tokens, "USE", false);
  while (auto t = tokens.next()) {
    if (!t->word) continue;
    const std::string word = upper(t->text);
    if (word == "FROM" || word == "INTO" || word == "TABLE" || word == "SNAPSHOT" || word == "UPDATE" ||
        word == "JOIN" || word == "DATABASE" || word == "SCHEMA" || word == "IN") {
      if (auto db = database_after(tokens, word, show_like)) return db;
    }
  }
  return std::nullopt;
}

std::string to_json_line(const AuditRecord& r) {
  Json j = Json::object();
  j["v"] = kAuditVersion;
  j["time"] = r.time.to_iso8601_utc();
  j["command"] = r.command;
  j["run_id"] = r.run_id;
  j["user"] = r.user;
  j["server"] = r.server;
  j["database"] = r.database ? Json(*r.database) : Json(nullptr);
  j["kind"] = r.kind;
  j["duration_ms"] = r.duration.count();
  j["outcome"] = to_string(r.outcome);
  if (r.error_code) j["error_code"] = *r.error_code;
  if (r.error) j["error"] = *r.error;
  if (r.rows) j["rows"] = *r.rows;
  j["statement"] = truncate_utf8(r.statement, kMaxStatementBytes);
  return json_text(j);
}

Result<AuditRecord> parse_json_line(std::string_view line) {
  const Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(errc::kAuditMalformed, "not a JSON object");
  AuditRecord r;
  auto time = required_string(j, "time");
  if (!time) return std::unexpected(time.error());
  auto instant = Instant::parse(*time, TimeZone::utc());
  if (!instant) return fail(errc::kAuditMalformed, "field 'time': {}", instant.error().message);
  r.time = *instant;
  for (auto [key, field] : {std::pair{"command", &r.command}, std::pair{"kind", &r.kind},
                            std::pair{"statement", &r.statement}}) {
    auto value = required_string(j, key);
    if (!value) return std::unexpected(value.error());
    *field = std::move(*value);
  }
  auto outcome = required_string(j, "outcome");
  if (!outcome) return std::unexpected(outcome.error());
  if (*outcome != "ok" && *outcome != "error")
    return fail(errc::kAuditMalformed, "field 'outcome' is '{}', not 'ok' or 'error'", *outcome);
  r.outcome = *outcome == "ok" ? Outcome::kOk : Outcome::kError;
  const auto duration = j.find("duration_ms");
  if (duration == j.end() || !duration->is_number_integer())
    return fail(errc::kAuditMalformed, "missing or non-integer field 'duration_ms'");
  r.duration = std::chrono::milliseconds(duration->get<std::int64_t>());
  r.run_id = optional_string(j, "run_id").value_or("");
  r.user = optional_string(j, "user").value_or("");
  r.server = optional_string(j, "server").value_or("");
  r.database = optional_string(j, "database");
  r.error_code = optional_string(j, "error_code");
  r.error = optional_string(j, "error");
  if (const auto rows = j.find("rows"); rows != j.end() && rows->is_number_unsigned()) r.rows = rows->get<std::size_t>();
  return r;
}

}  // namespace sk::audit
