// Lifecycle rules per retention class (compiler/analysis/lifecycle.h, the documents of `repository lifecycle`:
// golden/*.lifecycle.json|xml), the bucket posture `repository check` reads back (versioning, Object Lock, lifecycle
// drift, unknown probes) over the in-memory store, private-endpoint address classes, and the aws:SourceVpce bucket
// policy of `repository security`.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/json_text.h"
#include "compiler/analysis/lifecycle.h"
#include "compiler/driver/compile.h"
#include "runtime/repository/lifecycle_document.h"
#include "runtime/repository/posture.h"
#include "runtime/repository/security.h"
#include "runtime/s3/fake_object_store.h"

namespace sk::repository {
namespace {

using analysis::lifecycle::RepositoryRules;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compiles `text` (no error allowed) with examples/inventory.json, reference 2025-09-01. Not movable: the
// compilation points into the files.
struct Compiled {
  explicit Compiled(const std::string& text)
      : policy_file("p.skp", text),
        inventory_file("inventory.json", slurp(std::string(SK_SOURCE_DIR) + "/examples/inventory.json")),
        c(driver::compile({&policy_file, &inventory_file, CivilDay(2025, 9, 1)})) {}
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;
  diag::SourceFile policy_file;
  diag::SourceFile inventory_file;
  driver::Compilation c;
};
std::unique_ptr<Compiled> compile_policy(const std::string& text) {
  auto out = std::make_unique<Compiled>(text);
  EXPECT_FALSE(out->c.has_errors()) << diag::render_text(out->policy_file, out->c.policy_diagnostics.diagnostics());
  return out;
}

RepositoryRules rules_of(const Compiled& compiled, const std::string& repo = "main") {
  const model::Policy& p = *compiled.c.policy;
  return analysis::lifecycle::rules_for(p, *p.find_repository(*RepositoryName::parse(repo)),
                                        driver::keep_horizons(compiled.c, CivilDay(2025, 9, 1)));
}

constexpr const char* kTiers = R"(policy "lc" {
  databases = ["sales", "crm"]
  repository "main" { location = "s3a://acme/prod/"; endpoint = "https://s3.eu-west-1.amazonaws.com"; lifecycle_rules = true }
  repository "archive" { location = "s3a://acme-archive"; endpoint = "https://s3.eu-west-1.amazonaws.com" }
  tier "daily"   { backup = changed_partitions; include = tables where partitioned; schedule = mon..sat at 01:00
                   retain = 30d; window = 2h; label = "d_{db}_{date}"; repository = "main" }
  tier "weekly"  { backup = tables; include = tables; schedule = sun at 01:00; retain = 30d; window = 4h
                   label = "w_{db}_{date}"; repository = "main"; timeout = 6h }
  tier "monthly" { backup = database; schedule = first sun of month at 03:00; retain = 365d; window = 8h
                   repository = "archive"; precedence = 1 }
}
)";

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(SK_SOURCE_DIR) + "/tests/runtime/repository/golden/" + name;
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << actual;
    return;
  }
  EXPECT_EQ(actual, slurp(path)) << "golden " << path << " differs (UPDATE_GOLDEN=1 rewrites)";
}

TEST(LifecycleRulesTest, EachTierWithADistinctLabelStartOrItsOwnRepositoryGetsARule) {
  auto compiled = compile_policy(kTiers);
  const RepositoryRules main = rules_of(*compiled);
  EXPECT_EQ(main.bucket, "acme");
  EXPECT_EQ(main.repository_prefix, "prod/__starrocks_repository_main/");
  ASSERT_EQ(main.rules.size(), 2u);
  EXPECT_EQ(main.rules[0].prefix, "prod/__starrocks_repository_main/__ss_d_");
  EXPECT_EQ(main.rules[1].prefix, "prod/__starrocks_repository_main/__ss_w_");
  // weekly: 30d, plus the 6 days Saturday's daily restore point needs the Sunday full, plus the 6h timeout.
  EXPECT_EQ(main.rules[1].expiration_days, 37);
  EXPECT_EQ(main.rules[1].keep, Duration::from_days(36));
  // daily: Monday's incremental is needed by Saturday's restore point until Saturday + 30d = Monday + 35d, plus the
  // default 24h timeout.
  EXPECT_EQ(main.rules[0].keep, Duration::from_days(35));
  EXPECT_EQ(main.rules[0].expiration_days, 36);
  EXPECT_EQ(main.abort_multipart_days, 2);       // the longest timeout (24h) rounded up, plus a day
  EXPECT_TRUE(main.untargetable.empty());
  const RepositoryRules archive = rules_of(*compiled, "archive");
  ASSERT_EQ(archive.rules.size(), 1u);  // its own repository: every snapshot directory, never __repo_info
  EXPECT_EQ(archive.rules[0].prefix, "__starrocks_repository_archive/__ss_");
  expect_golden("lifecycle_main.json", json_text(lifecycle_json(main), 2) + "\n");
  expect_golden("lifecycle_main.xml", lifecycle_xml(main));
}

