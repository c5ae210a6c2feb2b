// Issue 13 item 4: a real Alertmanager (Debian `prometheus-alertmanager`) on loopback, started per test on a free
// port with its own data directory, routing every alert to a webhook receiver in this test (a small HTTP listener
// that records what it gets; group_wait 1s, send_resolved). `starkeep run` (the real binary, emulator with faults)
// notifies it through the policy's `format = alertmanager` notifier (POST /api/v2/alerts): a failed job, a
// repository outage and a low snapshot disk reach the webhook grouped by alertname and policy, with the policy's
// labels and the summary/description annotations, and are resolved (endsAt, status "resolved") by the next good
// run; an Alertmanager that is down is logged and never changes the run's exit code.
#include <gtest/gtest.h>

#include <curl/curl.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/run_fixture.h"
#include "tests/runtime/alerts/http_receiver.h"

namespace sk::e2e {
namespace {

using nlohmann::json;
using alerts::testing::HttpReceiver;

// GET url → HTTP status (0 when nothing answers).
long http_get_status(const std::string& url) {
  CURL* h = curl_easy_init();
  if (h == nullptr) return 0;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  long status = 0;
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return status;
}

// The value of the sample line `series value` in an exposition text (series with its labels), if present.
std::optional<double> sample_value(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + series.size() + 2));
}

// One alert of a webhook notification, with the notification's status and group labels.
struct Notified {
  std::string status;  // of the notification: firing or resolved
  json group_labels;
  json alert;          // {status, labels, annotations, startsAt, endsAt, ...}
};

class AlertmanagerE2e : public RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    am_port_ = alerts::testing::closed_port();
    fs::create_directories(dir_ / "am-data");
    std::ofstream(dir_ / "alertmanager.yml") << fmt::format(R"(route:
  receiver: hook
  group_by: ['alertname', 'policy']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: '{}'
        send_resolved: true
)",
                                                            hook_.url("/hook"));
    am_ = spawn({"/usr/bin/prometheus-alertmanager", "--config.file=" + (dir_ / "alertmanager.yml").string(),
                 "--storage.path=" + (dir_ / "am-data").string(),
                 fmt::format("--web.listen-address=127.0.0.1:{}", am_port_), "--cluster.listen-address=",
                 "--log.level=warn"});
    const bool ready = eventually(
        [&] { return http_get_status(fmt::format("http://127.0.0.1:{}/-/ready", am_port_)) == 200; }, 30);
    ASSERT_TRUE(ready) << "Alertmanager did not become ready on port " << am_port_ << " (its output is in "
                       << dir_.string() << ")";
  }

  // The alert blocks of the policy, all to the Alertmanager notifier at `port`.
  static std::string alert_blocks(int port) {
    return fmt::format(R"(  alert "job_failed" {{ when = job.state in [CANCELLED, FAILED]; notify = "am"; severity = critical }}
  alert "repo_down"  {{ when = repository.unreachable; notify = "am"; severity = critical }}
  alert "disk_low"   {{ when = snapshot_disk_free < 15%; notify = "am" }}
  notifier "am" {{ webhook = "http://127.0.0.1:{}"; format = alertmanager }}
)",
                       port);
  }

  // Every alert the webhook got so far, one entry per alert of each notification, in order.
  std::vector<Notified> notified() const {
    std::vector<Notified> out;
    for (const auto& r : hook_.requests()) {
      const json body = json::parse(r.body, nullptr, false);
      if (body.is_discarded() || !body.contains("alerts")) continue;
      for (const auto& a : body.at("alerts")) {
        out.push_back({body.value("status", ""), body.value("groupLabels", json::object()), a});
      }
    }
    return out;
  }
  // The first alert named `alertname` whose own status is `status`, waited for (Alertmanager groups for 1s).
  std::optional<Notified> await_alert(const std::string& alertname, const std::string& status) {
    std::optional<Notified> found;
    eventually(
        [&] {
          for (const auto& n : notified()) {
            if (n.alert.at("labels").value("alertname", "") == alertname && n.alert.value("status", "") == status) {
              found = n;
              return true;
            }
          }
          return false;
        },
        30);
    return found;
  }
  std::string hook_log() const {
    std::string out;
    for (const auto& r : hook_.requests()) out += r.body + "\n";
    return out;
  }

  HttpReceiver hook_;
  int am_port_ = 0;
  Proc am_;
};

