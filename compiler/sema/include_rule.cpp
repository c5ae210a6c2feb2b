// Inclusion rules: `tables where <condition>` → model::Predicate. Conditions over the table attributes class,
// database, table (==, !=, in [..], matches "glob") and the flags partitioned, eligible; and / or / not / ( ).
#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "compiler/sema/values.h"

namespace sk::sema {
namespace {

using ast::Expr;
using diag::Code;
using model::Predicate;

const std::vector<std::string>& attributes() {
  static const std::vector<std::string> words = {"class", "database", "table", "partitioned", "eligible"};
  return words;
}

bool is_value_attribute(std::string_view w) { return w == "class" || w == "database" || w == "table"; }

class ConditionReader {
 public:
  explicit ConditionReader(DiagnosticSink& sink) : sink_(sink) {}

  std::optional<Predicate> condition(const Expr& e) {
    using K = Expr::Kind;
    switch (e.kind) {
      case K::kAnd:
      case K::kOr: {
        std::vector<Predicate> parts;
        bool ok = true;
        for (const Expr& o : e.operands) {
          auto p = condition(o);
          if (p) parts.push_back(*p); else ok = false;
        }
        if (!ok) return std::nullopt;
        return e.kind == K::kAnd ? Predicate::all_of(std::move(parts), e.range)
                                 : Predicate::any_of(std::move(parts), e.range);
      }
      case K::kNot: {
        auto p = condition(e.operands.front());
        if (!p) return std::nullopt;
        return Predicate::negate(*p, e.range);
      }
      case K::kPath: return flag(e);
      case K::kCompare: return compare(e);
      case K::kIn: return membership(e);
      case K::kMatches: return matches(e);
      case K::kError: return std::nullopt;
      default:
        sink_.report(Code::kWrongType, e.range, "include", "a condition such as class == \"fact\" and partitioned",
                     ast::describe(e));
        return std::nullopt;
    }
  }

 private:
  // The attribute on the left of a comparison; reports unknown attributes.
  std::optional<std::string> attribute(const Expr& e, bool value_attribute) {
    if (e.is(Expr::Kind::kError)) return std::nullopt;
    if (!e.is_word()) {
      sink_.report(Code::kWrongType, e.range, "include", "a table attribute (class, database, table)",
                   ast::describe(e));
      return std::nullopt;
    }
    const std::string w(e.path.front().text);
    if (std::find(attributes().begin(), attributes().end(), w) == attributes().end()) {
      diag::Diagnostic& d = sink_.report(Code::kUnknownAttribute, e.range, w);
      if (auto m = diag::closest_match(w, attributes())) d.suggest(*m);
      return std::nullopt;
    }
    if (value_attribute && !is_value_attribute(w)) {
      sink_.report(Code::kWrongType, e.range, w, "no comparison (it is a flag: write it alone or with 'not')",
                   "a comparison");
      return std::nullopt;
    }
    return w;
  }

  std::optional<Predicate> flag(const Expr& e) {
    if (e.is_word("true")) return Predicate::always();
    if (e.is_word("false")) return Predicate::never();
    if (e.is_word()) {
      const std::string w(e.path.front().text);
      if (w == "partitioned") return Predicate::partitioned(e.range);
      if (w == "eligible") return Predicate::eligible(e.range);
      if (is_value_attribute(w)) {
        sink_.report(Code::kWrongType, e.range, w, "a comparison (e.g. class == \"fact\")", "it alone");
        return std::nullopt;
      }
    }
    attribute(e, false);  // reports the unknown attribute
    return std::nullopt;
  }

  std::optional<std::string> string_operand(const Expr& e, std::string_view attr) {
    if (e.is(Expr::Kind::kString)) return std::string(e.text);
    if (e.is(Expr::Kind::kError)) return std::nullopt;
    sink_.report(Code::kWrongType, e.range, attr, "a string in double quotes", ast::describe(e));
    return std::nullopt;
  }

