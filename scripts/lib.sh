#!/usr/bin/env bash
# Shared helpers for scripts/*.sh: dependency installation and the build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${STARKEEP_BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${STARKEEP_BUILD_TYPE:-RelWithDebInfo}"
FUZZ_BUILD_DIR="${STARKEEP_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"

# Debian 12 packages the project builds, tests and runs with. One list, used by test.sh and demo.sh.
DEB_PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libantlr4-runtime-dev antlr4
  libmysqlcppconn-dev libmariadb-dev libssl-dev libcurl4-openssl-dev
  libfmt-dev libspdlog-dev nlohmann-json3-dev libgtest-dev libgmock-dev libcli11-dev
  libcctz-dev tzdata
  mariadb-server mariadb-client
  clang-16 libclang-rt-16-dev llvm-16   # the libFuzzer build (fuzz_policy_parser); llvm-16: its symbolizer
  clang-tidy-16                         # tidy_check: the .clang-tidy checks over the kernel and runtime/jobs
  libexpat1-dev                         # runtime/s3 reads S3's XML answers with expat
  nodejs                                # s3rver, the fake S3 server of the tests (ensure_s3rver)
  chromium                              # the KPI report's browser test (tests/e2e/report): headless, offline
)

log() { printf '==> %s\n' "$*" >&2; }

ensure_packages() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    install_debian_packages "${missing[@]}"
  fi
}

install_debian_packages() {
  log "installing missing Debian packages: $*"
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: packages missing and not running as root: $*" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# s3rver for the tests (tests/s3rver: package.json pins it, package-lock.json pins its dependencies). Runs
# `npm ci` only when node_modules is missing or package-lock.json changed since the last install (its sha256 is
# kept in node_modules/.starkeep-lock.sha256). npm is Debian's `npm` package, unless the installed nodejs brings
# its own (NodeSource's build does, and conflicts with Debian's npm), so it is checked as a command.
ensure_s3rver() {
  local dir="$ROOT/tests/s3rver"
  local stamp="$dir/node_modules/.starkeep-lock.sha256" sum
  command -v npm >/dev/null 2>&1 || install_debian_packages npm
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
    return
  fi
  log "installing s3rver (npm ci in tests/s3rver)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  printf '%s\n' "$sum" >"$stamp"
}

# build_project [quiet]: configure and build with -j2. "quiet" (the demo) shows the build as one progress line —
# updated in place on a terminal, a line per 10 % otherwise — and keeps the compiler's output in
# $BUILD_DIR/build.log, printed only when the build fails.
build_project() {
  local mode="${1:-}"
  log "configuring ($BUILD_TYPE) in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
  if [[ "$mode" != quiet ]]; then
    log "building with -j2"
    cmake --build "$BUILD_DIR" -j2
    return
  fi
  local build_log="$BUILD_DIR/build.log" status
  set +e
  cmake --build "$BUILD_DIR" -j2 2>&1 | tee "$build_log" | show_build_progress
  status=${PIPESTATUS[0]}
  set -e
  if ((status != 0)); then
    echo >&2
    grep -E -B2 -A12 'error:|FAILED:' "$build_log" | head -n 80 >&2 || tail -n 40 "$build_log" >&2
    log "the build failed (exit $status); the whole output is in $build_log"
    return "$status"
  fi
}

# Reads ninja's "[done/total] …" lines and prints one progress line on stderr.
show_build_progress() {
  local line n total pct last=-10
  while IFS= read -r line; do
    [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
    n="${BASH_REMATCH[1]}" total="${BASH_REMATCH[2]}" pct=$((100 * n / total))
    if [[ -t 2 ]]; then
      printf '\r==> building with -j2: %3d%% (%d/%d)' "$pct" "$n" "$total" >&2
    elif ((pct >= last + 10)); then
      printf '==> building with -j2: %3d%% (%d/%d)\n' "$pct" "$n" "$total" >&2
      last=$pct
    fi
  done
  if [[ -t 2 ]]; then printf '\n' >&2; fi
}

# clang-tidy-16 with the repository's .clang-tidy over the files it names (kernel/ and runtime/jobs/: see the
# comment there for why not the whole tree), two at a time; fails on any finding. Uses the g++ build's
# compile_commands.json: clang 16 needs -std=c++2b for C++23, and libstdc++ 12's <expected> needs __cpp_concepts
# raised to 202002L (cmake/StarkeepFuzz.cmake explains).
tidy_check() {
  log "clang-tidy over kernel/ and runtime/jobs/"
  local files
  files=$(cd "$ROOT" && git ls-files 'kernel/*.cpp' 'runtime/jobs/*.cpp')
  (cd "$ROOT" && printf '%s\n' $files | xargs -P 2 -n 4 clang-tidy-16 -p "$BUILD_DIR" --quiet \
    --extra-arg=-Wno-unknown-warning-option --extra-arg=-std=c++2b \
    --extra-arg=-U__cpp_concepts --extra-arg=-D__cpp_concepts=202002L)
}

# The libFuzzer target in its own clang configuration (cmake/StarkeepFuzz.cmake), run for $1 seconds on a scratch
# copy of the seed corpus (tests/fuzz/run_fuzzer.sh). Returns non-zero, with the reproducer printed, on a finding.
fuzz_policy_parser() {
  local seconds="$1"
  log "configuring the libFuzzer build (clang-16) in $FUZZ_BUILD_DIR"
  cmake -S "$ROOT" -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTARKEEP_FUZZ=ON \
    -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 >/dev/null
  log "building policy_parser_fuzzer with -j2"
  cmake --build "$FUZZ_BUILD_DIR" -j2 --target policy_parser_fuzzer
  log "fuzzing the policy front end for ${seconds}s"
  "$ROOT/tests/fuzz/run_fuzzer.sh" "$FUZZ_BUILD_DIR" "$seconds"
}
