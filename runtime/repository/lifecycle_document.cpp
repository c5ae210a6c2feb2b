#include "runtime/repository/lifecycle_document.h"

#include <fmt/format.h>

namespace sk::repository {
namespace {

using nlohmann::json;

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string abort_rule_id(const analysis::lifecycle::RepositoryRules& rules) {
  return fmt::format("starkeep-{}-abort-multipart", rules.repository.str());
}

json lifecycle_json(const analysis::lifecycle::RepositoryRules& rules) {
  json list = json::array();
  for (const auto& r : rules.rules) {
    list.push_back({{"ID", r.id},
                    {"Status", "Enabled"},
                    {"Filter", {{"Prefix", r.prefix}}},
                    {"Expiration", {{"Days", r.expiration_days}}}});
  }
  list.push_back({{"ID", abort_rule_id(rules)},
                  {"Status", "Enabled"},
                  {"Filter", {{"Prefix", rules.repository_prefix}}},
                  {"AbortIncompleteMultipartUpload", {{"DaysAfterInitiation", rules.abort_multipart_days}}}});
  return {{"Rules", std::move(list)}};
}

std::string lifecycle_text(const analysis::lifecycle::RepositoryRules& rules) {
  std::string out = fmt::format("lifecycle rules of repository {} (bucket {}, prefix \"{}\"):\n", rules.repository.str(),
                                rules.bucket, rules.repository_prefix);
  for (const auto& r : rules.rules) {
    out += fmt::format("  {}: expire \"{}*\" after {} days ({})\n", r.id, r.prefix, r.expiration_days,
                       r.declared ? fmt::format("declared; its snapshots must stay {} days", r.needed_days)
                                  : fmt::format("kept up to {} by retention and restore chains, plus the job timeout",
                                                Duration::from_days((r.keep.seconds() + 86'399) / 86'400).to_string()));
  }
  out += fmt::format("  {}: abort multipart uploads under \"{}\" after {} days\n", abort_rule_id(rules),
                     rules.repository_prefix, rules.abort_multipart_days);
  for (const auto& u : rules.untargetable) {
    out += fmt::format("  no rule for tier '{}': {}; {}\n", u.tier.str(), u.reason, u.fix);
  }
  return out;
}

std::string lifecycle_xml(const analysis::lifecycle::RepositoryRules& rules) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n";
  for (const auto& r : rules.rules) {
    out += fmt::format(
        "  <Rule>\n    <ID>{}</ID>\n    <Filter>\n      <Prefix>{}</Prefix>\n    </Filter>\n    <Status>Enabled</Status>\n"
        "    <Expiration>\n      <Days>{}</Days>\n    </Expiration>\n  </Rule>\n",
        xml_escape(r.id), xml_escape(r.prefix), r.expiration_days);
  }
  out += fmt::format(
      "  <Rule>\n    <ID>{}</ID>\n    <Filter>\n      <Prefix>{}</Prefix>\n    </Filter>\n    <Status>Enabled</Status>\n"
      "    <AbortIncompleteMultipartUpload>\n      <DaysAfterInitiation>{}</DaysAfterInitiation>\n"
      "    </AbortIncompleteMultipartUpload>\n  </Rule>\n",
      xml_escape(abort_rule_id(rules)), xml_escape(rules.repository_prefix), rules.abort_multipart_days);
  out += "</LifecycleConfiguration>\n";
  return out;
}

}  // namespace sk::repository
