#!/usr/bin/env python3
"""Writes the data-driven scenarios under tests/scenarios/<name>/.

Each scenario has zones.geojson (polygons and lines), regime.toml, detections.csv,
expected.csv (the findings avf must produce: rule, target, kind, certainty, evidence ids, and
optionally the measured value), optionally problems.csv (line, code, field of each rejected
record) and scenario.toml (a one-line description, and run options).

Positions are computed geodesically with pyproj (PROJ's implementation of Karney's algorithms,
independent of avf's GeographicLib code), and the expected findings are written here by
construction — never copied from avf's output.

Run with Debian's python3 (python3-pyproj):  /usr/bin/python3 tests/scenarios/make_scenarios.py
"""
import json
import os
from pyproj import Geod

G = Geod(ellps="WGS84")
HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = "id,time,lon,lat,class,count,confidence,source,uncertainty_m,party,source_record,model"

REGIME_HEAD = """[regime]
id = "scenario"
name = "Scenario regime"
parties = ["KOR", "PRK"]
in_force_from = "2020-01-01"

[classes]
battle_tank = ["T-72B3", "K2"]
artillery = ["2S19", "K9"]
mlrs = ["BM-30"]
troops = []
"""


def fwd(lon, lat, azimuth, meters):
    lon2, lat2, _ = G.fwd(lon, lat, azimuth, meters)
    return lon2, lat2


