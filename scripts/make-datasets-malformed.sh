#!/usr/bin/env bash
# Writes the malformed-input fixtures under datasets/malformed/ — exactly one defect per file —
# and checks that GDAL still opens every GeoJSON fixture except truncated.geojson (GDAL's
# permissiveness is the point: avf must find the defect itself). See datasets/malformed/README.md.
#
# Usage: bash scripts/make-datasets-malformed.sh      (needs gdal-bin; no network)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/datasets/malformed"
mkdir -p "$OUT"
log() { echo "make-datasets-malformed: $*" >&2; }

# The good feature every file carries (a 9 km × 5.5 km box south of the DMZ near Yeoncheon).
GOOD='{ "type": "Feature", "properties": { "id": "Z-GOOD", "name": "Training area Yeoncheon", "kind": "restricted" },
  "geometry": { "type": "Polygon", "coordinates": [ [ [ 127.0, 37.95 ], [ 127.1, 37.95 ], [ 127.1, 38.0 ], [ 127.0, 38.0 ], [ 127.0, 37.95 ] ] ] } }'

# fixture FILE ID NAME GEOMETRY-JSON: a FeatureCollection of the good feature plus one more.
fixture() {
  cat >"$OUT/$1" <<EOF
{ "type": "FeatureCollection",
  "features": [
$GOOD,
{ "type": "Feature", "properties": { "id": "$2", "name": "$3", "kind": "limited" },
  "geometry": $4 }
  ]
}
EOF
}

fixture unclosed_ring.geojson Z-UNCLOSED "Limited zone Cheorwon (ring not closed)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 127.2, 38.1 ], [ 127.3, 38.1 ], [ 127.3, 38.15 ], [ 127.2, 38.15 ] ] ] }'
fixture bowtie.geojson Z-BOWTIE "Limited zone Hwacheon (self-intersecting ring)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 127.0, 38.1 ], [ 127.1, 38.2 ], [ 127.1, 38.1 ], [ 127.0, 38.2 ], [ 127.0, 38.1 ] ] ] }'
fixture lat95.geojson Z-LAT95 "Limited zone Pocheon (latitude 95)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 127.2, 37.9 ], [ 127.3, 37.9 ], [ 127.3, 95.0 ], [ 127.2, 37.95 ], [ 127.2, 37.9 ] ] ] }'
fixture nan_coordinate.geojson Z-NAN "Limited zone Dongducheon (NaN coordinate)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 127.05, 37.85 ], [ 127.15, 37.85 ], [ 127.15, NaN ], [ 127.05, 37.9 ], [ 127.05, 37.85 ] ] ] }'
fixture spike.geojson Z-SPIKE "Limited zone Yanggu (spike)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 127.9, 38.1 ], [ 128.0, 38.1 ], [ 128.0, 38.125 ], [ 128.1, 38.125 ], [ 128.0, 38.125 ], [ 128.0, 38.15 ], [ 127.9, 38.15 ], [ 127.9, 38.1 ] ] ] }'
fixture duplicate_vertex.geojson Z-DUPVERT "Limited zone Inje (duplicate vertex)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 128.1, 38.0 ], [ 128.2, 38.0 ], [ 128.2, 38.0 ], [ 128.2, 38.05 ], [ 128.1, 38.05 ], [ 128.1, 38.0 ] ] ] }'
fixture antimeridian.geojson Z-ANTIMERIDIAN "Exclusion zone Chukotka coast (crosses 180 degrees)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 179.5, 65.0 ], [ -179.5, 65.0 ], [ -179.5, 65.5 ], [ 179.5, 65.5 ], [ 179.5, 65.0 ] ] ] }'
fixture empty_geometry.geojson Z-EMPTY "Limited zone Goseong (empty multipolygon)" \
  '{ "type": "MultiPolygon", "coordinates": [ ] }'
fixture null_geometry.geojson Z-NULL "Limited zone Paju (null geometry)" 'null'
# duplicate_id: the second feature is valid but reuses the id of the first.
fixture duplicate_id.geojson Z-GOOD "Training area Yeoncheon east (duplicate id)" \
  '{ "type": "Polygon", "coordinates": [ [ [ 127.1, 37.95 ], [ 127.2, 37.95 ], [ 127.2, 38.0 ], [ 127.1, 38.0 ], [ 127.1, 37.95 ] ] ] }'

printf '%s\n' '{ "type": "FeatureCollection", "features": [ ] }' >"$OUT/empty_layer.geojson"

# truncated: the start of a valid two-feature file, cut off in the middle of a coordinate.
fixture truncated.full Z-CUT "Limited zone Cheorwon east" \
  '{ "type": "Polygon", "coordinates": [ [ [ 127.35, 38.1 ], [ 127.45, 38.1 ], [ 127.45, 38.15 ], [ 127.35, 38.15 ], [ 127.35, 38.1 ] ] ] }'
full="$OUT/truncated.full"
cut=$(grep -bo '127.45, 38.1 \]' "$full" | head -n1 | cut -d: -f1)
head -c "$((cut + 10))" "$full" >"$OUT/truncated.geojson" # ends with "127.45, 38" — no newline
rm -f "$full"

# no_crs: one valid polygon as an ESRI Shapefile, .prj (and .cpg) deleted.
rm -rf "$OUT/no_crs"
mkdir -p "$OUT/no_crs"
ogr2ogr -f "ESRI Shapefile" "$OUT/no_crs/no_crs.shp" /vsistdin/ -nln no_crs -a_srs EPSG:4326 <<EOF
{ "type": "FeatureCollection", "features": [
{ "type": "Feature", "properties": { "id": "Z-NOCRS", "name": "Limited zone Yeoncheon (no .prj)", "kind": "limited" },
  "geometry": { "type": "Polygon", "coordinates": [ [ [ 127.0, 38.05 ], [ 127.1, 38.05 ], [ 127.1, 38.08 ], [ 127.0, 38.08 ], [ 127.0, 38.05 ] ] ] } } ] }
