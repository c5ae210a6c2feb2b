#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, golden, emulator-backed end-to-end).
# Idempotent: safe to run again on the same checkout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
build_project
log "running the test suite"
cd "$BUILD_DIR"
ctest --output-on-failure -j2 --timeout 900 "$@"
