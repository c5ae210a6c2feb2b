// `starkeep schedule --emit` end to end through the real binary (no cluster), checked with real tools: the cron
// file's lines by an independent cron evaluator (cron_eval.h), the systemd units by `systemd-analyze verify` and
// their OnCalendar= by `systemd-analyze calendar`, the Airflow DAG file by `python3 -m py_compile` and by running
// it against stub airflow/pendulum modules, the Kubernetes CronJobs by PyYAML (Debian's python3-yaml) and the
// batch/v1 fields they use. The starts each artefact makes over 2026 are compared with `starkeep schedule --format
// json`: every tier slot is a runner start and a second start lies inside its window; every drill firing is a
// drill start; expire and repository check start once a day. The exit-code mapping is run with sh and a fake
// starkeep. The packaged deploy/systemd units are this generator's output (UPDATE_GOLDEN=1 rewrites them).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/starkeep.h"
#include "tests/tools/cron_eval.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sk::Duration;
using sk::Instant;
using sk::TimeZone;

const char* const kPython = "/usr/bin/python3";  // Debian's, with python3-yaml
const char* const kFrom = "2026-01-01T00:00:00Z";
const Instant kYearStart = *Instant::parse("2026-01-01T00:00:00Z", TimeZone::utc());
const Instant kYearEnd = *Instant::parse("2027-01-01T00:00:00Z", TimeZone::utc());

// A policy in a DST zone whose slots are not all on the hour, with drills.
const char* const kBerlinPolicy = R"(policy "berlin" {
  timezone  = "Europe/Berlin"
  databases = ["sales"]
  repository "r" { location = "s3a://bucket/prefix"; endpoint = "https://s3.example.com" }
  tier "daily"   { backup = database; schedule = mon..sat at 01:30; retain = 30d; window = 2h; suffix = "d" }
  tier "weekly"  { backup = database; schedule = sun at 02:15; retain = 90d; window = 4h; suffix = "w" }
  tier "monthly" { backup = database; schedule = last weekday of month at 22:00; retain = 400d; window = 90m;
                   suffix = "m"; precedence = 10 }
  drill "partition" { every = month; from = "daily"; restore = database; verify = checksum }
  drill "table" { every = quarter at 10:30; from = "weekly"; restore = database; verify = checksum }
}
)";

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// What `starkeep schedule --format json` says fires in 2026, and each tier's window (from the test's policy).
struct Firings {
  std::map<std::string, std::vector<Instant>> tiers;
  std::map<std::string, Duration> windows;
  std::vector<Instant> drills;
};

// The starts one command gets from an artefact.
using Starts = std::map<std::string, std::vector<Instant>>;  // "run", "drill", "expire", "repository-check"

