"""Reading an avf store with h5py and pandas alone (docs/store-format.md).

    import avf_store
    df = avf_store.findings("avf.h5")               # the latest committed run
    df = avf_store.findings("avf.h5", run="run-…")  # one run by id

`findings` returns one row per finding, in stored order, with the codes of schema 4 resolved and
the explanation rendered from the rule's template (schema 3 stores keep the sentence; it is read
as stored). Columns: id, kind, certainty, rule_id, rule_type, article, target_id, party,
equipment_class, span_from, span_to (ISO-8601 UTC text as avf prints it; "-inf"/"+inf" when
unbounded), lon, lat, measured, limit, unit, confidence, waiver_id, evidence_count, explanation.

The template rule is the one of docs/store-format.md ("Explanation templates"); render() is its
implementation, kept in step with core/explanation.cpp.
"""

import datetime
import re

import h5py
import numpy as np
import pandas as pd

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# schema 4 enumerations (docs/store-format.md): code -> name
KINDS = ["violation", "discrepancy", "coverage_gap", "unverifiable", "exempted"]
CERTAINTIES = ["certain", "possible", "n/a"]
RECORD_KINDS = ["detection", "image", "declaration", "flight"]

COLUMNS = ["id", "kind", "certainty", "rule_id", "rule_type", "article", "target_id", "party",
           "equipment_class", "span_from", "span_to", "lon", "lat", "measured", "limit", "unit",
           "confidence", "waiver_id", "evidence_count", "explanation"]


def _text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def format_utc(ms):
    """avf's time text: YYYY-MM-DDThh:mm:ssZ, .fff only when the milliseconds are not zero."""
    if ms == INT64_MIN:
        return "-inf"
    if ms == INT64_MAX:
        return "+inf"
    days, rem = divmod(ms, 86_400_000)
    d = datetime.date(1970, 1, 1) + datetime.timedelta(days=days)
    hh, rem = divmod(rem, 3_600_000)
    mm, rem = divmod(rem, 60_000)
    ss, frac = divmod(rem, 1000)
    s = f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{hh:02d}:{mm:02d}:{ss:02d}"
    return s + (f".{frac:03d}Z" if frac else "Z")


def _last(to_ms):
    """The last instant of a span ending at to_ms (exclusive): to − 1 ms; unbounded ends stay."""
    return to_ms if to_ms in (INT64_MIN, INT64_MAX) else to_ms - 1


def format_position(lon, lat):
    return f"{abs(lat):.4f}{'S' if lat < 0 else 'N'} {abs(lon):.4f}{'W' if lon < 0 else 'E'}"


def format_distance(meters):
    meters = abs(meters)
    return f"{meters:.0f} m" if meters < 1000.0 else f"{meters / 1000.0:.1f} km"


_FIELD = re.compile(r"\{\{|\}\}|\{([a-z_]+)(?:\|([^{}]*))?\}|[{}]")


def render(template, f):
    """The sentence of `template` for finding `f` (a dict of the row's resolved fields plus
    waiver_basis and records: the evidence record ids)."""
    def field(m):
        tok = m.group(0)
        if tok in ("{{", "}}"):
            return tok[0]
        name, arg = m.group(1), m.group(2)
        if name is None:
            raise ValueError(f"lone brace in template {template!r}")
        plain = {"rule": "rule_id", "type": "rule_type", "article": "article", "target": "target_id",
                 "class": "equipment_class", "party": "party", "unit": "unit", "kind": "kind",
                 "certainty": "certainty", "waiver": "waiver_id", "waiver_basis": "waiver_basis"}
        if name in plain and arg is None:
            return f[plain[name]]
        digits = {"lon": "lon", "lat": "lat", "measured": "measured", "limit": "limit", "confidence": "confidence"}
        if name in digits and arg is not None and re.fullmatch(r"[0-9]", arg):
            return f"{f[digits[name]]:.{int(arg)}f}"
        if arg is None:
            if name == "rule_ref":
                return f"(rule {f['rule_id']}, {f['article']})" if f["article"] else f"(rule {f['rule_id']})"
            if name == "party_of":
                return f"of {f['party']}" if f["party"] else "of unknown party"
            if name in ("from", "to"):
                return f["span_" + name]
            if name == "last":
                return f["span_last"]
            if name == "date":
                s = f["span_from"]
                return s[:10] if s not in ("-inf", "+inf") else s
            if name == "position":
                return format_position(f["lon"], f["lat"])
            if name in ("measured_distance", "limit_distance"):
                return format_distance(f[name.split("_")[0]] * 1000.0)
            if name == "record":
                return f["records"][0] if f["records"] else ""
            if name == "records":
                return str(len(f["records"]))
        if name == "verdict" and arg is not None:
            if f["kind"] == "exempted":
                return f"exempted by waiver {f['waiver_id']} ({f['waiver_basis']})"
            return f"{arg}; {f['certainty']}"
        raise ValueError(f"field {m.group(0)} of template {template!r} cannot be rendered")
    return _FIELD.sub(field, template)


