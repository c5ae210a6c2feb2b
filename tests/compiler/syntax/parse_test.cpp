// syntax::parse: tree shape, byte ranges, string escapes, and error reporting/recovery.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compiler/syntax/parse.h"

namespace {

using sk::ast::Expr;
using sk::diag::Code;

struct Parsed {
  sk::diag::SourceFile file;
  sk::diag::DiagnosticSink sink;
  sk::ast::Policy ast;
};

std::unique_ptr<Parsed> parse(std::string text) {
  auto p = std::make_unique<Parsed>(Parsed{sk::diag::SourceFile("t.skp", std::move(text)), {}, {}});
  p->ast = sk::syntax::parse(p->file, p->sink);
  return p;
}

std::string at(const Parsed& p, sk::diag::SourceRange r) {
  return std::string(p.file.text().substr(r.begin, r.end - r.begin));
}

const sk::ast::Entry& entry(const sk::ast::Block& b, std::string_view key) {
  for (const auto& e : b.entries) {
    if (e.key.text == key) return e;
  }
  throw std::runtime_error("no entry " + std::string(key));
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Parse, ProductionPolicyHasTheExpectedShapeAndNoDiagnostics) {
  auto p = parse(read(std::string(SK_REPO_DIR) + "/policies/production.skp"));
  EXPECT_TRUE(p->sink.diagnostics().empty()) << sk::diag::render_text(p->file, p->sink.diagnostics());
  ASSERT_EQ(p->ast.blocks.size(), 1u);
  const sk::ast::Block& policy = p->ast.blocks[0];
  EXPECT_EQ(policy.kind.text, "policy");
  ASSERT_TRUE(policy.name);
  EXPECT_EQ(policy.name->text, "production");
  EXPECT_EQ(at(*p, policy.name->range), "\"production\"");
  int tiers = 0, drills = 0, alerts = 0;
  for (const auto& b : policy.blocks) {
    tiers += b.kind.text == "tier";
    drills += b.kind.text == "drill";
    alerts += b.kind.text == "alert";
  }
  EXPECT_EQ(tiers, 3);
  EXPECT_EQ(drills, 3);
  EXPECT_EQ(alerts, 4);
  // Every entry's key range covers exactly the key text.
  for (const auto& b : policy.blocks) {
    for (const auto& e : b.entries) EXPECT_EQ(at(*p, e.key.range), e.key.text);
  }
}

TEST(Parse, WhereConditionIsATreeOfComparisonsAndFlags) {
  auto p = parse("policy \"p\" {\n  tier \"d\" { include = tables where class == \"fact\" and not partitioned }\n}\n");
  ASSERT_TRUE(p->sink.diagnostics().empty());
  const Expr& v = entry(p->ast.blocks[0].blocks[0], "include").value;
  ASSERT_EQ(v.kind, Expr::Kind::kWhere);
  EXPECT_EQ(v.path[0].text, "tables");
  const Expr& cond = v.operands[0];
  ASSERT_EQ(cond.kind, Expr::Kind::kAnd);
  ASSERT_EQ(cond.operands.size(), 2u);
  EXPECT_EQ(cond.operands[0].kind, Expr::Kind::kCompare);
  EXPECT_EQ(cond.operands[0].text, "==");
  EXPECT_EQ(cond.operands[0].operands[1].text, "fact");
  EXPECT_EQ(at(*p, cond.operands[0].range), "class == \"fact\"");
  ASSERT_EQ(cond.operands[1].kind, Expr::Kind::kNot);
  EXPECT_TRUE(cond.operands[1].operands[0].is_word("partitioned"));
  EXPECT_EQ(at(*p, cond.range), "class == \"fact\" and not partitioned");
}

TEST(Parse, SchedulesArePhrasesAndCommaSequences) {
  auto p = parse(
      "policy \"p\" {\n"
      "  a = mon..sat at 01:00\n"
      "  b = day 1, 15 of month at 02:00 in jan, jul\n"
      "}\n");
  ASSERT_TRUE(p->sink.diagnostics().empty()) << sk::diag::render_text(p->file, p->sink.diagnostics());
  const Expr& a = entry(p->ast.blocks[0], "a").value;
  ASSERT_EQ(a.kind, Expr::Kind::kPhrase);
  ASSERT_EQ(a.operands.size(), 3u);
  EXPECT_EQ(a.operands[0].kind, Expr::Kind::kRange);
  EXPECT_EQ(at(*p, a.operands[0].range), "mon..sat");
  EXPECT_TRUE(a.operands[1].is_word("at"));
  EXPECT_EQ(a.operands[2].kind, Expr::Kind::kTime);
  EXPECT_EQ(a.operands[2].text, "01:00");
  const Expr& b = entry(p->ast.blocks[0], "b").value;
  ASSERT_EQ(b.kind, Expr::Kind::kSequence);
  EXPECT_EQ(b.operands.size(), 3u);  // "day 1" | "15 of month at 02:00 in jan" | "jul"
  EXPECT_EQ(b.operands[1].kind, Expr::Kind::kIn);
}

TEST(Parse, LiteralsCallsListsAndPaths) {
  auto p = parse(
      "policy \"p\" {\n"
      "  d = 14d; p = 15%; n = 6; t = 23:59\n"
      "  c = changed_partitions(updated_within = 3d)\n"
      "  l = [\n    \"a\",\n    \"b\",\n  ]\n"
      "  w = job.state in [CANCELLED, FAILED]\n"
      "  k = one partition\n"
      "}\n");
  ASSERT_TRUE(p->sink.diagnostics().empty()) << sk::diag::render_text(p->file, p->sink.diagnostics());
  const auto& b = p->ast.blocks[0];
  EXPECT_EQ(entry(b, "d").value.kind, Expr::Kind::kQuantity);
  EXPECT_EQ(entry(b, "d").value.text, "14d");
  EXPECT_EQ(entry(b, "p").value.kind, Expr::Kind::kPercent);
  EXPECT_EQ(entry(b, "n").value.kind, Expr::Kind::kNumber);
  EXPECT_EQ(entry(b, "t").value.kind, Expr::Kind::kTime);
  const Expr& c = entry(b, "c").value;
  ASSERT_EQ(c.kind, Expr::Kind::kCall);
  EXPECT_EQ(c.path[0].text, "changed_partitions");
  ASSERT_EQ(c.operands.size(), 1u);
  ASSERT_TRUE(c.argument_names[0]);
  EXPECT_EQ(c.argument_names[0]->text, "updated_within");
  const Expr& l = entry(b, "l").value;
  ASSERT_EQ(l.kind, Expr::Kind::kList);
  EXPECT_EQ(l.operands.size(), 2u);
  const Expr& w = entry(b, "w").value;
  ASSERT_EQ(w.kind, Expr::Kind::kIn);
  EXPECT_EQ(w.operands[0].dotted(), "job.state");
  EXPECT_EQ(w.operands[1].operands.size(), 2u);
  const Expr& k = entry(b, "k").value;
  ASSERT_EQ(k.kind, Expr::Kind::kPhrase);
  EXPECT_TRUE(k.operands[1].is_word("partition"));
}

// A bracketed list of plain strings is lexed as one token (parse memory); it must give the AST the same list gives
// when lexed token by token (here forced by a comment inside the list): kinds, decoded texts and byte ranges.
TEST(Parse, AListOfStringsIsTheSameAsOneTokenOrTokenByToken) {
  auto p = parse(
      "policy \"p\" {\n"
      "  one   = [ \"x\\\"y\", \"\u00e9t\u00e9\",\n    \"z\" ,\n  ]\n"
      "  split = [ \"x\\\"y\", \"\u00e9t\u00e9\", # a comment keeps this list out of the one-token form\n"
      "    \"z\" ,\n  ]\n"
      "  w = name in [\"a\",\"b\"] and class in [\"fact\"]\n"
      "}\n");
  ASSERT_TRUE(p->sink.diagnostics().empty()) << sk::diag::render_text(p->file, p->sink.diagnostics());
  const auto& b = p->ast.blocks[0];
  const Expr& one = entry(b, "one").value;
  const Expr& split = entry(b, "split").value;
  ASSERT_EQ(one.kind, Expr::Kind::kList);
  ASSERT_EQ(split.kind, Expr::Kind::kList);
  EXPECT_EQ(at(*p, one.range).front(), '[');
  EXPECT_EQ(at(*p, one.range).back(), ']');
  ASSERT_EQ(one.operands.size(), 3u);
  ASSERT_EQ(split.operands.size(), 3u);
  const std::vector<std::string> texts = {"x\"y", "\u00e9t\u00e9", "z"};
  const std::vector<std::string> sources = {"\"x\\\"y\"", "\"\u00e9t\u00e9\"", "\"z\""};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(one.operands[i].kind, Expr::Kind::kString);
    EXPECT_EQ(split.operands[i].kind, Expr::Kind::kString);
    EXPECT_EQ(one.operands[i].text, texts[i]);
    EXPECT_EQ(split.operands[i].text, texts[i]);
    EXPECT_EQ(at(*p, one.operands[i].range), sources[i]);
    EXPECT_EQ(at(*p, split.operands[i].range), sources[i]);
  }
  const Expr& w = entry(b, "w").value;
  ASSERT_EQ(w.kind, Expr::Kind::kAnd);
  ASSERT_EQ(w.operands[0].kind, Expr::Kind::kIn);
  ASSERT_EQ(w.operands[0].operands[1].operands.size(), 2u);
  EXPECT_EQ(w.operands[0].operands[1].operands[1].text, "b");
  EXPECT_EQ(w.operands[1].operands[1].operands[0].text, "fact");
}

