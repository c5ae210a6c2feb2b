// End to end (issue 13 item 5, issue 10 item 12): every command that talks to the cluster, run with --audit-log
// against the FE emulator as a user with a password, leaves its statements in the log — attributed to the
// command, the run id, the user and the database — and no secret anywhere in it (the S3 keys `repository apply`
// sends, the password); `starkeep audit` answers from the log; --password on the command line warns.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/run_fixture.h"

namespace sk::e2e {
namespace {

constexpr const char* kSecret = "AuditE2eSECRETkey/Never+Logged9";
constexpr const char* kAccess = "AKIAAUDITE2EACCESS01";
constexpr const char* kPassword = "Aud1tPassw0rd-NeverLogged";

class AuditE2e : public RunFixture {
 protected:
  static void SetUpTestSuite() {
    // Listening on every address, so a test can reach it through a non-loopback one (credentials without TLS).
    start_cluster({"--time-scale", "50", "--bind", "0.0.0.0", "--user", "root:", "--user",
                   std::string("auditor:") + kPassword});
  }

  fs::path audit_log() const { return dir_ / "audit.log"; }

  // `starkeep <args> --audit-log <log>` as `auditor`, the password from STARKEEP_PASSWORD (or --password), to
  // `host`.
  Finished starkeep(std::vector<std::string> args, bool password_flag = false,
                    std::vector<std::string> env = {}, const std::string& host = "127.0.0.1") {
    std::vector<std::string> argv{test::starkeep_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    for (std::string a : {std::string("--host"), host, std::string("--port"),
                          std::to_string(cluster().emulator().port()), std::string("--user"), std::string("auditor"),
                          std::string("--audit-log"), audit_log().string()}) {
      argv.push_back(std::move(a));
    }
    if (password_flag) {
      argv.push_back("--password");
      argv.push_back(kPassword);
    } else {
      env.push_back(std::string("STARKEEP_PASSWORD=") + kPassword);
    }
    return processes_->run(argv, test::SpawnOptions{.env = env});
  }

  std::string policy() const { return (dir_ / "policy.skp").string(); }

  // Whether SHOW REPOSITORIES lists `name` (other tests of the suite leave theirs).
  bool has_repository(const std::string& name) {
    for (auto& r : query("SHOW REPOSITORIES")) {
      if (r["RepoName"] == name) return true;
    }
    return false;
  }

  // Every line of the log as JSON; a line that is not a JSON object fails the test.
  std::vector<nlohmann::json> records() {
    std::vector<nlohmann::json> out;
    std::istringstream in(slurp(audit_log()));
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      auto j = nlohmann::json::parse(line, nullptr, false);
      EXPECT_TRUE(j.is_object()) << "line " << number << ": " << line;
      if (j.is_object()) out.push_back(std::move(j));
    }
    return out;
  }

  // The kinds the log holds for `command` (and `database`, when given).
  std::set<std::string> kinds_of(const std::vector<nlohmann::json>& recs, const std::string& command,
                                 const std::string& database = "") {
    std::set<std::string> out;
    for (const auto& r : recs) {
      if (r.value("command", "") != command) continue;
      if (!database.empty() && (!r["database"].is_string() || r["database"] != database)) continue;
      out.insert(r.value("kind", ""));
    }
    return out;
  }
};

// An IPv4 address of this machine that is not loopback ("" when it has none).
std::string non_loopback_ipv4() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET || (a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) != nullptr) found = text;
  }
  ::freeifaddrs(list);
  return found;
}

std::string utc_now_plus(std::chrono::seconds ahead) {
  const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + ahead);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t);
}

