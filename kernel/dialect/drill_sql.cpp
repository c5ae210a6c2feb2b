#include "kernel/dialect/drill_sql.h"

#include <fmt/format.h>

#include "kernel/dialect/starrocks_dialect.h"
#include "kernel/dialect/ops_sql.h"

namespace sk::drill::sql {

std::string render_drill_history_query(const DatabaseName& ops_database, const DrillName& name, Instant from,
                                       Instant to) {
  return fmt::format(
      "SELECT run_id, target_time_utc, verification, state FROM {}.{} WHERE kind = 'drill' AND drill_name = "
      "{} "
      "AND target_time_utc >= {} AND target_time_utc < {}",
      dialect::quote_identifier(ops_database.str()), dialect::quote_identifier("restore_history"),
      ops::sql::literal(name.str()), ops::sql::literal(from), ops::sql::literal(to));
}

std::string render_scratch_owner_query(const DatabaseName& ops_database, const DatabaseName& scratch) {
  return fmt::format(
      "SELECT run_id, state, verification FROM {}.{} WHERE kind = 'drill' AND target_database = {} "
      "ORDER BY updated_at_utc DESC LIMIT 1",
      dialect::quote_identifier(ops_database.str()), dialect::quote_identifier("restore_history"),
      ops::sql::literal(scratch.str()));
}

std::string render_create_database(const DatabaseName& db) {
  return "CREATE DATABASE " + dialect::quote_identifier(db.str());
}

std::string render_drop_database(const DatabaseName& db) {
  return "DROP DATABASE IF EXISTS " + dialect::quote_identifier(db.str()) + " FORCE";
}

}  // namespace sk::drill::sql
