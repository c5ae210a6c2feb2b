#include "runtime/s3/xml.h"

#include <expat.h>

#include <memory>

namespace sk::s3 {
namespace {

constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxDocument = 64U << 20;

struct ParserDeleter {
  void operator()(XML_ParserStruct* parser) const { XML_ParserFree(parser); }
};

// Builds the tree while expat reports elements; a stack of pointers into it.
struct TreeBuilder {
  XmlElement root;
  std::vector<XmlElement*> open;
  bool has_root = false;
  std::string refusal;  // set when the builder stopped the parser
  XML_Parser parser = nullptr;

  void refuse(std::string why) {
    refusal = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

std::string local_name(const XML_Char* name) {
  std::string_view n(name);
  const std::size_t colon = n.rfind(':');
  return std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
}

void on_start(void* user, const XML_Char* name, const XML_Char** /*attributes*/) {
  auto* b = static_cast<TreeBuilder*>(user);
  if (b->open.size() >= kMaxDepth) return b->refuse("elements nested deeper than 64");
  if (b->open.empty()) {
    b->root.name = local_name(name);
    b->has_root = true;
    b->open.push_back(&b->root);
    return;
  }
  XmlElement& parent = *b->open.back();
  parent.children.push_back(XmlElement{local_name(name), {}, {}});
  b->open.push_back(&parent.children.back());
}

void on_end(void* user, const XML_Char* /*name*/) {
  auto* b = static_cast<TreeBuilder*>(user);
  if (!b->open.empty()) b->open.pop_back();
}

void on_text(void* user, const XML_Char* text, int length) {
  auto* b = static_cast<TreeBuilder*>(user);
  if (!b->open.empty()) b->open.back()->text.append(text, static_cast<std::size_t>(length));
}

void on_doctype(void* user, const XML_Char* /*name*/, const XML_Char* /*sysid*/, const XML_Char* /*pubid*/,
                int /*has_internal_subset*/) {
  static_cast<TreeBuilder*>(user)->refuse("a DOCTYPE declaration");
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::children_named(std::string_view child_name) const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

std::string XmlElement::child_text(std::string_view child_name) const {
  const XmlElement* c = child(child_name);
  return c ? std::string(trim(c->text)) : std::string();
}

Result<XmlElement> parse_xml(std::string_view document) {
  if (document.size() > kMaxDocument) return fail("s3.parse", "XML document of {} bytes is too large", document.size());
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate("UTF-8"));
  if (!parser) return fail("s3.parse", "cannot create an XML parser");
  TreeBuilder builder;
  builder.parser = parser.get();
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), &on_start, &on_end);
  XML_SetCharacterDataHandler(parser.get(), &on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), &on_doctype);
  const auto status = XML_Parse(parser.get(), document.data(), static_cast<int>(document.size()), XML_TRUE);
  if (!builder.refusal.empty()) return fail("s3.parse", "XML refused: {}", builder.refusal);
  if (status != XML_STATUS_OK) {
    return fail("s3.parse", "malformed XML at line {}, column {}: {}", XML_GetCurrentLineNumber(parser.get()),
                XML_GetCurrentColumnNumber(parser.get()), XML_ErrorString(XML_GetErrorCode(parser.get())));
  }
  if (!builder.has_root) return fail("s3.parse", "an XML document without a root element");
  return std::move(builder.root);
}

Result<std::string> xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 && u != '\t' && u != '\n' && u != '\r') {
      return fail("s3.usage", "character 0x{:02x} at position {} cannot be sent in XML", u, i);
    }
    switch (text[i]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Character references, so that the server's parser keeps them (a literal CR would become LF).
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default: out += text[i];
    }
  }
  return out;
}

}  // namespace sk::s3
