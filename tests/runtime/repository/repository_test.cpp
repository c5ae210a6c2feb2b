// Unit tests of `repository apply` logic against a RecordingSqlConnection (HTTPS-only endpoints, keys from the
// environment only, secrets never in the logged statement or the result, create vs verify vs drift, dry run) and
// golden tests of the security documents (tests/runtime/repository/golden/*.json; UPDATE_GOLDEN=1 rewrites).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/ports/fakes.h"
#include "runtime/ports/sql_connection.h"
#include "runtime/repository/repository_apply.h"
#include "runtime/repository/security.h"

namespace sk::repository {
namespace {

using ports::make_rows;
using ports::RecordingSqlConnection;

constexpr std::string_view kAccess = "AKIAEXAMPLEACCESS123";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

model::Repository repo(std::string endpoint = "https://s3.eu-west-1.amazonaws.com",
                       model::CredentialsKind kind = model::CredentialsKind::kEnvironment) {
  model::Repository r{*RepositoryName::parse("backup_s3"), "s3a://acme-backups/starrocks/prod", std::move(endpoint),
                      "eu-west-1", kind, std::nullopt, {}, {}, {}};
  if (kind == model::CredentialsKind::kAssumeRole) r.role_arn = "arn:aws:iam::123456789012:role/starkeep";
  return r;
}

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
EnvLookup keys() {
  return env({{std::string(kAccessKeyVariable), std::string(kAccess)},
              {std::string(kSecretKeyVariable), std::string(kSecret)}});
}

ports::Rows show_repositories_rows(std::vector<ports::Rows::Row> rows) {
  return make_rows({"RepoId", "RepoName", "CreateTime", "IsReadOnly", "Location", "Broker", "ErrMsg"}, std::move(rows));
}
ports::Rows::Row repo_row(std::string name, std::string location, std::string read_only = "false",
                          std::optional<std::string> err = std::nullopt) {
  return {std::string("1"), name, std::string("2025-09-14 09:00:00"), read_only, location, std::string(""), err};
}

bool contains_secret(std::string_view text) {
  return text.find(kSecret) != std::string_view::npos || text.find(kAccess) != std::string_view::npos;
}

TEST(RepositoryApplyTest, NonHttpsEndpointsAreRefusedBeforeAnyStatement) {
  for (const char* endpoint : {"http://minio:9000", "HTTP://s3.example", "s3.amazonaws.com", "ftp://x"}) {
    RecordingSqlConnection conn;
    auto r = apply_repository(conn, repo(endpoint), keys(), false);
    ASSERT_FALSE(r.has_value()) << endpoint;
    EXPECT_EQ(r.error().code, "repository.insecure_endpoint");
    EXPECT_TRUE(conn.statements().empty()) << endpoint;
  }
  EXPECT_TRUE(check_endpoint(repo("HTTPS://s3.example")).has_value());
  EXPECT_TRUE(check_endpoint(repo("")).has_value());
}

// A store on this host (s3rver, a local MinIO) over plain http: nothing leaves the machine, as the policy
// language and the S3 client accept. A name that merely starts with 127. is not loopback.
TEST(RepositoryApplyTest, PlainHttpToALoopbackStoreIsAccepted) {
  EXPECT_TRUE(check_endpoint(repo("http://127.0.0.1:4568")).has_value());
  EXPECT_TRUE(check_endpoint(repo("http://localhost:9000")).has_value());
  EXPECT_FALSE(check_endpoint(repo("http://127.evil.com:80")).has_value());
}

TEST(RepositoryApplyTest, KeysComeOnlyFromTheEnvironment) {
  auto missing = repository_properties(repo(), env({{std::string(kAccessKeyVariable), "a"}}));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, "repository.credentials");
  EXPECT_NE(missing.error().message.find(kSecretKeyVariable), std::string::npos);

