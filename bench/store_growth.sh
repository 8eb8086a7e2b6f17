#!/bin/sh
# Adding a run to a small store and to a large one (issue 18, decision 5; docs/benchmarks.md,
# "Adding a run to a large store"). Not part of make test: it writes STORE_GB gigabytes twice.
#
#   bench/store_growth.sh                                  # this build (member files, schema 5)
#   OLD_AVF=/work/main/build/cli/avf bench/store_growth.sh # and a schema-4 build, copy-on-write
#   RAISE=0 bench/store_growth.sh                          # skip the old store raised by this build
#
# The large store holds one real run (the demo detections repeated BIG_COPIES times, as
# tests/reliability/workload.cpp repeats them) and, to reach STORE_GB, copies of that run's member
# file linked under new run ids (not in the chain: a writer never reads runs, so the copies cost
# what real runs of the same bytes would; `audit verify` would call them out). For the schema-4
# build the same store is packed into one file (avf store pack) and marked schema 4, which is the
# file it would have written. Each timing is `avf run` of the 868 demo detections, wall seconds
# of the whole process (/usr/bin/time), ADDS times in a row, into the same store.
set -eu
cd "$(dirname "$0")/.."
AVF=${AVF:-build/cli/avf}
OLD_AVF=${OLD_AVF:-}
DIR=${BENCH_DIR:-build/bench-store}
STORE_GB=${STORE_GB:-5}
BIG_COPIES=${BIG_COPIES:-2000}
ADDS=${ADDS:-3}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
ZONES="datasets/korea/zones.geojson datasets/korea/lines.geojson datasets/baltic/zones.geojson datasets/baltic/lines.geojson datasets/mission/zones.geojson"
log() { echo "store-growth: $*" >&2; }

# The big run's detections: the demo rows repeated, ids suffixed, times shifted by 31 days a copy.
BIG_CSV=$DIR/demo-x$BIG_COPIES.csv
if [ ! -s "$BIG_CSV" ]; then
  /usr/bin/python3 - "$BIG_COPIES" "$BIG_CSV" <<'PY'
