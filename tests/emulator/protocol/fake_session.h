// A scripted SessionFactory for protocol tests: users root/"" and sk/"secret", a handful of canned answers,
// and a log of every statement received.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/protocol/handler.h"

namespace sk::emu::testing {

class FakeSessionFactory : public SessionFactory {
 public:
  std::optional<std::string> password_of(std::string_view user) const override;
  std::unique_ptr<Session> open(std::string_view user, std::string_view database) override;

  void record(std::string line);
  std::vector<std::string> log() const;
  bool saw(std::string_view line) const;

  // Called from inside the "SELECT drop_all()" query when set.
  std::function<void()> on_drop;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> log_;
};

// The canned result set: columns id (BIGINT), name, note; a NULL in each of the last two rows.
ResultSet sample_rows();

}  // namespace sk::emu::testing