EOF
rm -f "$OUT/no_crs/no_crs.prj" "$OUT/no_crs/no_crs.cpg"
# The DBF header carries the date it was written (bytes 1-3: YY-1900, MM, DD); pin it so that
# regenerating gives identical bytes.
printf '\x7f\x01\x01' | dd of="$OUT/no_crs/no_crs.dbf" bs=1 seek=1 conv=notrunc status=none

# The detections reader's fixture: two good rows, then one row per defect.
cat >"$OUT/detections_bad.csv" <<'EOF'
id,time,lon,lat,class,count,confidence,source,uncertainty_m,party,source_record,model
D-90001,2027-03-04T10:15:00Z,127.0512,38.0133,battle_tank,3,0.9,imagery,150,KOR,IMG-9001,K2
D-90002,2027-03-04T10:15:00Z,127.0608,38.0201,K9,2,0.85,imagery,150,KOR,IMG-9001,
D-90003,2027-03-04T10:20:00Z,127.0700,95.0000,artillery,1,0.8,imagery,200,KOR,IMG-9002,K9
D-90004,2027-03-04T10:20:00Z,NaN,38.0300,artillery,1,0.8,imagery,200,KOR,IMG-9002,K9
D-90005,,127.0810,38.0350,acv,4,0.8,imagery,200,KOR,IMG-9002,K21
D-90006,2027-03-04T10:25:00Z,127.0900,38.2x,mlrs,2,0.7,imagery,250,KOR,IMG-9003,K239
D-90007,2027-03-04T10:25:00Z,127.1000,38.0420,bicycle,1,0.6,open_source,500,KOR,OS-9001,
D-90008,2027-03-04T10:30:00Z,127.1100,38.0460,battle_tank,-3,0.9,imagery,150,KOR,IMG-9003,K1A2
D-90009,2027-03-04T10:30:00Z,127.1200,38.0510,acv,2,1.5,imagery,150,KOR,IMG-9003,K21
D-90001,2027-03-04T10:35:00Z,127.1300,38.0560,troops,40,0.7,monitor_report,1000,KOR,MR-9001,
D-90010,04/03/2027,127.1400,38.0600,battle_tank,2,0.9,imagery,150,KOR,IMG-9004,K2
EOF

# Issue 16: whole-file defects of the readers' inputs, one per file.
HEADER='id,time,lon,lat,class,count,confidence,source,uncertainty_m,party,source_record,model'
ROW1='D-90001,2027-03-04T10:15:00Z,127.0512,38.0133,battle_tank,3,0.9,imagery,150,KOR,IMG-9001,K2'
ROW2='D-90002,2027-03-04T10:15:00Z,127.0608,38.0201,K9,2,0.85,imagery,150,KOR,IMG-9001,'
# Old Mac line ends (a CR alone): read as lines, both rows accepted.
printf '%s\r%s\r%s\r' "$HEADER" "$ROW1" "$ROW2" >"$OUT/detections_cr_line_ends.csv"
# A header and no record: empty_layer (exit 3 with --strict).
printf '%s\n' "$HEADER" >"$OUT/detections_header_only.csv"
# Claims beyond the per-record bounds (core/records.hpp): a count of 2^63-1, an uncertainty of 1e308 m.
{
  printf '%s\n' "$HEADER" "$ROW1"
  printf '%s\n' 'D-90011,2027-03-04T10:16:00Z,127.0512,38.0133,battle_tank,9223372036854775807,0.9,imagery,150,KOR,IMG-9001,K2'
  printf '%s\n' 'D-90012,2027-03-04T10:17:00Z,127.0512,38.0133,battle_tank,1,0.9,imagery,1e308,KOR,IMG-9001,K2'
} >"$OUT/detections_huge_values.csv"
# A Latin-1 byte (0xE9, "e" with an acute accent) in a declaration's unit: bad_encoding on that record only.
{
  printf '%s\n' 'id,party,unit,class,quantity,lon,lat,radius_m,valid_from,valid_to,kind,reference'
  printf '%s\n' 'DEC-90001,BLR,6th Guards Bde,battle_tank,40,26.0,53.1,2000,2027-03-01,2027-04-01,deployment,AEMI-2027/BLR'
  printf 'DEC-90002,BLR,120th Guards Mech Bde (Minsk) \351,battle_tank,31,27.5,53.9,2000,2027-03-01,2027-04-01,deployment,AEMI-2027/BLR\n'
} >"$OUT/declarations_latin1.csv"

# Every GeoJSON fixture but truncated.geojson must still open in GDAL; truncated must not.
for f in "$OUT"/*.geojson; do
  name=$(basename "$f")
  if ogrinfo -ro -q -al -so "$f" >/dev/null 2>&1; then opens=yes; else opens=no; fi
  want=yes; [ "$name" = truncated.geojson ] && want=no
  if [ "$opens" != "$want" ]; then log "$name: GDAL opens=$opens, expected $want"; exit 1; fi
  log "$name: GDAL opens=$opens (as intended)"
done
ogrinfo -ro -q -al -so "$OUT/no_crs/no_crs.shp" >/dev/null && log "no_crs/no_crs.shp: GDAL opens=yes, no .prj"