  auto props = repository_properties(repo(), keys());
  ASSERT_TRUE(props.has_value());
  std::map<std::string, std::string> m(props->begin(), props->end());
  EXPECT_EQ(m["aws.s3.endpoint"], "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(m["aws.s3.region"], "eu-west-1");
  EXPECT_EQ(m["aws.s3.access_key"], kAccess);
  EXPECT_EQ(m["aws.s3.secret_key"], kSecret);

  auto profile = repository_properties(repo("", model::CredentialsKind::kInstanceProfile), env({}));
  ASSERT_TRUE(profile.has_value());
  std::map<std::string, std::string> p(profile->begin(), profile->end());
  EXPECT_EQ(p["aws.s3.use_instance_profile"], "true");
  EXPECT_FALSE(p.contains("aws.s3.secret_key"));
  EXPECT_FALSE(p.contains("aws.s3.endpoint"));

  auto role = repository_properties(repo("https://s3.example", model::CredentialsKind::kAssumeRole), env({}));
  ASSERT_TRUE(role.has_value());
  std::map<std::string, std::string> a(role->begin(), role->end());
  EXPECT_EQ(a["aws.s3.iam_role_arn"], "arn:aws:iam::123456789012:role/starkeep");
  EXPECT_EQ(a["aws.s3.use_instance_profile"], "true");
}

TEST(RepositoryApplyTest, AbsentRepositoryIsCreatedAndSecretsNeverLeaveRedaction) {
  RecordingSqlConnection conn;
  conn.on("^SHOW REPOSITORIES", show_repositories_rows({}), 1);
  conn.on("^SHOW REPOSITORIES", show_repositories_rows({repo_row("backup_s3", "s3a://acme-backups/starrocks/prod")}));
  std::vector<std::string> logged;
  auto r = apply_repository(conn, repo(), keys(), false, [&](std::string_view s) { logged.emplace_back(s); });
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->outcome, ApplyOutcome::kCreated);
  ASSERT_EQ(conn.count_matching("^CREATE REPOSITORY"), 1u);
  // The server gets the keys …
  std::string sent;
  for (const auto& s : conn.sql()) {
    if (s.starts_with("CREATE")) sent = s;
  }
  EXPECT_EQ(sent,
            "CREATE REPOSITORY `backup_s3` WITH BROKER ON LOCATION 's3a://acme-backups/starrocks/prod' PROPERTIES "
            "('aws.s3.endpoint' = 'https://s3.eu-west-1.amazonaws.com', 'aws.s3.region' = 'eu-west-1', "
            "'aws.s3.access_key' = 'AKIAEXAMPLEACCESS123', 'aws.s3.secret_key' = "
            "'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY')");
  // … the log and the result never do.
  ASSERT_TRUE(r->statement.has_value());
  EXPECT_FALSE(contains_secret(*r->statement)) << *r->statement;
  EXPECT_NE(r->statement->find("'aws.s3.secret_key' = '<redacted>'"), std::string::npos) << *r->statement;
  ASSERT_FALSE(logged.empty());
  for (const auto& l : logged) EXPECT_FALSE(contains_secret(l)) << l;
  EXPECT_EQ(conn.count_matching("^SHOW REPOSITORIES"), 2u);  // before and after (verification)
}

TEST(RepositoryApplyTest, PresentAndMatchingIsVerifiedWithoutCreating) {
  RecordingSqlConnection conn;
  conn.on("^SHOW REPOSITORIES", show_repositories_rows({repo_row("other", "s3a://x/y"),
                                                        repo_row("backup_s3", "s3a://acme-backups/starrocks/prod/")}));
  auto r = apply_repository(conn, repo(), keys(), false);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->outcome, ApplyOutcome::kVerified);
  EXPECT_TRUE(r->drift.empty());
  EXPECT_EQ(conn.count_matching("^CREATE"), 0u);
  EXPECT_FALSE(r->statement.has_value());
}

TEST(RepositoryApplyTest, DriftIsReported) {
  RecordingSqlConnection conn;
  conn.on("^SHOW REPOSITORIES",
          show_repositories_rows({repo_row("backup_s3", "s3a://acme-backups/elsewhere", "true",
                                           "2025-09-14 09:00:00: failed to check path exist")}));
  auto r = apply_repository(conn, repo(), keys(), false);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->outcome, ApplyOutcome::kDrift);
  ASSERT_EQ(r->drift.size(), 3u);
  EXPECT_NE(r->drift[0].find("s3a://acme-backups/elsewhere"), std::string::npos);
  EXPECT_NE(r->drift[1].find("READ ONLY"), std::string::npos);
  EXPECT_NE(r->drift[2].find("failed to check path exist"), std::string::npos);
  EXPECT_EQ(conn.count_matching("^CREATE|^DROP"), 0u);
}

