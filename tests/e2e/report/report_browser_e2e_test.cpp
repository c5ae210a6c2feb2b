// End to end: `starkeep report` (the real binary) over an emulator-backed history — a simulated Sunday (monthly
// baseline covering the weekly), Monday and Tuesday (dailies) backed up by `starkeep run`, the three drills run by
// `starkeep drill`, the inventory synced — opened in Debian's headless Chromium (/usr/bin/chromium, offline: every
// host name resolves to nothing, a fresh profile). Checks:
//  * the page loads without any console message (a control page that logs an error proves the check sees one);
//  * the KPI figures in the DOM (data-* attributes) equal figures this test computes itself from the ops rows it
//    reads with its own SQL: success rate, finished/terminal counts, GB per minute, p50/p95 latency (nearest rank
//    of finish − submission), the window, restore points with horizon and latest instant, drill verdicts, coverage;
//  * every chart has a title and titled x and y axes;
//  * nothing overflows horizontally at phone (375 px) or desktop (1280 px) width — measured by a probe script in a
//    COPY of the report loaded in iframes of those widths (the report itself has no script);
//  * screenshots at 1280×900 and 375×800 are PNG files of exactly that size (kept in the build directory).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "emulator/harness/gtest_fixture.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/fixtures.h"
#include "tests/support/gtest_sql.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

#ifndef SK_REPORT_ARTIFACTS_DIR
#error "SK_REPORT_ARTIFACTS_DIR must name the directory screenshots are kept in"
#endif

