#include "kernel/dialect/starrocks_dialect.h"

#include "kernel/dialect/drop_snapshot.h"

#include <cctype>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace sk::dialect {
namespace {

std::string qualified(const DatabaseName& db, const SnapshotLabel& label) {
  return quote_identifier(db.str()) + "." + quote_identifier(label.str());
}

// PROPERTIES ('k' = 'v', ...) — empty string when there are none.
std::string render_properties(const std::vector<std::pair<std::string, std::string>>& props) {
  if (props.empty()) return {};
  std::string out = " PROPERTIES (";
  for (size_t i = 0; i < props.size(); ++i) {
    if (i) out += ", ";
    out += quote_string(props[i].first);
    out += " = ";
    out += quote_string(props[i].second);
  }
  out += ")";
  return out;
}

std::string render_selection(const PartitionSelection& sel) {
  switch (sel.kind) {
    case PartitionSelection::Kind::kWholeTable:
      return {};
    case PartitionSelection::Kind::kListed:
      return " PARTITION " + render_partition_list(sel.partitions);
    case PartitionSelection::Kind::kBoundAtRunTime:
      return " PARTITION (<changed partitions, bound at run time>)";
  }
  return {};
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '`';
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string quote_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '\0': out += "\\0"; break;
      case '\b': out += "\\b"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\x1a': out += "\\Z"; break;
      default: out += c;
    }
  }
  out += '\'';
  return out;
}

std::string render_partition_list(const std::vector<PartitionName>& partitions) {
  std::string out = "(";
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (i) out += ", ";
    out += quote_identifier(partitions[i].str());
  }
  out += ")";
  return out;
}

std::string render_backup(const BackupJobSpec& spec) {
  std::string out;
  if (spec.grammar == Grammar::kPre34) {
    out = fmt::format("BACKUP SNAPSHOT {} TO {}", qualified(spec.database, spec.label),
                      quote_identifier(spec.repository.str()));
    if (!spec.tables.empty()) {
      out += " ON (";
      for (size_t i = 0; i < spec.tables.size(); ++i) {
        if (i) out += ", ";
        out += quote_identifier(spec.tables[i].table.str());
        out += render_selection(spec.tables[i].partitions);
      }
      out += ")";
    }
  } else {
    out = fmt::format("BACKUP DATABASE {} SNAPSHOT {} TO {} ON (", quote_identifier(spec.database.str()),
                      quote_identifier(spec.label.str()), quote_identifier(spec.repository.str()));
    if (spec.tables.empty()) {
      out += "ALL TABLES";
    } else {
      for (size_t i = 0; i < spec.tables.size(); ++i) {
        if (i) out += ", ";
        out += "TABLE ";
        out += quote_identifier(spec.tables[i].table.str());
        out += render_selection(spec.tables[i].partitions);
      }
    }
    out += ")";
  }
  std::vector<std::pair<std::string, std::string>> props{{"type", "full"}};
  if (spec.timeout) props.emplace_back("timeout", std::to_string(spec.timeout->seconds()));
  out += render_properties(props);
  return out;
}

std::string render_restore(const RestoreJobSpec& spec) {
  std::string out;
  const char* table_keyword = "";
  if (spec.grammar == Grammar::kPre34) {
    out = fmt::format("RESTORE SNAPSHOT {} FROM {}", qualified(spec.target_database, spec.label),
                      quote_identifier(spec.repository.str()));
  } else {
    out = fmt::format("RESTORE SNAPSHOT {} FROM {} DATABASE {}", quote_identifier(spec.label.str()),
                      quote_identifier(spec.repository.str()), quote_identifier(spec.source_database.str()));
    if (spec.target_database != spec.source_database) {
      out += " AS " + quote_identifier(spec.target_database.str());
    }
    table_keyword = "TABLE ";
  }
  if (!spec.tables.empty()) {
    out += " ON (";
    for (size_t i = 0; i < spec.tables.size(); ++i) {
      const RestoreTable& t = spec.tables[i];
      if (i) out += ", ";
      out += table_keyword;
      out += quote_identifier(t.table.str());
      if (!t.partitions.empty()) out += " PARTITION " + render_partition_list(t.partitions);
      if (t.alias) out += " AS " + quote_identifier(t.alias->str());
    }
    out += ")";
  }
  std::vector<std::pair<std::string, std::string>> props{
      {"backup_timestamp",
       spec.backup_timestamp ? spec.backup_timestamp->str() : std::string(kUnresolvedTimestamp)}};
  if (spec.replication_num) props.emplace_back("replication_num", std::to_string(*spec.replication_num));
  if (spec.timeout) props.emplace_back("timeout", std::to_string(spec.timeout->seconds()));
  if (spec.allow_load) props.emplace_back("allow_load", *spec.allow_load ? "true" : "false");
  out += render_properties(props);
  return out;
}