TEST_F(AlertmanagerE2e, AFailedJobReachesTheWebhookAndTheNextGoodRunResolvesIt) {
  make_cluster_data("amj", alert_blocks(am_port_));
  exec("ADMIN EMULATOR FAIL JOB AT UPLOADING IN DATABASE amj_a WITH STATUS 'injected upload failure'");
  const Finished failed = run(kMonday, {"--database", "amj_a"});
  ASSERT_EQ(failed.code, kExitJobFailed) << describe(failed);

  const auto firing = await_alert("job_failed", "firing");
  ASSERT_TRUE(firing) << "no firing job_failed at the webhook: " << hook_log() << describe(failed);
  EXPECT_EQ(firing->status, "firing");
  EXPECT_EQ(firing->group_labels, (json{{"alertname", "job_failed"}, {"policy", "e2e"}})) << "grouped by them";
  const json& labels = firing->alert.at("labels");
  EXPECT_EQ(labels.value("severity", ""), "critical");
  EXPECT_EQ(labels.value("database", ""), "amj_a");
  EXPECT_EQ(labels.value("tier", ""), "daily");
  EXPECT_FALSE(labels.contains("snapshot_label")) << "an annotation, so that another label resolves it";
  const json& annotations = firing->alert.at("annotations");
  EXPECT_EQ(annotations.value("summary", ""), "Job amj_a_20250915_inc on database amj_a (tier daily) ended CANCELLED");
  EXPECT_NE(annotations.value("description", "").find("injected upload failure"), std::string::npos);
  EXPECT_EQ(annotations.value("snapshot_label", ""), "amj_a_20250915_inc");
  EXPECT_FALSE(annotations.value("run_id", "").empty());

  const Finished retry = run(kMonday, {"--database", "amj_a"});
  ASSERT_EQ(retry.code, kExitOk) << describe(retry);
  const auto resolved = await_alert("job_failed", "resolved");
  ASSERT_TRUE(resolved) << "the good run did not resolve it: " << hook_log() << describe(retry);
  EXPECT_EQ(resolved->alert.at("labels"), labels) << "the same alert";
  EXPECT_EQ(resolved->status, "resolved");
  EXPECT_NE(resolved->alert.value("endsAt", ""), "0001-01-01T00:00:00Z");
}

TEST_F(AlertmanagerE2e, ARepositoryOutageReachesTheWebhookAndResolves) {
  make_cluster_data("amr", alert_blocks(am_port_));
  exec("ADMIN EMULATOR SET REPOSITORY amr_repo UNREACHABLE = true");
  const Finished down = run(kMonday);
  exec("ADMIN EMULATOR SET REPOSITORY amr_repo UNREACHABLE = false");
  ASSERT_EQ(down.code, kExitRepository) << describe(down);
  const auto firing = await_alert("repo_down", "firing");
  ASSERT_TRUE(firing) << hook_log() << describe(down);
  EXPECT_EQ(firing->group_labels, (json{{"alertname", "repo_down"}, {"policy", "e2e"}}));
  EXPECT_EQ(firing->alert.at("labels").value("repository", ""), "amr_repo");
  EXPECT_EQ(firing->alert.at("labels").value("severity", ""), "critical");
  EXPECT_EQ(firing->alert.at("annotations").value("summary", ""), "Repository amr_repo is unreachable");
  EXPECT_NE(firing->alert.at("annotations").value("description", "").find("Status Code: 503"), std::string::npos);

  const Finished good = run(kMonday);
  ASSERT_EQ(good.code, kExitOk) << describe(good);
  const auto resolved = await_alert("repo_down", "resolved");
  ASSERT_TRUE(resolved) << hook_log() << describe(good);
  EXPECT_EQ(resolved->alert.at("labels"), firing->alert.at("labels"));
}

