#!/usr/bin/python3
"""Writes datasets/mission/: a synthetic Open Skies-style observation flight over eastern Latvia.

Flight OS7012 (quota year 2027, serial 012), observing party RUS, observed party LVA, on
2027-03-16: Riga -> Rezekne -> Daugavpils -> Riga, cruising at 3,000 m with sensors off and
descending to about 900 m over two observation areas (zones of kind `observation_area`) to image
them with a fan of framing cameras (vertical + two obliques, KS-87E-like), plus:

* one panoramic pass (KA-91C-like, 3,000 m, GSD 0.9 m) over the Rezekne site;
* one SAR pass (2 images, 3.0 m resolution: exactly at the Open Skies limit, compliant);
* one framing image at 700 m above ground with GSD 0.24 m: finer than 0.30 m and below the
  certified minimum height (the sensor stayed on while the aircraft was low);
* one leg that leaves the 50 km corridor around the planned route (up to ~60 km from it);
* one leg that comes within about 6 km of the Latvian-Belarusian border (Belarus taken as a
  non-party for this illustration; the rule asks for 10 km);
* the Rezekne site left partly unimaged (only its southern part photographed at <= 0.5 m).

Positions are computed on WGS84 with pyproj.Geod; nothing depends on the wall clock, so running
the script again writes identical files (`--check` verifies that the committed files match).

    /usr/bin/python3 scripts/make_mission.py [--check]
"""
import json
import os
import sys

from pyproj import Geod

GEOD = Geod(ellps="WGS84")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "datasets", "mission")

FLIGHT = "OS7012"
OBSERVING, OBSERVED = "RUS", "LVA"
T0 = 1_805_184_000  # 2027-03-16T08:00:00Z (seconds since the epoch)

# Observation areas (lon/lat boxes, edges straight in lon/lat as every avf zone).
AREAS = {
    "OA-DGP": ("Daugavpils garrison (illustrative)", (26.500, 55.880, 26.560, 55.905)),
    "OA-REZ": ("Rezekne depot (illustrative)", (27.300, 56.490, 27.370, 56.515)),
}


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def r6(x):
    return round(x, 6)


def box_ring(b):
    x0, y0, x1, y1 = b
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def frame(center, heading, across_m, along_m):
    """A footprint rectangle centred on `center`, sides along and across the heading (geodesic)."""
    lon, lat = center
    corners = []
    for da, dc in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y, _ = GEOD.fwd(lon, lat, heading, da * along_m / 2)
        x, y, _ = GEOD.fwd(x, y, heading + 90, dc * across_m / 2)
        corners.append([r6(x), r6(y)])
    corners.append(corners[0])
    # counter-clockwise (RFC 7946): the signed area in lon/lat must be positive
    area = sum(corners[i][0] * corners[i + 1][1] - corners[i + 1][0] * corners[i][1] for i in range(4))
    return corners if area > 0 else corners[::-1]


