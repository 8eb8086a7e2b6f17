#!/usr/bin/env bash
# Derives the demo geography under datasets/korea and datasets/baltic from Natural Earth
# (public domain), as redistributed in TopoJSON by the npm package world-atlas@2.0.2.
#
# Usage: bash scripts/make-datasets.sh
# Needs: node + npm (registry access), gdal-bin (ogr2ogr/ogrinfo with SQLite/SpatiaLite).
# Deterministic: the same package version gives byte-identical outputs.
#
#  1. npm install world-atlas@2.0.2 + topojson-client@3.1.0 into a temporary directory;
#  2. scripts/make-datasets-topojson.js decodes countries-10m.json (50m if 10m were missing):
#     the country polygons, and each shared border = the arcs used by both countries, stitched
#     into ordered lines (first party of `parties` on the right-hand side);
#  3. GDAL (SpatiaLite SQL in a scratch database) buffers lines in a metric projection
#     (UTM 52N for Korea, UTM 35N for the Baltic), reprojects back to EPSG:4326, intersects with
#     the country polygons, cleans (ST_MakeValid, polygonal parts only, parts < 1000 m² dropped)
#     and writes RFC 7946 GeoJSON (counter-clockwise outer rings, 7 decimals);
#  4. every output polygon is checked with ST_IsValid; the script fails if one is not valid;
#  5. scripts/make-datasets-malformed.sh rewrites datasets/malformed/.
# The demo detections are made separately: /usr/bin/python3 scripts/make_demo_detections.py
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
log() { echo "make-datasets: $*" >&2; }

for tool in node npm ogr2ogr ogrinfo; do
  command -v "$tool" >/dev/null || { log "missing $tool (apt-get install -y nodejs npm gdal-bin)"; exit 1; }
done

log "installing world-atlas@2.0.2 and topojson-client@3.1.0 into $TMP"
(cd "$TMP" && npm install --no-save --no-audit --no-fund --loglevel=error \
  world-atlas@2.0.2 topojson-client@3.1.0 >/dev/null)
WA="$TMP/node_modules/world-atlas"
if [ -f "$WA/countries-10m.json" ]; then TOPO="$WA/countries-10m.json"; else TOPO="$WA/countries-50m.json"; fi
log "source: world-atlas@$(node -p "require('$WA/package.json').version") $(basename "$TOPO")"
log "sha256: $(sha256sum "$TOPO" | cut -d' ' -f1)"

NODE_PATH="$TMP/node_modules" node "$ROOT/scripts/make-datasets-topojson.js" "$TOPO" "$TMP"

DB="$TMP/work.sqlite"
ogr2ogr -f SQLite -dsco SPATIALITE=YES "$DB" "$TMP/countries.geojson" -nln countries -lco GEOMETRY_NAME=geom
ogr2ogr -update "$DB" "$TMP/korea_lines.geojson" -nln korea_lines -lco GEOMETRY_NAME=geom
ogr2ogr -update "$DB" "$TMP/baltic_lines.geojson" -nln baltic_lines -lco GEOMETRY_NAME=geom

# sql_table NAME 'SELECT … AS geom …': materializes a query as a new table in the scratch database.
sql_table() {
  ogr2ogr -update "$DB" "$DB" -dialect SQLite -nln "$1" -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI -sql "$2"
}
# scalar 'SELECT x FROM …': prints the first column of the first row.
scalar() {
  ogrinfo -q "$DB" -dialect SQLite -sql "$1" | sed -n 's/^  [^=]* = //p' | head -n1
}

# clean SRC DST EPSG: ST_MakeValid, keep polygonal parts, drop parts smaller than 1000 m²
# (area measured in EPSG), result as MultiPolygon; one row per `id`. Logs what it changed.
clean() {
  local src=$1 dst=$2 epsg=$3
  sql_table "${dst}_valid" "SELECT id, CastToMultiPolygon(ST_CollectionExtract(ST_MakeValid(geom), 3)) AS geom FROM $src"
  sql_table "$dst" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    SELECT v.id AS id, CastToMultiPolygon(ST_Collect(ST_GeometryN(v.geom, n.i))) AS geom
    FROM ${dst}_valid v JOIN n ON n.i <= ST_NumGeometries(v.geom)
    WHERE ST_Area(ST_Transform(ST_GeometryN(v.geom, n.i), $epsg)) >= 1000
    GROUP BY v.id"
  local invalid before after
  invalid=$(scalar "SELECT count(*) FROM $src WHERE NOT ST_IsValid(geom)")
  before=$(scalar "SELECT sum(ST_NumGeometries(geom)) FROM ${dst}_valid")
  after=$(scalar "SELECT sum(ST_NumGeometries(geom)) FROM $dst")
  log "clean $src: $invalid invalid before ST_MakeValid; polygon parts $before -> $after (dropped $((before - after)) under 1000 m²)"
}