TEST(LifecycleRulesTest, SharedLabelStartsAndCountKeepsCannotBeTargeted) {
  auto compiled = compile_policy(R"(policy "lc" {
  databases = ["sales"]
  repository "main" { location = "s3a://acme/prod"; endpoint = "https://s3.eu-west-1.amazonaws.com" }
  tier "daily"  { backup = database; schedule = mon..sat at 01:00; retain = 14d }
  tier "weekly" { backup = database; schedule = sun at 01:00; retain = 30d; label = "{db}_w_{date}" }
  tier "a"      { backup = database; schedule = sun at 02:00; retain = 30d; label = "x_{db}_{date}"; precedence = 1 }
  tier "ab"     { backup = database; schedule = sun at 03:00; retain = 30d; label = "x_b_{db}_{date}"; precedence = 2 }
  tier "cat"    { backup = database; schedule = sun at 04:00; retain = 30d; label = "starkeep_{db}_{date}"
                  precedence = 3 }
  tier "kept"   { backup = database; schedule = sun at 05:00; keep = last 4; label = "k_{db}_{date}"; precedence = 4 }
}
)");
  const RepositoryRules rules = rules_of(*compiled);
  EXPECT_TRUE(rules.rules.empty());
  std::string why;
  for (const auto& u : rules.untargetable) why += u.tier.str() + ": " + u.reason + "\n";
  EXPECT_EQ(why,
            "daily: its labels (\"{db}_{date}_{suffix}\") start with no constant text, and 6 tiers share repository "
            "'main'\n"
            "weekly: its labels (\"{db}_w_{date}\") start with no constant text, and 6 tiers share repository 'main'\n"
            "a: the labels of tier 'daily' (\"{db}_{date}_{suffix}\") can start like its own (\"x_…\")\n"
            "ab: the labels of tier 'daily' (\"{db}_{date}_{suffix}\") can start like its own (\"x_b_…\")\n"
            "cat: the labels of tier 'daily' (\"{db}_{date}_{suffix}\") can start like its own (\"starkeep_…\")\n"
            "kept: it keeps snapshots by count (keep = last 4), which no age can express\n");
}

RepositoryRules sample_rules() {
  return RepositoryRules{*RepositoryName::parse("main"),
                         "acme",
                         "prod/__starrocks_repository_main/",
                         {{"starkeep-main-w", *TierName::parse("w"), "prod/__starrocks_repository_main/__ss_w_&<", 37,
                           37, false, Duration::from_days(36)}},
                         {},
                         2};
}

TEST(LifecycleRulesTest, TheXmlBodyEscapesItsText) {
  const std::string xml = lifecycle_xml(sample_rules());
  EXPECT_NE(xml.find("<Prefix>prod/__starrocks_repository_main/__ss_w_&amp;&lt;</Prefix>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<DaysAfterInitiation>2</DaysAfterInitiation>"), std::string::npos) << xml;
}

// ---- posture ----

constexpr const char* kPosturePolicy = R"(policy "pp" {
  databases = ["sales"]
  repository "main" { location = "s3a://acme/prod"; endpoint = "https://s3.eu-west-1.amazonaws.com"
                      lifecycle_rules = true }
  tier "daily"  { backup = database; schedule = mon..sat at 01:00; retain = 14d; label = "d_{db}_{date}" }
  tier "weekly" { backup = database; schedule = sun at 01:00; retain = 30d; label = "w_{db}_{date}" }
}
)";

std::string describe(const std::vector<PostureItem>& items) {
  std::string out;
  for (const auto& i : items) out += fmt::format("{} {}: {}\n", to_string(i.state), i.subject, i.detail);
  return out;
}

s3::LifecycleRule expiry_rule(std::string id, std::string prefix, int days) {
  s3::LifecycleRule r;
  r.id = std::move(id);
  r.enabled = true;
  r.prefix = std::move(prefix);
  r.expiration_days = days;
  return r;
}