class ScheduleEmit : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("starkeep-emit-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "it's my \"policies\"");
    processes_ = std::make_unique<sk::test::Processes>(dir_ / "commands");
    starkeep_ = std::make_unique<sk::test::Starkeep>(*processes_, 9);
    berlin_ = dir_ / "it's my \"policies\"" / "berlin 100%.skp";
    std::ofstream(berlin_) << kBerlinPolicy;
  }
  void TearDown() override {
    starkeep_.reset();
    processes_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  sk::test::Finished starkeep(const std::vector<std::string>& args) { return starkeep_->run(args); }

  // `schedule --emit` with --format json; the document.
  json emit(const std::string& target, const fs::path& policy, const fs::path& out,
            std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"schedule", "--emit", target, "--policy", policy.string(), "--output",
                                     out.string(), "--from", kFrom, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = starkeep(args);
    EXPECT_EQ(r.code, sk::cli::kExitOk) << r.describe();
    return r.code == sk::cli::kExitOk ? json::parse(r.out) : json::object();
  }

  Firings firings(const fs::path& policy, const std::map<std::string, Duration>& windows) {
    const auto r = starkeep({"schedule", "--policy", policy.string(), "--from", kFrom, "--next", "400", "--format",
                             "json"});
    EXPECT_EQ(r.code, sk::cli::kExitOk) << r.describe();
    Firings f;
    f.windows = windows;
    const json doc = json::parse(r.out);
    for (const json& t : doc.at("tiers")) {
      auto& v = f.tiers[t.at("tier").get<std::string>()];
      for (const json& x : t.at("firings")) {
        if (!x.contains("skipped_by_blackout")) v.push_back(*Instant::parse(x.at("utc").get<std::string>(), TimeZone::utc()));
      }
    }
    for (const json& d : doc.at("drills")) {
      for (const json& x : d.at("firings")) f.drills.push_back(*Instant::parse(x.at("utc").get<std::string>(), TimeZone::utc()));
    }
    return f;
  }

  // A starkeep stand-in for the exit-code mapping: records its arguments one per line, exits $FAKE_EXIT.
  fs::path fake_starkeep() {
    const fs::path bin = dir_ / "fake bin" / "starkeep";
    fs::create_directories(bin.parent_path());
    std::ofstream(bin) << "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >\"$FAKE_ARGS\"\nexit "
                          "\"$FAKE_EXIT\"\n";
    fs::permissions(bin, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    return bin;
  }
  // Runs `sh -c command` with the fake starkeep exiting `code`; the exit status and the arguments it got.
  std::pair<int, std::string> run_mapped(const std::string& command, int code, const std::string& shell = "/bin/sh") {
    const fs::path args = dir_ / "fake-args.txt";
    fs::remove(args);
    const auto r = processes_->run({shell, "-c", command},
                                   {.env = {"FAKE_EXIT=" + std::to_string(code), "FAKE_ARGS=" + args.string(),
                                            "PATH=" + (dir_ / "fake bin").string() + ":/usr/bin:/bin"}});
    return {r.code, read_text(args)};
  }

  fs::path dir_, berlin_;
  std::unique_ptr<sk::test::Processes> processes_;
  std::unique_ptr<sk::test::Starkeep> starkeep_;
};

const std::map<std::string, Duration> kBerlinWindows = {
    {"daily", Duration::from_hours(2)}, {"weekly", Duration::from_hours(4)}, {"monthly", Duration::from_minutes(90)}};
const std::map<std::string, Duration> kProductionWindows = {
    {"daily", Duration::from_hours(2)}, {"weekly", Duration::from_hours(4)}, {"monthly", Duration::from_hours(8)}};

bool contains(const std::vector<Instant>& sorted, Instant t) { return std::binary_search(sorted.begin(), sorted.end(), t); }

// The year property: every tier slot of 2026 is a runner start and another start lies inside its window; every
// drill firing is a drill start; expire and repository check start once on each of the 365 days.
void expect_covers(const Firings& f, Starts starts, const std::string& what) {
  for (auto& [name, v] : starts) std::sort(v.begin(), v.end());
  const std::vector<Instant>& run = starts["run"];
  size_t slots = 0;
  for (const auto& [tier, firings] : f.tiers) {
    for (Instant slot : firings) {
      if (!(slot < kYearEnd)) continue;
      ++slots;
      EXPECT_TRUE(contains(run, slot)) << what << ": no runner start at " << tier << "'s slot " << slot.to_iso8601_utc();
      auto next = std::upper_bound(run.begin(), run.end(), slot);
      EXPECT_TRUE(next != run.end() && *next < slot + f.windows.at(tier))
          << what << ": no second runner start in " << tier << "'s window after " << slot.to_iso8601_utc();
    }
  }
  EXPECT_GT(slots, 300u) << what;
  size_t drills = 0;
  for (Instant d : f.drills) {
    if (!(d < kYearEnd)) continue;
    ++drills;
    EXPECT_TRUE(contains(starts["drill"], d)) << what << ": no drill start at " << d.to_iso8601_utc();
  }
  EXPECT_GE(drills, 12u) << what;
  EXPECT_EQ(starts["expire"].size(), 365u) << what;
  EXPECT_EQ(starts["repository-check"].size(), 365u) << what;
}

// ---- cron ----

// The /etc/cron.d file: the zone its header says to run cron in, and each command's expression and command.
struct CronFile {
  std::string zone;
  std::map<std::string, std::pair<std::string, std::string>> lines;  // name → (expression, command)
  std::string user;
};
CronFile parse_cron_file(const std::string& text) {
  CronFile f;
  std::string name;
  for (const std::string& line : lines_of(text)) {
    constexpr std::string_view kZone = "has no per-file zone: run it in ";
    if (const size_t p = line.find(kZone); p != std::string::npos) {
      f.zone = line.substr(p + kZone.size(), line.size() - p - kZone.size() - 1);  // without the final '.'
    } else if (line.rfind("# ", 0) == 0 && line.find(':') != std::string::npos && line.find(' ', 2) > line.find(':')) {
      name = line.substr(2, line.find(':') - 2);
    } else if (!line.empty() && (std::isdigit(static_cast<unsigned char>(line[0])) || line[0] == '*')) {
      std::istringstream in(line);
      std::string fields[6];
      for (auto& x : fields) in >> x;
      std::string command;
      std::getline(in, command);
      f.lines[name] = {fields[0] + " " + fields[1] + " " + fields[2] + " " + fields[3] + " " + fields[4],
                       command.substr(1)};
      f.user = fields[5];
    }
  }
  return f;
}

Starts cron_starts(const std::map<std::string, std::string>& exprs, const TimeZone& zone) {
  Starts out;
  for (const auto& [name, text] : exprs) {
    auto x = sk::test::cron::parse(text);
    EXPECT_TRUE(x.has_value()) << name << ": not a cron expression: " << text;
    if (x) out[name] = sk::test::cron::starts(*x, zone, kYearStart, kYearEnd + Duration::from_days(1));
    // The day after the year ends only serves windows that close in 2027; daily commands count in 2026.
    if (name != "run") std::erase_if(out[name], [](Instant t) { return !(t < kYearEnd); });
  }
  return out;
}

TEST_F(ScheduleEmit, CronLinesStartEveryCommandAtItsTimesOverAYear) {
  for (const auto& [policy, windows] : {std::pair{berlin_, kBerlinWindows},
                                        std::pair{fs::path(SK_SOURCE_DIR) / "policies/production.skp", kProductionWindows}}) {
    const fs::path out = dir_ / ("cron-" + policy.stem().string());
    const json doc = emit("cron", policy, out);
    ASSERT_EQ(doc.at("files").size(), 1u);
    const CronFile cron = parse_cron_file(read_text(out / "starkeep"));
    ASSERT_FALSE(cron.zone.empty()) << read_text(out / "starkeep");
    EXPECT_EQ(cron.zone, doc.at("time_zone").get<std::string>());
    ASSERT_EQ(cron.lines.size(), 4u) << read_text(out / "starkeep");
    std::map<std::string, std::string> exprs;
    for (const auto& [name, line] : cron.lines) exprs[name] = line.first;
    expect_covers(firings(policy, windows), cron_starts(exprs, *TimeZone::parse(cron.zone)), "cron " + policy.string());
  }
}

TEST_F(ScheduleEmit, CronCommandsPassTheHostilePolicyPathAndMapExitCodes) {
  const fs::path bin = fake_starkeep();
  const fs::path env = dir_ / "env file";
  std::ofstream(env) << "STARKEEP_HOST=fe.example\n";
  fs::create_directories(dir_ / "logs");
  std::ofstream(dir_ / "fake bin" / "logger") << "#!/bin/sh\nprintf '%s\\n' \"$*\" >>\"$FAKE_ARGS.logger\"\n";
  fs::permissions(dir_ / "fake bin" / "logger", fs::perms::owner_all);
  emit("cron", berlin_, dir_ / "out",
       {"--starkeep-bin", bin.string(), "--env-file", env.string(), "--log-dir", (dir_ / "logs").string()});
  const CronFile cron = parse_cron_file(read_text(dir_ / "out" / "starkeep"));
  EXPECT_EQ(cron.user, "starkeep");
  std::string command = cron.lines.at("run").second;
  // cron turns an unescaped % into a newline and "\%" into "%".
  for (size_t p = 0; (p = command.find("\\%", p)) != std::string::npos;) command.erase(p, 1);
  for (int code : {0, 10, 11}) {
    const auto [rc, args] = run_mapped(command, code);
    EXPECT_EQ(rc, 0) << code;
    EXPECT_EQ(args, "run\n--policy\n" + berlin_.string() + "\n--format\njson\n") << code;
  }
  fs::remove(dir_ / "fake-args.txt.logger");
  run_mapped(command, 13);
  EXPECT_EQ(read_text(dir_ / "fake-args.txt.logger"), "-p user.err -t starkeep run exited 13\n");
}

// ---- systemd ----

// The instants `systemd-analyze calendar` gives for `expr` from the year's start, `n` of them.
std::vector<Instant> systemd_elapses(sk::test::Processes& p, const std::string& expr, int n) {
  const auto r = p.run({"/usr/bin/systemd-analyze", "calendar", "--base-time=2025-12-31 23:59:59 UTC",
                        "--iterations=" + std::to_string(n), expr},
                       {.env = {"TZ=UTC", "LC_ALL=C"}});
  EXPECT_EQ(r.code, 0) << r.describe();
  std::vector<Instant> out;
  for (const std::string& line : lines_of(r.out)) {
    const size_t at = line.find(": ");
    if (line.find("Next elapse:") == std::string::npos && line.find("Iter. #") == std::string::npos) continue;
    // "    Next elapse: Thu 2026-01-01 01:00:00 UTC"
    const std::string stamp = line.substr(at + 2 + 4, 19);
    out.push_back(*Instant::parse(stamp + "Z", TimeZone::utc()));
  }
  return out;
}

TEST_F(ScheduleEmit, SystemdUnitsVerifyAndTheirTimersStartAsTheScheduleSays) {
  const fs::path out = dir_ / "units";
  const json doc = emit("systemd", berlin_, out, {"--starkeep-bin", sk::test::starkeep_binary()});
  const int every = doc.at("runner").at("every_minutes");
  std::vector<std::string> verify = {"/usr/bin/systemd-analyze", "verify"};
  for (const auto& e : fs::directory_iterator(out)) verify.push_back(e.path().string());
  ASSERT_EQ(verify.size(), 2u + 8u);
  const auto v = processes_->run(verify, {.merge_stderr = true});
  EXPECT_EQ(v.code, 0) << v.describe();
  EXPECT_EQ(v.out, "") << "systemd-analyze verify complained";
  // ExecStart= carries the hostile path as one word: '%' doubled, the quotes escaped inside double quotes.
  const std::string service = read_text(out / "starkeep-run.service");
  EXPECT_NE(service.find("--policy \"" + std::string(dir_.string()) + "/it's my \\\"policies\\\"/berlin 100%%.skp\""),
            std::string::npos)
      << service;
  Starts starts;
  for (const std::string name : {"run", "drill", "expire", "repository-check"}) {
    for (const std::string& line : lines_of(read_text(out / ("starkeep-" + name + ".timer")))) {
      if (line.rfind("OnCalendar=", 0) != 0) continue;
      const int n = name == "run" ? 366 * 24 * 60 / every + 10 : 366;
      for (Instant t : systemd_elapses(*processes_, line.substr(11), n)) {
        if (name == "run" ? t < kYearEnd + Duration::from_days(1) : t < kYearEnd) starts[name].push_back(t);
      }
    }
  }
  expect_covers(firings(berlin_, kBerlinWindows), starts, "systemd");
}

// The units the package installs (deploy/systemd) are the generator's output for the production policy at the
// package's paths, with the runner every 15 minutes (a default for any policy installed at /etc/starkeep).
TEST_F(ScheduleEmit, PackagedSystemdUnitsAreTheGeneratorsOutput) {
  const fs::path out = dir_ / "packaged";
  const json doc = emit("systemd", fs::path(SK_SOURCE_DIR) / "policies/production.skp", out,
                        {"--policy-path", "/etc/starkeep/policy.skp", "--runner-every", "15m"});
  const fs::path deploy = fs::path(SK_SOURCE_DIR) / "deploy/systemd";
  const bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  std::set<std::string> generated;
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    generated.insert(name);
    if (update) fs::copy_file(e.path(), deploy / name, fs::copy_options::overwrite_existing);
    EXPECT_EQ(read_text(deploy / name), read_text(e.path())) << name << " differs; UPDATE_GOLDEN=1 rewrites it";
  }
  for (const auto& e : fs::directory_iterator(deploy)) {
    EXPECT_TRUE(generated.contains(e.path().filename().string())) << e.path() << " is not generated";
  }
  EXPECT_EQ(doc.at("runner").at("every_minutes"), 15);
}