// An invalid escape inside a one-token list is reported at the escape, as in a lone string.
TEST(Parse, AnInvalidEscapeInAListIsReportedAtTheEscape) {
  auto p = parse("policy \"p\" { l = [\"ok\", \"a\\qb\"] }\n");
  ASSERT_EQ(p->sink.diagnostics().size(), 1u) << sk::diag::render_text(p->file, p->sink.diagnostics());
  const auto& d = p->sink.diagnostics()[0];
  EXPECT_EQ(d.code, Code::kInvalidEscape);
  ASSERT_TRUE(d.range);
  EXPECT_EQ(at(*p, *d.range), "\\q");
}

TEST(Parse, CommentsAndBothSeparatorStylesAreAccepted) {
  auto p = parse(
      "# heading comment\n"
      "policy \"p\" { // trailing comment\n"
      "  a = 1; b = 2   # comment after an entry\n"
      "  c = x and\n"
      "      y\n"
      "}\n");
  ASSERT_TRUE(p->sink.diagnostics().empty()) << sk::diag::render_text(p->file, p->sink.diagnostics());
  const auto& b = p->ast.blocks[0];
  EXPECT_EQ(b.entries.size(), 3u);
  EXPECT_EQ(entry(b, "c").value.kind, Expr::Kind::kAnd);
}

