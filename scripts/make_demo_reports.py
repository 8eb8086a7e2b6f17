#!/usr/bin/python3
"""Writes the monitoring-mission side of the demo: datasets/demo/gazetteer.geojson (real
settlements near the Korean DMZ and the Latvian buffer strip) and datasets/demo/reports.csv
(synthetic sightings in the style of OSCE SMM daily reports: "4 tanks 2 km north-east of <place>"),
read by `avf run --reports datasets/demo/reports.csv --gazetteer datasets/demo/gazetteer.geojson`
(scripts/demo.sh).

Usage: /usr/bin/python3 scripts/make_demo_reports.py [--check]
  (Debian's python3 with python3-pyproj and python3-shapely; no random numbers, no wall clock)
  --check  regenerate in memory and compare with the committed files instead of writing.

The places are real: town and village centres (WGS84, after the settlements' Wikipedia entries, to
about 0.001°; good to about 1 km, which is all the demo needs), their names with alternate names (Hangul, McCune-Reischauer,
Russian, Latgalian/German where common) and a radius_m for the settlement's own extent. Two real
places share a name: Goseong County (South Korea) and Kosong County (North Korea) are both 고성군,
"Goseong-gun" in Revised Romanization. The sightings are synthetic; no row describes a real
observation.

Every sighting is placed here as avf places it (ingest/report_reader.hpp: the geodesic
destination, the sector-annulus corners and the place's extent give the uncertainty radius R), and
the script checks the outcome it is meant to have against the demo geography (datasets/korea,
datasets/baltic; distances in UTM 52N / 35N) before writing; the printed table says which.
"""
import argparse
import csv
import io
import json
import os
import sys

from pyproj import Geod, Transformer
from shapely.geometry import Point, shape
from shapely.ops import transform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEOD = Geod(ellps="WGS84")

# id, name, alternate names, lon, lat, radius_m, country (checked against the territories)
PLACES = [
    ("KOR-DAESEONGDONG", "Daeseong-dong", "대성동; Taesong-dong; Freedom Village", 126.67914, 37.94112, 300, "KOR"),
    ("PRK-KIJONGDONG", "Kijong-dong", "기정동; Gijeong-dong; Kijŏng-dong; Peace Village", 126.65390, 37.94330, 300, "PRK"),
    ("PRK-KAESONG", "Kaesong", "개성; Gaeseong; Kaesŏng", 126.55440, 37.97080, 3000, "PRK"),
    ("KOR-MUNSAN", "Munsan", "문산; Munsan-eup", 126.78580, 37.85970, 1500, "KOR"),
    ("KOR-YEONCHEON", "Yeoncheon", "연천; Yeoncheon-eup; Yŏnch'ŏn", 127.07470, 38.09640, 1500, "KOR"),
    ("KOR-CHEORWON", "Cheorwon", "철원; Galmal-eup; Ch'ŏrwŏn", 127.31330, 38.14670, 1500, "KOR"),
    ("PRK-PYONGGANG", "Pyonggang", "평강; Pyeonggang; P'yŏnggang", 127.29310, 38.41860, 1500, "PRK"),
    ("KOR-HWACHEON", "Hwacheon", "화천; Hwacheon-eup", 127.70810, 38.10610, 1500, "KOR"),
    ("KOR-YANGGU", "Yanggu", "양구; Yanggu-eup", 127.98970, 38.11000, 1500, "KOR"),
    ("KOR-GOSEONG", "Goseong", "고성; Goseong-gun; Ganseong; 간성", 128.46780, 38.38060, 1500, "KOR"),
    ("PRK-KOSONG", "Kosong", "고성; Kosŏng; Goseong; Goseong-gun", 128.31806, 38.66806, 2000, "PRK"),
    ("LVA-ZILUPE", "Zilupe", "Зилупе; Rosenowsky", 28.12140, 56.38690, 1000, "LVA"),
    ("LVA-KARSAVA", "Kārsava", "Karsava; Карсава; Korsovka", 27.68610, 56.78470, 1000, "LVA"),
    ("LVA-LUDZA", "Ludza", "Лудза; Ludsen; Lucyn", 27.72690, 56.54640, 1500, "LVA"),
    ("LVA-KRASLAVA", "Krāslava", "Kraslava; Краслава; Kreslau", 27.16810, 55.89500, 1500, "LVA"),
    ("LVA-PIEDRUJA", "Piedruja", "Пиедруя; Druja (Latvian side)", 27.45170, 55.79890, 500, "LVA"),
    ("RUS-SEBEZH", "Sebezh", "Себеж", 28.48670, 56.29060, 1500, "RUS"),
    ("RUS-PYTALOVO", "Pytalovo", "Пыталово; Abrene", 27.92140, 57.06280, 1500, "RUS"),
]

