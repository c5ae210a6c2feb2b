#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, golden, emulator-backed end-to-end).
# Idempotent: safe to run again on the same checkout. Then runs clang-tidy over the kernel and runtime/jobs
# (.clang-tidy says which checks and why those folders), compiles every product translation unit with clang 16 and the
# project's warnings as errors (-fsyntax-only), builds the Debian packages and runs them from a scratch root
# (package_check), builds the libFuzzer target with clang and fuzzes the
# policy front end for STARKEEP_FUZZ_SECONDS (default 60); STARKEEP_SKIP_FUZZ=1 skips that step (developers only:
# CI, .ci/run, always runs it). Arguments are passed to ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
ensure_s3rver
build_project
log "running the test suite"
cd "$BUILD_DIR"
ctest --output-on-failure -j2 --timeout 900 "$@"
tidy_check
clang_warning_check
package_check
if [[ "${STARKEEP_SKIP_FUZZ:-0}" == 1 ]]; then
  log "STARKEEP_SKIP_FUZZ=1: libFuzzer step skipped"
else
  fuzz_policy_parser "${STARKEEP_FUZZ_SECONDS:-60}"
fi
