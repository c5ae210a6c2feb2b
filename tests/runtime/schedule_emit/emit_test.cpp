// The artefacts (runtime/schedule_emit/emit.h) as text, and the writer: atomic, never over a file it did not
// generate unless forced, and nothing written when one target is refused.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/schedule_emit/emit.h"
#include "tests/runtime/schedule_emit/emit_test_support.h"

namespace sk::schedule_emit {
namespace {

namespace fs = std::filesystem;
using test::make_policy;

const char* const kDrills =
    "  drill \"a\" { every = month; from = \"t0\"; restore = database; verify = checksum }\n";

EmitOptions options(Target target) {
  EmitOptions o;
  o.target = target;
  o.from = *Instant::parse("2026-01-01T00:00:00Z", TimeZone::utc());
  o.policy_path = "/etc/starkeep/policy.skp";
  o.image = target == Target::kKubernetes ? "registry.example/starkeep:1" : "";
  if (target == Target::kKubernetes) o.policy_path = "/etc/starkeep/policy/policy.skp";
  return o;
}

const std::string& file_text(const Emission& e, const std::string& name) {
  for (const Artefact& a : e.files) {
    if (a.file == name) return a.text;
  }
  ADD_FAILURE() << "no file " << name;
  static const std::string kNone;
  return kNone;
}

TEST(Emit, SystemdUnitsCarryTheCadenceTheTimesAndTheSuccessCodes) {
  const auto p = make_policy("Europe/Berlin", {{"daily at 01:30", "2h"}}, kDrills);
  auto e = emit(p, options(Target::kSystemd));
  ASSERT_TRUE(e.has_value()) << e.error().message;
  ASSERT_EQ(e->files.size(), 8u);
  EXPECT_NE(file_text(*e, "starkeep-run.timer").find("OnCalendar=*-*-* *:00/30:00 UTC\n"), std::string::npos);
  EXPECT_NE(file_text(*e, "starkeep-run.service").find("SuccessExitStatus=10 11\n"), std::string::npos);
  EXPECT_NE(file_text(*e, "starkeep-drill.timer").find("OnCalendar=*-*-* 06:00:00 Europe/Berlin\n"),
            std::string::npos);
  EXPECT_NE(file_text(*e, "starkeep-drill.service").find("SuccessExitStatus=10\n"), std::string::npos);
  EXPECT_EQ(file_text(*e, "starkeep-expire.service").find("SuccessExitStatus"), std::string::npos);
  EXPECT_NE(file_text(*e, "starkeep-expire.timer").find("OnCalendar=*-*-* 09:30:00 Europe/Berlin\n"),
            std::string::npos);
  for (const Artefact& a : e->files) EXPECT_NE(a.text.find(kGeneratedMarker), std::string::npos) << a.file;
}

TEST(Emit, APolicyWithoutDrillsHasNoDrillCommand) {
  auto e = emit(make_policy("UTC", {{"daily at 01:00", "2h"}}), options(Target::kSystemd));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->files.size(), 6u);
  for (const JobSpec& j : e->jobs) EXPECT_NE(j.kind, JobKind::kDrill);
}

TEST(Emit, CronLinesQuoteThePathAndEscapePercent) {
  auto o = options(Target::kCron);
  o.policy_path = "/srv/it's 100%/p.skp";
  auto e = emit(make_policy("UTC", {{"daily at 01:00", "2h"}}), o);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  const std::string& cron = file_text(*e, "starkeep");
  EXPECT_NE(cron.find("\n0 * * * * starkeep set -a; . /etc/starkeep/env; set +a; /usr/bin/starkeep run --policy "
                      "'/srv/it'\\''s 100\\%/p.skp' --format json >>/var/log/starkeep/run.log 2>&1; rc=$?; case $rc "
                      "in 0|10|11) ;;"),
            std::string::npos)
      << cron;
  EXPECT_NE(cron.find("\n30 9 * * * starkeep "), std::string::npos) << cron;
}

TEST(Emit, KubernetesNeedsAnImageAndAPolicyDirectory) {
  const auto p = make_policy("UTC", {{"daily at 01:00", "2h"}});
  auto o = options(Target::kKubernetes);
  o.image.clear();
  auto e = emit(p, o);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code, "schedule.usage");
  o = options(Target::kKubernetes);
  o.policy_path = "/policy.skp";
  ASSERT_FALSE(emit(p, o).has_value());
  auto ok = emit(p, options(Target::kKubernetes));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_NE(file_text(*ok, "starkeep-run.yaml").find("  concurrencyPolicy: Forbid\n"), std::string::npos);
}

TEST(Emit, RelativeOrMultiLinePathsAreRefused) {
  const auto p = make_policy("UTC", {{"daily at 01:00", "2h"}});
  auto o = options(Target::kSystemd);
  o.policy_path = "policy.skp";
  auto e = emit(p, o);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("--policy-path"), std::string::npos) << e.error().message;
  o.policy_path = "/etc/a\nb.skp";
  e = emit(p, o);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("control character"), std::string::npos) << e.error().message;
}

class WriteArtefacts : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sk-emit-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
  const std::vector<Artefact> files_ = {{"a.timer", std::string("# ") + std::string(kGeneratedMarker) + " x\nA\n"},
                                        {"b.timer", std::string("# ") + std::string(kGeneratedMarker) + " x\nB\n"}};
};

TEST_F(WriteArtefacts, CreatesTheDirectoryAndReplacesOnlyItsOwnFiles) {
  auto w = write_artefacts(dir_ / "sub", files_, false);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  EXPECT_FALSE((*w)[0].replaced);
  EXPECT_EQ(read(dir_ / "sub" / "b.timer"), files_[1].text);
  w = write_artefacts(dir_ / "sub", files_, false);
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE((*w)[0].replaced);
  for (const auto& entry : fs::directory_iterator(dir_ / "sub")) {
    EXPECT_NE(entry.path().filename().string().front(), '.') << "a temporary file was left: " << entry.path();
  }
}

TEST_F(WriteArtefacts, AForeignFileStopsEverythingUnlessForced) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "b.timer") << "hand-written\n";
  auto w = write_artefacts(dir_, files_, false);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().code, "schedule.foreign_file");
  EXPECT_EQ(read(dir_ / "b.timer"), "hand-written\n");
  EXPECT_FALSE(fs::exists(dir_ / "a.timer")) << "a file was written although another was refused";
  w = write_artefacts(dir_, files_, true);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  EXPECT_EQ(read(dir_ / "b.timer"), files_[1].text);
}

TEST_F(WriteArtefacts, AnOutputUnderARegularFileCannotBeCreated) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  auto w = write_artefacts(dir_ / "file" / "out", files_, false);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().code, "schedule.write");
  EXPECT_EQ(exit_code_for(w.error()), kExitCantCreate);
}

}  // namespace
}  // namespace sk::schedule_emit
