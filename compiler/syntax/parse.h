// The policy parser: policy text → ast::Policy. The only public entry point of the syntax stage; ANTLR stays behind
// it (generated code in target sk_policy_antlr, used only by this folder's .cpp files).
#pragma once

#include <cstddef>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace sk::syntax {

// Parses `file` and returns the best-effort tree. Every problem (invalid UTF-8, stray characters, unterminated
// strings, bad escapes, syntax errors — the parser recovers and continues, up to kMaxSyntaxErrors) is reported to
// `sink` with an SK01xx code and the exact byte range; the tree then omits or marks (Expr::Kind::kError) what could
// not be read. Never throws. Keeps no state of its own between calls; concurrent calls share only the ANTLR runtime's DFA
// cache, which the 4.9 runtime guards with its own locks.
ast::Policy parse(const diag::SourceFile& file, diag::DiagnosticSink& sink);

// Nesting of ( [ { deeper than this is rejected (SK0106) before parsing, bounding recursion.
inline constexpr int kMaxNesting = 64;

// A call with more arguments, or a dotted path with more segments, than this is rejected (SK0109) before parsing:
// their parts are not built as the parser goes (a call of 87,000 arguments needed 540 bytes per input byte), and no
// call or path of the language has more than a few.
inline constexpr int kMaxCallArguments = 64;
inline constexpr int kMaxPathSegments = 64;

// After this many syntax errors the parse stops (SK0108), as a C++ compiler's error limit does: recovery that far
// into a broken file rarely says anything new, and a file of 256 KiB of commas would otherwise cost an error, and a
// kilobyte of memory, per byte.
inline constexpr size_t kMaxSyntaxErrors = 50;

// A policy larger than this is rejected (SK0107) before it is decoded: policies are a few kilobytes (the production
// policy has 2.5 KB). Parsing needs the tree's own size and a few bytes per input byte (at most about 45 in all, for
// a body of `a=1` lines; realistic text about 15, comments almost nothing: each entry, block, list element and chain
// operand is built and its parse tree freed as the parser leaves it, tokens are lexed on demand, nodes view the
// text; docs/performance.md), so the limit bounds the parse to about 12 MB. Running out of memory while parsing is
// reported as SK0107 too, never as a syntax error.
inline constexpr size_t kMaxPolicyBytes = size_t{256} << 10;

}  // namespace sk::syntax