// ---- Airflow ----

// Runs the DAG file against stub `airflow` and `pendulum` modules; each DAG's arguments as JSON.
json airflow_dags(sk::test::Processes& p, const fs::path& dir, const fs::path& dag_file) {
  const fs::path stubs = dir / "stubs";
  fs::create_directories(stubs / "airflow" / "operators");
  std::ofstream(stubs / "pendulum.py") << "def datetime(y, m, d, tz=None):\n    return {'date': [y, m, d], 'tz': tz}\n";
  std::ofstream(stubs / "airflow" / "__init__.py")
      << "DAGS = []\n_CURRENT = []\nclass DAG:\n    def __init__(self, **kw):\n        self.kw = kw\n"
         "        self.tasks = []\n        DAGS.append(self)\n    def __enter__(self):\n        _CURRENT.append(self)\n"
         "        return self\n    def __exit__(self, *a):\n        _CURRENT.pop()\n";
  std::ofstream(stubs / "airflow" / "operators" / "__init__.py") << "";
  std::ofstream(stubs / "airflow" / "operators" / "bash.py")
      << "import airflow\nclass BashOperator:\n    def __init__(self, task_id, bash_command, **kw):\n"
         "        airflow._CURRENT[-1].tasks.append({'task_id': task_id, 'bash_command': bash_command})\n";
  std::ofstream(dir / "load.py")
      << "import json, runpy, sys\nsys.path.insert(0, sys.argv[1])\nimport airflow\n"
         "g = runpy.run_path(sys.argv[2])\nout = []\nfor d in airflow.DAGS:\n    kw = dict(d.kw)\n"
         "    kw['tasks'] = d.tasks\n    kw['global'] = [k for k, v in g.items() if v is d]\n    out.append(kw)\n"
         "print(json.dumps(out))\n";
  const auto r = p.run({kPython, (dir / "load.py").string(), stubs.string(), dag_file.string()});
  EXPECT_EQ(r.code, 0) << r.describe();
  return r.code == 0 ? json::parse(r.out) : json::array();
}

