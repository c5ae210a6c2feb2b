#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, golden, emulator-backed end-to-end).
# Idempotent: safe to run again on the same checkout. The build is a unity build (build_project in lib.sh says why).
# While the suite runs, compiles every translation unit with clang 16 and the project's warnings as errors
# (-fsyntax-only; the product file by file), then clang-tidy over the kernel and runtime/jobs (.clang-tidy says which
# checks and why those folders), both at the lowest CPU priority. Then builds the Debian packages and runs them from a
# scratch root (package_check), builds the libFuzzer target with clang and fuzzes the policy front end for
# STARKEEP_FUZZ_SECONDS (default 60); STARKEEP_SKIP_FUZZ=1 skips that step (developers only: CI, .ci/run, always runs
# it). Arguments are passed to ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
ensure_s3rver
build_project
# The clang warning check and clang-tidy are CPU work the test suite leaves room for (its end-to-end tests mostly
# wait on servers): they run beside ctest at the lowest CPU priority, so the tests keep the cores whenever they need
# them.
log "clang warning check and clang-tidy started beside the test suite (nice 19; output: $BUILD_DIR/static-checks.log)"
(static_checks_niced >"$BUILD_DIR/static-checks.log" 2>&1) &
checks_pid=$!
log "running the test suite"
cd "$BUILD_DIR"
ctest_rc=0
ctest --output-on-failure -j2 --timeout 900 "$@" || ctest_rc=$?
checks_rc=0
wait "$checks_pid" || checks_rc=$?
cat "$BUILD_DIR/static-checks.log" >&2
if ((checks_rc != 0)); then log "the clang warning check or clang-tidy failed (exit $checks_rc)"; fi
if ((ctest_rc != 0 || checks_rc != 0)); then exit 1; fi
package_check
if [[ "${STARKEEP_SKIP_FUZZ:-0}" == 1 ]]; then
  log "STARKEEP_SKIP_FUZZ=1: libFuzzer step skipped"
else
  fuzz_policy_parser "${STARKEEP_FUZZ_SECONDS:-60}"
fi