# ---------------------------------------------------------------------------------------------
# Korea: MDL, DMZ (2 km each side, clipped to land), DMZ-N / DMZ-S, KOR / PRK
# ---------------------------------------------------------------------------------------------
sql_table korea_land "SELECT ST_Union(geom) AS geom FROM countries WHERE iso3 IN ('KOR', 'PRK')"
sql_table dmz_buffer "SELECT ST_Transform(ST_Buffer(ST_Transform(geom, 32652), 2000, 32), 4326) AS geom
  FROM korea_lines WHERE id = 'MDL'"
sql_table dmz_raw "SELECT 'DMZ' AS id, ST_Intersection(b.geom, l.geom) AS geom FROM dmz_buffer b, korea_land l"
clean dmz_raw dmz 32652
sql_table dmz_halves_raw "SELECT CASE c.iso3 WHEN 'PRK' THEN 'DMZ-N' ELSE 'DMZ-S' END AS id,
    ST_Intersection(d.geom, c.geom) AS geom
  FROM dmz d, countries c WHERE c.iso3 IN ('KOR', 'PRK')"
clean dmz_halves_raw dmz_halves 32652
sql_table korea_territory_raw "SELECT iso3 AS id, geom FROM countries WHERE iso3 IN ('KOR', 'PRK')"
clean korea_territory_raw korea_territory 32652

# Polygon when a single part, MultiPolygon otherwise.
single="CASE WHEN ST_NumGeometries(geom) = 1 THEN ST_GeometryN(geom, 1) ELSE geom END"

mkdir -p "$ROOT/datasets/korea" "$ROOT/datasets/baltic"
GJ=(-f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=7 -lco WRITE_NAME=NO)

rm -f "$ROOT/datasets/korea/lines.geojson"
ogr2ogr "${GJ[@]}" "$ROOT/datasets/korea/lines.geojson" "$DB" -dialect SQLite -nln lines -sql \
  "SELECT id, name, kind, parties, valid_from, valid_to, geom FROM korea_lines"

rm -f "$ROOT/datasets/korea/zones.geojson"
ogr2ogr "${GJ[@]}" "$ROOT/datasets/korea/zones.geojson" "$DB" -dialect SQLite -nln zones -sql "
  SELECT 'DMZ' AS id, 'Korean Demilitarized Zone (2 km each side of the MDL)' AS name, 'dmz' AS kind,
         'KOR,PRK' AS parties, '' AS parent, '1953-07-27' AS valid_from, '' AS valid_to, $single AS geom
    FROM dmz
  UNION ALL
  SELECT 'DMZ-N', 'Korean DMZ, northern half (DPRK side of the MDL)', 'dmz', 'PRK', 'DMZ', '1953-07-27', '', $single
    FROM dmz_halves WHERE id = 'DMZ-N'
  UNION ALL
  SELECT 'DMZ-S', 'Korean DMZ, southern half (ROK side of the MDL)', 'dmz', 'KOR', 'DMZ', '1953-07-27', '', $single
    FROM dmz_halves WHERE id = 'DMZ-S'
  UNION ALL
  SELECT 'KOR', 'Republic of Korea (Natural Earth)', 'territory', 'KOR', '', '1953-07-27', '', $single
    FROM korea_territory WHERE id = 'KOR'
  UNION ALL
  SELECT 'PRK', 'Democratic People''s Republic of Korea (Natural Earth)', 'territory', 'PRK', '', '1953-07-27', '', $single
    FROM korea_territory WHERE id = 'PRK'"

# ---------------------------------------------------------------------------------------------
# Baltic: borders with RUS/BLR, the area of application, 15 km buffer strips on the NATO side
# ---------------------------------------------------------------------------------------------
sql_table baltic_aoa_raw "SELECT 'BALTIC-AOA' AS id, ST_Union(geom) AS geom FROM countries WHERE iso3 IN ('EST', 'LVA', 'LTU')"
clean baltic_aoa_raw baltic_aoa 32635
sql_table baltic_buffer "SELECT substr(id, 1, 3) AS iso3,
    ST_Transform(ST_Buffer(ST_Transform(ST_Union(geom), 32635), 15000, 32), 4326) AS geom
  FROM baltic_lines WHERE substr(id, 1, 3) IN ('EST', 'LVA', 'LTU') GROUP BY substr(id, 1, 3)"
sql_table baltic_strips_raw "SELECT 'BUF-' || b.iso3 AS id, ST_Intersection(b.geom, c.geom) AS geom
  FROM baltic_buffer b JOIN countries c ON c.iso3 = b.iso3"
