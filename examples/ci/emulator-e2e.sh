#!/usr/bin/env bash
# Runs a policy end to end without a StarRocks cluster, against the StarRocks FE emulator of the starkeep-emulator
# package (a private MariaDB + the emulator on loopback, in a scratch directory):
#   examples/ci/emulator-e2e.sh POLICY SCHEMA_SQL INSTANT...
# SCHEMA_SQL creates the databases and tables the policy backs up (a StarRocks DDL dump of your cluster, with some
# rows); each INSTANT is one scheduled `starkeep run --at INSTANT --wait`, in order (e.g. a Sunday and the next
# Monday). Then it prints the history (`starkeep status`) and, with STARKEEP_CI_DRILL=NAME, runs that drill of the
# policy at the last instant (a restore into a scratch database verified by checksums). Exit 0 when every run ended
# 0 (work done), 10 (nothing due) or 11 (already done) and the drill, if any, PASSED; the emulator is stopped either
# way. Needs starkeep, starkeep-emu-harness and mariadb (the client) on PATH.
set -euo pipefail

if (($# < 3)); then
  echo "usage: $0 POLICY SCHEMA_SQL INSTANT..." >&2
  exit 64
fi
policy="$1" schema="$2"
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/starkeep-ci.XXXXXX")
trap 'starkeep-emu-harness down --dir "$work/emu" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# --time-scale 20: emulated BACKUP jobs run 20x faster than the emulator's default pace.
starkeep-emu-harness up --dir "$work/emu" -- --time-scale 20 >/dev/null
# shellcheck disable=SC1091
source "$work/emu/env"
export STARKEEP_HOST="$STARKEEP_EMU_HOST" STARKEEP_PORT="$STARKEEP_EMU_PORT" STARKEEP_USER=root
# Placeholder repository credentials: the emulator stores snapshots on local disk and never checks them.
export STARKEEP_S3_ACCESS_KEY="${STARKEEP_S3_ACCESS_KEY:-ci}" STARKEEP_S3_SECRET_KEY="${STARKEEP_S3_SECRET_KEY:-ci}"

mariadb -h "$STARKEEP_HOST" -P "$STARKEEP_PORT" -u root <"$schema"
starkeep init
starkeep repository apply --policy "$policy"
starkeep inventory sync --policy "$policy"
for at in "$@"; do
  echo "== starkeep run --at $at"
  rc=0
  starkeep run --policy "$policy" --at "$at" --wait --poll-initial-ms 200 || rc=$?
  case $rc in
    0 | 10 | 11) ;;
    *) echo "starkeep run --at $at exited $rc" >&2; exit 1 ;;
  esac
done
echo "== starkeep status"
starkeep status
if [[ -n "${STARKEEP_CI_DRILL:-}" ]]; then
  last="${*: -1}"
  echo "== starkeep drill --drill $STARKEEP_CI_DRILL --at $last"
  starkeep drill --policy "$policy" --drill "$STARKEEP_CI_DRILL" --at "$last"
fi
