#include "runtime/audit/audit_query.h"

#include <array>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace sk::audit {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool kind_matches(std::string_view kind, std::string_view wanted) {
  if (iequals(kind, wanted)) return true;
  return kind.size() > wanted.size() && kind[wanted.size()] == ' ' && iequals(kind.substr(0, wanted.size()), wanted);
}

}  // namespace

AuditLog parse_audit_log(std::string_view text) {
  AuditLog log;
  std::size_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    begin = end + 1;
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto record = parse_json_line(line);
    if (record) {
      log.records.push_back({number, std::move(*record)});
    } else {
      log.malformed.push_back({number, record.error().message});
    }
  }
  return log;
}

bool is_read_kind(std::string_view kind) {
  constexpr std::array<std::string_view, 7> kReads = {"SHOW", "SELECT", "DESC", "DESCRIBE", "EXPLAIN", "USE", "SET"};
  for (auto read : kReads) {
    if (kind_matches(kind, read)) return true;
  }
  return false;
}

bool matches(const AuditRecord& r, const AuditFilter& f) {
  if (f.since && r.time < *f.since) return false;
  if (f.until && r.time >= *f.until) return false;
  if (f.command && !iequals(r.command, *f.command)) return false;
  if (f.database && !(r.database && iequals(*r.database, *f.database))) return false;
  if (f.kind && !kind_matches(r.kind, *f.kind)) return false;
  if (f.changes_only && is_read_kind(r.kind)) return false;
  return true;
}

std::vector<NumberedRecord> select(const AuditLog& log, const AuditFilter& filter) {
  std::vector<NumberedRecord> out;
  for (const auto& r : log.records) {
    if (matches(r.record, filter)) out.push_back(r);
  }
  return out;
}

std::string render_text(const std::vector<NumberedRecord>& records) {
  std::string out;
  for (const auto& [line, r] : records) {
    const std::string outcome =
        r.outcome == Outcome::kOk ? "ok" : fmt::format("error {}", r.error_code.value_or("?"));
    out += fmt::format("{} {} run={} user={} db={} {} {} {}ms: {}\n", r.time.to_iso8601_utc(), r.command, r.run_id,
                       r.user.empty() ? "-" : r.user, r.database.value_or("-"), r.kind, outcome, r.duration.count(),
                       r.statement);
  }
  return out;
}

std::string render_json(const std::vector<NumberedRecord>& records, const std::vector<MalformedLine>& malformed) {
  nlohmann::json doc = nlohmann::json::object();
  doc["records"] = nlohmann::json::array();
  for (const auto& r : records) {
    nlohmann::json j = nlohmann::json::parse(to_json_line(r.record), nullptr, false);
    j["line"] = r.line;
    doc["records"].push_back(std::move(j));
  }
  doc["malformed"] = nlohmann::json::array();
  for (const auto& m : malformed) doc["malformed"].push_back({{"line", m.line}, {"message", m.message}});
  return json_text(doc, 2);
}

}  // namespace sk::audit
