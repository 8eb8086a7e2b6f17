#!/usr/bin/env bash
# The PostGIS 3.3 contender of the benchmark (bench/run.sh): a throwaway PostgreSQL 15 cluster in
# a temporary directory, the demo zones and lines, then — timed — COPY of the detections CSV (the
# point built by a generated column), a GiST index on the points, Q1 and Q2:
#   Q1  SELECT count(*) FROM zones z JOIN det d ON ST_Intersects(z.geom, d.geom)      (geometry:
#       zone edges are straight in lon/lat, as avf and GeoJSON read them; boundary included)
#   Q2  artillery / MLRS rows with ST_DWithin(line::geography, point::geography, 50 / 70 km) for
#       some border line (geodesic on the WGS84 spheroid, PostGIS's default use_spheroid = true)
#
#   bench/postgis.sh DETECTIONS.csv WORKDIR PARALLEL_WORKERS ZONES.geojson... -- LINES.geojson...
# Prints one line: rows=… q1_pairs=… q2_artillery=… q2_mlrs=… load_s=… index_s=… q1_s=… q2_s=… seconds=…
# Runs the server as the postgres user when started as root (initdb refuses root).
set -euo pipefail
CSV=$(readlink -f "$1"); WORK=$2; WORKERS=$3; shift 3
zones=(); lines=(); into=zones
for a in "$@"; do
  if [ "$a" = "--" ]; then into=lines; continue; fi
  if [ $into = zones ]; then zones+=("$a"); else lines+=("$a"); fi
done
HERE=$(cd "$(dirname "$0")" && pwd)
PGBIN=/usr/lib/postgresql/15/bin
PORT=${BENCH_PG_PORT:-54329}

AS=()
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); fi
PGDIR=$(mktemp -d "$WORK/pg.XXXXXX")
chmod 755 "$PGDIR"
[ ${#AS[@]} -gt 0 ] && chown postgres: "$PGDIR"
cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >/dev/null
# A benchmark cluster: durability off (the table is UNLOGGED anyway), memory for a 2-core, 23 GiB box.
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start -o "-p $PORT -k $PGDIR -c listen_addresses='' \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=2GB -c work_mem=256MB \
  -c maintenance_work_mem=2GB -c max_wal_size=16GB -c max_parallel_workers_per_gather=$WORKERS \
  -c max_parallel_maintenance_workers=$WORKERS -c jit=off" >/dev/null
psql() { "${AS[@]}" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -p "$PORT" -U postgres -d postgres "$@"; }
now() { date +%s.%N; }
# CPU seconds so far of the server (the postmaster, plus its exited backends and parallel workers,
# reaped into its cutime/cstime) and of this script's children (psql, which reads the CSV for \copy).
TICK=$(getconf CLK_TCK)
server_cpu() {
  local pm
  pm=$(head -1 "$PGDIR/data/postmaster.pid")
  awk -v t="$TICK" '{ sub(/^.*\) /, ""); print ($12 + $13 + $14 + $15) / t }' "/proc/$pm/stat"
}
# `times` must run in this shell (a command substitution is a new process with no children).
client_cpu() { awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$PGDIR/times"; }

psql <<SQL
CREATE EXTENSION postgis;
CREATE TABLE zones(id text PRIMARY KEY, geom geometry(Geometry, 4326));
CREATE TABLE lines(id text PRIMARY KEY, geom geometry(Geometry, 4326));
SQL
python3 "$HERE/geojson2sql.py" zones "${zones[@]}" | psql
python3 "$HERE/geojson2sql.py" lines "${lines[@]}" | psql
psql <<SQL
ALTER TABLE lines ADD COLUMN geog geography;
UPDATE lines SET geog = geom::geography;
CREATE INDEX ON zones USING gist(geom);
CREATE INDEX ON lines USING gist(geog);
ANALYZE zones; ANALYZE lines;
CREATE UNLOGGED TABLE det(id text, time timestamptz, lon float8, lat float8, class text, count int,
  confidence float8, source text, party text,
  geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED);
SQL
# psql's \copy reads the file on the client side: it must be readable by the user psql runs as.
times >"$PGDIR/times"
c0=$(awk -v a="$(server_cpu)" -v b="$(client_cpu)" 'BEGIN { print a + b }')
t0=$(now)
psql -c "\\copy det(id, time, lon, lat, class, count, confidence, source, party) FROM '$CSV' WITH (FORMAT csv, HEADER true)"
t1=$(now)
psql -c "CREATE INDEX det_geom ON det USING gist(geom); ANALYZE det;"
t2=$(now)
q1=$(psql -At -c "SELECT count(*) FROM zones z JOIN det d ON ST_Intersects(z.geom, d.geom);")
t3=$(now)
q2=$(psql -At -F ' ' <<'SQL'
WITH c AS (
  SELECT CASE WHEN lower(class) IN ('artillery', '2s19', 'k9', 'm-1978 koksan', 'd-30') THEN 'artillery'
              WHEN lower(class) IN ('mlrs', 'bm-30', 'bm-21', 'k239', 'kn-09') THEN 'mlrs' END AS cls, geom
  FROM det)
SELECT count(*) FILTER (WHERE cls = 'artillery'), count(*) FILTER (WHERE cls = 'mlrs')
FROM c
WHERE cls IS NOT NULL
  AND EXISTS (SELECT 1 FROM lines l
              WHERE ST_DWithin(l.geog, c.geom::geography, CASE cls WHEN 'artillery' THEN 50000 ELSE 70000 END));
SQL
)
t4=$(now)
times >"$PGDIR/times"
c4=$(awk -v a="$(server_cpu)" -v b="$(client_cpu)" 'BEGIN { print a + b }')
rows=$(psql -At -c "SELECT count(*) FROM det;")
read -r q2a q2m <<<"$q2"
awk -v rows="$rows" -v q1="$q1" -v a="$q2a" -v m="$q2m" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" -v cpu="$(awk -v a="$c4" -v b="$c0" 'BEGIN { print a - b }')" 'BEGIN {
  printf "rows=%d q1_pairs=%d q2_artillery=%d q2_mlrs=%d load_s=%.3f index_s=%.3f q1_s=%.3f q2_s=%.3f seconds=%.3f cpu_s=%.3f rows_per_s=%.0f\n",
    rows, q1, a, m, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, cpu, rows / (t4 - t0) }'
