#!/usr/bin/env bash
# Runs the benchmarks (Release build in build-bench/) and writes their tables into docs/performance.md:
#   * compiler: `check` + `plan` on synthetic inventories of 1k, 10k and 100k tables × 10 partitions
#     (between the BENCH markers);
#   * runner: SQL round trips, overhead and makespan of `starkeep run` on the emulator (between the RUNNER markers);
#   * expire: the verdicts of `expire --dry-run` over synthetic histories of 10k and 100k snapshots (EXPIRE markers);
#   * report: the KPI report over a synthetic year of 100 databases × 3 tiers (REPORT markers).
#   * metrics: `starkeep metrics` over a year of 100 databases × 3 tiers, in memory and end to end (METRICS markers).
#   * cli: the real `starkeep check --format json`, `plan` and `plan --format json` processes on the 100k-table
#     inventory: wall, CPU and peak RSS of each child (CLI markers).
#   * fingerprint: statements of the fingerprint step of monthly backups against the partitions written since the
#     last one, on the emulator (FINGERPRINT markers).
#   * parse: peak memory per input byte of the policy parser and of `starkeep check` on policies near the input
#     limit (PARSE markers).
# Not part of the test suite. Usage:
#   bench/run.sh [build-dir] [compiler|cli|runner|expire|report|metrics|fingerprint|parse|all]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build-bench}"
WHAT="${2:-all}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DOC="$ROOT/docs/performance.md"

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target inventory_gen plan_bench cli_bench runner_bench expire_bench report_bench metrics_bench fingerprint_bench parse_bench starkeep starkeep-emulator >/dev/null

HOST="$(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

