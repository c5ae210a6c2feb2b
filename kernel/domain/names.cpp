#include "kernel/domain/names.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "kernel/domain/escape.h"

namespace sk {
namespace {

using detail::describe_char;
using detail::printable;

bool is_ident_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

// Length in bytes of the UTF-8 sequence starting at s[i], or 0 if it is not valid UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    return 1;
  }
  size_t len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) {
    return 0;  // overlong
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

// Cluster object names: non-empty, ≤ max_bytes, valid UTF-8, no control characters.
Status check_object_name(std::string_view text, size_t max_bytes, std::string_view code,
                         std::string_view what) {
  if (text.empty()) return fail(std::string(code), "{} is empty", what);
  if (text.size() > max_bytes) {
    return fail(std::string(code), "{} is {} bytes long; at most {} bytes are allowed", what, text.size(),
                max_bytes);
  }
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x7f) {  // printable ASCII, most names: one byte, nothing to decode
      ++i;
      continue;
    }
    if (b < 0x20 || b == 0x7f) {
      return fail(
          std::string(code),
          "{} contains the control character 0x{:02x} at byte {}; control characters (below 0x20, 0x7f) "
          "are not allowed",
          what, b, i);
    }
    const size_t len = utf8_sequence_length(text, i);
    if (len == 0)
      return fail(std::string(code), "{} is not valid UTF-8 (bad byte 0x{:02x} at byte {})", what, b, i);
    i += len;
  }
  return ok();
}

// Policy identifiers: [A-Za-z_][A-Za-z0-9_]*, ≤ max_len.
Status check_identifier(std::string_view text, size_t max_len, std::string_view code, std::string_view what) {
  if (text.empty())
    return fail(std::string(code),
                "{} is empty; expected letters, digits and '_', starting with a letter or '_'", what);
  if (text.size() > max_len) {
    return fail(std::string(code), "{} is {} characters long; at most {} are allowed", what, text.size(),
                max_len);
  }
  if (!is_ident_start(text.front())) {
    return fail(std::string(code), "{} '{}' must start with a letter or '_'", what, printable(text));
  }
  for (char c : text) {
    if (!is_ident_char(c)) {
      return fail(std::string(code), "{} '{}' contains {}; only letters, digits and '_' are allowed", what,
                  printable(text), describe_char(c));
    }
  }
  return ok();
}

std::uint32_t fnv1a32(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace

#define SK_DEFINE_OBJECT_NAME(Type, code, what)                          \
  Result<Type> Type::parse(std::string_view text) {                      \
    if (Status s = check_object_name(text, kMaxBytes, code, what); !s) { \
      return std::unexpected(s.error());                                 \
    }                                                                    \
    return Type(std::string(text));                                      \
  }
#define SK_DEFINE_IDENTIFIER(Type, code, what)                          \
  Result<Type> Type::parse(std::string_view text) {                     \
    if (Status s = check_identifier(text, kMaxBytes, code, what); !s) { \
      return std::unexpected(s.error());                                \
    }                                                                   \
    return Type(std::string(text));                                     \
  }

SK_DEFINE_OBJECT_NAME(DatabaseName, "domain.database_name", "database name")
SK_DEFINE_OBJECT_NAME(TableName, "domain.table_name", "table name")
SK_DEFINE_OBJECT_NAME(PartitionName, "domain.partition_name", "partition name")
SK_DEFINE_IDENTIFIER(TierName, "domain.tier_name", "tier name")
SK_DEFINE_IDENTIFIER(DrillName, "domain.drill_name", "drill name")
SK_DEFINE_IDENTIFIER(AlertName, "domain.alert_name", "alert name")
SK_DEFINE_IDENTIFIER(NotifierName, "domain.notifier_name", "notifier name")
SK_DEFINE_IDENTIFIER(RepositoryName, "domain.repository_name", "repository name")
SK_DEFINE_IDENTIFIER(SnapshotLabel, "domain.snapshot_label", "snapshot label")

#undef SK_DEFINE_OBJECT_NAME
#undef SK_DEFINE_IDENTIFIER

// ---------------------------------------------------------------- LabelTemplate

// ---------------------------------------------------------------- QualifiedTable

namespace {

// One part of a qualified name at text[pos..]: backtick-quoted (`` doubled inside) or up to the next '.' (or the
// end with `to_end`). nullopt when a quote is not closed.
std::optional<std::string> read_part(std::string_view text, size_t& pos, bool to_end) {
  if (pos < text.size() && text[pos] == '`') {
    std::string out;
    for (size_t i = pos + 1; i < text.size(); ++i) {
      if (text[i] != '`') {
        out += text[i];
      } else if (i + 1 < text.size() && text[i + 1] == '`') {
        out += '`';
        ++i;
      } else {
        pos = i + 1;
        return out;
      }
    }
    return std::nullopt;
  }
  const size_t end = to_end ? text.size() : text.find('.', pos);
  std::string out(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
  pos = end == std::string_view::npos ? text.size() : end;
  return out;
}

}  // namespace

Result<QualifiedTable> parse_qualified_table(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail("domain.table_name",
                "'{}' {}; expected DB.TABLE, with backticks around a name that contains '.' (`my.db`.dim_t)",
                printable(text), why);
  };
  size_t pos = 0;
  auto db = read_part(text, pos, false);
  if (!db) return bad("has an unclosed backtick");
  if (pos >= text.size() || text[pos] != '.') return bad("names no table");
  ++pos;
  const bool table_quoted = pos < text.size() && text[pos] == '`';
  if (!table_quoted && text[0] != '`' && text.find('.', pos) != std::string_view::npos)
    return bad("is ambiguous (more than one '.')");
  auto table = read_part(text, pos, !table_quoted);
  if (!table) return bad("has an unclosed backtick");
  if (pos != text.size()) return bad("has text after the table name");
  auto d = DatabaseName::parse(*db);
  if (!d) return std::unexpected(d.error());
  auto t = TableName::parse(*table);
  if (!t) return std::unexpected(t.error());
  return QualifiedTable{std::move(*d), std::move(*t)};
}

std::string sanitize_for_label(const DatabaseName& db) {
  constexpr size_t kMaxDbPart = 48;
  const std::string_view in = db.str();
  std::string out;
  out.reserve(in.size());
  bool replaced = false;
  for (size_t i = 0; i < in.size();) {
    if (is_ident_char(in[i])) {
      out += in[i];
      ++i;
      continue;
    }
    out += '_';
    replaced = true;
    const size_t len = utf8_sequence_length(in, i);  // valid by construction of DatabaseName
    i += len == 0 ? 1 : len;
  }
  if (out.size() > kMaxDbPart) {
    out.resize(kMaxDbPart);
    replaced = true;
  }
  if (replaced) out += fmt::format("_h{:08x}", fnv1a32(in));
  return out;
}

Result<LabelTemplate> LabelTemplate::parse(std::string_view text) {
  constexpr std::string_view kAllowed =
      "letters, digits and '_' with the placeholders {db}, {tier}, {date}, {time}, {suffix}";
  std::vector<Piece> pieces;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '{') {
      const size_t close = text.find('}', i);
      if (close == std::string_view::npos) {
        return fail("domain.label_template",
                    "label template '{}' has an unclosed '{{' at position {}; expected {}", printable(text),
                    i, kAllowed);
      }
      const std::string_view name = text.substr(i + 1, close - i - 1);
      const std::optional<Part> part = part_named(name);
      if (!part) {
        return fail(
            "domain.label_template",
            "label template '{}' uses the unknown placeholder {{{}}}; allowed: {{db}}, {{tier}}, {{date}}, "
            "{{time}}, {{suffix}}",
            printable(text), printable(name));
      }
      pieces.push_back(Piece{*part, {}});
      i = close + 1;
    } else if (is_ident_char(c)) {
      if (pieces.empty() || pieces.back().part != Part::kLiteral) pieces.push_back(Piece{Part::kLiteral, {}});
      pieces.back().literal += c;
      ++i;
    } else {
      return fail("domain.label_template", "label template '{}' contains {} at position {}; expected {}",
                  printable(text), describe_char(c), i, kAllowed);
    }
  }
  if (pieces.empty()) return fail("domain.label_template", "label template is empty; expected {}", kAllowed);
  auto has = [&](Part p) {
    for (const Piece& piece : pieces) {
      if (piece.part == p) return true;
    }
    return false;
  };
  if (!has(Part::kDb) || !has(Part::kDate)) {
    return fail(
        "domain.label_template",
        "label template '{}' must contain {{db}} and {{date}} so that labels are unique per database and day "
        "in a shared repository",
        printable(text));
  }
  const Piece& first = pieces.front();
  if (first.part == Part::kDate || first.part == Part::kTime ||
      (first.part == Part::kLiteral && !is_ident_start(first.literal.front()))) {
    return fail(
        "domain.label_template",
        "label template '{}' would start the label with a digit; labels must start with a letter or '_' "
        "(start with {{db}}, {{tier}} or a letter)",
        printable(text));
  }
  return LabelTemplate(std::string(text), std::move(pieces));
}

