#!/usr/bin/env python3
"""Writes datasets/korea/aircraft_tracks.csv: synthetic aircraft and drone tracks near the real MDL
(datasets/korea/lines.geojson, Natural Earth) for the demo's CMA 2018 no-fly rule (`cma-no-fly`).

Positions are offset from MDL vertices with pyproj's Geod.fwd (WGS84); no wall clock, no random
numbers: `/usr/bin/python3 scripts/make_aircraft_tracks.py` rewrites the identical file, `--check`
verifies it. No row describes a real flight.
"""
import json
import os
import sys
from pyproj import Geod

G = Geod(ellps="WGS84")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "datasets", "korea", "aircraft_tracks.csv")


def fwd(p, azimuth, meters):
    lon, lat, _ = G.fwd(p[0], p[1], azimuth, meters)
    return lon, lat


def main():
    with open(os.path.join(ROOT, "datasets", "korea", "lines.geojson")) as f:
        mdl = json.load(f)["features"][0]["geometry"]["coordinates"]
    west, east = mdl[6], mdl[34]  # a western and an eastern vertex of the MDL
    middle_west = mdl[16]
    rows = []

    def track(track_id, party, category, day, fixes, error=""):
        for minute, p, alt in fixes:
            t = "2027-03-%02dT%02d:%02d:00Z" % (day, 9 + minute // 60, minute % 60)
            rows.append("%s,%s,%.6f,%.6f,%s,%s,%s,%s" % (track_id, t, p[0], p[1], alt, party, category, error))

    # A PRK drone crosses the western MDL southward and back between fixes 15-19 km from it (outside
    # its 10 km band).
    track("prk-uav-0307", "PRK", "uav", 7,
          [(0, fwd(middle_west, 0, 20e3), 1500), (12, fwd(middle_west, 180, 20e3), 1500), (30, fwd(middle_west, 0, 20e3), 1500)])
    # A KOR fighter patrols 30 km south of the eastern MDL: inside the 40 km band there.
    track("rok-fw-0312", "KOR", "fixed_wing", 12,
          [(0, fwd(east, 180, 60e3), 6000), (6, fwd(east, 180, 30e3), 6000), (10, fwd(fwd(east, 180, 30e3), 270, 25e3), 6000),
           (16, fwd(east, 180, 60e3), 6000)])
    # The same patrol 30 km south of the western MDL: outside its 20 km band (compliant).
    track("rok-fw-0314", "KOR", "fixed_wing", 14, [(0, fwd(west, 150, 60e3), 6000), (6, fwd(west, 150, 30e3), 6000), (12, fwd(west, 150, 60e3), 6000)])
    # A PRK balloon drifts south across the MDL (25 km band), its fixes ±500 m.
    track("prk-balloon-0320", "PRK", "balloon", 20, [(0, fwd(east, 10, 40e3), 5000), (120, fwd(east, 190, 10e3), 4500), (240, fwd(east, 190, 60e3), 4000)],
          error=500)
    # A KOR medical evacuation helicopter 5 km south of the MDL (10 km band), notified in advance
    # (the regime's waiver `cma-medevac-0325`); its third fix goes back in time (a problem).
    track("rok-medevac-0325", "KOR", "helicopter", 25,
          [(0, fwd(west, 180, 30e3), 300), (10, fwd(west, 180, 5e3), 200), (5, fwd(west, 180, 6e3), 200), (20, fwd(west, 180, 30e3), 300)])
    text = "track_id,time,lon,lat,altitude_m,party,category,position_error_m\n" + "\n".join(rows) + "\n"
    if "--check" in sys.argv[1:]:
        with open(OUT) as f:
            if f.read() != text:
                sys.exit("datasets/korea/aircraft_tracks.csv differs from what the script writes")
        return
    with open(OUT, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
