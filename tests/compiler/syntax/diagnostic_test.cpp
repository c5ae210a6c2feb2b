// The diagnostics engine: codes table, sink, text and JSON rendering, did-you-mean.
#include <gtest/gtest.h>

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

}  // namespace
