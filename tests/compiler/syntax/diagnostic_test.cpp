// The diagnostics engine: codes table, sink, text and JSON rendering, did-you-mean.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"

namespace {

using namespace sk::diag;

TEST(Diagnostic, CodesHaveStableTextAndSeverity) {
  EXPECT_EQ(code_text(Code::kUnknownTier), "SK0203");
  EXPECT_EQ(default_severity(Code::kUnknownTier), Severity::kError);
  EXPECT_EQ(default_severity(Code::kTierSelectsNothing), Severity::kWarning);
  EXPECT_FALSE(all_codes().empty());
}

TEST(Diagnostic, ReportFormatsTheTemplateAndCountsErrors) {
  DiagnosticSink sink;
  Diagnostic& d = sink.report(Code::kUnknownTier, SourceRange{3, 8}, "dayly");
  d.suggest("daily");
  EXPECT_EQ(d.message, "unknown tier 'dayly'");
  sink.report(Code::kTierSelectsNothing, std::nullopt, "x");
  EXPECT_EQ(sink.error_count(), 1u);
  EXPECT_EQ(sink.warning_count(), 1u);
  EXPECT_TRUE(sink.has_errors());
}

TEST(Diagnostic, SortIsByPositionThenInsertionWithUnplacedLast) {
  DiagnosticSink sink;
  sink.report(Code::kMissingPolicy, std::nullopt);
  sink.report(Code::kUnknownTier, SourceRange{10, 12}, "b");
  sink.report(Code::kUnknownTier, SourceRange{2, 3}, "a");
  sink.report(Code::kUnknownNotifier, SourceRange{10, 11}, "c");
  sink.sort_by_position();
  const auto& ds = sink.diagnostics();
  EXPECT_EQ(ds[0].message, "unknown tier 'a'");
  EXPECT_EQ(ds[1].message, "unknown tier 'b'");
  EXPECT_EQ(ds[2].message, "unknown notifier 'c'");
  EXPECT_EQ(ds[3].code, Code::kMissingPolicy);
}

TEST(Diagnostic, LineColCountsCodePoints) {
  SourceFile f("f", "ab\nxé z\n");
  EXPECT_EQ(f.line_col(0).line, 1u);
  EXPECT_EQ(f.line_col(3).line, 2u);
  EXPECT_EQ(f.line_col(3).col, 1u);
  EXPECT_EQ(f.line_col(7).col, 4u);  // 'z' after "xé " (é is 2 bytes)
  EXPECT_EQ(f.line_text(2), "xé z");
}

// line_col() counts on from its last answer on the same line: asked in any order, it answers as a fresh file does.
TEST(Diagnostic, LineColIsTheSameInAnyOrder) {
  const std::string text = "héllo wörld\nsécond line ü\n\nlast";
  SourceFile reused("f", text);
  const std::vector<uint32_t> order = {5, 9, 2, 14, 20, 20, 0, 13, 30, 25, 8, 31, 1, 19};
  for (uint32_t offset : order) {
    const SourceFile fresh("f", text);
    EXPECT_EQ(reused.line_col(offset).line, fresh.line_col(offset).line) << offset;
    EXPECT_EQ(reused.line_col(offset).col, fresh.line_col(offset).col) << offset;
  }
}

// Text output stops after kMaxRenderedDiagnostics per file and says how many more there are; JSON lists them all.
TEST(Diagnostic, RenderTextShowsTheFirstHundredAndCountsTheRest) {
  std::string line = "databases = [";
  for (int i = 0; i < 250; ++i) line += (i ? ",d" : "d") + std::to_string(1000 + i);
  SourceFile f("p.skp", line + "]\n");
  DiagnosticSink sink;
  for (uint32_t i = 0; i < 250; ++i) sink.report(Code::kUnknownTier, SourceRange{13 + 6 * i, 18 + 6 * i}, "x");
  const std::string text = render_text(f, sink.diagnostics());
  EXPECT_NE(text.find("p.skp:1:608: error[SK0203]"), std::string::npos) << text;  // the 100th
  EXPECT_EQ(text.find("p.skp:1:614: error[SK0203]"), std::string::npos) << text;  // the 101st
  EXPECT_NE(text.find("p.skp: 150 more diagnostics not shown (the first 100 are above; --format json lists them "
                      "all)\n"),
            std::string::npos)
      << text;
  const nlohmann::json json = render_json(f, sink.diagnostics());
  ASSERT_EQ(json.size(), 250u);
  EXPECT_EQ(json[249]["col"], 13 + 6 * 249 + 1);
}

// A sink with a limit keeps the first diagnostics by position and counts the rest: the counts include them, a
// note added to one that is not kept goes nowhere, and the text says how many more there are and what JSON lists.
TEST(Diagnostic, ALimitedSinkKeepsTheFirstByPositionAndCountsTheRest) {
  SourceFile f("p.skp", std::string(400, 'x') + "\n");
  DiagnosticSink sink(150);
  for (uint32_t i = 0; i < 300; ++i) {
    Diagnostic& d = sink.report(i % 3 == 0 ? Code::kNoTiers : Code::kUnknownTier, SourceRange{i, i + 1}, "x");
    d.note(std::nullopt, "a note").suggest("y");
  }
  ASSERT_EQ(sink.diagnostics().size(), 150u);
  EXPECT_EQ(sink.diagnostics().back().range->begin, 149u);
  EXPECT_EQ(sink.diagnostics().back().notes.size(), 1u);
  EXPECT_EQ(sink.omitted(), 150u);
  EXPECT_EQ(sink.reported(), 300u);
  EXPECT_EQ(sink.error_count(), 200u);    // every SK0203, kept or not
  EXPECT_EQ(sink.warning_count(), 100u);  // every SK0315
  const std::string text = render_text(f, sink.diagnostics(), false, sink.omitted());
  EXPECT_NE(text.find("p.skp: 200 more diagnostics not shown (the first 100 are above; --format json lists the "
                      "first 150)\n"),
            std::string::npos)
      << text;

  // Reported last but first by position (a policy-level error found after every block was read): kept, and the
  // one that sorts last gives way. Unplaced diagnostics sort last; of equal positions the first reported stays.
  DiagnosticSink small(3);
  small.report(Code::kUnknownTier, SourceRange{9, 10}, "nine");
  small.report(Code::kUnknownTier, std::nullopt, "unplaced");
  small.report(Code::kUnknownTier, SourceRange{8, 9}, "eight");
  small.report(Code::kUnknownTier, SourceRange{7, 8}, "seven");        // evicts the unplaced one
  small.report(Code::kNoTiers, SourceRange{20, 21});                   // sorts after all kept: counted only
  small.report(Code::kUnknownTier, SourceRange{1, 2}, "one");          // evicts nine
  // The same position as the last kept one, reported later: counted only.
  small.push(Diagnostic{Code::kUnknownTier, Severity::kError, SourceRange{8, 9}, "eight again", {}, std::nullopt});
  small.sort_by_position();
  std::vector<std::string> kept;
  for (const Diagnostic& d : small.diagnostics()) kept.push_back(d.message);
  EXPECT_EQ(kept, (std::vector<std::string>{"unknown tier 'one'", "unknown tier 'seven'", "unknown tier 'eight'"}));
  EXPECT_EQ(small.reported(), 7u);
  EXPECT_EQ(small.error_count(), 6u);
  EXPECT_EQ(small.warning_count(), 1u);
  EXPECT_NE(render_text(f, small.diagnostics(), false, small.omitted())
                .find("p.skp: 4 more diagnostics not shown (the first 3 are above; --format json lists the first 3)"),
            std::string::npos);

  // Without a limit nothing is omitted.
  DiagnosticSink all;
  for (uint32_t i = 0; i < 5000; ++i) all.report(Code::kUnknownTier, SourceRange{i % 400, i % 400 + 1}, "x");
  EXPECT_EQ(all.diagnostics().size(), 5000u);
  EXPECT_EQ(all.omitted(), 0u);
}

TEST(Diagnostic, RenderTextShowsLocationSourceCaretsHelpAndNotes) {
  SourceFile f("p.skp", "tier \"a\" {\n  from = \"dayly\"\n}\n");
  DiagnosticSink sink;
  sink.report(Code::kUnknownTier, SourceRange{20, 27}, "dayly")
      .suggest("\"daily\"")
      .note(SourceRange{0, 4}, "declared here")
      .note(std::nullopt, "a loose note");
  const std::string text = render_text(f, sink.diagnostics());
  EXPECT_EQ(text,
            "p.skp:2:10: error[SK0203]: unknown tier 'dayly'\n"
            "   2 |   from = \"dayly\"\n"
            "     |          ^~~~~~~\n"
            "     = help: did you mean \"daily\"?\n"
            "p.skp:1:1: note: declared here\n"
            "   1 | tier \"a\" {\n"
            "     | ^~~~\n"
            "     = note: a loose note\n");
}

TEST(Diagnostic, RenderJsonHasPositionsAndNulls) {
  SourceFile f("p.skp", "abc\ndef\n");
  DiagnosticSink sink;
  sink.report(Code::kUnknownTier, SourceRange{4, 7}, "def").suggest("deaf");
  sink.report(Code::kMissingPolicy, std::nullopt);
  const nlohmann::json j = render_json(f, sink.diagnostics());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["code"], "SK0203");
  EXPECT_EQ(j[0]["severity"], "error");
  EXPECT_EQ(j[0]["line"], 2);
  EXPECT_EQ(j[0]["col"], 1);
  EXPECT_EQ(j[0]["end_line"], 2);
  EXPECT_EQ(j[0]["end_col"], 4);
  EXPECT_EQ(j[0]["did_you_mean"], "deaf");
  EXPECT_TRUE(j[1]["line"].is_null());
  EXPECT_TRUE(j[1]["did_you_mean"].is_null());
}

