#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include <fmt/args.h>

namespace sk::diag {
namespace {

struct CodeInfo {
  Code code;
  std::string_view text;
  Severity severity;
  std::string_view format;
};

constexpr Severity kError = Severity::kError;
constexpr Severity kWarning = Severity::kWarning;
[[maybe_unused]] constexpr Severity kNote = Severity::kNote;  // no code has it yet (clang: unused)

constexpr CodeInfo kTable[] = {
#define SK_DIAG(id, code_text, severity, format) CodeInfo{Code::id, code_text, severity, format},
#include "compiler/diag/codes_front.def"
#include "compiler/diag/codes_analysis.def"
#undef SK_DIAG
};

const CodeInfo& info(Code code) { return kTable[static_cast<size_t>(code)]; }

// Length in code points of a UTF-8 byte range (continuation bytes are not counted).
uint32_t code_points(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Length of the valid UTF-8 sequence at s[i] (its code point in `cp`), or 0 when the byte there starts none
// (overlong forms, surrogates, values above U+10FFFF and truncated sequences are invalid).
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool unsafe_code_point(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void append_escape(std::string& out, uint32_t cp) {
  switch (cp) {
    case 0: out += "\\0"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  if (cp < 0x80) {
    out += fmt::format("\\x{:02x}", cp);
  } else {
    out += fmt::format("\\u{{{:x}}}", cp);
  }
}

// Byte length of the first `n` code points of `s` (all of it when it has fewer).
size_t prefix_bytes(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) break;
  }
  return i;
}

}  // namespace

std::string escape_for_terminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp = 0;
    const size_t n = utf8_sequence(s, i, cp);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (unsafe_code_point(cp)) {
      append_escape(out, cp);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string shorten_quoted(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}… ({} bytes)", s.substr(0, cut), s.size());
}

std::string_view code_text(Code code) { return info(code).text; }
Severity default_severity(Code code) { return info(code).severity; }
std::string_view message_format(Code code) { return info(code).format; }

const std::vector<Code>& all_codes() {
  static const std::vector<Code> codes = [] {
    std::vector<Code> out;
    for (const CodeInfo& c : kTable) out.push_back(c.code);
    return out;
  }();
  return codes;
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

// ---- SourceFile ----

SourceFile::SourceFile(std::string path, std::string text)
    : SourceFile(std::move(path), std::make_shared<const std::string>(std::move(text))) {}

SourceFile::SourceFile(std::string path, std::shared_ptr<const std::string> text)
    : SourceFile(std::move(path), text, std::string_view(*text)) {}

SourceFile::SourceFile(std::string path, std::shared_ptr<const void> owner, std::string_view text)
    : path_(std::move(path)), owner_(std::move(owner)), text_(text) {
  line_starts_.push_back(0);
  const char* const begin = text_.data();
  const char* const end = begin + text_.size();
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr;) {
    ++p;
    line_starts_.push_back(static_cast<uint32_t>(p - begin));
  }
}

SourceFile::LineCol SourceFile::line_col(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line_index = static_cast<uint32_t>(it - line_starts_.begin()) - 1;
  uint32_t from = line_starts_[line_index];
  uint32_t col = 1;
  if (last_.line == line_index + 1 && last_offset_ <= offset && last_offset_ >= from) {
    from = last_offset_;
    col = last_.col;
  }
  last_ = LineCol{line_index + 1, col + code_points(text_.substr(from, offset - from))};
  last_offset_ = offset;
  return last_;
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  const uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
  std::string_view s = text_.substr(start, end - start);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// ---- DiagnosticSink ----

namespace {

// Where a diagnostic sorts (sort_by_position): by range begin, unplaced ones last.
uint64_t position_key(const std::optional<SourceRange>& range) {
  return range ? range->begin : uint64_t{1} << 32;
}

}  // namespace

void DiagnosticSink::count_omitted(Severity severity) {
  switch (severity) {
    case Severity::kError: ++omitted_errors_; break;
    case Severity::kWarning: ++omitted_warnings_; break;
    case Severity::kNote: ++omitted_notes_; break;
  }
}

Diagnostic* DiagnosticSink::slot(Severity severity, const std::optional<SourceRange>& range) {
  if (diagnostics_.size() < limit_) return &diagnostics_.emplace_back();
  if (diagnostics_.empty()) {
    count_omitted(severity);
    return nullptr;
  }
  // Full: the one that sorts last gives way to one that sorts before it (a later report of the same position
  // does not), so that the kept ones are the first by position. Its index is found again after each change.
  if (last_ == SIZE_MAX) {
    last_ = 0;
    for (size_t i = 1; i < diagnostics_.size(); ++i) {
      if (position_key(diagnostics_[i].range) >= position_key(diagnostics_[last_].range)) last_ = i;
    }
  }
  if (position_key(range) >= position_key(diagnostics_[last_].range)) {
    count_omitted(severity);
    return nullptr;
  }
  count_omitted(diagnostics_[last_].severity);
  return &diagnostics_[std::exchange(last_, SIZE_MAX)];
}

Diagnostic& DiagnosticSink::add(Code code, std::optional<SourceRange> range, const std::vector<std::string>& args) {
  const CodeInfo& ci = info(code);
  Diagnostic* d = slot(ci.severity, range);
  if (d == nullptr) {
    overflow_ = Diagnostic{code, ci.severity, range, {}, {}, std::nullopt};
    return overflow_;
  }
  std::string message;
  try {
    fmt::dynamic_format_arg_store<fmt::format_context> store;
    for (const std::string& a : args) store.push_back(shorten_quoted(a));
    message = fmt::vformat(ci.format, store);
  } catch (const fmt::format_error&) {
    // A template/argument mismatch is a programming error; keep the template text rather than lose the diagnostic.
    message = std::string(ci.format);
  }
  *d = Diagnostic{code, ci.severity, range, std::move(message), {}, std::nullopt};
  return *d;
}

void DiagnosticSink::push(Diagnostic d) {
  if (Diagnostic* kept = slot(d.severity, d.range)) *kept = std::move(d);
}

size_t DiagnosticSink::error_count() const {
  return omitted_errors_ +
         static_cast<size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                           [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

size_t DiagnosticSink::warning_count() const {
  return omitted_warnings_ +
         static_cast<size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                           [](const Diagnostic& d) { return d.severity == Severity::kWarning; }));
}

void DiagnosticSink::sort_by_position() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.range.has_value() != b.range.has_value()) return a.range.has_value();
    if (!a.range) return false;
    return a.range->begin < b.range->begin;
  });
}

