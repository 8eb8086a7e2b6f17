#!/usr/bin/env bash
# make bench: avf against GEOS 3.11, PostGIS 3.3 and the parse floor, on the same files, side by
# side (docs/benchmarks.md explains the contenders, Q1 and Q2, and records the figures).
#
#   make bench                                   # 10^5, 10^6, 10^7 rows, 1 and 2 threads
#   BENCH_MAX=1e8 make bench                     # also 10^8 (avf and the floor only; 8.5 GB of CSV)
#   BENCH_SIZES="1e5 1e6" make bench             # choose the sizes
#
# Knobs (environment):
#   BENCH_SIZES        sizes to run (default "1e5 1e6 1e7", plus BENCH_MAX when it is larger)
#   BENCH_THREADS      thread counts (default "1 2")
#   BENCH_GEOS_MAX     largest size the GEOS baseline runs at (default 1e7)
#   BENCH_POSTGIS_MAX  largest size PostGIS runs at (default 1e7; 0 = skip PostGIS)
#   BENCH_COMPLEX      zone vertex counts for the complexity runs (default "1e4 1e5"; "" = skip)
#   BENCH_COMPLEX_ROWS rows for the complexity runs (default 1e6)
#   BENCH_GRID_POINTS  random points per zone set for the fast-vs-plain zone test (default 1e6; 0 = skip)
#   BENCH_DECL_ROWS    rows for the run with and without declarations (default 3e5; 0 = skip)
#   BENCH_DIR          where the data, stores and results go (default /tmp/avf-bench)
#   BENCH_BUILD        build directory (default build-bench, Release)
#   BENCH_KEEP_DATA    1 = keep the generated CSVs (they are reused when present and seeded alike)
#   BENCH_SEED         generator seed (default 2027)
#   BENCH_STANDOFF_ROWS rows for the standoff rules' per-detection cost (step 6; default 1e6; 0 = skip)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BENCH_MAX=${BENCH_MAX:-1e7}
BENCH_SIZES=${BENCH_SIZES-"1e5 1e6 1e7"}
BENCH_THREADS=${BENCH_THREADS:-"1 2"}
BENCH_GEOS_MAX=${BENCH_GEOS_MAX:-1e7}
BENCH_POSTGIS_MAX=${BENCH_POSTGIS_MAX:-1e7}
BENCH_COMPLEX=${BENCH_COMPLEX-"1e4 1e5"}
BENCH_COMPLEX_ROWS=${BENCH_COMPLEX_ROWS:-1e6}
BENCH_GRID_POINTS=${BENCH_GRID_POINTS:-1e6}
BENCH_DECL_ROWS=${BENCH_DECL_ROWS:-3e5}
BENCH_DIR=${BENCH_DIR:-/tmp/avf-bench}
BENCH_BUILD=${BENCH_BUILD:-build-bench}
BENCH_KEEP_DATA=${BENCH_KEEP_DATA:-0}
BENCH_SEED=${BENCH_SEED:-2027}

num() { python3 -c "print(int(float('$1')))"; }
le() { [ "$(num "$1")" -le "$(num "$2")" ]; }
if [ "$(num "$BENCH_MAX")" -gt 10000000 ] && ! [[ " $BENCH_SIZES " == *" $BENCH_MAX "* ]]; then
  BENCH_SIZES="$BENCH_SIZES $BENCH_MAX"
fi

log() { echo "bench: $*" >&2; }

