#!/usr/bin/env python3
"""Zones with more vertices and the same shape, for the zone-complexity runs (bench/run.sh).

    densify.py IN.geojson VERTICES > OUT.geojson

Every zone gets about VERTICES vertices: each edge is cut into equal pieces (in lon/lat, where
zone edges are straight), more pieces on longer edges. The new vertices lie on the old edges up to
rounding (a few 1e-15 degrees), so Q1's counts must not change — which the runs check.
"""
import json
import math
import sys


def densify_ring(ring, per_degree):
    out = []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) * per_degree))
        for k in range(n):
            t = k / n
            out.append([x0 + t * (x1 - x0), y0 + t * (y1 - y0)])
    out.append(ring[-1])
    return out


def rings(geom):
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return [r for p in polys for r in p]


def perimeter(geom):
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for r in rings(geom) for a, b in zip(r, r[1:]))


src, target = sys.argv[1], int(float(sys.argv[2]))
with open(src, encoding="utf-8") as f:
    doc = json.load(f)
for feature in doc["features"]:
    g = feature["geometry"]
    per_degree = target / perimeter(g)
    if g["type"] == "Polygon":
        g["coordinates"] = [densify_ring(r, per_degree) for r in g["coordinates"]]
    else:
        g["coordinates"] = [[densify_ring(r, per_degree) for r in p] for p in g["coordinates"]]
json.dump(doc, sys.stdout)