namespace sk {
namespace {

namespace fs = std::filesystem;
using namespace sk::cli;  // NOLINT: kExit… (tools/starkeep/exit_codes.h)
using test::cell;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kFrom = "2025-06-30T00:00:00Z";
constexpr std::int64_t kRetainSeconds = 3650LL * 86400;  // every tier of policies/report.skp

// "2025-07-06 01:00:00" (a DATETIME as the ops tables hold it, UTC) → Unix seconds; -1 for NULL.
std::int64_t unix_of(const std::string& text) {
  if (text.size() < 19) return -1;
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &tm)) return -1;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string iso_of(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The attributes of the element whose id is `id` in the dumped DOM.
std::map<std::string, std::string> attributes(const std::string& dom, const std::string& id) {
  std::map<std::string, std::string> out;
  const std::size_t at = dom.find(" id=\"" + id + "\"");
  if (at == std::string::npos) return out;
  const std::size_t begin = dom.rfind('<', at), end = dom.find('>', at);
  const std::string tag = dom.substr(begin, end - begin);
  const std::regex attr(R"re(([a-z0-9-]+)="([^"]*)")re");
  for (auto it = std::sregex_iterator(tag.begin(), tag.end(), attr); it != std::sregex_iterator(); ++it) {
    out[(*it)[1]] = (*it)[2];
  }
  return out;
}

// The ⌈p·n/100⌉-th smallest.
std::int64_t nearest_rank(std::vector<std::int64_t> v, int p) {
  std::sort(v.begin(), v.end());
  const std::size_t rank = std::max<std::size_t>(1, (static_cast<std::size_t>(p) * v.size() + 99) / 100);
  return v[rank - 1];
}

// The figures of one tier, computed here from backup_history rows.
struct Expected {
  std::size_t terminal = 0, finished = 0;
  std::int64_t bytes = 0, seconds = 0;
  std::size_t transfers = 0;
  std::vector<std::int64_t> latencies;
};

class ReportBrowserE2e : public emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--time-scale", "50"}); }

  void SetUp() override {
    ClusterFixture::SetUp();
    ASSERT_TRUE(fs::exists(kChromium)) << kChromium << " is missing: install Debian's chromium (scripts/lib.sh)";
    dir_ = fs::temp_directory_path() / fmt::format("starkeep-report-e2e-{}", ::getpid());
    fs::create_directories(dir_);
    processes_ = std::make_unique<test::Processes>(dir_);
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
  }
  void TearDown() override {
    processes_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void exec(const std::string& sql) { test::exec_ok(*sql_, sql); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql); }

  test::Finished starkeep(const std::string& args) {
    std::vector<std::string> argv{test::starkeep_binary()};
    for (auto& a : test::split_args(args)) argv.push_back(std::move(a));
    for (const std::string& a : {std::string("--host"), std::string("127.0.0.1"), std::string("--port"),
                                 std::to_string(cluster().emulator().port()), std::string("--user"), std::string("root")})
      argv.push_back(a);
    return processes_->run(argv);
  }

  // Headless Chromium, offline, with a fresh profile; `args` after the common flags.
  test::Finished chromium(const std::vector<std::string>& args) {
    std::vector<std::string> argv{kChromium,
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--no-first-run",
                                  "--disable-extensions",
                                  "--disable-background-networking",
                                  "--host-resolver-rules=MAP * ~NOTFOUND",
                                  "--hide-scrollbars",
                                  "--user-data-dir=" + (dir_ / fmt::format("profile{}", ++profiles_)).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return processes_->run(argv, {}, std::chrono::seconds(120));
  }

  // The DOM after load, and every console line Chromium logged while loading `page`.
  std::pair<std::string, std::vector<std::string>> load(const fs::path& page, const std::string& window) {
    auto r = chromium({"--enable-logging=stderr", "--v=0", "--window-size=" + window, "--virtual-time-budget=5000",
                       "--dump-dom", "file://" + page.string()});
    EXPECT_EQ(r.code, 0) << r.describe();
    std::vector<std::string> console;
    std::istringstream lines(r.err);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(":CONSOLE") != std::string::npos || line.find("net::ERR") != std::string::npos) {
        console.push_back(line);
      }
    }
    return {r.out, console};
  }

  fs::path dir_;
  int profiles_ = 0;
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::ClusterSql> sql_;

  void make_history();
  std::map<std::string, Expected> expected_tiers(std::int64_t to);
  void check_kpis(const std::string& dom, std::int64_t to);
  void check_restore_points_drills_coverage(const std::string& dom, std::int64_t to);
  void check_no_overflow(const fs::path& report);
  void check_screenshots(const fs::path& report);
};

// Three simulated days of backups and the three drills, as the drill end-to-end test does them.
void ReportBrowserE2e::make_history() {
  exec("CREATE DATABASE shop");
  exec("CREATE TABLE shop.orders (id BIGINT NOT NULL, dt DATE, amount INT) DUPLICATE KEY(id) PARTITION BY RANGE(dt) ("
       "PARTITION p1 VALUES LESS THAN ('2025-06-01'), PARTITION p2 VALUES LESS THAN ('2025-07-01'), "
       "PARTITION p3 VALUES LESS THAN ('2025-08-01')) DISTRIBUTED BY HASH(id) BUCKETS 2 "
       "PROPERTIES ('replication_num' = '1')");
  exec("CREATE TABLE shop.customers (id INT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
       "BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec("INSERT INTO shop.orders VALUES (1, '2025-05-05', 10), (2, '2025-06-06', NULL), (3, '2025-07-01', 30)");
  exec("INSERT INTO shop.customers VALUES (1, 'ann'), (2, 'zoë')");
  exec("CREATE REPOSITORY report_repo WITH BROKER ON LOCATION 's3a://report-bucket/prod' "
       "PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')");
  auto policy = test::load_fixture("policies/report.skp", {{"database", "shop"},
                                                           {"repository", "report_repo"},
                                                           {"location", "s3a://report-bucket/prod"}});
  ASSERT_TRUE(policy) << policy.error().describe();
  std::ofstream(dir_ / "policy.skp") << *policy;
  std::ofstream(dir_ / "inventory.json") << R"({"inventory_version": 1, "tables": [
    {"database": "shop", "table": "orders", "class": "fact", "partitioned": true},
    {"database": "shop", "table": "customers", "class": "dimension", "partitioned": false}]}
)";
  const std::string p = (dir_ / "policy.skp").string(), inv = (dir_ / "inventory.json").string();
  int id = 10;
  for (const char* at : {"2025-07-06T01:05:00Z", "2025-07-07T01:05:00Z", "2025-07-08T01:05:00Z"}) {
    auto run = starkeep(fmt::format("run --policy {} --inventory {} --at {} --poll-initial-ms 100", p, inv, at));
    ASSERT_EQ(run.code, kExitOk) << run.describe();
    exec(fmt::format("INSERT INTO shop.orders VALUES ({}, '2025-07-02', 1)", ++id));  // the next daily's change
  }
  auto drill = starkeep(fmt::format("drill --policy {} --at 2025-07-08T10:00:00Z --poll-initial-ms 100", p));
  ASSERT_EQ(drill.code, kExitOk) << drill.describe();
  auto sync = starkeep(fmt::format("inventory sync --policy {}", p));
  ASSERT_EQ(sync.code, kExitOk) << sync.describe();
}

