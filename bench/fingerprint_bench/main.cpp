// fingerprint_bench: the fingerprint step of monthly whole-database backups (issue 10 item 14). Not a test; run
// through bench/run.sh, which writes the rows into docs/performance.md. Against a private emulated cluster
// (MariaDB + starkeep-emulator), one database of --tables tables × --partitions partitions (--rows rows each):
//   1. the first monthly: a FINISHED attempt with a manifest of every partition (versions and version times read
//      from partitions_meta as the runner's binding reads them), then verify::record_attempt_fingerprints — nothing
//      was fingerprinted before, so every partition is scanned;
//   2. for each count in --changed: one row written into that many partitions (spread over the tables), then the
//      next monthly the same way — only the written partitions are scanned, the others' values are reused.
// Statements are counted through an auditing decorator (every statement the fingerprint step sends); a scan is
// a fingerprint query (SELECT COUNT(*) AS row_count, SUM(…murmur_hash3_32…)). Prints one markdown row per monthly on stdout; progress on stderr.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "emulator/harness/cluster.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/executor/binding.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/audited_connection.h"
#include "runtime/ports/clock.h"
#include "runtime/verify/fingerprint.h"

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string emulator;
  int tables = 20;
  int partitions = 50;
  int rows = 20;
  std::vector<int> changed{0, 10, 100};
};

[[noreturn]] void die(const std::string& message) {
  std::cerr << "fingerprint_bench: " << message << "\n";
  std::exit(1);
}

template <typename T>
T must(sk::Result<T> r, std::string_view what) {
  if (!r) die(fmt::format("{}: {}", what, r.error().describe()));
  return std::move(*r);
}

void must(const sk::Status& s, std::string_view what) {
  if (!s) die(fmt::format("{}: {}", what, s.error().describe()));
}

struct CountingSink final : sk::ports::StatementSink {
  void on_statement(const sk::ports::StatementEvent& event) override {
    ++statements;
    if (event.sql.starts_with("SELECT COUNT(*) AS row_count")) ++scans;
  }
  int statements = 0;
  int scans = 0;
};

class Bench {
 public:
  Bench(Options options, sk::ports::SqlConnection& conn)
      : o_(std::move(options)), conn_(conn), store_(conn, config_, clock_) {}

  void create() {
    must(sk::ops::migrate(conn_, config_, clock_, "fingerprint_bench"), "ops migrate");
    must(conn_.execute("CREATE DATABASE fp", sk::ports::Idempotency::kIdempotent), "CREATE DATABASE");
    for (int t = 0; t < o_.tables; ++t) {
      must(conn_.execute(fmt::format("CREATE TABLE fp.t{} (k INT NOT NULL, v VARCHAR(32)) DUPLICATE KEY(k) "
                                     "PARTITION BY RANGE(k) (START (\"0\") END (\"{}\") EVERY (1000)) "
                                     "DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
                                     t, o_.partitions * 1000),
                         sk::ports::Idempotency::kIdempotent),
           "CREATE TABLE");
      std::string values;
      for (int p = 0; p < o_.partitions; ++p) {
        for (int r = 0; r < o_.rows; ++r) values += fmt::format("{}({}, 'row {}')", values.empty() ? "" : ",", p * 1000 + r, r);
      }
      must(conn_.execute(fmt::format("INSERT INTO fp.t{} VALUES {}", t, values), sk::ports::Idempotency::kNotIdempotent),
           "INSERT");
    }
  }

  // One row into each of `n` partitions, round robin over the tables.
  void write(int n) {
    for (int i = 0; i < n; ++i) {
      const int t = i % o_.tables;
      const int p = (i / o_.tables) % o_.partitions;
      must(conn_.execute(fmt::format("INSERT INTO fp.t{} VALUES ({}, 'changed')", t, p * 1000 + 999),
                         sk::ports::Idempotency::kNotIdempotent),
           "INSERT");
    }
  }

  // A FINISHED monthly attempt with its manifest, then its fingerprint step measured.
  void monthly(int changed) {
    const auto db = *sk::DatabaseName::parse("fp");
    const auto meta = must(sk::executor::read_partitions_meta(conn_, db), "partitions_meta");
    sk::ops::BackupAttempt a{.run_id = fmt::format("bench{}", ++runs_),
                             .label = *sk::SnapshotLabel::parse(fmt::format("monthly_{}", runs_)),
                             .repository = *sk::RepositoryName::parse("bench_repo"),
                             .database = db};
    a.kind = sk::ops::BackupKind::kDatabase;
    a.state = sk::ops::AttemptState::kFinished;
    a.finished_at = clock_.now();
    must(store_.record_backup_attempt(a), "history");
    std::vector<sk::ops::ManifestEntry> entries;
    for (const auto& m : meta) {
      entries.push_back(sk::ops::ManifestEntry{.attempt_id = a.attempt_id(),
                                               .repository = a.repository,
                                               .label = a.label,
                                               .database = db,
                                               .table = *sk::TableName::parse(m.table),
                                               .partition = *sk::PartitionName::parse(m.partition),
                                               .partition_id = m.partition_id,
                                               .visible_version = m.visible_version,
                                               .visible_version_time = m.visible_version_time});
    }
    must(store_.write_manifest(entries), "manifest");

    CountingSink sink;
    sk::ports::AuditedConnection counted(conn_, sink, clock_);
    sk::ops::OpsStore store(counted, config_, clock_);
    const auto start = SteadyClock::now();
    const auto out = must(sk::verify::record_attempt_fingerprints(counted, store, a.attempt_id(), db), "fingerprints");
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    std::cout << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {:.2f} |\n", o_.tables, entries.size(),
                             runs_ == 1 ? "first monthly" : std::to_string(changed), out.recorded, out.reused,
                             sink.scans, sink.statements, seconds)
              << std::flush;
  }

  void run() {
    create();
    std::cerr << "first monthly\n";
    monthly(0);
    for (int n : o_.changed) {
      std::cerr << fmt::format("monthly after writes to {} partitions\n", n);
      write(n);
      monthly(n);
    }
  }

 private:
  Options o_;
  sk::ports::SqlConnection& conn_;
  sk::ports::SystemClock clock_;
  sk::ops::OpsConfig config_{*sk::DatabaseName::parse("ops"), 1};
  sk::ops::OpsStore store_;
  int runs_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"fingerprint_bench: statements of the fingerprint step of monthly backups against changed partitions"};
  app.add_option("--emulator", options.emulator, "The starkeep-emulator binary")->required();
  app.add_option("--tables", options.tables, "Tables of the database")->capture_default_str();
  app.add_option("--partitions", options.partitions, "Partitions per table")->capture_default_str();
  app.add_option("--rows", options.rows, "Rows per partition")->capture_default_str();
  app.add_option("--changed", options.changed, "Partitions written before each later monthly")->delimiter(',');
  CLI11_PARSE(app, argc, argv);

  sk::emu::harness::ClusterOptions cluster_options;
  cluster_options.emulator_binary = options.emulator;
  cluster_options.emulator_args = {"--backends", "1"};
  auto cluster = must(sk::emu::harness::Cluster::start(cluster_options), "starting the emulated cluster");
  sk::mysql::ConnectionOptions o;
  o.port = cluster->emulator().port();
  auto conn = must(sk::mysql::MySqlConnection::connect(o), "connecting to the emulator");
  Bench(options, *conn).run();
  return 0;
}
