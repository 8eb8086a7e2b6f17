#!/usr/bin/python3
"""Seeded declarations CSV covering a benchmark detections CSV (avf_bench_gen), for the runs with
declarations of bench/run.sh (rules in bench/declarations.toml; docs/benchmarks.md).

Usage: /usr/bin/python3 bench/gen_declarations.py DETECTIONS.csv REGIME.toml OUT.csv
           [--seed 2027] [--cell-deg 1.0]

Detections are read whole; classes are resolved with the regime's [classes] aliases; only rows
with a known party are declared. Cells are --cell-deg × --cell-deg degrees of lon/lat.
  holdings      (the annual exchange) per party, holdings class (battle tank, ACV, artillery,
                MLRS) and cell with sightings: a `deployment` valid for the whole year, declaring
                the cell's peak daily count of that party and class. Its place: half of them the
                cell as a polygon, half the cell's centre with a radius reaching its corners
                (neighbouring circles overlap: sightings have several compatible declarations).
                5 % declare 6 more than the peak, 5 % 3 fewer, and 5 % of the cells are not
                declared at all (their sightings are undeclared).
  notifications per party, cell and ISO week with troops sighted, one in five: a `notification`
                of 9,000 troops, the cell as a polygon, valid that week, notified 30-60 days
                before it.
Same input, seed and options: the same bytes (output sorted by id).
"""
import argparse
import csv
import math
import random
import sys
import tomllib
from collections import defaultdict
from datetime import date, datetime, timedelta

HOLDINGS = ("battle_tank", "acv", "artillery", "mlrs")
HEADER = ["id", "party", "unit", "class", "quantity", "lon", "lat", "radius_m", "area_wkt",
          "site_id", "valid_from", "valid_to", "kind", "reference", "notified"]


def cell_polygon(lon0, lat0, size):
    ring = [(lon0, lat0), (lon0 + size, lat0), (lon0 + size, lat0 + size), (lon0, lat0 + size), (lon0, lat0)]
    return "POLYGON((" + ",".join(f"{x:.6f} {y:.6f}" for x, y in ring) + "))"


def corner_radius_m(lon0, lat0, size):
    """Haversine distance from the centre to the farthest corner, plus 1 %: the circle holds the cell."""
    r = 6371008.8
    clon, clat = math.radians(lon0 + size / 2), math.radians(lat0 + size / 2)
    best = 0.0
    for x, y in ((lon0, lat0), (lon0 + size, lat0), (lon0, lat0 + size), (lon0 + size, lat0 + size)):
        lon, lat = math.radians(x), math.radians(y)
        h = math.sin((lat - clat) / 2) ** 2 + math.cos(clat) * math.cos(lat) * math.sin((lon - clon) / 2) ** 2
        best = max(best, 2 * r * math.asin(min(1.0, math.sqrt(h))))
    return math.ceil(best * 1.01)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("detections")
    ap.add_argument("regime")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--cell-deg", type=float, default=1.0)
    a = ap.parse_args()

    with open(a.regime, "rb") as f:
        classes = tomllib.load(f)["classes"]
    canonical = {}
    for name, aliases in classes.items():
        canonical[name] = name
        for alias in aliases:
            canonical[alias] = name

    size = a.cell_deg
    daily = defaultdict(int)  # (party, class, cell, day) → items sighted
    weeks = set()             # (party, cell, ISO year, ISO week) with troops
    year = None
    with open(a.detections, newline="") as fin:
        for row in csv.DictReader(fin):
            cls, party = canonical.get(row["class"]), row["party"]
            if not party or cls is None:
                continue
            t = datetime.fromisoformat(row["time"].replace("Z", "+00:00"))
            year = year or t.year
            cell = (math.floor(float(row["lon"]) / size), math.floor(float(row["lat"]) / size))
            if cls in HOLDINGS:
                daily[(party, cls, cell, t.date())] += int(row["count"])
            elif cls == "troops":
                iso = t.isocalendar()
                weeks.add((party, cell, iso.year, iso.week))
    peak = defaultdict(int)
    for (party, cls, cell, _), n in daily.items():
        peak[(party, cls, cell)] = max(peak[(party, cls, cell)], n)

    rng = random.Random(a.seed)
    rows = []
    for (party, cls, cell), n in sorted(peak.items()):
        outcome = rng.random()
        if outcome < 0.05:
            continue  # undeclared
        quantity = n + 6 if outcome < 0.10 else max(0, n - 3) if outcome < 0.15 else n
        lon0, lat0 = cell[0] * size, cell[1] * size
        did = f"DH-{party}-{cls}-{cell[0]:+04d}{cell[1]:+03d}"
        if rng.random() < 0.5:
            place = ["", "", "", cell_polygon(lon0, lat0, size)]
        else:
            place = [f"{lon0 + size / 2:.6f}", f"{lat0 + size / 2:.6f}", corner_radius_m(lon0, lat0, size), ""]
        rows.append([did, party, f"{party} {cls} {cell[0]},{cell[1]}", cls, quantity, *place, "",
                     f"{year}-01-01", f"{year + 1}-01-01", "deployment", f"bench annual exchange {year}", ""])
    for party, cell, iso_year, iso_week in sorted(weeks):
        if rng.random() >= 0.2:
            continue
        monday = date.fromisocalendar(iso_year, iso_week, 1)
        notified = monday - timedelta(days=rng.randint(30, 60))
        lon0, lat0 = cell[0] * size, cell[1] * size
        rows.append([f"DN-{party}-{cell[0]:+04d}{cell[1]:+03d}-{iso_year}W{iso_week:02d}", party,
                     f"{party} exercise", "troops", 9000, "", "", "", cell_polygon(lon0, lat0, size), "",
                     monday.isoformat(), (monday + timedelta(days=7)).isoformat(), "notification",
                     f"bench notification {iso_year}-W{iso_week:02d}", notified.isoformat()])
    rows.sort(key=lambda r: r[0])
    with open(a.out, "w", newline="") as fout:
        w = csv.writer(fout, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    print(f"declarations={len(rows)}", file=sys.stderr)


if __name__ == "__main__":
    main()
