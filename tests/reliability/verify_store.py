#!/usr/bin/python3
"""Verify avf stores without avf: h5py and hashlib only, following docs/store-format.md §5-§8.

    /usr/bin/python3 tests/reliability/verify_store.py STORE...

For each store, recomputes every commit-record entry of every run and zone set, each group's
content digest, the audit chain's links (schema 3: zone-set rows too), and each run's results digest (the commit lines without
`attributes` and `commit_blocks`). Prints one JSON object per store on its own line:

    {"store": ..., "ok": true, "runs": {"<run id>": {"content": ..., "results": ..., "findings": N}},
     "incomplete": [...], "error": ""}

Exit status 0 when every store verified, 1 otherwise. Used by the crash harness
(tests/reliability/test_crash.cpp) as a second opinion next to StoreReader::verify().
"""
import hashlib
import json
import struct
import sys

import h5py
import numpy as np

RUN_ATTRIBUTES = ["run_id", "zone_set", "zone_set_digest", "regime_id", "tool_version",
                  "started", "finished", "status", "options_json"]
ZONE_SET_ATTRIBUTES = ["name", "imported_utc", "options_json"]


def text(value):
    return value.decode("utf-8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def field(data):
    return struct.pack("<q", len(data)) + data


def entry(group, name, attribute_names):
    if name == "attributes":
        h = hashlib.sha256()
        for a in attribute_names:
            h.update(field(a.encode()) + field(text(group.attrs[a]).encode("utf-8")))
        return len(attribute_names), h.hexdigest()
    if name == "regime_text":
        data = group[name][()]
        return len(data), hashlib.sha256(data).hexdigest()
    data = group[name][...]
    return len(data), hashlib.sha256(data.tobytes()).hexdigest()


def verify_group(group, attribute_names):
    """(content digest, results digest); AssertionError naming the first mismatch."""
    lines, results = "", ""
    for row in group["commit"][...]:
        name = text(row["table"])
        units, sha = entry(group, name, attribute_names)
        assert units == row["rows"], f"{group.name}/{name}: {units} units, commit record says {row['rows']}"
        assert sha == text(row["sha256"]), f"{group.name}/{name}: SHA-256 differs from the commit record"
        line = f"{name} {row['rows']} {sha}\n"
        lines += line
        if name not in ("attributes", "commit_blocks"):
            results += line
    content = hashlib.sha256(lines.encode()).hexdigest()
    assert content == text(group["commit"].attrs["digest"]), f"{group.name}: content digest differs from the commit attribute"
    return content, hashlib.sha256(results.encode()).hexdigest()


def verify(path):
    out = {"store": path, "ok": False, "runs": {}, "incomplete": [], "error": ""}
    try:
        with h5py.File(path, "r") as f:
            assert text(f.attrs["format"]) == "avf-store", "not an avf store"
            schema = int(f.attrs["schema_version"])
            previous = "0" * 64
            in_chain = set()
            for i, row in enumerate(f["audit/chain"][...]):
                # Schema 3 rows name their kind; a zone set's key is "zone_set/<name>".
                kind = text(row["kind"]) if schema >= 3 else "run"
                name = text(row["name"] if schema >= 3 else row["run_id"])
                key = "zone_set/" + name if kind == "zone_set" else name
                assert int(row["sequence"]) == i + 1, f"chain row {i}: sequence {row['sequence']}"
                assert text(row["previous_digest"]) == previous, f"chain row {i}: broken link"
                previous = hashlib.sha256((previous + key + text(row["content_digest"])).encode()).hexdigest()
                assert previous == text(row["digest"]), f"chain row {i}: digest"
                group = f["zones" if kind == "zone_set" else "runs"][name]
                content, results = verify_group(group, ZONE_SET_ATTRIBUTES if kind == "zone_set" else RUN_ATTRIBUTES)
                assert content == text(row["content_digest"]), f"{kind} {name}: content digest differs from the chain"
                if kind == "run":
                    out["runs"][name] = {"content": content, "results": results, "findings": len(group["findings"])}
                in_chain.add((kind, name))
            for run_id in f["runs"]:
                if ("run", run_id) not in in_chain:
                    assert "commit" not in f["runs"][run_id], f"run {run_id}: committed but not in the chain"
                    out["incomplete"].append(run_id)
            for name in f["zones"]:
                if schema >= 3:
                    assert ("zone_set", name) in in_chain, f"zone set {name}: not in the chain"
                else:
                    verify_group(f["zones"][name], ZONE_SET_ATTRIBUTES)
        out["ok"] = True
    except Exception as e:  # report, never crash: a damaged store is a finding here
        out["error"] = f"{type(e).__name__}: {e}"
    return out


if __name__ == "__main__":
    ok = True
    for p in sys.argv[1:]:
        r = verify(p)
        ok = ok and r["ok"]
        print(json.dumps(r), flush=True)
    sys.exit(0 if ok else 1)
