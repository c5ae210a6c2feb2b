// Wall-clock formatting in the emulated cluster's time zone (EmulatorConfig::time_zone): SHOW columns use
// `yyyy-MM-dd HH:mm:ss`, backup timestamps use `yyyy-MM-dd-HH-mm-ss-SSS` (reference §1.4). Uses cctz, so it
// never touches the process-wide TZ. Immutable after construction; thread-safe.
#pragma once

#include <cctz/time_zone.h>

#include <chrono>
#include <string>

namespace sk::emu::backup {

class ClusterClock {
 public:
  // `zone_name` as StarRocks reads time_zone (kernel/dialect/time_zone.h: IANA names, offsets such as +08:00,
  // CST); the emulator's flags refuse other values, so the UTC fallback is a programming error's.
  explicit ClusterClock(const std::string& zone_name);

  [[nodiscard]] std::string datetime(std::chrono::system_clock::time_point t) const;
  [[nodiscard]] std::string backup_timestamp(std::chrono::system_clock::time_point t) const;
  [[nodiscard]] const cctz::time_zone& zone() const { return zone_; }

 private:
  cctz::time_zone zone_;
};

}  // namespace sk::emu::backup
