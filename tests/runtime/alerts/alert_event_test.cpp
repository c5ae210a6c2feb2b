// AlertEvent wire forms (Alertmanager v2, generic webhook, environment), the fingerprint, and HttpTarget's
// URL rules (HTTPS only except loopback; redacted display).
#include "runtime/alerts/alert_event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runtime/alerts/http_target.h"
#include "test_support.h"

namespace sk::alerts {
namespace {

using nlohmann::json;
using testing::sample_event;

// The snapshot label is an annotation, not a label: Alertmanager's identity of a failed backup is the database and
// tier, so that the next good backup of them (another label) resolves it (issue 13 item 4).
TEST(AlertmanagerPayload, IsAV2PostableAlertsArrayWithIdentityLabelsAndAnnotations) {
  const AlertEvent e = sample_event();
  const json expected = json::parse(R"([{
    "labels": {"alertname": "job_failed", "severity": "critical", "policy": "production", "database": "sales",
               "tier": "daily"},
    "annotations": {"summary": "Job sales_20250914_inc on database sales (tier daily) ended CANCELLED",
                    "description": "repository s3_prod: access denied", "run_id": "run-42", "job_id": "10086",
                    "snapshot_label": "sales_20250914_inc", "fingerprint": ")" +
                                    e.fingerprint() + R"("},
    "startsAt": "2025-09-14T01:00:00Z",
    "generatorURL": "https://ops.example.com/starkeep"
  }])");
  EXPECT_EQ(json::parse(alertmanager_payload(e, "https://ops.example.com/starkeep")), expected);
}

