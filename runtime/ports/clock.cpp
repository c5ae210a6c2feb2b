#include "runtime/ports/clock.h"

#include <thread>

namespace sk::ports {

void ThreadSleeper::sleep_for(std::chrono::milliseconds duration) {
  if (duration.count() > 0) std::this_thread::sleep_for(duration);
}

}  // namespace sk::ports
