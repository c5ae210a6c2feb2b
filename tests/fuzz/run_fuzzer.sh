#!/usr/bin/env bash
# Runs the libFuzzer target policy_parser_fuzzer for a bounded time on a scratch copy of the seed corpus (the
# policies, the examples, the golden check/analysis/plan policies and tests/fuzz/regressions/), so the sources are never
# modified. Exit 0 when no input broke an invariant; otherwise 1, with the reproducer printed and kept.
#
#   tests/fuzz/run_fuzzer.sh <fuzz-build-dir> [seconds=60] [extra libFuzzer flags...]
#
# SK_FUZZ_CORPUS=<dir>: also read, and add new inputs to, this corpus directory (keeps coverage between long runs).
# Reproduce a failure: <fuzz-build-dir>/tests/fuzz/policy_parser_fuzzer <reproducer>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:?usage: run_fuzzer.sh <fuzz-build-dir> [seconds] [libFuzzer flags...]}"
seconds="${2:-60}"
shift $(($# >= 2 ? 2 : 1))
fuzzer="$build/tests/fuzz/policy_parser_fuzzer"
[[ -x "$fuzzer" ]] || { echo "run_fuzzer.sh: $fuzzer not built" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/starkeep-fuzz.XXXXXX")"
mkdir -p "$work/corpus" "$work/artifacts"
for f in "$root"/policies/*.skp "$root"/examples/*.skp "$root"/tests/golden/check/*.skp \
         "$root"/tests/golden/analysis/*.skp "$root"/tests/golden/plan/*.skp "$root"/tests/fuzz/regressions/*; do
  [[ -f "$f" && "$(basename "$f")" != README.md ]] || continue
  cp "$f" "$work/corpus/$(basename "$(dirname "$f")")_$(basename "$f")"
done
corpora=("$work/corpus")
if [[ -n "${SK_FUZZ_CORPUS:-}" ]]; then
  mkdir -p "$SK_FUZZ_CORPUS"
  corpora=("$SK_FUZZ_CORPUS" "$work/corpus")  # new inputs go to the first directory
fi

# Symbolized sanitizer reports (the unversioned llvm-symbolizer may be missing or from another LLVM).
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" && -x /usr/lib/llvm-16/bin/llvm-symbolizer ]]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer
fi

echo "fuzz: policy_parser_fuzzer for ${seconds}s, $(ls "$work/corpus" | wc -l) seeds, log $work/fuzz.log" >&2
status=0
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -dict="$here/policy.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" \
  "${corpora[@]}" >"$work/fuzz.log" 2>&1 || status=$?

# Summary: the last status line (executions, coverage, corpus) and the final statistics.
grep -E '^#[0-9]+' "$work/fuzz.log" | tail -n 1 >&2 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/fuzz.log" >&2 || true
if ((status != 0)); then
  tail -n 60 "$work/fuzz.log" >&2
  shopt -s nullglob
  for a in "$work"/artifacts/*; do
    echo "fuzz: FAILED — reproducer: $a (run: $fuzzer $a)" >&2
  done
  echo "fuzz: FAILED (exit $status); everything is kept in $work" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: no invariant broken" >&2