TEST_F(AuditE2e, EveryCommandLeavesItsStatementsAndNoSecret) {
  make_cluster_data("au", "  drill \"table\" { every = quarter; from = \"weekly\"; restore = one table; verify = checksum }\n");
  exec("DROP REPOSITORY au_repo");  // `repository apply` creates it, with the keys below
  const std::vector<std::string> keys = {std::string("STARKEEP_S3_ACCESS_KEY=") + kAccess,
                                         std::string("STARKEEP_S3_SECRET_KEY=") + kSecret};

  auto init = starkeep({"init", "--replication-num", "1"});
  ASSERT_EQ(init.code, kExitOk) << describe(init);
  auto sync = starkeep({"inventory", "sync", "--policy", policy()}, true);
  ASSERT_EQ(sync.code, kExitOk) << describe(sync);
  EXPECT_NE(sync.err.find("warning: --password on the command line"), std::string::npos) << sync.err;
  EXPECT_EQ(init.err.find("warning: --password"), std::string::npos) << "no warning without the flag";
  auto apply = starkeep({"repository", "apply", "--policy", policy()}, false, keys);
  ASSERT_EQ(apply.code, kExitOk) << describe(apply);
  auto ran = starkeep({"run", "--policy", policy(), "--inventory", (dir_ / "inventory.json").string(), "--at", kSunday,
                       "--poll-initial-ms", "100", "--format", "json"},
                      true);
  ASSERT_EQ(ran.code, kExitOk) << describe(ran);
  // run --format json warns about --password through its log: one JSON line, nothing else on stderr.
  bool warned = false;
  std::istringstream lines(ran.err);
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON log line: " << line;
    warned = warned || j.value("event", "") == "security.password_flag";
  }
  EXPECT_TRUE(warned) << ran.err;
  const std::string run_id = nlohmann::json::parse(ran.out, nullptr, false).value("run_id", "");
  ASSERT_FALSE(run_id.empty()) << ran.out;
  const std::string as_of = utc_now_plus(std::chrono::seconds(1));
  auto restored = starkeep({"restore", "table", "au_a.customers", "--as-of", as_of, "--as", "customers_stage",
                           "--replication-num", "1", "--replace"});
  ASSERT_EQ(restored.code, kExitOk) << describe(restored);
  auto drilled = starkeep({"drill", "--policy", policy(), "--at", "2025-09-16T10:00:00Z",
                         "--poll-initial-ms", "100"});
  ASSERT_EQ(drilled.code, kExitOk) << describe(drilled);
  auto publish = starkeep({"catalog", "publish", "--repository", "au_repo"});
  ASSERT_EQ(publish.code, kExitOk) << describe(publish);
  auto expired = starkeep({"expire", "--policy", policy(), "--dry-run"});
  ASSERT_EQ(expired.code, kExitOk) << describe(expired);

  const std::string text = slurp(audit_log());
  for (const char* secret : {kSecret, kAccess, kPassword}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "secret in the audit log: " << secret;
  }
  const auto recs = records();
  EXPECT_TRUE(kinds_of(recs, "init").contains("CREATE DATABASE")) << text;
  EXPECT_TRUE(kinds_of(recs, "init").contains("CREATE TABLE")) << text;
  EXPECT_FALSE(kinds_of(recs, "inventory sync").empty()) << text;
  EXPECT_TRUE(kinds_of(recs, "repository apply").contains("CREATE REPOSITORY")) << text;
  EXPECT_TRUE(kinds_of(recs, "run", "au_a").contains("BACKUP")) << text;
  EXPECT_TRUE(kinds_of(recs, "run", "au_b").contains("BACKUP")) << text;
  EXPECT_TRUE(kinds_of(recs, "restore table", "au_a").contains("RESTORE")) << text;
  EXPECT_TRUE(kinds_of(recs, "restore table", "au_a").contains("ALTER TABLE")) << "the --replace swap: " << text;
  EXPECT_TRUE(kinds_of(recs, "drill").contains("RESTORE")) << text;
  EXPECT_TRUE(kinds_of(recs, "drill").contains("DROP DATABASE")) << text;
  EXPECT_TRUE(kinds_of(recs, "catalog publish", "ops").contains("BACKUP")) << text;
  EXPECT_TRUE(kinds_of(recs, "expire").contains("SHOW SNAPSHOT")) << text;
  std::set<std::string> run_ids;
  for (const auto& r : recs) {
    EXPECT_EQ(r.value("user", ""), "auditor");
    for (const char* key : {"time", "command", "run_id", "kind", "outcome", "statement"}) {
      EXPECT_TRUE(r.contains(key) && r[key].is_string()) << key << " in " << r;
    }
    EXPECT_TRUE(r["duration_ms"].is_number_integer()) << r;
    if (r["command"] == "run") run_ids.insert(r.value("run_id", ""));
    if (r["kind"] == "CREATE REPOSITORY") {
      EXPECT_NE(r.value("statement", "").find("<redacted>"), std::string::npos) << r;
    }
  }
  EXPECT_EQ(run_ids, std::set<std::string>{run_id}) << "the runner's statements carry its run id";

  // `starkeep audit` answers who changed what: the run's BACKUPs (the databases and the catalog snapshot of the ops
  // tables published after the run), then only au_a's changes.
  auto backups = processes_->run({test::starkeep_binary(), "audit", "--log", audit_log().string(), "--command", "run",
                                  "--kind", "BACKUP", "--format", "json"});
  ASSERT_EQ(backups.code, kExitOk) << describe(backups);
  const auto doc = nlohmann::json::parse(backups.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << backups.out;
  std::set<std::string> dbs;
  for (const auto& r : doc["records"]) {
    EXPECT_EQ(r["kind"], "BACKUP");
    dbs.insert(r.value("database", ""));
  }
  EXPECT_EQ(dbs, (std::set<std::string>{"au_a", "au_b", "ops"})) << "both databases, and the run's catalog snapshot";
  auto changes = processes_->run({test::starkeep_binary(), "audit", "--log", audit_log().string(), "--database", "au_a",
                                  "--changes", "--since", "2000-01-01T00:00:00Z"});
  ASSERT_EQ(changes.code, kExitOk) << describe(changes);
  EXPECT_NE(changes.out.find("restore table run="), std::string::npos) << changes.out;
  EXPECT_EQ(changes.out.find(" SHOW "), std::string::npos) << changes.out;
}