std::map<std::string, Expected> ReportBrowserE2e::expected_tiers(std::int64_t to) {
  const std::set<std::string> terminal{"FINISHED", "CANCELLED", "REJECTED", "LOST"};
  auto rows = query("SELECT tiers, state, slot_utc, submitted_at_utc, started_at_utc, finished_at_utc, bytes, "
                    "updated_at_utc FROM ops.backup_history");
  std::map<std::string, Expected> out;
  const std::int64_t from = unix_of("2025-06-30 00:00:00");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string slot = cell(rows, i, "slot_utc"), sub = cell(rows, i, "submitted_at_utc");
    const std::int64_t when = unix_of(slot) >= 0 ? unix_of(slot) : unix_of(sub) >= 0 ? unix_of(sub)
                                                                                      : unix_of(cell(rows, i, "updated_at_utc"));
    if (when < from || when >= to) continue;
    const std::string state = cell(rows, i, "state");
    std::stringstream tiers(cell(rows, i, "tiers"));
    for (std::string tier; std::getline(tiers, tier, ',');) {
      Expected& e = out[tier];
      if (!terminal.contains(state)) continue;
      ++e.terminal;
      if (state != "FINISHED") continue;
      ++e.finished;
      const std::int64_t s = unix_of(sub), st = unix_of(cell(rows, i, "started_at_utc")),
                         f = unix_of(cell(rows, i, "finished_at_utc"));
      const std::string bytes = cell(rows, i, "bytes");
      if (f >= 0 && (s >= 0 ? s : st) >= 0) e.latencies.push_back(f - (s >= 0 ? s : st));
      if (bytes != "<NULL>" && st >= 0 && f >= st) {
        e.bytes += std::stoll(bytes);
        e.seconds += f - st;
        ++e.transfers;
      }
    }
  }
  return out;
}

void ReportBrowserE2e::check_kpis(const std::string& dom, std::int64_t to) {
  const std::map<std::string, std::int64_t> window{{"daily", 7200}, {"weekly", 14400}, {"monthly", 28800}};
  const std::map<std::string, Expected> expected = expected_tiers(to);
  ASSERT_FALSE(expected.empty());
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    auto a = attributes(dom, fmt::format("kpi-{}", i));
    ASSERT_FALSE(a.empty()) << "kpi-" << i;
    const std::string tier = a["data-tier"];
    seen.insert(tier);
    SCOPED_TRACE(tier);
    const Expected& e = expected.at(tier);
    ASSERT_GT(e.terminal, 0u);
    EXPECT_EQ(a["data-terminal"], std::to_string(e.terminal));
    EXPECT_EQ(a["data-finished"], std::to_string(e.finished));
    EXPECT_EQ(a["data-success-rate"], fmt::format("{:.2f}", 100.0 * static_cast<double>(e.finished) /
                                                                static_cast<double>(e.terminal)));
    EXPECT_EQ(a["data-window-seconds"], std::to_string(window.at(tier)));
    ASSERT_FALSE(e.latencies.empty());
    EXPECT_EQ(a["data-p50-seconds"], std::to_string(nearest_rank(e.latencies, 50)));
    EXPECT_EQ(a["data-p95-seconds"], std::to_string(nearest_rank(e.latencies, 95)));
    const std::string gbm = e.transfers > 0 && e.seconds > 0
                                ? fmt::format("{:.4f}", static_cast<double>(e.bytes) / 1e9 /
                                                            (static_cast<double>(e.seconds) / 60.0))
                                : "";
    EXPECT_EQ(a["data-gb-per-minute"], gbm);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"daily", "weekly", "monthly"}));
}

