// runner_bench: measures the runner against the emulator (product.md §7, issue 4 point 12). Not a test; run through
// bench/run.sh, which writes the rows into docs/performance.md. Three measurements, each with the real `starkeep`
// binary against a private emulated cluster (MariaDB + starkeep-emulator, time scale 1):
//   1. SQL round trips of one `starkeep run` per database against its table count (10, 100, 1000 partitioned fact
//      tables of 3 partitions, one partition changed per table): counted from the run's own debug log, split into
//      binding/submit statements and SHOW BACKUP polls. The target is a count independent of the table count.
//   2. Runner overhead over the emulator's job time: a probe submits the same BACKUP itself and polls SHOW BACKUP
//      every 20 ms to learn the job time D, and likewise C for the catalog snapshot every run publishes last;
//      `starkeep run` for an identical database takes W; overhead = W − D − C (target ≤ 5 % of D + C, + 1 s).
//      W includes process start, pre-checks, fingerprints and the history writes.
//   3. Makespan of 20 identical databases at --parallel 4 against the lower bound ceil(20 / 4) × D + C set by one
//      job per database, the parallelism limit and the catalog snapshot after them (target ≤ 1.1×).
// Prints one markdown line per measurement on stdout, prefixed by its section ("roundtrips|", "overhead|",
// "makespan|"); progress goes to stderr.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "emulator/harness/cluster.h"
#include "runtime/mysql/mysql_connection.h"
#include "tests/support/fixtures.h"
#include "tests/support/process.h"

namespace {

namespace fs = std::filesystem;
using sk::Result;
using sk::Status;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kMonday = "2025-09-15T01:05:00Z";  // the daily tier's slot 2025-09-15 01:00 UTC is due
constexpr const char* kRepository = "bench_repo";

struct Options {
  std::string starkeep;
  std::string emulator;
  std::vector<int> table_counts{10, 100, 1000};
  int databases = 20;
  int parallel = 4;
  double job_seconds = 5.0;
};

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

[[noreturn]] void die(const std::string& what) {
  std::cerr << "runner_bench: " << what << "\n";
  std::exit(1);
}

template <typename T>
T must(Result<T> r, std::string_view what) {
  if (!r) die(fmt::format("{}: {}", what, r.error().message));
  return std::move(*r);
}

void must(const Status& s, std::string_view what) {
  if (!s) die(fmt::format("{}: {}", what, s.error().message));
}

// The end of a child process: exit code, stderr, wall seconds (tests/support/process.h).
using ProcessResult = sk::test::Finished;

class Bench {
 public:
  Bench(Options options, std::unique_ptr<sk::emu::harness::Cluster> cluster, fs::path dir)
      : options_(std::move(options)), cluster_(std::move(cluster)), dir_(std::move(dir)), processes_(dir_ / "commands") {
    sk::mysql::ConnectionOptions o;
    o.port = cluster_->emulator().port();
    o.user = "root";
    conn_ = must(sk::mysql::MySqlConnection::connect(o), "connecting to the emulator");
    exec(fmt::format("CREATE REPOSITORY {} WITH BROKER ON LOCATION 's3a://bench-bucket/runner' PROPERTIES "
                     "('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')",
                     kRepository));
  }

