// The `starkeep check` fuzz harness: arbitrary bytes as a policy through the whole front end as the CLI runs it
// (driver::compile: parse → sema → inventory → coverage/restorability analysis against a small fixed inventory),
// then the diagnostics rendered as text and JSON, and, for a policy without errors, the plan at a fixed instant with
// its JSON round trip and SQL preview. Used by the libFuzzer target (policy_parser_fuzzer.cpp) and by the
// regression replay in the gtest suite (fuzz_corpus_test.cpp). Stateless; safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sk::fuzz {

// The inventory every fuzz input is analysed against (JSON, docs/inventory.md): a few databases the seed policies
// name, fact/dimension/lookup tables, partitioned and not, with partitions and eligibility.
std::string_view fixed_inventory_json();

// Runs the pipeline on `data`. Returns an empty string when every invariant holds, else a description of the first
// violation: an exception escaping, a diagnostic range outside its file, an empty message, diagnostics not sorted,
// rendering failing, a model missing without an error, the fixed inventory rejected, or a plan JSON round trip that
// is not byte-identical.
std::string check_policy_pipeline(const uint8_t* data, size_t size);

}  // namespace sk::fuzz