TEST_F(ScheduleEmit, AirflowDagFileCompilesAndItsSchedulesStartAsTheScheduleSays) {
  const fs::path out = dir_ / "airflow";
  emit("airflow", berlin_, out, {"--starkeep-bin", fake_starkeep().string()});
  const fs::path dag = out / "starkeep_dags.py";
  const auto compiled = processes_->run({kPython, "-m", "py_compile", dag.string()});
  ASSERT_EQ(compiled.code, 0) << compiled.describe();
  const json dags = airflow_dags(*processes_, dir_, dag);
  ASSERT_EQ(dags.size(), 4u) << dags.dump(2);
  Starts starts;
  std::string run_command;
  for (const json& d : dags) {
    const std::string id = d.at("dag_id");
    ASSERT_EQ(d.at("global"), json::array({id})) << "each DAG is a module global (Airflow finds it there)";
    EXPECT_EQ(d.at("catchup"), false);
    EXPECT_EQ(d.at("max_active_runs"), 1);
    ASSERT_EQ(d.at("tasks").size(), 1u);
    std::string name = id.substr(std::string("starkeep_").size());
    std::replace(name.begin(), name.end(), '_', '-');
    auto x = sk::test::cron::parse(d.at("schedule").get<std::string>());
    ASSERT_TRUE(x.has_value()) << d.dump();
    const auto zone = TimeZone::parse(d.at("start_date").at("tz").get<std::string>());
    ASSERT_TRUE(zone.has_value()) << d.dump();
    starts[name] = sk::test::cron::starts(*x, *zone, kYearStart, kYearEnd + Duration::from_days(name == "run" ? 1 : 0));
    if (name == "run") run_command = d.at("tasks").at(0).at("bash_command");
  }
  expect_covers(firings(berlin_, kBerlinWindows), starts, "airflow");
  for (int code : {0, 10, 11}) EXPECT_EQ(run_mapped(run_command, code, "/bin/bash").first, 0) << code;
  const auto [rc, args] = run_mapped(run_command, 13, "/bin/bash");
  EXPECT_EQ(rc, 13);
  EXPECT_EQ(args, "run\n--policy\n" + berlin_.string() + "\n--format\njson\n");
}

