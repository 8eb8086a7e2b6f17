#!/usr/bin/env bash
# The main job on the bundled dataset (make demo): import the demo zones and lines into a fresh
# store, check the regime against them, run the compliance check over the demo detections, list
# the top findings and export them for QGIS.
set -euo pipefail
AVF=${1:-build/cli/avf}
cd "$(dirname "$0")/.."
OUT=${AVF_DEMO_DIR:-build/demo}
mkdir -p "$OUT"
STORE="$OUT/demo.h5"
rm -f "$STORE"

echo "== avf zones import (Korean DMZ and Baltic borders, Natural Earth) =="
"$AVF" zones import datasets/korea/zones.geojson datasets/korea/lines.geojson \
    datasets/baltic/zones.geojson datasets/baltic/lines.geojson \
    --store "$STORE" --set demo-2027

echo
echo "== avf regime check =="
"$AVF" regime check datasets/demo/regime.toml --store "$STORE"

echo
echo "== avf run =="
"$AVF" run --regime datasets/demo/regime.toml --store "$STORE" \
    --detections datasets/demo/detections.csv --from 2027-03-01 --to 2027-04-01 --quiet

echo
echo "== avf findings list --kind violation --certainty certain --limit 15 =="
"$AVF" findings list --store "$STORE" --kind violation --certainty certain --limit 15

"$AVF" findings export --store "$STORE" --format gpkg --output "$OUT/findings.gpkg"
echo
echo "Store: $STORE    QGIS layer: $OUT/findings.gpkg"
