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

# ---- compile: check the production policy against the example inventory, then preview two runs ----
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
POLICY="$ROOT/policies/production.skp"
INVENTORY="$ROOT/examples/inventory.json"
# The next Sunday, and the next first Sunday of a month (day 1..7), after today (UTC).
NEXT_SUNDAY="$(date -u -d 'next sunday' +%F)"
FIRST_SUNDAY=""
for i in $(seq 1 40); do
  d="$(date -u -d "today + $i days" +%F)"
  if [[ "$(date -u -d "$d" +%u)" == 7 && "$(date -u -d "$d" +%-d)" -le 7 ]]; then FIRST_SUNDAY="$d"; break; fi
done

echo
echo "== starkeep check --policy policies/production.skp --inventory examples/inventory.json"
"$SK" check --policy "$POLICY" --inventory "$INVENTORY"
echo
echo "== starkeep plan at the next Sunday, $NEXT_SUNDAY 01:05 (the weekly)"
"$SK" plan --policy "$POLICY" --inventory "$INVENTORY" --at "$NEXT_SUNDAY 01:05" 2>/dev/null
echo
echo "== starkeep plan at the next first Sunday of a month, $FIRST_SUNDAY 01:05 (the monthly, covering the weekly)"
"$SK" plan --policy "$POLICY" --inventory "$INVENTORY" --at "$FIRST_SUNDAY 01:05" 2>/dev/null