// ---- rendering ----

namespace {

struct Style {
  bool color;
  std::string_view bold() const { return color ? "\x1b[1m" : ""; }
  std::string_view reset() const { return color ? "\x1b[0m" : ""; }
  std::string_view severity(Severity s) const {
    if (!color) return "";
    switch (s) {
      case Severity::kError: return "\x1b[1;31m";
      case Severity::kWarning: return "\x1b[1;35m";
      case Severity::kNote: return "\x1b[1;36m";
    }
    return "";
  }
  std::string_view caret() const { return color ? "\x1b[1;32m" : ""; }
};

// A piece of a source line as shown: tabs as one space, unsafe characters escaped.
std::string show_source(std::string_view piece) {
  std::string raw(piece);
  std::replace(raw.begin(), raw.end(), '\t', ' ');
  return escape_for_terminal(raw);
}

// Appends the source line of `range` and a caret line under it. A line longer than kMaxShownColumns code points is
// shown as a window around the range, cut ends marked "…"; carets count the columns of the shown (escaped) text.
void append_snippet(std::string& out, const SourceFile& file, SourceRange range, const Style& style) {
  const std::string_view text = file.text();
  range.begin = std::min<uint32_t>(range.begin, static_cast<uint32_t>(text.size()));
  const SourceFile::LineCol begin = file.line_col(range.begin);
  const std::string_view line = file.line_text(begin.line);
  const std::string number = std::to_string(begin.line);
  const size_t gutter = std::max<size_t>(4, number.size());
  const size_t newline = text.substr(0, range.begin).rfind('\n');
  const auto line_start = static_cast<uint32_t>(newline == std::string_view::npos ? 0 : newline + 1);
  const uint32_t line_end = line_start + static_cast<uint32_t>(line.size());
  const uint32_t mark_begin = std::min(range.begin, line_end);
  const uint32_t end = std::clamp(range.end, mark_begin, line_end);
  std::string_view before = text.substr(line_start, mark_begin - line_start);
  std::string_view marked = text.substr(mark_begin, end - mark_begin);
  std::string_view after = text.substr(end, line_end - end);
  bool cut_left = false, cut_right = false;
  if (code_points(line) > kMaxShownColumns) {
    constexpr size_t kContext = 40;
    if (const size_t n = code_points(before); n > kContext) {
      before.remove_prefix(prefix_bytes(before, n - kContext));
      cut_left = true;
    }
    if (code_points(marked) > kMaxShownColumns / 2) {
      marked = marked.substr(0, prefix_bytes(marked, kMaxShownColumns / 2));
      cut_right = true;
    }
    const size_t room = kMaxShownColumns - code_points(before) - code_points(marked);
    if (code_points(after) > room || cut_right) {
      after = cut_right ? std::string_view() : after.substr(0, prefix_bytes(after, room));
      cut_right = true;
    }
  }
  const std::string shown_before = (cut_left ? "…" : "") + show_source(before);
  const std::string shown_marked = show_source(marked);
  out += fmt::format("{:>{}} | {}{}{}{}\n", number, gutter, shown_before, shown_marked, show_source(after),
                     cut_right ? "…" : "");
  const uint32_t width = std::max<uint32_t>(1, code_points(shown_marked));
  std::string marks = "^";
  if (width > 1) marks += std::string(width - 1, '~');
  out += fmt::format("{:>{}} | {}{}{}{}\n", "", gutter, std::string(code_points(shown_before), ' '), style.caret(),
                     marks, style.reset());
}

std::string location(const SourceFile& file, std::optional<SourceRange> range) {
  if (!range) return escape_for_terminal(file.path());
  const SourceFile::LineCol lc = file.line_col(range->begin);
  return fmt::format("{}:{}:{}", escape_for_terminal(file.path()), lc.line, lc.col);
}

}  // namespace

