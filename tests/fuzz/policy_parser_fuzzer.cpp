// libFuzzer entry point for `policy_parser_fuzzer`: every input is a policy checked as `starkeep check` would
// (fuzz_pipeline.h). Built only in the clang fuzz configuration (-DSTARKEEP_FUZZ=ON, cmake/StarkeepFuzz.cmake);
// run by scripts/test.sh through tests/fuzz/run_fuzzer.sh.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/fuzz_pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = sk::fuzz::check_policy_pipeline(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "invariant violated: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
