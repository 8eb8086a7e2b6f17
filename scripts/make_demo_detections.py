#!/usr/bin/python3
"""Writes datasets/demo/detections.csv: synthetic, seeded, deterministic detections placed on the
real (Natural Earth) geography of datasets/korea and datasets/baltic.

Usage: /usr/bin/python3 scripts/make_demo_detections.py [--out PATH] [--check]
  (Debian's python3 with python3-pyproj and python3-shapely 1.8; no network, no wall clock)
  --check  regenerate in memory and compare with the committed file instead of writing.

Every distance is geodesic on WGS84: points are placed with Geod.fwd (a perpendicular offset from a
point on the line), and distances to lines and zone edges are measured in an azimuthal
equidistant projection centred on the detection (exact distances from the centre). A row is kept
only if its measured geometry satisfies its category, uncertainty disk included, so each
category's expected finding does not depend on the engine's rounding. The summary printed at the
end (pasted into datasets/demo/README.md) is recomputed from the written rows.

Categories (column `cat` is not written; see datasets/demo/README.md):
  a  detections inside DMZ-N / DMZ-S (12 whose disk lies inside, 3 whose disk straddles the edge)
  b  KOR/PRK artillery and MLRS near the MDL on their own side: 3-19 km (standoff-20 violations),
     21-60 km (compliant), 4 within their uncertainty of 20 km
  c  KOR battle tanks 2-10 km south of the MDL: daily totals, 3 days above 30
  d  EST/LVA/LTU battle tanks in the Baltic buffer strips (2 days with BUF-LVA above 40, 1 day
     with the BALTIC-AOA total above 150) and in the AOA outside the strips
  e  RUS/BLR artillery and MLRS within 50 km of the Baltic borders, on the RUS/BLR side
  z  background that triggers none of the above
"""
import argparse
import csv
import functools
import io
import json
import math
import os
import random
import sys
from collections import Counter, defaultdict

from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, shape
from shapely.ops import transform as shp_transform
from shapely.prepared import prep

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20270301
GEOD = Geod(ellps="WGS84")
HEADER = ["id", "time", "lon", "lat", "class", "count", "confidence", "source", "uncertainty_m",
          "party", "source_record", "model"]
DAYS = list(range(1, 32))  # March 2027

# Canonical classes and the raw model names the regime maps onto them (by party where it matters).
ALIASES = {
    "battle_tank": ["T-72B3", "T-90M", "K2", "K1A2", "Chonma-216"],
    "artillery": ["2S19", "K9", "M-1978 Koksan", "D-30"],
    "mlrs": ["BM-30", "BM-21", "K239", "KN-09"],
    "acv": ["BMP-2", "BTR-82A", "K21"],
    "troops": [],
    "sam": ["S-400", "Pantsir-S1"],
    "aircraft_fixed_wing": [],
}
CANON = {a: c for c, al in ALIASES.items() for a in al}
CANON.update({c: c for c in ALIASES})
MODELS = {  # models a party plausibly fields, per class
    "KOR": {"battle_tank": ["K2", "K1A2"], "artillery": ["K9"], "mlrs": ["K239"], "acv": ["K21"]},
    "PRK": {"battle_tank": ["Chonma-216"], "artillery": ["M-1978 Koksan", "D-30"], "mlrs": ["KN-09", "BM-21"]},
    "RUS": {"battle_tank": ["T-72B3", "T-90M"], "artillery": ["2S19", "D-30"], "mlrs": ["BM-30", "BM-21"],
            "acv": ["BMP-2", "BTR-82A"], "sam": ["S-400", "Pantsir-S1"]},
    "BLR": {"battle_tank": ["T-72B3"], "artillery": ["2S19", "D-30"], "mlrs": ["BM-21"],
            "acv": ["BMP-2", "BTR-82A"], "sam": ["S-400"]},
    "EST": {"artillery": ["K9"]},
    "LVA": {},
    "LTU": {},
    "": {},
}
COUNT_RANGE = {"battle_tank": (1, 8), "artillery": (1, 8), "mlrs": (1, 6), "acv": (1, 8),
               "troops": (8, 120), "sam": (1, 4), "aircraft_fixed_wing": (1, 4)}
UNC_RANGE = {"imagery": (15, 300), "monitor_report": (100, 1500), "open_source": (500, 3000)}

rng = random.Random(SEED)


# ------------------------------------------------------------------------------------------------
# Geography
# ------------------------------------------------------------------------------------------------
def load(rel):
    with open(os.path.join(ROOT, "datasets", rel), encoding="utf-8") as f:
        return {ft["properties"]["id"]: shape(ft["geometry"]) for ft in json.load(f)["features"]}


