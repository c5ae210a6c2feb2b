// plan_bench: times what `starkeep check` + `starkeep plan` do on one inventory file — read the files, compile
// (parse, model, inventory load, coverage and restorability analysis), plan and serialise the plan (JSON and
// preview) — and reports wall time per phase and the process's peak RSS (getrusage). One inventory per process so
// that peak RSS belongs to that size alone. Not a test; run through bench/run.sh.
//   plan_bench --policy bench/plan_bench/bench_policy.skp --inventory inv.json --at "2025-09-07 01:05" --repeat 3
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "compiler/driver/compile.h"
#include "compiler/plan/plan.h"

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of the process (all threads), for a fair number on a shared, oversubscribed machine.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in.tellg();
  std::string text(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  std::string policy_path, inventory_path, at_text = "2025-09-07 01:05";
  int repeat = 3;
  CLI::App app{"Time check + plan on one inventory", "plan_bench"};
  app.add_option("--policy", policy_path)->required();
  app.add_option("--inventory", inventory_path)->required();
  app.add_option("--at", at_text)->capture_default_str();
  app.add_option("--repeat", repeat)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  double best_cpu = 1e18, best_read = 1e18, best_load = 1e18, best_compile = 1e18, best_plan = 1e18, best_total = 1e18;
  size_t tables = 0, partitions = 0, jobs = 0, bytes = 0, json_bytes = 0;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = Clock::now();
    double cpu = cpu_ms();
    const sk::diag::SourceFile policy(policy_path, read_file(policy_path));
    const sk::diag::SourceFile inventory(inventory_path, read_file(inventory_path));
    const double read_ms = ms_since(t0);
    double cpu_total = cpu_ms() - cpu;
    bytes = inventory.text().size();

    // The inventory reader alone (also part of compile below).
    const auto tl = Clock::now();
    {
      sk::diag::DiagnosticSink sink;
      auto inv = sk::inventory::load_inventory_json(inventory.text(), sink);
      if (!inv) {
        std::cerr << "plan_bench: the inventory does not load\n";
        return 1;
      }
    }
    const double load_ms = ms_since(tl);

    cpu = cpu_ms();
    const auto t1 = Clock::now();
    sk::driver::Compilation c = sk::driver::compile(sk::driver::CompileInput{&policy, &inventory});
    const double compile_ms = ms_since(t1);
    if (c.has_errors() || !c.policy) {
      std::cerr << "plan_bench: the policy or inventory has errors\n";
      return 1;
    }
    const auto t2 = Clock::now();
    auto at = sk::Instant::parse(at_text, c.policy->time_zone);
    const sk::plan::Plan p = sk::driver::plan_at(c, *at);
    const std::string json = sk::plan::to_json_text(p);
    const std::string preview = sk::plan::render_preview(p);
    const double plan_ms = ms_since(t2);
    const double total = read_ms + compile_ms + plan_ms;
    cpu_total += cpu_ms() - cpu;
    best_cpu = std::min(best_cpu, cpu_total);

    tables = c.inventory->tables.size();
    partitions = 0;
    for (const auto& t : c.inventory->tables) partitions += t.partitions.size();
    jobs = p.jobs.size();
    json_bytes = json.size() + preview.size();
    best_read = std::min(best_read, read_ms);
    best_load = std::min(best_load, load_ms);
    best_compile = std::min(best_compile, compile_ms);
    best_plan = std::min(best_plan, plan_ms);
    best_total = std::min(best_total, total);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  // One markdown table row: tables | partitions | inventory MB | read | inventory load | check (compile) | plan |
  // check+plan total (wall) | check+plan CPU | peak RSS | jobs.
  std::cout << fmt::format("| {} | {} | {:.1f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {} |\n",
                           tables, partitions, static_cast<double>(bytes) / 1e6, best_read, best_load, best_compile,
                           best_plan, best_total, best_cpu, peak_mb, jobs);
  (void)json_bytes;
  return 0;
}
