// Policies for the scheduler-artefact tests, compiled from text: a zone, tiers (schedule, window) and drills.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/model/policy.h"

namespace sk::schedule_emit::test {

struct TierText {
  std::string schedule;  // "mon..sat at 01:00"
  std::string window;    // "2h"
};

// A valid policy: one database, one repository, the tiers (whole-database backups, distinct suffixes and
// precedences, so that tiers firing on one day are allowed) and the drill lines as written.
inline model::Policy make_policy(const std::string& zone, const std::vector<TierText>& tiers,
                                 const std::string& drills = "") {
  std::string text = fmt::format(
      "policy \"p\" {{\n  timezone = \"{}\"\n  databases = [\"sales\"]\n"
      "  repository \"r\" {{ location = \"s3a://bucket/prefix\"; endpoint = \"https://s3.example.com\" }}\n",
      zone);
  for (size_t i = 0; i < tiers.size(); ++i) {
    text += fmt::format("  tier \"t{0}\" {{ backup = database; schedule = {1}; retain = 400d; window = {2}; "
                        "suffix = \"s{0}\"; precedence = {0} }}\n",
                        i, tiers[i].schedule, tiers[i].window);
  }
  text += drills + "}\n";
  diag::SourceFile file("test.skp", text);
  driver::Compilation c = driver::compile(driver::CompileInput{&file, nullptr});
  EXPECT_TRUE(c.policy.has_value() && !c.has_errors()) << "the test policy does not compile:\n" << text;
  return c.policy ? *c.policy : model::Policy{};
}

}  // namespace sk::schedule_emit::test