KZ = load("korea/zones.geojson")
KL = load("korea/lines.geojson")
BZ = load("baltic/zones.geojson")
BL = load("baltic/lines.geojson")
BT = load("baltic/territories.geojson")
MDL = KL["MDL"]
PREP = {k: prep(v) for k, v in list(KZ.items()) + list(BZ.items()) + [("T-" + k, v) for k, v in BT.items()]}
STRIPS = ["BUF-EST", "BUF-LVA", "BUF-LTU"]
NATO_BALTIC = ["EST", "LVA", "LTU"]
BALTIC_LINES = list(BL)  # EST-RUS … POL-BLR: NATO state on the right of each line


# Natural Earth country polygons include lakes. These coarse, hand-drawn outlines (about ±2 km)
# keep synthetic detections off the largest lakes in the Baltic strips; they are used for
# placement only and are not part of any dataset.
WATER = [
    Polygon([(27.22, 59.03), (27.72, 59.00), (27.80, 58.88), (27.82, 58.72), (27.88, 58.58), (27.95, 58.45),
             (27.80, 58.32), (27.75, 58.18), (27.85, 58.10), (28.10, 58.05), (28.20, 57.95), (28.10, 57.87),
             (27.90, 57.88), (27.72, 57.93), (27.62, 57.97), (27.56, 58.06), (27.50, 58.15), (27.44, 58.26),
             (27.34, 58.36), (27.24, 58.42), (27.20, 58.55), (27.14, 58.66), (27.00, 58.76), (26.95, 58.85),
             (27.05, 58.95)]),  # Lake Peipus, Lämmijärv, Lake Pskov
    Polygon([(26.50, 55.57), (26.63, 55.56), (26.68, 55.62), (26.62, 55.68), (26.52, 55.65)]),  # Drūkšiai
]
WATER_PREP = [prep(w) for w in WATER]


def on_water(lon, lat):
    return any(w.contains(Point(lon, lat)) for w in WATER_PREP)


def inside(zone_key, lon, lat):
    return PREP[zone_key].contains(Point(lon, lat))


@functools.lru_cache(maxsize=256)
def aeqd(lon, lat):
    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=aeqd +lat_0={lat!r} +lon_0={lon!r} +ellps=WGS84")


def gdist(lon, lat, geom):
    """Geodesic distance in metres from (lon, lat) to a line or to a polygon's boundary."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = geom.boundary
    tr = aeqd(lon, lat)
    return shp_transform(lambda x, y: tr.transform(x, y), geom).distance(Point(0.0, 0.0))


def baltic_border_dist(lon, lat, ids=None):
    return min(gdist(lon, lat, BL[i]) for i in (ids or BALTIC_LINES))


def parts(geom):
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def point_along(line, frac):
    """A point at fraction `frac` of the geodesic length of `line`, and the line's azimuth there."""
    seg = []
    for p in parts(line):
        c = list(p.coords)
        seg += [(c[i], c[i + 1]) for i in range(len(c) - 1)]
    lens = [GEOD.inv(a[0], a[1], b[0], b[1])[2] for a, b in seg]
    target = frac * sum(lens)
    for (a, b), ln in zip(seg, lens):
        if target <= ln or (a, b) == seg[-1]:
            az = GEOD.inv(a[0], a[1], b[0], b[1])[0]
            lon, lat, back = GEOD.fwd(a[0], a[1], az, min(target, ln))
            return lon, lat, (back + 180.0) % 360.0
        target -= ln
    raise AssertionError("unreachable")


def offset(line, frac, side, dist_m):
    """Geodesic perpendicular offset: side +1 = right of the line's direction, -1 = left."""
    lon, lat, az = point_along(line, frac)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az + 90.0 * side, dist_m)
    return round(lon2, 6), round(lat2, 6)


def random_in(geom, n_max=10000):
    minx, miny, maxx, maxy = geom.bounds
    pg = prep(geom)
    for _ in range(n_max):
        lon, lat = round(rng.uniform(minx, maxx), 6), round(rng.uniform(miny, maxy), 6)
        if pg.contains(Point(lon, lat)) and not on_water(lon, lat):
            return lon, lat
    raise RuntimeError("could not sample a point")


# ------------------------------------------------------------------------------------------------
# Row construction
# ------------------------------------------------------------------------------------------------
rows = []


def pick_source(weights=(0.7, 0.15, 0.15)):
    return rng.choices(["imagery", "monitor_report", "open_source"], weights)[0]


