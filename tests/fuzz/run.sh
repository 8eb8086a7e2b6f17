#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets with clang (libraries with
# -fsanitize=fuzzer-no-link,address,undefined) in build-fuzz/ and runs each for FUZZ_SECONDS
# (default 60) on 1 core, starting from the committed corpus (tests/fuzz/corpus/<target>/, copied
# to build-fuzz/corpus/<target>/, which keeps growing across runs). Prints per target: executions,
# executions/s, edges covered (cov), features (ft), corpus size, and crashes/timeouts/OOMs.
# A crash leaves its input in build-fuzz/crashes/<target>/: add it to tests/fuzz/corpus/<target>/
# once fixed, and the replay test of `make test` keeps it fixed.
#
#   make fuzz                          # every target, 60 s each
#   FUZZ_SECONDS=600 FUZZ_TARGETS="regime validate" make fuzz
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"detections_csv detections_geojson stac zones_geojson regime validate"}
B=build-fuzz

command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2; exit 2; }
if [ ! -f $B/CMakeCache.txt ]; then
  CC=clang CXX=clang++ cmake -S . -B $B -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAVF_BUILD_FUZZ=ON -DAVF_WERROR=OFF \
    "-DAVF_SANITIZE=fuzzer-no-link;address;undefined" >/dev/null
fi
cmake --build $B -j "$(nproc)" --target $(for t in $TARGETS; do printf 'fuzz_%s ' "$t"; done) >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/ubsan.supp}
printf '%-20s %12s %10s %8s %8s %8s %s\n' target executions exec/s cov ft corpus "crashes/timeouts/ooms"
status=0
for t in $TARGETS; do
  corpus=$B/corpus/$t; crashes=$B/crashes/$t; log=$B/fuzz-$t.log
  mkdir -p "$corpus" "$crashes"
  cp -n tests/fuzz/corpus/$t/* "$corpus"/ 2>/dev/null || true
  set +e
  TMPDIR=$B $B/tests/fuzz/fuzz_$t "$corpus" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  found=$(find "$crashes" -type f | wc -l)
  printf '%-20s %12s %10s %8s %8s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$(find "$corpus" -type f | wc -l)" "$found"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then status=1; echo "  see $log and $crashes/" >&2; fi
done
exit $status
