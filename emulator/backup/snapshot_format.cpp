#include "emulator/backup/snapshot_format.h"

#include <fmt/format.h>

namespace sk::emu::backup {

using nlohmann::json;

namespace {

std::string to_hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string from_hex(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  std::string out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) out += static_cast<char>(val(s[i]) * 16 + val(s[i + 1]));
  return out;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80)
      n = 0;
    else if ((c >> 5) == 0x6)
      n = 1;
    else if ((c >> 4) == 0xe)
      n = 2;
    else if ((c >> 3) == 0x1e)
      n = 3;
    else
      return false;
    if (n > 0 && i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n + 1;
  }
  return true;
}

json partition_to_json(const PartitionSchema& p) {
  return json{{"id", p.id},
              {"name", p.name},
              {"range", p.range},
              {"lower", p.lower},
              {"upper", p.upper},
              {"list_values", p.list_values},
              {"visible_version", p.visible_version},
              {"visible_version_time", p.visible_version_time},
              {"row_count", p.row_count},
              {"data_size", p.data_size},
              {"replication_num", p.replication_num},
              {"is_temp", p.is_temp}};
}

PartitionSchema partition_from_json(const json& j) {
  PartitionSchema p;
  p.id = j.value("id", int64_t{0});
  p.name = j.value("name", std::string());
  p.range = j.value("range", std::string());
  p.lower = j.value("lower", std::vector<std::string>{});
  p.upper = j.value("upper", std::vector<std::string>{});
  p.list_values = j.value("list_values", std::vector<std::vector<std::string>>{});
  p.visible_version = j.value("visible_version", int64_t{1});
  p.visible_version_time = j.value("visible_version_time", std::string());
  p.row_count = j.value("row_count", int64_t{0});
  p.data_size = j.value("data_size", int64_t{0});
  p.replication_num = j.value("replication_num", 3);
  p.is_temp = j.value("is_temp", false);
  return p;
}

}  // namespace

int32_t SnapshotTable::schema_hash() const {
  // FNV-1a over the column definitions: stable across runs, like a schema hash.
  uint32_t h = 2166136261u;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 16777619u;
    }
    h ^= 0xff;
    h *= 16777619u;
  };
  for (const ColumnSchema& c : schema.columns) {
    mix(c.name);
    mix(c.type);
    mix(c.nullable ? "1" : "0");
  }
  return static_cast<int32_t>(h & 0x7fffffff);
}

const SnapshotTable* SnapshotInfo::find_table(std::string_view name) const {
  for (const SnapshotTable& t : tables) {
    if (t.schema.name == name) return &t;
  }
  return nullptr;
}

json schema_to_json(const TableSchema& s) {
  json cols = json::array();
  for (const ColumnSchema& c : s.columns) {
    json col{{"name", c.name},
             {"type", c.type},
             {"nullable", c.nullable},
             {"is_key", c.is_key},
             {"comment", c.comment}};
    col["default_value"] = c.default_value ? json(*c.default_value) : json(nullptr);
    cols.push_back(std::move(col));
  }
  json parts = json::array();
  for (const PartitionSchema& p : s.partitions) parts.push_back(partition_to_json(p));
  return json{{"database", s.database},
              {"name", s.name},
              {"id", s.id},
              {"keys_type", s.keys_type},
              {"key_columns", s.key_columns},
              {"columns", cols},
              {"partition_type", s.partition_type},
              {"partition_columns", s.partition_columns},
              {"partitions", parts},
              {"distribution_columns", s.distribution_columns},
              {"buckets", s.buckets},
              {"properties", s.properties},
              {"table_type", s.table_type},
              {"comment", s.comment},
              {"sort_columns", s.sort_columns}};
}

Result<TableSchema> schema_from_json(const json& j) {
  try {
    TableSchema s;
    s.database = j.value("database", std::string());
    s.name = j.at("name").get<std::string>();
    s.id = j.value("id", int64_t{0});
    s.keys_type = j.value("keys_type", std::string("DUP_KEYS"));
    s.key_columns = j.value("key_columns", std::vector<std::string>{});
    for (const json& c : j.at("columns")) {
      ColumnSchema col;
      col.name = c.at("name").get<std::string>();
      col.type = c.at("type").get<std::string>();
      col.nullable = c.value("nullable", true);
      col.is_key = c.value("is_key", false);
      col.comment = c.value("comment", std::string());
      if (c.contains("default_value") && !c["default_value"].is_null()) {
        col.default_value = c["default_value"].get<std::string>();
      }
      s.columns.push_back(std::move(col));
    }
    s.partition_type = j.value("partition_type", std::string());
    s.partition_columns = j.value("partition_columns", std::vector<std::string>{});
    if (j.contains("partitions")) {
      for (const json& p : j["partitions"]) s.partitions.push_back(partition_from_json(p));
    }
    s.distribution_columns = j.value("distribution_columns", std::vector<std::string>{});
    s.buckets = j.value("buckets", 0);
    s.properties = j.value("properties", std::map<std::string, std::string>{});
    s.table_type = j.value("table_type", std::string("BASE TABLE"));
    s.comment = j.value("comment", std::string());
    s.sort_columns = j.value("sort_columns", std::vector<std::string>{});
    return s;
  } catch (const json::exception& e) {
    return sk::fail("snapshot.bad_schema", "invalid table schema in snapshot: {}", e.what());
  }
}

std::string rows_to_jsonl(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& row : rows) {
    json line = json::array();
    for (const auto& v : row) {
      if (!v) {
        line.push_back(nullptr);
      } else if (valid_utf8(*v)) {
        line.push_back(*v);
      } else {
        line.push_back(json{{"hex", to_hex(*v)}});
      }
    }
    out += line.dump();
    out += '\n';
  }
  return out;
}