TEST(Parse, StringEscapesAreDecoded) {
  auto p = parse("policy \"p\" { s = \"q\\\"b\\\\n\\n\\t\\u{e9}\" }\n");
  ASSERT_TRUE(p->sink.diagnostics().empty()) << sk::diag::render_text(p->file, p->sink.diagnostics());
  EXPECT_EQ(entry(p->ast.blocks[0], "s").value.text, "q\"b\\n\n\t\xC3\xA9");
}

TEST(Parse, InvalidEscapeIsReportedAtTheEscape) {
  auto p = parse("policy \"p\" { s = \"a\\qb\" }\n");
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  const auto& d = p->sink.diagnostics()[0];
  EXPECT_EQ(d.code, Code::kInvalidEscape);
  EXPECT_EQ(at(*p, *d.range), "\\q");
}

TEST(Parse, UnterminatedStringIsReportedAndParsingContinues) {
  auto p = parse("policy \"p\" {\n  s = \"abc\n  t = 1\n}\n");
  ASSERT_EQ(p->sink.diagnostics().size(), 1u) << sk::diag::render_text(p->file, p->sink.diagnostics());
  EXPECT_EQ(p->sink.diagnostics()[0].code, Code::kUnterminatedString);
  EXPECT_EQ(at(*p, *p->sink.diagnostics()[0].range), "\"abc");
  EXPECT_EQ(p->ast.blocks[0].entries.size(), 2u);
}