clean baltic_strips_raw baltic_strips 32635
# Neighbouring territories for side tests (RUS clipped to a box around the region; its global
# polygon is not valid in Natural Earth 10m, hence ST_MakeValid before clipping).
sql_table baltic_territory_raw "SELECT iso3 AS id,
    CASE iso3 WHEN 'RUS' THEN ST_Intersection(ST_MakeValid(geom), BuildMbr(14, 50, 36, 62, 4326)) ELSE geom END AS geom
  FROM countries WHERE iso3 IN ('EST', 'LVA', 'LTU', 'POL', 'BLR', 'RUS')"
clean baltic_territory_raw baltic_territory 32635

rm -f "$ROOT/datasets/baltic/lines.geojson"
ogr2ogr "${GJ[@]}" "$ROOT/datasets/baltic/lines.geojson" "$DB" -dialect SQLite -nln lines -sql \
  "SELECT id, name, kind, parties, valid_from, valid_to, geom FROM baltic_lines"

rm -f "$ROOT/datasets/baltic/zones.geojson"
ogr2ogr "${GJ[@]}" "$ROOT/datasets/baltic/zones.geojson" "$DB" -dialect SQLite -nln zones -sql "
  SELECT 'BALTIC-AOA' AS id, 'Baltic area of application (Estonia, Latvia, Lithuania)' AS name,
         'area_of_application' AS kind, 'EST,LVA,LTU' AS parties, '' AS parent,
         '2026-01-01' AS valid_from, '' AS valid_to, $single AS geom
    FROM baltic_aoa
  UNION ALL
  SELECT id, CASE id WHEN 'BUF-EST' THEN 'Estonian buffer strip (15 km of the Russian border)'
                     WHEN 'BUF-LVA' THEN 'Latvian buffer strip (15 km of the Russian and Belarusian borders)'
                     ELSE 'Lithuanian buffer strip (15 km of the Belarusian and Kaliningrad borders)' END,
         'buffer', substr(id, 5, 3), 'BALTIC-AOA', '2026-01-01', '', $single
    FROM (SELECT * FROM baltic_strips ORDER BY CASE id WHEN 'BUF-EST' THEN 1 WHEN 'BUF-LVA' THEN 2 ELSE 3 END)"

rm -f "$ROOT/datasets/baltic/territories.geojson"
ogr2ogr "${GJ[@]}" "$ROOT/datasets/baltic/territories.geojson" "$DB" -dialect SQLite -nln territories -sql "
  SELECT id, CASE id WHEN 'EST' THEN 'Estonia' WHEN 'LVA' THEN 'Latvia' WHEN 'LTU' THEN 'Lithuania'
                     WHEN 'POL' THEN 'Poland' WHEN 'BLR' THEN 'Belarus'
                     ELSE 'Russian Federation (clipped to 14-36E, 50-62N)' END || ' (Natural Earth)' AS name,
         'territory' AS kind, id AS parties, '' AS parent, '' AS valid_from, '' AS valid_to, $single AS geom
    FROM baltic_territory ORDER BY CASE id WHEN 'EST' THEN 1 WHEN 'LVA' THEN 2 WHEN 'LTU' THEN 3
                                           WHEN 'POL' THEN 4 WHEN 'BLR' THEN 5 ELSE 6 END"

# ---------------------------------------------------------------------------------------------
# Checks: every polygon valid; summary of the outputs
# ---------------------------------------------------------------------------------------------
status=0
for f in korea/zones baltic/zones baltic/territories; do
  path="$ROOT/datasets/$f.geojson"
  report=$(ogrinfo -q "$path" -dialect SQLite -sql \
    "SELECT count(*) AS n, sum(ST_IsValid(geometry) = 1) AS ok,
            group_concat(CASE WHEN ST_IsValid(geometry) = 1 THEN NULL ELSE id || ': ' || ST_IsValidReason(geometry) END, '; ') AS bad
       FROM \"$(basename "$f")\"" | sed -n 's/^  \(n\|ok\|bad\) ([A-Za-z]*) = //p' | paste -sd'|' -)
  IFS='|' read -r n ok bad <<<"$report"
  if [ -z "$n" ] || [ "$n" != "$ok" ]; then log "INVALID polygons in $f: ${bad:-check failed}"; status=1
  else log "$f.geojson: all $n polygons valid (ST_IsValid)"; fi
done
for f in korea/lines korea/zones baltic/lines baltic/zones baltic/territories; do
  path="$ROOT/datasets/$f.geojson"
  log "$f.geojson: $(ogrinfo -q "$path" -dialect SQLite -sql \
    "SELECT group_concat(id || ' ' || ST_NPoints(geometry) || 'pts', ', ') AS s FROM \"$(basename "$f")\"" |
    sed -n 's/^  s ([A-Za-z]*) = //p'), $(stat -c %s "$path") bytes"
done

# The malformed-input fixtures (no network needed; also runnable on their own).
bash "$ROOT/scripts/make-datasets-malformed.sh"
exit $status
