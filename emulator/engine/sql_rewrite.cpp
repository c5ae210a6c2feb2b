#include "emulator/engine/sql_rewrite.h"

#include <fmt/format.h>

#include "emulator/engine/ddl.h"
#include "emulator/engine/mariadb_catalog.h"

namespace sk::emu {

namespace {

struct Edit {
  size_t begin;
  size_t end;
  std::string text;
};

bool is_lock_function(const Token& t) {
  for (const char* f : {"GET_LOCK", "RELEASE_LOCK", "IS_FREE_LOCK", "IS_USED_LOCK", "RELEASE_ALL_LOCKS"}) {
    if (t.is(f)) return true;
  }
  return false;
}

// Index of the ")" closing the "(" at `open`, or tokens.size().
size_t matching_paren(const std::vector<Token>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (tokens[i].is_symbol("(")) ++depth;
    if (tokens[i].is_symbol(")") && --depth == 0) return i;
  }
  return tokens.size();
}

std::string arg_signature(const std::vector<Token>& tokens, size_t open, size_t close) {
  std::vector<std::string> types;
  int depth = 0;
  std::string current;
  for (size_t i = open + 1; i < close; ++i) {
    const Token& t = tokens[i];
    if (t.is_symbol("(")) ++depth;
    if (t.is_symbol(")")) --depth;
    if (depth == 0 && t.is_symbol(",")) {
      types.push_back(current.empty() ? "varchar" : current);
      current.clear();
      continue;
    }
    if (current.empty()) {
      if (t.kind == TokenKind::kNumber) {
        current = t.text.find('.') == std::string::npos ? "tinyint" : "decimal";
      } else {
        current = "varchar";
      }
    }
  }
  if (close > open + 1) types.push_back(current.empty() ? "varchar" : current);
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += ", ";
    out += types[i];
  }
  return out;
}

bool is_clause_keyword(const Token& t) {
  for (const char* k : {"WHERE", "JOIN", "ON", "GROUP", "ORDER", "LIMIT", "LEFT", "RIGHT", "INNER", "CROSS", "UNION",
                        "HAVING", "STRAIGHT_JOIN", "NATURAL", "FULL", "OUTER", "USING", "WINDOW", "EXCEPT",
                        "INTERSECT", "FOR", "LOCK", "INTO", "SET", "VALUES", "SELECT"}) {
    if (t.is(k)) return true;
  }
  return false;
}

std::optional<std::string> info_schema_target(std::string_view name) {
  std::string n = to_lower(name);
  if (n == "partitions_meta") return "partitions_meta";
  if (n == "tables_config") return "tables_config";
  if (n == "partitions") return "partitions_empty";
  if (n == "tables") return "is_tables";
  if (n == "schemata") return "is_schemata";
  if (n == "columns") return "is_columns";
  return std::nullopt;
}

// One pass over the tokens of a query: each rule looks at the token at i and either does not apply, fails
// with StarRocks' error, or queues an edit and says which token it consumed up to. Edits are applied at the
// end.
class QueryRewriter {
 public:
  QueryRewriter(std::string_view sql, const std::vector<Token>& tokens, const RewriteContext& ctx)
      : sql_(sql), tokens_(tokens), ctx_(ctx), meta_(quote_ident(kMetaSchema)) {}