def unc_for(source, lo=None, hi=None):
    a, b = UNC_RANGE[source]
    a = max(a, lo) if lo is not None else a
    b = min(b, hi) if hi is not None else b
    return int(rng.uniform(a, b)) if b > a else int(a)


def class_fields(party, cls):
    """(class column, model column): canonical or raw model name, as real feeds mix them."""
    models = MODELS.get(party, {}).get(cls, [])
    if not models:
        return cls, ""
    m = rng.choice(models)
    r = rng.random()
    if r < 0.45:
        return m, ""          # the feed gives only the raw model name
    if r < 0.80:
        return cls, m         # canonical class with the model kept
    return cls, ""            # canonical class only


def count_for(cls):
    a, b = COUNT_RANGE[cls]
    return rng.randint(a, b)


def stamp(day, minute):
    return f"2027-03-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z"


def random_time(day, source, region):
    """Imagery comes from a few daily passes per region; other sources at any 5 minutes."""
    if source == "imagery":
        passes = {"KR": [100, 295], "EU": [565, 650]}[region]  # 01:40Z, 04:55Z / 09:25Z, 10:50Z
        return stamp(day, rng.choice(passes))
    return stamp(day, 5 * rng.randrange(288))


def add(cat, sub, lon, lat, party, cls, count, source, unc, time, region, conf=None, img_key=None):
    c, m = class_fields(party, cls)
    rows.append({
        "cat": cat, "sub": sub, "time": time, "lon": lon, "lat": lat, "class": c, "model": m,
        "count": count, "confidence": conf if conf is not None else round(rng.uniform(0.55, 0.98), 2),
        "source": source, "uncertainty_m": int(unc), "party": party, "region": region,
        "img_key": img_key,
    })


# a. Inside the DMZ halves -----------------------------------------------------------------------
def place_dmz(half, party, cls, source, mode):
    """mode 'inside': disk entirely inside the half; 'straddle_in'/'straddle_out': the point is just
    inside/outside the DMZ's outer edge and the disk crosses it (and stays off the MDL)."""
    side = -1 if half == "DMZ-N" else +1  # PRK is left of the west→east MDL
    for _ in range(5000):
        frac = rng.uniform(0.08, 0.92)
        if mode == "inside":
            unc = unc_for(source, hi=700)
            d = rng.uniform(150, 1850)
        elif mode == "straddle_in":
            unc = rng.randint(500, 1500)
            d = rng.uniform(max(2000 - 0.8 * unc, 2000 - 900), 1950)
        else:
            unc = rng.randint(500, 1500)
            d = rng.uniform(2050, 2000 + 0.8 * unc)
        lon, lat = offset(MDL, frac, side, d)
        country = "PRK" if half == "DMZ-N" else "KOR"
        if not inside(country, lon, lat):
            continue
        dm = gdist(lon, lat, MDL)
        edge = gdist(lon, lat, KZ["DMZ"])  # distance to the DMZ outline (outer edge or coast)
        in_half = inside(half, lon, lat)
        if mode == "inside":
            if in_half and gdist(lon, lat, KZ[half]) > unc + 25:
                return lon, lat, unc
        elif mode == "straddle_in":
            if in_half and 25 < edge < unc - 100 and dm > unc + 100 and abs(dm - 2000 - (-edge)) < 50:
                return lon, lat, unc
        else:
            if not inside("DMZ", lon, lat) and 25 < edge < unc - 100 and abs(dm - 2000 - edge) < 50:
                return lon, lat, unc
    raise RuntimeError(f"cannot place DMZ detection {half} {mode}")


def gen_a():
    plan = [  # half, party, class, source, mode
        ("DMZ-N", "PRK", "troops", "imagery", "inside"),
        ("DMZ-N", "PRK", "troops", "monitor_report", "inside"),
        ("DMZ-N", "PRK", "troops", "imagery", "inside"),
        ("DMZ-N", "PRK", "acv", "imagery", "inside"),
        ("DMZ-N", "PRK", "battle_tank", "imagery", "inside"),
        ("DMZ-N", "PRK", "sam", "imagery", "inside"),
        ("DMZ-S", "KOR", "troops", "imagery", "inside"),
        ("DMZ-S", "KOR", "troops", "monitor_report", "inside"),
        ("DMZ-S", "KOR", "troops", "imagery", "inside"),
        ("DMZ-S", "KOR", "acv", "imagery", "inside"),
        ("DMZ-S", "KOR", "sam", "imagery", "inside"),
        ("DMZ-S", "PRK", "troops", "monitor_report", "inside"),  # across the MDL
        ("DMZ-N", "PRK", "troops", "monitor_report", "straddle_in"),
        ("DMZ-S", "KOR", "troops", "monitor_report", "straddle_in"),
        ("DMZ-N", "PRK", "acv", "open_source", "straddle_out"),
    ]
    for half, party, cls, source, mode in plan:
        lon, lat, unc = place_dmz(half, party, cls, source, mode)
        day = rng.choice(DAYS)
        cnt = rng.randint(4, 30) if cls == "troops" else rng.randint(1, 3)
        add("a", f"{half}:{mode}", lon, lat, party, cls, cnt, source, unc, random_time(day, source, "KR"), "KR")


