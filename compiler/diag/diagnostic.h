// Diagnostics engine for mistakes in user input (policy text, inventory): stable codes with message templates from
// the .def tables, exact source ranges, notes and "did you mean" fix-its, collected in a sink (never thrown) and
// rendered as clang-style text or JSON. No dependency on any other compiler stage.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sk::diag {

// Byte offsets into the source text, half-open [begin, end). An empty range (begin == end) marks a position
// (e.g. "expected '}' here" at end of file).
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

// The smallest range containing both.
inline SourceRange join(SourceRange a, SourceRange b) {
  return SourceRange{a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
}

enum class Severity { kError, kWarning, kNote };

enum class Code {
#define SK_DIAG(id, code_text, severity, format) id,
#include "compiler/diag/codes_front.def"
#include "compiler/diag/codes_analysis.def"
#undef SK_DIAG
};

// "SK0203".
[[nodiscard]] std::string_view code_text(Code code);
[[nodiscard]] Severity default_severity(Code code);
// The message template ({} placeholders, fmt syntax).
[[nodiscard]] std::string_view message_format(Code code);
// Every code in table order (for coverage tests and docs).
[[nodiscard]] const std::vector<Code>& all_codes();
// "error", "warning", "note".
[[nodiscard]] std::string_view to_string(Severity severity);

struct Note {
  std::optional<SourceRange> range;  // nullopt: a note not tied to a place
  std::string message;
};

struct Diagnostic {
  Code code;
  Severity severity;
  std::optional<SourceRange> range;  // nullopt: not tied to a place in the file
  std::string message;
  std::vector<Note> notes;
  std::optional<std::string> did_you_mean;  // replacement text for `range` (a fix-it)

  Diagnostic& note(std::optional<SourceRange> at, std::string text) {
    notes.push_back(Note{at, std::move(text)});
    return *this;
  }
  Diagnostic& suggest(std::string replacement) {
    did_you_mean = std::move(replacement);
    return *this;
  }
};

// The text being compiled. Line/column computation is O(log lines) after an O(n) index built at construction, plus
// the code points from the line's start (or from the last position asked, on the same line). Not thread-safe.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  // Text owned by `owner` (e.g. a read-only mapping of the file), which lives as long as this SourceFile does.
  SourceFile(std::string path, std::shared_ptr<const void> owner, std::string_view text);

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string_view text() const { return text_; }

  // 1-based line and column. The column counts UTF-8 code points (not bytes) from the start of the line, so carets
  // line up under non-ASCII text in a UTF-8 terminal. Offsets past the end clamp to the end.
  struct LineCol {
    uint32_t line = 1;
    uint32_t col = 1;
  };
  // Counting from the last answer when `offset` is further on the same line, so that many diagnostics on one long
  // line cost linear, not quadratic, time (diagnostics are rendered in position order).
  [[nodiscard]] LineCol line_col(uint32_t offset) const;
  // The text of 1-based `line` without its line terminator.
  [[nodiscard]] std::string_view line_text(uint32_t line) const;
  [[nodiscard]] uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  SourceFile(std::string path, std::shared_ptr<const std::string> text);

  std::string path_;
  std::shared_ptr<const void> owner_;  // holds what text_ views; copies share it
  std::string_view text_;
  std::vector<uint32_t> line_starts_;
  mutable uint32_t last_offset_ = 0;  // line_col()'s last answer
  mutable LineCol last_{};
};

// Collects diagnostics of one compilation. Not thread-safe; one sink per compilation.
//
// A sink built with a limit keeps at most that many diagnostics, the first by position (as sort_by_position() orders
// them; among equal positions the first reported), and only counts the rest
// (omitted(), and error_count()/warning_count() include them): a hostile file of 256 KiB can cause 100,000 of the
// same mistake, each about 200 bytes, and nobody reads past the first. The compiler's sinks have kMaxKeptDiagnostics;
// a sink without a limit (the default) keeps everything.
class DiagnosticSink {
 public:
  DiagnosticSink() = default;
  explicit DiagnosticSink(size_t limit) : limit_(limit) {}

  // Reports `code` at `range` with the table's severity and message template filled with `format_args`
  // (each argument formatted with "{}"). Returns the stored diagnostic so the caller can add notes or a fix-it;
  // the reference stays valid until the next report(). Past the limit it returns a scratch diagnostic that is
  // only counted.
  template <typename... A>
  Diagnostic& report(Code code, std::optional<SourceRange> range, A&&... format_args) {
    std::vector<std::string> args{fmt::format("{}", std::forward<A>(format_args))...};
    return add(code, range, args);
  }
  // The same with an explicit severity (e.g. an error demoted to a warning by a flag).
  Diagnostic& add(Code code, std::optional<SourceRange> range, const std::vector<std::string>& args);
  void push(Diagnostic d);

