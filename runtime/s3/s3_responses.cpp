#include "runtime/s3/s3_responses.h"

#include <charconv>
#include <set>

#include "runtime/s3/xml.h"

namespace sk::s3 {
namespace {

Result<XmlElement> parse_root(std::string_view body, std::string_view expected) {
  auto root = parse_xml(body);
  if (!root) return std::unexpected(std::move(root.error()).with_context(fmt::format("reading <{}>", expected)));
  if (root->name != expected) return fail("s3.parse", "expected <{}>, got <{}>", expected, root->name);
  return root;
}

template <typename Int>
Result<Int> parse_number(const std::string& text, std::string_view element) {
  Int value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return fail("s3.parse", "<{}> is not a non-negative number: '{}'", element, text);
  }
  return value;
}

// An optional positive day count: absent → nullopt.
Result<std::optional<int>> optional_days(const XmlElement* parent, std::string_view element) {
  if (!parent || !parent->child(element)) return std::optional<int>();
  auto days = parse_number<int>(parent->child_text(element), element);
  if (!days) return std::unexpected(days.error());
  return std::optional<int>(*days);
}

Result<bool> parse_bool(const XmlElement& parent, std::string_view element) {
  if (!parent.child(element)) return fail("s3.parse", "<{}> has no <{}>", parent.name, element);
  const std::string text = parent.child_text(element);
  if (text == "true") return true;
  if (text == "false") return false;
  return fail("s3.parse", "<{}> is neither true nor false: '{}'", element, text);
}

Result<ObjectSummary> parse_contents(const XmlElement& contents) {
  const XmlElement* key = contents.child("Key");
  if (!key || key->text.empty()) return fail("s3.parse", "<Contents> without <Key>");
  ObjectSummary object{key->text, 0, contents.child_text("ETag"), contents.child_text("LastModified")};
  if (contents.child("Size")) {
    auto size = parse_number<std::uint64_t>(contents.child_text("Size"), "Size");
    if (!size) return std::unexpected(size.error());
    object.size = *size;
  }
  return object;
}

Result<LifecycleRule> parse_rule(const XmlElement& rule) {
  LifecycleRule out;
  out.id = rule.child_text("ID");
  out.enabled = rule.child_text("Status") == "Enabled";
  if (!rule.child("Status")) return fail("s3.parse", "lifecycle rule '{}' has no <Status>", out.id);
  out.prefix = rule.child_text("Prefix");
  if (const XmlElement* filter = rule.child("Filter")) {
    const XmlElement* and_filter = filter->child("And");
    const XmlElement* scope = and_filter ? and_filter : filter;
    if (scope->child("Prefix")) out.prefix = scope->child("Prefix")->text;
    out.other_filters = scope->child("Tag") || scope->child("ObjectSizeGreaterThan") ||
                        scope->child("ObjectSizeLessThan");
  }
  const XmlElement* expiration = rule.child("Expiration");
  auto days = optional_days(expiration, "Days");
  if (!days) return std::unexpected(days.error());
  out.expiration_days = *days;
  if (expiration && expiration->child("Date")) out.expiration_date = expiration->child_text("Date");
  auto noncurrent = optional_days(rule.child("NoncurrentVersionExpiration"), "NoncurrentDays");
  if (!noncurrent) return std::unexpected(noncurrent.error());
  out.noncurrent_days = *noncurrent;
  auto abort = optional_days(rule.child("AbortIncompleteMultipartUpload"), "DaysAfterInitiation");
  if (!abort) return std::unexpected(abort.error());
  out.abort_multipart_days = *abort;
  return out;
}

}  // namespace

S3ErrorBody parse_error_body(std::string_view body) {
  auto root = parse_xml(body);
  if (!root || root->name != "Error") return {};
  return {root->child_text("Code"), root->child_text("Message"), root->child_text("RequestId")};
}

