#include <algorithm>

#include <fmt/format.h>

#include "compiler/model/policy.h"

namespace sk::model {

struct Predicate::Node {
  Kind kind;
  std::vector<Predicate> operands;
  std::vector<std::string> values;
  SourceRange range;
  std::vector<SourceRange> value_ranges;
};

namespace {
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

std::string quote_list(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += quote(values[i]);
  }
  return out + "]";
}

bool contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}
}  // namespace

Predicate Predicate::always() {
  static const Predicate p(std::make_shared<const Node>(Node{Kind::kTrue, {}, {}, {}, {}}));
  return p;
}
Predicate Predicate::never() {
  static const Predicate p(std::make_shared<const Node>(Node{Kind::kFalse, {}, {}, {}, {}}));
  return p;
}
Predicate Predicate::all_of(std::vector<Predicate> operands, SourceRange range) {
  if (operands.empty()) return always();
  if (operands.size() == 1) return operands.front();
  return Predicate(std::make_shared<const Node>(Node{Kind::kAnd, std::move(operands), {}, range, {}}));
}
Predicate Predicate::any_of(std::vector<Predicate> operands, SourceRange range) {
  if (operands.empty()) return never();
  if (operands.size() == 1) return operands.front();
  return Predicate(std::make_shared<const Node>(Node{Kind::kOr, std::move(operands), {}, range, {}}));
}
Predicate Predicate::negate(Predicate operand, SourceRange range) {
  return Predicate(std::make_shared<const Node>(Node{Kind::kNot, {std::move(operand)}, {}, range, {}}));
}
Predicate Predicate::class_in(std::vector<std::string> classes, SourceRange range,
                              std::vector<SourceRange> value_ranges) {
  if (value_ranges.size() != classes.size()) value_ranges.clear();
  return Predicate(std::make_shared<const Node>(
      Node{Kind::kClassIn, {}, std::move(classes), range, std::move(value_ranges)}));
}
Predicate Predicate::database_in(std::vector<std::string> databases, SourceRange range) {
  return Predicate(std::make_shared<const Node>(Node{Kind::kDatabaseIn, {}, std::move(databases), range, {}}));
}
Predicate Predicate::database_matches(std::string glob, SourceRange range) {
  return Predicate(std::make_shared<const Node>(Node{Kind::kDatabaseMatches, {}, {std::move(glob)}, range, {}}));
}
Predicate Predicate::table_in(std::vector<std::string> tables, SourceRange range) {
  return Predicate(std::make_shared<const Node>(Node{Kind::kTableIn, {}, std::move(tables), range, {}}));
}
Predicate Predicate::table_matches(std::string glob, SourceRange range) {
  return Predicate(std::make_shared<const Node>(Node{Kind::kTableMatches, {}, {std::move(glob)}, range, {}}));
}
Predicate Predicate::partitioned(SourceRange range) {
  return Predicate(std::make_shared<const Node>(Node{Kind::kPartitioned, {}, {}, range, {}}));
}
Predicate Predicate::eligible(SourceRange range) {
  return Predicate(std::make_shared<const Node>(Node{Kind::kEligible, {}, {}, range, {}}));
}

Predicate::Kind Predicate::kind() const { return node_->kind; }
const std::vector<Predicate>& Predicate::operands() const { return node_->operands; }
const std::vector<std::string>& Predicate::values() const { return node_->values; }
const std::vector<SourceRange>& Predicate::value_ranges() const { return node_->value_ranges; }
SourceRange Predicate::range() const { return node_->range; }

bool Predicate::evaluate(const TableAttributes& t) const {
  switch (node_->kind) {
    case Kind::kTrue: return true;
    case Kind::kFalse: return false;
    case Kind::kAnd:
      return std::all_of(node_->operands.begin(), node_->operands.end(),
                         [&](const Predicate& p) { return p.evaluate(t); });
    case Kind::kOr:
      return std::any_of(node_->operands.begin(), node_->operands.end(),
                         [&](const Predicate& p) { return p.evaluate(t); });
    case Kind::kNot: return !node_->operands.front().evaluate(t);
    case Kind::kClassIn: return contains(node_->values, t.table_class);
    case Kind::kDatabaseIn: return contains(node_->values, t.database);
    case Kind::kDatabaseMatches: return glob_match(node_->values.front(), t.database);
    case Kind::kTableIn: return contains(node_->values, t.table);
    case Kind::kTableMatches: return glob_match(node_->values.front(), t.table);
    case Kind::kPartitioned: return t.partitioned;
    case Kind::kEligible: return t.eligible;
  }
  return false;
}

namespace {
// Binding strength for parenthesisation: or < and < not < atoms.
int strength(Predicate::Kind k) {
  switch (k) {
    case Predicate::Kind::kOr: return 1;
    case Predicate::Kind::kAnd: return 2;
    default: return 3;
  }
}

std::string in_or_eq(std::string_view attribute, const std::vector<std::string>& values, bool negated) {
  if (values.size() == 1) return fmt::format("{} {} {}", attribute, negated ? "!=" : "==", quote(values.front()));
  return fmt::format("{}{} in {}", negated ? "not " : "", attribute, quote_list(values));
}
}  // namespace

std::string Predicate::to_string() const {
  const Node& n = *node_;
  auto child = [&](const Predicate& p, int min_strength) {
    std::string s = p.to_string();
    return strength(p.kind()) < min_strength ? "(" + s + ")" : s;
  };
  switch (n.kind) {
    case Kind::kTrue: return "true";
    case Kind::kFalse: return "false";
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out;
      const int self = strength(n.kind);
      for (size_t i = 0; i < n.operands.size(); ++i) {
        if (i) out += n.kind == Kind::kAnd ? " and " : " or ";
        out += child(n.operands[i], self + (n.kind == Kind::kAnd ? 1 : 0));
      }
      return out;
    }
    case Kind::kNot: {
      const Predicate& o = n.operands.front();
      if (o.kind() == Kind::kClassIn) return in_or_eq("class", o.values(), true);
      if (o.kind() == Kind::kDatabaseIn) return in_or_eq("database", o.values(), true);
      if (o.kind() == Kind::kTableIn) return in_or_eq("table", o.values(), true);
      return "not " + child(o, 3);
    }
    case Kind::kClassIn: return in_or_eq("class", n.values, false);
    case Kind::kDatabaseIn: return in_or_eq("database", n.values, false);
    case Kind::kTableIn: return in_or_eq("table", n.values, false);
    case Kind::kDatabaseMatches: return "database matches " + quote(n.values.front());
    case Kind::kTableMatches: return "table matches " + quote(n.values.front());
    case Kind::kPartitioned: return "partitioned";
    case Kind::kEligible: return "eligible";
  }
  return "false";
}

bool Predicate::requires_partitioned() const {
  const Node& n = *node_;
  switch (n.kind) {
    case Kind::kPartitioned:
    case Kind::kFalse: return true;
    case Kind::kAnd:
      return std::any_of(n.operands.begin(), n.operands.end(),
                         [](const Predicate& p) { return p.requires_partitioned(); });
    case Kind::kOr:
      return std::all_of(n.operands.begin(), n.operands.end(),
                         [](const Predicate& p) { return p.requires_partitioned(); });
    default: return false;
  }
}

bool Predicate::glob_match(std::string_view glob, std::string_view text) {
  // Iterative wildcard matching with single-star backtracking: O(|glob| * |text|) worst case.
  size_t g = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace sk::model
