// The policy-front-end fuzz harness: parse + build_model + rendering on arbitrary bytes, checking the invariants
// that must hold for any input (never throws, every range lies inside the file). Shared by the libFuzzer entry
// point (fuzz_policy_main.cpp, built with clang -fsanitize=fuzzer when the toolchain can build the project) and the
// deterministic mutation fuzzer that runs in the gtest suite (fuzz_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sk::fuzz {

// Runs the front end on `data`. Returns an empty string when every invariant holds, else a description of the
// first violation (the caller reports it; libFuzzer aborts on it).
std::string check_policy_input(const uint8_t* data, size_t size);

}  // namespace sk::fuzz
