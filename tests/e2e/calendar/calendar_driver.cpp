#include "tests/e2e/calendar/calendar_driver.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sk::e2e::calendar {

namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

using test::slurp;

// Replaces the only occurrence of `from` in `text`; fails the test when it occurs zero or several times.
void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "production policy no longer contains: " << from;
  ASSERT_EQ(text.find(from, at + 1), std::string::npos) << "production policy contains twice: " << from;
  text.replace(at, from.size(), to);
}

std::string two(unsigned v) { return fmt::format("{:02}", v); }

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// SimDay

std::string SimDay::at() const {
  const year_month_day d{date};
  return fmt::format("{}-{}-{}T01:05:00Z", static_cast<int>(d.year()), two(static_cast<unsigned>(d.month())),
                     two(static_cast<unsigned>(d.day())));
}
std::string SimDay::compact() const {
  const year_month_day d{date};
  return fmt::format("{}{}{}", static_cast<int>(d.year()), two(static_cast<unsigned>(d.month())),
                     two(static_cast<unsigned>(d.day())));
}
std::string SimDay::iso_date() const {
  const year_month_day d{date};
  return fmt::format("{}-{}-{}", static_cast<int>(d.year()), two(static_cast<unsigned>(d.month())),
                     two(static_cast<unsigned>(d.day())));
}
std::string SimDay::slot_utc() const {
  const year_month_day d{date};
  return fmt::format("{}-{}-{} 01:00:00", static_cast<int>(d.year()), two(static_cast<unsigned>(d.month())),
                     two(static_cast<unsigned>(d.day())));
}
bool SimDay::sunday() const { return weekday{date} == Sunday; }
bool SimDay::first_sunday() const { return sunday() && static_cast<unsigned>(year_month_day{date}.day()) <= 7; }
std::string SimDay::suffix() const { return first_sunday() ? "base" : sunday() ? "full" : "inc"; }

std::vector<SimDay> make_calendar(int y, unsigned m, unsigned d, int count) {
  std::vector<SimDay> out;
  const sys_days first{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
  for (int i = 0; i < count; ++i) out.push_back(SimDay{i, first + days{i}});
  return out;
}


// ---------------------------------------------------------------------------------------------------------------
// AlertReceiver

bool AlertReceiver::start() {
  receiver_ = std::make_unique<alerts::testing::HttpReceiver>();
  taken_ = 0;
  return true;
}

void AlertReceiver::stop() { receiver_.reset(); }

std::uint16_t AlertReceiver::port() const {
  return receiver_ ? static_cast<std::uint16_t>(receiver_->port()) : 0;
}

std::vector<nlohmann::json> AlertReceiver::resolved() const {
  std::vector<nlohmann::json> out;
  if (!receiver_) return out;
  for (const auto& r : receiver_->requests()) {
    auto parsed = nlohmann::json::parse(r.body, nullptr, false);
    if (!parsed.is_array()) continue;
    for (auto& a : parsed) {
      if (a.contains("endsAt")) out.push_back(a);
    }
  }
  return out;
}

std::vector<nlohmann::json> AlertReceiver::take() {
  std::vector<nlohmann::json> alerts;
  if (!receiver_) return alerts;
  const auto requests = receiver_->requests();
  for (; taken_ < requests.size(); ++taken_) {
    const std::string& body = requests[taken_].body;
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_array()) {
      for (auto& a : parsed) {
        if (!a.contains("endsAt")) alerts.push_back(a);
      }
    } else {
      alerts.push_back(nlohmann::json{{"unparsed", body}});
    }
  }
  return alerts;
}