TEST(RepositoryApplyTest, DryRunSendsNothingButShow) {
  RecordingSqlConnection conn;
  conn.on("^SHOW REPOSITORIES", show_repositories_rows({}));
  auto r = apply_repository(conn, repo(), keys(), true);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->outcome, ApplyOutcome::kWouldCreate);
  EXPECT_EQ(conn.statements().size(), 1u);
  ASSERT_TRUE(r->statement.has_value());
  EXPECT_FALSE(contains_secret(*r->statement));
}

TEST(RepositoryApplyTest, ServerErrorEchoingTheStatementIsRedacted) {
  RecordingSqlConnection conn;
  conn.on("^SHOW REPOSITORIES", show_repositories_rows({}));
  conn.on_error("^CREATE REPOSITORY",
                ports::server_error(1064, "HY000",
                                    "Failed to create repository: bad property 'aws.s3.secret_key' = '" +
                                        std::string(kSecret) + "'"));
  auto r = apply_repository(conn, repo(), keys(), false);
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(contains_secret(r.error().describe())) << r.error().describe();
  EXPECT_NE(r.error().describe().find("Failed to create repository"), std::string::npos);
}

// ---- security documents (golden) ----

std::string golden_path(const std::string& name) {
  return std::string(SK_SOURCE_DIR) + "/tests/runtime/repository/golden/" + name + ".json";
}

void expect_golden(const std::string& name, const nlohmann::json& doc) {
  const std::string actual = doc.dump(2) + "\n";
  const std::string path = golden_path(name);
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path << " (run with UPDATE_GOLDEN=1)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden " << path << " differs (UPDATE_GOLDEN=1 rewrites)";
}

TEST(SecurityDocumentsTest, EnvironmentKeysWithPrefixGolden) {
  auto doc = security_documents(repo(), Duration::from_days(400));
  ASSERT_TRUE(doc.has_value()) << doc.error().describe();
  expect_golden("env_prefix", *doc);
  // The invariants the golden file must keep, asserted directly too.
  const auto& deny = (*doc)["bucket_policy"]["Statement"][0];
  EXPECT_EQ(deny["Effect"], "Deny");
  EXPECT_EQ(deny["Condition"]["Bool"]["aws:SecureTransport"], "false");
  EXPECT_EQ((*doc)["iam_policy"]["Statement"][2]["Resource"], "arn:aws:s3:::acme-backups/starrocks/prod/*");
  EXPECT_EQ((*doc)["object_lock"]["Rule"]["DefaultRetention"]["Days"], 400);
  EXPECT_EQ((*doc)["versioning"]["Status"], "Enabled");
}

TEST(SecurityDocumentsTest, InstanceProfileWholeBucketNoTierGolden) {
  model::Repository r = repo("", model::CredentialsKind::kInstanceProfile);
  r.location = "s3a://acme-backups/";
  auto doc = security_documents(r, std::nullopt);
  ASSERT_TRUE(doc.has_value()) << doc.error().describe();
  expect_golden("instance_profile_bucket", *doc);
  EXPECT_EQ((*doc)["prefix"], "");
  EXPECT_FALSE((*doc)["iam_policy"]["Statement"][0].contains("Condition"));
}

TEST(SecurityDocumentsTest, AssumeRoleNonAwsEndpointGolden) {
  auto doc = security_documents(repo("https://minio.internal:9000", model::CredentialsKind::kAssumeRole),
                                Duration::from_hours(36));
  ASSERT_TRUE(doc.has_value()) << doc.error().describe();
  expect_golden("assume_role_minio", *doc);
  EXPECT_EQ((*doc)["object_lock"]["Rule"]["DefaultRetention"]["Days"], 2);  // rounded up
}

TEST(SecurityDocumentsTest, BadLocationIsAnError) {
  model::Repository r = repo();
  r.location = "not-a-url";
  EXPECT_FALSE(security_documents(r, std::nullopt).has_value());
  r.location = "s3a:///prefix";
  EXPECT_FALSE(security_documents(r, std::nullopt).has_value());
}

}  // namespace
}  // namespace sk::repository
