// The build's identity, printed by every binary's --version: the project version (CMakeLists.txt `project(VERSION)`)
// and the git revision the binary was built from (cmake/StarkeepVersion.cmake writes the definitions at build time;
// "unknown" when built outside a git checkout, "-dirty" appended when built with uncommitted changes).
#pragma once

#include <string>
#include <string_view>

namespace sk {

[[nodiscard]] std::string_view version();
[[nodiscard]] std::string_view git_revision();

// "<program> <version> (git <revision>)", the one --version line of every binary.
[[nodiscard]] inline std::string version_line(std::string_view program) {
  std::string line(program);
  line.append(" ").append(version()).append(" (git ").append(git_revision()).append(")");
  return line;
}

}  // namespace sk