# b. Artillery / MLRS standoff from the MDL --------------------------------------------------------
def place_mdl_side(party, dmin, dmax, unc_fn, accept):
    side = +1 if party == "KOR" else -1
    for _ in range(5000):
        unc = unc_fn()
        d = rng.uniform(dmin, dmax)
        lon, lat = offset(MDL, rng.uniform(0.0, 1.0), side, d)
        if not inside(party, lon, lat):
            continue
        dm = gdist(lon, lat, MDL)
        if accept(dm, unc):
            return lon, lat, unc, dm
    raise RuntimeError(f"cannot place {party} {dmin}-{dmax}")


def gen_b():
    for party in ("PRK", "KOR"):
        for _ in range(20):  # clear violations of a 20 km standoff: disk entirely within 20 km
            source = pick_source()
            lon, lat, unc, _ = place_mdl_side(party, 3000, 19000, lambda s=source: unc_for(s, hi=900),
                                              lambda dm, u: 3000 <= dm <= 19000 and dm + u < 19950)
            cls = rng.choice(["artillery", "artillery", "mlrs"])
            add("b", "violation", lon, lat, party, cls, count_for(cls), source, unc,
                random_time(rng.choice(DAYS), source, "KR"), "KR")
        for _ in range(30):  # clearly compliant: disk entirely beyond 20 km
            source = pick_source()
            lon, lat, unc, _ = place_mdl_side(party, 21000, 60000, lambda s=source: unc_for(s, hi=900),
                                              lambda dm, u: 21000 <= dm <= 60000 and dm - u > 20050)
            cls = rng.choice(["artillery", "artillery", "mlrs"])
            add("b", "compliant", lon, lat, party, cls, count_for(cls), source, unc,
                random_time(rng.choice(DAYS), source, "KR"), "KR")
    for party, target, unc in (("PRK", 19600, 800), ("PRK", 20400, 1100), ("KOR", 19800, 600), ("KOR", 20300, 1200)):
        lon, lat, unc, dm = place_mdl_side(party, target - 150, target + 150, lambda u=unc: u,
                                           lambda dm, u, t=target: abs(dm - t) < 150 and abs(dm - 20000) < u - 100)
        source = "monitor_report" if unc >= 1000 else "imagery"
        add("b", "ambiguous", lon, lat, party, "artillery", count_for("artillery"), source, unc,
            random_time(rng.choice(DAYS), source, "KR"), "KR")


# c. KOR battle tanks 2–10 km south of the MDL: daily totals ----------------------------------------
C_EXCEED = {9: 34, 17: 38, 25: 33}


def split_total(total, lo=1, hi=8):
    counts = []
    while total > 0:
        c = min(total, rng.randint(lo, hi))
        if 0 < total - c < lo:
            c = total - lo
        counts.append(c)
        total -= c
    return counts


def gen_c():
    for day in DAYS:
        total = C_EXCEED.get(day, rng.randint(6, 24))
        minute = 130 + rng.randrange(0, 30)  # one acquisition per day, ~02:10Z–02:40Z
        for cnt in split_total(total):
            for _ in range(5000):
                unc = rng.randint(30, 300)
                lon, lat = offset(MDL, rng.uniform(0.03, 0.97), +1, rng.uniform(2300, 9700))
                if not inside("KOR", lon, lat):
                    continue
                dm = gdist(lon, lat, MDL)
                if 2000 + unc + 50 < dm < 10000 - unc - 50:
                    break
            else:
                raise RuntimeError("cannot place band tank")
            add("c", "exceed" if day in C_EXCEED else "under", lon, lat, "KOR", "battle_tank", cnt,
                "imagery", unc, stamp(day, minute), "KR", img_key=("KR-BAND", day))