  void round_trips() {
    std::vector<std::string> dbs;
    for (int n : options_.table_counts) dbs.push_back(fmt::format("rt_{}", n));
    write_policy("roundtrips", dbs);
    for (int n : options_.table_counts) {
      std::cerr << fmt::format("round trips: creating rt_{} with {} tables\n", n, n);
      make_database(fmt::format("rt_{}", n), n);
    }
    for (int n : options_.table_counts) {
      const std::string db = fmt::format("rt_{}", n);
      const ProcessResult r = starkeep_run("roundtrips", {"--database", db, "--log-level", "debug"});
      if (r.code != 0) die(fmt::format("starkeep run for {} exited {}:\n{}", db, r.code, r.err));
      // Per database: binding, label decision, intent, submit and history statements; the SHOW BACKUP polls; the
      // fingerprints taken after the job (one scan per partition by design, plus the VisibleVersion proof around
      // them). Cluster level: pre-checks, ops migration, reconciliation. The catalog snapshot published at the end
      // is logged under the ops database.
      int binding = 0, partitions_meta = 0, polls = 0, fingerprint = 0, cluster_level = 0, catalog = 0;
      std::istringstream lines(r.err);
      for (std::string line; std::getline(lines, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || j.value("event", "") != "sql") continue;
        const std::string message = j.value("message", "");
        if (!j.contains("database")) {
          ++cluster_level;
        } else if (j["database"] == "ops") {
          ++catalog;
        } else if (j["database"] == db) {
          const bool meta = message.find("partitions_meta") != std::string::npos;
          if (message.starts_with("SHOW BACKUP")) {
            ++polls;
          } else if (message.find("murmur_hash3_32") != std::string::npos ||
                     message.find("information_schema.columns") != std::string::npos || (meta && partitions_meta > 0)) {
            ++fingerprint;
          } else {
            ++binding;
            if (meta) ++partitions_meta;
          }
        }
      }
      std::cout << fmt::format("roundtrips| {} | {} | {} | {} | {} | {} | {} | {} | {:.1f} |\n", n, n * 3, binding,
                               partitions_meta, polls, fingerprint, cluster_level, catalog, r.seconds);
    }
  }

