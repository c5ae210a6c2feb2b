#include "emulator/engine/engine_session.h"

#include <algorithm>
#include <atomic>
#include <cctype>

#include <cctz/time_zone.h>
#include <fmt/format.h>

#include "emulator/engine/cluster_views.h"
#include "emulator/engine/ddl.h"
#include "emulator/engine/sql_rewrite.h"
#include "emulator/engine/token_cursor.h"
#include "kernel/dialect/time_zone.h"

namespace sk::emu {

namespace {

std::atomic<int64_t> g_txn_id{20001};

std::string data_size_text(int64_t bytes) {
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 5) {
    v /= 1024.0;
    ++u;
  }
  std::string n = fmt::format("{:.1f}", v);
  if (n.size() > 2 && n.ends_with(".0")) n.resize(n.size() - 2);
  return n + kUnits[u];
}

bool is_hidden_database(std::string_view db) {
  return db == kMetaSchema || db == "mysql" || db == "performance_schema" || db == "sys";
}

// Text of the statement from token `from` to the end.
std::string tail(std::string_view sql, const std::vector<Token>& tokens, size_t from) {
  if (from >= tokens.size()) return "";
  return std::string(sql.substr(tokens[from].begin, tokens.back().end - tokens[from].begin));
}

// StarRocks' syntax error text at the cursor (at the end of `sql` when the cursor is).
std::string syntax_error_here(std::string_view sql, const TokenCursor& cur) {
  return syntax_error_text(sql, cur.at_end() ? sql.size() : cur.peek().begin, cur.peek().text);
}

// Column names compare case-insensitively.
bool contains_name(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& x) { return iequals(x, name); });
}

std::vector<ColumnSchema>::iterator find_column(TableSchema& t, const std::string& name) {
  return std::find_if(t.columns.begin(), t.columns.end(),
                      [&](const ColumnSchema& c) { return iequals(c.name, name); });
}

// The MariaDB column definition of an added or modified column.
std::string mariadb_column_def(const ColumnSchema& col, bool unique_key) {
  std::string def = fmt::format("{} {}{}", quote_ident(col.name), mariadb_type(col, unique_key),
                                col.nullable ? " NULL" : " NOT NULL");
  if (col.default_value) {
    def += *col.default_value == "CURRENT_TIMESTAMP" ? " DEFAULT CURRENT_TIMESTAMP"
                                                     : " DEFAULT " + quote_string(*col.default_value);
  }
  if (!col.comment.empty()) def += " COMMENT " + quote_string(col.comment);
  return def;
}

// The ON of a top-level ON DUPLICATE KEY from token `from` on, or null.
const Token* find_on_duplicate_key(const std::vector<Token>& tokens, size_t from) {
  int depth = 0;
  for (size_t i = from; i < tokens.size(); ++i) {
    if (tokens[i].is_symbol("(")) ++depth;
    if (tokens[i].is_symbol(")")) --depth;
    if (depth == 0 && tokens[i].is("ON") && i + 1 < tokens.size() && tokens[i + 1].is("DUPLICATE")) {
      return &tokens[i];
    }
  }
  return nullptr;
}

// The cursor of an ADMIN EMULATOR statement, with the value parsers its clauses share.
struct AdminCursor {
  std::string_view sql;
  TokenCursor& cur;

  // StarRocks' syntax error text at the cursor.
  [[nodiscard]] std::string error_here() const { return syntax_error_here(sql, cur); }
  std::optional<bool> boolean() {
    if (cur.accept("TRUE")) return true;
    if (cur.accept("FALSE")) return false;
    return std::nullopt;
  }
  std::optional<int64_t> integer() {
    if (cur.peek().kind != TokenKind::kNumber) return std::nullopt;
    try {
      return std::stoll(cur.next().text);
    } catch (...) {
      return std::nullopt;
    }
  }
};

// ADMIN EMULATOR SET BACKEND id DISK 'root' AVAIL = n, TOTAL = n, DATA_USED = n (any of them, any order).
struct DiskChange {
  std::string root;
  std::optional<int64_t> avail;
  std::optional<int64_t> total;
  std::optional<int64_t> data_used;
};

// The clause after DISK; nullopt on a syntax error (the cursor is where it is).
std::optional<DiskChange> parse_disk_change(AdminCursor& a) {
  TokenCursor& cur = a.cur;
  if (cur.peek().kind != TokenKind::kString) return std::nullopt;
  DiskChange change{cur.next().value, {}, {}, {}};
  while (!cur.at_end()) {
    std::optional<int64_t>* target = nullptr;
    if (cur.accept("AVAIL")) {
      target = &change.avail;
    } else if (cur.accept("TOTAL")) {
      target = &change.total;
    } else if (cur.accept("DATA_USED")) {
      target = &change.data_used;
    } else {
      return std::nullopt;
    }
    if (!cur.accept_symbol("=")) return std::nullopt;
    auto v = a.integer();
    if (!v || *v < 0) return std::nullopt;
    *target = *v;
    cur.accept_symbol(",");
  }
  if (!change.avail && !change.total && !change.data_used) return std::nullopt;
  return change;
}

// Applies the change to one disk; the problem text when it would leave AVAIL above TOTAL (nothing changes
// then).
std::string apply_disk_change(const DiskChange& change, DiskState& d) {
  int64_t new_total = change.total.value_or(d.total_bytes);
  int64_t new_avail = change.avail.value_or(d.avail_bytes);
  int64_t new_used = change.data_used.value_or(d.data_used_bytes);
  if (new_avail > new_total) return "AVAIL must not exceed TOTAL";
  d.total_bytes = new_total;
  d.avail_bytes = new_avail;
  d.data_used_bytes = std::min(new_used, new_total - new_avail);
  return {};
}

}  // namespace

class EngineSession : public Session {
 public:
  EngineSession(EngineSessionFactory& f, std::string user, std::unique_ptr<MariaDbConnection> conn,
                std::string connect_error)
      : f_(f), user_(std::move(user)), conn_(std::move(conn)), connect_error_(std::move(connect_error)) {
    time_zone_ = f_.cluster_.config().time_zone;
  }

  QueryResult query(std::string_view sql) override;
  std::optional<ErrorResult> use_database(std::string_view db) override;
  std::optional<ErrorResult> ping() override {
    if (!fe_alive()) return err("Frontend is not alive (emulated fault)");
    return std::nullopt;
  }

 private:
  const EmulatorConfig& config() const { return f_.cluster_.config(); }
  MariaDbCatalog& catalog() { return f_.catalog_; }
  ErrorResult err(std::string message) const { return ErrorResult{config().error_code, config().error_sql_state, std::move(message)}; }
  ErrorResult from_error(const Error& e) const {
    if (e.message.rfind("Getting ", 0) == 0) return err(e.message);
    if (e.code == "emu.analysis" || e.code == "emu.unknown_table" || e.code == "emu.table_exists") {
      return err(analyzing_error_text(e.message));
    }
    return err(e.message);
  }
  bool fe_alive() const {
    auto fes = f_.cluster_.frontends();
    return fes.empty() || fes[0].alive;
  }
  std::string now() const { return f_.catalog_.clock().now_text(); }
  std::string db_or_current(const std::string& db) const { return db.empty() ? conn_->current_database() : db; }