// ---- Kubernetes ----

// The batch/v1 fields the CronJobs may use (Kubernetes API reference: CronJob, CronJobSpec, JobTemplateSpec,
// JobSpec, PodTemplateSpec, PodSpec, Container, EnvFromSource, VolumeMount, Volume, ConfigMapVolumeSource), with
// the JSON type each must have. A key missing here fails the test: a typo or a field of another API.
const std::map<std::string, std::map<std::string, json::value_t>> kSchema = {
    {"", {{"apiVersion", json::value_t::string}, {"kind", json::value_t::string},
          {"metadata", json::value_t::object}, {"spec", json::value_t::object}}},
    {"metadata", {{"name", json::value_t::string}, {"labels", json::value_t::object}}},
    {"spec", {{"schedule", json::value_t::string}, {"timeZone", json::value_t::string},
              {"concurrencyPolicy", json::value_t::string}, {"startingDeadlineSeconds", json::value_t::number_unsigned},
              {"successfulJobsHistoryLimit", json::value_t::number_unsigned},
              {"failedJobsHistoryLimit", json::value_t::number_unsigned}, {"suspend", json::value_t::boolean},
              {"jobTemplate", json::value_t::object}}},
    {"spec.jobTemplate", {{"metadata", json::value_t::object}, {"spec", json::value_t::object}}},
    {"spec.jobTemplate.spec", {{"backoffLimit", json::value_t::number_unsigned},
                               {"activeDeadlineSeconds", json::value_t::number_unsigned},
                               {"ttlSecondsAfterFinished", json::value_t::number_unsigned},
                               {"podFailurePolicy", json::value_t::object}, {"template", json::value_t::object}}},
    {"spec.jobTemplate.spec.template", {{"metadata", json::value_t::object}, {"spec", json::value_t::object}}},
    {"spec.jobTemplate.spec.template.spec", {{"restartPolicy", json::value_t::string},
                                             {"terminationGracePeriodSeconds", json::value_t::number_unsigned},
                                             {"containers", json::value_t::array}, {"volumes", json::value_t::array}}},
    {"spec.jobTemplate.spec.template.spec.containers[]", {{"name", json::value_t::string},
                                                          {"image", json::value_t::string},
                                                          {"command", json::value_t::array},
                                                          {"args", json::value_t::array},
                                                          {"envFrom", json::value_t::array},
                                                          {"volumeMounts", json::value_t::array}}},
    {"spec.jobTemplate.spec.template.spec.containers[].envFrom[]", {{"secretRef", json::value_t::object},
                                                                    {"configMapRef", json::value_t::object},
                                                                    {"prefix", json::value_t::string}}},
    {"spec.jobTemplate.spec.template.spec.containers[].envFrom[].secretRef", {{"name", json::value_t::string},
                                                                              {"optional", json::value_t::boolean}}},
    {"spec.jobTemplate.spec.template.spec.containers[].volumeMounts[]", {{"name", json::value_t::string},
                                                                         {"mountPath", json::value_t::string},
                                                                         {"readOnly", json::value_t::boolean}}},
    {"spec.jobTemplate.spec.template.spec.volumes[]", {{"name", json::value_t::string},
                                                       {"configMap", json::value_t::object}}},
    {"spec.jobTemplate.spec.template.spec.volumes[].configMap", {{"name", json::value_t::string},
                                                                 {"items", json::value_t::array}}},
    {"spec.jobTemplate.spec.template.spec.volumes[].configMap.items[]", {{"key", json::value_t::string},
                                                                        {"path", json::value_t::string}}},
};

