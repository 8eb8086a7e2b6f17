#!/usr/bin/env bash
# `mpirun -np N avf run` against the plain `avf run` (issue 21; docs/mpi.md), one case per call:
#
#   tests/mpi/mpi_runs.sh AVF MPIRUN demo           the demo's run (scripts/demo.sh), -np 1, 2, 4
#   tests/mpi/mpi_runs.sh AVF MPIRUN scenario NAME  tests/scenarios/NAME, -np 2 and 4
#   tests/mpi/mpi_runs.sh AVF MPIRUN quoted         bad records, quoted newlines, stray quotes: -np 2, 3, 4
#   tests/mpi/mpi_runs.sh AVF MPIRUN fallback       a share ending inside a record: rank 0 alone, same results
#   tests/mpi/mpi_runs.sh AVF MPIRUN unpinned       the demo at the real clock, -np 2: same results
#   tests/mpi/mpi_runs.sh AVF MPIRUN faults         a rank's I/O error, a rank killed (kill -9)
#
# Each run goes into a copy of one store holding the zone set; with AVF_TEST_RUN_CLOCK pinning the
# run's times, the commit record, content digest and chain row of every distributed run must be
# those of the plain run, byte for byte (compare_runs.py), and `avf audit verify` must pass. A
# fault must end the job with a non-zero exit, name the rank, path and cause, and leave the store
# byte-identical.
set -euo pipefail
AVF=$(realpath "$1")
MPIRUN=$2
CASE=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

mpi=("$MPIRUN" --oversubscribe)
[ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)
export AVF_TEST_RUN_CLOCK=2027-05-01T12:00:00Z

fresh() { # fresh NAME: a copy of the base store
    rm -rf "$work/$1.h5" "$work/$1.h5.d"
    cp -a "$work/base.h5" "$work/$1.h5"
    cp -a "$work/base.h5.d" "$work/$1.h5.d"
}

store_state() { # what must not change when a run fails: every file of the store, with its bytes
    (cd "$work" && find "$1.h5" "$1.h5.d" -type f ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum)
}

compare() { # compare NPS...: plain run vs the distributed ones, with run_args set
    fresh plain
    "$AVF" "${run_args[@]}" --store "$work/plain.h5" >"$work/plain.out" 2>&1 || { cat "$work/plain.out"; exit 1; }
    stores=("$work/plain.h5")
    for np in "$@"; do
        fresh "np$np"
        if ! "${mpi[@]}" -np "$np" "$AVF" "${run_args[@]}" --store "$work/np$np.h5" >"$work/np$np.out" 2>&1; then
            echo "mpirun -np $np failed:"; cat "$work/np$np.out"; exit 1
        fi
        "$AVF" audit verify --store "$work/np$np.h5" >/dev/null || { echo "audit verify failed after -np $np"; exit 1; }
        stores+=("$work/np$np.h5")
    done
    $PY "$here/compare_runs.py" "${stores[@]}"
}

base_demo() {
    "$AVF" zones import datasets/korea/zones.geojson datasets/korea/lines.geojson datasets/baltic/zones.geojson datasets/baltic/lines.geojson \
        datasets/mission/zones.geojson --store "$work/base.h5" --set demo-2027 >/dev/null 2>&1
    run_args=(run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv datasets/demo/exercise_detections.csv
        --declarations datasets/demo/declarations.csv --from 2027-03-01 --to 2027-04-01 --quiet
        --imagery datasets/mission/images.json --tracks datasets/mission/tracks.csv datasets/korea/aircraft_tracks.csv
        --routes datasets/mission/route.geojson --threads 2 --top 0)
}

case "$CASE" in
demo)
    base_demo
    compare 1 2 4
    ;;
unpinned)
    base_demo
    unset AVF_TEST_RUN_CLOCK
    fresh plain
    "$AVF" "${run_args[@]}" --store "$work/plain.h5" >/dev/null 2>&1
    fresh np2
    "${mpi[@]}" -np 2 "$AVF" "${run_args[@]}" --store "$work/np2.h5" >/dev/null 2>&1
    $PY "$here/compare_runs.py" --results-only "$work/plain.h5" "$work/np2.h5"
    ;;
scenario)
    dir="tests/scenarios/$4"
    "$AVF" zones import "$dir/zones.geojson" --store "$work/base.h5" --set scenario >/dev/null 2>&1
    run_args=(run --regime "$dir/regime.toml" --threads 2 --top 0 --quiet)
    [ -f "$dir/detections.csv" ] && run_args+=(--detections "$dir/detections.csv")
    [ -f "$dir/declarations.csv" ] && run_args+=(--declarations "$dir/declarations.csv")
    [ -f "$dir/reports.csv" ] && run_args+=(--reports "$dir/reports.csv" --gazetteer "$dir/gazetteer.geojson")
    [ -f "$dir/images.json" ] && run_args+=(--imagery "$dir/images.json")
    [ -f "$dir/tracks.csv" ] && run_args+=(--tracks "$dir/tracks.csv")
    [ -f "$dir/route.geojson" ] && run_args+=(--routes "$dir/route.geojson")
    while IFS='=' read -r k v; do
        v=$(echo "$v" | tr -d ' "')
        case "$(echo "$k" | tr -d ' ')" in from) run_args+=(--from "$v") ;; to) run_args+=(--to "$v") ;; esac
    done <"$dir/scenario.toml"
    compare 2 4
    ;;