TEST_F(AuditE2e, MalformedLinesAreReportedAndAnUnwritableLogRefusesBeforeAnyStatement) {
  std::ofstream(audit_log()) << "{\"not\": \"a record\"}\n";
  auto ok = starkeep({"init", "--replication-num", "1"});
  ASSERT_EQ(ok.code, kExitOk) << describe(ok);
  auto read = processes_->run({test::starkeep_binary(), "audit", "--log", audit_log().string()});
  EXPECT_EQ(read.code, kExitAuditMalformed) << describe(read);
  EXPECT_NE(read.err.find(audit_log().string() + ":1: malformed line skipped"), std::string::npos) << read.err;
  EXPECT_NE(read.out.find(" init run="), std::string::npos) << "the good lines are still answered: " << read.out;

  std::vector<std::string> argv{test::starkeep_binary(), "init", "--replication-num", "1", "--host", "127.0.0.1",
                                "--port", std::to_string(cluster().emulator().port()), "--user", "root",
                                "--audit-log", (dir_ / "missing-dir" / "audit.log").string()};
  auto refused = processes_->run(argv);
  EXPECT_EQ(refused.code, kExitCantCreate) << describe(refused);
  EXPECT_NE(refused.err.find("missing-dir"), std::string::npos) << refused.err;
  auto missing = processes_->run({test::starkeep_binary(), "audit", "--log", (dir_ / "nope.log").string()});
  EXPECT_EQ(missing.code, kExitNoInput) << describe(missing);
}

// Issue 10 item 12: the CREATE REPOSITORY with S3 keys is not sent over plain TCP to an FE reached through a
// non-loopback address (exit 78, nothing created, the refusal audited); with --allow-insecure-credentials it is
// sent, with a redacted warning; over loopback it is sent without one.
TEST_F(AuditE2e, CredentialsAreNotSentWithoutTlsToARemoteHost) {
  const std::string address = non_loopback_ipv4();
  ASSERT_FALSE(address.empty()) << "this test needs an IPv4 address that is not loopback";
  make_cluster_data("tls");
  exec("DROP REPOSITORY tls_repo");
  const std::vector<std::string> keys = {std::string("STARKEEP_S3_ACCESS_KEY=") + kAccess,
                                         std::string("STARKEEP_S3_SECRET_KEY=") + kSecret};
  auto refused = starkeep({"repository", "apply", "--policy", policy()}, false, keys, address);
  EXPECT_EQ(refused.code, kExitConfig) << describe(refused);
  EXPECT_NE(refused.err.find("without TLS"), std::string::npos) << refused.err;
  EXPECT_FALSE(has_repository("tls_repo")) << "nothing was created";
  const std::string text = slurp(audit_log());
  EXPECT_NE(text.find("\"error_code\":\"sql.insecure_credentials\""), std::string::npos) << text;

  auto allowed = starkeep({"repository", "apply", "--policy", policy(), "--allow-insecure-credentials"}, false, keys,
                          address);
  ASSERT_EQ(allowed.code, kExitOk) << describe(allowed);
  EXPECT_NE(allowed.err.find("warning: sending credentials without TLS"), std::string::npos) << allowed.err;
  EXPECT_TRUE(has_repository("tls_repo"));
  exec("DROP REPOSITORY tls_repo");
  auto loopback = starkeep({"repository", "apply", "--policy", policy()}, false, keys);
  ASSERT_EQ(loopback.code, kExitOk) << describe(loopback);
  EXPECT_EQ(loopback.err.find("warning"), std::string::npos) << loopback.err;
  for (const Finished* f : {&refused, &allowed, &loopback}) {
    EXPECT_EQ(f->err.find(kSecret), std::string::npos) << f->err;
    EXPECT_EQ(f->out.find(kSecret), std::string::npos) << f->out;
  }
  EXPECT_EQ(slurp(audit_log()).find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace sk::e2e
