// The emulator's "done when" of its issue, literally: the `mariadb` command-line client takes a backup, watches it
// reach FINISHED in SHOW BACKUP, finds its timestamp with SHOW SNAPSHOT and restores it, as the StarRocks
// documentation shows. Every statement goes through the CLI (`mariadb -h127.0.0.1 -P<port> -uroot -N -B -e …`).
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "emulator/harness/gtest_fixture.h"

namespace sk::emu {
namespace {

class BackupCliTest : public testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--time-scale", "50"}); }

  struct CliResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
  };

  // Runs one statement through the mariadb CLI in batch mode without column names (tab-separated rows).
  static CliResult cli(const std::string& sql) {
    std::string quoted = "'";
    for (char c : sql) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    const std::string cmd = "mariadb --no-defaults -h127.0.0.1 -P" + std::to_string(cluster().emulator().port()) +
                            " -uroot -N -B -e " + quoted + " 2>&1";
    CliResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

  static std::string ok(const std::string& sql) {
    CliResult r = cli(sql);
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.output;
    return r.output;
  }

  // Polls `SHOW <kind> FROM db` through the CLI until the job of `label` is FINISHED or CANCELLED; returns the row.
  static std::string wait_for(const std::string& kind, const std::string& db, const std::string& label) {
    for (int i = 0; i < 600; ++i) {
      std::string row = ok("SHOW " + kind + " FROM " + db);
      if (row.find(label) != std::string::npos &&
          (row.find("\tFINISHED\t") != std::string::npos || row.find("\tCANCELLED\t") != std::string::npos)) {
        return row;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "timed out waiting for " + label;
  }
};

TEST_F(BackupCliTest, BackupWatchFinishedAndRestoreWithTheMariadbClient) {
  ok("CREATE DATABASE cli_src");
  ok("CREATE TABLE cli_src.sales (id INT NOT NULL, dt DATE NOT NULL, note VARCHAR(32)) DUPLICATE KEY(id, dt) "
     "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2025-02-01'), "
     "PARTITION p2 VALUES LESS THAN ('2025-03-01')) DISTRIBUTED BY HASH(id) BUCKETS 1 "
     "PROPERTIES ('replication_num' = '1')");
  ok("INSERT INTO cli_src.sales VALUES (1, '2025-01-05', 'a'), (2, '2025-02-07', NULL), (3, '2025-02-08', 'ü')");
  ok("CREATE REPOSITORY cli_repo WITH BROKER ON LOCATION 's3a://cli-bucket/backups' "
     "PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's', 'aws.s3.endpoint' = 'https://s3.example')");

  ok("BACKUP SNAPSHOT cli_src.cli_snap TO cli_repo ON (sales)");
  const std::string backup_row = wait_for("BACKUP", "cli_src", "cli_snap");
  ASSERT_NE(backup_row.find("\tFINISHED\t"), std::string::npos) << backup_row;

  // SHOW SNAPSHOT gives the backup_timestamp (second column) that RESTORE must quote exactly.
  const std::string snap = ok("SHOW SNAPSHOT ON cli_repo WHERE SNAPSHOT = 'cli_snap'");
  const size_t tab1 = snap.find('\t');
  ASSERT_NE(tab1, std::string::npos) << snap;
  const size_t tab2 = snap.find('\t', tab1 + 1);
  const std::string timestamp = snap.substr(tab1 + 1, tab2 - tab1 - 1);
  ASSERT_EQ(timestamp.size(), 23u) << "yyyy-MM-dd-HH-mm-ss-SSS, got '" << timestamp << "'";

  ok("CREATE DATABASE cli_dst");
  ok("RESTORE SNAPSHOT cli_dst.cli_snap FROM cli_repo ON (sales AS sales_copy) "
     "PROPERTIES ('backup_timestamp' = '" + timestamp + "', 'replication_num' = '1')");
  const std::string restore_row = wait_for("RESTORE", "cli_dst", "cli_snap");
  ASSERT_NE(restore_row.find("\tFINISHED\t"), std::string::npos) << restore_row;

  EXPECT_EQ(ok("SELECT id, dt, note FROM cli_dst.sales_copy ORDER BY id"),
            ok("SELECT id, dt, note FROM cli_src.sales ORDER BY id"));
  EXPECT_EQ(ok("SELECT COUNT(*) FROM cli_dst.sales_copy"), "3\n");

  // A wrong timestamp is refused synchronously with the StarRocks text.
  CliResult wrong = cli("RESTORE SNAPSHOT cli_dst.cli_snap FROM cli_repo ON (sales AS sales_other) "
                        "PROPERTIES ('backup_timestamp' = '2000-01-01-00-00-00-000')");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("Maybe specified wrong backup timestamp"), std::string::npos) << wrong.output;
}

}  // namespace
}  // namespace sk::emu
