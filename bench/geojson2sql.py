#!/usr/bin/env python3
"""Zones and lines of GeoJSON files as SQL INSERTs for the PostGIS contender (bench/postgis.sh).

    geojson2sql.py TABLE FILE.geojson...   → INSERT INTO TABLE(id, geom) VALUES (…, ST_GeomFromGeoJSON(…));
"""
import json
import sys


def quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


table, files = sys.argv[1], sys.argv[2:]
for path in files:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for feature in doc["features"]:
        fid = feature["properties"]["id"]
        geom = json.dumps(feature["geometry"], separators=(",", ":"))
        print(f"INSERT INTO {table}(id, geom) VALUES ({quote(fid)}, ST_SetSRID(ST_GeomFromGeoJSON({quote(geom)}), 4326));")