  Result<RewriteResult> run() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (track_parentheses(tokens_[i], i)) continue;
      auto step = rewrite_at(i);
      if (!step) return std::unexpected(step.error());
      if (*step) i = **step;
    }
    out_.sql = apply_edits();
    return std::move(out_);
  }

 private:
  // An error, nullopt (the rule does not apply at i), or the index of the last token the rule consumed.
  using Step = Result<std::optional<size_t>>;
  static Step none() { return std::optional<size_t>(); }

  const Token* at(size_t i) const { return i < tokens_.size() ? &tokens_[i] : nullptr; }

  // Follows "(" and ")": the nesting depth and whether each open parenthesis belongs to CAST/CONVERT.
  bool track_parentheses(const Token& t, size_t i) {
    if (t.is_symbol("(")) {
      cast_stack_.push_back(i > 0 && (tokens_[i - 1].is("CAST") || tokens_[i - 1].is("CONVERT")));
      ++depth_;
      return true;
    }
    if (t.is_symbol(")")) {
      if (!cast_stack_.empty()) cast_stack_.pop_back();
      --depth_;
      return true;
    }
    return false;
  }

  // The rules in order; the first that applies wins.
  Step rewrite_at(size_t i) {
    for (auto rule : {&QueryRewriter::reject_unsupported, &QueryRewriter::sketch_cast, &QueryRewriter::partition_selection,
                      &QueryRewriter::system_table, &QueryRewriter::information_schema_view,
                      &QueryRewriter::function_call, &QueryRewriter::variable, &QueryRewriter::cast_type}) {
      auto step = (this->*rule)(i);
      if (!step || *step) return step;
    }
    return none();
  }

  // Locking reads, lock functions and a top-level INTO: StarRocks' grammar has none of them.
  Step reject_unsupported(size_t i) {
    const Token& t = tokens_[i];
    const Token* next = at(i + 1);
    if (depth_ == 0 && ((t.is("FOR") && next && (next->is("UPDATE") || next->is("SHARE"))) ||
                        (t.is("LOCK") && next && next->is("IN")))) {
      return std::unexpected(Error{"emu.syntax", syntax_error_text(sql_, t.begin, t.text), {}});
    }
    if (is_lock_function(t) && next && next->is_symbol("(")) {
      size_t close = matching_paren(tokens_, i + 1);
      return analysis_error(fmt::format("No matching function with signature: {}({})", to_lower(t.text),
                                        arg_signature(tokens_, i + 1, close)));
    }
    // Top-level INTO in a query: SELECT ... INTO OUTFILE/DUMPFILE/@var does not exist in StarRocks.
    if (depth_ == 0 && t.is("INTO") &&
        (tokens_[0].is("SELECT") || tokens_[0].is("WITH") || tokens_[0].is_symbol("("))) {
      return std::unexpected(Error{"emu.syntax", syntax_error_text(sql_, t.begin, t.text), {}});
    }
    return none();
  }

  // CAST(c AS VARCHAR|STRING|CHAR) of a HLL or BITMAP column of a table the statement reads: StarRocks' analyzer
  // refuses it (Type.canCastTo; for HLL explicitly since PR #3088), the emulator's LONGBLOB would not.
  Step sketch_cast(size_t i) {
    if (!tokens_[i].is("CAST") || !ctx_.find_table || i + 4 >= tokens_.size() || !tokens_[i + 1].is_symbol("(") ||
        !tokens_[i + 2].is_name() || !tokens_[i + 3].is("AS") ||
        !(tokens_[i + 4].is("VARCHAR") || tokens_[i + 4].is("STRING") || tokens_[i + 4].is("CHAR"))) {
      return none();
    }
    const std::string column = to_lower(tokens_[i + 2].value);
    for (size_t j = 0; j + 1 < tokens_.size(); ++j) {
      if (!(tokens_[j].is("FROM") || tokens_[j].is("JOIN")) || !tokens_[j + 1].is_name()) continue;
      std::string db = ctx_.current_database;
      std::string name = tokens_[j + 1].value;
      if (j + 3 < tokens_.size() && tokens_[j + 2].is_symbol(".") && tokens_[j + 3].is_name()) {
        db = name;
        name = tokens_[j + 3].value;
      }
      auto table = ctx_.find_table(db, name);
      if (!table) continue;
      for (const auto& c : table->columns) {
        const std::string type = to_lower(c.type);
        if (to_lower(c.name) != column || !(type.starts_with("hll") || type.starts_with("bitmap"))) continue;
        return analysis_error(fmt::format("Invalid type cast from {} to varchar(65533) in sql `{}`", type,
                                          tokens_[i + 2].value));
      }
    }
    return none();
  }

  // [db.]t PARTITION (p, ..) / PARTITIONS (..) / TEMPORARY PARTITION (..): a derived table of those rows.
  Step partition_selection(size_t i) {
    const Token& t = tokens_[i];
    const Token* next = at(i + 1);
    if (!t.is_name() || !ctx_.find_table || !next ||
        !(next->is("PARTITION") || next->is("PARTITIONS") || next->is("TEMPORARY")) ||
        (i > 0 && tokens_[i - 1].is_symbol("("))) {
      return none();
    }
    const size_t kw = i + 1;
    if (tokens_[kw].is("TEMPORARY"))
      return analysis_error("Temporary partitions are not supported by the emulator");
    if (kw + 1 >= tokens_.size() || !tokens_[kw + 1].is_symbol("(")) return none();
    const size_t close = matching_paren(tokens_, kw + 1);
    if (close >= tokens_.size()) return i;
    std::string db = ctx_.current_database;
    size_t start = i;
    if (i >= 2 && tokens_[i - 1].is_symbol(".") && tokens_[i - 2].is_name()) {
      db = tokens_[i - 2].value;
      start = i - 2;
    }
    auto table = ctx_.find_table(db, t.value);
    if (!table) return analysis_error(fmt::format("Unknown table '{}'", t.value));
    auto preds = partition_predicates(*table, t.value, kw + 2, close);
    if (!preds) return std::unexpected(preds.error());
    std::string derived =
        fmt::format("(SELECT * FROM {}.{} WHERE {})", quote_ident(db), quote_ident(t.value), *preds);
    if (!has_alias(close + 1)) derived += " AS " + quote_ident(t.value);
    // Drop an edit already queued for the qualifier tokens (none are: names are not rewritten).
    edits_.push_back({tokens_[start].begin, tokens_[close].end, derived});
    return close;
  }

  // The partitions named by tokens [first, close), as one OR of their bound predicates.
  Result<std::string> partition_predicates(const TableSchema& table, const std::string& name, size_t first,
                                           size_t close) const {
    std::string preds;
    for (size_t j = first; j < close; ++j) {
      if (tokens_[j].is_symbol(",")) continue;
      const PartitionSchema* found = nullptr;
      for (const auto& p : table.partitions) {
        if (p.name == tokens_[j].value) found = &p;
      }
      if (!found)
        return analysis_error(fmt::format("Unknown partition '{}' in table '{}'", tokens_[j].value, name));
      preds += (preds.empty() ? "" : " OR ") + partition_predicate(table, *found, "");
    }
    if (preds.empty())
      return std::unexpected(Error{"emu.syntax", syntax_error_text(sql_, tokens_[close].begin, ")"), {}});
    return preds;
  }

  // Whether the token at i starts an alias of the table before it.
  bool has_alias(size_t i) const {
    const Token* after = at(i);
    return after && (after->is("AS") || (after->is_name() && !is_clause_keyword(*after)));
  }

  bool qualified_information_schema(size_t i) const {
    const Token* next = at(i + 1);
    return tokens_[i].is_name() && iequals(tokens_[i].value, "information_schema") && next &&
           next->is_symbol(".") && i + 2 < tokens_.size() && tokens_[i + 2].is_name();
  }

  // information_schema.be_configs / be_metrics: rows from the emulated cluster state, as a derived table.
  Step system_table(size_t i) {
    if (!qualified_information_schema(i) || !ctx_.system_table) return none();
    const std::string name = to_lower(tokens_[i + 2].value);
    std::string select = ctx_.system_table(name);
    if (select.empty()) return none();
    std::string derived = "(" + select + ")";
    if (!has_alias(i + 3)) derived += " AS " + quote_ident(name);
    edits_.push_back({tokens_[i].begin, tokens_[i + 2].end, derived});
    return i + 2;
  }

  // information_schema.<view>, or <view> after FROM/JOIN while information_schema is the current database.
  Step information_schema_view(size_t i) {
    const Token& t = tokens_[i];
    if (qualified_information_schema(i)) {
      if (auto target = info_schema_target(tokens_[i + 2].value)) {
        edits_.push_back({t.begin, tokens_[i + 2].end, meta_ + "." + quote_ident(*target)});
        if (*target == "partitions_meta") out_.touches_partitions_meta = true;
        return i + 2;
      }
    }
    const Token* next = at(i + 1);
    if (t.is_name() && iequals(ctx_.current_database, "information_schema") && i > 0 &&
        (tokens_[i - 1].is("FROM") || tokens_[i - 1].is("JOIN")) && !(next && next->is_symbol("."))) {
      if (auto target = info_schema_target(t.value)) {
        edits_.push_back({t.begin, t.end, meta_ + "." + quote_ident(*target)});
        if (*target == "partitions_meta") out_.touches_partitions_meta = true;
        return i;
      }
    }
    return none();
  }

  // version(), current_version() and the StarRocks hash functions.
  Step function_call(size_t i) {
    const Token& t = tokens_[i];
    const Token* next = at(i + 1);
    if (t.kind != TokenKind::kWord || !next || !next->is_symbol("(") ||
        (i > 0 && tokens_[i - 1].is_symbol("."))) {
      return none();
    }
    size_t close = matching_paren(tokens_, i + 1);
    std::string fname = to_lower(t.text);
    if ((fname == "version" || fname == "current_version") && close == i + 2) {
      std::string original(sql_.substr(t.begin, tokens_[close].end - t.begin));
      replace_with_literal(i, close, fname == "version" ? ctx_.version_string : ctx_.build_version, original);
      return close;
    }
    if (fname == "murmur_hash3_32" || fname == "xx_hash3_64" || fname == "xx_hash3_128" ||
        fname == "md5sum" || fname == "md5sum_numeric") {
      if (close >= tokens_.size()) return i;
      return hash_function(i, close, fname);
    }
    if (fname == "to_bitmap" || fname == "bitmap_from_string" || fname == "bitmap_to_string" ||
        fname == "hll_hash" || fname == "hll_empty") {
      // BITMAP/HLL stand-ins (rewrite_support_functions): the name only; the arguments are rewritten in place.
      edits_.push_back({t.begin, t.end, meta_ + "." + quote_ident("sk_" + fname)});
      return i;
    }
    return none();
  }

  // A StarRocks hash over its arguments → the stand-in stored function (or MD5) over their concatenation.
  Step hash_function(size_t i, size_t close, const std::string& fname) {
    const Token& t = tokens_[i];
    std::string fn = fname == "md5sum" ? "MD5" : meta_ + "." + quote_ident("sk_" + fname);
    std::string args(sql_.substr(tokens_[i + 1].end, tokens_[close].begin - tokens_[i + 1].end));
    std::string joined =
        fname.rfind("md5sum", 0) == 0 ? "CONCAT(" + args + ")" : "CONCAT_WS(CHAR(1), " + args + ")";
    std::string original(sql_.substr(t.begin, tokens_[close].end - t.begin));
    // The inner arguments may need rewriting too: rewrite them recursively.
    auto inner_tokens = tokenize(joined);
    auto inner = rewrite_query(joined, inner_tokens, ctx_);
    if (!inner) return std::unexpected(inner.error());
    std::string replacement = fn + "(" + inner->sql + ")";
    edits_.push_back({t.begin, tokens_[close].end, replacement});
    out_.column_renames[replacement] = original;
    return close;
  }

  // @@version, @@version_comment, @@time_zone, @@system_time_zone (any scope prefix).
  Step variable(size_t i) {
    const Token& t = tokens_[i];
    if (t.kind != TokenKind::kVariable) return none();
    std::string v = to_lower(t.text);
    for (const char* p : {"@@session.", "@@global.", "@@local."}) {
      if (v.rfind(p, 0) == 0) v = "@@" + v.substr(std::string_view(p).size());
    }
    if (v == "@@version") {
      replace_with_literal(i, i, ctx_.version_string, t.text);
    } else if (v == "@@version_comment") {
      // The mysql client prints "Server version: 5.1.0 3.2.2-269e832": the comment is the build string.
      replace_with_literal(i, i, ctx_.build_version, t.text);
    } else if (v == "@@time_zone" || v == "@@system_time_zone") {
      replace_with_literal(i, i, ctx_.time_zone, t.text);
    }
    return i;
  }

  // CAST(x AS <StarRocks type>) → the MariaDB type.
  Step cast_type(size_t i) {
    const Token* next = at(i + 1);
    if (!tokens_[i].is("AS") || cast_stack_.empty() || !cast_stack_.back() || !next ||
        next->kind != TokenKind::kWord) {
      return none();
    }
    std::string ty = to_upper(next->text);
    std::string repl;
    size_t end = next->end;
    bool has_args = i + 2 < tokens_.size() && tokens_[i + 2].is_symbol("(");
    if (ty == "BIGINT" || ty == "INT" || ty == "INTEGER" || ty == "SMALLINT" || ty == "TINYINT" ||
        ty == "BOOLEAN") {
      repl = "SIGNED";
    } else if (ty == "LARGEINT") {
      repl = "DECIMAL(39,0)";
    } else if (ty == "STRING" || ty == "TEXT" || ty == "VARCHAR") {
      repl = "CHAR";
      if (has_args && ty == "VARCHAR") {
        size_t close = matching_paren(tokens_, i + 2);
        if (close < tokens_.size()) end = tokens_[close].end;
      }
    }
    if (repl.empty()) return i;
    edits_.push_back({next->begin, end, repl});
    while (i + 1 < tokens_.size() && tokens_[i + 1].end <= end) ++i;
    return i;
  }

  // A replaced expression that is a whole top-level select item keeps its name with an alias (`'5.1.0' AS
  // `version()``); elsewhere it becomes a bare literal.
  void replace_with_literal(size_t first_tok, size_t last_tok, const std::string& value,
                            const std::string& original) {
    const Token* before = first_tok > 0 ? &tokens_[first_tok - 1] : nullptr;
    const Token* after = at(last_tok + 1);
    bool item_start = before && (before->is("SELECT") || before->is("DISTINCT") || before->is_symbol(","));
    bool item_end = !after || after->is_symbol(",") || after->is("FROM") || after->is("LIMIT") ||
                    after->is("WHERE") || after->is("UNION") || after->is("ORDER") || after->is("GROUP") ||
                    after->is("HAVING") || after->is("INTO");
    std::string text = quote_string(value);
    if (depth_ == 0 && item_start && item_end) text += " AS " + quote_ident(original);
    edits_.push_back({tokens_[first_tok].begin, tokens_[last_tok].end, text});
  }

  std::string apply_edits() const {
    std::string result;
    size_t pos = 0;
    for (const auto& e : edits_) {
      result.append(sql_.substr(pos, e.begin - pos));
      result += e.text;
      pos = e.end;
    }
    result.append(sql_.substr(pos));
    return result;
  }

  std::string_view sql_;
  const std::vector<Token>& tokens_;
  const RewriteContext& ctx_;
  const std::string meta_;
  RewriteResult out_;
  std::vector<Edit> edits_;
  std::vector<bool> cast_stack_;  // for each open paren: opened by CAST/CONVERT
  int depth_ = 0;
};

}  // namespace

