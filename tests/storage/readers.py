#!/usr/bin/python3
"""Reads an avf store the way an auditor would, with h5py, PyTables and pandas, and recomputes
every commit-record digest and the audit chain independently of the C++ code.

    /usr/bin/python3 tests/storage/readers.py STORE RUN_ID ZONE_SET N_FINDINGS

Run by tests/storage/test_readers.cpp against a store it wrote (the sample data of
tests/storage/sample_store.cpp). Prints one line per check and exits 0 when all pass.
The digest recipes (tests/reliability/verify_store.py) are the ones docs/store-format.md gives auditors.
"""
import hashlib
import os
import sys
import warnings

import h5py
import numpy as np
import pandas as pd
import shapely.wkb
import tables

# The digest recipes of docs/store-format.md, shared with the crash harness's second opinion.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reliability"))
from verify_store import RUN_ATTRIBUTES, ZONE_SET_ATTRIBUTES, text, verify_group  # noqa: E402


def check(label, condition):
    print(("ok   " if condition else "FAIL ") + label)
    if not condition:
        sys.exit(1)


def main():
    path, run_id, zone_set, n_findings = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    warnings.simplefilter("error")  # any PyTables/pandas warning about the layout fails the test

    # --- h5py -----------------------------------------------------------------------------
    with h5py.File(path, "r") as f:
        check("h5py: schema_version == 5", int(f.attrs["schema_version"]) == 5)
        check("h5py: format == avf-store", text(f.attrs["format"]) == "avf-store")
        run = f[f"runs/{run_id}"]
        findings = run["findings"][...]
        check(f"h5py: {n_findings} findings", len(findings) == n_findings)
        first = findings[0]
        check("h5py: first finding id (schema 4: two uint64)",
              "%016x%016x" % (int(first["id_hi"]), int(first["id_lo"])) == "00000000000000010000000000000a3c")
        check("h5py: lon is float64", findings.dtype["lon"] == np.dtype("<f8"))
        heap = run["dictionary_text"][...]
        rule = run["rules"][...][first["rule"]]
        template = heap[rule["template_offset"]:rule["template_offset"] + rule["template_length"]]
        check("h5py: explanation template decodes as UTF-8 with Korean",
              "비무장지대 북측" in template.tobytes().decode("utf-8"))
        evidence = run["evidence"][...]
        records = run["records"][...]
        record_text = run["record_text"][...]
        ids = [record_text[r["text_offset"]:r["text_offset"] + r["id_length"]].tobytes()
               for r in records[[e["record"] for e in evidence[first["evidence"]:first["evidence"] + first["evidence_count"]]]]]
        check("h5py: evidence rows of finding 0", ids == [b"det-17", b"det-18"])
        inputs = run["inputs"][...]
        check("h5py: record input index names the detections file",
              inputs[records[0]["input"]]["path"] == b"obs/detections.csv")
        check("h5py: regime_text is the verbatim file", run["regime_text"][()].decode("utf-8").startswith("# Korean"))
        zones = f[f"zones/{zone_set}/zones"][...]
        wkb = f[f"zones/{zone_set}/zone_wkb"][...]
        z0 = wkb[zones[0]["wkb_offset"]:zones[0]["wkb_offset"] + zones[0]["wkb_length"]].tobytes()
        check("h5py: zone WKB is little-endian MultiPolygon", z0[:5] == b"\x01\x06\x00\x00\x00")
        check("h5py: zone name in Korean", zones[0]["name"].decode("utf-8") == "비무장지대 북측")
        polygon = shapely.wkb.loads(z0)
        check("shapely: zone WKB is a MultiPolygon with one hole",
              polygon.geom_type == "MultiPolygon" and len(polygon.geoms[0].interiors) == 1)

        # Independent recomputation of every digest and of the chain.
        digests = {}
        for name, group in f["runs"].items():
            digests[("run", name)] = verify_group(group, RUN_ATTRIBUTES)[0]
        for name, group in f["zones"].items():
            digests[("zone_set", name)] = verify_group(group, ZONE_SET_ATTRIBUTES)[0]
        check("python: every commit record recomputes", True)
        previous = "0" * 64
        for row in f["audit/chain"][...]:
            kind, name = text(row["kind"]), text(row["name"])
            check(f"python: chain row {row['sequence']} content digest", text(row["content_digest"]) == digests[(kind, name)])
            check(f"python: chain row {row['sequence']} links", text(row["previous_digest"]) == previous)
            key = "zone_set/" + name if kind == "zone_set" else name
            digest = hashlib.sha256((previous + key + text(row["content_digest"])).encode()).hexdigest()
            check(f"python: chain row {row['sequence']} digest", digest == text(row["digest"]))
            previous = digest

    # --- PyTables -------------------------------------------------------------------------
    with tables.open_file(path, "r") as t:
        node = t.get_node(f"/runs/{run_id}/findings")
        check("PyTables: findings is a Table", isinstance(node, tables.Table))
        check(f"PyTables: {n_findings} rows", node.nrows == n_findings)
        check("PyTables: column read", t.get_node(f"/runs/{run_id}/rules").col("id")[node.col("rule")[0]] == b"I-1")
        check("PyTables: where() query", len(node.read_where("kind == 4")) == 1)
        for name in ("evidence", "rules", "targets", "classes", "parties", "waivers", "records", "problems", "inputs", "summary", "commit",
                     "commit_blocks"):
            check(f"PyTables: {name} is a Table", isinstance(t.get_node(f"/runs/{run_id}/{name}"), tables.Table))
        zone_table = t.get_node(f"/zones/{zone_set}/zones")
        check("PyTables: zones table under a UTF-8 group name", isinstance(zone_table, tables.Table))
        check("PyTables: chain is a Table", isinstance(t.get_node("/audit/chain"), tables.Table))
        heap = t.get_node(f"/runs/{run_id}/dictionary_text")
        check("PyTables: dictionary_text heap is an array of uint8",
              isinstance(heap, tables.Array) and heap.atom.dtype == np.uint8)
        check("PyTables: heap bytes read", bytes(heap[0:2]) == b"2 ")
        regime = t.get_node(f"/runs/{run_id}/regime_text")
        check("PyTables: regime_text reads", bytes(regime.read()).decode("utf-8").startswith("# Korean"))

    # --- pandas ---------------------------------------------------------------------------
    with h5py.File(path, "r") as f:
        df = pd.DataFrame.from_records(f[f"runs/{run_id}/findings"][...])
        check("pandas: from_records shape", df.shape == (n_findings, 18))
        rules = pd.DataFrame.from_records(f[f"runs/{run_id}/rules"][...])
        check("pandas: string column decodes", rules["id"].str.decode("utf-8").tolist()[0] == "I-1")
        check("pandas: float column", abs(df["lon"][0] - 127.0123456789) < 1e-12)
        problems = pd.DataFrame.from_records(f[f"runs/{run_id}/problems"][...])
        check("pandas: problems table", len(problems) == 3 and problems["line"].tolist()[:2] == [7, 9])
        zones = pd.DataFrame.from_records(f[f"zones/{zone_set}/zones"][...])
        check("pandas: zones with Korean name", zones["name"].str.decode("utf-8")[0] == "비무장지대 북측")
    print("all readers ok")


if __name__ == "__main__":
    main()