void ReportBrowserE2e::check_restore_points_drills_coverage(const std::string& dom, std::int64_t to) {
  // Restore points: FINISHED backups finished by `to` whose retention (3650 days from the slot) outlasts `to`.
  auto rows = query("SELECT slot_utc, finished_at_utc FROM ops.backup_history WHERE database_name = 'shop' AND "
                    "state = 'FINISHED'");
  std::vector<std::int64_t> points;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::int64_t f = unix_of(cell(rows, i, "finished_at_utc")), slot = unix_of(cell(rows, i, "slot_utc"));
    if (f <= to && (slot >= 0 ? slot : f) + kRetainSeconds > to) points.push_back(f);
  }
  ASSERT_EQ(points.size(), 3u);
  std::map<std::string, std::string> r;
  for (int i = 0; i < 8 && r.empty(); ++i) {
    auto row = attributes(dom, fmt::format("restore-{}", i));
    if (row["data-database"] == "shop") r = row;
  }
  EXPECT_EQ(r["data-database"], "shop");
  EXPECT_EQ(r["data-restore-points"], std::to_string(points.size()));
  EXPECT_EQ(r["data-horizon"], iso_of(*std::min_element(points.begin(), points.end())));
  EXPECT_EQ(r["data-latest"], iso_of(*std::max_element(points.begin(), points.end())));

  auto drills = query("SELECT drill_name, verification FROM ops.restore_history WHERE kind = 'drill'");
  std::multiset<std::string> expected, shown;
  for (std::size_t i = 0; i < drills.size(); ++i) {
    expected.insert(cell(drills, i, "drill_name") + "=" + cell(drills, i, "verification"));
    auto d = attributes(dom, fmt::format("drill-{}", i));
    shown.insert(d["data-drill"] + "=" + d["data-verdict"]);
  }
  EXPECT_EQ(expected.size(), 3u);
  EXPECT_EQ(shown, expected);
  EXPECT_TRUE(attributes(dom, fmt::format("drill-{}", drills.size())).empty());

  const std::string tables =
      cell(query("SELECT COUNT(*) AS n FROM ops.table_inventory WHERE database_name = 'shop'"), 0, "n");
  auto c = attributes(dom, "coverage-status");
  EXPECT_EQ(c["data-inventory"], "true");
  EXPECT_EQ(c["data-tables"], tables);
  EXPECT_EQ(c["data-covered"], tables);  // the monthly tier backs up the whole database
  EXPECT_EQ(attributes(dom, "repository-status")["data-checked"], "true");
}

// A copy of the report with a probe script, in iframes 375 and 1280 pixels wide: each frame posts its document's
// scrollWidth and clientWidth and the ids of charts, sections and cards that reach past the right edge.
void ReportBrowserE2e::check_no_overflow(const fs::path& report) {
  std::string html = test::slurp(report);
  const std::string probe =
      "<script>window.addEventListener('load',function(){var d=document.documentElement,bad=[];"
      "document.querySelectorAll('svg.chart,section,.scroll,.card,header,footer').forEach(function(e){"
      "if(e.getBoundingClientRect().right>d.clientWidth+0.5)bad.push(e.id||e.className||e.tagName);});"
      "parent.postMessage(JSON.stringify({w:window.innerWidth,scroll:d.scrollWidth,client:d.clientWidth,bad:bad}),"
      "'*');});</script>";
  const std::size_t body = html.rfind("</body>");
  ASSERT_NE(body, std::string::npos);
  html.insert(body, probe);
  std::ofstream(dir_ / "probe.html") << html;
  std::ofstream(dir_ / "frames.html")
      << "<!DOCTYPE html><html><body><pre id='r375'>pending</pre><pre id='r1280'>pending</pre><script>"
         "addEventListener('message',function(e){var m=JSON.parse(e.data);"
         "document.getElementById('r'+m.w).textContent=e.data;});</script>"
         "<iframe src='probe.html' style='width:375px;height:800px;border:0'></iframe>"
         "<iframe src='probe.html' style='width:1280px;height:900px;border:0'></iframe></body></html>";
  auto [dom, console] = load(dir_ / "frames.html", "1400,1000");
  EXPECT_TRUE(console.empty()) << console.front();
  for (const char* width : {"375", "1280"}) {
    const std::regex pre(fmt::format("<pre id=\"r{}\">([^<]*)</pre>", width));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(dom, m, pre)) << width;
    std::string text = m[1];
    text = std::regex_replace(text, std::regex("&quot;"), "\"");
    ASSERT_NE(text, "pending") << "the probe did not report at width " << width;
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["client"].get<int>(), std::stoi(width)) << text;
    EXPECT_LE(j["scroll"].get<int>(), j["client"].get<int>()) << "horizontal overflow at " << width << ": " << text;
    EXPECT_TRUE(j["bad"].empty()) << "past the right edge at " << width << ": " << text;
  }
}

