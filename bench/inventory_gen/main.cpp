// inventory_gen: writes a synthetic inventory (see inventory_gen.h) to a file or stdout.
//   inventory_gen --tables 100000 --partitions 10 --databases 100 --seed 42 --out inv.json
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bench/inventory_gen/inventory_gen.h"

int main(int argc, char** argv) {
  sk::bench::GenOptions o;
  std::string out_path;
  CLI::App app{"Generate a synthetic table inventory (deterministic for a seed)", "inventory_gen"};
  app.add_option("--tables", o.tables, "Number of tables")->capture_default_str();
  app.add_option("--partitions", o.partitions, "Partitions per partitioned table")->capture_default_str();
  app.add_option("--databases", o.databases, "Number of databases")->capture_default_str();
  app.add_option("--seed", o.seed, "Random seed")->capture_default_str();
  app.add_option("--out", out_path, "Output file (default: stdout)");
  CLI11_PARSE(app, argc, argv);
  const std::string text = sk::bench::generate_inventory(o);
  if (out_path.empty()) {
    std::cout << text;
  } else {
    std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) {
      std::cerr << "inventory_gen: cannot write " << out_path << "\n";
      return 1;
    }
  }
  return 0;
}
