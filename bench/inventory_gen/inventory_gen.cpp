#include "bench/inventory_gen/inventory_gen.h"

#include <random>

#include <fmt/format.h>

namespace sk::bench {

std::string generate_inventory(const GenOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_int_distribution<int64_t> version(1, 500);
  std::uniform_int_distribution<int64_t> rows(1000, 5'000'000);
  std::string out;
  out.reserve(static_cast<size_t>(o.tables) * (static_cast<size_t>(o.partitions) * 170 + 200));
  out += "{\n  \"inventory_version\": 1,\n  \"generated_at\": \"2025-09-14T00:00:00Z\",\n  \"cluster_databases\": [";
  for (int64_t d = 0; d < o.databases; ++d) out += fmt::format("{}\"db{:03}\"", d ? ", " : "", d);
  out += "],\n  \"tables\": [\n";
  int64_t partition_id = 100000;
  for (int64_t t = 0; t < o.tables; ++t) {
    const int roll = pct(rng);
    const char* cls = roll < 40 ? "fact" : roll < 70 ? "dimension" : roll < 90 ? "lookup" : "staging";
    const bool partitioned = roll < 40 || roll >= 90;
    const std::string name = fmt::format("{}_{:07}", cls, t);
    out += fmt::format("    {{\"database\": \"db{:03}\", \"table\": \"{}\", \"class\": \"{}\", \"partitioned\": {}, "
                       "\"partitions\": [",
                       t % o.databases, name, cls, partitioned ? "true" : "false");
    // Half the tables are partitioned; giving them 2P-1 partitions makes the average P per table.
    const int n = partitioned ? 2 * o.partitions - 1 : 1;
    for (int p = 0; p < n; ++p) {
      const int64_t r = rows(rng);
      // Partition p covers day p of September 2025 (days wrap past 28).
      const int day = 1 + p % 28;
      out += fmt::format(
          "{}\n      {{\"name\": \"{}\", \"id\": {}, \"visible_version\": {}, \"visible_version_time\": "
          "\"2025-09-{:02}T23:{:02}:00Z\", \"row_count\": {}, \"data_size\": {}}}",
          p ? "," : "", partitioned ? fmt::format("p202509{:02}_{}", day, p) : name, partition_id++, version(rng), day,
          p % 60, r, r * 96);
    }
    out += fmt::format("]}}{}\n", t + 1 < o.tables ? "," : "");
  }
  out += "  ]\n}\n";
  return out;
}

}  // namespace sk::bench