// Every object of `v` at `path` against kSchema (labels and strings arrays hold free-form strings).
void check_schema(const json& v, const std::string& path, const std::string& file) {
  if (path == "metadata.labels") {
    for (const auto& [k, x] : v.items()) EXPECT_TRUE(x.is_string()) << file << ": label " << k;
    return;
  }
  const auto fields = kSchema.find(path);
  ASSERT_NE(fields, kSchema.end()) << file << ": no schema for " << path;
  for (const auto& [key, value] : v.items()) {
    const auto f = fields->second.find(key);
    ASSERT_NE(f, fields->second.end()) << file << ": " << path << "." << key << " is not a batch/v1 field used here";
    const bool integer = f->second == json::value_t::number_unsigned;
    EXPECT_TRUE(integer ? value.is_number_integer() && value.get<std::int64_t>() >= 0 : value.type() == f->second)
        << file << ": " << path << "." << key << " has the wrong type: " << value.dump();
    const std::string sub = path.empty() ? key : path + "." + key;
    if (value.is_object()) check_schema(value, sub, file);
    if (value.is_array()) {
      for (const json& item : value) {
        if (item.is_object()) check_schema(item, sub + "[]", file);
        else EXPECT_TRUE(item.is_string()) << file << ": " << sub << " holds " << item.dump();
      }
    }
  }
}