TEST(PostureTest, ProbesTheEndpointLacksAreUnknownNeverAPass) {
  auto compiled = compile_policy(kPosturePolicy);
  s3::InMemoryObjectStore store;  // every posture answer unknown until set
  store.versioning = s3::Probe<s3::BucketVersioning>::unknown("NotImplemented: no versioning here");
  store.object_lock = s3::Probe<s3::ObjectLockConfiguration>::unknown("NotImplemented: no lock");
  store.lifecycle = s3::Probe<s3::LifecycleConfiguration>::unknown("NotImplemented: no lifecycle");
  auto items = bucket_posture(*compiled->c.policy, compiled->c.policy->repositories.front(), store);
  ASSERT_TRUE(items) << items.error().describe();
  EXPECT_EQ(describe(*items),
            "unknown versioning: the endpoint does not implement GetBucketVersioning (NotImplemented: no versioning "
            "here): not verified\n"
            "unknown object_lock: the endpoint does not implement GetObjectLockConfiguration (NotImplemented: no "
            "lock): not verified\n"
            "unknown lifecycle: the endpoint does not implement GetBucketLifecycleConfiguration (NotImplemented: no "
            "lifecycle): not verified\n");
}

TEST(PostureTest, DriftFromThePolicyIsReportedAndAMatchingBucketIsOk) {
  auto compiled = compile_policy(kPosturePolicy);
  const model::Repository& repo = compiled->c.policy->repositories.front();
  s3::InMemoryObjectStore store;
  store.versioning = s3::Probe<s3::BucketVersioning>::known({s3::VersioningStatus::kSuspended, false});
  store.object_lock = s3::Probe<s3::ObjectLockConfiguration>::known({false, std::nullopt});
  s3::LifecycleConfiguration bad;
  bad.rules.push_back(expiry_rule("too-short", "prod/__starrocks_repository_main/", 10));  // hits both tiers
  store.lifecycle = s3::Probe<s3::LifecycleConfiguration>::known(bad);
  auto drift = bucket_posture(*compiled->c.policy, repo, store);
  ASSERT_TRUE(drift) << drift.error().describe();
  EXPECT_EQ(describe(*drift),
            "drift versioning: versioning is Suspended; `repository security` enables it (deleted or overwritten "
            "snapshot objects stay recoverable)\n"
            "drift object_lock: Object Lock is not enabled; `repository security` enables it with a GOVERNANCE "
            "default retention\n"
            "drift lifecycle: rule 'too-short' (prefix \"prod/__starrocks_repository_main/\") deletes tier 'daily''s "
            "snapshots after 10 days; they must stay at least 15 (retain 14d plus the job timeout)\n"
            "drift lifecycle: rule 'too-short' (prefix \"prod/__starrocks_repository_main/\") deletes tier 'weekly''s "
            "snapshots after 10 days; they must stay at least 31 (retain 30d plus the job timeout)\n"
            "drift lifecycle: no enabled expiration rule for tier 'daily' (prefix "
            "\"prod/__starrocks_repository_main/__ss_d_\"; `starkeep repository lifecycle` emits it)\n"
            "drift lifecycle: no enabled expiration rule for tier 'weekly' (prefix "
            "\"prod/__starrocks_repository_main/__ss_w_\"; `starkeep repository lifecycle` emits it)\n"
            "drift lifecycle: no rule aborting incomplete multipart uploads under "
            "\"prod/__starrocks_repository_main/\"\n");

  store.versioning = s3::Probe<s3::BucketVersioning>::known({s3::VersioningStatus::kEnabled, false});
  store.object_lock = s3::Probe<s3::ObjectLockConfiguration>::known(
      {true, s3::DefaultRetention{s3::RetentionMode::kGovernance, 31, 0}});
  s3::LifecycleConfiguration good;
  good.rules.push_back(expiry_rule("d", "prod/__starrocks_repository_main/__ss_d_", 16));
  good.rules.push_back(expiry_rule("w", "prod/__starrocks_repository_main/__ss_w_", 40));
  s3::LifecycleRule abort;
  abort.id = "abort";
  abort.enabled = true;
  abort.prefix = "prod/__starrocks_repository_main/";
  abort.abort_multipart_days = 2;
  good.rules.push_back(abort);
  store.lifecycle = s3::Probe<s3::LifecycleConfiguration>::known(good);
  auto ok = bucket_posture(*compiled->c.policy, repo, store);
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(describe(*ok),
            "ok versioning: Enabled\n"
            "ok object_lock: enabled, GOVERNANCE 31 days\n"
            "ok lifecycle: 3 rule(s); none expires a snapshot before its retention\n");
}