  QueryResult query_impl(std::string_view raw);
  QueryResult dispatch(std::string_view sql, const std::vector<Token>& tokens);
  ErrorResult map_backend(const ErrorResult& e, std::string_view sql) const;
  QueryResult pass(const std::string& sql);
  QueryResult run_select(std::string_view sql, const std::vector<Token>& tokens);
  // Runs the statements in one MariaDB transaction and advances VisibleVersion of every partition they touched.
  // `upsert`: the last statement is an INSERT sent as REPLACE; its affected-row count is reported as StarRocks
  // does (rows loaded), not as MariaDB's delete+insert count.
  // `allowed`: when set, the partition ids the statements may touch (INSERT ... PARTITION (..)); a row elsewhere
  // fails the whole write with the "filtered data" error.
  QueryResult run_dml(const std::vector<std::string>& statements, bool upsert = false,
                      const std::optional<std::vector<int64_t>>& allowed = std::nullopt);
  QueryResult handle_show(std::string_view sql, const std::vector<Token>& tokens);
  QueryResult show_partitions(std::string_view sql, const std::vector<Token>& tokens, TokenCursor& cur, bool temporary);
  QueryResult handle_create(std::string_view sql, const std::vector<Token>& tokens);
  // CREATE DATABASE ..., cursor after DATABASE/SCHEMA.
  QueryResult create_database(std::string_view sql, TokenCursor& cur);
  // CREATE [EXTERNAL|TEMPORARY] TABLE: plain, LIKE another table, or AS SELECT.
  QueryResult create_table(std::string_view sql);
  // CREATE TABLE t LIKE src: `st.schema` becomes src's schema under t's database and name.
  std::optional<ErrorResult> copy_like_source(CreateTableStmt& st);
  // CREATE TABLE ... AS SELECT: MariaDB creates and fills the table from the rewritten query; the catalog adopts it.
  QueryResult create_table_as_select(const CreateTableStmt& st);
  // The table's largest replication_num (default 3) must not exceed the alive BEs; StarRocks' error otherwise.
  std::optional<ErrorResult> check_replication(const TableSchema& t) const;
  QueryResult handle_drop(std::string_view sql, const std::vector<Token>& tokens);
  QueryResult handle_alter(std::string_view sql, const std::vector<Token>& tokens);
  QueryResult handle_truncate(std::string_view sql, const std::vector<Token>& tokens);
  // ALTER TABLE ... ADD COLUMN / MODIFY COLUMN / DROP COLUMN (`verb`), cursor after the verb (and COLUMN).
  QueryResult alter_columns(std::string_view sql, TokenCursor& cur, TableSchema table, const std::string& verb);
  // DROP COLUMN name: removed from `t`; returns the MariaDB clause.
  std::expected<std::string, ErrorResult> drop_column(std::string_view sql, TokenCursor& cur, TableSchema& t) const;
  // One ADD/MODIFY (`verb`) column definition with its optional AFTER/FIRST: checked against `t` and applied to its
  // columns; returns the MariaDB clause.
  std::expected<std::string, ErrorResult> change_column(std::string_view sql, TokenCursor& cur, TableSchema& t,
                                                        const std::string& verb) const;
  QueryResult handle_insert(std::string_view sql, const std::vector<Token>& tokens);
  // INSERT INTO|OVERWRITE [TABLE] [db.]table [PARTITION (p, ...)] [WITH LABEL l], up to the query or VALUES.
  struct InsertTarget {
    bool overwrite = false;
    std::string db;  // the current database when not named
    std::string table;
    std::vector<std::string> partitions;
  };
  std::expected<InsertTarget, ErrorResult> parse_insert_target(std::string_view sql, TokenCursor& cur) const;
  // The partitions of `t` named in the statement, in that order; the error names an unknown one in `table`.
  std::expected<std::vector<const PartitionSchema*>, ErrorResult> named_partitions(
      const TableSchema& t, const std::string& table, const std::vector<std::string>& names) const;
  QueryResult handle_update_delete(std::string_view sql, const std::vector<Token>& tokens);
  QueryResult handle_set(std::string_view sql, const std::vector<Token>& tokens);
  QueryResult handle_admin(std::string_view sql, const std::vector<Token>& tokens);
  // ADMIN EMULATOR ..., cursor after the clause's keyword(s).
  QueryResult admin_drop_connections();
  QueryResult admin_fail_next_write(AdminCursor& a);
  // The pending write fault on one of the partitions in `touched` (comma-separated ids), taken (one-shot).
  std::optional<ErrorResult> take_write_fault(const std::string& touched);
  QueryResult admin_set_frontend(AdminCursor& a);
  QueryResult admin_set_backend_alive(AdminCursor& a, int64_t id);
  QueryResult admin_set_backend_disk(AdminCursor& a, int64_t id);
  QueryResult handle_desc(std::string_view sql, const std::vector<Token>& tokens);
  std::optional<ErrorResult> check_database(const std::string& db);
  RewriteContext rewrite_context() {
    RewriteContext ctx;
    ctx.current_database = conn_->current_database();
    ctx.build_version = build_version(config());
    ctx.time_zone = time_zone_;
    ctx.system_table = [this](std::string_view name) { return system_table_select(f_.cluster_, name); };
    ctx.find_table = [this](const std::string& db, const std::string& table) -> std::optional<TableSchema> {
      auto t = catalog().cached_table(db, table);
      if (!t || !*t) return std::nullopt;
      return **t;
    };
    return ctx;
  }

  EngineSessionFactory& f_;
  std::string user_;
  std::unique_ptr<MariaDbConnection> conn_;
  std::string connect_error_;
  std::string time_zone_;
};

QueryResult EngineSession::query(std::string_view raw) {
  // The process serves every client: an unexpected exception (from the standard library or a bug) becomes this
  // statement's error instead of terminating the emulator.
  try {
    return query_impl(raw);
  } catch (const std::exception& e) {
    return err(fmt::format("Internal error in the emulator: {}", e.what()));
  }
}

QueryResult EngineSession::query_impl(std::string_view raw) {
  if (!conn_) return err("Backend connection failed: " + connect_error_);
  std::vector<Token> tokens = tokenize(raw);
  while (!tokens.empty() && tokens.back().is_symbol(";")) tokens.pop_back();
  if (tokens.empty()) return err(syntax_error_text(raw, raw.size(), ""));
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].is_symbol(";")) {
      size_t at = i + 1 < tokens.size() ? i + 1 : i;
      return err(syntax_error_text(raw, tokens[at].begin, tokens[at].text));
    }
  }
  std::string_view sql = raw.substr(0, tokens.back().end);
  bool admin_emulator = tokens.size() > 1 && tokens[0].is("ADMIN") && tokens[1].is("EMULATOR");
  if (!fe_alive() && !admin_emulator) return err("Frontend is not alive (emulated fault)");
  if (StatementHook* hook = f_.hook_) {
    if (auto r = hook->try_handle(HookContext{user_, conn_->current_database()}, sql)) return *r;
  }
  QueryResult r = dispatch(sql, tokens);
  // MariaDB's info strings ("Records: 2  Duplicates: 0 ...") are not StarRocks'; the protocol layer also sends
  // info unencoded, which clients reject (see the INSERT note in run_dml).
  if (auto* ok = std::get_if<OkResult>(&r)) ok->info.clear();
  return r;
}