TEST_F(ScheduleEmit, KubernetesCronJobsUseBatchV1FieldsAndStartAsTheScheduleSays) {
  const fs::path out = dir_ / "k8s";
  emit("kubernetes", berlin_, out, {"--image", "registry.example/starkeep:1.0", "--starkeep-bin",
                                    fake_starkeep().string(), "--policy-path", berlin_.string()});
  Starts starts;
  for (const std::string name : {"run", "drill", "expire", "repository-check"}) {
    const fs::path file = out / ("starkeep-" + name + ".yaml");
    const auto r = processes_->run({kPython, "-c",
                                    "import json, sys, yaml\nprint(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
                                    file.string()});
    ASSERT_EQ(r.code, 0) << r.describe();
    const json docs = json::parse(r.out);
    ASSERT_EQ(docs.size(), 1u) << file;
    const json& cj = docs.at(0);
    check_schema(cj, "", file.filename().string());
    EXPECT_EQ(cj.at("apiVersion"), "batch/v1");
    EXPECT_EQ(cj.at("kind"), "CronJob");
    EXPECT_EQ(cj.at("metadata").at("name"), "starkeep-" + name);
    const json& spec = cj.at("spec");
    EXPECT_EQ(spec.at("concurrencyPolicy"), "Forbid");
    EXPECT_GE(spec.at("startingDeadlineSeconds").get<int>(), 10);  // the controller checks every 10 s
    const json& job = spec.at("jobTemplate").at("spec");
    EXPECT_EQ(job.at("backoffLimit"), 0);
    const json& pod = job.at("template").at("spec");
    EXPECT_EQ(pod.at("restartPolicy"), "Never");  // a Job's pods: Never or OnFailure
    const json& c = pod.at("containers").at(0);
    EXPECT_EQ(c.at("image"), "registry.example/starkeep:1.0");
    ASSERT_EQ(c.at("command").size(), 3u);
    EXPECT_EQ(c.at("volumeMounts").at(0).at("mountPath"), berlin_.parent_path().string());
    EXPECT_EQ(pod.at("volumes").at(0).at("configMap").at("items").at(0).at("key"), berlin_.filename().string());
    auto x = sk::test::cron::parse(spec.at("schedule").get<std::string>());
    ASSERT_TRUE(x.has_value()) << spec.dump();
    starts[name] = sk::test::cron::starts(*x, *TimeZone::parse(spec.at("timeZone").get<std::string>()), kYearStart,
                                          kYearEnd + Duration::from_days(name == "run" ? 1 : 0));
    if (name == "run") {
      const std::string script = c.at("command").at(2);
      EXPECT_EQ(run_mapped(script, 10).first, 0);
      const auto [rc, args] = run_mapped(script, 16);
      EXPECT_EQ(rc, 16);
      EXPECT_EQ(args, "run\n--policy\n" + berlin_.string() + "\n--format\njson\n");
    }
  }
  expect_covers(firings(berlin_, kBerlinWindows), starts, "kubernetes");
}

// ---- the command line ----