TEST(Parse, MissingEqualsHasAReadableMessage) {
  auto p = parse("policy \"p\" {\n  tier \"d\" {\n    retain 14d\n  }\n}\n");
  ASSERT_GE(p->sink.diagnostics().size(), 1u);
  const auto& d = p->sink.diagnostics()[0];
  EXPECT_EQ(d.code, Code::kSyntaxError);
  EXPECT_EQ(d.message, "expected '=' after 'retain', found '14d'");
  EXPECT_EQ(at(*p, *d.range), "14d");
}

TEST(Parse, AllSyntaxErrorsAreReportedInOneRun) {
  auto p = parse(
      "policy \"p\" {\n"
      "  tier \"a\" { retain = = 3d }\n"
      "  drill \"b\" { every = ; from = \"a\" }\n"
      "  alert \"c\" { when = (x; notify = \"n\" }\n"
      "  tier \"z\" { retain = 1d }\n"
      "}\n");
  int syntax_errors = 0;
  for (const auto& d : p->sink.diagnostics()) syntax_errors += d.code == Code::kSyntaxError;
  EXPECT_EQ(syntax_errors, 3) << sk::diag::render_text(p->file, p->sink.diagnostics());
  // Recovery keeps the later blocks and entries.
  ASSERT_EQ(p->ast.blocks.size(), 1u);
  EXPECT_EQ(p->ast.blocks[0].blocks.size(), 4u);
  EXPECT_EQ(p->ast.blocks[0].blocks[3].name->text, "z");
  EXPECT_EQ(entry(p->ast.blocks[0].blocks[1], "from").value.text, "a");
}

TEST(Parse, UnclosedBlockPointsAtTheEndAndNotesTheOpening) {
  auto p = parse("policy \"p\" {\n  a = 1\n");
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  const auto& d = p->sink.diagnostics()[0];
  EXPECT_EQ(d.message, "expected '}' to close this block before the end of the file");
  EXPECT_EQ(d.range->begin, p->file.text().size());
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(at(*p, *d.notes[0].range), "policy");
}

TEST(Parse, UnquotedBlockNameGetsAHint) {
  auto p = parse("policy \"p\" {\n  tier daily { }\n}\n");
  ASSERT_GE(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].message, "block names are quoted strings: write tier \"daily\" {");
}

TEST(Parse, StrayCharacterIsReportedOnce) {
  auto p = parse("policy \"p\" { a = 1 $ }\n");
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].code, Code::kInvalidCharacter);
  EXPECT_EQ(at(*p, *p->sink.diagnostics()[0].range), "$");
}

TEST(Parse, InvalidUtf8IsReportedWithoutCrashing) {
  auto p = parse(std::string("policy \"p\" { a = \"x\xFFy\" }\n"));
  ASSERT_GE(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].code, Code::kInvalidUtf8);
  EXPECT_EQ(p->sink.diagnostics()[0].range->begin, 19u);
  EXPECT_EQ(p->ast.blocks.size(), 1u);
}

TEST(Parse, RangesAreByteOffsetsAfterMultibyteText) {
  // "é" is two bytes; the error after it must point at the right bytes and column.
  auto p = parse("policy \"p\" { s = \"é\"; t = 1 ! }\n");
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  const auto& d = p->sink.diagnostics()[0];
  EXPECT_EQ(at(*p, *d.range), "!");
  EXPECT_EQ(p->file.line_col(d.range->begin).col, 29u);  // code points, not bytes
}