std::string render_text(const SourceFile& file, const std::vector<Diagnostic>& diagnostics, bool color,
                        size_t omitted) {
  const Style style{color};
  std::string out;
  const size_t rendered = std::min(diagnostics.size(), kMaxRenderedDiagnostics);
  for (size_t i = 0; i < rendered; ++i) {
    const Diagnostic& d = diagnostics[i];
    out += fmt::format("{}{}: {}{}[{}]{}: {}{}{}\n", style.bold(), location(file, d.range), style.severity(d.severity),
                       to_string(d.severity), code_text(d.code), style.reset(), style.bold(),
                       escape_for_terminal(shorten_quoted(d.message, 4 * kMaxQuotedBytes)), style.reset());
    if (d.range) append_snippet(out, file, *d.range, style);
    if (d.did_you_mean) {
      // A replacement that is itself quoted text ("\"daily\"") is shown as is, a word in single quotes.
      const bool quoted = !d.did_you_mean->empty() && d.did_you_mean->front() == '"';
      const std::string shown = escape_for_terminal(shorten_quoted(*d.did_you_mean));
      if (quoted) {
        out += fmt::format("     = help: did you mean {}?\n", shown);
      } else {
        out += fmt::format("     = help: did you mean '{}'?\n", shown);
      }
    }
    for (const Note& n : d.notes) {
      if (n.range) {
        out += fmt::format("{}{}: {}note{}: {}\n", style.bold(), location(file, n.range),
                           style.severity(Severity::kNote), style.reset(),
                           escape_for_terminal(shorten_quoted(n.message, 4 * kMaxQuotedBytes)));
        append_snippet(out, file, *n.range, style);
      } else {
        out += fmt::format("     = note: {}\n", escape_for_terminal(shorten_quoted(n.message, 4 * kMaxQuotedBytes)));
      }
    }
  }
  if (const size_t more = diagnostics.size() + omitted - rendered; more > 0) {
    out += fmt::format("{}: {} more diagnostics not shown (the first {} are above; --format json lists {})\n",
                       escape_for_terminal(file.path()), more, rendered,
                       omitted == 0 ? std::string("them all") : fmt::format("the first {}", diagnostics.size()));
  }
  return out;
}

namespace {
// Messages quote user text, which may be invalid UTF-8; JSON needs valid UTF-8: invalid bytes become U+FFFD.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; ok && k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (ok && ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
               (cp >= 0xD800 && cp <= 0xDFFF))) {
      ok = false;
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

void put_range(nlohmann::json& j, const SourceFile& file, std::optional<SourceRange> range) {
  if (!range) {
    j["line"] = nullptr;
    j["col"] = nullptr;
    j["end_line"] = nullptr;
    j["end_col"] = nullptr;
    return;
  }
  const SourceFile::LineCol b = file.line_col(range->begin);
  const SourceFile::LineCol e = file.line_col(range->end);
  j["line"] = b.line;
  j["col"] = b.col;
  j["end_line"] = e.line;
  j["end_col"] = e.col;
}
}  // namespace

nlohmann::json render_json(const SourceFile& file, const std::vector<Diagnostic>& diagnostics) {
  nlohmann::json out = nlohmann::json::array();
  for (const Diagnostic& d : diagnostics) {
    nlohmann::json j;
    j["code"] = std::string(code_text(d.code));
    j["severity"] = std::string(to_string(d.severity));
    j["message"] = valid_utf8(d.message);
    j["file"] = valid_utf8(file.path());
    put_range(j, file, d.range);
    j["notes"] = nlohmann::json::array();
    for (const Note& n : d.notes) {
      nlohmann::json jn;
      jn["message"] = valid_utf8(n.message);
      jn["file"] = valid_utf8(file.path());
      put_range(jn, file, n.range);
      j["notes"].push_back(std::move(jn));
    }
    j["did_you_mean"] = d.did_you_mean ? nlohmann::json(valid_utf8(*d.did_you_mean)) : nlohmann::json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

// ---- did you mean ----

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment (Damerau-Levenshtein with adjacent transpositions), case-insensitive.
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}
}  // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 256) return std::nullopt;
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    if (c == word || c.size() > 256) continue;
    const size_t dist = edit_distance(word, c);
    if (dist <= limit && dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

}  // namespace sk::diag