TEST(AlertmanagerPayload, EndsAtOnlyWhenKnownAndGeneratorUrlOnlyWhenSet) {
  AlertEvent e = sample_event();
  json a = json::parse(alertmanager_payload(e, ""))[0];
  EXPECT_FALSE(a.contains("endsAt"));
  EXPECT_FALSE(a.contains("generatorURL"));
  e.ends_at = Instant::from_unix_seconds(1'757'815'200);
  a = json::parse(alertmanager_payload(e, ""))[0];
  EXPECT_EQ(a["endsAt"], "2025-09-14T02:00:00Z");
}

TEST(AlertmanagerPayload, LeavesOutAbsentLabelsAndAllValuesAreStrings) {
  AlertEvent e = sample_event();
  e.labels.database.reset();
  e.labels.label.reset();
  e.labels.job_id.reset();
  e.labels.repository = testing::must(RepositoryName::parse("s3_prod"));
  const json a = json::parse(alertmanager_payload(e, ""))[0];
  EXPECT_FALSE(a["labels"].contains("database"));
  EXPECT_FALSE(a["labels"].contains("snapshot_label"));
  EXPECT_FALSE(a["annotations"].contains("snapshot_label"));
  EXPECT_FALSE(a["annotations"].contains("job_id"));
  EXPECT_EQ(a["labels"]["repository"], "s3_prod");
  for (const auto& [k, v] : a["labels"].items()) EXPECT_TRUE(v.is_string()) << k;
  for (const auto& [k, v] : a["annotations"].items()) EXPECT_TRUE(v.is_string()) << k;
}

TEST(Payloads, SecretsInFreeTextAreRedacted) {
  AlertEvent e = sample_event();
  e.summary = "CREATE REPOSITORY failed: \"aws.s3.secret_key\" = \"wJalrXUtnFEMI\"";
  e.description = "connect https://admin:hunter2@s3.internal/bucket failed; IDENTIFIED BY 'pw1234'";
  for (const std::string& text : {alertmanager_payload(e, ""), webhook_payload(e)}) {
    EXPECT_EQ(text.find("wJalrXUtnFEMI"), std::string::npos) << text;
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    EXPECT_EQ(text.find("pw1234"), std::string::npos) << text;
    EXPECT_NE(text.find("<redacted>"), std::string::npos) << text;
  }
  for (const auto& [k, v] : environment(e)) {
    EXPECT_EQ(v.find("hunter2"), std::string::npos) << k;
    EXPECT_EQ(v.find("wJalrXUtnFEMI"), std::string::npos) << k;
  }
}

TEST(Payloads, HugeTextIsBoundedAtWhitespaceAndStillRedacted) {
  AlertEvent e = sample_event();
  // The URL with credentials straddles the limit: it must be dropped whole, never cut open.
  e.description =
      std::string(kMaxDescriptionBytes - 20, 'a') + " https://u:longsecretpassword@host/x and more";
  const json hook = json::parse(webhook_payload(e));
  const std::string d = hook["description"];
  EXPECT_LE(d.size(), kMaxDescriptionBytes + 20);
  EXPECT_TRUE(d.ends_with(" [truncated]")) << d.substr(d.size() - 40);
  EXPECT_EQ(d.find("longsecret"), std::string::npos);
  e.summary = std::string(100000, 's');  // one giant token: nothing of it is kept
  EXPECT_EQ(json::parse(alertmanager_payload(e, ""))[0]["annotations"]["summary"], " [truncated]");
}

TEST(Payloads, InvalidUtf8InServerTextDoesNotThrow) {
  AlertEvent e = sample_event();
  e.description = "bad \xff\xfe bytes";
  json am, hook;
  EXPECT_NO_THROW(am = json::parse(alertmanager_payload(e, "")));
  EXPECT_NO_THROW(hook = json::parse(webhook_payload(e)));
  EXPECT_TRUE(hook["description"].get<std::string>().starts_with("bad "));
}

TEST(WebhookPayload, DocumentedSchema) {
  const AlertEvent e = sample_event();
  const json expected = json::parse(R"({
    "version": "1", "source": "starkeep", "alert": "job_failed", "severity": "critical", "status": "firing",
    "summary": "Job sales_20250914_inc on database sales (tier daily) ended CANCELLED",
    "description": "repository s3_prod: access denied",
    "labels": {"policy": "production", "run_id": "run-42", "database": "sales", "tier": "daily",
               "label": "sales_20250914_inc", "job_id": "10086"},
    "starts_at": "2025-09-14T01:00:00Z", "ends_at": null, "fingerprint": ")" +
                                    e.fingerprint() + R"("})");
  EXPECT_EQ(json::parse(webhook_payload(e)), expected);
  AlertEvent resolved = e;
  resolved.ends_at = Instant::from_unix_seconds(1'757'815'200);
  const json r = json::parse(webhook_payload(resolved));
  EXPECT_EQ(r["status"], "resolved");
  EXPECT_EQ(r["ends_at"], "2025-09-14T02:00:00Z");
}

TEST(Environment, CarriesEveryPresentField) {
  const auto env = environment(sample_event());
  const auto get = [&](std::string_view key) -> std::string {
    for (const auto& [k, v] : env) {
      if (k == key) return v;
    }
    return "<absent>";
  };
  EXPECT_EQ(get("STARKEEP_ALERT_NAME"), "job_failed");
  EXPECT_EQ(get("STARKEEP_ALERT_SEVERITY"), "critical");
  EXPECT_EQ(get("STARKEEP_ALERT_DATABASE"), "sales");
  EXPECT_EQ(get("STARKEEP_ALERT_TIER"), "daily");
  EXPECT_EQ(get("STARKEEP_ALERT_LABEL"), "sales_20250914_inc");
  EXPECT_EQ(get("STARKEEP_ALERT_JOB_ID"), "10086");
  EXPECT_EQ(get("STARKEEP_ALERT_RUN_ID"), "run-42");
  EXPECT_EQ(get("STARKEEP_ALERT_POLICY"), "production");
  EXPECT_EQ(get("STARKEEP_ALERT_STARTS_AT"), "2025-09-14T01:00:00Z");
  EXPECT_EQ(get("STARKEEP_ALERT_ENDS_AT"), "<absent>");
  EXPECT_EQ(get("STARKEEP_ALERT_REPOSITORY"), "<absent>");
  EXPECT_EQ(get("STARKEEP_ALERT_FINGERPRINT"), sample_event().fingerprint());
}

TEST(Environment, LongValuesAreCutAtACharacterBoundary) {
  AlertEvent e = sample_event();
  e.description =
      std::string(kMaxEnvValueBytes - 2, 'x') + "\u00e9\u00e9\u00e9";  // 2-byte characters at the cut
  for (const auto& [k, v] : environment(e)) {
    if (k != "STARKEEP_ALERT_DESCRIPTION") continue;
    EXPECT_LE(v.size(), kMaxEnvValueBytes);
    EXPECT_TRUE(v.ends_with("x\u2026")) << v.substr(v.size() - 8);
    EXPECT_NO_THROW((void)nlohmann::json(v).dump());  // still valid UTF-8
    return;
  }
  FAIL() << "no STARKEEP_ALERT_DESCRIPTION";
}

TEST(Fingerprint, IdentifiesTheAlertNotTheRunOrTheText) {
  const AlertEvent e = sample_event();
  EXPECT_EQ(e.fingerprint().size(), 16u);
  EXPECT_EQ(e.fingerprint().find_first_not_of("0123456789abcdef"), std::string::npos);
  AlertEvent other_run = e;
  other_run.labels.run_id = "run-43";
  other_run.labels.job_id = "10087";
  other_run.summary = "different text";
  other_run.starts_at = Instant::from_unix_seconds(0);
  EXPECT_EQ(other_run.fingerprint(), e.fingerprint());
  AlertEvent other_db = e;
  other_db.labels.database = testing::must(DatabaseName::parse("crm"));
  EXPECT_NE(other_db.fingerprint(), e.fingerprint());
  AlertEvent other_alert = e;
  other_alert.name = testing::must(AlertName::parse("overrun"));
  EXPECT_NE(other_alert.fingerprint(), e.fingerprint());
  // Field boundaries matter: ("ab", "c") and ("a", "bc") differ.
  AlertEvent a = e, b = e;
  a.labels.policy = "ab";
  a.labels.database = testing::must(DatabaseName::parse("c"));
  b.labels.policy = "a";
  b.labels.database = testing::must(DatabaseName::parse("bc"));
  EXPECT_NE(a.fingerprint(), b.fingerprint());
}

TEST(HttpTarget, HttpsAnywhereHttpOnlyToLoopback) {
  EXPECT_TRUE(HttpTarget::parse("https://alertmanager.internal:9093/api/v2/alerts"));
  EXPECT_TRUE(HttpTarget::parse("HTTPS://hooks.example.com"));
  for (const char* ok :
       {"http://127.0.0.1:9093/x", "http://127.1.2.3/x", "http://localhost:8080", "http://[::1]:80/"}) {
    auto t = HttpTarget::parse(ok);
    ASSERT_TRUE(t) << ok << ": " << t.error().message;
    EXPECT_TRUE(t->loopback()) << ok;
    EXPECT_FALSE(t->https()) << ok;
  }
  for (const char* bad :
       {"http://alertmanager.internal:9093/api/v2/alerts", "http://10.0.0.1/x", "http://127.0.0.1.evil.com/x",
        "http://128.0.0.1/", "ftp://127.0.0.1/", "hooks.example.com", "https://", "https://host:0/",
        "https://host:99999/", "https://host:/", "https://ho st/", "https://host/a\nb"}) {
    auto t = HttpTarget::parse(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, "alerts.url") << bad;
  }
}

TEST(HttpTarget, RedactedFormHidesPasswordAndQuery) {
  auto t = HttpTarget::parse("https://bot:s3cr3t@hooks.example.com:8443/services/hook?token=abc&x=1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->redacted(), "https://bot:<redacted>@hooks.example.com:8443/services/hook?<redacted>");
  EXPECT_EQ(t->url(), "https://bot:s3cr3t@hooks.example.com:8443/services/hook?token=abc&x=1");
  auto bad = HttpTarget::parse("http://bot:s3cr3t@remote.example.com/");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("s3cr3t"), std::string::npos) << bad.error().message;
}

TEST(HttpTarget, DefaultPathOnlyReplacesAnEmptyPath) {
  EXPECT_EQ(testing::must(HttpTarget::parse("https://am:9093")).with_default_path("/api/v2/alerts").url(),
            "https://am:9093/api/v2/alerts");
  EXPECT_EQ(testing::must(HttpTarget::parse("https://am:9093/")).with_default_path("/api/v2/alerts").url(),
            "https://am:9093/api/v2/alerts");
  EXPECT_EQ(testing::must(HttpTarget::parse("https://am:9093/prefix/api/v2/alerts"))
                .with_default_path("/api/v2/alerts")
                .url(),
            "https://am:9093/prefix/api/v2/alerts");
}

}  // namespace
}  // namespace sk::alerts
