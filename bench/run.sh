#!/usr/bin/env bash
# Runs the compiler benchmarks (Release build in build-bench/) on synthetic inventories of 1k, 10k and 100k tables
# × 10 partitions and writes the results table into docs/performance.md (between the BENCH markers).
# Not part of the test suite. Usage: bench/run.sh [build-dir]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build-bench}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target inventory_gen plan_bench >/dev/null

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

HOST="$(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
TABLE="Measured $(date -u +%Y-%m-%d) on ${HOST} (load average ${LOAD} while measuring); Release build; best of 3
runs per size; wall-clock columns in ms, CPU = process CPU time of read + check + plan; peak RSS of the process.

| tables | partitions | inventory MB | read ms | inventory load ms | check ms | plan ms | check+plan ms | check+plan CPU ms | peak RSS MB | jobs |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${ROWS}"

DOC="$ROOT/docs/performance.md"
python3 - "$DOC" "$TABLE" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin, end = "<!-- BENCH:BEGIN -->", "<!-- BENCH:END -->"
a, b = text.index(begin) + len(begin), text.index(end)
open(path, "w").write(text[:a] + "\n" + table.rstrip("\n") + "\n" + text[b:])
PY
echo "updated $DOC"