void ReportBrowserE2e::check_screenshots(const fs::path& report) {
  const fs::path artifacts(SK_REPORT_ARTIFACTS_DIR);
  fs::create_directories(artifacts);
  for (auto [name, w, h] : {std::tuple{"report-desktop.png", 1280, 900}, std::tuple{"report-phone.png", 375, 800}}) {
    const fs::path png = artifacts / name;
    fs::remove(png);
    auto r = chromium({fmt::format("--window-size={},{}", w, h), "--screenshot=" + png.string(),
                       "file://" + report.string()});
    ASSERT_EQ(r.code, 0) << r.describe();
    const std::string data = test::slurp(png);
    ASSERT_GT(data.size(), 24u) << png;
    EXPECT_EQ(data.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << png;
    const auto be32 = [&](std::size_t at) {
      return (static_cast<unsigned>(static_cast<unsigned char>(data[at])) << 24) |
             (static_cast<unsigned>(static_cast<unsigned char>(data[at + 1])) << 16) |
             (static_cast<unsigned>(static_cast<unsigned char>(data[at + 2])) << 8) |
             static_cast<unsigned>(static_cast<unsigned char>(data[at + 3]));
    };
    EXPECT_EQ(data.substr(12, 4), "IHDR");
    EXPECT_EQ(be32(16), static_cast<unsigned>(w)) << png;
    EXPECT_EQ(be32(20), static_cast<unsigned>(h)) << png;
  }
}

TEST_F(ReportBrowserE2e, ReportOpensWithoutConsoleErrorsShowsTheOpsFiguresAndFitsPhoneAndDesktop) {
  make_history();
  if (HasFatalFailure()) return;
  // The control: a page that logs an error is seen, so an empty list below means something.
  std::ofstream(dir_ / "control.html") << "<!DOCTYPE html><html><body><script>console.error('control-error')"
                                          "</script></body></html>";
  auto control = load(dir_ / "control.html", "800,600").second;
  ASSERT_EQ(control.size(), 1u);
  EXPECT_NE(control.front().find("control-error"), std::string::npos);

  const std::int64_t to = static_cast<std::int64_t>(std::time(nullptr)) + 3600;
  const fs::path report = dir_ / "report.html";
  auto r = starkeep(fmt::format("report --policy {} --out {} --from {} --to {} --format json",
                                (dir_ / "policy.skp").string(), report.string(), kFrom, iso_of(to)));
  ASSERT_EQ(r.code, kExitOk) << r.describe();
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["to"], iso_of(to));
  const std::string html = test::slurp(report);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_LT(html.size(), 2u * 1024 * 1024);

  auto [dom, console] = load(report, "1280,900");
  EXPECT_TRUE(console.empty()) << console.front();
  check_kpis(dom, to);
  check_restore_points_drills_coverage(dom, to);
  // Every chart: a title and both axis titles, non-empty.
  const std::regex svg("<svg [^>]*class=\"chart\"[\\s\\S]*?</svg>");
  const std::regex x_title("<text [^>]*data-axis=\"x\"[^>]*>[^<]+</text>"), y_title(
                                                                             "<text [^>]*data-axis=\"y\"[^>]*>[^<]+</text>");
  std::size_t charts = 0;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), svg); it != std::sregex_iterator(); ++it, ++charts) {
    const std::string s = it->str();
    EXPECT_TRUE(std::regex_search(s, x_title)) << s.substr(0, 200);
    EXPECT_TRUE(std::regex_search(s, y_title)) << s.substr(0, 200);
    EXPECT_TRUE(std::regex_search(s, std::regex("<title[^>]*>[^<]+</title>"))) << s.substr(0, 200);
  }
  EXPECT_EQ(charts, 4u);
  check_no_overflow(report);
  check_screenshots(report);
}

}  // namespace
}  // namespace sk
