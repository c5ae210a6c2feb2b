// CredentialGuard (issue 10 item 12): a statement carrying credentials is not sent over plain TCP to a host that
// is not loopback, unless the override is given (then it is reported); everything else passes untouched.
#include "runtime/ports/credential_guard.h"

#include <gtest/gtest.h>

#include "runtime/ports/fakes.h"

namespace sk::ports {
namespace {

constexpr std::string_view kCreate =
    R"(CREATE REPOSITORY `r` WITH BROKER ON LOCATION "s3://b/p" PROPERTIES ("aws.s3.access_key" = "AKIAZQ8", "aws.s3.secret_key" = "Zq8secret"))";

TEST(CredentialGuard, WhereCredentialsMayTravel) {
  EXPECT_TRUE(credentials_may_travel(false, "127.0.0.1"));
  EXPECT_TRUE(credentials_may_travel(false, "localhost"));
  EXPECT_TRUE(credentials_may_travel(false, "::1"));
  EXPECT_TRUE(credentials_may_travel(true, "fe.example.com"));
  EXPECT_FALSE(credentials_may_travel(false, "fe.example.com"));
  EXPECT_FALSE(credentials_may_travel(false, "10.0.0.5"));
}

TEST(CredentialGuard, WhichStatementsCarryCredentials) {
  EXPECT_TRUE(carries_credentials(kCreate));
  EXPECT_TRUE(carries_credentials("CREATE USER 'u' IDENTIFIED BY 'pw'"));
  EXPECT_FALSE(carries_credentials("SHOW REPOSITORIES"));
  EXPECT_FALSE(carries_credentials("BACKUP SNAPSHOT `sales`.`l` TO `r`"));
  EXPECT_FALSE(carries_credentials(R"(INSERT INTO `ops`.`h` VALUES ('"aws.s3.secret_key" = "<redacted>"'))"));
}

TEST(CredentialGuard, RefusesCredentialsOverPlainTcpToARemoteHost) {
  RecordingSqlConnection inner;
  int overrides = 0;
  CredentialGuard guard(inner, credentials_may_travel(false, "10.0.0.5"), false, "root@10.0.0.5:9030 (tls=DISABLED)",
                        [&](std::string_view) { ++overrides; });
  ASSERT_TRUE(guard.query("SHOW REPOSITORIES"));
  const Status s = guard.execute(kCreate);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "sql.insecure_credentials");
  EXPECT_NE(s.error().message.find("10.0.0.5"), std::string::npos);
  EXPECT_NE(s.error().message.find("--allow-insecure-credentials"), std::string::npos);
  EXPECT_EQ(s.error().message.find("Zq8"), std::string::npos) << "the error never holds the secret";
  EXPECT_EQ(inner.sql(), std::vector<std::string>{"SHOW REPOSITORIES"}) << "the CREATE REPOSITORY was not sent";
  EXPECT_EQ(overrides, 0);
}

TEST(CredentialGuard, OverrideSendsAndReportsRedacted) {
  RecordingSqlConnection inner;
  std::vector<std::string> reported;
  CredentialGuard guard(inner, false, true, "root@10.0.0.5:9030", [&](std::string_view sql) {
    reported.emplace_back(sql);
  });
  ASSERT_TRUE(guard.execute(kCreate));
  ASSERT_TRUE(guard.execute("SHOW BACKUP"));
  EXPECT_EQ(inner.sql().size(), 2u);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].find("Zq8"), std::string::npos);
  EXPECT_NE(reported[0].find("CREATE REPOSITORY"), std::string::npos);
}

TEST(CredentialGuard, LoopbackOrTlsSendsWithoutWarning) {
  RecordingSqlConnection inner;
  int overrides = 0;
  CredentialGuard guard(inner, true, false, "root@127.0.0.1:9030", [&](std::string_view) { ++overrides; });
  ASSERT_TRUE(guard.execute(kCreate));
  EXPECT_EQ(inner.sql().size(), 1u);
  EXPECT_EQ(overrides, 0);
}

}  // namespace
}  // namespace sk::ports