TEST(Diagnostic, ClosestMatchUsesABoundedEditDistance) {
  const std::vector<std::string> keys = {"retain", "window", "schedule", "backup"};
  EXPECT_EQ(closest_match("retian", keys), "retain");    // transposition
  EXPECT_EQ(closest_match("shedule", keys), "schedule"); // deletion
  EXPECT_EQ(closest_match("WINDOW", keys), "window");    // case-insensitive
  EXPECT_EQ(closest_match("xyz", keys), std::nullopt);
  EXPECT_EQ(closest_match("retain", keys), std::nullopt);  // the word itself is not a suggestion
}

TEST(Diagnostic, EscapeForTerminalEscapesControlsBidiAndInvalidBytes) {
  EXPECT_EQ(escape_for_terminal("plain täxt"), "plain täxt");
  EXPECT_EQ(escape_for_terminal(std::string("a\0b", 3)), "a\\0b");
  EXPECT_EQ(escape_for_terminal("\x1b]0;t\x07\r\n\t\x7f"), "\\x1b]0;t\\x07\\r\\n\\t\\x7f");
  EXPECT_EQ(escape_for_terminal("\xc2\x9b" "31m"), "\\u{9b}31m");                // 8-bit CSI
  EXPECT_EQ(escape_for_terminal("\xe2\x80\xae" "x\xe2\x81\xa6"), "\\u{202e}x\\u{2066}");  // bidi override, isolate
  EXPECT_EQ(escape_for_terminal("n\xe9w"), "n\\xe9w");                           // not UTF-8
}

