#!/usr/bin/python3
"""Writes the declarations side of the demo: datasets/demo/declarations.csv (what Belarus and
Russia declared) and datasets/demo/exercise_detections.csv (observed military activities in
Belarus, in addition to datasets/demo/detections.csv, which is left as it is).

Usage: /usr/bin/python3 scripts/make_demo_declarations.py [--check]
  (Debian's python3 with python3-pyproj; seeded, no network, no wall clock)
  --check  regenerate in memory and compare with the committed files instead of writing.

Synthetic, modelled on real patterns (../shared/reference/regimes.md, Vienna Document 2011):

Declarations of BLR holdings (rule blr-declared-holdings, type declaration_match), one per
BLR battle tank / ACV / artillery / MLRS row of detections.csv, in the demo's order:
  exact       declared within 0-600 m of the sighting, radius 3 km, the quantity seen
  wrong_place declared 30-40 km away: the sighting is undeclared, the declaration has no
              observation (unverifiable: the demo has no imagery coverage)
  over        declared 6 more than seen (count mismatch, fewer seen; possible without imagery)
  under       declared 3 fewer than seen (count mismatch, more seen; certain)
  none        not declared at all (undeclared)

Activities (rule vd11-activities, type notification), in exercise_detections.csv:
  EX-1  BLR exercise south of Baranovichi, 16-18 March: declared (notified 25 January, 50 days
        ahead) at 12,700 troops and 120 battle tanks; observed peak 13,440 troops on 17 March
        (>= 13,000: observers should have been invited) and 118 tanks (matches). Part of the troops
        are also seen in a monitoring report 300 m and 40 minutes away (merged: 2 sources).
  EX-2  RUS troops near Asipovichy, 23 March: 9,600 troops, nothing notified (not notified).
  EX-3  BLR exercise near Luninets, 26-27 March: 10,200 troops, notified on 5 March, 21 days
        ahead instead of 42 (late notification).
LVA-AEMI-101 (rule lva-declared-holdings): 2 SAM launchers declared inside observation area
OA-DGP, imaged completely by flight OS7012 (datasets/mission) on 16 March: nothing seen there ->
unconfirmed.
Every activity is > 100 km from the Baltic and Polish borders and outside the Baltic area of
application, so the demo's other rules and findings are unchanged.
"""
import argparse
import csv
import io
import os
import random
import sys

from pyproj import Geod

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20270316
GEOD = Geod(ellps="WGS84")
DET_HEADER = ["id", "time", "lon", "lat", "class", "count", "confidence", "source", "uncertainty_m",
              "party", "source_record", "model"]
DECL_HEADER = ["id", "party", "unit", "class", "quantity", "lon", "lat", "radius_m", "area_wkt",
               "site_id", "valid_from", "valid_to", "kind", "reference", "notified"]
CANON = {"2S19": "artillery", "D-30": "artillery", "BM-21": "mlrs", "BM-30": "mlrs",
         "BTR-82A": "acv", "BMP-2": "acv", "T-72B3": "battle_tank", "T-90M": "battle_tank"}
HOLDINGS = ("battle_tank", "acv", "artillery", "mlrs")
# Outcome per BLR holdings row, in the order of detections.csv (31 rows): 20 exact, 4 wrong place,
# 3 over-declared, 2 under-declared, 2 undeclared.
PLAN = (["exact"] * 5 + ["wrong_place"] + ["exact"] * 4 + ["over"] + ["exact"] * 3 + ["none"] +
        ["exact"] * 2 + ["under", "wrong_place"] + ["exact"] * 3 + ["over", "wrong_place"] +
        ["exact"] * 2 + ["none", "under", "over", "exact", "wrong_place"])

rng = random.Random(SEED)


def offset(lon, lat, km, azimuth):
    x, y, _ = GEOD.fwd(lon, lat, azimuth, km * 1000.0)
    return round(x, 6), round(y, 6)


def holdings_declarations():
    rows = list(csv.DictReader(open(os.path.join(ROOT, "datasets/demo/detections.csv"))))
    blr = [r for r in rows if r["party"] == "BLR" and CANON.get(r["class"], r["class"]) in HOLDINGS]
    assert len(blr) == len(PLAN), (len(blr), len(PLAN))
    out, summary = [], {}
    for n, (r, outcome) in enumerate(zip(blr, PLAN), start=1):
        cls = CANON.get(r["class"], r["class"])
        count = int(r["count"])
        lon, lat = float(r["lon"]), float(r["lat"])
        summary[outcome] = summary.get(outcome, 0) + 1
        if outcome == "none":
            continue
        if outcome == "wrong_place":
            lon, lat = offset(lon, lat, rng.uniform(30, 40), rng.uniform(0, 360))
        else:
            lon, lat = offset(lon, lat, rng.uniform(0, 0.6), rng.uniform(0, 360))
        quantity = {"over": count + 6, "under": max(0, count - 3)}.get(outcome, count)
        out.append({"id": f"BLR-AEMI-{n:03d}", "party": "BLR", "unit": f"BLR {cls} unit {n:02d}",
                    "class": cls, "quantity": quantity, "lon": lon, "lat": lat, "radius_m": 3000,
                    "area_wkt": "", "site_id": "", "valid_from": "2027-03-01",
                    "valid_to": "2027-04-01", "kind": "deployment",
                    "reference": "AEMI-2027/BLR (annual exchange)", "notified": ""})
    return out, summary