QueryResult EngineSession::dispatch(std::string_view sql, const std::vector<Token>& tokens) {
  const Token& first = tokens[0];
  if (first.is("SELECT") || first.is("WITH") || first.is_symbol("(")) return run_select(sql, tokens);
  if (first.is("SHOW")) return handle_show(sql, tokens);
  if (first.is("INSERT")) return handle_insert(sql, tokens);
  if (first.is("UPDATE") || first.is("DELETE")) return handle_update_delete(sql, tokens);
  if (first.is("CREATE")) return handle_create(sql, tokens);
  if (first.is("DROP")) return handle_drop(sql, tokens);
  if (first.is("ALTER")) return handle_alter(sql, tokens);
  if (first.is("TRUNCATE")) return handle_truncate(sql, tokens);
  if (first.is("SET")) return handle_set(sql, tokens);
  if (first.is("ADMIN")) return handle_admin(sql, tokens);
  if (first.is("DESC") || first.is("DESCRIBE")) return handle_desc(sql, tokens);
  if (first.is("EXPLAIN")) return pass(std::string(sql));
  if (first.is("USE") && tokens.size() == 2 && tokens[1].is_name()) {
    if (auto e = use_database(tokens[1].value)) return *e;
    return OkResult{};
  }
  if (first.is("BEGIN") || (first.is("START") && tokens.size() > 1 && tokens[1].is("TRANSACTION"))) {
    // StarRocks 3.x has no interactive (locking) transactions; see docs/emulator.md.
    return err(analyzing_error_text("Explicit transactions are not supported: StarRocks has no interactive "
                                    "transactions with row locks (BEGIN/START TRANSACTION)"));
  }
  if (first.is("COMMIT") || first.is("ROLLBACK")) return OkResult{};
  if (first.is("KILL")) return OkResult{};
  if ((first.is("GRANT") || first.is("REVOKE")) && tokens.size() > 1) return OkResult{};
  return err(syntax_error_text(sql, first.begin, first.text));
}