quoted)
    # The bad-records scenario's rows 60 times over with unique ids (no repeated id, so the shares
    # stand), plus records with a quoted newline and with a stray quote: the cuts must land on
    # record boundaries and every problem keep its line.
    dir=tests/scenarios/bad-records
    "$AVF" zones import "$dir/zones.geojson" --store "$work/base.h5" --set scenario >/dev/null 2>&1
    $PY - "$dir/detections.csv" "$work/detections.csv" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
out = [rows[0]]
for i in range(60):
    for r in rows[1:9] + rows[10:]:
        out.append(f"{r.split(',', 1)[0]}-{i}," + r.split(",", 1)[1])
    out.append(f'quoted-{i},2027-03-04T10:00:00Z,127.5,38.5,troops,3,0.9,imagery,0,PRK,"IMG\n{i}, with a comma",')
    if i % 7 == 3:
        out.append(f'stray-{i},2027-03-04T10:00:00Z,127.5,38.5,tro"ops,3,0.9,imagery,0,PRK,IMG-1,')
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
    run_args=(run --regime "$dir/regime.toml" --detections "$work/detections.csv" --threads 2 --top 0 --quiet --block-bytes 4096)
    compare 2 3 4
    ;;
fallback)
    # A stray quote, then a quoted field with a newline placed so that the cut of -np 2 falls on
    # that newline: the quotes before it are even (the stray one does not open a field), so the cut
    # is kept, rank 0's share ends inside the record, and rank 0 evaluates every detection alone —
    # the results must still be the plain run's.
    dir=tests/scenarios/bad-records
    "$AVF" zones import "$dir/zones.geojson" --store "$work/base.h5" --set scenario >/dev/null 2>&1
    $PY - "$work/detections.csv" <<'PY'
import sys
head = "id,time,lon,lat,class,count,confidence,source,uncertainty_m,party,source_record,model\n"
row = lambda i, note="IMG-1": f"p{i},2027-03-04T10:00:00Z,127.5,38.5,troops,3,0.9,imagery,0,PRK,{note},\n"
prefix = "".join(row(i) for i in range(40))
stray = 'stray,2027-03-04T10:00:00Z,127.5,38.5,tro"ops,3,0.9,imagery,0,PRK,IMG-1,\n'
q1 = 'quoted,2027-03-04T10:00:00Z,127.5,38.5,troops,3,0.9,imagery,0,PRK,"IMG'
q = q1 + '\n2, continued",\n'
want = len(prefix) + len(stray) - len(q) + len(q1)  # bytes after the quoted record: its first line holds the middle
suffix = "".join(row(100 + i) for i in range(38))
suffix += row(999, "X" * (want - len(suffix) - len(row(999, ""))))
assert len(suffix) == want
open(sys.argv[1], "w").write(head + prefix + stray + q + suffix)
PY
    run_args=(run --regime "$dir/regime.toml" --detections "$work/detections.csv" --threads 2 --top 0 --quiet)
    compare 2
    grep -q "rank 0 evaluates every detection itself" "$work/np2.out" || { echo "no fallback: the cut was not where this test means it"; cat "$work/np2.out"; exit 1; }
    ;;
faults)
    base_demo
    fresh f
    before=$(store_state f)
    fails=0
    for fault in AVF_TEST_MPI_FAIL_RANK AVF_TEST_MPI_KILL_RANK; do
        for np in 2 4; do
            rank=$((np - 1))
            set +e
            env "$fault=$rank" "${mpi[@]}" -np "$np" "$AVF" "${run_args[@]}" --store "$work/f.h5" >"$work/fault.out" 2>&1
            code=$?
            set -e
            after=$(store_state f)
            named=yes
            if [ "$fault" = AVF_TEST_MPI_FAIL_RANK ] && ! grep -q "rank $rank of $np: error: datasets/demo/detections.csv.*injected I/O error" "$work/fault.out"; then
                named=no
            fi
            if [ "$fault" = AVF_TEST_MPI_KILL_RANK ] && ! grep -qi "signal 9\|killed" "$work/fault.out"; then named=no; fi
            same=$([ "$before" = "$after" ] && echo unchanged || echo CHANGED)
            echo "$fault=$rank, -np $np: exit $code, message naming rank/path/cause: $named, store $same"
            if [ "$code" -eq 0 ] || [ "$named" = no ] || [ "$same" != unchanged ]; then
                fails=$((fails + 1))
                cat "$work/fault.out"
            fi
        done
    done
    # The store is still usable: a clean distributed run commits after the failed ones.
    "${mpi[@]}" -np 2 "$AVF" "${run_args[@]}" --store "$work/f.h5" >/dev/null 2>&1
    "$AVF" audit verify --store "$work/f.h5" >/dev/null
    [ "$fails" -eq 0 ]
    ;;
*)
    echo "mpi_runs.sh: unknown case '$CASE'" >&2
    exit 2
    ;;
esac