  // The job time D of one database as the emulator runs it, seen by a client polling every 20 ms.
  double probe_job_seconds(const std::string& db, const std::string& tables) {
    const auto start = SteadyClock::now();
    exec(fmt::format("BACKUP SNAPSHOT {}.probe_{}_{} TO {} ON ({})", db, db, ::getpid(), kRepository, tables));
    for (;;) {
      auto rows = must(conn_->query("SHOW BACKUP FROM " + db), "SHOW BACKUP");
      auto state = must(rows.get(0, "State"), "State");
      if (state && (*state == "FINISHED" || *state == "CANCELLED")) {
        if (*state != "FINISHED") die("the probe backup was cancelled");
        return seconds_since(start);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void overhead_and_makespan() {
    std::vector<std::string> dbs;
    for (int i = 0; i < options_.databases; ++i) dbs.push_back(fmt::format("mk_{:02}", i));
    write_policy("makespan", dbs);
    write_policy("overhead", {"ov_single"});
    for (const std::string& db : dbs) make_database(db, 2);
    make_database("ov_single", 2);
    make_database("ov_probe", 2);  // backed up by the probe only, in no policy

    // The run does two jobs one after the other: the database's backup (D) and then the catalog snapshot of the
    // ops tables (C, runtime/catalog), which must come after every backup of the run.
    std::cerr << "overhead: probing the emulator's job times\n";
    const double job = probe_job_seconds("ov_probe", "f0, f1");
    const double catalog = probe_job_seconds("ops", "backup_manifest, backup_history, snapshot_lineage");
    const ProcessResult single = starkeep_run("overhead", {});
    if (single.code != 0) die(fmt::format("starkeep run for ov_single exited {}:\n{}", single.code, single.err));
    const double overhead = single.seconds - job - catalog;
    const double allowed = 0.05 * (job + catalog) + 1.0;
    std::cout << fmt::format("overhead| {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {} |\n", job, catalog,
                             single.seconds, overhead, allowed, overhead <= allowed ? "yes" : "**no**");

    std::cerr << fmt::format("makespan: {} databases at --parallel {}\n", options_.databases, options_.parallel);
    const ProcessResult all = starkeep_run("makespan", {"--parallel", std::to_string(options_.parallel)});
    if (all.code != 0) die(fmt::format("starkeep run (makespan) exited {}:\n{}", all.code, all.err));
    const int waves = (options_.databases + options_.parallel - 1) / options_.parallel;
    const double bound = waves * job + catalog;
    const double ratio = all.seconds / bound;
    std::cout << fmt::format("makespan| {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.3f} | {} |\n",
                             options_.databases, options_.parallel, job, catalog, bound, all.seconds, ratio,
                             ratio <= 1.1 ? "yes" : "**no**");
  }

 private:
  void exec(const std::string& sql) { must(conn_->execute(sql), sql.substr(0, 80)); }

  // `tables` partitioned fact tables f0.. of 3 partitions each, one row in one partition of each.
  void make_database(const std::string& db, int tables) {
    exec("CREATE DATABASE " + db);
    for (int t = 0; t < tables; ++t) {
      exec(fmt::format("CREATE TABLE {}.f{} (id BIGINT NOT NULL, dt DATE, v INT) DUPLICATE KEY(id) "
                       "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2025-09-01'), "
                       "PARTITION p2 VALUES LESS THAN ('2025-10-01'), PARTITION p3 VALUES LESS THAN "
                       "('2025-11-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
                       db, t));
      exec(fmt::format("INSERT INTO {}.f{} VALUES ({}, '2025-09-10', 1)", db, t, t));
    }
    for (int t = 0; t < tables; ++t) {
      inventory_.push_back(fmt::format(
          R"({{"database": "{}", "table": "f{}", "class": "fact", "partitioned": true}})", db, t));
    }
  }

  // The shared end-to-end policy (tests/fixtures/policies/e2e.skp) over `dbs`; on the Monday measured only its
  // daily tier is due.
  void write_policy(const std::string& name, const std::vector<std::string>& dbs) {
    sk::test::E2ePolicy policy{
        .name = name, .databases = dbs, .repository = kRepository, .location = "s3a://bench-bucket/runner"};
    std::ofstream(dir_ / (name + ".skp")) << policy.text();
  }

  ProcessResult starkeep_run(const std::string& policy, std::vector<std::string> extra) {
    std::string tables;
    for (const std::string& t : inventory_) tables += (tables.empty() ? "    " : ",\n    ") + t;
    std::ofstream(dir_ / "inventory.json") << "{\n  \"inventory_version\": 1,\n  \"tables\": [\n"
                                           << tables << "\n  ]\n}\n";
    std::vector<std::string> args{options_.starkeep,
                                  "run",
                                  "--policy",
                                  (dir_ / (policy + ".skp")).string(),
                                  "--inventory",
                                  (dir_ / "inventory.json").string(),
                                  "--at",
                                  kMonday,
                                  "--host",
                                  "127.0.0.1",
                                  "--port",
                                  std::to_string(cluster_->emulator().port()),
                                  "--user",
                                  "root",
                                  "--log-format",
                                  "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    // stdout is discarded, stderr (the JSON log) captured.
    return processes_.run(args, sk::test::SpawnOptions{.discard_stdout = true});
  }

  Options options_;
  std::unique_ptr<sk::emu::harness::Cluster> cluster_;
  fs::path dir_;
  sk::test::Processes processes_;
  std::unique_ptr<sk::mysql::MySqlConnection> conn_;
  std::vector<std::string> inventory_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"runner_bench: SQL round trips, runner overhead and makespan of `starkeep run` on the emulator"};
  app.add_option("--starkeep", options.starkeep, "The starkeep binary")->required();
  app.add_option("--emulator", options.emulator, "The starkeep-emulator binary")->required();
  app.add_option("--tables", options.table_counts, "Table counts of the round-trip databases")->delimiter(',');
  app.add_option("--databases", options.databases, "Databases of the makespan run")->capture_default_str();
  app.add_option("--parallel", options.parallel, "--parallel of the makespan run")->capture_default_str();
  app.add_option("--job-seconds", options.job_seconds, "The emulator's --job-fixed-seconds per job state")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const fs::path dir = fs::temp_directory_path() / fmt::format("starkeep-runner-bench-{}", ::getpid());
  fs::create_directories(dir);
  sk::emu::harness::ClusterOptions cluster_options;
  cluster_options.emulator_binary = options.emulator;
  cluster_options.emulator_args = {"--job-fixed-seconds", fmt::format("{}", options.job_seconds), "--backends", "3"};
  cluster_options.mariadb.extra_args = {"--max-connections=500"};
  auto cluster = must(sk::emu::harness::Cluster::start(cluster_options), "starting the emulated cluster");
  {
    Bench bench(options, std::move(cluster), dir);
    bench.round_trips();
    bench.overhead_and_makespan();
  }
  fs::remove_all(dir);
  return 0;
}
