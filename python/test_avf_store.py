"""ctest python:avf_store — avf_store.findings against avf's own export, on a store this test writes.

    /usr/bin/python3 python/test_avf_store.py AVF SOURCE_DIR

Runs the validity-waivers and ceiling scenarios and the demo with AVF into a temporary directory,
reads each run with avf_store.findings and checks every row against `avf findings export --format
json` (ids, codes resolved, numbers, evidence count, explanation), and the template rule on fixed
examples (the same sentences as tests/core/test_explanation.cpp); and a store packed into one file
by `avf store pack` reads as the store it came from."""

import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import avf_store  # noqa: E402

AVF, SRC = sys.argv[1], sys.argv[2]


def avf(*args):
    r = subprocess.run([AVF, *args], cwd=SRC, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise SystemExit(f"avf {' '.join(args)} failed ({r.returncode}): {r.stderr}")


def check_store(store, out):
    df = avf_store.findings(store)
    avf("findings", "export", "--store", store, "--format", "json", "--output", out)
    with open(out, encoding="utf-8") as f:
        exported = json.load(f)
    assert len(df) == len(exported) > 0, (len(df), len(exported))
    for row, e in zip(df.to_dict("records"), exported):
        for col, key in [("id", "id"), ("kind", "kind"), ("certainty", "certainty"), ("rule_id", "rule"),
                         ("target_id", "target"), ("equipment_class", "class"), ("party", "party"), ("unit", "unit"),
                         ("evidence_count", "evidence"), ("explanation", "explanation")]:
            assert row[col] == e[key], (row["id"], col, row[col], e[key])
        # the export rounds: degrees to 6 decimals, measured to 3
        for col, tol in [("lon", 1e-6), ("lat", 1e-6), ("measured", 5e-4), ("limit", 1e-6), ("confidence", 1e-6)]:
            assert math.isclose(row[col], e[col], abs_tol=tol), (row["id"], col, row[col], e[col])
        # an instant (span of at most 1 ms) is exported as its start
        assert e["time"] in (f"[{row['span_from']}, {row['span_to']})", row["span_from"]), (row["id"], e["time"])
    return len(df)


def check_template_rule():
    f = dict(rule_id="dmz-1", rule_type="prohibited", article="Armistice art. I", target_id="DMZ-N", party="PRK",
             equipment_class="battle_tank", unit="km", kind="violation", certainty="certain", waiver_id="",
             waiver_basis="", span_from=avf_store.format_utc(1804155300000), span_to=avf_store.format_utc(1804155300001),
             lon=127.02, lat=38.31, measured=1.4321, limit=0.0, confidence=0.875, records=["D-17"])
    inside = "{class} {party_of} observed {from} at {position}, {measured_distance} inside {target} {rule_ref}: {verdict|prohibited}"
    assert avf_store.render(inside, f) == ("battle_tank of PRK observed 2027-03-04T10:15:00Z at 38.3100N 127.0200E, 1.4 km "
                                           "inside DMZ-N (rule dmz-1, Armistice art. I): prohibited; certain")
    assert avf_store.render("{lon|2} {lat|0} {measured|3} {limit|1} {confidence|2}", f) == "127.02 38 1.432 0.0 0.88"
    assert avf_store.render("{from}|{to}|{date}", f) == "2027-03-04T10:15:00Z|2027-03-04T10:15:00.001Z|2027-03-04"
    assert avf_store.render("{{{rule}}} }}{{ {record} of {records}", f) == "{dmz-1} }{ D-17 of 1"
    f.update(kind="exempted", waiver_id="W-3", waiver_basis="exercise notified", measured=-0.85, limit=50.0)
    assert avf_store.render("{verdict|violation}", f) == "exempted by waiver W-3 (exercise notified)"
    assert avf_store.render("{measured_distance} / {limit_distance}", f) == "850 m / 50.0 km"
    for bad in ["{nope}", "{rule|x}", "{measured}", "{measured|10}", "{verdict}", "a } b", "{rule", "{verdict|a{b}"]:
        try:
            avf_store.render(bad, f)
        except ValueError:
            continue
        raise AssertionError(f"template {bad!r} was rendered")


def main():
    check_template_rule()
    with open(os.path.join(SRC, "tests/data/meaning-v3/cases.txt"), encoding="utf-8") as f:
        cases = [line.rstrip("\n").split("|") for line in f if line.strip() and not line.startswith("#")]
    with tempfile.TemporaryDirectory() as tmp:
        for name, zones, run in cases:
            store = os.path.join(tmp, name + ".h5")
            avf("zones", "import", *zones.split(), "--store", store)
            avf("run", *run.split(), "--store", store)
            n = check_store(store, os.path.join(tmp, name + ".json"))
            print(f"{name}: {n} findings read alike")
        # Schema 5: the run above is a member file (<store>.d/runs/<id>.h5) reached through an
        # external link; `avf store pack` puts it inline. Both read the same.
        packed = os.path.join(tmp, "packed", "one.h5")
        os.makedirs(os.path.dirname(packed))
        avf("store", "pack", store, "-o", packed)
        a, b = avf_store.findings(store), avf_store.findings(packed)
        assert a.equals(b), "the packed store reads differently"
        print(f"packed: {len(b)} findings read alike")


main()
