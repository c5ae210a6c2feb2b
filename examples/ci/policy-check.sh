#!/usr/bin/env bash
# CI gate for a repository of starkeep policies: run it on every change to a policy or to the exported inventory.
#   examples/ci/policy-check.sh INVENTORY POLICY...
# For each policy: `starkeep check --warnings-as-errors` (a warning — an uncovered table, a restorability hole —
# fails the change; set STARKEEP_CI_ALLOW_WARNINGS=1 to let warnings through while you fix them), then the plan of
# the next firing of every tier (`starkeep schedule` finds them) with `plan --detailed-exitcode`, printed so the
# reviewer sees the exact BACKUP statements the change implies. Exit 0 when every policy passes, 1 otherwise.
# Needs `starkeep` on PATH (the Debian package, or a build's tools/starkeep/).
set -uo pipefail

if (($# < 2)); then
  echo "usage: $0 INVENTORY POLICY..." >&2
  exit 64
fi
inventory="$1"
shift
strict=(--warnings-as-errors)
[[ "${STARKEEP_CI_ALLOW_WARNINGS:-0}" == 1 ]] && strict=()
failed=0

for policy in "$@"; do
  echo "::group::starkeep check $policy"
  starkeep check --policy "$policy" --inventory "$inventory" "${strict[@]}"
  rc=$?
  echo "::endgroup::"
  if ((rc != 0)); then
    echo "FAIL $policy: starkeep check exited $rc" >&2
    failed=1
    continue
  fi
  # The next firing of each tier: the instants whose plans this change affects.
  firings=$(starkeep schedule --policy "$policy" --next 1 --format json |
    sed -n 's/.*"utc": *"\([^"]*\)".*/\1/p' | sort -u)
  for at in $firings; do
    echo "::group::starkeep plan $policy --at $at"
    starkeep plan --policy "$policy" --inventory "$inventory" --at "$at" --detailed-exitcode
    rc=$?
    echo "::endgroup::"
    # 0: nothing due at that instant; 2: jobs are due (the normal case for a firing). Anything else is a failure.
    if ((rc != 0 && rc != 2)); then
      echo "FAIL $policy: starkeep plan --at $at exited $rc" >&2
      failed=1
    fi
  done
done
exit "$failed"