TEST(PostureTest, AFixedDateExpirationIsDrift) {
  auto compiled = compile_policy(kPosturePolicy);
  s3::LifecycleConfiguration dated;
  s3::LifecycleRule r = expiry_rule("dated", "prod/", 0);
  r.expiration_days.reset();
  r.expiration_date = "2027-01-01T00:00:00.000Z";
  dated.rules.push_back(r);
  const auto items = lifecycle_posture(*compiled->c.policy, compiled->c.policy->repositories.front(),
                                       s3::Probe<s3::LifecycleConfiguration>::known(dated));
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.front().state, PostureState::kDrift);
  EXPECT_NE(items.front().detail.find("on 2027-01-01"), std::string::npos) << items.front().detail;
}

TEST(PrivateEndpointTest, AddressClasses) {
  for (const char* a : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "169.254.169.254",
                        "100.64.0.1", "::1", "fe80::1", "fd12:3456::1", "fc00::1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(is_private_address(a)) << a;
  }
  for (const char* a : {"52.218.1.1", "172.32.0.1", "172.15.255.255", "8.8.8.8", "2600:1f18::1", "::ffff:8.8.8.8",
                        "100.128.0.1", "not-an-address"}) {
    EXPECT_FALSE(is_private_address(a)) << a;
  }
}

TEST(PrivateEndpointTest, APublicAddressIsDriftAndAnUnresolvableHostIsUnknown) {
  model::Repository repo{*RepositoryName::parse("main"), "s3a://acme/prod", "https://s3.example.internal:9000", "",
                           model::CredentialsKind::kEnvironment, std::nullopt, {}, {}, {}};
  repo.private_endpoint = true;
  std::string asked;
  const auto answer = [&](std::vector<std::string> addresses) {
    return [&asked, addresses](std::string_view host) -> Result<std::vector<std::string>> {
      asked = std::string(host);
      return addresses;
    };
  };
  const PostureItem pub = endpoint_posture(repo, answer({"10.0.0.7", "52.95.1.1"}));
  EXPECT_EQ(asked, "s3.example.internal");
  EXPECT_EQ(pub.state, PostureState::kDrift);
  EXPECT_NE(pub.detail.find("public address(es) 52.95.1.1"), std::string::npos) << pub.detail;
  EXPECT_EQ(endpoint_posture(repo, answer({"10.0.0.7", "fd00::7"})).state, PostureState::kOk);
  const PostureItem none = endpoint_posture(repo, [](std::string_view) -> Result<std::vector<std::string>> {
    return fail("repository.resolve", "cannot resolve s3.example.internal: Name or service not known");
  });
  EXPECT_EQ(none.state, PostureState::kUnknown);
  auto loopback = resolve_host("localhost");  // the real resolver, on a name every host has
  ASSERT_TRUE(loopback) << loopback.error().describe();
  ASSERT_FALSE(loopback->empty());
  for (const auto& a : *loopback) EXPECT_TRUE(is_private_address(a)) << a;
}

TEST(SecurityDocumentsTest, AVpcEndpointIdAddsTheSourceVpceCondition) {
  model::Repository repo{*RepositoryName::parse("main"), "s3a://acme/prod", "https://s3.eu-west-1.amazonaws.com", "",
                           model::CredentialsKind::kEnvironment, std::nullopt, {}, {}, {}};
  repo.vpc_endpoint = "vpce-0a1b2c3d4e5f67890";
  auto doc = security_documents(repo, Duration::from_days(30));
  ASSERT_TRUE(doc) << doc.error().describe();
  const nlohmann::json& statements = doc->at("bucket_policy").at("Statement");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[1].at("Condition").at("StringNotEquals").at("aws:SourceVpce"), "vpce-0a1b2c3d4e5f67890");
  EXPECT_EQ(statements[1].at("Effect"), "Deny");
  expect_golden("vpce_bucket_policy.json", json_text(doc->at("bucket_policy"), 2) + "\n");
  repo.vpc_endpoint.reset();
  EXPECT_EQ(security_documents(repo, Duration::from_days(30))->at("bucket_policy").at("Statement").size(), 1u);
}

}  // namespace
}  // namespace sk::repository
