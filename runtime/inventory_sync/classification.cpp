#include "runtime/inventory_sync/classification.h"

#include <nlohmann/json.hpp>

namespace sk::inventory_sync {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

bool matches(const ClassificationRule& rule, std::string_view table, bool partitioned) {
  if (rule.partitioned && *rule.partitioned != partitioned) return false;
  if (rule.prefixes.empty()) return true;
  for (const auto& p : rule.prefixes) {
    if (starts_with_ci(table, p)) return true;
  }
  return false;
}

}  // namespace

bool is_valid_class(std::string_view c) {
  if (c.empty() || c.size() > 64 || c[0] < 'a' || c[0] > 'z') return false;
  for (char ch : c) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

ClassificationRules ClassificationRules::defaults() {
  ClassificationRules r;
  r.rules.push_back({{"fact_", "fct_"}, std::nullopt, "fact"});
  r.rules.push_back({{"dim_"}, std::nullopt, "dimension"});
  r.rules.push_back({{}, true, "fact"});
  r.fallback = "unclassified";
  return r;
}

std::string ClassificationRules::classify(std::string_view table, bool partitioned) const {
  for (const auto& rule : rules) {
    if (matches(rule, table, partitioned)) return rule.table_class;
  }
  return fallback;
}

Result<ClassificationRules> parse_rules_json(std::string_view text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return sk::fail("inventory.rules", "not valid JSON: {}", e.what());
  }
  if (!doc.is_object()) return sk::fail("inventory.rules", "expected an object with \"rules\"");
  ClassificationRules out;
  for (const auto& [key, value] : doc.items()) {
    if (key != "rules" && key != "fallback") return sk::fail("inventory.rules", "{}: unknown field", key);
  }
  if (doc.contains("fallback")) {
    if (!doc["fallback"].is_string() || !is_valid_class(doc["fallback"].get<std::string>())) {
      return sk::fail("inventory.rules", "fallback: expected a lower-case class name ([a-z][a-z0-9_-]*)");
    }
    out.fallback = doc["fallback"].get<std::string>();
  }
  if (!doc.contains("rules") || !doc["rules"].is_array()) {
    return sk::fail("inventory.rules", "rules: expected a list of rules");
  }
  std::size_t i = 0;
  for (const auto& r : doc["rules"]) {
    const std::string path = "rules[" + std::to_string(i++) + "]";
    if (!r.is_object()) return sk::fail("inventory.rules", "{}: expected an object", path);
    ClassificationRule rule;
    for (const auto& [key, value] : r.items()) {
      if (key == "class") {
        if (!value.is_string() || !is_valid_class(value.get<std::string>())) {
          return sk::fail("inventory.rules", "{}.class: expected a lower-case class name ([a-z][a-z0-9_-]*)", path);
        }
        rule.table_class = value.get<std::string>();
      } else if (key == "prefix") {
        if (value.is_string()) {
          rule.prefixes.push_back(value.get<std::string>());
        } else if (value.is_array()) {
          for (const auto& p : value) {
            if (!p.is_string()) return sk::fail("inventory.rules", "{}.prefix: expected strings", path);
            rule.prefixes.push_back(p.get<std::string>());
          }
        } else {
          return sk::fail("inventory.rules", "{}.prefix: expected a string or a list of strings", path);
        }
        for (const auto& p : rule.prefixes) {
          if (p.empty()) return sk::fail("inventory.rules", "{}.prefix: empty prefix", path);
        }
      } else if (key == "partitioned") {
        if (!value.is_boolean()) return sk::fail("inventory.rules", "{}.partitioned: expected true or false", path);
        rule.partitioned = value.get<bool>();
      } else {
        return sk::fail("inventory.rules", "{}.{}: unknown field", path, key);
      }
    }
    if (rule.table_class.empty()) return sk::fail("inventory.rules", "{}.class: missing", path);
    if (rule.prefixes.empty() && !rule.partitioned) {
      return sk::fail("inventory.rules", "{}: needs \"prefix\" or \"partitioned\"", path);
    }
    out.rules.push_back(std::move(rule));
  }
  return out;
}

}  // namespace sk::inventory_sync