Result<ListPage> parse_list_objects(std::string_view body) {
  auto root = parse_root(body, "ListBucketResult");
  if (!root) return std::unexpected(root.error());
  auto truncated = parse_bool(*root, "IsTruncated");
  if (!truncated) return std::unexpected(truncated.error());
  ListPage page;
  for (const XmlElement* contents : root->children_named("Contents")) {
    auto object = parse_contents(*contents);
    if (!object) return std::unexpected(object.error());
    page.objects.push_back(std::move(*object));
  }
  for (const XmlElement* common : root->children_named("CommonPrefixes")) {
    const XmlElement* prefix = common->child("Prefix");
    if (!prefix) return fail("s3.parse", "<CommonPrefixes> without <Prefix>");
    page.common_prefixes.push_back(prefix->text);
  }
  if (*truncated) {
    const std::string token = root->child_text("NextContinuationToken");
    if (token.empty()) return fail("s3.parse", "a truncated listing without <NextContinuationToken>");
    page.next_token = token;
  }
  return page;
}

Result<DeleteBatch> parse_delete_result(std::string_view body, std::span<const std::string> requested) {
  auto root = parse_root(body, "DeleteResult");
  if (!root) return std::unexpected(root.error());
  std::set<std::string> pending(requested.begin(), requested.end());
  DeleteBatch batch;
  const auto take = [&](const std::string& key) -> Status {
    if (pending.erase(key) == 0) return fail("s3.parse", "DeleteObjects answered for key '{}' it was not asked", key);
    return ok();
  };
  for (const XmlElement* deleted : root->children_named("Deleted")) {
    const XmlElement* key = deleted->child("Key");
    if (!key) return fail("s3.parse", "<Deleted> without <Key>");
    if (auto s = take(key->text); !s) return std::unexpected(s.error());
    batch.deleted.push_back(key->text);
  }
  for (const XmlElement* error : root->children_named("Error")) {
    const XmlElement* key = error->child("Key");
    if (!key) return fail("s3.parse", "<Error> in <DeleteResult> without <Key>");
    if (auto s = take(key->text); !s) return std::unexpected(s.error());
    batch.failed.push_back({key->text, error->child_text("Code"), error->child_text("Message")});
  }
  for (const auto& key : requested) {
    if (pending.erase(key) > 0) {
      batch.failed.push_back({key, "NotConfirmed", "the DeleteObjects response did not mention this key"});
    }
  }
  return batch;
}

Result<BucketVersioning> parse_versioning(std::string_view body) {
  auto root = parse_root(body, "VersioningConfiguration");
  if (!root) return std::unexpected(root.error());
  BucketVersioning out;
  const std::string status = root->child_text("Status");
  if (status == "Enabled") {
    out.status = VersioningStatus::kEnabled;
  } else if (status == "Suspended") {
    out.status = VersioningStatus::kSuspended;
  } else if (!status.empty()) {
    return fail("s3.parse", "unknown versioning <Status> '{}'", status);
  }
  const std::string mfa = root->child_text("MfaDelete");
  out.mfa_delete = mfa == "Enabled";
  return out;
}

Result<ObjectLockConfiguration> parse_object_lock(std::string_view body) {
  auto root = parse_root(body, "ObjectLockConfiguration");
  if (!root) return std::unexpected(root.error());
  ObjectLockConfiguration out;
  out.enabled = root->child_text("ObjectLockEnabled") == "Enabled";
  const XmlElement* rule = root->child("Rule");
  const XmlElement* retention = rule ? rule->child("DefaultRetention") : nullptr;
  if (!retention) return out;
  DefaultRetention r;
  const std::string mode = retention->child_text("Mode");
  if (mode == "COMPLIANCE") {
    r.mode = RetentionMode::kCompliance;
  } else if (mode != "GOVERNANCE") {
    return fail("s3.parse", "unknown Object Lock retention <Mode> '{}'", mode);
  }
  auto days = optional_days(retention, "Days");
  auto years = optional_days(retention, "Years");
  if (!days) return std::unexpected(days.error());
  if (!years) return std::unexpected(years.error());
  r.days = days->value_or(0);
  r.years = years->value_or(0);
  if ((r.days > 0) == (r.years > 0)) return fail("s3.parse", "<DefaultRetention> needs exactly one of Days, Years");
  out.default_retention = r;
  return out;
}

Result<LifecycleConfiguration> parse_lifecycle(std::string_view body) {
  auto root = parse_root(body, "LifecycleConfiguration");
  if (!root) return std::unexpected(root.error());
  LifecycleConfiguration out;
  for (const XmlElement* rule : root->children_named("Rule")) {
    auto parsed = parse_rule(*rule);
    if (!parsed) return std::unexpected(parsed.error());
    out.rules.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace sk::s3