# 1. Packages, build.
bash scripts/install-deps.sh
bash bench/install-deps.sh
grid_test=()
if [ "$(num "$BENCH_GRID_POINTS")" -gt 0 ]; then grid_test=(test_geo); fi
log "building in $BENCH_BUILD (Release)"
cmake -S . -B "$BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release -DAVF_BUILD_BENCH=ON -DAVF_WERROR=OFF \
  -DAVF_BUILD_TESTS="$([ ${#grid_test[@]} -gt 0 ] && echo ON || echo OFF)" >/dev/null
cmake --build "$BENCH_BUILD" -j "$(nproc)" --target avf avf_bench_gen avf_bench_geos avf_bench_parse "${grid_test[@]}" >/dev/null
AVF=$ROOT/$BENCH_BUILD/cli/avf
GEN=$ROOT/$BENCH_BUILD/bench/avf_bench_gen
GEOS=$ROOT/$BENCH_BUILD/bench/avf_bench_geos
PARSE=$ROOT/$BENCH_BUILD/bench/avf_bench_parse

mkdir -p "$BENCH_DIR/tmp"
chmod 755 "$BENCH_DIR"
RESULTS=$BENCH_DIR/results.tsv
: >"$RESULTS"
: >"$BENCH_DIR/stores.tsv"
REGIME=$ROOT/bench/regime.toml
ZONES=("$ROOT/datasets/korea/zones.geojson" "$ROOT/datasets/baltic/zones.geojson")
LINES=("$ROOT/datasets/korea/lines.geojson" "$ROOT/datasets/baltic/lines.geojson")
ARTILLERY="artillery,2S19,K9,M-1978 Koksan,D-30"   # bench/regime.toml's [classes]
MLRS="mlrs,BM-30,BM-21,K239,KN-09"

{
  commit=$(git rev-parse --short=12 HEAD 2>/dev/null || cat COMMIT 2>/dev/null || echo unknown)
  if git rev-parse HEAD >/dev/null 2>&1 && ! git diff --quiet HEAD -- . ':!bench'; then commit="$commit (tree has uncommitted changes)"; fi
  echo "date: $(date -u +%FT%TZ)   commit: $commit"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; ram: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$BENCH_DIR/machine.txt" >&2

# The zones store every avf run starts from (a copy per run: runs add findings to the store).
import_store() { # STORE SET ZONES... -- LINES...
  local store=$1 set=$2; shift 2
  rm -rf "$store" "$store.d" # the store file and its member files (schema 5: <store>.d/)
  local files=()
  for a in "$@"; do [ "$a" = "--" ] || files+=("$a"); done
  "$AVF" zones import "${files[@]}" --store "$store" --set "$set" >/dev/null
}
import_store "$BENCH_DIR/zones.h5" bench "${ZONES[@]}" -- "${LINES[@]}"

csv_for() { echo "$BENCH_DIR/detections-$1-seed$BENCH_SEED.csv"; }
generate() {
  local size=$1 csv
  csv=$(csv_for "$size")
  if [ ! -s "$csv" ]; then
    log "generating $(num "$size") rows → $csv"
    "$GEN" --rows "$(num "$size")" --seed "$BENCH_SEED" --out "$csv.part" "${LINES[@]}"
    mv "$csv.part" "$csv"
  fi
}

# measure NAME SIZE THREADS CMD... : runs CMD under /usr/bin/time -v, appends a row to results.tsv.
# The command prints key=value pairs (rows, q1_pairs, q2_artillery, q2_mlrs; avf's JSON summary is
# converted) on stdout.
measure() {
  local name=$1 size=$2 threads=$3; shift 3
  local out=$BENCH_DIR/out.txt tv=$BENCH_DIR/time.txt load
  load=$(cut -d' ' -f1 /proc/loadavg)
  log "$name  rows=$(num "$size")  threads=$threads  (load $load)"
  if ! /usr/bin/time -v -o "$tv" "$@" >"$out" 2>"$BENCH_DIR/err.txt"; then
    log "$name failed:"; cat "$BENCH_DIR/err.txt" >&2; return 1
  fi
  python3 - "$name" "$(num "$size")" "$threads" "$load" "$out" "$tv" >>"$RESULTS" <<'PY'
import json, re, sys
name, size, threads, load, out, tv = sys.argv[1:]
text = open(out).read()
kv = {}
if text.lstrip().startswith("{"):                  # avf run --json
    j = json.loads(text)
    kv["rows"] = sum(i["evaluated"] for i in j["inputs"] if "role" not in i)  # detections (declarations have a role)
    by_rule = {s["rule"]: s["findings"] for s in j["summary"] if s["kind"] == "violation"}
    kv["q1_pairs"] = by_rule.get("q1-zones", 0)
    kv["q2_artillery"] = by_rule.get("q2-artillery-50km", 0)
    kv["q2_mlrs"] = by_rule.get("q2-mlrs-70km", 0)
else:
    kv = dict(re.findall(r"(\w+)=(\S+)", text))
t = open(tv).read()
def grab(pat):
    m = re.search(pat, t)
    return m.group(1) if m else ""
wall = grab(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
parts = [float(p) for p in wall.split(":")]
secs = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
cpu = float(grab(r"User time \(seconds\): (\S+)")) + float(grab(r"System time \(seconds\): (\S+)"))
if "cpu_s" in kv:          # PostGIS (the server's work), the store floor: timed inside the script
    secs, cpu = float(kv["seconds"]), float(kv["cpu_s"])
rss = int(grab(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024
rows = int(kv.get("rows", size))
print("\t".join(str(x) for x in [size, name, threads, rows, f"{secs:.2f}", f"{cpu:.2f}", f"{rows / secs:.0f}",
      "" if "cpu_s" in kv else f"{rss:.0f}", kv.get("q1_pairs", ""), kv.get("q2_artillery", ""), kv.get("q2_mlrs", ""), load]))
PY
  tail -1 "$RESULTS" | cut -f1-11 | tr '\t' ' ' | sed 's/^/bench:   /' >&2
}

# store_bytes SIZE THREADS LABEL BASE_STORE: what the run just measured stored (issue 18 targets), a row of
# stores.tsv: size label threads findings canonical_bytes disk_bytes run_disk_bytes.
# canonical = rows x row size of the tables that grow with the findings (findings, evidence; the
# explanations heap of schema 1-3), before shuffle and deflate; disk = the store file plus every
# member file it links (the run's and the zone set's), the whole store on disk; run_disk = the run's
# member file plus what the store file grew by.
store_bytes() {
  /usr/bin/python3 - "$1" "$3" "$2" "$BENCH_DIR/run.h5" "$4" >>"$BENCH_DIR/stores.tsv" <<'PY'
import os, sys
import h5py
size, label, threads, store, base = sys.argv[1:]
with h5py.File(store, "r") as f:
    runs = f["runs"]
    rid = sorted(runs.keys())[-1]
    run = runs[rid]
    findings = run["findings"].shape[0]
    canonical = sum(run[n].shape[0] * run[n].dtype.itemsize for n in ("findings", "evidence", "explanations") if n in run)
    files = {os.path.realpath(store)}
    for kind in ("zones", "runs"):
        for name in f[kind]:
            link = f[kind].get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                files.add(os.path.realpath(os.path.join(os.path.dirname(store), link.filename)))
            if kind == "runs" and name == rid and isinstance(link, h5py.ExternalLink):
                run_file = os.path.realpath(os.path.join(os.path.dirname(store), link.filename))
disk = sum(os.path.getsize(p) for p in files)
run_disk = os.path.getsize(run_file) + os.path.getsize(store) - os.path.getsize(base)
print("\t".join(str(x) for x in [size, label, threads, findings, canonical, disk, run_disk]))
PY
}

run_avf() { # SIZE THREADS [STORE] [LABEL] [AVF RUN ARGS...]   (AVF_REGIME: another regime file)
  local size=$1 threads=$2 store=${3:-$BENCH_DIR/zones.h5} label=${4:-avf}
  shift $(($# < 4 ? $# : 4))
  # The store file only: its links name the zone set's member file beside it (zones.h5.d/), and
  # the run's own member file goes to run.h5.d/.
  rm -rf "$BENCH_DIR/run.h5" "$BENCH_DIR/run.h5.d"
  cp "$store" "$BENCH_DIR/run.h5"
  measure "$label" "$size" "$threads" "$AVF" run --regime "${AVF_REGIME:-$REGIME}" --store "$BENCH_DIR/run.h5" --detections "$(csv_for "$size")" \
    --threads "$threads" --temp-dir "$BENCH_DIR/tmp" --quiet --json --top 0 "$@"
  store_bytes "$(num "$size")" "$threads" "$label" "$store"
  # The store's write floor, once per size (the stored bytes are the same for every thread count):
  # shuffle + deflate + SHA-256 of what this run stored, nothing else (bench/store_floor.py).
  if [ "$label" = avf ] && ! grep -q "^$(num "$size")	store-floor	" "$RESULTS"; then
    measure store-floor "$size" 1 /usr/bin/python3 bench/store_floor.py "$BENCH_DIR/run.h5" # Debian's, with python3-h5py
  fi
  rm -rf "$BENCH_DIR/run.h5" "$BENCH_DIR/run.h5.d"
}
run_geos() { # SIZE THREADS [ZONES...]
  local size=$1 threads=$2; shift 2
  local zones=("${ZONES[@]}") label=geos
  if [ $# -gt 0 ]; then zones=("$@"); label=${GEOS_LABEL:-geos}; fi
  local args=()
  for z in "${zones[@]}"; do args+=(--zones "$z"); done
  for l in "${LINES[@]}"; do args+=(--lines "$l"); done
  measure "$label" "$size" "$threads" "$GEOS" --detections "$(csv_for "$size")" "${args[@]}" --threads "$threads" \
    --artillery "$ARTILLERY" --mlrs "$MLRS" --artillery-km 50 --mlrs-km 70
}
run_floor() {
  measure floor "$1" "$2" "$PARSE" --regime "$REGIME" --detections "$(csv_for "$1")" --threads "$2"
}
run_postgis() { # SIZE WORKERS (max_parallel_workers_per_gather; 1 = two processes)
  measure postgis "$1" "$(($2 + 1))" bash bench/postgis.sh "$(csv_for "$1")" "$BENCH_DIR" "$2" "${ZONES[@]}" -- "${LINES[@]}"
}

# 2. Sizes × threads.
for size in $BENCH_SIZES; do
  generate "$size"
  for t in $BENCH_THREADS; do
    run_floor "$size" "$t"
    run_avf "$size" "$t"
    if le "$size" "$BENCH_GEOS_MAX"; then run_geos "$size" "$t"; fi
  done
  if [ "$(num "$BENCH_POSTGIS_MAX")" -gt 0 ] && le "$size" "$BENCH_POSTGIS_MAX"; then run_postgis "$size" 1; fi
  if [ "$BENCH_KEEP_DATA" != 1 ] && [ "$(num "$size")" -ne "$(num "$BENCH_COMPLEX_ROWS")" ]; then rm -f "$(csv_for "$size")"; fi
done

# 3. Zone complexity: the same zones densified to N vertices each (same shapes), Q1 + Q2 again.
if [ -n "$BENCH_COMPLEX" ]; then
  generate "$BENCH_COMPLEX_ROWS"
  for v in $BENCH_COMPLEX; do
    dz=()
    for z in "${ZONES[@]}"; do
      out="$BENCH_DIR/$(basename "$(dirname "$z")")-zones-$(num "$v").geojson"
      python3 bench/densify.py "$z" "$v" >"$out"
      dz+=("$out")
    done
    import_store "$BENCH_DIR/zones-$v.h5" "bench-$v" "${dz[@]}" -- "${LINES[@]}"
    for t in $BENCH_THREADS; do
      run_avf "$BENCH_COMPLEX_ROWS" "$t" "$BENCH_DIR/zones-$v.h5" "avf@$(num "$v")v"
      GEOS_LABEL="geos@$(num "$v")v" run_geos "$BENCH_COMPLEX_ROWS" "$t" "${dz[@]}"
    done
  done
  [ "$BENCH_KEEP_DATA" = 1 ] || rm -f "$(csv_for "$BENCH_COMPLEX_ROWS")"
fi

# 4. Declarations at scale (issue 18 item 7): the same run with and without declarations — Q1 + Q2
# plus declaration_match and notification (bench/declarations.toml), over declarations covering
# the rows (bench/gen_declarations.py: per party, class and 2° cell). Without them the two rules
# only report that nothing could be matched; with them they de-duplicate, match and allocate.
if [ "$(num "$BENCH_DECL_ROWS")" -gt 0 ]; then
  generate "$BENCH_DECL_ROWS"
  decl_csv=$BENCH_DIR/declarations-$(num "$BENCH_DECL_ROWS")-seed$BENCH_SEED.csv
  /usr/bin/python3 bench/gen_declarations.py "$(csv_for "$BENCH_DECL_ROWS")" "$REGIME" "$decl_csv" --seed "$BENCH_SEED" --cell-deg 2
  cat "$REGIME" bench/declarations.toml >"$BENCH_DIR/regime-declarations.toml"
  AVF_REGIME=$BENCH_DIR/regime-declarations.toml run_avf "$BENCH_DECL_ROWS" 1 "$BENCH_DIR/zones.h5" "avf-nodecl@decl"
  AVF_REGIME=$BENCH_DIR/regime-declarations.toml run_avf "$BENCH_DECL_ROWS" 1 "$BENCH_DIR/zones.h5" "avf-decl@decl" --declarations "$decl_csv"
  [ "$BENCH_KEEP_DATA" = 1 ] || rm -f "$(csv_for "$BENCH_DECL_ROWS")" "$decl_csv"
fi

# 5. The fast zone index against the plain Boost.Geometry predicate, BENCH_GRID_POINTS random
# points per demo zone set plus every vertex and edge case (tests/geo/test_zone_grid.cpp).
if [ "$(num "$BENCH_GRID_POINTS")" -gt 0 ]; then
  log "zone grid vs plain predicate: $(num "$BENCH_GRID_POINTS") random points per demo zone set"
  start=$(date +%s)
  (cd "$ROOT" && AVF_GRID_POINTS=$(num "$BENCH_GRID_POINTS") "$BENCH_BUILD/tests/geo/test_geo" "[zone_grid][demo]" >"$BENCH_DIR/grid.txt" 2>&1) \
    && grid="agree ($(tail -2 "$BENCH_DIR/grid.txt" | tr -s ' \n' ' '), $(($(date +%s) - start)) s)" \
    || grid="DISAGREE: see $BENCH_DIR/grid.txt"
  echo "zone grid vs plain predicate, $(num "$BENCH_GRID_POINTS") random points per set: $grid" >>"$BENCH_DIR/machine.txt"
fi
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_DIR/machine.txt"

# 6. The table.
python3 bench/table.py "$RESULTS" "$BENCH_DIR/machine.txt" "$BENCH_DIR/stores.tsv"

# 6. The standoff rules' cost per detection (issue 18 item 4), Q2 alone, non-flagged and flagged
# detections apart (bench/standoff_decision.cpp), on the demo lines and on them in 100 m pieces.
# BENCH_STANDOFF_ROWS rows (default 1e6; 0 = skip).
BENCH_STANDOFF_ROWS=${BENCH_STANDOFF_ROWS:-1e6}
if [ "$(num "$BENCH_STANDOFF_ROWS")" -gt 0 ]; then
  cmake --build "$BENCH_BUILD" -j "$(nproc)" --target avf_bench_standoff >/dev/null
  generate "$BENCH_STANDOFF_ROWS"
  for densify in 0 100; do
    log "standoff decision, $(num "$BENCH_STANDOFF_ROWS") rows, lines densified to ${densify} m (0 = as given)"
    "$ROOT/$BENCH_BUILD/bench/avf_bench_standoff" --regime "$ROOT/bench/regime-q2.toml" --detections "$(csv_for "$BENCH_STANDOFF_ROWS")" \
      --lines "${LINES[0]}" --lines "${LINES[1]}" --densify "$densify" --repeat 3 | sed "s/^/standoff densify=$densify: /" | tee -a "$BENCH_DIR/machine.txt"
  done
  [ "$BENCH_KEEP_DATA" = 1 ] || rm -f "$(csv_for "$BENCH_STANDOFF_ROWS")"
fi
