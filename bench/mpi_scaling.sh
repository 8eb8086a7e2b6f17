#!/usr/bin/env bash
# Scaling of `mpirun -np N avf run` on this machine (issue 21; docs/benchmarks.md, "MPI ranks"):
# the plain run and 1, 2, 4 ranks over the same bench detections (avf_bench_gen, bench/regime.toml,
# the Korean and Baltic zones and lines, as bench/run.sh), each into a fresh copy of the zones
# store, with each rank's pass time, rank 0's gather time and the payload it received
# (AVF_MPI_VERBOSE), and a check that every distributed run stored the plain run's results.
#
#   bash bench/mpi_scaling.sh                  # 10^6 rows, --threads 1 per rank
#   BENCH_ROWS=1e5 BENCH_RANKS="1 2" bash bench/mpi_scaling.sh
#
# Knobs: BENCH_ROWS (1e6), BENCH_RANKS ("1 2 4"), BENCH_THREADS (threads per rank, 1),
# BENCH_SEED (2027), BENCH_DIR (/tmp/avf-bench-mpi), BENCH_BUILD (build: configured with AVF_MPI=ON
# and AVF_BUILD_BENCH=ON here, so the figures are of that build's type; bench/run.sh uses Release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH_ROWS=${BENCH_ROWS:-1e6}
BENCH_RANKS=${BENCH_RANKS:-"1 2 4"}
BENCH_THREADS=${BENCH_THREADS:-1}
BENCH_SEED=${BENCH_SEED:-2027}
BENCH_DIR=${BENCH_DIR:-/tmp/avf-bench-mpi}
BENCH_BUILD=${BENCH_BUILD:-build}
rows=$(/usr/bin/python3 -c "print(int(float('$BENCH_ROWS')))")
log() { echo "mpi-bench: $*" >&2; }

if [ ! -f "$BENCH_BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake -S . -B "$BENCH_BUILD" -DAVF_MPI=ON -DAVF_BUILD_BENCH=ON >/dev/null
cmake --build "$BENCH_BUILD" -j "$(nproc)" --target avf avf_bench_gen >/dev/null
AVF=$ROOT/$BENCH_BUILD/cli/avf
GEN=$ROOT/$BENCH_BUILD/bench/avf_bench_gen
mpi=(mpirun --oversubscribe)
[ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)

mkdir -p "$BENCH_DIR/tmp"
csv=$BENCH_DIR/detections-$rows-seed$BENCH_SEED.csv
if [ ! -s "$csv" ]; then
  log "generating $rows rows → $csv"
  "$GEN" --rows "$rows" --seed "$BENCH_SEED" --out "$csv.part" "$ROOT/datasets/korea/lines.geojson" "$ROOT/datasets/baltic/lines.geojson"
  mv "$csv.part" "$csv"
fi
rm -rf "$BENCH_DIR/zones.h5" "$BENCH_DIR/zones.h5.d"
"$AVF" zones import "$ROOT/datasets/korea/zones.geojson" "$ROOT/datasets/baltic/zones.geojson" "$ROOT/datasets/korea/lines.geojson" \
  "$ROOT/datasets/baltic/lines.geojson" --store "$BENCH_DIR/zones.h5" --set bench >/dev/null 2>&1

echo "date: $(date -u +%FT%TZ)  commit: $(git rev-parse --short=12 HEAD)  build: $BENCH_BUILD ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BENCH_BUILD/CMakeCache.txt"))"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $rows rows, $(du -m "$csv" | cut -f1) MB; --threads $BENCH_THREADS per rank"
printf "%-6s %8s %10s %11s %11s %24s %s\n" ranks wall_s rows_per_s max_pass_s max_pack_s "rank 0 adding, received" "results vs plain"
stores=()
for np in plain $BENCH_RANKS; do
  store=$BENCH_DIR/run-$np.h5
  rm -rf "$store" "$store.d"
  cp "$BENCH_DIR/zones.h5" "$store" # the store file only: its links name the zone set's member file in zones.h5.d/
  args=(run --regime "$ROOT/bench/regime.toml" --store "$store" --detections "$csv" --threads "$BENCH_THREADS" --temp-dir "$BENCH_DIR/tmp"
    --quiet --top 0)
  start=$(date +%s.%N)
  if [ "$np" = plain ]; then
    "$AVF" "${args[@]}" >/dev/null 2>"$BENCH_DIR/err.txt"
  else
    AVF_MPI_VERBOSE=1 "${mpi[@]}" -np "$np" "$AVF" "${args[@]}" >/dev/null 2>"$BENCH_DIR/err.txt"
  fi
  end=$(date +%s.%N)
  wall=$(/usr/bin/python3 -c "print(f'{$end - $start:.2f}')")
  pass=$(sed -n 's/.*pass over its share: \([0-9.]*\) s.*/\1/p' "$BENCH_DIR/err.txt" | sort -g | tail -1)
  gather=$(sed -n 's/.*gathered \([0-9]*\) bytes.*, \([0-9.]*\) s adding.*/\2 s, \1 B/p' "$BENCH_DIR/err.txt")
  pack=$(sed -n 's/.*packed [0-9]* bytes: \([0-9.]*\) s.*/\1/p' "$BENCH_DIR/err.txt" | sort -g | tail -1)
  same=-
  if [ "$np" != plain ]; then
    same=$(/usr/bin/python3 bench/../tests/mpi/compare_runs.py --results-only "$BENCH_DIR/run-plain.h5" "$store" | tail -1 | grep -o 'identical\|DIFFERENT')
  fi
  printf "%-6s %8s %10s %11s %11s %24s %s\n" "$np" "$wall" "$(/usr/bin/python3 -c "print(int($rows / $wall))")" "${pass:--}" "${pack:--}" "${gather:--}" "$same"
  if [ -n "${BENCH_SHOW:-}" ]; then grep '^avf: rank' "$BENCH_DIR/err.txt" >&2 || true; fi
  stores+=("$store")
done