std::optional<LabelTemplate::Part> LabelTemplate::part_named(std::string_view placeholder) {
  if (placeholder == "db") {
    return Part::kDb;
  }
  if (placeholder == "tier") {
    return Part::kTier;
  }
  if (placeholder == "date") {
    return Part::kDate;
  }
  if (placeholder == "time") {
    return Part::kTime;
  }
  if (placeholder == "suffix") {
    return Part::kSuffix;
  }
  return std::nullopt;
}

bool LabelTemplate::uses(std::string_view placeholder) const {
  const std::optional<Part> part = part_named(placeholder);
  return part &&
         std::any_of(pieces_.begin(), pieces_.end(), [&](const Piece& piece) { return piece.part == *part; });
}

std::string LabelTemplate::constant_prefix(const TierName& tier, std::string_view suffix) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (piece.part == Part::kLiteral) {
      out += piece.literal;
    } else if (piece.part == Part::kTier) {
      out += tier.str();
    } else if (piece.part == Part::kSuffix) {
      out += suffix;
    } else {
      break;  // {db}, {date}, {time} vary between the tier's labels
    }
  }
  return out;
}

Result<SnapshotLabel> LabelTemplate::render(const DatabaseName& db, const TierName& tier,
                                            std::string_view suffix, CivilSecond local_slot) const {
  for (char c : suffix) {
    if (!is_ident_char(c)) {
      return fail("domain.snapshot_label",
                  "label suffix '{}' contains {}; only letters, digits and '_' are allowed",
                  printable(suffix), describe_char(c));
    }
  }
  std::string out;
  out.reserve(64);
  for (const Piece& piece : pieces_) {
    switch (piece.part) {
      case Part::kLiteral:
        out += piece.literal;
        break;
      case Part::kDb:
        out += sanitize_for_label(db);
        break;
      case Part::kTier:
        out += tier.str();
        break;
      case Part::kDate:
        out += fmt::format("{:04}{:02}{:02}", local_slot.year(), local_slot.month(), local_slot.day());
        break;
      case Part::kTime:
        out += fmt::format("{:02}{:02}", local_slot.hour(), local_slot.minute());
        break;
      case Part::kSuffix:
        out += suffix;
        break;
    }
  }
  if (!out.empty() && !is_ident_start(out.front())) {
    out.insert(out.begin(), '_');
  }
  return SnapshotLabel::parse(out);
}

}  // namespace sk