import csv, datetime, sys
copies, out = int(sys.argv[1]), sys.argv[2]
rows = list(csv.reader(open("datasets/demo/detections.csv", newline="")))
head, body = rows[0], rows[1:]
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(head)
    for k in range(copies):
        for r in body:
            r = list(r)
            r[0] = f"{r[0]}-{k}"
            t = datetime.datetime.strptime(r[1], "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(days=31 * k)
            r[1] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
            w.writerow(r)
PY
fi

run_small() { # AVF STORE -> wall seconds of one avf run of the demo detections
  /usr/bin/time -f %e -o "$DIR/time.txt" "$1" run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv \
    --store "$2" --quiet --top 0 >/dev/null 2>"$DIR/err.txt" || { cat "$DIR/err.txt" >&2; exit 1; }
  cat "$DIR/time.txt"
}
adds() { # LABEL AVF STORE
  times=""
  for _ in $(seq "$ADDS"); do times="$times $(run_small "$2" "$3")"; done
  bytes=$(du -sb "$3" | cut -f1)
  members=$( [ -d "$3.d" ] && du -sb "$3.d" | cut -f1 || echo 0)
  printf '%s\t%s\t%s\t%s\n' "$1" "$bytes" "$members" "$times" | tee -a "$DIR/results.tsv"
}
: >"$DIR/results.tsv"
printf 'store\tstore file bytes\tmember bytes\tavf run wall s (each add)\n' | tee -a "$DIR/results.tsv"

# ---- this build: member files
rm -rf "$DIR/empty.h5" "$DIR/empty.h5.d" "$DIR/big.h5" "$DIR/big.h5.d"
"$AVF" zones import $ZONES --store "$DIR/empty.h5" --set demo >/dev/null
adds "schema 5, zones only" "$AVF" "$DIR/empty.h5"
"$AVF" zones import $ZONES --store "$DIR/big.h5" --set demo >/dev/null
log "the real big run ($BIG_COPIES × 868 detections)"
"$AVF" run --regime datasets/demo/regime.toml --detections "$BIG_CSV" --store "$DIR/big.h5" --quiet --top 0 >/dev/null
/usr/bin/python3 - "$DIR/big.h5" "$STORE_GB" <<'PY'
import os, shutil, sys
import h5py
store, gb = sys.argv[1], float(sys.argv[2])
runs = os.path.join(store + ".d", "runs")
real = [n for n in os.listdir(runs) if n.endswith(".h5")][0]
size = os.path.getsize(os.path.join(runs, real))
copies = max(0, int(gb * 1e9 / size) - 1)
with h5py.File(store, "r+") as f:
    for k in range(copies):
        name = f"pad-{k:05d}"
        shutil.copyfile(os.path.join(runs, real), os.path.join(runs, name + ".h5"))
        f["runs"][name] = h5py.ExternalLink(f"{os.path.basename(store)}.d/runs/{name}.h5", "/")
print(f"store-growth: {copies} copies of {real} ({size} bytes)", file=sys.stderr)
PY
sync
adds "schema 5, ${STORE_GB} GB of runs" "$AVF" "$DIR/big.h5"

# ---- an old store raised by this build: the same 5 GB as one file of schema 4 (inline runs). Its
# first write moves every inline run and zone set to a member file (docs/store-format.md §9); the
# adds after it must cost what they cost on the schema-5 store above.
if [ "${RAISE:-1}" = 1 ]; then
  rm -rf "$DIR/raised.h5" "$DIR/raised.h5.d"
  "$AVF" store pack "$DIR/big.h5" -o "$DIR/raised.h5" >/dev/null
  /usr/bin/python3 -c 'import h5py, numpy, sys; f = h5py.File(sys.argv[1], "r+"); f.attrs["schema_version"] = numpy.int32(4)' "$DIR/raised.h5"
  sync
  log "the first write of the schema-4 store ($(du -sb "$DIR/raised.h5" | cut -f1) bytes): moves its runs out"
  first=$(run_small "$AVF" "$DIR/raised.h5")
  printf '%s\t%s\t%s\t%s\n' "schema 4 raised by this build: first write (the move)" "$(du -sb "$DIR/raised.h5" | cut -f1)" \
    "$(du -sb "$DIR/raised.h5.d" | cut -f1)" "$first" | tee -a "$DIR/results.tsv"
  sync
  adds "schema 4 raised by this build: the writes after it" "$AVF" "$DIR/raised.h5"
  "$AVF" audit verify "$DIR/raised.h5" >/dev/null 2>&1 && log "raised store: audit verify ok" || log "raised store: audit verify FAILED (exit $?; the pad runs are not in the chain)"
  rm -rf "$DIR/raised.h5" "$DIR/raised.h5.d"
fi

# ---- a schema-4 build: the same stores as single files, copied on every write
if [ -n "$OLD_AVF" ]; then
  rm -rf "$DIR/old-empty.h5" "$DIR/old-big.h5"
  "$OLD_AVF" zones import $ZONES --store "$DIR/old-empty.h5" --set demo >/dev/null
  adds "schema 4 ($("$OLD_AVF" --version)), zones only" "$OLD_AVF" "$DIR/old-empty.h5"
  "$AVF" store pack "$DIR/big.h5" -o "$DIR/old-big.h5" >/dev/null
  /usr/bin/python3 -c 'import h5py, numpy, sys; f = h5py.File(sys.argv[1], "r+"); f.attrs["schema_version"] = numpy.int32(4)' "$DIR/old-big.h5"
  sync
  adds "schema 4, ${STORE_GB} GB of runs (one file)" "$OLD_AVF" "$DIR/old-big.h5"
fi
log "results: $DIR/results.tsv"
