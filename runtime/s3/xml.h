// A small, strict XML reader for S3 responses, over expat: the document becomes a tree of elements (local names,
// namespace prefixes dropped; attributes ignored) with their character data. Refused ("s3.parse"): malformed XML,
// any DOCTYPE (S3 never sends one; this also shuts out entity expansion), nesting deeper than 64, documents larger
// than 64 MiB. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sk::s3 {

struct XmlElement {
  std::string name;  // local name
  std::string text;  // the element's own character data, exactly as sent (not trimmed)
  std::vector<XmlElement> children;

  // The first child with this name, or nullptr.
  [[nodiscard]] const XmlElement* child(std::string_view child_name) const;
  // All children with this name, in document order.
  [[nodiscard]] std::vector<const XmlElement*> children_named(std::string_view child_name) const;
  // The text of the first child with this name, trimmed of surrounding whitespace; "" when absent.
  [[nodiscard]] std::string child_text(std::string_view child_name) const;
};

// Parses `document`; the root element is returned.
[[nodiscard]] Result<XmlElement> parse_xml(std::string_view document);

// `text` escaped for XML character data: &, <, >, " and ' as entities, tab, LF and CR as character references
// (so a receiving parser keeps them). Characters XML 1.0 cannot carry (the other controls below 0x20) make it fail
// ("s3.usage"), naming the position.
[[nodiscard]] Result<std::string> xml_escape(std::string_view text);

}  // namespace sk::s3