def densify(points, step_m):
    out = [points[0]]
    for a, b in zip(points, points[1:]):
        az, _, dist = GEOD.inv(a[0], a[1], b[0], b[1])
        n = max(1, int(dist // step_m))
        for k in range(1, n + 1):
            x, y, _ = GEOD.fwd(a[0], a[1], az, dist * k / n)
            out.append((x, y))
    return out


def main(check):
    files = {}

    # ---- zones ----
    zones = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": []}
    for zid, (name, b) in AREAS.items():
        zones["features"].append({"type": "Feature", "properties": {"id": zid, "name": name, "kind": "observation_area", "parties": OBSERVED},
                                  "geometry": {"type": "Polygon", "coordinates": [box_ring(b)]}})
    files["zones.geojson"] = zones

    # ---- planned route ----
    riga = (23.971, 56.924)
    plan = [riga, (26.00, 56.70), (27.335, 56.5025), (26.53, 55.8925), (25.00, 56.20), riga]
    files["route.geojson"] = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                              "features": [{"type": "Feature", "properties": {"flight_id": FLIGHT},
                                            "geometry": {"type": "LineString", "coordinates": [[r6(x), r6(y)] for x, y in plan]}}]}

    # ---- flown track: fixes every ~4 km at 3,000 m, sensors off, except where noted ----
    fixes = []  # (lon, lat, height, sensor_on)

    def fly(points, height, on, step=4000.0):
        for p in densify(points, step)[1 if fixes else 0:]:
            fixes.append((p[0], p[1], height, on))

    # Leg 1: Riga -> a weather deviation far north of the planned leg -> back onto the plan.
    mid = GEOD.fwd(24.99, 56.81, 0, 62_000)[:2]  # ~62 km north of the planned leg
    fly([riga, (24.3, 56.95), mid, (26.00, 56.70)], 3000, False)
    # Leg 2: towards Rezekne; descend and image the southern strip of OA-REZ only (one pass).
    rez = AREAS["OA-REZ"][1]
    fly([(26.00, 56.70), (27.25, 56.4950)], 3000, False)
    fly([(27.28, 56.4950), (27.39, 56.4950)], 900, True, 500.0)
    # Panoramic pass back over the site at 3,000 m (sensor on, panoramic camera).
    fly([(27.39, 56.5025), (27.28, 56.5025)], 3000, True, 1000.0)
    # Leg 3: south to Daugavpils (SAR on along the leg), three framing passes over OA-DGP at 900 m.
    fly([(27.28, 56.5025), (26.60, 55.95)], 3000, True)
    dgp = AREAS["OA-DGP"][1]
    pass_lats = [55.8845, 55.8925, 55.9005]
    for i, plat in enumerate(pass_lats):
        xs = (26.490, 26.570) if i % 2 == 0 else (26.570, 26.490)
        fly([(xs[0], plat), (xs[1], plat)], 900, True, 500.0)
    # A low pass at 700 m with the camera still on (the image below the resolution limit).
    fly([(26.49, 55.8900), (26.47, 55.8900)], 700, True, 500.0)
    # Leg 4: a detour south towards the Belarusian border (~8 km from it), then west and home.
    border = next(f for f in json.load(open(os.path.join(ROOT, "datasets", "baltic", "lines.geojson"), encoding="utf-8"))["features"]
                  if f["properties"]["id"] == "LVA-BLR")["geometry"]["coordinates"]
    vertex = min(border, key=lambda v: GEOD.inv(v[0], v[1], 26.30, 55.75)[2])
    near_border = GEOD.fwd(vertex[0], vertex[1], 0, 8000)[:2]  # 8 km north of a border vertex
    fly([(26.47, 55.89), near_border, (25.00, 56.20), riga], 3000, False)

    t = T0
    rows = ["flight_id,time,lon,lat,height_m,sensor_on"]
    prev = None
    times = []
    for lon, lat, h, on in fixes:
        if prev is not None:
            _, _, d = GEOD.inv(prev[0], prev[1], lon, lat)
            t += max(1, round(d / 120.0))  # ~430 km/h
        times.append(t)
        rows.append(f"{FLIGHT},{iso(t)},{lon:.6f},{lat:.6f},{h:.0f},{'true' if on else 'false'}")
        prev = (lon, lat)
    files["tracks.csv"] = "\n".join(rows) + "\n"

    def time_at(lon, lat):
        best = min(range(len(fixes)), key=lambda i: GEOD.inv(fixes[i][0], fixes[i][1], lon, lat)[2])
        return times[best]

    # ---- images (STAC ItemCollection) ----
    items = []

    def item(iid, footprint, t, props):
        p = {"datetime": iso(t), "mission": FLIGHT, "platform": "Tu-214ON", "avf:flight_id": FLIGHT,
             "avf:observing_party": OBSERVING, "avf:observed_party": OBSERVED}
        p.update(props)
        items.append({"type": "Feature", "stac_version": "1.0.0", "stac_extensions": [], "id": iid,
                      "geometry": {"type": "Polygon", "coordinates": [footprint]}, "properties": p, "links": [], "assets": {}})

    n = 0
    # OA-REZ: one framing pass along 56.4950 (covers its southern part).
    for k in range(9):
        c = (27.290 + k * 0.01, 56.4950)
        n += 1
        item(f"{FLIGHT}-F{n:03d}", frame(c, 90, 1700, 700), time_at(*c),
             {"gsd": 0.32, "instruments": ["KS-87E vertical", "KS-87E oblique"], "view:off_nadir": 0.0, "avf:sensor": "optical", "avf:height_m": 905.0})
    # Panoramic pass over OA-REZ at 3,000 m: covers the whole site, but at 0.9 m.
    c = (27.335, 56.5025)
    item(f"{FLIGHT}-P001", frame(c, 270, 12000, 9000), time_at(*c),
         {"gsd": 0.9, "instruments": ["KA-91C panoramic"], "view:off_nadir": 0.0, "avf:sensor": "optical", "avf:height_m": 3010.0})
    # SAR pass along leg 3: 3.0 m, exactly the Open Skies limit.
    for k, frac in enumerate((0.3, 0.6)):
        lon = 27.28 + frac * (26.60 - 27.28)
        lat = 56.5025 + frac * (55.95 - 56.5025)
        az = GEOD.inv(27.28, 56.5025, 26.60, 55.95)[0]
        sar_centre = GEOD.fwd(lon, lat, az + 90, 6000)[:2]
        item(f"{FLIGHT}-S{k + 1:03d}", frame(sar_centre, az, 8000, 15000), time_at(lon, lat),
             {"instruments": ["SLAR"], "sar:resolution_range": 3.0, "sar:resolution_azimuth": 3.0, "sar:polarizations": ["HH"],
              "avf:height_m": 3000.0})
    # OA-DGP: three framing passes, 8 exposures each.
    for plat in pass_lats:
        for k in range(8):
            c = (26.4925 + k * 0.0105, plat)
            n += 1
            item(f"{FLIGHT}-F{n:03d}", frame(c, 90, 1700, 750), time_at(*c),
                 {"gsd": 0.31 if k % 2 else 0.33, "instruments": ["KS-87E vertical", "KS-87E oblique"], "view:off_nadir": 0.0,
                  "avf:sensor": "optical", "avf:height_m": 900.0 + (k % 3) * 5})
    # The low image: 700 m, GSD 0.24 m.
    c = (26.48, 55.8900)
    n += 1
    item(f"{FLIGHT}-F{n:03d}", frame(c, 270, 1300, 550), time_at(*c),
         {"gsd": 0.24, "instruments": ["KS-87E vertical"], "view:off_nadir": 0.0, "avf:sensor": "optical", "avf:height_m": 700.0})
    items.sort(key=lambda i: i["id"])
    files["images.json"] = {"type": "FeatureCollection", "features": items}

    # ---- write or check ----
    os.makedirs(OUT, exist_ok=True)
    bad = []
    for name, content in sorted(files.items()):
        text = content if isinstance(content, str) else json.dumps(content, indent=1, ensure_ascii=False) + "\n"
        path = os.path.join(OUT, name)
        if check:
            if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
                bad.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if check:
        if bad:
            print("differs from the generator:", ", ".join(bad))
            return 1
        print("datasets/mission matches scripts/make_mission.py")
        return 0
    print(f"wrote {len(files)} files to datasets/mission: {len(items)} images, {len(fixes)} fixes")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
