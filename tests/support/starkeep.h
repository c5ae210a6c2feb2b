// The real `starkeep` binary for end-to-end tests and benchmarks: its path (the STARKEEP_BIN compile
// definition that sk_test_support's users get from CMake, or $STARKEEP_BIN), the exit codes — the product's
// own table, tools/starkeep/exit_codes.h, never redeclared here: use sk::cli::kExit… — and a launcher that
// adds the cluster's connection settings (STARKEEP_HOST / STARKEEP_PORT / STARKEEP_USER) and any other
// environment to each run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::test {

using cli::ExitCode;

// The starkeep binary: $STARKEEP_BIN when set, else the STARKEEP_BIN compile definition.
[[nodiscard]] std::string starkeep_binary();

// Runs `starkeep <args>` against one cluster through `processes`.
class Starkeep {
 public:
  // Connection settings for the emulator on 127.0.0.1:`port` as root; `env` ("NAME=value") is added to every
  // run.
  Starkeep(Processes& processes, std::uint16_t port, std::vector<std::string> env = {});

  // The environment every run gets (connection settings first).
  [[nodiscard]] const std::vector<std::string>& env() const { return env_; }
  void add_env(std::string entry) { env_.push_back(std::move(entry)); }

  // `starkeep <args>`, stdout and stderr apart (options.env is added to env()).
  Finished run(const std::vector<std::string>& args, SpawnOptions options = {},
               std::chrono::milliseconds timeout = kDefaultTimeout);
  // The same, started and not waited for.
  Proc spawn(const std::vector<std::string>& args, SpawnOptions options = {});
  // `starkeep <args>` with stderr interleaved into stdout (Finished::out), as a terminal shows it.
  Finished run_merged(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = kDefaultTimeout);

 private:
  Processes& processes_;
  std::vector<std::string> env_;
};

// Splits a command line on blanks (no quoting): "run --policy p.skp" → {"run", "--policy", "p.skp"}.
[[nodiscard]] std::vector<std::string> split_args(const std::string& command_line);

}  // namespace sk::test
