// JSON rendering that never throws: nlohmann's dump() throws type_error 316 on a string that is not valid UTF-8,
// and server texts (error messages, statements cut by a client, names) can be anything. Every JSON document
// starkeep prints or stores is rendered here, with invalid bytes replaced by U+FFFD (tests/architecture checks
// that runtime/, tools/ and compiler/ call no dump() of their own). Header-only; include it only from targets
// that link nlohmann_json.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sk {

// `json.dump(indent)` with invalid UTF-8 replaced; -1: one line.
[[nodiscard]] inline std::string json_text(const nlohmann::json& json, int indent = -1) {
  return json.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sk