# d. Baltic battle tanks in the strips and elsewhere in the AOA ------------------------------------
D_DAYS = [1, 3, 5, 8, 10, 12, 15, 17, 19, 22, 24, 26, 29, 31]
D_LVA_EXCEED = {12: 44, 19: 47}
D_AOA_DAY = 19
D_AOA_PLAN = {"BUF-EST": 38, "BUF-LVA": 47, "BUF-LTU": 39, "AOA": 33}  # 157 > 150


def strip_lines(iso3):
    return [i for i in BALTIC_LINES if i.startswith(iso3 + "-")]


def place_strip(iso3):
    strip = "BUF-" + iso3
    ids = strip_lines(iso3)
    lens = [GEOD.geometry_length(BL[i]) for i in ids]
    for _ in range(5000):
        line = BL[rng.choices(ids, lens)[0]]
        unc = rng.randint(20, 300)
        lon, lat = offset(line, rng.uniform(0.0, 1.0), +1, rng.uniform(500, 14500))
        if inside(strip, lon, lat) and not on_water(lon, lat) and gdist(lon, lat, BZ[strip]) > unc + 30:
            return lon, lat, unc
    raise RuntimeError("cannot place strip tank " + iso3)


AOA_PARTS = {iso3: BT[iso3] for iso3 in NATO_BALTIC}


def place_aoa_outside_strips(min_border_km=15.0, max_unc=300):
    areas = [GEOD.geometry_area_perimeter(AOA_PARTS[i])[0] for i in NATO_BALTIC]
    for _ in range(5000):
        iso3 = rng.choices(NATO_BALTIC, [abs(a) for a in areas])[0]
        lon, lat = random_in(AOA_PARTS[iso3])
        unc = rng.randint(20, max_unc)
        if not inside("BALTIC-AOA", lon, lat) or any(inside(s, lon, lat) for s in STRIPS):
            continue
        if baltic_border_dist(lon, lat) < min_border_km * 1000 + unc + 50:
            continue
        if gdist(lon, lat, BZ["BALTIC-AOA"]) < unc + 30:
            continue
        if any(gdist(lon, lat, BZ[s]) < unc + 30 for s in STRIPS):
            continue
        return lon, lat, unc, iso3
    raise RuntimeError("cannot place AOA tank")


def gen_d():
    for day in D_DAYS:
        if day == D_AOA_DAY:
            plan = dict(D_AOA_PLAN)
        else:
            plan = {"BUF-EST": rng.randint(6, 34), "BUF-LVA": D_LVA_EXCEED.get(day, rng.randint(6, 34)),
                    "BUF-LTU": rng.randint(6, 34), "AOA": rng.randint(0, 25)}
            assert sum(plan.values()) <= 140
        minute = 570 + rng.randrange(0, 20)  # one acquisition per day over the Baltic, ~09:30Z
        for zone, total in plan.items():
            for cnt in split_total(total):
                if zone == "AOA":
                    lon, lat, unc, iso3 = place_aoa_outside_strips()
                    sub = "aoa_outside_strips"
                else:
                    iso3 = zone[4:]
                    lon, lat, unc = place_strip(iso3)
                    sub = zone
                add("d", sub, lon, lat, iso3, "battle_tank", cnt, "imagery", unc, stamp(day, minute), "EU",
                    img_key=("BALTIC", day, zone))


# e. RUS/BLR artillery and MLRS within 50 km of the Baltic borders ---------------------------------
def gen_e():
    """40 rows, stratified by geodesic distance to the nearest Baltic border line."""
    lens = [GEOD.geometry_length(BL[i]) for i in BALTIC_LINES]
    for lo, hi, n_band in ((2000, 15000, 14), (15000, 30000, 13), (30000, 50000, 13)):
        n = 0
        while n < n_band:
            lid = rng.choices(BALTIC_LINES, lens)[0]
            other = lid.split("-")[1]
            source = pick_source((0.6, 0.25, 0.15))
            unc = unc_for(source, hi=1500)
            lon, lat = offset(BL[lid], rng.uniform(0.0, 1.0), -1, rng.uniform(lo, hi + 10000))
            if not inside("T-" + other, lon, lat) or on_water(lon, lat) or any(inside("T-" + c, lon, lat) for c in ("EST", "LVA", "LTU", "POL")):
                continue
            if gdist(lon, lat, BT[other]) < unc + 30:  # disk on land, on that side of the border
                continue
            d = baltic_border_dist(lon, lat)
            if not (max(lo, 1500 + unc) < d < min(hi, 50000 - unc - 50)):
                continue
            cls = rng.choice(["artillery", "artillery", "mlrs"])
            add("e", f"{other} {lo // 1000}-{hi // 1000} km", lon, lat, other, cls, count_for(cls), source, unc,
                random_time(rng.choice(DAYS), source, "EU"), "EU")
            n += 1


