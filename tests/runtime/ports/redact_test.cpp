// redact(): every form of secret the runner may log is removed; everything else stays byte-identical.
#include <gtest/gtest.h>

#include "runtime/ports/redact.h"

namespace sk::ports {
namespace {

struct Case {
  std::string input;
  std::string expected;
};

class RedactCases : public ::testing::TestWithParam<Case> {};

TEST_P(RedactCases, Redacts) { EXPECT_EQ(redact(GetParam().input), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Forms, RedactCases,
    ::testing::Values(
        // CREATE REPOSITORY properties, double quotes, single quotes, no spaces, odd spacing and case.
        Case{R"(CREATE REPOSITORY `r` WITH BROKER ON LOCATION "s3a://b/p" PROPERTIES("aws.s3.access_key" = "AKIAXXXX", "aws.s3.secret_key" = "s3cr3t/+=", "aws.s3.endpoint" = "https://s3.eu-west-1.amazonaws.com"))",
             R"(CREATE REPOSITORY `r` WITH BROKER ON LOCATION "s3a://b/p" PROPERTIES("aws.s3.access_key" = "<redacted>", "aws.s3.secret_key" = "<redacted>", "aws.s3.endpoint" = "https://s3.eu-west-1.amazonaws.com"))"},
        Case{R"(PROPERTIES('aws.s3.secret_key'='abc','aws.s3.region'='eu'))",
             R"(PROPERTIES('aws.s3.secret_key'='<redacted>','aws.s3.region'='eu'))"},
        Case{R"("AWS.S3.SECRET_KEY"   =
   "abc")",
             R"("AWS.S3.SECRET_KEY"   =
   "<redacted>")"},
        // Escaped quotes inside the secret do not end the redaction early.
        Case{R"("aws.s3.secret_key" = "a\"b'c" , "x" = "y")", R"("aws.s3.secret_key" = "<redacted>" , "x" = "y")"},
        Case{R"('password' = 'it''s', 'user' = 'bob')", R"('password' = '<redacted>', 'user' = 'bob')"},
        Case{R"("password"="p@ss")", R"("password"="<redacted>")"},
        Case{R"("azure.blob.shared_key" = "k==", "azure.blob.sas_token" = "sv=2020&sig=x")",
             R"("azure.blob.shared_key" = "<redacted>", "azure.blob.sas_token" = "<redacted>")"},
        Case{R"("gcp.gcs.service_account_private_key" = "-----BEGIN KEY-----")",
             R"("gcp.gcs.service_account_private_key" = "<redacted>")"},
        // User management statements.
        Case{"CREATE USER 'u'@'%' IDENTIFIED BY 'hunter2'", "CREATE USER 'u'@'%' IDENTIFIED BY '<redacted>'"},
        Case{"alter user u identified   by \"hunter2\"", "alter user u identified   by \"<redacted>\""},
        Case{"CREATE USER u IDENTIFIED BY PASSWORD '*ABCDEF'", "CREATE USER u IDENTIFIED BY PASSWORD '<redacted>'"},
        Case{"CREATE USER u IDENTIFIED WITH mysql_native_password BY 'pw'",
             "CREATE USER u IDENTIFIED WITH mysql_native_password BY '<redacted>'"},
        Case{"CREATE USER u IDENTIFIED WITH 'authentication_ldap_simple' AS 'uid=x,pw=y'",
             "CREATE USER u IDENTIFIED WITH 'authentication_ldap_simple' AS '<redacted>'"},
        Case{"SET PASSWORD FOR 'u'@'%' = PASSWORD('hunter2')", "SET PASSWORD FOR 'u'@'%' = PASSWORD('<redacted>')"},
        Case{"SET PASSWORD = PASSWORD ( 'x' )", "SET PASSWORD = PASSWORD ( '<redacted>' )"},
        Case{"SET PASSWORD = 'x'", "SET PASSWORD = '<redacted>'"},
        // URLs with credentials, bare or inside a quoted value.
        Case{"mysql://admin:topsecret@fe1:9030/ops", "mysql://admin:<redacted>@fe1:9030/ops"},
        Case{R"(ON LOCATION "s3a://AKIA:sec/ret@bucket/prefix")", R"(ON LOCATION "s3a://AKIA:<redacted>@bucket/prefix")"},
        Case{"https://user@host/path", "https://user@host/path"},
        Case{"s3a://bucket/path@v2 and fe1:9030", "s3a://bucket/path@v2 and fe1:9030"},
        // key=value in free text (logs, connection strings, command lines).
        Case{"connect host=fe1 password=hunter2 user=root", "connect host=fe1 password=<redacted> user=root"},
        Case{"--password=hunter2 --host fe1", "--password=<redacted> --host fe1"},
        Case{"jdbc:mysql://fe1/db?user=u&password=p&ssl=1", "jdbc:mysql://fe1/db?user=u&password=<redacted>&ssl=1"},
        Case{R"({"token": "abc", "name": "n"})", R"({"token": "<redacted>", "name": "n"})"},
        // MySQL's access-denied message keeps its YES/NO; anything else after "using password" is redacted.
        Case{"Access denied for user 'u'@'h' (using password: YES)", "Access denied for user 'u'@'h' (using password: YES)"},
        Case{"using password: hunter2", "using password: <redacted>"},
        // An unclosed secret value is redacted to the end.
        Case{R"("aws.s3.secret_key" = "abc)", R"("aws.s3.secret_key" = "<redacted>)"},
        // Secrets inside a quoted server message are found too.
        Case{R"(ERROR 1064 (HY000): bad property: 'PROPERTIES("aws.s3.secret_key"="zz")')",
             R"(ERROR 1064 (HY000): bad property: 'PROPERTIES("aws.s3.secret_key"="<redacted>")')"}));

TEST(Redact, LeavesOrdinaryStatementsUnchanged) {
  const std::vector<std::string> unchanged = {
      "BACKUP SNAPSHOT `sales`.`sales_20250914_inc` TO `s3_prod` ON (`orders` PARTITION (`p20250913`))",
      "SHOW BACKUP FROM `sales`",
      "SELECT `TABLE_NAME`, `PARTITION_NAME`, `VISIBLE_VERSION` FROM `information_schema`.`partitions_meta` "
      "WHERE `DB_NAME` = 'sales'",
      R"(RESTORE SNAPSHOT `sales`.`l` FROM `r` PROPERTIES ("backup_timestamp" = "2024-07-23-13-01-12-789"))",
      "INSERT INTO `ops`.`t` VALUES ('a\\'b', NULL, 3)",
      "",
      "password",
      "s3a://bucket/prefix",
  };
  for (const auto& s : unchanged) EXPECT_EQ(redact(s), s) << s;
}

TEST(Redact, NoSecretSurvives) {
  const std::string secret = "Zq9-UNIQUE-SECRET-77";
  const std::vector<std::string> forms = {
      "\"aws.s3.secret_key\"=\"" + secret + "\"",
      "IDENTIFIED BY '" + secret + "'",
      "PASSWORD('" + secret + "')",
      "s3://k:" + secret + "@bucket/x",
      "'password' : '" + secret + "'",
      "`aws.s3.access_key` = `" + secret + "`",
  };
  for (const auto& f : forms) EXPECT_EQ(redact(f).find(secret), std::string::npos) << f;
}

}  // namespace
}  // namespace sk::ports

namespace sk::ports {
namespace {

// Credential property names of StarRocks' repositories, external catalogs and storage volumes and of the Hadoop
// file systems behind them (issue 10 item 12): each one's value is redacted, quoted and bare, in any case.
class CredentialNames : public ::testing::TestWithParam<std::string> {};

TEST_P(CredentialNames, ValueIsRedacted) {
  const std::string& name = GetParam();
  const std::string value = "Zq8secretVALUE";
  for (const std::string& text : {"\"" + name + "\" = \"" + value + "\"", "'" + name + "'='" + value + "'",
                                  name + "=" + value}) {
    const std::string out = redact(text);
    EXPECT_EQ(out.find(value), std::string::npos) << text << " -> " << out;
    EXPECT_NE(out.find(std::string(kRedacted)), std::string::npos) << text << " -> " << out;
    EXPECT_NE(out.find(name), std::string::npos) << "the key stays readable: " << out;
  }
}

INSTANTIATE_TEST_SUITE_P(
    PropertyNames, CredentialNames,
    ::testing::Values("aws.s3.access_key", "aws.s3.secret_key", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_TOKEN",
                      "fs.s3a.access.key", "fs.s3a.secret.key", "fs.s3a.session.token", "fs.s3.awsAccessKeyId",
                      "fs.s3.awsSecretAccessKey", "fs.oss.accessKeyId", "fs.oss.accessKeySecret",
                      "fs.cosn.userinfo.secretId", "fs.cosn.userinfo.secretKey", "fs.obs.access.key",
                      "fs.obs.secret.key", "fs.ks3.AccessKey", "fs.ks3.AccessSecret",
                      "fs.azure.account.key.acct.dfs.core.windows.net", "fs.azure.sas.token",
                      "azure.blob.shared_key", "azure.blob.sas_token", "azure.adls2.oauth2_client_secret",
                      "azure.adls2.shared_key", "gcp.gcs.service_account_private_key",
                      "aliyun.oss.access_key", "aliyun.oss.secret_key", "bos_accesskey", "bos_secret_accesskey",
                      "kerberos_keytab_content", "password", "broker.password", "x-api-key", "client-secret"));

}  // namespace
}  // namespace sk::ports
