#include "kernel/dialect/runner_sql.h"

#include "kernel/dialect/starrocks_dialect.h"

namespace sk::dialect {

std::string render_show_frontends() { return "SHOW FRONTENDS"; }
std::string render_show_backends() { return "SHOW BACKENDS"; }
std::string render_show_repositories_stmt() { return "SHOW REPOSITORIES"; }
std::string render_show_backup_all() { return "SHOW BACKUP"; }

std::string render_show_backend_disks(std::int64_t backend_id) {
  return "SHOW PROC " + quote_string("/backends/" + std::to_string(backend_id));
}

std::string render_show_time_zone() { return "SHOW VARIABLES LIKE " + quote_string("time_zone"); }

std::string render_partitions_meta_for_binding(const DatabaseName& db) {
  return "SELECT TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION, "
         "UNIX_TIMESTAMP(VISIBLE_VERSION_TIME) AS VISIBLE_VERSION_UNIX, ROW_COUNT, DATA_SIZE "
         "FROM information_schema.partitions_meta WHERE DB_NAME = " +
         quote_string(db.str()) + " AND IS_TEMP = 0 ORDER BY TABLE_NAME, PARTITION_NAME";
}

}  // namespace sk::dialect