# z. Background ----------------------------------------------------------------------------------
EUROPE_SITES = [  # military training areas (approximate public coordinates), 4 km jitter
    ("Grafenwoehr", 11.93, 49.70), ("Hohenfels", 11.84, 49.22), ("Bergen-Hohne", 9.95, 52.80),
    ("Munster", 10.09, 52.99), ("Sennelager", 8.70, 51.77), ("Wildflecken", 9.92, 50.38),
    ("Baumholder", 7.33, 49.65), ("Drawsko Pomorskie", 15.85, 53.55), ("Zagan", 15.32, 51.62),
    ("Nowa Deba", 21.75, 50.43), ("Libava", 17.53, 49.63), ("Lest", 19.33, 48.37),
    ("Hajmasker", 18.02, 47.14), ("Cincu", 24.79, 45.87), ("Smardan", 27.93, 45.48),
    ("Novo Selo", 26.25, 42.73), ("Niinisalo", 22.47, 61.84), ("Rovajarvi", 25.90, 66.50),
    ("Rena", 11.37, 61.16), ("Skovde", 13.85, 58.40), ("Leopoldsburg", 5.26, 51.12),
    ("Mourmelon", 4.37, 49.13), ("Canjuers", 6.45, 43.65), ("Salisbury Plain", -1.90, 51.25),
]
ALL_CLASSES = list(ALIASES)


def bg_korea():
    for party in ("KOR", "PRK"):
        n = 0
        while n < 50:
            lon, lat = random_in(KZ[party])
            source = pick_source()
            unc = unc_for(source)
            if gdist(lon, lat, MDL) < 45000 + unc:
                continue
            cls = rng.choice(ALL_CLASSES)
            add("z", "korea", lon, lat, party, cls, count_for(cls), source, unc,
                random_time(rng.choice(DAYS), source, "KR"), "KR")
            n += 1


def bg_baltic_aoa():
    n = 0
    while n < 60:
        lon, lat, _, iso3 = place_aoa_outside_strips(min_border_km=30.0)
        source = pick_source()
        unc = unc_for(source, hi=3000)
        if baltic_border_dist(lon, lat) < 30000 + unc:
            continue
        cls = rng.choice([c for c in ALL_CLASSES if c != "battle_tank"])
        add("z", "baltic_aoa", lon, lat, iso3, cls, count_for(cls), source, unc,
            random_time(rng.choice(DAYS), source, "EU"), "EU")
        n += 1


def bg_poland():
    n = 0
    while n < 30:
        lon, lat = random_in(BT["POL"])
        source = pick_source()
        unc = unc_for(source)
        if baltic_border_dist(lon, lat) < 60000 + unc:
            continue
        party = rng.choice(["", "", "EST", "LVA", "LTU"])
        cls = rng.choice(ALL_CLASSES)
        add("z", "poland", lon, lat, party, cls, count_for(cls), source, unc,
            random_time(rng.choice(DAYS), source, "EU"), "EU")
        n += 1


def bg_rus_blr():
    n = 0
    while n < 40:
        other = rng.choice(["RUS", "BLR"])
        lon, lat = random_in(BT[other])
        source = pick_source()
        unc = unc_for(source)
        if baltic_border_dist(lon, lat) < 60000 + unc:
            continue
        cls = rng.choice(ALL_CLASSES)
        add("z", "rus_blr", lon, lat, other, cls, count_for(cls), source, unc,
            random_time(rng.choice(DAYS), source, "EU"), "EU")
        n += 1


def bg_europe():
    for i in range(120):
        if sum(1 for r in rows if r["sub"] == "europe") >= 70:
            break
        name, lon0, lat0 = EUROPE_SITES[i % len(EUROPE_SITES)]
        lon, lat, _ = GEOD.fwd(lon0, lat0, rng.uniform(0, 360), rng.uniform(0, 4000))
        lon, lat = round(lon, 6), round(lat, 6)
        source = pick_source()
        unc = unc_for(source)
        party = rng.choice(["", "EST", "LVA", "LTU"])
        cls = rng.choice(ALL_CLASSES)
        add("z", "europe", lon, lat, party, cls, count_for(cls), source, unc,
            random_time(rng.choice(DAYS), source, "EU"), "EU")


# ------------------------------------------------------------------------------------------------
# Finish: order, ids, source records
# ------------------------------------------------------------------------------------------------
CAT_ORDER = {c: i for i, c in enumerate("abcdez")}