# Replaces the text between <!-- $1:BEGIN --> and <!-- $1:END --> in docs/performance.md with the file $2.
replace_section() {
  local marker="$1" body="$2" out="$WORK/doc.md"
  awk -v begin="<!-- $marker:BEGIN -->" -v end="<!-- $marker:END -->" -v body="$body" '
    $0 == begin { print; while ((getline line < body) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$DOC" >"$out"
  cat "$out" >"$DOC"
}

if [[ "$WHAT" == all || "$WHAT" == compiler ]]; then
  ROWS=""
  for n in 1000 10000 100000; do
    "$BUILD/bench/inventory_gen/inventory_gen" --tables "$n" --partitions 10 --databases 100 --seed 42 \
      --out "$WORK/inv_$n.json"
    ROW="$("$BUILD/bench/plan_bench/plan_bench" --policy "$ROOT/bench/plan_bench/bench_policy.skp" \
      --inventory "$WORK/inv_$n.json" --at "2025-09-07 01:05" --repeat 3)"
    echo "$ROW"
    ROWS+="$ROW"$'\n'
    rm -f "$WORK/inv_$n.json"
  done
  LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
  cat >"$WORK/compiler.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average ${LOAD} while measuring); Release build; best of 3
runs per size; wall-clock columns in ms, CPU = process CPU time of read + check + plan; peak RSS of the process.

| tables | partitions | inventory MB | read ms | inventory load ms | check ms | plan ms | check+plan ms | check+plan CPU ms | peak RSS MB | jobs |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${ROWS%$'\n'}
TABLE
  replace_section BENCH "$WORK/compiler.md"
fi

if [[ "$WHAT" == all || "$WHAT" == cli ]]; then
  "$BUILD/bench/inventory_gen/inventory_gen" --tables 100000 --partitions 10 --databases 100 --seed 42 \
    --out "$WORK/inv_cli.json"
  LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
  ROWS="$("$BUILD/bench/cli_bench/cli_bench" --starkeep "$BUILD/tools/starkeep/starkeep" \
    --policy "$ROOT/bench/plan_bench/bench_policy.skp" --inventory "$WORK/inv_cli.json" --at "2025-09-07 01:05" \
    --repeat 3)"
  echo "$ROWS"
  rm -f "$WORK/inv_cli.json"
  cat >"$WORK/cli.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average ${LOAD_BEFORE} before and $(cut -d' ' -f1-3 /proc/loadavg)
after measuring); $(grep -m1 CMAKE_BUILD_TYPE "$BUILD/CMakeCache.txt" | cut -d= -f2) build; 100,000 tables / 1M partitions (174 MB); best wall time of 3, the
CPU time of that run, the largest peak RSS of the 3.

| command | wall ms | CPU ms | peak RSS MB | exit |
|---|---:|---:|---:|---:|
${ROWS}
TABLE
  replace_section CLI "$WORK/cli.md"
fi

if [[ "$WHAT" == all || "$WHAT" == parse ]]; then
  OUT="$("$BUILD/bench/parse_bench/parse_bench" --starkeep "$BUILD/tools/starkeep/starkeep")"
  echo "$OUT"
  cat >"$WORK/parse.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average $(cut -d' ' -f1-3 /proc/loadavg) after measuring);
$(grep -m1 CMAKE_BUILD_TYPE "$BUILD/CMakeCache.txt" | cut -d= -f2) build; \`bench/parse_bench\`, each figure one fresh child process.

${OUT}
TABLE
  replace_section PARSE "$WORK/parse.md"
fi

if [[ "$WHAT" == all || "$WHAT" == runner ]]; then
  OUT="$("$BUILD/bench/runner_bench/runner_bench" --starkeep "$BUILD/tools/starkeep/starkeep" \
    --emulator "$BUILD/emulator/server/starkeep-emulator")"
  echo "$OUT"
  LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
  rows() { grep "^$1|" <<<"$OUT" | sed "s/^$1|/|/"; }
  cat >"$WORK/runner.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average ${LOAD} after measuring); Release build; emulator at time
scale 1 with \`--job-fixed-seconds 5\`, 3 backends.

SQL round trips of one \`starkeep run\` (daily tier, one database):

| tables | partitions | binding + submit + history statements | of which partitions_meta | SHOW BACKUP polls | fingerprint statements | cluster-level statements | catalog snapshot statements | run s |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(rows roundtrips)

Runner overhead over the emulator's job time (one database):

| job time D s | catalog job C s | starkeep run W s | overhead W − D − C s | allowed 5 % × (D + C) + 1 s | within |
|---:|---:|---:|---:|---:|:---:|
$(rows overhead)

Makespan against the lower bound ceil(databases / parallel) × D + C:

| databases | --parallel | job time D s | catalog job C s | lower bound s | makespan s | ratio | ≤ 1.1× |
|---:|---:|---:|---:|---:|---:|---:|:---:|
$(rows makespan)
TABLE
  replace_section RUNNER "$WORK/runner.md"
fi
if [[ "$WHAT" == all || "$WHAT" == fingerprint ]]; then
  ROWS="$("$BUILD/bench/fingerprint_bench/fingerprint_bench" --emulator "$BUILD/emulator/server/starkeep-emulator" \
    --tables 20 --partitions 50 --rows 20 --changed 0,10,100,1000)"
  echo "$ROWS"
  cat >"$WORK/fingerprint.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average $(cut -d' ' -f1-3 /proc/loadavg) after measuring);
$(grep -m1 CMAKE_BUILD_TYPE "$BUILD/CMakeCache.txt" | cut -d= -f2) build; one database of 20 tables × 50 partitions × 20
rows on the emulator; each row is one monthly whole-database backup's fingerprint step, after one row was written
into that many partitions.

| tables | partitions | partitions written since the last monthly | fingerprints recorded | reused | scans | statements | s |
|---:|---:|---:|---:|---:|---:|---:|---:|
${ROWS}
TABLE
  replace_section FINGERPRINT "$WORK/fingerprint.md"
fi
if [[ "$WHAT" == all || "$WHAT" == expire ]]; then
  ROWS=""
  for n in 10000 100000; do
    ROW="$("$BUILD/bench/expire_bench/expire_bench" --snapshots "$n" --databases 100 --repeat 3)"
    echo "$ROW"
    ROWS+="$ROW"$'\n'
  done
  LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
  cat >"$WORK/expire.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average ${LOAD} after measuring); Release build; best of 3.

| snapshots | databases | expired | verdicts (model + evaluation + reasons) | peak RSS |
|---:|---:|---:|---:|---:|
${ROWS%$'\n'}
TABLE
  replace_section EXPIRE "$WORK/expire.md"
fi
if [[ "$WHAT" == all || "$WHAT" == metrics ]]; then
  ROW="$("$BUILD/bench/metrics_bench/metrics_bench" --databases 100 --days 365 --repeat 3 \
    --emulator "$BUILD/emulator/server/starkeep-emulator" --starkeep "$BUILD/tools/starkeep/starkeep")"
  echo "$ROW"
  LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
  cat >"$WORK/metrics.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average ${LOAD} after measuring); Release build; best of 3.

| databases | days | backup_history rows | run_status rows | snapshot_expiry rows | output lines | model + render | \`starkeep metrics\` end to end (wall) | its CPU (mean) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${ROW%$'\n'}
TABLE
  replace_section METRICS "$WORK/metrics.md"
fi
echo "updated $DOC"

if [[ "$WHAT" == all || "$WHAT" == report ]]; then
  ROWS=""
  for n in 10 100; do
    ROW="$("$BUILD/bench/report_bench/report_bench" --policy "$ROOT/bench/plan_bench/bench_policy.skp" \
      --databases "$n" --days 365 --repeat 3)"
    echo "$ROW"
    ROWS+="$ROW"$'\n'
  done
  LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
  cat >"$WORK/report.md" <<TABLE
Measured $(date -u +%Y-%m-%d) on ${HOST} (load average ${LOAD} while measuring); Release build; best of 3.

| attempts | databases | days | model + HTML + JSON | HTML size | peak RSS |
|---:|---:|---:|---:|---:|---:|
${ROWS%$'\n'}
TABLE
  replace_section REPORT "$WORK/report.md"
fi