TEST_F(ScheduleEmit, JsonListsTheFilesAndASecondRunReplacesThem) {
  const json first = emit("systemd", berlin_, dir_ / "o");
  ASSERT_EQ(first.at("files").size(), 8u);
  EXPECT_EQ(first.at("schedule_emit_version"), 1);
  EXPECT_EQ(first.at("runner").at("every_minutes"), 15);  // slots at :30, :15 and :00; windows of 90 min and more
  EXPECT_EQ(first.at("runner").at("grid_minutes"), 15);
  for (const json& f : first.at("files")) {
    EXPECT_TRUE(fs::exists(f.at("path").get<std::string>())) << f;
    EXPECT_EQ(f.at("replaced"), false);
  }
  const json jobs = first.at("jobs");
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs.at(0).at("success_exit_codes"), json::array({0, 10, 11}));
  EXPECT_EQ(jobs.at(1).at("success_exit_codes"), json::array({0, 10}));
  const json second = emit("systemd", berlin_, dir_ / "o");
  for (const json& f : second.at("files")) EXPECT_EQ(f.at("replaced"), true);
}

TEST_F(ScheduleEmit, AHandWrittenFileIsNotOverwrittenWithoutForce) {
  fs::create_directories(dir_ / "o");
  std::ofstream(dir_ / "o" / "starkeep-run.timer") << "# mine\n";
  const auto r = starkeep({"schedule", "--emit", "systemd", "--policy", berlin_.string(), "--output",
                           (dir_ / "o").string()});
  EXPECT_EQ(r.code, sk::cli::kExitCantCreate) << r.describe();
  EXPECT_NE(r.err.find("was not generated by starkeep"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(dir_ / "o" / "starkeep-run.timer"), "# mine\n");
  EXPECT_FALSE(fs::exists(dir_ / "o" / "starkeep-run.service")) << "a partial set was written";
  const auto forced = starkeep({"schedule", "--emit", "systemd", "--policy", berlin_.string(), "--output",
                                (dir_ / "o").string(), "--force"});
  EXPECT_EQ(forced.code, sk::cli::kExitOk) << forced.describe();
  EXPECT_NE(read_text(dir_ / "o" / "starkeep-run.timer").find("Generated by"), std::string::npos);
}

TEST_F(ScheduleEmit, UsageErrorsAreClear) {
  const std::string p = berlin_.string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"schedule", "--emit", "systemd", "--policy", p}, "--emit needs --output"},
      {{"schedule", "--policy", p, "--output", (dir_ / "o").string()}, "--output needs --emit"},
      {{"schedule", "--emit", "kubernetes", "--policy", p, "--output", (dir_ / "o").string()}, "needs --image"},
      {{"schedule", "--emit", "launchd", "--policy", p, "--output", (dir_ / "o").string()}, "launchd"},
      {{"schedule", "--emit", "cron", "--policy", p, "--output", (dir_ / "o").string(), "--policy-path", "rel.skp"},
       "not an absolute path"},
      {{"schedule", "--emit", "cron", "--policy", p, "--output", (dir_ / "o").string(), "--runner-every", "7m"},
       "divide an hour"},
      {{"schedule", "--emit", "cron", "--policy", p, "--output", (dir_ / "o").string(), "--expire-at", "25:00"},
       "--expire-at"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = starkeep(args);
    EXPECT_EQ(r.code, sk::cli::kExitUsage) << r.describe();
    EXPECT_NE(r.err.find(message), std::string::npos) << message << "\n" << r.describe();
  }
  EXPECT_FALSE(fs::exists(dir_ / "o"));
  std::ofstream(dir_ / "plain") << "x";
  const auto r = starkeep({"schedule", "--emit", "cron", "--policy", p, "--output", (dir_ / "plain" / "o").string(),
                           "--format", "json"});
  EXPECT_EQ(r.code, sk::cli::kExitCantCreate) << r.describe();
  EXPECT_EQ(json::parse(r.out).at("exit_code"), sk::cli::kExitCantCreate) << r.out;
  const auto help = starkeep({"schedule", "--help"});
  EXPECT_EQ(help.code, sk::cli::kExitOk);
  for (const char* flag : {"--emit", "--output", "--force", "--runner-every", "--image", "--policy-path"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag << "\n" << help.out;
  }
}

}  // namespace
