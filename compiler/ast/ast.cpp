#include "compiler/ast/ast.h"

namespace sk::ast {

std::string Expr::dotted() const {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += '.';
    out += path[i].text;
  }
  return out;
}

std::string describe(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kString: return "a string";
    case Expr::Kind::kNumber: return "a number";
    case Expr::Kind::kQuantity: return "'" + std::string(e.text) + "'";
    case Expr::Kind::kPercent: return "a percentage";
    case Expr::Kind::kTime: return "a time of day";
    case Expr::Kind::kDate: return "a date";
    case Expr::Kind::kPath: return "'" + e.dotted() + "'";
    case Expr::Kind::kRange: return "a range";
    case Expr::Kind::kList: return "a list";
    case Expr::Kind::kCall:
      return "a call to '" + std::string(e.path.empty() ? std::string_view() : e.path.front().text) + "'";
    case Expr::Kind::kPhrase: return "a phrase";
    case Expr::Kind::kSequence: return "a comma-separated sequence";
    case Expr::Kind::kWhere: return "a 'where' selection";
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr:
    case Expr::Kind::kNot: return "a condition";
    case Expr::Kind::kCompare:
    case Expr::Kind::kIn:
    case Expr::Kind::kMatches: return "a comparison";
    case Expr::Kind::kError: return "an invalid value";
  }
  return "a value";
}

}  // namespace sk::ast