def activity(prefix, party, centre, day_counts, cls, per_group, spread_km, hour, image, first_id):
    """Groups of `per_group` items around `centre` on each day, ~spread_km apart; the last group of
    a day takes the remainder. Returns detection rows."""
    rows = []
    k = first_id
    for day, total in day_counts:
        groups = []
        left = total
        while left > 0:
            groups.append(min(per_group, left))
            left -= groups[-1]
        for g, count in enumerate(groups):
            az = (360.0 / len(groups)) * g + rng.uniform(-8, 8)
            dist = spread_km * (0.3 + 0.7 * ((g % 4) + 1) / 4)
            lon, lat = offset(centre[0], centre[1], dist, az)
            rows.append({"id": f"{prefix}-{k:05d}", "time": f"{day}T{hour}Z", "lon": lon, "lat": lat,
                         "class": cls, "count": count, "confidence": round(rng.uniform(0.7, 0.95), 2),
                         "source": "imagery", "uncertainty_m": rng.randint(20, 120), "party": party,
                         "source_record": f"{image}-{day[-2:]}", "model": ""})
            k += 1
    return rows, k


def exercise_detections():
    rows = []
    k = 1
    # EX-1: BLR, south of Baranovichi.
    ex1 = (26.0, 52.95)
    r, k = activity("E", "BLR", ex1, [("2027-03-16", 8160), ("2027-03-17", 13440), ("2027-03-18", 6240)],
                    "troops", 960, 12.0, "09:40:00", "IMG-EX1", k)
    rows += r
    # Part of the 17 March troops also in a monitoring report, 300 m and 40 minutes away.
    seen = [x for x in r if x["time"].startswith("2027-03-17")][:5]
    for x in seen:
        lon, lat = offset(x["lon"], x["lat"], 0.3, 45.0)
        rows.append({**x, "id": f"E-{k:05d}", "time": "2027-03-17T10:20:00Z", "lon": lon, "lat": lat,
                     "source": "monitor_report", "uncertainty_m": 400, "confidence": 0.6,
                     "source_record": "MR-EX1-17"})
        k += 1
    r, k = activity("E", "BLR", ex1, [("2027-03-17", 118)], "T-72B3", 12, 8.0, "09:40:00", "IMG-EX1", k)
    rows += r
    # EX-2: RUS troops near Asipovichy, not notified.
    r, k = activity("E", "RUS", (28.55, 53.25), [("2027-03-23", 9600)], "troops", 800, 10.0, "08:55:00", "IMG-EX2", k)
    rows += r
    # EX-3: BLR near Luninets, notified late.
    r, k = activity("E", "BLR", (26.9, 52.3), [("2027-03-26", 10200), ("2027-03-27", 7400)], "troops", 850, 10.0,
                    "10:05:00", "IMG-EX3", k)
    rows += r
    return rows


def activity_declarations():
    ex1_area = "POLYGON((25.6 52.7,26.4 52.7,26.4 53.2,25.6 53.2,25.6 52.7))"
    common = {"party": "BLR", "lon": "", "lat": "", "radius_m": "", "site_id": ""}
    return [
        {**common, "id": "BLR-VD-EX1-T", "unit": "Western Operational Command", "class": "troops", "quantity": 12700,
         "area_wkt": ex1_area, "valid_from": "2027-03-15", "valid_to": "2027-03-20", "kind": "exercise",
         "reference": "CBM/BY/27/0001/F25/O (VD11 ch. V)", "notified": "2027-01-25"},
        {**common, "id": "BLR-VD-EX1-K", "unit": "Western Operational Command", "class": "battle_tank", "quantity": 120,
         "area_wkt": ex1_area, "valid_from": "2027-03-15", "valid_to": "2027-03-20", "kind": "exercise",
         "reference": "CBM/BY/27/0001/F25/O (VD11 ch. V)", "notified": "2027-01-25"},
        {**common, "id": "BLR-VD-EX3-T", "unit": "Polesie training area", "class": "troops", "quantity": 10500,
         "lon": 26.9, "lat": 52.3, "radius_m": 25000, "area_wkt": "", "valid_from": "2027-03-25",
         "valid_to": "2027-03-29", "kind": "notification", "reference": "CBM/BY/27/0007/F25/O (VD11 ch. V)",
         "notified": "2027-03-05"},
    ]


def observation_area_declarations():
    """A Latvian air-defence battery declared inside observation area OA-DGP (datasets/mission),
    which flight OS7012 imaged completely on 16 March at <= 0.5 m: nothing is seen there, so the
    declaration is unconfirmed (rule lva-declared-holdings)."""
    return [{"id": "LVA-AEMI-101", "party": "LVA", "unit": "air defence battery (NASAMS)", "class": "sam",
             "quantity": 2, "lon": 26.53, "lat": 55.8925, "radius_m": 800, "area_wkt": "", "site_id": "",
             "valid_from": "2027-03-01", "valid_to": "2027-04-01", "kind": "deployment",
             "reference": "AEMI-2027/LVA (annual exchange)", "notified": ""}]


def render(header, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    holdings, summary = holdings_declarations()
    decls = render(DECL_HEADER, holdings + activity_declarations() + observation_area_declarations())
    dets = render(DET_HEADER, exercise_detections())
    outputs = {"datasets/demo/declarations.csv": decls, "datasets/demo/exercise_detections.csv": dets}
    bad = False
    for rel, text in outputs.items():
        path = os.path.join(ROOT, rel)
        if args.check:
            if not os.path.exists(path) or open(path).read() != text:
                print(f"{rel}: differs from the generator", file=sys.stderr)
                bad = True
        else:
            with open(path, "w") as f:
                f.write(text)
    print("BLR holdings declarations by outcome:", ", ".join(f"{k} {v}" for k, v in sorted(summary.items())))
    print(f"declarations: {decls.count(chr(10)) - 1} rows; exercise detections: {dets.count(chr(10)) - 1} rows")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
