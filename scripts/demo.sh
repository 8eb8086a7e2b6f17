#!/usr/bin/env bash
# The main job on the bundled dataset (make demo): import the demo zones and lines into a fresh
# store, check the regime against them, run the compliance check over the demo detections, list
# the top findings and export them for QGIS.
#
# Installed as bin/avf-demo (cmake --install, the .deb): it then runs the installed avf on the
# datasets in share/avf and writes into ./avf-demo (AVF_DEMO_DIR). Both ways the commands name the
# datasets relative to the folder that holds datasets/, so the stores record the same sources.
#   scripts/demo.sh [AVF]      (make demo)        avf-demo [AVF]      (installed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -d "$here/../share/avf/datasets" ]; then
    AVF=$(realpath -m "${1:-$here/avf}")
    OUT=$(realpath -m "${AVF_DEMO_DIR:-avf-demo}")
    cd "$here/../share/avf"
else
    AVF=${1:-build/cli/avf}
    cd "$here/.."
    OUT=${AVF_DEMO_DIR:-build/demo}
fi
mkdir -p "$OUT"
STORE="$OUT/demo.h5"
rm -rf "$STORE" "$STORE.d" # the store file and its member files (docs/store-format.md §7a)

echo "== avf zones import (Korean DMZ and Baltic borders, Natural Earth; mission observation areas) =="
"$AVF" zones import datasets/korea/zones.geojson datasets/korea/lines.geojson \
    datasets/baltic/zones.geojson datasets/baltic/lines.geojson \
    datasets/mission/zones.geojson \
    --store "$STORE" --set demo-2027

echo
echo "== avf regime check =="
"$AVF" regime check datasets/demo/regime.toml --store "$STORE"

echo
echo "== avf run (detections, the Open Skies-style mission OS7012: imagery, track, route; aircraft near the MDL; monitoring-mission reports) =="
"$AVF" run --regime datasets/demo/regime.toml --store "$STORE" \
    --detections datasets/demo/detections.csv datasets/demo/exercise_detections.csv \
    --declarations datasets/demo/declarations.csv --from 2027-03-01 --to 2027-04-01 --quiet \
    --imagery datasets/mission/images.json --tracks datasets/mission/tracks.csv datasets/korea/aircraft_tracks.csv --routes datasets/mission/route.geojson \
    --reports datasets/demo/reports.csv --gazetteer datasets/demo/gazetteer.geojson

echo
echo "== avf findings list (the observation side: sensor, route and coverage rules) =="
for rule in os-sensor-limits os-route oa-coverage; do
    "$AVF" findings list --store "$STORE" --rule "$rule"
done

echo
echo "== avf findings list --rule cma-no-fly (CMA 2018 no-fly zones from the MDL) =="
"$AVF" findings list --store "$STORE" --rule cma-no-fly

echo
echo "== monitoring-mission reports (datasets/demo/reports.csv, placed with datasets/demo/gazetteer.geojson): 21 March at the DMZ =="
"$AVF" findings list --store "$STORE" --rule dmz-no-military --from 2027-03-21 --to 2027-03-22
"$AVF" findings list --store "$STORE" --problems
echo
echo "== avf coverage =="
"$AVF" coverage --store "$STORE"

echo
echo "== avf findings list --kind violation --certainty certain --limit 15 =="
"$AVF" findings list --store "$STORE" --kind violation --certainty certain --limit 15

echo
echo "== declarations vs observations: avf findings list --rule blr-declared-holdings =="
"$AVF" findings list --store "$STORE" --rule blr-declared-holdings --limit 0
"$AVF" findings list --store "$STORE" --rule lva-declared-holdings --limit 0

echo
echo "== notifiable activities (Vienna Document 2011): avf findings list --rule vd11-activities =="
"$AVF" findings list --store "$STORE" --rule vd11-activities

"$AVF" findings export --store "$STORE" --format gpkg --output "$OUT/findings.gpkg" --overwrite   # replaces the last demo's export
echo
echo "Store: $STORE    QGIS layer: $OUT/findings.gpkg"