TEST_F(AlertmanagerE2e, ALowSnapshotDiskReachesTheWebhookAndResolves) {
  make_cluster_data("amd", alert_blocks(am_port_));
  const auto disks = query("SHOW PROC '/backends/10001'");
  ASSERT_FALSE(disks.empty());
  const std::string root = *disks[0].at("RootPath");
  const fs::path prom = dir_ / "starkeep.prom";
  // Sunday's weekly creates the ops tables (a metrics file needs them: the first run of a cluster that fails its
  // pre-check writes none, docs/metrics.md).
  const Finished sunday = run(kSunday, {"--metrics-file", prom.string()});
  ASSERT_EQ(sunday.code, kExitOk) << describe(sunday);
  exec("ADMIN EMULATOR SET BACKEND 10001 DISK '" + root + "' AVAIL = 100000000000 TOTAL = 1000000000000");
  const Finished low = run(kMonday, {"--metrics-file", prom.string()});
  exec("ADMIN EMULATOR SET BACKEND 10001 DISK '" + root + "' AVAIL = 900000000000 TOTAL = 1000000000000");
  ASSERT_EQ(low.code, kExitPrecheck) << describe(low);
  // The disk metric (item 1): the pre-check's reading of backend 10001, and the minimum.
  // (The emulator adds the data the backups wrote to the disk's use, hence "near".)
  const std::string metrics = slurp(prom);
  EXPECT_NEAR(sample_value(metrics, "starkeep_snapshot_disk_free_ratio{backend=\"10001\"}").value_or(-1), 0.1, 0.001)
      << metrics;
  EXPECT_NEAR(sample_value(metrics, "starkeep_snapshot_disk_free_min_ratio").value_or(-1), 0.1, 0.001) << metrics;
  const auto firing = await_alert("disk_low", "firing");
  ASSERT_TRUE(firing) << hook_log() << describe(low);
  EXPECT_EQ(firing->group_labels, (json{{"alertname", "disk_low"}, {"policy", "e2e"}}));
  EXPECT_EQ(firing->alert.at("labels").value("backend", ""), "10001");
  EXPECT_EQ(firing->alert.at("labels").value("severity", ""), "warning");
  const std::string summary = firing->alert.at("annotations").value("summary", "");
  EXPECT_TRUE(summary.starts_with("Snapshot disk free space 9.99% is below 15% on backend 10001") ||
              summary.starts_with("Snapshot disk free space 10% is below 15% on backend 10001"))
      << summary;

  const Finished good = run(kMonday, {"--metrics-file", prom.string()});
  ASSERT_EQ(good.code, kExitOk) << describe(good);
  EXPECT_NEAR(sample_value(slurp(prom), "starkeep_snapshot_disk_free_ratio{backend=\"10001\"}").value_or(-1), 0.9,
              0.001)
      << slurp(prom);
  const auto resolved = await_alert("disk_low", "resolved");
  ASSERT_TRUE(resolved) << hook_log() << describe(good);
  EXPECT_EQ(resolved->alert.at("labels"), firing->alert.at("labels"));
}

// Alertmanager down: the same failed job exits 13 as without alerting, the failed delivery is logged, and the run
// does not hang on it.
TEST_F(AlertmanagerE2e, AnAlertmanagerThatIsDownIsLoggedAndNeverChangesTheExitCode) {
  make_cluster_data("amx", alert_blocks(alerts::testing::closed_port()));
  exec("ADMIN EMULATOR FAIL JOB AT UPLOADING IN DATABASE amx_a");
  const Finished failed = run(kMonday, {"--database", "amx_a"});
  EXPECT_EQ(failed.code, kExitJobFailed) << describe(failed);
  EXPECT_NE(failed.err.find("alert.failed"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("alerts.http_transport"), std::string::npos) << failed.err;
  const Finished good = run(kMonday, {"--database", "amx_a"});
  EXPECT_EQ(good.code, kExitOk) << describe(good) << " (a resolution that cannot be delivered changes nothing)";
}

}  // namespace
}  // namespace sk::e2e