std::string render_show_backup(const DatabaseName& db) { return "SHOW BACKUP FROM " + quote_identifier(db.str()); }
std::string render_show_restore(const DatabaseName& db) { return "SHOW RESTORE FROM " + quote_identifier(db.str()); }
std::string render_cancel_backup(const DatabaseName& db) { return "CANCEL BACKUP FROM " + quote_identifier(db.str()); }
std::string render_cancel_restore(const DatabaseName& db) {
  return "CANCEL RESTORE FROM " + quote_identifier(db.str());
}

std::string render_show_snapshot(const RepositoryName& repo, const std::optional<SnapshotLabel>& label,
                                 const std::optional<BackupTimestamp>& backup_timestamp) {
  std::string out = "SHOW SNAPSHOT ON " + quote_identifier(repo.str());
  if (label) {
    out += " WHERE SNAPSHOT = " + quote_string(label->str());
    if (backup_timestamp) out += " AND TIMESTAMP = " + quote_string(backup_timestamp->str());
  }
  return out;
}

std::string render_create_repository(const CreateRepositorySpec& spec) {
  return fmt::format("CREATE {}REPOSITORY {} WITH BROKER ON LOCATION {}{}", spec.read_only ? "READ ONLY " : "",
                     quote_identifier(spec.name.str()), quote_string(spec.location),
                     render_properties(spec.properties));
}

std::string render_show_repositories() { return "SHOW REPOSITORIES"; }

std::string render_tables_config_query(const DatabaseName& db) {
  return "SELECT TABLE_NAME, PARTITION_KEY, TABLE_MODEL FROM information_schema.tables_config WHERE TABLE_SCHEMA = " +
         quote_string(db.str()) + " ORDER BY TABLE_NAME";
}

std::string render_partitions_meta_query(const DatabaseName& db) {
  return "SELECT TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION, VISIBLE_VERSION_TIME, "
         "UNIX_TIMESTAMP(VISIBLE_VERSION_TIME) AS VISIBLE_VERSION_UNIX, ROW_COUNT, DATA_SIZE "
         "FROM information_schema.partitions_meta WHERE DB_NAME = " +
         quote_string(db.str()) + " AND IS_TEMP = 0 ORDER BY TABLE_NAME, PARTITION_NAME";
}

std::string render_show_databases() { return "SHOW DATABASES"; }

namespace {

// "4.2.1-abc" → {4, 2}; nullopt when the text does not start with <major>.<minor>.
std::optional<std::pair<int, int>> major_minor(std::string_view version) {
  int major = 0;
  int minor = 0;
  std::size_t i = 0;
  auto number = [&](int& out) {
    const std::size_t start = i;
    while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) {
      out = out * 10 + (version[i] - '0');
      ++i;
    }
    return i > start;
  };
  if (!number(major) || i >= version.size() || version[i] != '.') return std::nullopt;
  ++i;
  if (!number(minor)) return std::nullopt;
  return std::pair{major, minor};
}

}  // namespace

Grammar grammar_for_version(std::string_view version) {
  auto v = major_minor(version);
  return v && *v >= std::pair{3, 4} ? Grammar::kV34 : Grammar::kPre34;
}

bool supports_drop_snapshot(std::string_view version) {
  auto v = major_minor(version);
  return v && *v >= std::pair{4, 2};
}

std::string render_drop_snapshot(const RepositoryName& repo, const SnapshotLabel& label) {
  return fmt::format("DROP SNAPSHOT {} ON {}", quote_identifier(label.str()), quote_identifier(repo.str()));
}

}  // namespace sk::dialect

namespace sk::dialect {

std::string render_drop_snapshot_force(const RepositoryName& repo, const SnapshotLabel& label) {
  return render_drop_snapshot(repo, label) + " FORCE";
}

}  // namespace sk::dialect
