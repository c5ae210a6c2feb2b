#!/usr/bin/env bash
# Shared helpers for scripts/*.sh: dependency installation and the build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${STARKEEP_BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${STARKEEP_BUILD_TYPE:-RelWithDebInfo}"
FUZZ_BUILD_DIR="${STARKEEP_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
CLANG_BUILD_DIR="${STARKEEP_CLANG_BUILD_DIR:-$ROOT/build-clang}"

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
  dpkg-dev fakeroot systemd             # package_check: cpack's dpkg-shlibdeps, systemd-analyze verify on the units
  nodejs                                # s3rver, the fake S3 server of the tests (ensure_s3rver)
  chromium                              # the KPI report's browser test (tests/e2e/report): headless, offline
  prometheus                            # promtool: `check metrics`, `check rules`, `test rules` in the metrics tests
  prometheus-alertmanager               # a real Alertmanager on loopback in tests/e2e/alertmanager
  python3-yaml                          # schedule_emit_test: /usr/bin/python3 compiles the generated Airflow DAG, PyYAML reads the CronJobs
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
# A unity build (CMake batches 16 source files of a target into one translation unit): the headers (the standard
# library, fmt, nlohmann/json, CLI11, gtest) are parsed and their inline code generated once per batch instead of once
# per file. It also means two files of one target may not define the
# same name in their anonymous namespaces; shared helpers live in common/ (common/ascii.h) or the layer's own
# header. That each file still compiles on its own is checked by clang_warning_check, which builds the product file
# by file. A build configured by hand is not a unity build unless asked (-DCMAKE_UNITY_BUILD=ON).
# RelWithDebInfo here means -g1: line tables and function names, enough for backtraces and profiles, without the
# variable and type information of -g, which cost a quarter of the compile time (the packages are stripped anyway).
# Measured on 2 cores: file by file with -g, 16 min (clean clone of 0291b44, 422 steps); unity with -g, 14.6 min and
# 27 CPU-min (a02f611, 241 steps, three features larger); unity with -g1, 11.4 min (clean clone of 50f762e). One heavy
# file (run_command.cpp): -O2 -g 36 s, -O2 without debug information 26 s; on a loaded machine -g 117 s, -g1 86 s.
build_project() {
  local mode="${1:-}"
  log "configuring ($BUILD_TYPE, unity build) in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    >/dev/null
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
# comment there for why not the whole tree), two at a time; fails on any finding. Uses the compile_commands.json of
# clang_warning_check's file-by-file build (the g++ build's lists unity batches, not files), which carries clang 16's
# -std=c++2b and the __cpp_concepts fix libstdc++ 12's <expected> needs (cmake/StarkeepClangExpected.cmake); the
# extra arguments repeat them for a database from another build.
tidy_check() {
  log "clang-tidy over kernel/ and runtime/jobs/"
  local files
  files=$(cd "$ROOT" && git ls-files 'kernel/*.cpp' 'runtime/jobs/*.cpp')
  (cd "$ROOT" && printf '%s\n' $files | xargs -P 2 -n 4 clang-tidy-16 -p "$CLANG_BUILD_DIR" --quiet \
    --extra-arg=-Wno-unknown-warning-option --extra-arg=-std=c++2b \
    --extra-arg=-U__cpp_concepts --extra-arg=-D__cpp_concepts=202002L)
}

# Every translation unit compiled by clang 16 with the project's warnings as errors, -fsyntax-only (clang emits its
# warnings from the front end, so this is the warning set of a full clang build without code generation; the root
# CMakeLists.txt explains STARKEEP_SYNTAX_ONLY). Only object files are asked for: nothing links. The product
# (everything outside tests/ and bench/) is compiled file by file in $CLANG_BUILD_DIR, so that each of its files
# compiles on its own (the g++ build is a unity build, which would hide a missing #include); tests and benchmarks are
# compiled in unity batches of 16 in $CLANG_BUILD_DIR-batched (file by file they doubled the step's 2.5 minutes on
# 2 cores). Fails on the first warning.
clang_warning_check() {
  log "clang 16: every translation unit with the project's warnings as errors (-fsyntax-only) in $CLANG_BUILD_DIR"
  clang_syntax_objects "$CLANG_BUILD_DIR" product -DCMAKE_UNITY_BUILD=OFF
  clang_syntax_objects "$CLANG_BUILD_DIR-batched" tests -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16
}

# clang_syntax_objects DIR product|tests CMAKE_ARGS...: configures DIR for the clang syntax-only build and builds the
# object files of the product (outside tests/ and bench/) or of the tests and benchmarks.
clang_syntax_objects() {
  local dir="$1" part="$2" objects filter=(-v)
  shift 2
  [[ "$part" == tests ]] && filter=()
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTARKEEP_SYNTAX_ONLY=ON \
    -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 "$@" >/dev/null
  objects=$(ninja -C "$dir" -t targets all | sed -n 's/^\(.*\.o\): CXX_COMPILER.*/\1/p' |
    grep "${filter[@]}" -E '^(tests|bench)/')
  [[ -n "$objects" ]] || { echo "clang_warning_check: no object file of the $part to build in $dir" >&2; return 1; }
  # shellcheck disable=SC2086  # one argument per object file
  ninja -C "$dir" -j2 --quiet $objects
}

# clang_warning_check, then tidy_check, at the lowest CPU priority (test.sh runs them beside the test suite).
static_checks_niced() {
  renice -n 19 -p "$BASHPID" >/dev/null
  clang_warning_check
  log "clang warning check: no warning"
  tidy_check
}

# The Debian packages (cmake/StarkeepPackage.cmake): builds them with cpack from $BUILD_DIR, installs both into a
# scratch root with dpkg (--force-depends: the scratch root's dpkg database is empty; the libraries come from this
# machine), checks their Depends lists runtime libraries and no -dev package, runs every binary's --version and
# check / plan of an installed example policy from the installed path, and verifies the installed systemd units with
# systemd-analyze. Fails on the first problem; the scratch root is removed either way.
package_check() {
  log "building the Debian packages (cpack) in $BUILD_DIR/packages"
  local out="$BUILD_DIR/packages" root deb depends
  rm -rf "$out"
  (cd "$BUILD_DIR" && cpack -G DEB -B "$out" >"$BUILD_DIR/cpack.log" 2>&1) || { cat "$BUILD_DIR/cpack.log" >&2; return 1; }
  root=$(mktemp -d /tmp/starkeep-pkgroot.XXXXXX)
  # shellcheck disable=SC2064  # expand now: the trap must remove this run's root
  trap "rm -rf '$root'" RETURN
  mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
  touch "$root/var/lib/dpkg/status"
  for deb in "$out"/starkeep_*.deb "$out"/starkeep-emulator_*.deb; do
    [[ -f "$deb" ]] || { echo "package_check: $deb was not built" >&2; return 1; }
    depends=$(dpkg-deb -f "$deb" Depends)
    log "$(basename "$deb"): Depends: $depends"
    [[ "$depends" == *libc6* ]] || { echo "package_check: $deb: no shared-library dependencies found" >&2; return 1; }
    if [[ "$depends" == *-dev* ]]; then echo "package_check: $deb depends on a -dev package" >&2; return 1; fi
  done
  [[ "$(dpkg-deb -f "$out"/starkeep_*.deb Depends)" == *libmysqlcppconn* ]] ||
    { echo "package_check: starkeep does not depend on the Connector/C++ runtime" >&2; return 1; }
  dpkg --root="$root" --force-depends --force-script-chrootless -i "$out"/starkeep_*.deb "$out"/starkeep-emulator_*.deb \
    >"$out/dpkg.log" 2>&1 || { cat "$out/dpkg.log" >&2; return 1; }
  local bin="$root/usr/bin" example="$root/usr/share/starkeep/examples" revision
  revision=$(git -C "$ROOT" describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || echo unknown)
  for b in starkeep starkeep-emulator starkeep-emu-harness; do
    local line
    line=$("$bin/$b" --version)
    [[ "$line" == "$b "*" (git $revision)" ]] || { echo "package_check: $b --version printed '$line'" >&2; return 1; }
  done
  "$bin/starkeep" check --policy "$example/production.skp" --inventory "$example/inventory.json" >"$out/check.log" 2>&1 ||
    { cat "$out/check.log" >&2; return 1; }
  "$bin/starkeep" plan --policy "$example/production.skp" --inventory "$example/inventory.json" \
    --at 2025-09-07T01:05:00Z >"$out/plan.log" 2>&1 || { cat "$out/plan.log" >&2; return 1; }
  grep -q "BACKUP" "$out/plan.log" || { echo "package_check: the installed plan shows no BACKUP" >&2; return 1; }
  [[ -f "$root/usr/share/doc/starkeep/operations.md" ]] || { echo "package_check: docs not installed" >&2; return 1; }
  [[ -x "$example/ci/policy-check.sh" ]] || { echo "package_check: examples/ci not installed executable" >&2; return 1; }
  # systemd-analyze needs the targets the units are ordered against inside the root; any complaint (an unknown key
  # is only a warning to systemd) fails the check.
  local units=("$root"/usr/lib/systemd/system/starkeep-*.service "$root"/usr/lib/systemd/system/starkeep-*.timer) verify
  ((${#units[@]} == 8)) || { echo "package_check: expected 8 systemd units, found ${#units[@]}" >&2; return 1; }
  cp /usr/lib/systemd/system/{sysinit,basic,timers,shutdown,network-online}.target "$root/usr/lib/systemd/system/"
  verify=$(systemd-analyze verify --root="$root" "${units[@]}" 2>&1) && [[ -z "$verify" ]] ||
    { echo "package_check: systemd-analyze verify: $verify" >&2; return 1; }
  package_end_to_end "$root" "$out"
  log "packages: $(cd "$out" && ls ./*.deb | tr '\n' ' ')installed and run from a scratch root"
}

# The users' CI recipe (examples/ci/) run with the installed binaries only (PATH = the scratch root's /usr/bin):
# policy-check.sh must fail the example production policy on its warnings and pass it when warnings are allowed;
# emulator-e2e.sh — the installed starkeep-emu-harness starting the installed emulator (found beside itself, not in
# the build tree) — takes the production policy's monthly of 2025-09-07 (a first Sunday) and runs its database drill.
# $1: the scratch root, $2: where to keep the logs.
package_end_to_end() {
  local root="$1" out="$2"
  local policy="$1/usr/share/starkeep/examples/production.skp" inventory="$1/usr/share/starkeep/examples/inventory.json"
  local path="$root/usr/bin:/usr/bin:/bin" rc=0
  PATH="$path" "$ROOT/examples/ci/policy-check.sh" "$inventory" "$policy" >"$out/policy-check.log" 2>&1 && rc=0 || rc=$?
  if ((rc != 1)); then
    cat "$out/policy-check.log" >&2
    echo "package_check: policy-check.sh passed a policy with warnings (exit $rc)" >&2
    return 1
  fi
  PATH="$path" STARKEEP_CI_ALLOW_WARNINGS=1 "$ROOT/examples/ci/policy-check.sh" "$inventory" "$policy" \
    >"$out/policy-check.log" 2>&1 || { cat "$out/policy-check.log" >&2; return 1; }
  grep -q "BACKUP" "$out/policy-check.log" || { echo "package_check: policy-check.sh printed no plan" >&2; return 1; }
  PATH="$path" STARKEEP_CI_DRILL=database "$ROOT/examples/ci/emulator-e2e.sh" "$policy" "$ROOT/examples/demo/schema.sql" \
    2025-09-07T01:05:00Z >"$out/emulator-e2e.log" 2>&1 || { cat "$out/emulator-e2e.log" >&2; return 1; }
  grep -q "PASSED" "$out/emulator-e2e.log" || { echo "package_check: the drill did not pass" >&2; return 1; }
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
