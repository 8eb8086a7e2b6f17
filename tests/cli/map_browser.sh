#!/usr/bin/env bash
# The map in a real browser (issue 19): writes the demo store (scripts/demo.sh), then `avf map`
# (findings one by one, aggregated with --max-findings, and of a run whose run-wide findings have
# no place) and `avf audit report`, and checks
# each page in headless Chromium (tests/cli/map_browser.js): every finding of the run drawn, a
# clicked finding's popup shows its explanation, no console error, nothing fetched from the
# network; the uncertainty disks (zoomed in) and declared places read back from the run's input
# files, and the legend's reason when they cannot be found. Screenshots stay in OUT for people to look at.
#
#   tests/cli/map_browser.sh build/cli/avf build/map-test
set -euo pipefail
AVF=$(realpath "$1")
OUT=$(realpath -m "$2")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CHROMIUM=${AVF_CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
  echo "map_browser: no chromium (scripts/install-deps.sh installs Debian's)" >&2
  exit 1
fi

rm -rf "$OUT"
mkdir -p "$OUT"
AVF_DEMO_DIR="$OUT" bash "$SRC/scripts/demo.sh" "$AVF" >"$OUT/demo.log" 2>&1 || { cat "$OUT/demo.log"; exit 1; }
STORE="$OUT/demo.h5"

"$AVF" findings list --store "$STORE" --limit 0 -f json >"$OUT/findings.json"
# The demo's inputs are recorded relative to the source tree (scripts/demo.sh runs there):
# --inputs-dir finds them for the uncertainty disks and declared places; from $OUT they are not found.
"$AVF" map --store "$STORE" -o "$OUT/map.html" --inputs-dir "$SRC"
"$AVF" map --store "$STORE" -o "$OUT/map-aggregated.html" --max-findings 20 --inputs-dir "$SRC"
"$AVF" audit report --store "$STORE" -o "$OUT/report.html" --inputs-dir "$SRC"
(cd "$OUT" && "$AVF" map --store demo.h5 -o map-moved.html)
ls -l "$OUT"/*.html

node "$SRC/tests/cli/map_browser.js" --chromium "$CHROMIUM" --findings "$OUT/findings.json" --shots "$OUT" --declared \
  map="$OUT/map.html" report="$OUT/report.html" aggregated:"$OUT/map-aggregated.html" moved~"$OUT/map-moved.html"

# A run without declarations: its run-wide "unverifiable" findings rest on no record and have no
# place; the map lists them beside it instead of drawing them at (0, 0).
"$AVF" run --regime "$SRC/datasets/demo/regime.toml" --store "$STORE" --detections "$SRC/datasets/demo/detections.csv" \
  --from 2027-03-01 --to 2027-04-01 --quiet >"$OUT/run-no-declarations.log" 2>&1
"$AVF" findings list --store "$STORE" --limit 0 -f json >"$OUT/findings-no-declarations.json"
"$AVF" map --store "$STORE" -o "$OUT/map-no-declarations.html"
node "$SRC/tests/cli/map_browser.js" --chromium "$CHROMIUM" --findings "$OUT/findings-no-declarations.json" --shots "$OUT" \
  map-no-declarations="$OUT/map-no-declarations.html"
