// The policy-front-end fuzz checks: parse + build_model + rendering on arbitrary bytes, and the invariants that must
// hold for any input (never throws, every range lies inside the file, rendering succeeds). check_policy_input is the
// front-end-only harness of the deterministic mutation fuzzer in the gtest suite (fuzz_test.cpp); the pieces below
// it are shared with the full `starkeep check` harness of the libFuzzer target (fuzz_pipeline.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/model/policy.h"

namespace sk::fuzz {

// Runs parse + build_model on `data`. Returns an empty string when every invariant holds, else a description of the
// first violation (the caller reports it; libFuzzer aborts on it).
std::string check_policy_input(const uint8_t* data, size_t size);

// Every diagnostic and note range is [begin, end) inside `file`, every message non-empty. "" when all hold.
std::string check_diagnostics(const diag::SourceFile& file, const std::vector<diag::Diagnostic>& diagnostics);

// render_text (plain and colored) and render_json(...).dump(2) succeed, and the JSON has one object per
// diagnostic with 1-based positions inside the file. "" when all hold; exceptions propagate.
std::string check_rendering(const diag::SourceFile& file, const std::vector<diag::Diagnostic>& diagnostics);

// The model's canonical texts (include rules, schedules, alert conditions) render non-empty. "" when all hold.
std::string check_model(const model::Policy& policy);

}  // namespace sk::fuzz