// The AST is built while parsing, unit by unit (parse.cpp, StreamingBuild), yet the builder's diagnostics come in the
// order of a top-down build after the parse — a block's name, its body's missing separators, then its entries and
// nested blocks in order — and Block::recovered counts what the top-down build had reported when it reached the
// block: a missing separator just after a block's '}' (reported by the enclosing body first) marks it, one inside
// the policy's body does not mark the policy.
TEST(Parse, BuilderDiagnosticsKeepTheTopDownOrder) {
  auto p = parse("policy \"p\\q\" {\n  tier \"t\" { a = \"x\\q\" }b = 1\n  c = [\"y\\q\", [z, \"w\\q\"]]\n}\n");
  std::vector<std::string> seen;
  for (const auto& d : p->sink.diagnostics()) {
    ASSERT_TRUE(d.range.has_value());
    seen.push_back(d.code == Code::kSyntaxError ? "separator@" + at(*p, {d.range->begin, d.range->begin + 1})
                                                : "escape@" + at(*p, *d.range));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"escape@\\q", "separator@b", "escape@\\q", "escape@\\q", "escape@\\q"}));
  const auto& diags = p->sink.diagnostics();
  ASSERT_EQ(diags.size(), 5u);
  EXPECT_LT(diags[0].range->begin, diags[2].range->begin);  // the policy's name, then the tier's entry
  EXPECT_LT(diags[2].range->begin, diags[1].range->begin);  // the separator came before the entry it follows
  ASSERT_EQ(p->ast.blocks.size(), 1u);
  const sk::ast::Block& policy = p->ast.blocks[0];
  EXPECT_FALSE(policy.recovered);
  ASSERT_EQ(policy.blocks.size(), 1u);
  EXPECT_TRUE(policy.blocks[0].recovered);
  ASSERT_EQ(policy.entries.size(), 2u);
  const Expr& c = entry(policy, "c").value;
  ASSERT_EQ(c.operands.size(), 2u);
  EXPECT_EQ(c.operands[1].operands.size(), 2u);
}

TEST(Parse, DeepNestingIsRejectedBeforeParsing) {
  std::string deep = "policy \"p\" { a = " + std::string(200, '(') + "x" + std::string(200, ')') + " }\n";
  auto p = parse(deep);
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].code, Code::kNestingTooDeep);
  EXPECT_TRUE(p->ast.blocks.empty());
}

// A call's arguments and a path's segments are not built as the parser goes: more than 64 of them are rejected
// before parsing (SK0109), at the first one too many. 64 still parse; commas of a list inside a call do not count.
TEST(Parse, CallsAndPathsTooLongAreRejectedBeforeParsing) {
  const auto args = [](int n, std::string_view each) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? ", " : "") + std::string(each);
    return out;
  };
  const auto segments = [](int n) {
    std::string out = "a";
    for (int i = 1; i < n; ++i) out += ".a";
    return out;
  };
  const std::string call = "policy \"p\" { a = f(" + args(65, "\"x\"") + ") }\n";
  auto p = parse(call);
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].code, Code::kTooLong);
  EXPECT_EQ(p->sink.diagnostics()[0].message, "more than 64 arguments in a call; the file was not parsed");
  EXPECT_EQ(p->sink.diagnostics()[0].range->begin, call.rfind(','));  // the 64th comma
  EXPECT_TRUE(p->ast.blocks.empty());
  auto path = parse("policy \"p\" { a = " + segments(65) + " }\n");
  ASSERT_EQ(path->sink.diagnostics().size(), 1u);
  EXPECT_EQ(path->sink.diagnostics()[0].message, "more than 64 segments in a dotted path; the file was not parsed");
  for (const std::string& fine : {"policy \"p\" { a = f(" + args(64, "\"x\"") + ") }\n",
                                  "policy \"p\" { a = f([" + args(500, "\"x\"") + "]) }\n",
                                  "policy \"p\" { a = [" + args(500, "x") + "]; b = f(x, (y)) }\n",
                                  "policy \"p\" { a = " + segments(64) + " }\n"}) {
    auto ok = parse(fine);
    EXPECT_FALSE(ok->sink.has_errors()) << fine.substr(0, 80);
    EXPECT_EQ(ok->ast.blocks.size(), 1u) << fine.substr(0, 80);
  }
}

TEST(Parse, EmptyAndGarbageInputsNeverThrow) {
  for (const char* text : {"", "}", "{{{{", "policy", "policy \"p\"", "\"", "= = =", "policy \"p\" { a = [1, }"}) {
    EXPECT_NO_THROW({ auto p = parse(text); }) << text;
  }
}

}  // namespace