std::vector<std::string> AlertReceiver::request_lines() const {
  std::vector<std::string> lines;
  if (!receiver_) return lines;
  for (const auto& r : receiver_->requests()) lines.push_back(r.method + " " + r.target + " " + r.version);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// CalendarFixture: cluster, SQL

void CalendarFixture::start_calendar_cluster(const std::string& time_zone) {
  start_cluster({"--enable-faults", "--time-scale", "100", "--backends", "3", "--time-zone", time_zone,
                 "--disk-total", std::to_string(kDiskTotal), "--disk-avail", std::to_string(kDiskAvail)});
}

void CalendarFixture::start_calendar_cluster_on_s3(const std::string& time_zone, const std::string& version,
                                                   const std::string& bucket) {
  start_cluster_on_s3({"--enable-faults", "--time-scale", "1000", "--backends", "3", "--time-zone", time_zone,
                       "--disk-total", std::to_string(kDiskTotal), "--disk-avail", std::to_string(kDiskAvail),
                       "--starrocks-version", version},
                      {bucket});
}

void CalendarFixture::SetUp() {
  ClusterFixture::SetUp();
  pid_ = std::to_string(::getpid());
  dir_ = fs::temp_directory_path() /
         fmt::format("starkeep-calendar-{}-{}", pid_, ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  policy_ = dir_ / "policy.skp";
  processes_ = std::make_unique<test::Processes>(dir_);
  // On s3rver, starkeep's own S3 requests (expire before 4.2, repository check) need s3rver's one account.
  const std::string access = s3rver() ? std::string(emu::harness::kS3rverAccessKey) : "calendar-access";
  const std::string secret = s3rver() ? std::string(emu::harness::kS3rverSecretKey) : "calendar-secret";
  starkeep_ = std::make_unique<test::Starkeep>(
      *processes_, cluster().emulator().port(),
      std::vector<std::string>{"STARKEEP_S3_ACCESS_KEY=" + access, "STARKEEP_S3_SECRET_KEY=" + secret});
  reconnect();
}

void CalendarFixture::TearDown() {
  starkeep_.reset();
  processes_.reset();  // kills and reaps every child still alive
  if (!HasFailure()) fs::remove_all(dir_);
}

void CalendarFixture::reconnect() {
  auto c = test::ClusterSql::connect(cluster().emulator().port());
  ASSERT_TRUE(c) << c.error().describe();
  sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
}

void CalendarFixture::exec(const std::string& sql) {
  auto s = sql_->exec(sql);
  if (!s && ports::is_connection_error(s.error())) {
    reconnect();
    s = sql_->exec(sql);
  }
  ASSERT_TRUE(s) << sql << ": " << s.error().describe();
}

ports::Rows CalendarFixture::query(const std::string& sql) {
  auto r = sql_->query(sql);
  if (!r && ports::is_connection_error(r.error())) {
    reconnect();
    r = sql_->query(sql);
  }
  EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
  return r ? std::move(*r) : ports::Rows{};
}

std::string CalendarFixture::cell(const ports::Rows& rows, std::size_t i, const char* column) {
  return test::cell(rows, i, column, "\\N");
}

// ---------------------------------------------------------------------------------------------------------------
// starkeep

Proc CalendarFixture::spawn(const std::vector<std::string>& args) { return starkeep_->spawn(args); }

Finished CalendarFixture::wait(const Proc& p) { return processes_->wait(p); }

std::vector<std::string> CalendarFixture::run_args(const SimDay& day, const std::vector<std::string>& extra) const {
  std::vector<std::string> a{"run",          "--policy", policy_.string(), "--at", day.at(), "--poll-initial-ms",
                             "50",           "--format",     "json",      "--ops-replication", "1"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

void CalendarFixture::set_up_starkeep() {
  const Finished init = starkeep({"init", "--replication-num", "1"});
  ASSERT_EQ(init.code, kExitOk) << init.describe();
  const Finished repo = starkeep({"repository", "apply", "--policy", policy_.string()});
  ASSERT_EQ(repo.code, kExitOk) << repo.describe();
  ASSERT_NE(repo.out.find("created"), std::string::npos) << repo.describe();
  inventory_sync();
}

void CalendarFixture::inventory_sync() {
  const Finished sync = starkeep({"inventory", "sync", "--policy", policy_.string()});
  ASSERT_EQ(sync.code, kExitOk) << sync.describe();
}

// ---------------------------------------------------------------------------------------------------------------
// policy

std::string CalendarFixture::production_policy(const std::string& db_sales, const std::string& db_crm,
                                               const std::string& repository, const std::string& location,
                                               const std::string& webhook) {
  std::string text = slurp(fs::path(SK_SOURCE_DIR) / "policies" / "production.skp");
  replace_once(text, R"(databases = ["sales", "crm"])", fmt::format(R"(databases = ["{}", "{}"])", db_sales, db_crm));
  replace_once(text, R"(repository "s3_prod")", fmt::format(R"(repository "{}")", repository));
  replace_once(text, R"("s3a://acme-starrocks-backups/prod")", fmt::format(R"("{}")", location));
  replace_once(text, R"("https://alertmanager.internal:9093/api/v2/alerts")", fmt::format(R"("{}")", webhook));
  return text;
}

void CalendarFixture::write_policy(const std::string& text) { std::ofstream(policy_) << text; }

// ---------------------------------------------------------------------------------------------------------------
// data

void CalendarFixture::create_table(const std::string& db, const std::string& table,
                                   const PartitionBounds& partitions) {
  std::string sql;
  if (partitions.empty()) {
    sql = fmt::format("CREATE TABLE {}.{} (id BIGINT NOT NULL, dt DATE, note VARCHAR(64)) PRIMARY KEY(id) "
                      "DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
                      db, table);
  } else {
    std::string parts;
    for (const auto& [name, bound] : partitions) {
      parts += fmt::format("{}PARTITION {} VALUES LESS THAN ('{}')", parts.empty() ? "" : ", ", name, bound);
    }
    sql = fmt::format("CREATE TABLE {}.{} (id BIGINT NOT NULL, dt DATE, note VARCHAR(64)) DUPLICATE KEY(id) "
                      "PARTITION BY RANGE(dt) ({}) DISTRIBUTED BY HASH(id) BUCKETS 2 "
                      "PROPERTIES ('replication_num' = '1')",
                      db, table, parts);
  }
  exec(sql);
  ranges_[db + "." + table] = partitions;
}

std::string CalendarFixture::partition_of(const std::string& db, const std::string& table,
                                          const std::string& dt) const {
  auto it = ranges_.find(db + "." + table);
  if (it == ranges_.end() || it->second.empty()) return table;
  for (const auto& [name, bound] : it->second) {
    if (dt < bound) return name;
  }
  return "?";
}

std::int64_t CalendarFixture::partition_version(const std::string& db, const std::string& table,
                                                const std::string& partition) {
  auto rows = query(fmt::format("SELECT VISIBLE_VERSION FROM information_schema.partitions_meta WHERE DB_NAME = '{}' "
                                "AND TABLE_NAME = '{}' AND PARTITION_NAME = '{}'",
                                db, table, partition));
  if (rows.size() != 1) {
    ADD_FAILURE() << "no partition " << db << "." << table << " " << partition;
    return -1;
  }
  return std::stoll(cell(rows, 0, "VISIBLE_VERSION"));
}

Write CalendarFixture::insert(const std::string& db, const std::string& table, const std::string& dt, int day,
                              bool racing, std::optional<std::int64_t> id) {
  Write w;
  w.db = db;
  w.table = table;
  w.partition = partition_of(db, table, dt);
  w.id = id.value_or(next_id_++);
  w.day = day;
  w.racing = racing;
  w.fact = w.partition != table;
  exec(fmt::format("INSERT INTO {}.{} VALUES ({}, '{}', 'day{}-{}{}')", db, table, w.id, dt, day, w.id,
                   racing ? "-racing" : ""));
  w.version = partition_version(db, table, w.partition);
  return w;
}

std::vector<std::string> CalendarFixture::dump(const std::string& db, const std::string& table,
                                              const std::string& partition) {
  auto rows = query(fmt::format("SELECT * FROM {}.{}{}", db, table,
                                partition.empty() ? "" : " PARTITION (" + partition + ")"));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (const auto& c : rows.columns()) line += (line.empty() ? "" : "|") + cell(rows, i, c.c_str());
    out.push_back(std::move(line));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> CalendarFixture::tables_of(const std::string& db) {
  auto rows = query(fmt::format("SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = '{}'", db));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(cell(rows, i, "TABLE_NAME"));
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// records

std::vector<HistoryRow> CalendarFixture::history(const std::string& db, const std::string& slot_utc) {
  std::string sql = fmt::format(
      "SELECT label, state, tiers, backup_kind, database_name, slot_utc, error_text, attempt_id, backup_timestamp "
      "FROM ops.backup_history WHERE database_name = '{}'",
      db);
  if (!slot_utc.empty()) sql += fmt::format(" AND slot_utc = '{}'", slot_utc);
  sql += " ORDER BY updated_at_utc, label";
  auto rows = query(sql);
  std::vector<HistoryRow> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.push_back(HistoryRow{cell(rows, i, "label"), cell(rows, i, "state"), cell(rows, i, "tiers"),
                             cell(rows, i, "backup_kind"), cell(rows, i, "database_name"), cell(rows, i, "slot_utc"),
                             cell(rows, i, "error_text"), cell(rows, i, "attempt_id"),
                             cell(rows, i, "backup_timestamp")});
  }
  return out;
}

std::map<std::string, std::string> CalendarFixture::snapshots(const std::string& repo) {
  auto rows = query("SHOW SNAPSHOT ON " + repo);
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < rows.size(); ++i) out[cell(rows, i, "Snapshot")] = cell(rows, i, "Status");
  return out;
}

std::map<std::string, std::set<std::string>> CalendarFixture::snapshot_contents(const std::string& repo,
                                                                              const std::string& label) {
  std::map<std::string, std::set<std::string>> out;
  auto listed = query(fmt::format("SHOW SNAPSHOT ON {} WHERE SNAPSHOT = '{}'", repo, label));
  if (listed.size() != 1) {
    ADD_FAILURE() << "SHOW SNAPSHOT does not list " << label;
    return out;
  }
  const std::string ts = cell(listed, 0, "Timestamp");
  auto rows = query(fmt::format("SHOW SNAPSHOT ON {} WHERE SNAPSHOT = '{}' AND TIMESTAMP = '{}'", repo, label, ts));
  if (rows.size() != 1 || cell(rows, 0, "Status") != "OK") {
    ADD_FAILURE() << "SHOW SNAPSHOT details of " << label << " at " << ts;
    return out;
  }
  auto details = nlohmann::json::parse(cell(rows, 0, "Details"));
  for (auto& [table, t] : details.at("backup_objects").items()) {
    for (auto& [partition, _] : t.at("partitions").items()) out[table].insert(partition);
  }
  return out;
}

std::map<std::pair<std::string, std::string>, std::int64_t> CalendarFixture::manifest(const std::string& db,
                                                                                      const std::string& label) {
  auto rows = query(fmt::format(
      "SELECT m.table_name, m.partition_name, m.visible_version FROM ops.backup_manifest m JOIN ops.backup_history h "
      "ON m.attempt_id = h.attempt_id WHERE h.state = 'FINISHED' AND h.database_name = '{}' AND h.label = '{}'",
      db, label));
  std::map<std::pair<std::string, std::string>, std::int64_t> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out[{cell(rows, i, "table_name"), cell(rows, i, "partition_name")}] = std::stoll(cell(rows, i, "visible_version"));
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> CalendarFixture::server_job(const std::string& db) {
  auto rows = query("SHOW BACKUP FROM " + db);
  if (rows.empty()) return std::nullopt;
  return std::pair{cell(rows, 0, "SnapshotName"), cell(rows, 0, "State")};
}

bool CalendarFixture::wait_for_job_state(const std::string& db, const std::string& label, const std::string& state,
                                         int seconds_limit) {
  const auto end = steady_clock::now() + seconds(seconds_limit);
  while (steady_clock::now() < end) {
    auto job = server_job(db);
    if (job && job->first == label && job->second == state) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

std::string CalendarFixture::instant_now() {
  const auto now = floor<seconds>(system_clock::now());
  while (floor<seconds>(system_clock::now()) <= now) std::this_thread::sleep_for(milliseconds(20));
  const std::time_t t = system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{}-{}-{}T{}:{}:{}Z", tm.tm_year + 1900, two(static_cast<unsigned>(tm.tm_mon + 1)),
                     two(static_cast<unsigned>(tm.tm_mday)), two(static_cast<unsigned>(tm.tm_hour)),
                     two(static_cast<unsigned>(tm.tm_min)), two(static_cast<unsigned>(tm.tm_sec)));
}

Finished CalendarFixture::restore_database(const std::string& db, const std::string& as_of, const std::string& into) {
  return starkeep({"restore", "database", db, "--as-of", as_of, "--into", into});
}

void CalendarFixture::copy_database(const std::string& db, const std::string& ref) {
  exec("CREATE DATABASE " + ref);
  for (const auto& t : tables_of(db)) exec(fmt::format("CREATE TABLE {}.{} AS SELECT * FROM {}.{}", ref, t, db, t));
}

void CalendarFixture::expect_same_tables(const std::string& expected_db, const std::string& restored_db) {
  EXPECT_EQ(tables_of(restored_db), tables_of(expected_db)) << restored_db << " vs " << expected_db;
  for (const auto& t : tables_of(expected_db)) {
    EXPECT_EQ(dump(restored_db, t), dump(expected_db, t)) << restored_db << "." << t << " vs " << expected_db;
  }
}

}  // namespace sk::e2e::calendar
