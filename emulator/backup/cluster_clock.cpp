#include "emulator/backup/cluster_clock.h"

#include <fmt/format.h>

#include "kernel/dialect/time_zone.h"

namespace sk::emu::backup {

ClusterClock::ClusterClock(const std::string& zone_name) {
  auto zone = dialect::parse_time_zone_variable(zone_name);
  zone_ = zone ? zone->cctz_zone() : cctz::utc_time_zone();
}

std::string ClusterClock::datetime(std::chrono::system_clock::time_point t) const {
  return cctz::format("%Y-%m-%d %H:%M:%S", std::chrono::time_point_cast<std::chrono::seconds>(t), zone_);
}

std::string ClusterClock::backup_timestamp(std::chrono::system_clock::time_point t) const {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  if (secs > t) secs -= std::chrono::seconds(1);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  return fmt::format("{}-{:03d}", cctz::format("%Y-%m-%d-%H-%M-%S", secs, zone_), millis);
}

}  // namespace sk::emu::backup
