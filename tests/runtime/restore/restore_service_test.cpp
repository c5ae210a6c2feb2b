// The restore service (runtime/restore/restore_service.h) against a scripted connection: the choices it took
// over from the CLI (grammar, recovery database, unknown repository, conflicting repositories) and their codes.
#include <gtest/gtest.h>

#include "common/error_codes.h"
#include "runtime/ports/fakes.h"
#include "runtime/restore/restore_service.h"

namespace sk::restore {
namespace {

struct Fixture : ::testing::Test {
  ports::RecordingSqlConnection conn;
  ports::FakeClock clock{Instant::from_unix_seconds(1'757'811'600)};
  ports::FakeSleeper sleeper;
  Env env{conn, ops::OpsConfig{*DatabaseName::parse("ops"), 1}, clock, sleeper, nullptr};
  RepositoryName repo = *RepositoryName::parse("repo");
};

TEST_F(Fixture, ForcedGrammarSendsNothing) {
  auto g = choose_grammar(conn, dialect::Grammar::kV34);
  ASSERT_TRUE(g);
  EXPECT_EQ(*g, dialect::Grammar::kV34);
  EXPECT_TRUE(conn.statements().empty());
}

TEST_F(Fixture, RecoveryDatabaseMustNotBeTheOpsDatabase) {
  CatalogChoice choice;
  choice.recovery_database = *DatabaseName::parse("ops");
  auto r = open_repository_catalog(env, repo, choice, dialect::Grammar::kPre34);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::kRestoreUsage);
  EXPECT_EQ(exit_code_for(r.error()), kExitUsage);
  EXPECT_EQ(conn.count_matching("SHOW SNAPSHOT"), 0u);
}

TEST_F(Fixture, UnknownRepositoryIsAMissingSnapshotWithAHint) {
  conn.on_error("SHOW SNAPSHOT", ports::server_error(1064, "HY000", "Repository repo does not exist"));
  auto r = open_repository_catalog(env, repo, CatalogChoice{}, dialect::Grammar::kPre34);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::kRestoreSnapshotMissing);
  EXPECT_NE(r.error().message.find("starkeep repository apply"), std::string::npos) << r.error().message;
  EXPECT_EQ(exit_code_for(r.error()), kExitSnapshotMissing);
}

TEST_F(Fixture, FromRepositoryMustMatchRepository) {
  RestoreInvocation inv{RestoreRequest{.scope = Scope::kDatabase, .database = *DatabaseName::parse("sales")},
                        repo, {}, dialect::Grammar::kPre34, std::nullopt};
  inv.request.repository = *RepositoryName::parse("other");
  auto r = prepare_restore(env, std::move(inv));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::kRestoreUsage);
  EXPECT_EQ(conn.count_matching("SHOW SNAPSHOT"), 0u);
}

}  // namespace
}  // namespace sk::restore
