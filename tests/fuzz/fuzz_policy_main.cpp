// libFuzzer entry point: clang++ -fsanitize=fuzzer,address (see tests/fuzz/CMakeLists.txt).
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/fuzz_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = sk::fuzz::check_policy_input(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "invariant violated: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
