#include "runtime/alerts/alert_event.h"

#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/json_text.h"
#include "runtime/ports/redact.h"

namespace sk::alerts {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

void fnv_mix(std::uint64_t& hash, std::string_view part) {
  for (const char c : part) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  hash ^= 0xffU;  // field separator that no UTF-8 text contains
  hash *= kFnvPrime;
}

template <typename Name>
std::string_view text_of(const std::optional<Name>& name) {
  return name ? std::string_view(name->str()) : std::string_view();
}

std::string_view text_of(const std::optional<std::string>& text) {
  return text ? std::string_view(*text) : std::string_view();
}

// Labels and annotations are strings; an absent or empty value is left out.
void put(Json& object, const char* key, std::string_view value) {
  if (!value.empty()) object[key] = std::string(value);
}

// At most `limit` bytes of free text, cut at whitespace so that no token (a URL with credentials, a bare
// key=value secret) is split before redaction sees it; a quoted secret cut open is still redacted to the end.
std::string bounded(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  const std::size_t space = text.substr(0, limit).find_last_of(" \t\r\n");
  std::string out(space == std::string_view::npos ? std::string_view() : text.substr(0, space));
  return out + " [truncated]";
}

std::string summary_text(const AlertEvent& e) { return ports::redact(bounded(e.summary, kMaxSummaryBytes)); }
std::string description_text(const AlertEvent& e) {
  return ports::redact(bounded(e.description, kMaxDescriptionBytes));
}

// At most kMaxEnvValueBytes bytes, cut at a UTF-8 character boundary, "…" appended when cut.
std::string cap_env_value(std::string value) {
  if (value.size() <= kMaxEnvValueBytes) return value;
  std::size_t cut = kMaxEnvValueBytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0U) == 0x80U) --cut;
  value.resize(cut);
  return value + "\u2026";
}

// dump() that never throws on invalid UTF-8 (server messages are not guaranteed to be valid).
std::string dump(const Json& json) { return json_text(json); }

}  // namespace

std::string AlertEvent::fingerprint() const {
  std::uint64_t hash = kFnvOffset;
  fnv_mix(hash, name.str());
  fnv_mix(hash, labels.policy);
  fnv_mix(hash, text_of(labels.database));
  fnv_mix(hash, text_of(labels.tier));
  fnv_mix(hash, text_of(labels.label));
  fnv_mix(hash, text_of(labels.repository));
  fnv_mix(hash, text_of(labels.backend));
  return fmt::format("{:016x}", hash);
}

std::vector<std::pair<std::string, std::string>> identity_labels(const AlertEvent& event) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&](const char* key, std::string_view value) {
    if (!value.empty()) out.emplace_back(key, ports::redact(value));
  };
  add("alertname", event.name.str());
  add("severity", model::to_string(event.severity));
  add("policy", event.labels.policy);
  add("database", text_of(event.labels.database));
  add("tier", text_of(event.labels.tier));
  add("snapshot_label", text_of(event.labels.label));
  add("repository", text_of(event.labels.repository));
  add("backend", text_of(event.labels.backend));
  return out;
}

std::string alertmanager_payload(const AlertEvent& event, const std::string& generator_url) {
  Json labels = Json::object();
  for (const auto& [key, value] : identity_labels(event)) {
    if (key != "snapshot_label") labels[key] = value;  // an annotation here: see the header
  }
  Json annotations = Json::object();
  put(annotations, "summary", summary_text(event));
  put(annotations, "description", description_text(event));
  put(annotations, "run_id", ports::redact(event.labels.run_id));
  put(annotations, "job_id", ports::redact(text_of(event.labels.job_id)));
  put(annotations, "snapshot_label", text_of(event.labels.label));
  annotations["fingerprint"] = event.fingerprint();
  Json alert = Json::object();
  alert["labels"] = std::move(labels);
  alert["annotations"] = std::move(annotations);
  alert["startsAt"] = event.starts_at.to_iso8601_utc();
  if (event.ends_at) alert["endsAt"] = event.ends_at->to_iso8601_utc();
  if (!generator_url.empty()) alert["generatorURL"] = ports::redact(generator_url);
  Json array = Json::array();
  array.push_back(std::move(alert));
  return dump(array);
}

std::string webhook_payload(const AlertEvent& event) {
  Json labels = Json::object();
  put(labels, "policy", ports::redact(event.labels.policy));
  put(labels, "run_id", ports::redact(event.labels.run_id));
  put(labels, "database", ports::redact(text_of(event.labels.database)));
  put(labels, "tier", text_of(event.labels.tier));
  put(labels, "label", text_of(event.labels.label));
  put(labels, "job_id", ports::redact(text_of(event.labels.job_id)));
  put(labels, "repository", text_of(event.labels.repository));
  put(labels, "backend", ports::redact(text_of(event.labels.backend)));
  Json body = Json::object();
  body["version"] = "1";
  body["source"] = "starkeep";
  body["alert"] = event.name.str();
  body["severity"] = model::to_string(event.severity);
  body["status"] = event.ends_at ? "resolved" : "firing";
  body["summary"] = summary_text(event);
  body["description"] = description_text(event);
  body["labels"] = std::move(labels);
  body["starts_at"] = event.starts_at.to_iso8601_utc();
  body["ends_at"] = event.ends_at ? Json(event.ends_at->to_iso8601_utc()) : Json(nullptr);
  body["fingerprint"] = event.fingerprint();
  return dump(body);
}

std::vector<std::pair<std::string, std::string>> environment(const AlertEvent& event) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&](const char* key, std::string_view value) {
    if (!value.empty())
      out.emplace_back(fmt::format("STARKEEP_ALERT_{}", key), cap_env_value(ports::redact(value)));
  };
  add("NAME", event.name.str());
  add("SEVERITY", model::to_string(event.severity));
  add("SUMMARY", bounded(event.summary, kMaxSummaryBytes));
  add("DESCRIPTION", bounded(event.description, kMaxDescriptionBytes));
  add("POLICY", event.labels.policy);
  add("RUN_ID", event.labels.run_id);
  add("DATABASE", text_of(event.labels.database));
  add("TIER", text_of(event.labels.tier));
  add("LABEL", text_of(event.labels.label));
  add("JOB_ID", text_of(event.labels.job_id));
  add("REPOSITORY", text_of(event.labels.repository));
  add("BACKEND", text_of(event.labels.backend));
  add("STARTS_AT", event.starts_at.to_iso8601_utc());
  if (event.ends_at) add("ENDS_AT", event.ends_at->to_iso8601_utc());
  add("FINGERPRINT", event.fingerprint());
  return out;
}

}  // namespace sk::alerts