ErrorResult EngineSession::map_backend(const ErrorResult& e, std::string_view sql) const {
  const std::string& m = e.message;
  auto quoted = [&](size_t from) -> std::string {
    size_t a = m.find('\'', from);
    if (a == std::string::npos) return "";
    size_t b = m.find('\'', a + 1);
    return b == std::string::npos ? "" : m.substr(a + 1, b - a - 1);
  };
  switch (e.code) {
    case 1064: {
      if (m.rfind("Insert has filtered", 0) == 0) return err(m);
      size_t near = m.find("near '");
      std::string frag = near == std::string::npos ? "" : quoted(near);
      size_t off = frag.empty() ? sql.size() : sql.find(frag.substr(0, std::min<size_t>(frag.size(), 20)));
      if (off == std::string_view::npos) off = sql.size();
      auto toks = tokenize(sql.substr(off));
      return err(syntax_error_text(sql, off, toks.empty() ? "" : toks[0].text));
    }
    case 1146:
      return err(analyzing_error_text(fmt::format("Unknown table '{}'", quoted(0))));
    case 1049:
      return err(analyzing_error_text(fmt::format("Unknown database '{}'", quoted(0))));
    case 1054:
      return err(analyzing_error_text(fmt::format("Column '{}' cannot be resolved", quoted(0))));
    case 1305: {
      std::string name = m.substr(std::min(m.size(), m.find(' ') + 1));
      name = name.substr(0, name.find(' '));
      if (auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
      return err(analyzing_error_text(fmt::format("No matching function with signature: {}()", name)));
    }
    case 4025:
      if (m.find(kRangeConstraint) == std::string::npos) return err(m);
      [[fallthrough]];
    case 1048:
    case 1406:
    case 1264:
    case 1366:
    case 1292:
      return err(fmt::format("Insert has filtered data in strict mode, tracking sql = select tracking_log from "
                             "information_schema.load_tracking_logs where job_id={}",
                             g_txn_id.load()));
    default:
      return err(m);
  }
}

QueryResult EngineSession::pass(const std::string& sql) {
  QueryResult r = conn_->run(sql);
  if (auto* e = std::get_if<ErrorResult>(&r)) return map_backend(*e, sql);
  return r;
}

QueryResult EngineSession::run_select(std::string_view sql, const std::vector<Token>& tokens) {
  RewriteContext ctx = rewrite_context();
  auto rw = rewrite_query(sql, tokens, ctx);
  if (!rw) return from_error(rw.error());
  if (rw->touches_partitions_meta) {
    if (auto s = catalog().refresh_statistics(); !s) return from_error(s.error());
  }
  QueryResult r = pass(rw->sql);
  if (auto* rs = std::get_if<ResultSet>(&r)) {
    for (auto& c : rs->columns) {
      if (auto it = rw->column_renames.find(c.name); it != rw->column_renames.end()) c.name = it->second;
    }
  }
  return r;
}

QueryResult EngineSession::run_dml(const std::vector<std::string>& statements, bool upsert,
                                   const std::optional<std::vector<int64_t>>& allowed) {
  const std::string meta = quote_ident(kMetaSchema);
  const std::string& sql = statements.back();
  for (int attempt = 0;; ++attempt) {
    std::optional<ErrorResult> failed;
    QueryResult r = OkResult{};
    auto step = [&](const std::string& stmt) -> QueryResult {
      if (failed) return OkResult{};
      QueryResult x = conn_->run(stmt);
      if (auto* e = std::get_if<ErrorResult>(&x)) failed = *e;
      return x;
    };
    step("START TRANSACTION");
    step("SET @__sk_t = NULL, @__sk_untracked = NULL");
    for (const auto& stmt : statements) {
      QueryResult x = step(stmt);
      if (!failed) r = std::move(x);
    }
    // The triggers left the touched partition ids in @__sk_t; only digits and commas are trusted.
    std::string touched;
    QueryResult ids = step("SELECT @__sk_t");
    if (auto* rs = std::get_if<ResultSet>(&ids); rs && !rs->rows.empty() && rs->rows[0][0]) touched = *rs->rows[0][0];
    if (touched.find_first_not_of("0123456789,") != std::string::npos) touched.clear();
    if (!failed && allowed && !touched.empty()) {
      size_t pos = 0;
      while (pos <= touched.size()) {
        size_t comma = touched.find(',', pos);
        std::string id = touched.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!id.empty() && std::find(allowed->begin(), allowed->end(), std::stoll(id)) == allowed->end()) {
          failed = ErrorResult{4025, "23000", std::string("CONSTRAINT `") + kRangeConstraint + "` failed"};
          break;
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    }
    std::optional<ErrorResult> injected;  // a write fault: the statement's own error, not MariaDB's
    if (!failed && !touched.empty()) injected = failed = take_write_fault(touched);
    if (!touched.empty()) {
      step(fmt::format("UPDATE {}.`partitions` SET visible_version = visible_version + 1, visible_version_time = {} "
                       "WHERE partition_id IN ({})",
                       meta, quote_string(now()), touched));
    }
    step("COMMIT");
    if (failed) {
      conn_->run("ROLLBACK");
      if (injected) return *injected;
      if ((failed->code == 1213 || failed->code == 1205) && attempt < 3) continue;
      return map_backend(*failed, sql);
    }
    if (auto* ok = std::get_if<OkResult>(&r)) {
      if (upsert) {
        // "Records: N  Duplicates: D  Warnings: W" for multi-row statements; single rows report 1 or 2.
        auto at = ok->info.find("Records: ");
        if (at != std::string::npos) {
          ok->affected_rows = std::strtoull(ok->info.c_str() + at + 9, nullptr, 10);
        } else {
          ok->affected_rows = std::min<uint64_t>(ok->affected_rows, 1);
        }
      }
      // StarRocks puts {'label':..., 'status':'VISIBLE', 'txnId':...} into the OK packet's info; left empty
      // until the protocol layer encodes info as a length-encoded string (clients reject it otherwise).
      ok->info.clear();
      g_txn_id.fetch_add(1);
    }
    return r;
  }
}

std::optional<ErrorResult> EngineSession::check_database(const std::string& db) {
  if (db.empty()) return err(analyzing_error_text("No database selected"));
  auto exists = catalog().database_exists(db);
  if (!exists) return from_error(exists.error());
  if (!*exists) return err(analyzing_error_text(fmt::format("Unknown database '{}'", db)));
  return std::nullopt;
}

std::optional<ErrorResult> EngineSession::use_database(std::string_view db_view) {
  std::string db(db_view);
  // StarRocks 3.2: `use nope` → ERROR 1064 (HY000): Unknown database 'nope' (sling-cli#153), no analyzer prefix.
  if (is_hidden_database(db)) return err(fmt::format("Unknown database '{}'", db));
  if (auto e = conn_->use(db)) {
    if (e->code == 1049) return err(fmt::format("Unknown database '{}'", db));
    return map_backend(*e, "");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- SHOW

QueryResult EngineSession::handle_show(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();  // SHOW
  if (cur.accept("FRONTENDS") && cur.at_end()) return show_frontends(f_.cluster_, now());
  cur.set_pos(1);
  if (cur.accept("BACKENDS") && cur.at_end()) return show_backends(f_.cluster_, now());
  cur.set_pos(1);
  if (cur.accept("PROC")) {
    if (cur.peek().kind != TokenKind::kString) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    std::string path = cur.next().value;
    if (!cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    return show_proc(f_.cluster_, path, now());
  }
  bool temporary = cur.accept("TEMPORARY");
  if (cur.accept("PARTITIONS")) return show_partitions(sql, tokens, cur, temporary);
  cur.set_pos(1);
  if (cur.accept("DATABASES") || cur.accept("SCHEMAS")) {
    QueryResult r = pass(std::string(sql));
    if (auto* rs = std::get_if<ResultSet>(&r)) {
      std::erase_if(rs->rows, [](const auto& row) { return !row.empty() && row[0] && is_hidden_database(*row[0]); });
    }
    return r;
  }
  if (cur.accept("CREATE") && cur.accept("TABLE")) {
    auto qn = cur.qualified_name();
    if (!qn || !cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    std::string db = db_or_current(qn->first);
    if (db.empty()) return err(analyzing_error_text("No database selected"));
    auto t = catalog().find_table(db, qn->second);
    if (!t) return from_error(t.error());
    if (!*t) return pass(std::string(sql));
    ResultSet rs;
    rs.columns = {Column{"Table"}, Column{"Create Table"}};
    rs.rows.push_back({(*t)->name, render_starrocks_create(**t)});
    return rs;
  }
  cur.set_pos(1);
  if (cur.accept_seq({"ALTER", "TABLE"})) {
    // Schema changes finish synchronously here, so there is never a pending job to show.
    ResultSet rs;
    if (cur.accept("ROLLUP") || cur.accept("MATERIALIZED")) {
      for (const char* n : {"JobId", "TableName", "CreateTime", "FinishTime", "BaseIndexName", "RollupIndexName",
                            "RollupId", "TransactionId", "State", "Msg", "Progress", "Timeout"}) {
        rs.columns.push_back(Column{n});
      }
    } else {
      for (const char* n : {"JobId", "TableName", "CreateTime", "FinishTime", "IndexName", "IndexId",
                            "OriginIndexId", "SchemaVersion", "TransactionId", "State", "Msg", "Progress",
                            "Timeout"}) {
        rs.columns.push_back(Column{n});
      }
    }
    return rs;
  }
  cur.set_pos(1);
  cur.accept("SESSION") || cur.accept("GLOBAL") || cur.accept("LOCAL");
  if (cur.accept("VARIABLES")) {
    QueryResult r = pass(std::string(sql));
    if (auto* rs = std::get_if<ResultSet>(&r)) {
      for (auto& row : rs->rows) {
        if (row.size() < 2 || !row[0]) continue;
        std::string name = to_lower(*row[0]);
        if (name == "time_zone") row[1] = time_zone_;
        if (name == "system_time_zone") row[1] = config().time_zone;
        if (name == "version") row[1] = "5.1.0";
        if (name == "version_comment") row[1] = build_version(config());
      }
    }
    return r;
  }
  return pass(std::string(sql));
}

QueryResult EngineSession::show_partitions(std::string_view sql, const std::vector<Token>& tokens, TokenCursor& cur,
                                           bool temporary) {
  if (!cur.accept("FROM") && !cur.accept("IN")) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  auto qn = cur.qualified_name();
  if (!qn) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  std::string db = db_or_current(qn->first);
  if (db.empty()) return err(analyzing_error_text("No database selected"));
  if (auto s = catalog().refresh_statistics(); !s) return from_error(s.error());
  auto t = catalog().find_table(db, qn->second);
  if (!t) return from_error(t.error());
  if (!*t) return err(analyzing_error_text(fmt::format("Table {} does not exist", qn->second)));
  const TableSchema& ts = **t;
  std::vector<std::string> names = {"PartitionId", "PartitionName", "VisibleVersion", "VisibleVersionTime",
                                    "VisibleVersionHash", "State", "PartitionKey",
                                    ts.partition_type == "LIST" ? "List" : "Range", "DistributionKey", "Buckets",
                                    "ReplicationNum", "StorageMedium", "CooldownTime", "LastConsistencyCheckTime",
                                    "DataSize", "IsInMemory", "RowCount"};
  ResultSet rs;
  for (const auto& n : names) rs.columns.push_back(Column{n});
  auto join = [](const std::vector<std::string>& v) {
    std::string o;
    for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + v[i];
    return o;
  };
  if (!temporary) {
    for (const auto& p : display_order(ts)) {
      if (p.is_temp) continue;
      rs.rows.push_back({std::to_string(p.id), p.name, std::to_string(p.visible_version), p.visible_version_time, "0",
                         "NORMAL", join(ts.partition_columns), p.range,
                         ts.distribution_columns.empty() ? "ALL KEY" : join(ts.distribution_columns),
                         std::to_string(ts.buckets), std::to_string(p.replication_num), "HDD", "9999-12-31 23:59:59",
                         std::nullopt, data_size_text(p.data_size), "false", std::to_string(p.row_count)});
    }
  }
  if (cur.at_end()) return rs;
  // WHERE / ORDER BY / LIMIT: let MariaDB evaluate them over the rows as a derived table.
  std::string rest = tail(sql, tokens, cur.pos());
  std::string derived;
  for (size_t r = 0; r < rs.rows.size(); ++r) {
    derived += r ? " UNION ALL SELECT " : "SELECT ";
    for (size_t c = 0; c < names.size(); ++c) {
      if (c) derived += ", ";
      derived += rs.rows[r][c] ? quote_string(*rs.rows[r][c]) : std::string("CAST(NULL AS CHAR)");
      derived += " AS " + quote_ident(names[c]);
    }
  }
  if (rs.rows.empty()) {
    derived = "SELECT ";
    for (size_t c = 0; c < names.size(); ++c) {
      derived += (c ? ", " : "") + std::string("CAST(NULL AS CHAR) AS ") + quote_ident(names[c]);
    }
    derived += " FROM DUAL WHERE FALSE";
  }
  QueryResult r = pass(fmt::format("SELECT * FROM ({}) AS `__show_partitions` {}", derived, rest));
  if (auto* out = std::get_if<ResultSet>(&r)) {
    for (auto& c : out->columns) c.type = ColumnType::kVarString;
  }
  return r;
}

QueryResult EngineSession::handle_desc(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  auto qn = cur.qualified_name();
  if (!qn || !cur.at_end()) return pass(std::string(sql));
  std::string db = db_or_current(qn->first);
  if (db.empty()) return err(analyzing_error_text("No database selected"));
  auto t = catalog().cached_table(db, qn->second);
  if (!t) return from_error(t.error());
  if (!*t) return pass(std::string(sql));
  ResultSet rs;
  for (const char* n : {"Field", "Type", "Null", "Key", "Default", "Extra"}) rs.columns.push_back(Column{n});
  for (const auto& c : (*t)->columns) {
    rs.rows.push_back({c.name, to_lower(c.type), c.nullable ? "YES" : "NO", c.is_key ? "true" : "false",
                       c.default_value, std::string("")});
  }
  return rs;
}

// ---------------------------------------------------------------- DDL

QueryResult EngineSession::handle_create(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  if (cur.accept("DATABASE") || cur.accept("SCHEMA")) return create_database(sql, cur);
  if (cur.peek().is("TABLE") || cur.peek().is("EXTERNAL") || cur.peek().is("TEMPORARY")) return create_table(sql);
  if (cur.peek().is("VIEW") || (cur.peek().is("OR") && cur.peek(1).is("REPLACE"))) {
    // The view's query is stored by MariaDB: rewrite it like any query (information_schema views, functions).
    auto rw = rewrite_query(sql, tokens, rewrite_context());
    if (!rw) return from_error(rw.error());
    return pass(rw->sql);
  }
  if (cur.peek().is("USER") || cur.peek().is("ROLE")) return OkResult{};
  if (cur.peek().is("MATERIALIZED")) {
    return err(analyzing_error_text("Materialized views are not supported by the emulator"));
  }
  return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
}

QueryResult EngineSession::create_database(std::string_view sql, TokenCursor& cur) {
  bool if_not_exists = cur.accept_seq({"IF", "NOT", "EXISTS"});
  auto name = cur.name();
  if (!name) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  if (cur.accept("PROPERTIES")) cur.skip_group();
  if (!cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  if (is_hidden_database(*name)) return err(fmt::format("Can't create database '{}'; database exists", *name));
  auto s = catalog().create_database(*name);
  if (!s) {
    if (s.error().code == "emu.db_exists" && if_not_exists) return OkResult{};
    return from_error(s.error());
  }
  return OkResult{1, 0, ""};
}

QueryResult EngineSession::create_table(std::string_view sql) {
  auto st = parse_create_table(sql);
  if (!st) return from_error(st.error());
  TableSchema& t = st->schema;
  t.database = db_or_current(t.database);
  if (auto e = check_database(t.database)) return *e;
  if (st->like) {
    if (auto e = copy_like_source(*st)) return *e;
  } else if (!st->as_select.empty()) {
    return create_table_as_select(*st);
  }
  if (auto e = check_replication(t)) return *e;
  auto s = catalog().create_table(t);
  if (!s) {
    if (s.error().code == "emu.table_exists" && st->if_not_exists) return OkResult{};
    return from_error(s.error());
  }
  return OkResult{};
}

std::optional<ErrorResult> EngineSession::copy_like_source(CreateTableStmt& st) {
  TableSchema& t = st.schema;
  std::string src_db = db_or_current(st.like->first);
  auto src = catalog().find_table(src_db, st.like->second);
  if (!src) return from_error(src.error());
  if (!*src) return err(analyzing_error_text(fmt::format("Unknown table '{}.{}'", src_db, st.like->second)));
  TableSchema copy = **src;
  copy.database = t.database;
  copy.name = t.name;
  if (copy.partition_type.empty() && !copy.partitions.empty()) copy.partitions[0].name = t.name;
  t = copy;
  return std::nullopt;
}

QueryResult EngineSession::create_table_as_select(const CreateTableStmt& st) {
  const TableSchema& t = st.schema;
  RewriteContext ctx = rewrite_context();
  auto q = tokenize(st.as_select);
  auto rw = rewrite_query(st.as_select, q, ctx);
  if (!rw) return from_error(rw.error());
  QueryResult r = pass(fmt::format("CREATE TABLE {}.{} ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin AS {}",
                                   quote_ident(t.database), quote_ident(t.name), rw->sql));
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    if (e->message.find("already exists") != std::string::npos && st.if_not_exists) return OkResult{};
    return r;
  }
  if (auto s = catalog().register_existing_table(t.database, t.name); !s) return from_error(s.error());
  return r;
}

std::optional<ErrorResult> EngineSession::check_replication(const TableSchema& t) const {
  int rep = 3;
  if (auto it = t.properties.find("replication_num"); it != t.properties.end()) rep = std::atoi(it->second.c_str());
  for (const auto& p : t.partitions) rep = std::max(rep, p.replication_num);
  std::vector<std::string> alive;
  for (const auto& b : f_.cluster_.backends()) {
    if (b.alive) alive.push_back(std::to_string(b.id));
  }
  if (rep <= static_cast<int>(alive.size())) return std::nullopt;
  std::string ids;
  for (size_t i = 0; i < alive.size(); ++i) ids += (i ? "," : "") + alive[i];
  return err(fmt::format(
      "Table replication num should be less than or equal to the number of available BE nodes. You can change "
      "this default by setting the replication_num table properties. Current alive backend is [{}]. , table={}, "
      "default_replication_num=3",
      ids, t.name));
}

QueryResult EngineSession::handle_drop(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  if (cur.accept("DATABASE") || cur.accept("SCHEMA")) {
    bool if_exists = cur.accept_seq({"IF", "EXISTS"});
    auto name = cur.name();
    if (!name) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    cur.accept("FORCE");
    if (!cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    if (is_hidden_database(*name) || *name == "information_schema") {
      return err(fmt::format("Access denied; you need (at least one of) the DROP privilege(s) for this operation"));
    }
    auto exists = catalog().database_exists(*name);
    if (!exists) return from_error(exists.error());
    if (!*exists) {
      if (if_exists) return OkResult{};
      return err(fmt::format("Can't drop database '{}'; database doesn't exist", *name));
    }
    if (auto s = catalog().drop_database(*name); !s) return from_error(s.error());
    if (conn_->current_database() == *name) conn_->forget_database();
    return OkResult{};
  }
  if (cur.accept("TABLE")) {
    bool if_exists = cur.accept_seq({"IF", "EXISTS"});
    auto qn = cur.qualified_name();
    if (!qn) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    cur.accept("FORCE");
    if (!cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    std::string db = db_or_current(qn->first);
    if (db.empty()) return err(analyzing_error_text("No database selected"));
    auto t = catalog().cached_table(db, qn->second);
    if (!t) return from_error(t.error());
    if (!*t) {
      QueryResult r = conn_->run(fmt::format("DROP TABLE {}.{}", quote_ident(db), quote_ident(qn->second)));
      if (std::holds_alternative<ErrorResult>(r)) {
        if (if_exists) return OkResult{};
        return err(analyzing_error_text(fmt::format("Unknown table '{}.{}'", db, qn->second)));
      }
      return OkResult{};
    }
    if (auto s = catalog().drop_table(db, qn->second); !s) return from_error(s.error());
    return OkResult{};
  }
  if (cur.peek().is("VIEW")) return pass(std::string(sql));
  if (cur.peek().is("USER") || cur.peek().is("ROLE")) return OkResult{};
  return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
}

QueryResult EngineSession::handle_alter(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  if (!cur.accept("TABLE")) {
    if (cur.peek().is("VIEW")) return pass(std::string(sql));
    if (cur.peek().is("DATABASE") || cur.peek().is("USER")) return OkResult{};
    return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  }
  auto qn = cur.qualified_name();
  if (!qn) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  std::string db = db_or_current(qn->first);
  if (db.empty()) return err(analyzing_error_text("No database selected"));
  auto t = catalog().cached_table(db, qn->second);
  if (!t) return from_error(t.error());
  if (!*t) return err(analyzing_error_text(fmt::format("Table {} does not exist", qn->second)));
  if (cur.accept_seq({"SWAP", "WITH"})) {
    auto other = cur.name();
    if (!other || !cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    if (auto s = catalog().swap_tables(db, qn->second, *other); !s) return from_error(s.error());
    return OkResult{};
  }
  if (cur.accept("RENAME")) {
    auto to = cur.name();
    if (!to || !cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    if (auto s = catalog().rename_table(db, qn->second, *to); !s) return from_error(s.error());
    return OkResult{};
  }
  if (cur.accept("ADD")) {
    if (cur.peek().is("TEMPORARY")) return err(analyzing_error_text("Temporary partitions are not supported by the emulator"));
    if (cur.peek().is("PARTITION") || cur.peek().is("PARTITIONS")) {
      if (cur.peek().is("PARTITIONS")) {
        cur.next();
        if (!cur.peek().is("START")) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
      }
      auto defs = parse_partition_defs(sql, cur, **t, true);
      if (!defs) return from_error(defs.error());
      // Optional per-partition DISTRIBUTED BY ... is accepted and ignored.
      if (auto s = catalog().add_partition_defs(db, qn->second, std::move(*defs)); !s) return from_error(s.error());
      return OkResult{};
    }
    if (cur.accept("COLUMN") || cur.peek().is_name() || cur.peek().is_symbol("(")) {
      return alter_columns(sql, cur, **t, "ADD");
    }
    return err(analyzing_error_text("Schema change is not supported by the emulator"));
  }
  if (cur.peek().is("MODIFY")) {
    cur.next();
    cur.accept("COLUMN");
    return alter_columns(sql, cur, **t, "MODIFY");
  }
  if (cur.peek().is("DROP") && cur.peek(1).is("COLUMN")) {
    cur.next();
    cur.next();
    return alter_columns(sql, cur, **t, "DROP");
  }
  if (cur.accept("DROP")) {
    if (cur.accept("PARTITION")) {
      bool if_exists = cur.accept_seq({"IF", "EXISTS"});
      auto p = cur.name();
      if (!p) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
      cur.accept("FORCE");
      if (!cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
      if (auto s = catalog().drop_partition(db, qn->second, *p, if_exists); !s) return from_error(s.error());
      return OkResult{};
    }
    return err(analyzing_error_text("Schema change is not supported by the emulator"));
  }
  if (cur.accept("SET")) return OkResult{};
  return err(analyzing_error_text("Schema change is not supported by the emulator"));
}

QueryResult EngineSession::alter_columns(std::string_view sql, TokenCursor& cur, TableSchema t,
                                         const std::string& verb) {
  std::vector<std::string> clauses;
  if (verb == "DROP") {
    auto clause = drop_column(sql, cur, t);
    if (!clause) return clause.error();
    clauses.push_back(std::move(*clause));
  } else {
    bool grouped = cur.accept_symbol("(");
    while (true) {
      auto clause = change_column(sql, cur, t, verb);
      if (!clause) return clause.error();
      clauses.push_back(std::move(*clause));
      if (!grouped) break;
      if (cur.accept_symbol(",")) continue;
      if (cur.accept_symbol(")")) break;
      return err(syntax_error_here(sql, cur));
    }
    if (!cur.at_end()) return err(syntax_error_here(sql, cur));
  }
  std::string alter = fmt::format("ALTER TABLE {}.{} ", quote_ident(t.database), quote_ident(t.name));
  for (size_t i = 0; i < clauses.size(); ++i) alter += (i ? ", " : "") + clauses[i];
  if (auto s = catalog().change_columns(t, alter); !s) return from_error(s.error());
  return OkResult{};
}

std::expected<std::string, ErrorResult> EngineSession::drop_column(std::string_view sql, TokenCursor& cur,
                                                                   TableSchema& t) const {
  auto name = cur.name();
  if (!name || !cur.at_end()) return std::unexpected(err(syntax_error_here(sql, cur)));
  auto it = find_column(t, *name);
  if (it == t.columns.end()) {
    return std::unexpected(err(analyzing_error_text(fmt::format("Column does not exists: {}", *name))));
  }
  if (it->is_key || contains_name(t.partition_columns, it->name) ||
      contains_name(t.distribution_columns, it->name)) {
    return std::unexpected(
        err(analyzing_error_text(fmt::format("Can not drop key column {} in {} table", it->name, t.keys_type))));
  }
  std::string clause = "DROP COLUMN " + quote_ident(it->name);
  t.columns.erase(it);
  return clause;
}

std::expected<std::string, ErrorResult> EngineSession::change_column(std::string_view sql, TokenCursor& cur,
                                                                     TableSchema& t, const std::string& verb) const {
  auto col = parse_column_def(sql, cur);
  if (!col) return std::unexpected(from_error(col.error()));
  std::string position;
  std::optional<std::string> after;
  bool first = false;
  if (cur.accept("AFTER")) {
    after = cur.name();
    if (!after) return std::unexpected(err(syntax_error_here(sql, cur)));
    if (find_column(t, *after) == t.columns.end()) {
      return std::unexpected(err(analyzing_error_text(fmt::format("Column[{}] does not exist", *after))));
    }
    position = " AFTER " + quote_ident(find_column(t, *after)->name);
  } else if (cur.accept("FIRST")) {
    first = true;
    position = " FIRST";
  }
  auto existing = find_column(t, col->name);
  std::optional<size_t> keep_at;  // MODIFY without a position keeps the column where it was
  if (verb == "ADD") {
    if (existing != t.columns.end()) {
      return std::unexpected(err(analyzing_error_text(
          fmt::format("Can not add column which already exists in base table: {}", col->name))));
    }
  } else {
    if (existing == t.columns.end()) {
      return std::unexpected(err(analyzing_error_text(fmt::format("Column[{}] does not exists", col->name))));
    }
    if (contains_name(t.partition_columns, existing->name) || contains_name(t.distribution_columns, existing->name)) {
      return std::unexpected(err(analyzing_error_text(
          fmt::format("Can not modify partition or distribution column : {}", existing->name))));
    }
    col->is_key = existing->is_key;
    col->name = existing->name;
    keep_at = static_cast<size_t>(existing - t.columns.begin());
    t.columns.erase(existing);
  }
  const bool unique = t.keys_type == "PRI_KEYS" || t.keys_type == "UNQ_KEYS";
  std::string clause = fmt::format("{} COLUMN {}{}", verb, mariadb_column_def(*col, col->is_key && unique), position);
  if (first) {
    t.columns.insert(t.columns.begin(), *col);
  } else if (after) {
    t.columns.insert(find_column(t, *after) + 1, *col);
  } else if (keep_at) {
    t.columns.insert(t.columns.begin() + static_cast<std::ptrdiff_t>(*keep_at), *col);
  } else {
    t.columns.push_back(*col);
  }
  return clause;
}

QueryResult EngineSession::handle_truncate(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  cur.accept("TABLE");
  auto qn = cur.qualified_name();
  if (!qn) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  std::vector<std::string> parts;
  if (cur.accept("PARTITION") || cur.accept("PARTITIONS")) {
    if (!cur.accept_symbol("(")) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    while (auto n = cur.name()) {
      parts.push_back(*n);
      if (!cur.accept_symbol(",")) break;
    }
    if (!cur.accept_symbol(")")) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  }
  if (!cur.at_end()) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  std::string db = db_or_current(qn->first);
  if (db.empty()) return err(analyzing_error_text("No database selected"));
  if (auto s = catalog().truncate(db, qn->second, parts); !s) return from_error(s.error());
  return OkResult{};
}

// ---------------------------------------------------------------- DML

QueryResult EngineSession::handle_insert(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  auto target = parse_insert_target(sql, cur);
  if (!target) return target.error();
  if (cur.at_end()) return err(syntax_error_text(sql, sql.size(), ""));
  // MySQL's INSERT ... ON DUPLICATE KEY UPDATE does not exist in StarRocks.
  if (const Token* on = find_on_duplicate_key(tokens, cur.pos())) {
    return err(syntax_error_text(sql, on->begin, on->text));
  }
  const std::string& db = target->db;
  const std::string& table = target->table;
  auto t = catalog().cached_table(db, table);
  if (!t) return from_error(t.error());
  if (!*t) {
    auto exists = catalog().database_exists(db);
    if (exists && !*exists) return err(analyzing_error_text(fmt::format("Unknown database '{}'", db)));
  }
  bool upsert = *t && ((*t)->keys_type == "PRI_KEYS" || (*t)->keys_type == "UNQ_KEYS");
  std::optional<std::vector<int64_t>> allowed;
  std::vector<const PartitionSchema*> partitions;  // the named ones
  if (*t && !target->partitions.empty()) {
    auto named = named_partitions(**t, table, target->partitions);
    if (!named) return named.error();
    partitions = std::move(*named);
    allowed.emplace();
    for (const PartitionSchema* p : partitions) allowed->push_back(p->id);
  }
  std::string body = tail(sql, tokens, cur.pos());
  std::string rewritten = fmt::format("{} INTO {}.{} {}", upsert ? "REPLACE" : "INSERT", quote_ident(db),
                                      quote_ident(table), body);
  RewriteContext ctx = rewrite_context();
  auto rw_tokens = tokenize(rewritten);
  auto rw = rewrite_query(rewritten, rw_tokens, ctx);
  if (!rw) return from_error(rw.error());
  if (target->overwrite && *t) {
    // INSERT OVERWRITE: replace the named partitions (or the whole table) in the same transaction.
    std::string pred = partitions.empty() ? "TRUE" : "";
    for (const PartitionSchema* p : partitions) {
      pred += (pred.empty() ? "" : " OR ") + partition_predicate(**t, *p, "");
    }
    return run_dml({fmt::format("DELETE FROM {}.{} WHERE {}", quote_ident(db), quote_ident(table), pred), rw->sql},
                   upsert, allowed);
  }
  return run_dml({rw->sql}, upsert, allowed);
}

std::expected<EngineSession::InsertTarget, ErrorResult> EngineSession::parse_insert_target(std::string_view sql,
                                                                                           TokenCursor& cur) const {
  auto syntax_failure = [&] {
    return std::unexpected(err(syntax_error_text(sql, cur.peek().begin, cur.peek().text)));
  };
  InsertTarget target;
  if (cur.accept("OVERWRITE")) {
    target.overwrite = true;
  } else if (!cur.accept("INTO")) {
    return syntax_failure();
  }
  cur.accept("TABLE");
  auto qn = cur.qualified_name();
  if (!qn) return syntax_failure();
  target.db = db_or_current(qn->first);
  target.table = qn->second;
  if (target.db.empty()) return std::unexpected(err(analyzing_error_text("No database selected")));
  if (cur.accept("TEMPORARY")) {
    return std::unexpected(err(analyzing_error_text("Temporary partitions are not supported by the emulator")));
  }
  if (cur.accept("PARTITION") || cur.accept("PARTITIONS")) {
    if (!cur.accept_symbol("(")) return syntax_failure();
    while (auto n = cur.name()) {
      target.partitions.push_back(*n);
      if (!cur.accept_symbol(",")) break;
    }
    if (!cur.accept_symbol(")")) return syntax_failure();
  }
  if (cur.accept_seq({"WITH", "LABEL"})) {
    if (!cur.name()) return syntax_failure();
  }
  return target;
}

std::expected<std::vector<const PartitionSchema*>, ErrorResult> EngineSession::named_partitions(
    const TableSchema& t, const std::string& table, const std::vector<std::string>& names) const {
  std::vector<const PartitionSchema*> out;
  for (const auto& name : names) {
    auto it = std::find_if(t.partitions.begin(), t.partitions.end(),
                           [&](const PartitionSchema& p) { return p.name == name; });
    if (it == t.partitions.end()) {
      return std::unexpected(
          err(analyzing_error_text(fmt::format("Unknown partition '{}' in table '{}'", name, table))));
    }
    out.push_back(&*it);
  }
  return out;
}

QueryResult EngineSession::handle_update_delete(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  bool is_update = cur.next().is("UPDATE");
  if (!is_update && !cur.accept("FROM")) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  auto qn = cur.qualified_name();
  if (!qn) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
  std::string db = db_or_current(qn->first);
  if (db.empty()) return err(analyzing_error_text("No database selected"));
  auto t = catalog().cached_table(db, qn->second);
  if (!t) return from_error(t.error());
  if (is_update && *t && (*t)->keys_type != "PRI_KEYS") {
    return err(analyzing_error_text("only support updating primary key table"));
  }
  if (is_update && *t) {
    // Key columns cannot be assigned (so an UPDATE can never collide on the primary key either).
    int depth = 0;
    bool in_set = false;
    for (size_t i = cur.pos(); i < tokens.size(); ++i) {
      const Token& tk = tokens[i];
      if (tk.is_symbol("(")) ++depth;
      if (tk.is_symbol(")")) --depth;
      if (depth != 0) continue;
      if (tk.is("SET")) in_set = true;
      if (tk.is("WHERE") || tk.is("ORDER") || tk.is("LIMIT") || tk.is("FROM")) in_set = false;
      if (in_set && tk.is_name() && i + 1 < tokens.size() && tokens[i + 1].is_symbol("=") &&
          (i == 0 || !tokens[i - 1].is_symbol("="))) {
        for (const auto& c : (*t)->columns) {
          if (c.is_key && iequals(c.name, tk.value)) {
            return err(analyzing_error_text(fmt::format("primary key column cannot be updated: {}", c.name)));
          }
        }
      }
    }
  }
  RewriteContext ctx = rewrite_context();
  auto rw = rewrite_query(sql, tokens, ctx);
  if (!rw) return from_error(rw.error());
  return run_dml({rw->sql});
}

// ---------------------------------------------------------------- SET / ADMIN

QueryResult EngineSession::handle_set(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  for (const auto& t : tokens) {
    // The write-tracking variables belong to the engine.
    if (t.kind == TokenKind::kVariable && to_lower(t.text).rfind("@__sk", 0) == 0) return OkResult{};
  }
  if (cur.peek().is("NAMES") || cur.peek().is("CHARACTER") || cur.peek().is("CHARSET") ||
      cur.peek().kind == TokenKind::kVariable) {
    if (cur.peek().kind == TokenKind::kVariable && cur.peek().text.rfind("@@", 0) == 0) {
      // @@session.x = ...: StarRocks session variables; only character set ones reach MariaDB.
      std::string v = to_lower(cur.peek().text);
      if (v.find("character_set") == std::string::npos && v.find("collation") == std::string::npos) return OkResult{};
    }
    return pass(std::string(sql));
  }
  cur.accept("SESSION") || cur.accept("GLOBAL") || cur.accept("LOCAL");
  if (cur.peek().is_name() && to_lower(cur.peek().value).rfind("character_set", 0) == 0) return pass(std::string(sql));
  if (cur.peek().is("TIME_ZONE")) {
    cur.next();
    if (!cur.accept_symbol("=") && !cur.accept_symbol(":=")) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    if (cur.peek().kind != TokenKind::kString) return err(syntax_error_text(sql, cur.peek().begin, cur.peek().text));
    // StarRocks' rules (fe TimeUtils.checkTimeZoneValidAndStandardize): offsets are stored as ±HH:MM, CST is
    // Asia/Shanghai, unknown values are refused with its text.
    auto standard = dialect::standardize_time_zone_value(cur.next().value);
    if (!standard) return err(standard.error().message);
    QueryResult r = pass(fmt::format("SET time_zone = {}", quote_string(ClusterClock(*standard).offset_text())));
    if (std::holds_alternative<ErrorResult>(r)) return r;
    time_zone_ = *standard;
    return OkResult{};
  }
  // StarRocks session variables (query_timeout, enable_insert_strict, autocommit, ...): accepted.
  return OkResult{};
}

QueryResult EngineSession::handle_admin(std::string_view sql, const std::vector<Token>& tokens) {
  TokenCursor cur(tokens);
  cur.next();
  if (!cur.accept("EMULATOR")) return OkResult{};  // ADMIN SET FRONTEND CONFIG etc.: accepted, no effect
  if (!config().faults_enabled) return err(syntax_error_text(sql, tokens[1].begin, tokens[1].text));
  AdminCursor a{sql, cur};
  if (cur.accept_seq({"DROP", "CONNECTIONS"})) {
    if (!cur.at_end()) return err(a.error_here());
    return admin_drop_connections();
  }
  if (cur.accept_seq({"FAIL", "NEXT", "WRITE", "TO"})) return admin_fail_next_write(a);
  if (!cur.accept("SET")) return err(a.error_here());
  if (cur.accept("FRONTEND")) return admin_set_frontend(a);
  if (!cur.accept("BACKEND")) return err(a.error_here());
  auto id = a.integer();
  if (!id) return err(a.error_here());
  if (cur.accept("ALIVE")) return admin_set_backend_alive(a, *id);
  if (!cur.accept("DISK")) return err(a.error_here());
  return admin_set_backend_disk(a, *id);
}

// ADMIN EMULATOR FAIL NEXT WRITE TO [db.]t PARTITION p [WITH 'text'], cursor after TO.
QueryResult EngineSession::admin_fail_next_write(AdminCursor& a) {
  TokenCursor& cur = a.cur;
  auto qn = cur.qualified_name();
  if (!qn || !cur.accept("PARTITION")) return err(a.error_here());
  auto partition = cur.name();
  if (!partition) return err(a.error_here());
  std::string message;
  if (cur.accept("WITH")) {
    if (cur.peek().kind != TokenKind::kString) return err(a.error_here());
    message = cur.next().value;
  }
  if (!cur.at_end()) return err(a.error_here());
  const std::string db = db_or_current(qn->first);
  if (db.empty()) return err(analyzing_error_text("No database selected"));
  auto t = catalog().cached_table(db, qn->second);
  if (!t) return from_error(t.error());
  if (!*t) return err(analyzing_error_text(fmt::format("Unknown table '{}.{}'", db, qn->second)));
  auto named = named_partitions(**t, qn->second, {*partition});
  if (!named) return named.error();
  if (message.empty()) {
    message = fmt::format("tablet writer write failed in partition {} of {}.{} (emulated fault)", *partition, db,
                          qn->second);
  }
  std::lock_guard lock(f_.mu_);
  f_.write_faults_.push_back({named->front()->id, std::move(message)});
  return OkResult{};
}

std::optional<ErrorResult> EngineSession::take_write_fault(const std::string& touched) {
  std::lock_guard lock(f_.mu_);
  for (auto it = f_.write_faults_.begin(); it != f_.write_faults_.end(); ++it) {
    const std::string id = std::to_string(it->partition_id);
    const std::string list = "," + touched + ",";
    if (list.find("," + id + ",") == std::string::npos) continue;
    ErrorResult e = err(it->message);
    f_.write_faults_.erase(it);
    return e;
  }
  return std::nullopt;
}

QueryResult EngineSession::admin_drop_connections() {
  std::function<void()> fn;
  {
    std::lock_guard lock(f_.mu_);
    fn = f_.options_.drop_connections;
  }
  if (fn) fn();
  return OkResult{};
}

QueryResult EngineSession::admin_set_frontend(AdminCursor& a) {
  TokenCursor& cur = a.cur;
  if (cur.peek().kind != TokenKind::kString && !cur.peek().is_name()) return err(a.error_here());
  std::string name = cur.next().value;
  if (!cur.accept("ALIVE") || !cur.accept_symbol("=")) return err(a.error_here());
  auto alive = a.boolean();
  if (!alive || !cur.at_end()) return err(a.error_here());
  bool found = false;
  f_.cluster_.update_frontends([&](std::vector<FrontendState>& fes) {
    for (auto& f : fes) {
      if (f.name == name) {
        f.alive = *alive;
        found = true;
      }
    }
  });
  if (!found) return err(fmt::format("Frontend {} does not exist.", name));
  return OkResult{};
}

QueryResult EngineSession::admin_set_backend_alive(AdminCursor& a, int64_t id) {
  TokenCursor& cur = a.cur;
  if (!cur.accept_symbol("=")) return err(a.error_here());
  auto alive = a.boolean();
  if (!alive || !cur.at_end()) return err(a.error_here());
  bool found = false;
  f_.cluster_.update_backends([&](std::vector<BackendState>& bes) {
    for (auto& b : bes) {
      if (b.id == id) {
        b.alive = *alive;
        found = true;
      }
    }
  });
  if (!found) return err(fmt::format("Backend[{}] does not exist.", id));
  return OkResult{};
}

QueryResult EngineSession::admin_set_backend_disk(AdminCursor& a, int64_t id) {
  auto change = parse_disk_change(a);
  if (!change) return err(a.error_here());
  bool found = false;
  bool disk_found = false;
  std::string problem;
  f_.cluster_.update_backends([&](std::vector<BackendState>& bes) {
    for (auto& b : bes) {
      if (b.id != id) continue;
      found = true;
      for (auto& d : b.disks) {
        if (d.root_path != change->root) continue;
        disk_found = true;
        if (auto p = apply_disk_change(*change, d); !p.empty()) {
          problem = p;
          return;
        }
      }
    }
  });
  if (!found) return err(fmt::format("Backend[{}] does not exist.", id));
  if (!disk_found) return err(fmt::format("Disk '{}' does not exist on backend {}.", change->root, id));
  if (!problem.empty()) return err(problem);
  return OkResult{};
}

// ---------------------------------------------------------------- factory

EngineSessionFactory::EngineSessionFactory(ClusterState& cluster, MariaDbCatalog& catalog, StatementHook* hook,
                                           EngineOptions options)
    : cluster_(cluster), catalog_(catalog), hook_(hook), options_(std::move(options)) {}

std::optional<std::string> EngineSessionFactory::password_of(std::string_view user) const {
  std::lock_guard lock(mu_);
  auto it = options_.users.find(std::string(user));
  if (it == options_.users.end()) return std::nullopt;
  return it->second;
}

void EngineSessionFactory::set_drop_connections(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  options_.drop_connections = std::move(fn);
}

void EngineSessionFactory::set_hook(StatementHook* hook) { hook_ = hook; }

std::unique_ptr<Session> EngineSessionFactory::open(std::string_view user, std::string_view database) {
  BackendParams p = catalog_.params();
  auto conn = MariaDbConnection::connect(p);
  if (!conn) return std::make_unique<EngineSession>(*this, std::string(user), nullptr, conn.error().message);
  auto s = std::make_unique<EngineSession>(*this, std::string(user), std::move(*conn), "");
  if (!database.empty()) (void)s->use_database(database);
  return s;
}

}  // namespace sk::emu