  static std::string normalise(std::string_view attr, std::string value) {
    if (attr == "class") {
      for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return value;
  }

  static Predicate in(std::string_view attr, std::vector<std::string> values, SourceRange range,
                      std::vector<SourceRange> value_ranges) {
    if (attr == "class") return Predicate::class_in(std::move(values), range, std::move(value_ranges));
    if (attr == "database") return Predicate::database_in(std::move(values), range);
    return Predicate::table_in(std::move(values), range);
  }

  std::optional<Predicate> compare(const Expr& e) {
    auto attr = attribute(e.operands[0], true);
    if (!attr) return std::nullopt;
    if (e.text != "==" && e.text != "!=") {
      sink_.report(Code::kWrongOperator, e.op_range, "==' or '!=", *attr, e.text);
      return std::nullopt;
    }
    auto v = string_operand(e.operands[1], *attr);
    if (!v) return std::nullopt;
    Predicate p = in(*attr, {normalise(*attr, *v)}, e.range, {e.operands[1].range});
    return e.text == "==" ? p : Predicate::negate(p, e.range);
  }

  std::optional<Predicate> membership(const Expr& e) {
    auto attr = attribute(e.operands[0], true);
    if (!attr) return std::nullopt;
    const Expr& rhs = e.operands[1];
    auto values = read_strings(rhs, *attr, false, sink_);
    if (!values) return std::nullopt;
    std::vector<std::string> out;
    std::vector<SourceRange> ranges;
    for (Located& l : *values) {
      out.push_back(normalise(*attr, std::move(l.text)));
      ranges.push_back(l.range);
    }
    return in(*attr, std::move(out), e.range, std::move(ranges));
  }

  std::optional<Predicate> matches(const Expr& e) {
    auto attr = attribute(e.operands[0], true);
    if (!attr) return std::nullopt;
    if (*attr == "class") {
      sink_.report(Code::kWrongOperator, e.op_range, "==' or 'in", "class", "matches");
      return std::nullopt;
    }
    auto glob = string_operand(e.operands[1], *attr);
    if (!glob) return std::nullopt;
    return *attr == "database" ? Predicate::database_matches(*glob, e.range)
                               : Predicate::table_matches(*glob, e.range);
  }

  DiagnosticSink& sink_;
};

}  // namespace

std::optional<model::Predicate> read_include(const Expr& value, DiagnosticSink& sink) {
  if (value.is(Expr::Kind::kError)) return std::nullopt;
  if (value.is_word("all") || value.is_word("tables")) return Predicate::always();
  if (!value.is(Expr::Kind::kWhere)) {
    diag::Diagnostic& d =
        sink.report(Code::kWrongType, value.range, "include", "'tables where <condition>'", ast::describe(value));
    // A bare condition: suggest it with the missing "tables where" (read quietly, in a scratch sink).
    DiagnosticSink scratch;
    ConditionReader quiet(scratch);
    if (auto p = quiet.condition(value); p && !scratch.has_errors()) d.suggest("tables where " + p->to_string());
    return std::nullopt;
  }
  const ast::Ident& subject = value.path.front();
  if (subject.text != "tables") {
    sink.report(Code::kUnknownWord, subject.range, "selection", subject.text, "tables").suggest("tables");
    return std::nullopt;
  }
  ConditionReader reader(sink);
  return reader.condition(value.operands.front());
}

}  // namespace sk::sema

namespace sk::sema {
namespace {

void collect_class_literals(const model::Predicate& p, std::vector<std::pair<std::string, SourceRange>>& out) {
  if (p.kind() == model::Predicate::Kind::kClassIn) {
    const auto& ranges = p.value_ranges();
    for (size_t i = 0; i < p.values().size(); ++i) {
      out.emplace_back(p.values()[i], i < ranges.size() ? ranges[i] : p.range());
    }
  }
  for (const model::Predicate& o : p.operands()) collect_class_literals(o, out);
}

}  // namespace

void check_class_literals(const model::Policy& policy, const std::vector<std::string>& known_classes,
                          DiagnosticSink& sink) {
  std::vector<std::string> known = known_classes;
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  std::string listed;
  for (const std::string& k : known) listed += (listed.empty() ? "" : ", ") + k;
  if (listed.empty()) listed = "none";
  for (const model::Tier& tier : policy.tiers) {
    std::vector<std::pair<std::string, SourceRange>> literals;
    collect_class_literals(tier.include, literals);
    std::set<std::string> reported;
    for (const auto& [value, range] : literals) {
      if (std::binary_search(known.begin(), known.end(), value) || !reported.insert(value).second) continue;
      diag::Diagnostic& d = sink.report(Code::kUnknownClass, range, value, listed);
      if (auto m = diag::closest_match(value, known)) d.suggest("\"" + *m + "\"");
    }
  }
}

}  // namespace sk::sema