def _latest_run(h5):
    chain = h5["audit/chain"][()]
    names = chain.dtype.names
    for row in reversed(chain):
        if "kind" in names and _text(row["kind"]) != "run":
            continue
        run = _text(row["name"] if "name" in names else row["run_id"])
        if "commit" in h5["runs"][run]:
            return run
    raise LookupError("the store has no committed run")


def _heap(g, name):
    return g[name][()].tobytes() if name in g else b""


def _schema3(g):
    t = g["findings"][()]
    heap = _heap(g, "explanations")
    rows = []
    for r in t:
        o, n = int(r["explanation_offset"]), int(r["explanation_length"])
        rows.append({"id": _text(r["id"]), "kind": _text(r["kind"]), "certainty": _text(r["certainty"]),
                     "rule_id": _text(r["rule_id"]), "rule_type": _text(r["rule_type"]), "article": _text(r["article"]),
                     "target_id": _text(r["target_id"]), "party": _text(r["party"]),
                     "equipment_class": _text(r["equipment_class"]), "span_from": _text(r["span_from"]),
                     "span_to": _text(r["span_to"]), "lon": float(r["lon"]), "lat": float(r["lat"]),
                     "measured": float(r["measured"]), "limit": float(r["limit"]), "unit": _text(r["unit"]),
                     "confidence": float(r["confidence"]), "waiver_id": _text(r["waiver_id"]),
                     "evidence_count": int(r["evidence_count"]), "explanation": heap[o:o + n].decode("utf-8")})
    return rows


def _schema4(g):
    text = _heap(g, "dictionary_text")
    rules = [dict(id=_text(r["id"]), type=_text(r["type"]), article=_text(r["article"]), unit=_text(r["unit"]),
                  template=text[int(r["template_offset"]):int(r["template_offset"]) + int(r["template_length"])].decode("utf-8"))
             for r in g["rules"][()]]
    targets, classes, parties = ([_text(v) for v in g[n][()]["id"]] for n in ("targets", "classes", "parties"))
    waivers = [(_text(r["id"]), text[int(r["basis_offset"]):int(r["basis_offset"]) + int(r["basis_length"])].decode("utf-8"))
               for r in g["waivers"][()]]
    rtext = _heap(g, "record_text")
    record_ids = [rtext[int(r["text_offset"]):int(r["text_offset"]) + int(r["id_length"])].decode("utf-8") for r in g["records"][()]]
    evidence = g["evidence"][()]
    rows = []
    for r in g["findings"][()]:
        rule = rules[int(r["rule"])]
        count, first = int(r["evidence_count"]), int(r["evidence"])
        records = [record_ids[first]] if count == 1 else [record_ids[int(e)] for e in evidence["record"][first:first + count]]
        waiver_id, basis = waivers[int(r["waiver"])]
        f = {"id": f"{int(r['id_hi']):016x}{int(r['id_lo']):016x}", "kind": KINDS[int(r["kind"])],
             "certainty": CERTAINTIES[int(r["certainty"])], "rule_id": rule["id"], "rule_type": rule["type"],
             "article": rule["article"], "target_id": targets[int(r["target"])], "party": parties[int(r["party"])],
             "equipment_class": classes[int(r["equipment_class"])], "span_from": format_utc(int(r["span_from"])),
             "span_to": format_utc(int(r["span_to"])),
             "span_last": format_utc(_last(int(r["span_to"]))), "lon": float(r["lon"]), "lat": float(r["lat"]),
             "measured": float(r["measured"]), "limit": float(r["limit"]), "unit": rule["unit"],
             "confidence": float(r["confidence"]), "waiver_id": waiver_id, "evidence_count": count,
             "waiver_basis": basis, "records": records}
        f["explanation"] = render(rule["template"], f)
        rows.append({c: f[c] for c in COLUMNS})
    return rows


def findings(path, run=None):
    """The findings of `run` (default: the latest committed run) as a DataFrame (COLUMNS)."""
    with h5py.File(path, "r") as h5:
        version = int(h5.attrs["schema_version"])
        run = run or _latest_run(h5)
        g = h5["runs"][run]
        # A schema-4 store may hold runs written before it was raised: the run's members say which.
        rows = _schema4(g) if "rules" in g else _schema3(g)
        if version > 5:
            raise ValueError(f"schema_version {version} is newer than this reader")
    return pd.DataFrame(rows, columns=COLUMNS)