def square(lon0, lat0, lon1, lat1):
    return [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write(name, description, zones, regime_rules, detections, expected, problems=None, options=None, files=None, notes=None, head=REGIME_HEAD):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    for fname, content in (files or {}).items():  # imagery, tracks, routes
        with open(os.path.join(d, fname), "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=1) + "\n")
    with open(os.path.join(d, "zones.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": zones}, f, indent=1)
        f.write("\n")
    with open(os.path.join(d, "regime.toml"), "w") as f:
        f.write(head + regime_rules)
    if detections is not None:  # None: a run without detections (imagery only, declarations only)
        with open(os.path.join(d, "detections.csv"), "w") as f:
            f.write(HEADER + "\n")
            for row in detections:
                f.write(row + "\n")
    with open(os.path.join(d, "expected.csv"), "w") as f:
        f.write("rule,target,kind,certainty,evidence,measured\n")
        for e in expected:
            f.write(",".join(str(x) for x in e) + "\n")
    if problems is not None:
        with open(os.path.join(d, "problems.csv"), "w") as f:
            f.write("line,code,field\n")
            for p in problems:
                f.write(",".join(str(x) for x in p) + "\n")
    if notes is not None:  # records kept with a `note` problem
        with open(os.path.join(d, "notes.csv"), "w") as f:
            f.write("line,code,field\n")
            for p in notes:
                f.write(",".join(str(x) for x in p) + "\n")
    with open(os.path.join(d, "scenario.toml"), "w") as f:
        f.write('description = "%s"\n' % description)
        for k, v in (options or {}).items():
            f.write('%s = "%s"\n' % (k, v))


def det(id, lonlat, cls, count=1, unc=0, time="2027-03-04T10:00:00Z", party="PRK", model="", source="imagery"):
    return "%s,%s,%.9f,%.9f,%s,%d,0.9,%s,%s,%s,IMG-1,%s" % (id, time, lonlat[0], lonlat[1], cls, count, source, unc, party, model)


SQUARE = square(127.0, 38.0, 128.0, 39.0)
# A meridian is a geodesic, so the nearest point of the line x = 127 to a point reached from
# (127, lat) with azimuth 90° is that start point, and the distance is the distance travelled.
MERIDIAN = {"type": "LineString", "coordinates": [[127.0, 37.0], [127.0, 39.0]]}


def east_of_meridian(m, lat=38.0):
    return fwd(127.0, lat, 90.0, m)


def prohibited():
    west_edge = lambda m: fwd(127.0, 38.5, 90.0 if m >= 0 else 270.0, abs(m))
    zones = [feature({"id": "Z", "name": "zone", "kind": "dmz"}, {"type": "Polygon", "coordinates": SQUARE})]
    rules = """
[[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]

[[rules]]
id = "p-open"
type = "prohibited"
zones = ["Z"]
classes = ["battle_tank"]
boundary = "outside"
"""
    d = [
        det("in", (127.5, 38.5), "troops"),
        det("edge-in", west_edge(200), "troops", unc=500),
        det("edge-out", west_edge(-300), "troops", unc=500),
        det("far-out", west_edge(-2000), "troops", unc=500),
        det("on-edge", (127.0, 38.5), "K2"),
        det("on-vertex", (128.0, 39.0), "battle_tank"),
        det("tank-in", (127.6, 38.4), "T-72B3", 3),
    ]
    e = [
        ("p", "Z", "violation", "certain", "in", ""),
        ("p", "Z", "violation", "possible", "edge-in", "0.200"),
        ("p", "Z", "violation", "possible", "edge-out", "-0.300"),
        ("p", "Z", "violation", "certain", "on-edge", "0.000"),
        ("p", "Z", "violation", "certain", "on-vertex", "0.000"),
        ("p", "Z", "violation", "certain", "tank-in", ""),
        ("p-open", "Z", "violation", "certain", "tank-in", ""),
    ]
    write("prohibited", "prohibited: inside certain; disks straddling either way possible; boundary and vertex inside by default, outside with boundary = outside",
          zones, rules, d, e)


def standoff():
    zones = [feature({"id": "L", "name": "line", "kind": "demarcation_line"}, MERIDIAN)]
    rules = """
[[rules]]
id = "s"
type = "standoff"
classes = ["artillery", "mlrs"]
parties = ["PRK"]
line = "L"
distance_km = 20

[[rules]]
id = "s-incl"
type = "standoff"
classes = ["mlrs"]
line = "L"
distance_km = 20
at_limit = "violation"
"""
    d = [
        det("close", east_of_meridian(12_000), "2S19", 2),
        det("inside-by-half-metre", east_of_meridian(19_999.5), "artillery"),
        det("outside-by-half-metre", east_of_meridian(20_000.5), "artillery"),
        det("disk-straddles", east_of_meridian(20_300), "artillery", unc=500),
        det("disk-clear", east_of_meridian(20_600), "artillery", unc=500),
        det("tank", east_of_meridian(5_000), "battle_tank"),
        det("other-party", east_of_meridian(5_000), "artillery", party="KOR"),
        det("unknown-party", east_of_meridian(5_000, 38.2), "artillery", party=""),
        det("mlrs-inside-by-half-mm", east_of_meridian(19_999.9995, 38.4), "BM-30", party="KOR"),
        det("mlrs-outside-by-half-mm", east_of_meridian(20_000.0005, 38.6), "BM-30", party="KOR"),
    ]
    e = [
        ("s", "L", "violation", "certain", "close", "12.000"),
        ("s", "L", "violation", "certain", "inside-by-half-metre", "19.9995"),
        ("s", "L", "violation", "possible", "disk-straddles", "20.300"),
        ("s", "L", "violation", "certain", "unknown-party", "5.000"),
        ("s-incl", "L", "violation", "certain", "mlrs-inside-by-half-mm", "20.000"),
    ]
    write("standoff", "standoff: geodesic distance to a meridian line at ±0.5 m of 20 km, uncertainty straddling the limit, class and party scope (unknown party in scope), inclusive limit at ±0.5 mm",
          zones, rules, d, e)


def ceiling():
    zones = [
        feature({"id": "OUTER", "name": "outer", "kind": "area"}, {"type": "Polygon", "coordinates": square(126.0, 37.0, 129.0, 40.0)}),
        feature({"id": "B", "name": "buffer", "kind": "buffer", "parent": "OUTER"}, {"type": "Polygon", "coordinates": SQUARE}),
    ]
    rules = """
[[rules]]
id = "c"
type = "ceiling"
zones = ["B"]
classes = ["battle_tank"]
max_count = 10
window = "P1D"

[[rules]]
id = "c-outer"
type = "ceiling"
zones = ["OUTER"]
classes = ["battle_tank"]
max_count = 20
window = "P1D"
"""
    edge = fwd(127.0, 38.5, 90.0, 100.0)
    d = [
        det("d1a", (127.5, 38.5), "battle_tank", 6, time="2027-03-04T08:00:00Z"),
        det("d1b", (127.5, 38.6), "K2", 4, time="2027-03-04T20:00:00Z"),
        det("d2a", (127.5, 38.5), "battle_tank", 6, time="2027-03-05T08:00:00Z"),
        det("d2b", (127.4, 38.5), "battle_tank", 5, time="2027-03-05T09:00:00Z"),
        det("d2-art", (127.4, 38.5), "artillery", 50, time="2027-03-05T09:00:00Z"),
        det("d3a", (127.5, 38.5), "battle_tank", 9, time="2027-03-06T08:00:00Z"),
        det("d3b", edge, "battle_tank", 4, unc=500, time="2027-03-06T08:00:00Z"),
        det("d3c", (126.5, 37.5), "battle_tank", 8, time="2027-03-06T09:00:00Z"),
    ]
    e = [
        ("c", "B", "violation", "certain", "d2a;d2b", "11"),
        ("c", "B", "violation", "possible", "d3a;d3b", "13"),
        ("c-outer", "OUTER", "violation", "certain", "d3a;d3b;d3c", "21"),
    ]
    write("ceiling", "ceiling: exactly 10 per day complies, 11 violates; straddling items make a possible violation; items in a nested zone count in its parent",
          zones, rules, d, e)


def band():
    east = {"type": "Polygon", "coordinates": square(127.0, 37.0, 128.5, 39.0)}
    zones = [feature({"id": "L", "name": "line", "kind": "demarcation_line"}, MERIDIAN),
             feature({"id": "EAST", "name": "east side", "kind": "territory"}, east)]
    rules = """
[[rules]]
id = "b"
type = "band"
line = "L"
from_km = 2
to_km = 10
within_zone = "EAST"
classes = ["battle_tank"]
max_count = 5
window = "P1D"

[[rules]]
id = "b-ban"
type = "band"
line = "L"
from_km = 0
to_km = 2
classes = ["artillery"]
"""
    west = fwd(127.0, 38.0, 270.0, 5000)
    d = [
        det("b1", east_of_meridian(5000), "battle_tank", 4),
        det("b2", east_of_meridian(9999.5, 38.2), "battle_tank", 2),
        det("beyond", east_of_meridian(10000.5, 38.3), "battle_tank", 7),
        det("near", east_of_meridian(1999.5, 38.4), "battle_tank", 7),
        det("west", west, "battle_tank", 9),
        det("art-close", east_of_meridian(1500, 38.1), "artillery"),
        det("art-at-2km", east_of_meridian(2000.5, 38.1), "artillery"),
    ]
    e = [
        ("b", "L", "violation", "certain", "b1;b2", "6"),
        ("b-ban", "L", "violation", "certain", "art-close", "1.500"),
    ]
    write("band", "band: [2, 10) km on the east side counts 4 + 2 = 6 > 5; at 9.9995 km in, 10.0005 km and 1.9995 km out; the west side never counts; a 0-2 km ban",
          zones, rules, d, e)


def validity_and_waivers():
    zones = [feature({"id": "Z", "name": "zone", "kind": "dmz", "valid_from": "2027-01-01", "valid_to": "2027-06-01"},
                     {"type": "Polygon", "coordinates": SQUARE})]
    rules = """
[[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]
valid_from = "2027-02-01"
  [[rules.waivers]]
  id = "ceremony"
  classes = ["troops"]
  max_count = 5
  valid_from = "2027-03-10"
  valid_to = "2027-03-11"
  basis = "ceremony authorised by the MAC"

[[rules]]
id = "c"
type = "ceiling"
zones = ["Z"]
classes = ["battle_tank"]
max_count = 5
aggregation = "instant"
  [[rules.waivers]]
  id = "exercise"
  max_count = 3
  valid_from = "2027-03-20T11:00:00Z"
  valid_to = "2027-03-20T12:00:00Z"
  basis = "notified exercise"
"""
    p = (127.5, 38.5)
    d = [
        det("before-rule", p, "troops", time="2027-01-15T00:00:00Z"),
        det("during", p, "troops", time="2027-03-04T00:00:00Z"),
        det("zone-expired", p, "troops", time="2027-06-01T00:00:00Z"),
        det("waived", p, "troops", 5, time="2027-03-10T12:00:00Z"),
        det("too-many-for-waiver", p, "troops", 6, time="2027-03-10T13:00:00Z"),
        det("snap1", p, "battle_tank", 6, time="2027-03-20T10:00:00Z"),
        det("snap2", p, "battle_tank", 8, time="2027-03-20T11:30:00Z"),
        det("snap3", p, "battle_tank", 9, time="2027-03-20T11:45:00Z"),
    ]
    e = [
        ("p", "Z", "violation", "certain", "during", ""),
        ("p", "Z", "exempted", "certain", "waived", ""),
        ("p", "Z", "violation", "certain", "too-many-for-waiver", ""),
        ("p", "Z", "violation", "certain", "snap1", ""),
        ("p", "Z", "violation", "certain", "snap2", ""),
        ("p", "Z", "violation", "certain", "snap3", ""),
        ("c", "Z", "violation", "certain", "snap1", "6"),
        ("c", "Z", "exempted", "certain", "snap2", "8"),
        ("c", "Z", "violation", "certain", "snap3", "9"),
    ]
    write("validity-waivers", "validity: before the rule, after the zone expires nothing; waivers exempt within their count and interval; instant snapshots",
          zones, rules, d, e)


def bad_records():
    zones = [feature({"id": "Z", "name": "zone", "kind": "dmz"}, {"type": "Polygon", "coordinates": SQUARE})]
    rules = """
[[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]
"""
    t = "2027-03-04T10:00:00Z"
    rows = [
        "good1,%s,127.5,38.5,troops,3,0.9,imagery,0,PRK,IMG-1," % t,         # line 2
        "lat95,%s,127.5,95,troops,3,0.9,imagery,0,PRK,IMG-1," % t,           # line 3
        "nan,%s,NaN,38.5,troops,3,0.9,imagery,0,PRK,IMG-1," % t,             # line 4
        "notime,,127.5,38.5,troops,3,0.9,imagery,0,PRK,IMG-1,",              # line 5
        "badnum,%s,127.5,38.5x,troops,3,0.9,imagery,0,PRK,IMG-1," % t,       # line 6
        "bicycle,%s,127.5,38.5,bicycle,3,0.9,imagery,0,PRK,IMG-1," % t,      # line 7
        "negcount,%s,127.5,38.5,troops,-2,0.9,imagery,0,PRK,IMG-1," % t,     # line 8
        "conf,%s,127.5,38.5,troops,3,1.5,imagery,0,PRK,IMG-1," % t,          # line 9
        "good1,%s,127.6,38.6,troops,3,0.9,imagery,0,PRK,IMG-1," % t,         # line 10: duplicate id
        "badtime,04/03/2027,127.5,38.5,troops,3,0.9,imagery,0,PRK,IMG-1,",   # line 11
        "good2,%s,127.7,38.7,K2,1,0.9,imagery,0,PRK,IMG-1," % t,             # line 12
    ]
    e = [
        ("p", "Z", "violation", "certain", "good1", ""),
        ("p", "Z", "violation", "certain", "good2", ""),
    ]
    problems = [(3, "coordinate_out_of_range", "lat"), (4, "not_finite", "lon"), (5, "missing_field", "time"), (6, "bad_number", "lat"),
                (7, "unknown_class", "class"), (8, "bad_value", "count"), (9, "bad_value", "confidence"), (10, "duplicate_id", "id"),
                (11, "bad_time", "time")]
    write("bad-records", "every kind of bad detection record is kept as a problem with its line and field; the good ones are still evaluated",
          zones, rules, rows, e, problems)


def period():
    zones = [feature({"id": "Z", "name": "zone", "kind": "dmz"}, {"type": "Polygon", "coordinates": SQUARE})]
    rules = """
[[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]
"""
    p = (127.5, 38.5)
    d = [det("before", p, "troops", time="2027-02-28T23:59:59Z"), det("first", p, "troops", time="2027-03-01T00:00:00Z"),
         det("last", p, "troops", time="2027-03-31T23:59:59Z"), det("after", p, "troops", time="2027-04-01T00:00:00Z")]
    e = [("p", "Z", "violation", "certain", "first", ""), ("p", "Z", "violation", "certain", "last", "")]
    write("period", "the run period [from, to) includes its first instant and excludes its end", zones, rules, d, e,
          options={"from": "2027-03-01", "to": "2027-04-01"})


def lonlat_area(ring, pieces=2000):
    """Geodesic area (m²) of a lon/lat ring whose edges are straight in lon/lat: each edge cut into
    `pieces` by linear interpolation of lon/lat, then pyproj's (Karney) polygon area."""
    lons, lats = [], []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        for k in range(pieces):
            lons.append(x0 + (x1 - x0) * k / pieces)
            lats.append(y0 + (y1 - y0) * k / pieces)
    area, _ = G.polygon_area_perimeter(lons, lats)
    return abs(area)


def imagery():
    """sensor_limit, route and coverage at and around their limits (imagery side)."""
    zone = square(127.0, 38.0, 127.2, 38.1)
    zones = [feature({"id": "Z", "name": "zone", "kind": "observation_area"}, {"type": "Polygon", "coordinates": zone}),
             feature({"id": "B", "name": "border", "kind": "border"}, {"type": "LineString", "coordinates": [[127.5, 37.0], [127.5, 39.0]]})]
    # The western part of the zone, up to lon 127.06: its share of the zone's geodesic area.
    west = square(127.0, 38.0, 127.06, 38.1)[0]
    fraction = lonlat_area(west) / lonlat_area(zone[0])
    rules = """
[[rules]]
id = "res"
type = "sensor_limit"
min_height_m = { optical = 900.0 }

[[rules]]
id = "corridor"
type = "route"
corridor_km = 10.0

[[rules]]
id = "border"
type = "route"
border_lines = ["B"]
min_border_km = 10.0

[[rules]]
id = "cov-above"
type = "coverage"
zones = ["Z"]
min_fraction = %.6f
max_gsd_m = 0.5

[[rules]]
id = "cov-below"
type = "coverage"
zones = ["Z"]
min_fraction = %.6f
max_gsd_m = 0.5
""" % (fraction + 0.0005, fraction - 0.0005)

    def item(iid, sensor, gsd, height=None, geometry=None, extra=None):
        p = {"datetime": "2027-03-04T10:00:00Z", "avf:sensor": sensor, "avf:flight_id": "F1"}
        if gsd is not None:
            p["gsd"] = gsd
        if height is not None:
            p["avf:height_m"] = height
        p.update(extra or {})
        g = geometry or square(126.5, 38.5, 126.51, 38.51)
        return {"type": "Feature", "id": iid, "geometry": {"type": "Polygon", "coordinates": g}, "properties": p}

    items = [item("opt-0.2999", "optical", 0.2999, 950), item("opt-0.3000", "optical", 0.30, 950), item("opt-low", "optical", 0.35, 899.99),
             item("opt-900", "optical", 0.35, 900.0), item("opt-no-height", "optical", 0.35), item("ir-0.4999", "infrared", 0.4999),
             item("ir-0.5000", "infrared", 0.5), item("vid-0.3000", "video", 0.3),
             item("sar-2.9999", "sar", None, extra={"sar:resolution_range": 3.5, "sar:resolution_azimuth": 2.9999}),
             item("sar-3.0000", "sar", None, extra={"sar:resolution_range": 3.0, "sar:resolution_azimuth": 3.0}),
             # coverage: the west part at 0.4 m counts; the east part at 0.6 m does not
             item("cov-west", "optical", 0.4, 950, [west]), item("cov-east", "optical", 0.6, 950, square(127.06, 37.9, 127.3, 38.2))]
    # A flight along the meridian 127.2 (its planned route), fixes east of it at 10 km ± 0.5 m;
    # the border is the meridian 127.5 (distances to a meridian: geodesic east-west offsets).
    plan = {"type": "FeatureCollection", "features": [feature({"flight_id": "F1"}, {"type": "LineString", "coordinates": [[127.2, 37.0], [127.2, 39.0]]})]}
    track = ["flight_id,time,lon,lat,height_m,sensor_on"]
    offsets = [("in-9999.5", 9999.5), ("out-10000.5", 10000.5), ("back-in", 5000.0)]
    for i, (_, m) in enumerate(offsets):
        lon, lat = fwd(127.2, 38.0 + 0.1 * i, 90.0, m)
        track.append("F1,2027-03-04T10:0%d:00Z,%.9f,%.9f,950,true" % (i, lon, lat))
    # Then towards the border meridian 127.5: 10 km + 0.5 m (complies), 10 km - 0.5 m (violates).
    for i, m in enumerate((10000.5, 9999.5)):
        lon, lat = fwd(127.5, 38.5 + 0.1 * i, 270.0, m)
        track.append("F1,2027-03-04T10:1%d:00Z,%.9f,%.9f,950,false" % (i, lon, lat))
    e = [("res", "F1", "violation", "certain", "opt-0.2999", "0.2999"), ("res", "F1", "violation", "certain", "ir-0.4999", "0.4999"),
         ("res", "F1", "violation", "certain", "sar-2.9999", "2.9999"), ("res", "F1", "violation", "certain", "opt-low", "899.99"),
         ("res", "F1", "unverifiable", "n/a", "opt-no-height", ""),
         ("cov-above", "Z", "coverage_gap", "certain", "cov-west", "%.5f" % fraction),
         ("border", "B", "violation", "certain", "F1", "9.9995")]
    # The fixes more than 10 km from the route: the one at 10 km + 0.5 m, and the two towards the
    # border (~20 and ~27 km east of the route meridian) — two separate runs.
    e += [("corridor", "F1", "violation", "certain", "F1", "10.0005"), ("corridor", "F1", "violation", "certain", "F1", "")]
    write("imagery", "sensor_limit at 0.30/0.50/3 m and the certified height ±, route corridor and border distance at 10 km ± 0.5 m, coverage either side of F (fraction by pyproj)",
          zones, rules, None, e, files={"images.json": {"type": "FeatureCollection", "features": items}, "tracks.csv": "\n".join(track) + "\n",
                                        "route.geojson": plan})  # no detections: an imagery-only run


def parties():
    zones = [feature({"id": "Z", "name": "zone", "kind": "dmz"}, {"type": "Polygon", "coordinates": SQUARE})]
    rules = """
[[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]
parties = ["prk"]

[[rules]]
id = "c"
type = "ceiling"
zones = ["Z"]
max_count = 2
per_party = true
"""
    d = [
        det("lower", (127.5, 38.5), "troops", 2, party="prk"),  # line 2: the declared PRK
        det("upper", (127.5, 38.6), "troops", 1, party="PRK"),  # line 3
        det("typo", (127.5, 38.7), "troops", 1, party="XXX"),   # line 4: not declared: a note, scoped as unknown
        det("other", (127.5, 38.8), "troops", 1, party="KOR"),  # line 5
    ]
    e = [
        ("p", "Z", "violation", "certain", "lower", ""),
        ("p", "Z", "violation", "certain", "upper", ""),
        ("p", "Z", "violation", "certain", "typo", ""),
        ("c", "Z", "violation", "certain", "lower;upper", "3"),
    ]
    write("parties", "party codes: prk is PRK (in the rule and in the data, one ceiling cell 2 + 1 > 2); an undeclared XXX is a note and in scope as of unknown party",
          zones, rules, d, e, notes=[(4, "unknown_party", "party")])


def regime_language():
    zones = [feature({"id": "L", "name": "line", "kind": "demarcation_line"}, MERIDIAN),
             feature({"id": "Z", "name": "zone", "kind": "dmz"}, {"type": "Polygon", "coordinates": square(127.2, 38.0, 128.0, 39.0)})]
    rules = """
[[rules]]
id = "ban"
type = "band"
line = "L"
from_km = 0
to_km = 2
classes_except = ["troops"]

[[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]
sources = ["imagery", "inspection"]
"""
    west = lambda m, lat: fwd(127.0, lat, 270.0, m)
    d = [
        det("across", east_of_meridian(100), "artillery", unc=500),          # disk 400 m west to 600 m east: certainly in [0, 2)
        det("across-west", west(300, 38.1), "mlrs", unc=500),                # the other side, across too
        det("far-edge", east_of_meridian(1600, 38.2), "battle_tank", unc=500),  # 1.1 to 2.1 km: possibly
        det("troops", east_of_meridian(100, 38.3), "troops", 40),            # classes_except
        det("seen", (127.5, 38.5), "troops"),
        det("inspected", (127.5, 38.6), "troops", source="inspection"),
        det("rumour", (127.5, 38.7), "troops", source="open_source"),
    ]
    e = [
        ("ban", "L", "violation", "certain", "across", "0.100"),
        ("ban", "L", "violation", "certain", "across-west", "0.300"),
        ("ban", "L", "violation", "possible", "far-edge", "1.600"),
        ("p", "Z", "violation", "certain", "seen", ""),
        ("p", "Z", "violation", "certain", "inspected", ""),
    ]
    write("regime-language", "band from 0 km: disks across the line are certain; classes_except leaves troops out; sources keeps imagery and inspection, not open_source",
          zones, rules, d, e)


def distance_to_polygon(lon, lat, polygons):
    """Geodesic distance (m) from a point outside to polygons with straight lon/lat edges: to every
    vertex, then, on each edge that could be nearer, a golden-section search along the edge."""
    import numpy as np
    best = float("inf")
    edges = []
    for poly in polygons:
        for ring in poly:
            xs = np.array([p[0] for p in ring])
            ys = np.array([p[1] for p in ring])
            _, _, dv = G.inv(np.full(len(xs), lon), np.full(len(xs), lat), xs, ys)
            best = min(best, float(dv.min()))
            _, _, le = G.inv(xs[:-1], ys[:-1], xs[1:], ys[1:])
            edges += [(xs[i], ys[i], xs[i + 1], ys[i + 1], min(dv[i], dv[i + 1]) - le[i]) for i in range(len(xs) - 1)]
    at = lambda e, t: G.inv(lon, lat, e[0] + t * (e[2] - e[0]), e[1] + t * (e[3] - e[1]))[2]
    for e in edges:
        if e[4] > best:
            continue
        a, b = 0.0, 1.0
        r = (5 ** 0.5 - 1) / 2
        for _ in range(80):
            c, d = b - r * (b - a), a + r * (b - a)
            if at(e, c) < at(e, d):
                b = d
            else:
                a = c
        best = min(best, at(e, (a + b) / 2))
    return best


def reach():
    """Launchers in Kaliningrad and western Russia against the real borders of POL, LTU, LVA, EST
    (datasets/baltic/territories.geojson, Natural Earth)."""
    with open(os.path.join(HERE, "..", "..", "datasets", "baltic", "territories.geojson")) as f:
        territories = {t["properties"]["id"]: t for t in json.load(f)["features"]}
    polys = lambda g: g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
    protected = ["POL", "LTU", "LVA", "EST"]
    zones = [territories[z] for z in protected]
    # Kaliningrad: the part of the (clipped) Russian territory west of 23°E.
    kgd = [p for p in polys(territories["RUS"]["geometry"]) if max(x for x, _ in p[0]) < 23.0]
    assert len(kgd) == 1
    zones.append(feature({"id": "KGD", "name": "Kaliningrad oblast (Natural Earth)", "kind": "area", "parties": "RUS", "parent": "",
                          "valid_from": "", "valid_to": ""}, {"type": "Polygon", "coordinates": kgd[0]}))
    dist = lambda p, z: distance_to_polygon(p[0], p[1], polys(territories[z]["geometry"]))

    def at_distance(start, azimuth, target, zone):
        """The point along a geodesic from `start` whose distance to `zone` is `target` metres."""
        lo, hi = 0.0, 4.0e6
        for _ in range(60):
            mid = (lo + hi) / 2
            if dist(fwd(start[0], start[1], azimuth, mid), zone) < target:
                lo = mid
            else:
                hi = mid
        return fwd(start[0], start[1], azimuth, (lo + hi) / 2)

    # A launcher near Smolensk: its nearest protected territory sets the probes' ranges, one metre
    # beyond it (reached) and one metre short (not reached).
    smolensk = (32.05, 54.78)
    near = {z: dist(smolensk, z) for z in protected}
    nearest = min(near, key=near.get)
    probe_m = near[nearest]
    head = """[regime]
id = "scenario-reach"
name = "Reach scenario (INF ranges, 2021 draft treaty)"
parties = ["RUS", "POL", "LTU", "LVA", "EST"]
in_force_from = "2020-01-01"

[classes]
battle_tank = ["T-72B3"]
ssc8 = { aliases = ["9M729", "SSC-8"], range_km = { declared = 480, assessed = [500, 5500], source = "declared by Russia (Jan 2019); assessed by the US (State Dept. compliance report 2019)" } }
iskander_m = { aliases = ["9M723"], range_km = { declared = 500, source = "illustrative declared figure" } }
probe_reached = { range_km = { declared = %.6f, source = "scenario: one metre beyond the distance to %s" } }
probe_short = { range_km = { declared = %.6f, source = "scenario: one metre short of the distance to %s" } }
""" % ((probe_m + 1.0) / 1000.0, nearest, (probe_m - 1.0) / 1000.0, nearest)
    rules = """
# The 2021 draft: no intermediate- or shorter-range missiles where they can hit the other party.
[[rules]]
id = "no-reach"
type = "reach"
article = "draft treaty (Dec 2021) art. 4, illustrative"
parties = ["RUS"]
zones = ["POL", "LTU", "LVA", "EST"]

# INF ranges: no class with a range in [500, 5500] km deployed in Kaliningrad.
[[rules]]
id = "inf-band-kgd"
type = "reach"
check = "deployed"
article = "INF (1987) art. II, illustrative"
zones = ["KGD"]
range_km_min = 500
range_km_max = 5500
"""
    ranges = {"ssc8": (480e3, 500e3, 5500e3), "iskander_m": (500e3, None, None), "probe_reached": (probe_m + 1.0, None, None),
              "probe_short": (probe_m - 1.0, None, None)}
    aliases = {"9M729": "ssc8", "SSC-8": "ssc8", "9M723": "iskander_m"}
    # Points at exact distances from Latvia, east of it (Latvia is the nearest territory there).
    east_of_lva = (28.3, 56.6)
    dets = [
        ("kgd-ssc8", (20.51, 54.71), "9M729", 0),           # Kaliningrad: POL, LTU, LVA (and EST?) within 480 km
        ("kgd-iskander", (21.50, 54.90), "9M723", 2000),
        ("kgd-tank", (20.60, 54.75), "T-72B3", 0),           # no range: no reach rule applies
        ("probe-reached", smolensk, "probe_reached", 0),
        ("probe-short", smolensk, "probe_short", 0),
        ("ssc8-490", at_distance(east_of_lva, 90.0, 490e3, "LVA"), "ssc8", 0),       # under the assessed range only
        ("isk-whole", at_distance(east_of_lva, 90.0, 498.5e3, "LVA"), "iskander_m", 1000),   # whole disk reached
        ("isk-straddle", at_distance(east_of_lva, 90.0, 499.5e3, "LVA"), "iskander_m", 1000),  # disk straddles the reach
        ("isk-out", at_distance(east_of_lva, 90.0, 501.5e3, "LVA"), "iskander_m", 1000),
        ("ssc8-novosibirsk", (82.93, 55.03), "SSC-8", 0),    # ~3,000 km: the upper part of the assessed range
        ("ssc8-vladivostok", (131.9, 43.1), "ssc8", 0),      # beyond 5,500 km
    ]
    expected = []
    for id, p, cls, unc in dets:
        cls = aliases.get(cls, cls)
        if cls not in ranges:
            continue
        declared, amin, amax = ranges[cls]
        figures = [x for x in (declared, amin, amax) if x is not None]
        for z in protected:
            d = dist(p, z)
            if d - unc > max(figures):
                continue
            certain = d + unc <= min(figures)
            expected.append(("no-reach", z, "violation", "certain" if certain else "possible", id, "%.3f" % (d / 1000.0)))
    # Deployed in KGD with a range in the band: the SSC-8 only under its assessment (possible), the
    # Iskander-M (500 km, the band is inclusive) certainly, its 2 km disk well inside.
    expected.append(("inf-band-kgd", "KGD", "violation", "possible", "kgd-ssc8", ""))
    expected.append(("inf-band-kgd", "KGD", "violation", "certain", "kgd-iskander", ""))
    d = [det(id, p, cls, unc=unc, party="RUS") for id, p, cls, unc in dets]
    write("reach", "reach: launchers vs real Baltic/Polish borders; a range one metre beyond / short of the border; declared 480 vs assessed 500-5,500 km; disks straddling the reach; INF band deployed in Kaliningrad",
          zones, rules, d, expected, head=head)


def reports():
    """Monitoring-mission sighting reports placed against a gazetteer: each sighting is a detection
    (source monitor_report) at the geodesic destination point, with the disk that covers the
    stated compass sector, the distance's rounding and the place's extent (ingest/report_reader.hpp).
    The radius is recomputed here from the four corners of the sector-annulus with pyproj."""
    zones = [feature({"id": "Z", "name": "zone", "kind": "dmz"}, {"type": "Polygon", "coordinates": SQUARE})]
    head = REGIME_HEAD.replace('battle_tank = ["T-72B3", "K2"]', 'battle_tank = ["T-72B3", "K2", "tank"]')
    rules = """
[[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]

[[rules]]
id = "p-imagery"
type = "prohibited"
zones = ["Z"]
sources = ["imagery"]
"""
    places = [  # id, name, alternate names, lon/lat, radius_m
        ("G-ALPHA", "Alpha", "", (127.5, 38.5), None),                           # the zone's middle
        ("G-BRAVO", "Bravo", "Bravo Station", fwd(127.0, 38.5, 270.0, 1500), None),  # 1.5 km west of the west edge
        ("G-CHARLIE", "Charlie", "", (126.8, 38.5), None),                       # far west
        ("G-D1", "Delta", "", (127.3, 38.3), None),                               # two places named Delta
        ("G-D2", "Delta", "", (127.7, 38.8), None),
        ("G-FOX", "Foxtrot", "", fwd(127.0, 38.6, 90.0, 2000), 3000),            # 2 km inside, 3 km across
    ]
    gazetteer = {"type": "FeatureCollection", "features": [
        feature({"id": i, "name": n, "alt_names": a, **({"radius_m": r} if r else {})}, {"type": "Point", "coordinates": list(p)})
        for i, n, a, p, r in places]}
    at = {i: p for i, _, _, p, _ in places}
    radius = {i: (r or 0) for i, _, _, p, r in places}

    def placed(place, bearing, half_width, km, eps_km):
        lon, lat = at[place]
        d, eps = km * 1000.0, eps_km * 1000.0
        x, y = fwd(lon, lat, bearing, d) if d > 0 else (lon, lat)
        corners = [fwd(lon, lat, bearing + s * half_width, r) if r > 0 else (lon, lat) for s in (-1, 1) for r in (max(0.0, d - eps), d + eps)]
        return (x, y), max(G.inv(x, y, c[0], c[1])[2] for c in corners) + radius[place]

    def inside_by(p):  # signed distance to the zone's boundary, km: + inside
        dist = distance_to_polygon(p[0], p[1], [SQUARE]) / 1000.0
        return dist if 127.0 <= p[0] <= 128.0 and 38.0 <= p[1] <= 39.0 else -dist

    t = "2027-03-04T08:00:00Z"
    rows = [  # report_id, id, time, place, place_id, bearing, distance_km, counts, means
        ("SMM-1", "", t, "Alpha", "", "NE", "2", "4 tanks", "patrol"),                 # line 2: well inside
        ("SMM-1", "", t, "Bravo", "", "E", "2", "1 tank", "mini-UAV"),                 # line 3: ~0.5 km inside, disk ~1 km
        ("SMM-1", "", t, "bravo station", "", "E", "1", "2 troops", "patrol"),        # line 4: ~0.5 km outside, disk ~0.69 km
        ("SMM-1", "", t, "Charlie", "", "W", "3", "1 tank", "camera"),                 # line 5: far outside
        ("SMM-2", "", t, "Delta", "", "N", "1", "1 tank", "patrol"),                   # line 6: two places named Delta
        ("SMM-2", "", t, "Delta", "G-D2", "N", "1", "1 tank", "patrol"),               # line 7: place_id chooses
        ("SMM-2", "", t, "Echo", "", "N", "1", "1 tank", "patrol"),                    # line 8: no such place
        ("SMM-2", "F-1", t, "Foxtrot", "", "", "0", "3 troops", "long-range UAV"),     # line 9: at Foxtrot: its extent straddles
        ("SMM-2", "", "4 March", "Alpha", "", "N", "1", "1 tank", "patrol"),           # line 10: bad time
    ]
    text = "report_id,id,time,place,place_id,bearing,distance_km,counts,means,heading,party,confidence\n"
    text += "".join(",".join(r) + ",,PRK,\n" for r in rows)
    sightings = [  # id, place, bearing, half-width, km, ± km
        ("SMM-1-1", "G-ALPHA", 45.0, 22.5, 2, 0.5),
        ("SMM-1-2", "G-BRAVO", 90.0, 22.5, 2, 0.5),
        ("SMM-1-3", "G-BRAVO", 90.0, 22.5, 1, 0.5),
        ("SMM-1-4", "G-CHARLIE", 270.0, 22.5, 3, 0.5),
        ("SMM-2-2", "G-D2", 0.0, 22.5, 1, 0.5),
        ("F-1", "G-FOX", 0.0, 180.0, 0, 0.5),
    ]
    expected = []
    for id, place, bearing, hw, km, eps in sightings:
        p, r = placed(place, bearing, hw, km, eps)
        depth = inside_by(p)
        if depth * 1000.0 + r < 0:
            continue  # the whole disk outside
        certain = depth * 1000.0 - r >= 0
        expected.append(("p", "Z", "violation", "certain" if certain else "possible", id, "" if depth > 10 else "%.3f" % depth))
    assert [e[3] for e in expected] == ["certain", "possible", "possible", "certain", "possible"], expected
    write("reports", "monitoring-mission reports: '4 tanks 2 km NE of Alpha' placed geodesically; compass sector, rounding and the place's extent give disks straddling the zone edge (possible) or inside (certain); an ambiguous and an unknown place are problems; sources = imagery leaves reports out",
          zones, rules, None, expected, problems=[(6, "ambiguous_place", "place"), (8, "unknown_place", "place"), (10, "bad_time", "time")],
          files={"reports.csv": text, "gazetteer.geojson": gazetteer}, head=head)


def distance_to_geodesic_polyline(lon, lat, coords):
    """Geodesic distance (m) from a point to a line whose segments are geodesics (as avf's
    SegmentIndex takes them): to every vertex, then, on each segment that could be nearer, a
    golden-section search along the segment's geodesic."""
    best = min(G.inv(lon, lat, x, y)[2] for x, y in coords)
    r = (5 ** 0.5 - 1) / 2
    for (x0, y0), (x1, y1) in zip(coords[:-1], coords[1:]):
        az, _, length = G.inv(x0, y0, x1, y1)
        if min(G.inv(lon, lat, x0, y0)[2], G.inv(lon, lat, x1, y1)[2]) - length > best:
            continue
        at = lambda s: G.inv(lon, lat, *fwd(x0, y0, az, s))[2]
        a, b = 0.0, length
        for _ in range(80):
            c, d = b - r * (b - a), a + r * (b - a)
            if at(c) < at(d):
                b = d
            else:
                a = c
        best = min(best, at((a + b) / 2))
    return best


def airspace():
    """CMA 2018 no-fly zones on the real MDL (datasets/korea/lines.geojson, Natural Earth), split at
    half its length (marker 0646 of 1292, the markers being about evenly spaced; its surveyed
    position is not in the reference): tracks grazing the band's edge by 10 m either way, a UAV
    crossing the band between two fixes outside it, a balloon outside by less than its position
    error, bad fixes."""
    with open(os.path.join(HERE, "..", "..", "datasets", "korea", "lines.geojson")) as f:
        mdl = json.load(f)["features"][0]
    coords = mdl["geometry"]["coordinates"]
    # The split: half the line's geodesic length along it.
    lengths = [G.inv(x0, y0, x1, y1)[2] for (x0, y0), (x1, y1) in zip(coords[:-1], coords[1:])]
    half = sum(lengths) / 2
    i, walked = 0, 0.0
    while walked + lengths[i] < half:
        walked += lengths[i]
        i += 1
    az = G.inv(coords[i][0], coords[i][1], coords[i + 1][0], coords[i + 1][1])[0]
    split = fwd(coords[i][0], coords[i][1], az, half - walked)
    west, east = coords[: i + 1] + [list(split)], [list(split)] + coords[i + 1:]
    d_west = lambda p: distance_to_geodesic_polyline(p[0], p[1], west)
    d_east = lambda p: distance_to_geodesic_polyline(p[0], p[1], east)
    widths = {"fixed_wing": (20e3, 40e3), "rotary_wing": (10e3, 10e3), "uav": (10e3, 15e3), "balloon": (25e3, 25e3)}
    penetration = lambda p, cat: max(widths[cat][0] - d_west(p), widths[cat][1] - d_east(p))

    def towards(start, azimuth, cat, target, reach=80e3):
        """The point along a geodesic from `start` (outside, heading to the line, which it reaches
        within `reach` metres) where the penetration for `cat` is `target` metres (negative: outside)."""
        lo, hi = 0.0, reach
        for _ in range(60):
            mid = (lo + hi) / 2
            if penetration(fwd(start[0], start[1], azimuth, mid), cat) < target:
                lo = mid
            else:
                hi = mid
        p = fwd(start[0], start[1], azimuth, (lo + hi) / 2)
        assert abs(penetration(p, cat) - target) < 1e-3, (start, azimuth, target)
        return p

    rows = []
    expected = []

    def fix(track, minutes, p, alt, party, cat, err=""):
        t = "2027-03-04T%02d:%02d:%02dZ" % (10 + int(minutes) // 60, int(minutes) % 60, round((minutes % 1) * 60))
        rows.append("%s,%s,%.9f,%.9f,%s,%s,%s,%s" % (track, t, p[0], p[1], alt, party, cat, err))

    # Fixed-wing aircraft north of the eastern MDL heading south, turning back 10 m inside / outside
    # the 40 km band (the deepest point is the turn).
    north_east = (128.05, 38.95)
    for track, target in (("kpa-fw-graze-in", 10.0), ("kpa-fw-graze-out", -10.0)):
        turn = towards(north_east, 180.0, "fixed_wing", target)
        fix(track, 0, north_east, 9000, "PRK", "fixed_wing")
        fix(track, 2, turn, 9000, "PRK", "fixed_wing")
        fix(track, 4, north_east, 9000, "PRK", "fixed_wing")
        if target > 0:
            expected.append(("cma-no-fly", "MDL", "violation", "certain", track, "%.4f" % (target / 1000)))
    # A UAV over the western MDL: two fixes 30 km either side (outside its 10 km band); the leg
    # crosses the line, 10 km deep there.
    west_point = (126.75, 37.98)
    north = fwd(west_point[0], west_point[1], 330.0, 30e3)
    south = fwd(west_point[0], west_point[1], 150.0, 30e3)
    assert penetration(north, "uav") < 0 and penetration(south, "uav") < 0
    fix("rok-uav-cross", 60, south, 800, "KOR", "UAV")
    fix("rok-uav-cross", 75, north, 800, "KOR", "UAV")
    expected.append(("cma-no-fly", "MDL", "violation", "certain", "rok-uav-cross", "10.000"))
    # A balloon 20 m outside the 25 km band, its fixes ±100 m: it may have entered.
    start = (127.4, 38.65)
    turn = towards(start, 200.0, "balloon", -20.0)
    fix("kpa-balloon-near", 120, start, 4000, "PRK", "balloon", 100)
    fix("kpa-balloon-near", 150, turn, 4000, "PRK", "balloon", 100)
    fix("kpa-balloon-near", 180, start, 4000, "PRK", "balloon", 100)
    expected.append(("cma-no-fly", "MDL", "violation", "possible", "kpa-balloon-near", "-0.0200"))
    # A helicopter 9 km south of the western MDL (inside its 10 km band), with bad fixes: time going
    # backwards (line 15) and a missing altitude (line 16).
    heli = towards(fwd(west_point[0], west_point[1], 150.0, 30e3), 330.0, "rotary_wing", 1000.0, reach=25e3)
    fix("rok-heli", 200, heli, 300, "KOR", "helicopter")
    fix("rok-heli", 210, heli, 300, "KOR", "helicopter")
    fix("rok-heli", 205, heli, 300, "KOR", "helicopter")
    fix("rok-heli", 220, heli, "", "KOR", "helicopter")
    expected.append(("cma-no-fly", "MDL", "violation", "certain", "rok-heli", "1.000"))
    problems = [(15, "bad_time", "time"), (16, "missing_field", "altitude_m")]

    zones = [mdl]
    rules = """
# CMA (19 Sep 2018) art. 1 para 3: no-fly zones from the MDL by aircraft category, east and west
# of marker 0646 (taken at half the line's length).
[[rules]]
id = "cma-no-fly"
type = "airspace"
article = "CMA (2018) art. 1 para 3"
line = "MDL"
split_at = [%.9f, %.9f]
width_km = { fixed_wing = [20, 40], rotary_wing = 10, uav = [10, 15], balloon = 25 }
""" % split
    tracks = "track_id,time,lon,lat,altitude_m,party,category,position_error_m\n" + "\n".join(rows) + "\n"
    write("airspace", "airspace: CMA 2018 no-fly bands on the real MDL split at marker 0646 (half its length); fixed-wing turning 10 m inside / outside the 40 km band, a UAV crossing between fixes outside its band, a balloon outside by less than its position error, bad fixes",
          zones, rules, None, expected, problems=problems, files={"tracks.csv": tracks})


ALL = [prohibited, standoff, ceiling, band, validity_and_waivers, bad_records, period, imagery, parties, regime_language, reach, reports, airspace]

if __name__ == "__main__":
    import sys
    # Names on the command line write only those scenarios (e.g. `parties regime_language`).
    chosen = [f for f in ALL if not sys.argv[1:] or f.__name__ in sys.argv[1:]]
    for f in chosen:
        f()
