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

}  // namespace

Result<RewriteResult> rewrite_query(std::string_view sql, const std::vector<Token>& tokens,
                                    const RewriteContext& ctx) {
  RewriteResult out;
  std::vector<Edit> edits;
  const std::string meta = quote_ident(kMetaSchema);
  std::vector<bool> cast_stack;  // for each open paren: opened by CAST/CONVERT
  int depth = 0;
  // A replaced expression that is a whole top-level select item keeps its name with an alias (`'5.1.0' AS
  // `version()``); elsewhere it becomes a bare literal.
  auto literal = [&](size_t first_tok, size_t last_tok, const std::string& value, const std::string& original) {
    const Token* before = first_tok > 0 ? &tokens[first_tok - 1] : nullptr;
    const Token* after = last_tok + 1 < tokens.size() ? &tokens[last_tok + 1] : nullptr;
    bool item_start = before && (before->is("SELECT") || before->is("DISTINCT") || before->is_symbol(","));
    bool item_end = !after || after->is_symbol(",") || after->is("FROM") || after->is("LIMIT") ||
                    after->is("WHERE") || after->is("UNION") || after->is("ORDER") || after->is("GROUP") ||
                    after->is("HAVING") || after->is("INTO");
    std::string text = quote_string(value);
    if (depth == 0 && item_start && item_end) text += " AS " + quote_ident(original);
    edits.push_back({tokens[first_tok].begin, tokens[last_tok].end, text});
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    const Token* next = i + 1 < tokens.size() ? &tokens[i + 1] : nullptr;
    if (t.is_symbol("(")) {
      cast_stack.push_back(i > 0 && (tokens[i - 1].is("CAST") || tokens[i - 1].is("CONVERT")));
      ++depth;
      continue;
    }
    if (t.is_symbol(")")) {
      if (!cast_stack.empty()) cast_stack.pop_back();
      --depth;
      continue;
    }
    // Locking reads StarRocks' grammar does not have.
    if (depth == 0 && ((t.is("FOR") && next && (next->is("UPDATE") || next->is("SHARE"))) ||
                       (t.is("LOCK") && next && next->is("IN")))) {
      return std::unexpected(Error{"emu.syntax", syntax_error_text(sql, t.begin, t.text), {}});
    }
    if (is_lock_function(t) && next && next->is_symbol("(")) {
      size_t close = matching_paren(tokens, i + 1);
      return analysis_error(fmt::format("No matching function with signature: {}({})", to_lower(t.text),
                                        arg_signature(tokens, i + 1, close)));
    }
    // Top-level INTO in a query: SELECT ... INTO OUTFILE/DUMPFILE/@var does not exist in StarRocks.
    if (depth == 0 && t.is("INTO") && (tokens[0].is("SELECT") || tokens[0].is("WITH") || tokens[0].is_symbol("("))) {
      return std::unexpected(Error{"emu.syntax", syntax_error_text(sql, t.begin, t.text), {}});
    }
    // [db.]t PARTITION (p, ..) / PARTITIONS (..) / TEMPORARY PARTITION (..)
    if (t.is_name() && ctx.find_table && next && (next->is("PARTITION") || next->is("PARTITIONS") ||
                                                  next->is("TEMPORARY")) &&
        !(i > 0 && tokens[i - 1].is_symbol("("))) {
      size_t kw = i + 1;
      if (tokens[kw].is("TEMPORARY")) {
        return analysis_error("Temporary partitions are not supported by the emulator");
      }
      if (kw + 1 < tokens.size() && tokens[kw + 1].is_symbol("(")) {
        size_t close = matching_paren(tokens, kw + 1);
        if (close >= tokens.size()) continue;
        std::string db = ctx.current_database;
        size_t start = i;
        if (i >= 2 && tokens[i - 1].is_symbol(".") && tokens[i - 2].is_name()) {
          db = tokens[i - 2].value;
          start = i - 2;
        }
        auto table = ctx.find_table(db, t.value);
        if (!table) return analysis_error(fmt::format("Unknown table '{}'", t.value));
        std::string preds;
        for (size_t j = kw + 2; j < close; ++j) {
          if (tokens[j].is_symbol(",")) continue;
          const PartitionSchema* found = nullptr;
          for (const auto& p : table->partitions) {
            if (p.name == tokens[j].value) found = &p;
          }
          if (!found) {
            return analysis_error(fmt::format("Unknown partition '{}' in table '{}'", tokens[j].value, t.value));
          }
          preds += (preds.empty() ? "" : " OR ") + partition_predicate(*table, *found, "");
        }
        if (preds.empty()) return std::unexpected(Error{"emu.syntax", syntax_error_text(sql, tokens[close].begin, ")"), {}});
        const Token* after = close + 1 < tokens.size() ? &tokens[close + 1] : nullptr;
        bool has_alias = after && (after->is("AS") || (after->is_name() && !is_clause_keyword(*after)));
        std::string derived = fmt::format("(SELECT * FROM {}.{} WHERE {})", quote_ident(db), quote_ident(t.value), preds);
        if (!has_alias) derived += " AS " + quote_ident(t.value);
        // Drop an edit already queued for the qualifier tokens (none are: names are not rewritten).
        edits.push_back({tokens[start].begin, tokens[close].end, derived});
        i = close;
        continue;
      }
    }
    // information_schema.be_configs / be_metrics: rows from the emulated cluster state, as a derived table.
    if (t.is_name() && iequals(t.value, "information_schema") && next && next->is_symbol(".") &&
        i + 2 < tokens.size() && tokens[i + 2].is_name() && ctx.system_table) {
      std::string select = ctx.system_table(to_lower(tokens[i + 2].value));
      if (!select.empty()) {
        const Token* after = i + 3 < tokens.size() ? &tokens[i + 3] : nullptr;
        bool has_alias = after && (after->is("AS") || (after->is_name() && !is_clause_keyword(*after)));
        std::string derived = "(" + select + ")";
        if (!has_alias) derived += " AS " + quote_ident(to_lower(tokens[i + 2].value));
        edits.push_back({t.begin, tokens[i + 2].end, derived});
        i += 2;
        continue;
      }
    }
    // information_schema.<view>
    if (t.is_name() && iequals(t.value, "information_schema") && next && next->is_symbol(".") &&
        i + 2 < tokens.size() && tokens[i + 2].is_name()) {
      if (auto target = info_schema_target(tokens[i + 2].value)) {
        edits.push_back({t.begin, tokens[i + 2].end, meta + "." + quote_ident(*target)});
        if (*target == "partitions_meta") out.touches_partitions_meta = true;
        i += 2;
        continue;
      }
    }
    if (t.is_name() && iequals(ctx.current_database, "information_schema") && i > 0 &&
        (tokens[i - 1].is("FROM") || tokens[i - 1].is("JOIN")) && !(next && next->is_symbol("."))) {
      if (auto target = info_schema_target(t.value)) {
        edits.push_back({t.begin, t.end, meta + "." + quote_ident(*target)});
        if (*target == "partitions_meta") out.touches_partitions_meta = true;
        continue;
      }
    }
    if (t.kind == TokenKind::kWord && next && next->is_symbol("(") && !(i > 0 && tokens[i - 1].is_symbol("."))) {
      size_t close = matching_paren(tokens, i + 1);
      std::string fname = to_lower(t.text);
      if ((fname == "version" || fname == "current_version") && close == i + 2) {
        std::string original(sql.substr(t.begin, tokens[close].end - t.begin));
        literal(i, close, fname == "version" ? ctx.version_string : ctx.build_version, original);
        i = close;
        continue;
      }
      if (fname == "murmur_hash3_32" || fname == "xx_hash3_64" || fname == "xx_hash3_128" || fname == "md5sum" ||
          fname == "md5sum_numeric") {
        if (close >= tokens.size()) continue;
        std::string fn = fname == "md5sum" ? "MD5" : meta + "." + quote_ident("sk_" + fname);
        std::string args(sql.substr(tokens[i + 1].end, tokens[close].begin - tokens[i + 1].end));
        std::string joined = fname.rfind("md5sum", 0) == 0 ? "CONCAT(" + args + ")" : "CONCAT_WS(CHAR(1), " + args + ")";
        std::string original(sql.substr(t.begin, tokens[close].end - t.begin));
        // The inner arguments may need rewriting too: rewrite them recursively.
        auto inner_tokens = tokenize(joined);
        auto inner = rewrite_query(joined, inner_tokens, ctx);
        if (!inner) return std::unexpected(inner.error());
        std::string replacement = fn + "(" + inner->sql + ")";
        edits.push_back({t.begin, tokens[close].end, replacement});
        out.column_renames[replacement] = original;
        i = close;
        continue;
      }
    }
    if (t.kind == TokenKind::kVariable) {
      std::string v = to_lower(t.text);
      for (const char* p : {"@@session.", "@@global.", "@@local."}) {
        if (v.rfind(p, 0) == 0) v = "@@" + v.substr(std::string_view(p).size());
      }
      if (v == "@@version") {
        literal(i, i, ctx.version_string, t.text);
      } else if (v == "@@version_comment") {
        // The mysql client prints "Server version: 5.1.0 3.2.2-269e832": the comment is the build string.
        literal(i, i, ctx.build_version, t.text);
      } else if (v == "@@time_zone" || v == "@@system_time_zone") {
        literal(i, i, ctx.time_zone, t.text);
      }
      continue;
    }
    // CAST(x AS <StarRocks type>)
    if (t.is("AS") && !cast_stack.empty() && cast_stack.back() && next && next->kind == TokenKind::kWord) {
      std::string ty = to_upper(next->text);
      std::string repl;
      size_t end = next->end;
      bool has_args = i + 2 < tokens.size() && tokens[i + 2].is_symbol("(");
      if (ty == "BIGINT" || ty == "INT" || ty == "INTEGER" || ty == "SMALLINT" || ty == "TINYINT" || ty == "BOOLEAN") {
        repl = "SIGNED";
      } else if (ty == "LARGEINT") {
        repl = "DECIMAL(39,0)";
      } else if (ty == "STRING" || ty == "TEXT" || ty == "VARCHAR") {
        repl = "CHAR";
        if (has_args && ty == "VARCHAR") {
          size_t close = matching_paren(tokens, i + 2);
          if (close < tokens.size()) end = tokens[close].end;
        }
      }
      if (!repl.empty()) {
        edits.push_back({next->begin, end, repl});
        while (i + 1 < tokens.size() && tokens[i + 1].end <= end) ++i;
      }
      continue;
    }
  }
  std::string result;
  size_t pos = 0;
  for (const auto& e : edits) {
    result.append(sql.substr(pos, e.begin - pos));
    result += e.text;
    pos = e.end;
  }
  result.append(sql.substr(pos));
  out.sql = std::move(result);
  return out;
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
      fmt::format("CREATE FUNCTION IF NOT EXISTS {}.`sk_md5sum_numeric`(s LONGTEXT) RETURNS DECIMAL(39,0) "
                  "DETERMINISTIC RETURN IF(s IS NULL, NULL, CAST(CONV(SUBSTR(MD5(s), 1, 16), 16, 10) AS "
                  "DECIMAL(39,0)) * 18446744073709551616 + CAST(CONV(SUBSTR(MD5(s), 17, 16), 16, 10) AS "
                  "DECIMAL(39,0)) - 170141183460469231731687303715884105728)",
                  m),
  };
}

}  // namespace sk::emu
