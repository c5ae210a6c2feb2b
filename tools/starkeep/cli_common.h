// Helpers shared by the subcommands: reading input files, parsing instants given on the command line, compiling and
// printing diagnostics of both input files. Output goes to the given streams, never to spdlog.
#pragma once

#include <atomic>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "compiler/diag/diagnostic.h"
#include "kernel/domain/time.h"
#include "compiler/driver/compile.h"

namespace sk::cli {

enum class Format { kText, kJson };

// The whole file ("io.read" errors name the path).
[[nodiscard]] Result<std::string> read_file(const std::string& path);
// The same as a SourceFile; a file of 1 MiB or more is mapped read-only, not copied. If such a file is truncated
// while mapped, the process stops with kExitNoInput and says so (SIGBUS handler), instead of crashing.
[[nodiscard]] Result<diag::SourceFile> read_source(const std::string& path);

// An instant from the command line: "now", or anything Instant::parse accepts (local forms in `zone`).
[[nodiscard]] Result<Instant> parse_instant_flag(const std::string& text, const TimeZone& zone);

// Installs SIGTERM/SIGINT handlers that set the returned flag (once per process; later calls return the same
// flag). Commands that send statements honour it between them.
[[nodiscard]] const std::atomic<bool>& install_stop_handlers();

// The version field of a command's JSON documents ("drill_version": 1); an empty field: the command has none.
struct JsonVersion {
  std::string_view field;
  int version = 0;
};

// A command's failure: `{"error", "exit_code"}` (plus `version` when given) on stdout when `format` is "json",
// "starkeep <command>: error: <message>" on stderr always. Returns `code`.
int print_failure(std::string_view command, const std::string& message, int code, std::string_view format,
                  JsonVersion version = {});

// The current time and today's date in UTC.
[[nodiscard]] Instant now();

// The day restore chains are simulated from (`--reference`, as `check` takes it): today in UTC when `reference` is
// empty, else the UTC day of the instant it names. A value that is not an instant is reported to `err` as
// "starkeep <command>: error: --reference: …" and gives nullopt (the caller exits kExitUsage).
[[nodiscard]] std::optional<CivilDay> reference_day(std::string_view command, const std::string& reference,
                                                    std::ostream& err);

// Loaded input files; the SourceFiles must outlive the compilation that points at them.
struct Inputs {
  std::optional<diag::SourceFile> policy;
  std::optional<diag::SourceFile> inventory;
};

// Reads the files (an unreadable one is reported to `err`; returns kExitNoInput then, else 0).
int load_inputs(const std::string& policy_path, const std::string& inventory_path, Inputs& inputs, std::ostream& err);

// Versions of the JSON documents of `check`, `schedule`, `status`, `restore` and `drill` (docs/cli.md, field by
// field); each is raised on any incompatible change of its document.
inline constexpr int kCheckJsonVersion = 1;
inline constexpr int kScheduleJsonVersion = 1;
inline constexpr int kStatusJsonVersion = 1;
inline constexpr int kRestoreJsonVersion = 1;
inline constexpr int kDrillJsonVersion = 1;

// Text: clang-style blocks for both files plus a count per file; JSON: {"check_version": 1, "diagnostics": [...],
// "excluded": [...]} with both files' diagnostics (each element and each note names its file) and the tables the
// policy's exclusions leave out (docs/cli.md). `list_excluded`: the text also lists the excluded tables (`check`).
void print_diagnostics(const driver::Compilation& c, const Inputs& inputs, Format format, std::ostream& out,
                       bool summary, bool list_excluded = false);

}  // namespace sk::cli
