// S3Config: endpoints (HTTPS, or http to loopback only), repository locations, credentials from the same
// environment variables as `repository apply`, and the addressing style config_for() picks.
#include "runtime/s3/s3_config.h"

#include <gtest/gtest.h>

#include <map>

namespace sk::s3 {
namespace {

constexpr std::string_view kAccess = "AKIAEXAMPLEACCESS123";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

model::Repository repo(std::string endpoint, std::string location = "s3a://acme-backups/starrocks/prod",
                       model::CredentialsKind kind = model::CredentialsKind::kEnvironment) {
  return model::Repository{*RepositoryName::parse("backup_s3"), std::move(location), std::move(endpoint),
                           "eu-west-1", kind, std::nullopt, {}, {}, {}};
}

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

EnvLookup keys() {
  return env({{std::string(kAccessKeyVariable), std::string(kAccess)},
              {std::string(kSecretKeyVariable), std::string(kSecret)}});
}

TEST(S3Config, EndpointsMustBeHttpsExceptOnLoopback) {
  auto aws = Endpoint::parse("HTTPS://s3.eu-west-1.amazonaws.com/");
  ASSERT_TRUE(aws) << aws.error().message;
  EXPECT_EQ(aws->base_url(), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws->base_url("bkt"), "https://bkt.s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(aws->loopback());

  auto local = Endpoint::parse("http://127.0.0.1:4568");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_TRUE(local->loopback());
  EXPECT_EQ(local->port(), "4568");
  auto v6 = Endpoint::parse("http://[::1]:9000");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host(), "[::1]");
  EXPECT_EQ(v6->base_url(), "http://[::1]:9000");

  for (const char* bad : {"http://minio.internal:9000", "ftp://s3.example.com", "https://", "https://h:0",
                          "https://h:99999", "https://h/path", "https://user:pw@h", "https://h?x=1", "s3.example.com",
                          "https://h x"}) {
    auto e = Endpoint::parse(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, "s3.config") << bad;
  }
}

TEST(S3Config, LocationsSplitIntoBucketAndPrefix) {
  auto a = parse_location("s3a://acme-backups/starrocks/prod/");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->bucket, "acme-backups");
  EXPECT_EQ(a->prefix, "starrocks/prod/");
  auto b = parse_location("S3://acme-backups");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->prefix, "");
  for (const char* bad : {"hdfs://acme/x", "s3a://", "s3a://Acme_Backups/x", "s3a://ab/x", "s3a://-abc/x",
                          "acme-backups/x"}) {
    auto e = parse_location(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, "s3.config") << bad;
  }
}

TEST(S3Config, CredentialsComeFromTheRepositoryVariablesAndAreNeverInMessages) {
  auto config = config_for(repo("https://minio.example.com:9000"), keys());
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->credentials.access_key, kAccess);
  EXPECT_EQ(config->credentials.secret_key, kSecret);
  EXPECT_EQ(config->bucket, "acme-backups");
  EXPECT_EQ(config->region, "eu-west-1");
  EXPECT_EQ(config->addressing, Addressing::kPath);

  auto missing = config_for(repo("https://minio.example.com:9000"),
                            env({{std::string(kAccessKeyVariable), std::string(kAccess)}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "repository.credentials");
  EXPECT_NE(missing.error().message.find("STARKEEP_S3_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(missing.error().describe().find(kAccess), std::string::npos);
}

TEST(S3Config, InstanceProfilesAreRefusedNamingTheVariables) {
  auto config = config_for(repo("", "s3a://acme-backups/x", model::CredentialsKind::kInstanceProfile), keys());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "s3.config");
  EXPECT_NE(config.error().message.find("STARKEEP_S3_ACCESS_KEY"), std::string::npos);
}

TEST(S3Config, TheAwsDefaultEndpointUsesVirtualHostsUnlessTheBucketHasDots) {
  auto aws = config_for(repo(""), keys());
  ASSERT_TRUE(aws) << aws.error().message;
  EXPECT_EQ(aws->endpoint.base_url(), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws->addressing, Addressing::kVirtualHost);
  auto dotted = config_for(repo("", "s3a://acme.backups/x"), keys());
  ASSERT_TRUE(dotted) << dotted.error().message;
  EXPECT_EQ(dotted->addressing, Addressing::kPath);
}

}  // namespace
}  // namespace sk::s3