Result<std::vector<Row>> rows_from_jsonl(std::string_view text) {
  std::vector<Row> rows;
  size_t start = 0;
  try {
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      json arr = json::parse(line);
      Row row;
      for (const json& v : arr) {
        if (v.is_null())
          row.emplace_back(std::nullopt);
        else if (v.is_object())
          row.emplace_back(from_hex(v.at("hex").get<std::string>()));
        else
          row.emplace_back(v.get<std::string>());
      }
      rows.push_back(std::move(row));
    }
  } catch (const json::exception& e) {
    return sk::fail("snapshot.bad_data", "invalid data file in snapshot: {}", e.what());
  }
  return rows;
}

json info_to_json(const SnapshotInfo& info, bool verbose) {
  json objs = json::object();
  for (const SnapshotTable& t : info.tables) {
    json tbl = json::object();
    if (verbose) tbl["id"] = t.schema.id;
    json parts = json::object();
    for (const SnapshotPartition& p : t.partitions) {
      json part = json::object();
      if (verbose) {
        part["id"] = p.schema.id;
        part["version"] = p.schema.visible_version;
        part["version_hash"] = 0;
        json files = json::array();
        for (const std::string& f : p.files) files.push_back(f);
        json idx{{"id", t.schema.id},
                 {"schema_hash", p.schema_hash},
                 {"tablets", json{{std::to_string(p.tablet_id), files}}},
                 {"tablets_order", json::array({std::to_string(p.tablet_id)})}};
        part["indexes"] = json{{t.schema.name, idx}};
        part["subPartitions"] = json::object();
      }
      parts[p.schema.name] = part;
    }
    tbl["partitions"] = parts;
    objs[t.schema.name] = tbl;
  }
  json root{{"name", info.label},
            {"database", info.db_name},
            {"backup_time", info.backup_time_ms},
            {"backup_objects", objs},
            {"meta_version", kMetaVersion},
            {"starrocks_meta_version", kStarRocksMetaVersion},
            {"backup_result", "succeed"}};
  if (verbose) {
    root["id"] = info.db_id;
    root["cluster_id"] = info.cluster_id;
    if (info.finish_time_ms) root["finish_time"] = *info.finish_time_ms;
    if (info.ttl) root["ttl"] = *info.ttl;
    if (info.expire_time_ms) root["expire_time"] = *info.expire_time_ms;
  }
  return root;
}

Result<SnapshotInfo> info_from_json(std::string_view text) {
  try {
    json root = json::parse(text);
    SnapshotInfo info;
    info.label = root.at("name").get<std::string>();
    info.db_name = root.at("database").get<std::string>();
    info.db_id = root.value("id", int64_t{0});
    info.backup_time_ms = root.value("backup_time", int64_t{0});
    info.cluster_id = root.value("cluster_id", std::string());
    if (root.contains("finish_time")) info.finish_time_ms = root.at("finish_time").get<int64_t>();
    if (root.contains("ttl")) info.ttl = root.at("ttl").get<std::string>();
    if (root.contains("expire_time")) info.expire_time_ms = root.at("expire_time").get<int64_t>();
    for (const auto& [tname, tbl] : root.at("backup_objects").items()) {
      SnapshotTable t;
      t.schema.name = tname;
      t.schema.database = info.db_name;
      t.schema.id = tbl.value("id", int64_t{0});
      for (const auto& [pname, part] : tbl.at("partitions").items()) {
        SnapshotPartition p;
        p.schema.name = pname;
        p.schema.id = part.value("id", int64_t{0});
        p.schema.visible_version = part.value("version", int64_t{1});
        if (part.contains("indexes")) {
          for (const auto& [iname, idx] : part["indexes"].items()) {
            (void)iname;
            p.schema_hash = idx.value("schema_hash", 0);
            for (const auto& [tablet, files] : idx.at("tablets").items()) {
              p.tablet_id = std::stoll(tablet);
              p.files = files.get<std::vector<std::string>>();
            }
          }
        }
        t.partitions.push_back(std::move(p));
      }
      info.tables.push_back(std::move(t));
    }
    return info;
  } catch (const std::exception& e) {
    return sk::fail("snapshot.bad_info", "Failed to create job info from file. msg: {}", e.what());
  }
}

std::string meta_to_json(const std::vector<TableSchema>& tables) {
  json arr = json::array();
  for (const TableSchema& t : tables) arr.push_back(schema_to_json(t));
  return json{{"meta_version", kMetaVersion}, {"tables", arr}}.dump();
}

Result<std::vector<TableSchema>> meta_from_json(std::string_view text) {
  try {
    json root = json::parse(text);
    std::vector<TableSchema> out;
    for (const json& t : root.at("tables")) {
      auto s = schema_from_json(t);
      if (!s) return std::unexpected(s.error());
      out.push_back(std::move(*s));
    }
    return out;
  } catch (const json::exception& e) {
    return sk::fail("snapshot.bad_meta", "Failed create backup meta from file, msg: {}", e.what());
  }
}

std::string tablet_dir(const SnapshotInfo& info, const SnapshotTable& table, const SnapshotPartition& part) {
  return fmt::format("__db_{}/__tbl_{}/__part_{}/__idx_{}/__{}/__{}", info.db_id, table.schema.id,
                     part.schema.id, table.schema.id, part.tablet_id, part.schema_hash);
}

std::string header_file_name(const SnapshotPartition& part) { return fmt::format("{}.hdr", part.tablet_id); }
std::string data_file_name(const SnapshotPartition& part) {
  return fmt::format("{}_0_0.dat", part.tablet_id);
}

}  // namespace sk::emu::backup
