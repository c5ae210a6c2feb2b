// Synthetic inventories for benchmarks: N tables spread over databases, each partitioned table with P daily
// partitions, classes drawn from a fixed mix (fact 40% partitioned, dimension 30%, lookup 20%, staging 10%
// partitioned). Deterministic for a given seed. Output is the JSON format of docs/inventory.md.
#pragma once

#include <cstdint>
#include <string>

namespace sk::bench {

struct GenOptions {
  int64_t tables = 1000;
  int partitions = 10;       // per partitioned table; unpartitioned tables get one partition named after them
  int64_t databases = 100;   // tables are spread round-robin: db000 … db099
  uint64_t seed = 42;
};

[[nodiscard]] std::string generate_inventory(const GenOptions& options);

}  // namespace sk::bench