Result<RewriteResult> rewrite_query(std::string_view sql, const std::vector<Token>& tokens,
                                    const RewriteContext& ctx) {
  return QueryRewriter(sql, tokens, ctx).run();
}

std::vector<std::string> rewrite_support_functions(std::string_view meta_schema) {
  std::string m = quote_ident(meta_schema);
  // Deterministic stand-ins with the StarRocks return types; values differ from real StarRocks hashes.
  return {
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_murmur_hash3_32`(s LONGTEXT) RETURNS INT DETERMINISTIC "
                  "RETURN IF(s IS NULL, NULL, CAST(CONV(SUBSTR(MD5(s), 1, 8), 16, 10) AS SIGNED) - 2147483648)",
                  m),
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_xx_hash3_64`(s LONGTEXT) RETURNS BIGINT DETERMINISTIC "
                  "RETURN IF(s IS NULL, NULL, CAST(CAST(CONV(SUBSTR(MD5(s), 1, 16), 16, 10) AS DECIMAL(20,0)) - "
                  "9223372036854775808 AS SIGNED))",
                  m),
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_xx_hash3_128`(s LONGTEXT) RETURNS DECIMAL(39,0) "
                  "DETERMINISTIC RETURN IF(s IS NULL, NULL, CAST(CONV(SUBSTR(MD5(s), 1, 16), 16, 10) AS "
                  "DECIMAL(39,0)) * 18446744073709551616 + CAST(CONV(SUBSTR(MD5(s), 17, 16), 16, 10) AS "
                  "DECIMAL(39,0)) - 170141183460469231731687303715884105728)",
                  m),
      // BITMAP as the sorted-by-insertion text of its members, HLL as 16 opaque bytes: enough to load, back up,
      // restore and compare them; bitmap_to_string gives the text back (real bitmaps print members sorted).
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_to_bitmap`(v LONGTEXT) RETURNS LONGBLOB DETERMINISTIC "
                  "RETURN IF(v IS NULL, NULL, CAST(CAST(v AS UNSIGNED) AS CHAR))",
                  m),
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_bitmap_from_string`(s LONGTEXT) RETURNS LONGBLOB "
                  "DETERMINISTIC RETURN REPLACE(s, ' ', '')",
                  m),
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_bitmap_to_string`(b LONGBLOB) RETURNS LONGTEXT "
                  "DETERMINISTIC RETURN CONVERT(b USING utf8mb4)",
                  m),
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_hll_hash`(v LONGTEXT) RETURNS LONGBLOB DETERMINISTIC "
                  "RETURN UNHEX(MD5(IFNULL(v, '')))",
                  m),
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_hll_empty`() RETURNS LONGBLOB DETERMINISTIC RETURN ''", m),
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_md5sum_numeric`(s LONGTEXT) RETURNS DECIMAL(39,0) "
                  "DETERMINISTIC RETURN IF(s IS NULL, NULL, CAST(CONV(SUBSTR(MD5(s), 1, 16), 16, 10) AS "
                  "DECIMAL(39,0)) * 18446744073709551616 + CAST(CONV(SUBSTR(MD5(s), 17, 16), 16, 10) AS "
                  "DECIMAL(39,0)) - 170141183460469231731687303715884105728)",
                  m),
  };
}

}  // namespace sk::emu
