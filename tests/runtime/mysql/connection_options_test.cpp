// Connection settings: precedence flags > environment > option file > defaults; option-file syntax; TLS modes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "runtime/mysql/connection_options.h"

namespace sk::mysql {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class TempFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sk-conn-opts-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST(ConnectionOptions, DefaultsWithoutAnySource) {
  auto o = resolve_connection_options({}, env_of({}));
  ASSERT_TRUE(o.has_value()) << o.error().describe();
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 9030);
  EXPECT_EQ(o->user, "root");
  EXPECT_EQ(o->password, "");
  EXPECT_EQ(o->tls_mode, TlsMode::kDisabled);
}

TEST_F(TempFiles, FlagsBeatEnvironmentBeatOptionFile) {
  const auto cnf = write("my.cnf",
                         "[mysql]\nhost=wrong-group\n"
                         "[client]\nhost = file-host\nport=9031\nuser=file-user\npassword=\"file pw # not comment\"\n"
                         "ssl_ca=/etc/ca.pem\n");
  ConnectionFlags flags;
  flags.defaults_file = cnf;
  flags.host = "flag-host";
  auto o = resolve_connection_options(flags, env_of({{"STARKEEP_HOST", "env-host"}, {"STARKEEP_PORT", "9032"}}));
  ASSERT_TRUE(o.has_value()) << o.error().describe();
  EXPECT_EQ(o->host, "flag-host");
  EXPECT_EQ(o->port, 9032);
  EXPECT_EQ(o->user, "file-user");
  EXPECT_EQ(o->password, "file pw # not comment");
  EXPECT_EQ(o->ssl_ca, "/etc/ca.pem");
  EXPECT_EQ(o->tls_mode, TlsMode::kVerifyCa);  // a CA alone asks for verification
}

TEST_F(TempFiles, PasswordPrecedence) {
  const auto flag_file = write("flag.pw", "from-flag-file\n");
  const auto env_file = write("env.pw", "from-env-file\r\nsecond line\n");
  const auto cnf = write("my.cnf", "[client]\npassword=from-option-file\n");

  ConnectionFlags flags;
  flags.defaults_file = cnf;
  EXPECT_EQ(resolve_connection_options(flags, env_of({}))->password, "from-option-file");
  EXPECT_EQ(resolve_connection_options(flags, env_of({{"STARKEEP_PASSWORD_FILE", env_file}}))->password,
            "from-env-file");
  EXPECT_EQ(resolve_connection_options(flags, env_of({{"STARKEEP_PASSWORD_FILE", env_file},
                                                      {"STARKEEP_PASSWORD", "from-env"}}))
                ->password,
            "from-env");
  flags.password_file = flag_file;
  EXPECT_EQ(resolve_connection_options(flags, env_of({{"STARKEEP_PASSWORD", "from-env"}}))->password,
            "from-flag-file");
  flags.password = "from-flag";
  EXPECT_EQ(resolve_connection_options(flags, env_of({{"STARKEEP_PASSWORD", "from-env"}}))->password, "from-flag");
}

TEST_F(TempFiles, MissingFilesAreConfigErrorsWithoutSecrets) {
  ConnectionFlags flags;
  flags.password_file = (dir_ / "absent").string();
  auto o = resolve_connection_options(flags, env_of({}));
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(o.error().code, "sql.config");
  EXPECT_NE(o.error().message.find("password file"), std::string::npos);

  ConnectionFlags flags2;
  flags2.defaults_file = (dir_ / "absent.cnf").string();
  EXPECT_EQ(resolve_connection_options(flags2, env_of({})).error().code, "sql.config");
}

TEST(ConnectionOptions, BadPortIsRejectedNamingItsSource) {
  for (const std::string bad : {"0", "65536", "90x", "", "-1"}) {
    auto o = resolve_connection_options({}, env_of({{"STARKEEP_PORT", bad}}));
    ASSERT_FALSE(o.has_value()) << bad;
    EXPECT_EQ(o.error().code, "sql.config");
    EXPECT_NE(o.error().message.find("STARKEEP_PORT"), std::string::npos);
  }
}

TEST(ConnectionOptions, TlsModes) {
  EXPECT_EQ(*parse_tls_mode("verify_identity"), TlsMode::kVerifyIdentity);
  EXPECT_EQ(*parse_tls_mode("REQUIRED"), TlsMode::kRequired);
  EXPECT_EQ(*parse_tls_mode(" disabled "), TlsMode::kDisabled);
  EXPECT_FALSE(parse_tls_mode("PREFERRED").has_value());  // would allow plain TCP
  EXPECT_FALSE(parse_tls_mode("yes").has_value());

  ConnectionFlags flags;
  flags.tls_mode = "VERIFY_CA";
  auto no_ca = resolve_connection_options(flags, env_of({}));
  ASSERT_FALSE(no_ca.has_value());
  EXPECT_NE(no_ca.error().message.find("CA"), std::string::npos);
  flags.ssl_ca = "/ca.pem";
  EXPECT_EQ(resolve_connection_options(flags, env_of({}))->tls_mode, TlsMode::kVerifyCa);
  auto env_mode = resolve_connection_options({}, env_of({{"STARKEEP_SSL_MODE", "required"}}));
  EXPECT_EQ(env_mode->tls_mode, TlsMode::kRequired);
}

TEST(OptionFile, Syntax) {
  const std::string text =
      "# comment\n"
      "; another\n"
      "[client]\n"
      "Host = h1   # trailing comment\n"
      "ssl_verify_server_cert\n"
      "password='a\\tb\\\\c\\sd'\n"
      "user=\"quoted # kept\"\n"
      "[other]\n"
      "port=1\n"
      "[CLIENT]\n"
      "port = 9033\n";
  auto group = parse_option_file(text);
  ASSERT_TRUE(group.has_value()) << group.error().describe();
  EXPECT_EQ(group->at("host"), "h1");
  EXPECT_EQ(group->at("ssl-verify-server-cert"), "");
  EXPECT_EQ(group->at("password"), "a\tb\\c d");
  EXPECT_EQ(group->at("user"), "quoted # kept");
  EXPECT_EQ(group->at("port"), "9033");
  EXPECT_EQ(parse_option_file(text, "other")->at("port"), "1");
}

TEST(OptionFile, RejectsIncludesAndBrokenQuotes) {
  auto inc = parse_option_file("[client]\n!include /etc/other.cnf\n");
  ASSERT_FALSE(inc.has_value());
  EXPECT_NE(inc.error().message.find("!include"), std::string::npos);
  auto quote = parse_option_file("[client]\npassword='abc\n");
  ASSERT_FALSE(quote.has_value());
  EXPECT_NE(quote.error().message.find("line 2"), std::string::npos);
  EXPECT_EQ(quote.error().message.find("abc"), std::string::npos);  // never echo the value
}

TEST_F(TempFiles, VerifyServerCertInFileMeansVerifyIdentity) {
  const auto cnf = write("my.cnf", "[client]\nssl-verify-server-cert\n");
  ConnectionFlags flags;
  flags.defaults_file = cnf;
  EXPECT_EQ(resolve_connection_options(flags, env_of({}))->tls_mode, TlsMode::kVerifyIdentity);
}

TEST(ConnectionOptions, DescribeNeverShowsThePassword) {
  ConnectionOptions o;
  o.password = "hunter2";
  o.database = "ops";
  EXPECT_EQ(o.describe(), "root@127.0.0.1:9030/ops (tls=DISABLED)");
}

}  // namespace
}  // namespace sk::mysql
