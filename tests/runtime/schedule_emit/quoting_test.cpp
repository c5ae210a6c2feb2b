// Quoting inside the artefacts (runtime/schedule_emit/quoting.h). The sh quoting is checked by the real /bin/sh:
// hostile words come back byte for byte.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/schedule_emit/quoting.h"

namespace sk::schedule_emit {
namespace {

const std::array<std::string, 6> kHostile = {
    "/etc/starkeep/policy.skp", "/srv/my policies/prod.skp", "/srv/it's \"quoted\".skp",
    "/srv/$HOME `id` $(id) %d %% \\n.skp", "/srv/semi;colon & amp|pipe*?.skp", "/srv/ünïcödé/政策.skp"};

// The words as /bin/sh reads them back from `line`: one per line of printf's output.
std::string sh_echo(const std::string& line) {
  const std::filesystem::path script =
      std::filesystem::temp_directory_path() / ("sk-quoting-" + std::to_string(::getpid()) + ".sh");
  std::ofstream(script) << "printf '%s\\n' " << line << "\n";
  std::string out;
  if (FILE* p = ::popen(("/bin/sh " + script.string()).c_str(), "r")) {
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    ::pclose(p);
  }
  std::filesystem::remove(script);
  return out;
}

TEST(ShellQuote, PlainWordsStayAndHostileOnesRoundTripThroughSh) {
  EXPECT_EQ(shell_quote("/usr/bin/starkeep"), "/usr/bin/starkeep");
  EXPECT_EQ(shell_quote("--format"), "--format");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  std::string expected;
  for (const std::string& w : kHostile) expected += w + "\n";
  EXPECT_EQ(sh_echo(shell_command({kHostile.begin(), kHostile.end()})), expected);
}

TEST(CronEscape, PercentSignsAreEscapedBecauseCronTurnsThemIntoNewlines) {
  EXPECT_EQ(cron_escape("date +%F '/a%b'"), "date +\\%F '/a\\%b'");
  EXPECT_EQ(cron_escape("no percent"), "no percent");
}

TEST(SystemdWord, SpecifiersVariablesAndBlanksAreEscaped) {
  EXPECT_EQ(systemd_word("/usr/bin/starkeep"), "/usr/bin/starkeep");
  EXPECT_EQ(systemd_word("/srv/my policies/p.skp"), "\"/srv/my policies/p.skp\"");
  EXPECT_EQ(systemd_word("/srv/100%/$USER.skp"), "/srv/100%%/$$USER.skp");
  EXPECT_EQ(systemd_word("/srv/\"q\"\\b.skp"), "\"/srv/\\\"q\\\"\\\\b.skp\"");
  EXPECT_EQ(systemd_word(";"), "\";\"");
  EXPECT_EQ(systemd_value("/etc/50%/env"), "/etc/50%%/env");
}

TEST(JsonQuote, ControlCharactersAndQuotesAreEscaped) {
  EXPECT_EQ(json_quote("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
  EXPECT_EQ(json_quote(std::string("t\tn\n", 4)), "\"t\\tn\\n\"");
}

TEST(JinjaLiteral, TemplateDelimitersAreWrappedInRaw) {
  EXPECT_EQ(jinja_literal("starkeep run"), "starkeep run");
  EXPECT_EQ(jinja_literal("/srv/{{x}}.skp"), "{% raw %}/srv/{{x}}.skp{% endraw %}");
  EXPECT_EQ(jinja_literal("/srv/{% endraw %}.skp"), "");
}

TEST(FindControl, FindsNewlinesAndDelete) {
  EXPECT_EQ(find_control("/etc/ok path"), std::string_view::npos);
  EXPECT_EQ(find_control("/etc/a\nb"), 6u);
  EXPECT_EQ(find_control("\x7f"), 0u);
}

}  // namespace
}  // namespace sk::schedule_emit