REPORT_HEADER = ["report_id", "id", "time", "place", "place_id", "bearing", "distance_km", "counts", "means",
                 "heading", "party", "confidence"]

# The sightings, each with the outcome it is meant to have (checked below):
#   ("dmz", zone, "certain" | "possible")   the dmz-no-military rule, the disk inside / straddling the zone
#   ("standoff", line, km)                   artillery/MLRS closer than km to the line (disk wholly within)
#   ("outside", zones, None)                 the disk misses every zone named (no ceiling or band counts it)
#   ("problem", code, None)                  refused: unknown_place / ambiguous_place
SIGHTINGS = [
    # Korea: a neutral mission's daily report of 21 March (fixed cameras at Panmunjom, UAVs, patrols south of the DMZ).
    (["MMK-0321", "", "2027-03-21T08:10:00Z", "Kijong-dong", "", "NE", "0.5", "6 troops", "camera", "SW", "PRK", ""],
     ("dmz", "DMZ-N", "certain")),
    (["MMK-0321", "", "2027-03-21T09:35:00Z", "Kijong-dong", "", "N", "1", "1 tank", "mini-UAV", "E", "PRK", "0.8"],
     ("dmz", "DMZ-N", "possible")),
    (["MMK-0321", "", "2027-03-21T10:20:00Z", "대성동", "", "SSE", "0.5", "4 troops", "camera", "", "KOR", ""],
     ("dmz", "DMZ-S", "certain")),
    (["MMK-0321", "", "2027-03-21T11:05:00Z", "Pyonggang", "", "N", "3", "2 MLRS", "long-range UAV", "S", "PRK", "0.9"],
     ("standoff", "MDL", 20.0)),
    (["MMK-0321", "", "2027-03-21T12:40:00Z", "연천", "", "E", "3", "4 tanks; 2 ACVs", "patrol", "NE", "KOR", ""],
     ("outside", ["DMZ-N", "DMZ-S", "band 2-10 km"], None)),
    (["MMK-0321", "", "2027-03-21T13:15:00Z", "Goseong", "", "NNW", "2", "1 artillery", "long-range UAV", "", "PRK", ""],
     ("problem", "ambiguous_place", None)),
    (["MMK-0321", "", "2027-03-21T13:15:00Z", "Goseong", "PRK-KOSONG", "NNW", "2", "1 artillery", "long-range UAV", "", "PRK", ""],
     ("standoff", "MDL", 20.0)),
    (["MMK-0321", "", "2027-03-21T14:50:00Z", "Yeonchon", "", "S", "2", "3 troops", "patrol", "", "KOR", ""],
     ("problem", "unknown_place", None)),
    (["MMK-0321", "", "2027-03-21T16:30:00Z", "Kaesong", "", "SW", "4", "1 SAM", "long-range UAV", "", "PRK", "0.7"],
     ("outside", ["DMZ-N", "DMZ-S"], None)),
    # Latvia: the mission's report of 23 March along the Russian and Belarusian borders.
    (["MML-0323", "", "2027-03-23T07:45:00Z", "Zilupe", "", "E", "6", "2 artillery", "long-range UAV", "N", "RUS", "0.85"],
     ("standoff", "LVA-RUS", 15.0)),
    (["MML-0323", "", "2027-03-23T09:10:00Z", "Карсава", "", "W", "2", "3 tanks", "patrol", "W", "LVA", ""],
     ("outside", [], None)),
    (["MML-0323", "", "2027-03-23T10:25:00Z", "Piedruja", "", "", "0", "1 ACV", "camera", "", "LVA", ""],
     ("outside", [], None)),
    (["MML-0323", "", "2027-03-23T12:00:00Z", "Kraslava", "", "NW", "5", "2 tanks", "mini-UAV", "", "LVA", "0.75"],
     ("outside", [], None)),
]

COMPASS = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]


def half_width(text):
    """Half a unit of the last written digit (report_reader's rounding_half_width)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** (-decimals)


def place(lon, lat, extent, bearing, distance_text):
    """(lon, lat, R) as avf's place_sighting gives them."""
    d = float(distance_text) * 1000
    eps = half_width(distance_text) * 1000
    if bearing:
        i = COMPASS.index(bearing)
        az, delta = 22.5 * i, (22.5 if i % 2 == 0 else 11.25)
    else:
        az, delta = 0.0, 180.0
    dx, dy = (GEOD.fwd(lon, lat, az, d)[:2] if d > 0 else (lon, lat))
    r = 0.0
    for side in (-1, 1):
        for rr in (max(0.0, d - eps), d + eps):
            cx, cy = (GEOD.fwd(lon, lat, az + side * delta, rr)[:2] if rr > 0 else (lon, lat))
            r = max(r, GEOD.inv(dx, dy, cx, cy)[2])
    return dx, dy, r + extent


