// BackupTimestamp: which backup of a snapshot label a RESTORE reads (reference §1.4, §3.1
// `backup_timestamp`). An opaque string copied verbatim from SHOW SNAPSHOT (Timestamp column, one per line)
// or SHOW RESTORE; never parsed, never rebuilt from a time, compared only for equality and, where an order is
// needed, as text (the server prints yyyy-MM-dd-HH-mm-ss[-SSS], which sorts as text). Empty text is not a
// timestamp. Thread-safe value.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace sk {

class BackupTimestamp {
 public:
  // nullopt for empty text (the server printed no timestamp).
  [[nodiscard]] static std::optional<BackupTimestamp> from_server(std::string_view text) {
    if (text.empty()) return std::nullopt;
    return BackupTimestamp(std::string(text));
  }
  [[nodiscard]] const std::string& str() const { return text_; }
  auto operator<=>(const BackupTimestamp&) const = default;
  bool operator==(const BackupTimestamp&) const = default;

 private:
  explicit BackupTimestamp(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace sk

template <>
struct fmt::formatter<sk::BackupTimestamp> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const sk::BackupTimestamp& t, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(t.str(), ctx);
  }
};
