#!/usr/bin/env bash
# Installs what is missing, builds, and runs starkeep end to end on the example policies.
# Idempotent: safe to run again on the same checkout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
build_project quiet
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
# The next plain Sunday (day 8..31: the weekly alone) and the next first Sunday of a month (day 1..7: the monthly,
# which covers the weekly), after today (UTC).
NEXT_SUNDAY=""
FIRST_SUNDAY=""
for i in $(seq 1 40); do
  d="$(date -u -d "today + $i days" +%F)"
  [[ "$(date -u -d "$d" +%u)" == 7 ]] || continue
  if [[ "$(date -u -d "$d" +%-d)" -le 7 ]]; then
    [[ -n "$FIRST_SUNDAY" ]] || FIRST_SUNDAY="$d"
  else
    [[ -n "$NEXT_SUNDAY" ]] || NEXT_SUNDAY="$d"
  fi
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


# ---- run: a week of backups on the emulated cluster, with data written between the runs ----
# A private MariaDB + StarRocks FE emulator in demo-run/ (restarted on every demo run, so the demo is idempotent);
# backup jobs run 20× faster than the emulator's default pace. `starkeep run --at` plays the scheduler: one run
# per day from Sunday 2025-08-31 (weekly) through Sunday 2025-09-07 (the first Sunday: the monthly baseline,
# which also counts as that Sunday's weekly).
DEMO_DIR="$ROOT/demo-run"
HARNESS="$BUILD_DIR/emulator/harness/starkeep-emu-harness"
"$HARNESS" down --dir "$DEMO_DIR" >/dev/null 2>&1 || true
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
echo
echo "== starting MariaDB and the StarRocks FE emulator in demo-run/"
"$HARNESS" up --dir "$DEMO_DIR" -- --time-scale 20 --backends 3 >/dev/null
trap '"$HARNESS" down --dir "$DEMO_DIR" >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
source "$DEMO_DIR/env"
export STARKEEP_HOST="$STARKEEP_EMU_HOST" STARKEEP_PORT="$STARKEEP_EMU_PORT" STARKEEP_USER=root
# Demo credentials for the repository (read from the environment, never from the policy).
export STARKEEP_S3_ACCESS_KEY=demo-access-key STARKEEP_S3_SECRET_KEY=demo-secret-key
sql() { mariadb -h "$STARKEEP_HOST" -P "$STARKEEP_PORT" -u root --table "$@"; }
sql <"$ROOT/examples/demo/schema.sql"

echo
echo "== starkeep init; starkeep repository apply; starkeep inventory sync + export"
"$SK" init
"$SK" repository apply --policy "$POLICY"
"$SK" inventory sync --policy "$POLICY"
"$SK" inventory export --policy "$POLICY" --out "$DEMO_DIR/inventory.json"

order_id=100
for day in 2025-08-31 2025-09-01 2025-09-02 2025-09-03 2025-09-04 2025-09-05 2025-09-06 2025-09-07; do
  echo
  echo "== $(date -u -d "$day" +%A) $day: starkeep run --at ${day}T01:05:00Z"
  set +e
  "$SK" run --policy "$POLICY" --inventory "$DEMO_DIR/inventory.json" --at "${day}T01:05:00Z" --poll-initial-ms 200
  rc=$?
  set -e
  echo "   exit code $rc (0 = backed up, 10 = nothing due; docs/operations.md lists every code)"
  # The business day's writes, after the backup: the next run must pick them up.
  order_id=$((order_id + 1))
  sql -e "INSERT INTO sales.fact_orders VALUES ($order_id, '$day', 1, 10.00 + $order_id);
          INSERT INTO crm.fact_events VALUES ($order_id, '$day', 2, 'visit')"
  if [[ "$day" == 2025-09-03 ]]; then
    sql -e "INSERT INTO sales.dim_customers VALUES (4, 'Barbara', 'DE')"
  fi
  if [[ "$day" == 2025-09-04 ]]; then
    AS_OF="$(date -u +%Y-%m-%dT%H:%M:%SZ)"   # a restore point: the state after Thursday's run and writes
    sleep 1
    sql -e "SELECT COUNT(*) AS orders_at_restore_point FROM sales.fact_orders"
  fi
done

echo
echo "== the week's history: starkeep status, and ops.backup_history"
"$SK" status
sql -e "SELECT slot_utc, database_name, tiers, label, backup_kind, state, job_id, bytes, backup_timestamp
        FROM ops.backup_history ORDER BY slot_utc, database_name"
sql -e "SHOW SNAPSHOT ON s3_prod"

echo
echo "== restore: sales.fact_orders as of $AS_OF, under a new name (live table untouched), verified"
"$SK" restore table sales.fact_orders --as-of "$AS_OF" --as fact_orders_restored
sql -e "SELECT COUNT(*) AS restored_rows FROM sales.fact_orders_restored; SELECT COUNT(*) AS live_rows FROM sales.fact_orders"

echo
echo "== drills: starkeep drill --at 2025-09-08T06:00:00Z (restore into a scratch database, verify checksums, drop it)"
"$SK" drill --policy "$POLICY" --at "2025-09-08T06:00:00Z" --poll-initial-ms 200
sql -e "SELECT drill_name, label, target_database, state, verification, submitted_at_utc, finished_at_utc
        FROM ops.restore_history WHERE kind = 'drill' ORDER BY submitted_at_utc"

echo
echo "== retention: starkeep expire --dry-run --at 2025-10-01T12:00:00Z (what would be deleted then, and why)"
set +e
"$SK" expire --policy "$POLICY" --at "2025-10-01T12:00:00Z" --dry-run
rc=$?
set -e
echo "   exit code $rc (a dry run deletes nothing; docs/retention.md)"

echo
echo "== the KPI report: starkeep report (one self-contained HTML file: inline CSS and SVG, no script, no network)"
REPORT="$DEMO_DIR/report.html"
"$SK" report --policy "$POLICY" --out "$REPORT" --from 2025-08-25 --to now
echo "   the report is in $REPORT (open it in a browser or attach it to a mail; docs/report.md explains it)"