def finish():
    rows.sort(key=lambda r: (r["time"], CAT_ORDER[r["cat"]], r["sub"], r["lon"], r["lat"]))
    counters = Counter()
    keys = {}
    prefix = {"imagery": "IMG", "monitor_report": "MR", "open_source": "OS"}
    for i, r in enumerate(rows, 1):
        r["id"] = f"D-{i:05d}"
        s = r["source"]
        if s == "imagery" and r["img_key"] is not None:  # a planned acquisition (categories c, d)
            key = (s, r["img_key"], r["time"])
        elif s == "imagery":  # one image per pass time and 1°×1° cell
            key = (s, r["time"], r["region"], math.floor(r["lon"]), math.floor(r["lat"]))
        elif s == "monitor_report":  # one report per region and day
            key = (s, r["region"], r["time"][:10])
        else:
            key = (s, i)
        if key not in keys:
            counters[s] += 1
            keys[key] = f"{prefix[s]}-{counters[s]:04d}"
        r["source_record"] = keys[key]


def to_csv():
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for r in rows:
        w.writerow([r["id"], r["time"], f"{r['lon']:.6f}", f"{r['lat']:.6f}", r["class"], r["count"],
                    f"{r['confidence']:.2f}", r["source"], r["uncertainty_m"], r["party"],
                    r["source_record"], r["model"]])
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------
# Summary: recomputed from the rows (all rows, not just each category), as a regime would see them
# ------------------------------------------------------------------------------------------------
def summary():
    out = []
    p = out.append
    cats = Counter(r["cat"] for r in rows)
    subs = Counter((r["cat"], r["sub"]) for r in rows)
    p(f"rows: {len(rows)}")
    names = {"a": "a. inside DMZ-N/DMZ-S (incl. edge-straddling)", "b": "b. KOR/PRK artillery+MLRS vs 20 km standoff",
             "c": "c. KOR battle tanks 2-10 km south of the MDL", "d": "d. Baltic battle tanks (strips / AOA)",
             "e": "e. RUS/BLR artillery+MLRS within 50 km of Baltic borders", "z": "z. background"}
    for c in "abcdez":
        p(f"  {names[c]}: {cats[c]} rows")
        for (cc, s), n in sorted(subs.items()):
            if cc == c:
                p(f"      {s}: {n}")
    p("by source: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r['source'] for r in rows).items())))
    p("by party: " + ", ".join(f"{k or '(unknown)'} {v}" for k, v in sorted(Counter(r['party'] for r in rows).items())))
    p("by canonical class: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(CANON[r['class']] for r in rows).items())))
    p(f"class column holds a raw model name in {sum(r['class'] not in ALIASES for r in rows)} rows")
    p(f"time span: {min(r['time'] for r in rows)} .. {max(r['time'] for r in rows)}")

    # DMZ: every row whose point or disk touches the DMZ.
    dmz_in = [r for r in rows if inside("DMZ", r["lon"], r["lat"])]
    straddle = [r for r in rows if r["cat"] == "a" and "straddle" in r["sub"]]
    p(f"DMZ: {len(dmz_in)} points inside (DMZ-N {sum(inside('DMZ-N', r['lon'], r['lat']) for r in dmz_in)}, "
      f"DMZ-S {sum(inside('DMZ-S', r['lon'], r['lat']) for r in dmz_in)}); "
      f"edge-straddling disks: " + ", ".join(
          f"{r['id']} ({'in' if inside('DMZ', r['lon'], r['lat']) else 'out'}, "
          f"{gdist(r['lon'], r['lat'], KZ['DMZ']):.0f} m from edge, r={r['uncertainty_m']} m)" for r in straddle))
    near = [r for r in rows if r not in dmz_in and r["party"] in ("KOR", "PRK")
            and gdist(r["lon"], r["lat"], KZ["DMZ"]) < r["uncertainty_m"]]
    p(f"  points outside the DMZ whose disk reaches it: {', '.join(r['id'] for r in near) or 'none'}")

    # Standoff 20 km: KOR/PRK artillery + MLRS.
    arty = [r for r in rows if r["party"] in ("KOR", "PRK") and CANON[r["class"]] in ("artillery", "mlrs")]
    cert = poss = 0
    ok = Counter()
    amb = []
    dists = []
    for r in arty:
        d, u = gdist(r["lon"], r["lat"], MDL), r["uncertainty_m"]
        if d + u < 20000:
            cert += 1
            dists.append(d)
        elif d - u < 20000:
            poss += 1
            amb.append(f"{r['id']} {d / 1000:.2f} km ±{u} m")
        else:
            ok[r["cat"]] += 1
    p(f"standoff 20 km (KOR/PRK artillery+MLRS, {len(arty)} rows): certain violations {cert} "
      f"({min(dists) / 1000:.1f}-{max(dists) / 1000:.1f} km), within uncertainty of 20 km {poss} "
      f"({'; '.join(amb)}), compliant {sum(ok.values())} ({ok['b']} at 21-60 km, {ok['z']} background beyond 45 km)")

    # Band 2–10 km south of the MDL: KOR battle tanks, sum per UTC day.
    band = defaultdict(int)
    band_times = defaultdict(set)
    for r in rows:
        if r["party"] == "KOR" and CANON[r["class"]] == "battle_tank" and inside("KOR", r["lon"], r["lat"]):
            d = gdist(r["lon"], r["lat"], MDL)
            if 2000 - r["uncertainty_m"] <= d <= 10000 + r["uncertainty_m"]:
                assert 2000 + r["uncertainty_m"] < d < 10000 - r["uncertainty_m"], r
                band[r["time"][:10]] += r["count"]
                band_times[r["time"][:10]].add(r["time"])
    assert all(len(t) == 1 for t in band_times.values())
    over = {k: v for k, v in band.items() if v > 30}
    p(f"band 2-10 km south (KOR battle tanks): {len(band)} days with tanks, daily totals "
      f"{min(band.values())}..{max(v for v in band.values() if v <= 30)} on the other days; "
      f"above 30 on {', '.join(f'{k} ({v})' for k, v in sorted(over.items()))}")

    # Baltic strips and AOA: battle tanks per UTC day.
    per = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if CANON[r["class"]] != "battle_tank":
            continue
        day = r["time"][:10]
        if inside("BALTIC-AOA", r["lon"], r["lat"]):
            per[day]["BALTIC-AOA"] += r["count"]
            for s in STRIPS:
                if inside(s, r["lon"], r["lat"]):
                    per[day][s] += r["count"]
    lva_over = {d: v["BUF-LVA"] for d, v in per.items() if v["BUF-LVA"] > 40}
    others_over = {(d, s): v[s] for d, v in per.items() for s in ("BUF-EST", "BUF-LTU") if v[s] > 40}
    aoa_over = {d: v["BALTIC-AOA"] for d, v in per.items() if v["BALTIC-AOA"] > 150}
    p(f"Baltic battle tanks: {len(per)} days; BUF-LVA above 40 on "
      f"{', '.join(f'{d} ({v})' for d, v in sorted(lva_over.items()))}; BUF-EST/BUF-LTU above 40: "
      f"{others_over or 'never'}; BALTIC-AOA above 150 on "
      f"{', '.join(f'{d} ({v})' for d, v in sorted(aoa_over.items()))}; "
      f"max AOA total on other days {max(v['BALTIC-AOA'] for d, v in per.items() if d not in aoa_over)}")
    for d in sorted(per):
        v = per[d]
        p(f"      {d}: EST {v['BUF-EST']:2d}  LVA {v['BUF-LVA']:2d}  LTU {v['BUF-LTU']:2d}  "
          f"outside strips {v['BALTIC-AOA'] - v['BUF-EST'] - v['BUF-LVA'] - v['BUF-LTU']:2d}  AOA {v['BALTIC-AOA']:3d}")

    # RUS/BLR artillery near the Baltic borders.
    rb = [r for r in rows if r["party"] in ("RUS", "BLR") and CANON[r["class"]] in ("artillery", "mlrs")]
    bands = Counter()
    for r in rb:
        d = baltic_border_dist(r["lon"], r["lat"]) / 1000
        bands["0-15" if d < 15 else "15-30" if d < 30 else "30-50" if d < 50 else ">60" if d > 60 else "50-60"] += 1
    p(f"RUS/BLR artillery+MLRS by distance to the Baltic borders (km): "
      + ", ".join(f"{k}: {bands[k]}" for k in ("0-15", "15-30", "30-50", "50-60", ">60")))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "datasets", "demo", "detections.csv"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    gen_a(); gen_b(); gen_c(); gen_d(); gen_e()
    bg_korea(); bg_baltic_aoa(); bg_poland(); bg_rus_blr(); bg_europe()
    finish()
    text = to_csv()
    if args.check:
        with open(args.out, encoding="utf-8") as f:
            same = f.read() == text
        print("detections.csv is " + ("up to date" if same else "OUT OF DATE"), file=sys.stderr)
        return 0 if same else 1
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
