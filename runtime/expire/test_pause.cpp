#include "runtime/expire/test_pause.h"

#include <csignal>
#include <cstdlib>

namespace sk::expire {

void test_pause_point(std::string_view step) {
  const char* wanted = std::getenv("STARKEEP_TEST_PAUSE_AT");
  if (wanted == nullptr || *wanted == '\0' || step != wanted) return;
  ::raise(SIGSTOP);
}

}  // namespace sk::expire
