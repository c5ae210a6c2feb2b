#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, golden, emulator-backed end-to-end).
# Idempotent: safe to run again on the same checkout. The build is a unity build (build_project in lib.sh says why).
# While the suite runs, compiles every translation unit with clang 16 and the project's warnings as errors
# (-fsyntax-only, at the lowest CPU priority; the product file by file). Then runs
# clang-tidy over the kernel and runtime/jobs (.clang-tidy says which checks and why those folders), builds the
# Debian packages and runs them from a scratch root (package_check), builds the libFuzzer target with clang and
# fuzzes the policy front end for STARKEEP_FUZZ_SECONDS (default 60); STARKEEP_SKIP_FUZZ=1 skips that step
# (developers only: CI, .ci/run, always runs it). Arguments are passed to ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
ensure_s3rver
build_project
# The clang warning check is CPU work the test suite leaves room for (its end-to-end tests mostly wait on servers):
# it runs beside ctest at the lowest CPU priority, so the tests keep the cores whenever they need them.
log "clang warning check started beside the test suite (nice 19; its output: $BUILD_DIR/clang-check.log)"
(clang_warning_check_niced >"$BUILD_DIR/clang-check.log" 2>&1) &
clang_pid=$!
log "running the test suite"
cd "$BUILD_DIR"
ctest_rc=0
ctest --output-on-failure -j2 --timeout 900 "$@" || ctest_rc=$?
clang_rc=0
wait "$clang_pid" || clang_rc=$?
if ((clang_rc != 0)); then
  cat "$BUILD_DIR/clang-check.log" >&2
  log "the clang warning check failed (exit $clang_rc)"
fi
if ((ctest_rc != 0 || clang_rc != 0)); then exit 1; fi
log "clang warning check: no warning"
tidy_check
package_check
if [[ "${STARKEEP_SKIP_FUZZ:-0}" == 1 ]]; then
  log "STARKEEP_SKIP_FUZZ=1: libFuzzer step skipped"
else
  fuzz_policy_parser "${STARKEEP_FUZZ_SECONDS:-60}"
fi