def load(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return {ft["properties"]["id"]: shape(ft["geometry"]) for ft in json.load(f)["features"]}


def check(places):
    """Places each sighting and checks its intended outcome; returns the printed table's rows."""
    korea = {**load("datasets/korea/zones.geojson"), **load("datasets/korea/lines.geojson")}
    baltic = {**load("datasets/baltic/zones.geojson"), **load("datasets/baltic/lines.geojson"),
              **load("datasets/baltic/territories.geojson")}
    utm52 = Transformer.from_crs(4326, 32652, always_xy=True).transform
    utm35 = Transformer.from_crs(4326, 32635, always_xy=True).transform
    for pid, name, _, lon, lat, _, country in places:
        geo = korea if lon > 100 else baltic
        if not geo[country].contains(Point(lon, lat)):
            sys.exit(f"place {pid} ({name}) is not inside {country}")
    rows = []
    for values, (what, target, arg) in SIGHTINGS:
        report, _, _, name, place_id, bearing, distance, counts = values[:8]
        if what == "problem":
            named = [p for p in places if name.lower() in [p[1].lower()] + [a.strip().lower() for a in p[2].split(";")]]
            if (target == "ambiguous_place") != (len(named) > 1) or (target == "unknown_place") != (len(named) == 0):
                sys.exit(f"{name}: expected {target}, {len(named)} entries are named so")
            rows.append((report, name, counts, target, "-"))
            continue
        entry = next(p for p in places if p[0] == place_id) if place_id else next(
            p for p in places if name.lower() in [p[1].lower()] + [a.strip().lower() for a in p[2].split(";")])
        lon, lat, r = place(entry[3], entry[4], entry[5], bearing, distance)
        geo, proj = (korea, utm52) if lon > 100 else (baltic, utm35)
        p = Point(*proj(lon, lat))
        zone = lambda z: transform(proj, geo[z])
        if what == "dmz":
            z = zone(target)
            inside = z.contains(p)
            to_edge = z.boundary.distance(p)
            got = "certain" if inside and to_edge > r else ("possible" if to_edge < r else "none")
            if got != arg or to_edge > r - 100 and arg == "possible" or to_edge < r + 100 and arg == "certain":
                sys.exit(f"{name} {bearing} {distance}: {got} in {target} (edge {to_edge:.0f} m, R {r:.0f} m), expected {arg}")
            rows.append((report, name, counts, f"dmz-no-military {target} {got}", f"edge {to_edge:.0f} m, R {r:.0f} m"))
        elif what == "standoff":
            d = zone(target).distance(p)
            if d + r >= arg * 1000 - 500:
                sys.exit(f"{name}: {d:.0f} m + R {r:.0f} m from {target} is not within {arg} km")
            rows.append((report, name, counts, f"standoff {target} < {arg:g} km, certain", f"{d / 1000:.1f} km, R {r:.0f} m"))
        else:
            for z in target:
                if z.startswith("band"):
                    d = zone("MDL").distance(p)
                    if d - r < 10500:
                        sys.exit(f"{name}: within the 2-10 km band of the MDL")
                elif zone(z).distance(p) < r + 100:
                    sys.exit(f"{name}: its disk reaches {z}")
            rows.append((report, name, counts, "no finding" + (" (outside " + ", ".join(target) + ")" if target else ""),
                         f"R {r:.0f} m"))
    return rows


def gazetteer_text(places):
    features = []
    for pid, name, alt, lon, lat, radius, country in places:
        features.append({"type": "Feature",
                         "properties": {"id": pid, "name": name, "alt_names": alt, "radius_m": radius, "country": country},
                         "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    doc = {"type": "FeatureCollection", "name": "places", "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def reports_text():
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(REPORT_HEADER)
    for values, _ in SIGHTINGS:
        w.writerow(values)
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = ap.parse_args()
    rows = check(PLACES)
    files = {"datasets/demo/gazetteer.geojson": gazetteer_text(PLACES), "datasets/demo/reports.csv": reports_text()}
    for path, text in files.items():
        full = os.path.join(ROOT, path)
        if args.check:
            with open(full, encoding="utf-8") as f:
                if f.read() != text:
                    sys.exit(f"{path} differs from what the script writes")
        else:
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
    for r in rows:
        print("  ".join(r))
    print(f"{len(PLACES)} places, {len(SIGHTINGS)} sightings" + (" (files current)" if args.check else ""))


if __name__ == "__main__":
    main()
