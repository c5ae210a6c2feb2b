// Synthetic inventories for benchmarks: N tables spread over databases, classes drawn from a fixed mix (fact 40%
// and staging 10% partitioned, dimension 30% and lookup 20% unpartitioned). Partitioned tables get 2P-1 daily
// partitions and unpartitioned ones the single partition StarRocks gives them, so there are about N × P partitions.
// Deterministic for a given seed. Output is the JSON format of docs/inventory.md.
#pragma once

#include <cstdint>
#include <string>

namespace sk::bench {

struct GenOptions {
  int64_t tables = 1000;
  int partitions = 10;       // average per table (see above)
  int64_t databases = 100;   // tables are spread round-robin: db000 … db099
  uint64_t seed = 42;
};

[[nodiscard]] std::string generate_inventory(const GenOptions& options);

}  // namespace sk::bench