  [[nodiscard]] bool has_errors() const { return error_count() > 0; }
  [[nodiscard]] size_t error_count() const;
  [[nodiscard]] size_t warning_count() const;
  // The kept diagnostics (all of them when the sink has no limit or did not reach it).
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  // Diagnostics reported past the limit: counted, not kept.
  [[nodiscard]] size_t omitted() const { return omitted_errors_ + omitted_warnings_ + omitted_notes_; }
  // Every diagnostic reported so far, kept or not (to see whether a step reported something).
  [[nodiscard]] size_t reported() const { return diagnostics_.size() + omitted(); }
  // Stable: by range begin (diagnostics without a range last), then insertion order.
  void sort_by_position();

 private:
  // Where to store a diagnostic reported now: a new element, or past the limit the kept one that sorts last when
  // this one sorts before it; null when it is not kept. Whatever is not kept is counted.
  Diagnostic* slot(Severity severity, const std::optional<SourceRange>& range);
  void count_omitted(Severity severity);

  size_t limit_ = SIZE_MAX;
  size_t last_ = SIZE_MAX;  // once full: the index of the kept diagnostic that sorts last, SIZE_MAX when unknown
  std::vector<Diagnostic> diagnostics_;
  size_t omitted_errors_ = 0, omitted_warnings_ = 0, omitted_notes_ = 0;
  Diagnostic overflow_{};  // what report() returns past the limit
};

// Clang-style text, one block per diagnostic:
//   policies/p.skp:12:15: error[SK0203]: unknown tier 'dayly'
//      12 |     from = "dayly"
//         |            ^~~~~~~
//         = help: did you mean 'daily'?
//   policies/p.skp:3:5: note: tier 'daily' declared here
//      3 |   tier "daily" {
//        |   ^~~~~~~~~~~~~~
// A multi-line range is underlined to the end of its first line. Notes without a range print as "  = note: …".
// `omitted`: diagnostics of the file that a limited sink counted but did not keep (DiagnosticSink::omitted()).
std::string render_text(const SourceFile& file, const std::vector<Diagnostic>& diagnostics, bool color = false,
                        size_t omitted = 0);
// [{code, severity, message, file, line, col, end_line, end_col, notes:[{message, file, line, col, end_line, end_col}],
//   did_you_mean}] — positions omitted (null) for diagnostics without a range; end is exclusive.
nlohmann::json render_json(const SourceFile& file, const std::vector<Diagnostic>& diagnostics);

// `s` made safe to print on a terminal, one escape per unsafe unit, everything else unchanged: NUL as \0, other
// C0 controls and DEL as \n \r \t or \x1b (a tab in a source line is shown by the renderer as one space), C1
// controls (U+0080–U+009F) and the bidirectional embedding/override/isolate characters (U+202A–U+202E,
// U+2066–U+2069) as \u{9b}, and bytes that are not valid UTF-8 as \xe9. render_text() applies it to paths,
// messages, suggestions and echoed source lines, so a crafted policy cannot retitle a terminal or hide text.
std::string escape_for_terminal(std::string_view s);

// Texts that diagnostics quote from user input are shortened to at most this many bytes ("…" marks the cut), and
// echoed source lines to a window of at most kMaxShownColumns code points around the range (diagnostic.cpp).
inline constexpr size_t kMaxQuotedBytes = 200;
inline constexpr size_t kMaxShownColumns = 160;
// render_text() shows at most this many diagnostics per file and then says how many more there are (a policy
// with 25,000 misspelt names would otherwise print 75,000 lines); render_json() lists all it is given.
inline constexpr size_t kMaxRenderedDiagnostics = 100;
// The compiler's sinks keep at most this many diagnostics per file (DiagnosticSink's limit).
inline constexpr size_t kMaxKeptDiagnostics = 1000;

// `s` cut to at most `max_bytes` bytes (at a UTF-8 boundary) with "…" appended when it was longer.
std::string shorten_quoted(std::string_view s, size_t max_bytes = kMaxQuotedBytes);

// The candidate closest to `word` by (case-insensitive) Damerau-Levenshtein distance, if that distance is at most
// max(1, word.size() / 3) and the candidate is not `word` itself; ties go to the earliest candidate.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace sk::diag