TEST(Diagnostic, RenderTextEscapesMessagesAndSourceLinesAndKeepsCaretsAligned) {
  const SourceFile file("p\x1b.skp", "x = \"\x1b[2J\" bad\n");
  DiagnosticSink sink;
  sink.report(Code::kInvalidCharacter, SourceRange{11, 14}, "\x1b[2J").note(std::nullopt, "\x07");
  const std::string text = render_text(file, sink.diagnostics());
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_EQ(text,
            "p\\x1b.skp:1:12: error[SK0104]: unexpected character '\\x1b[2J'\n"
            "   1 | x = \"\\x1b[2J\" bad\n"
            "     |               ^~~\n"
            "     = note: \\x07\n");
}

TEST(Diagnostic, HugeValuesAndLinesAreShortened) {
  const std::string label(50'000'000, 'a');
  const SourceFile file("p.skp", "label = \"" + label + "\"\n");
  DiagnosticSink sink;
  sink.report(Code::kInvalidLabelTemplate, SourceRange{8, static_cast<uint32_t>(10 + label.size())}, label);
  const std::string text = render_text(file, sink.diagnostics());
  EXPECT_LT(text.size(), 2000u) << text.substr(0, 2000);
  EXPECT_NE(text.find("… (50000000 bytes)"), std::string::npos);
  EXPECT_EQ(shorten_quoted("short"), "short");
  EXPECT_EQ(shorten_quoted("äääää", 3), "ä… (10 bytes)");  // never cuts inside a code point
}

}  // namespace
