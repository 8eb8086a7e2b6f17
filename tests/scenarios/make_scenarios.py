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


def write(name, description, zones, regime_rules, detections, expected, problems=None, options=None):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "zones.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": zones}, f, indent=1)
        f.write("\n")
    with open(os.path.join(d, "regime.toml"), "w") as f:
        f.write(REGIME_HEAD + regime_rules)
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
    with open(os.path.join(d, "scenario.toml"), "w") as f:
        f.write('description = "%s"\n' % description)
        for k, v in (options or {}).items():
            f.write('%s = "%s"\n' % (k, v))


def det(id, lonlat, cls, count=1, unc=0, time="2027-03-04T10:00:00Z", party="PRK", model=""):
    return "%s,%s,%.9f,%.9f,%s,%d,0.9,imagery,%s,%s,IMG-1,%s" % (id, time, lonlat[0], lonlat[1], cls, count, unc, party, model)


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


if __name__ == "__main__":
    prohibited()
    standoff()
    ceiling()
    band()
    validity_and_waivers()
    bad_records()
    period()
