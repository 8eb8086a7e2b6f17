#!/usr/bin/env python3
"""The side-by-side table of bench/run.sh, from its results.tsv, and issue 18's targets.

    table.py results.tsv [machine.txt [stores.tsv]]

stores.tsv (bench/run.sh store_bytes): size label threads findings canonical_bytes disk_bytes run_disk_bytes

results.tsv columns: rows_requested contender threads rows wall_s cpu_s rows_per_s peak_rss_mib
q1_pairs q2_artillery q2_mlrs load1
"""
import sys
from collections import defaultdict

rows = []
with open(sys.argv[1]) as f:
    for line in f:
        p = line.rstrip("\n").split("\t")
        if len(p) < 12:
            continue
        rows.append(dict(size=int(p[0]), who=p[1], threads=int(p[2]), n=int(p[3]), wall=float(p[4]), cpu=float(p[5]),
                         rate=float(p[6]), rss=p[7], q1=p[8], q2a=p[9], q2m=p[10], load=p[11]))
if len(sys.argv) > 2:
    print(open(sys.argv[2]).read().rstrip())
    print()


def fmt_rate(r):
    return f"{r / 1e6:.2f} M/s" if r >= 1e6 else f"{r / 1e3:.1f} k/s"


hdr = ["rows", "contender", "thr", "wall s", "cpu s", "rows/s", "rows/cpu-s", "peak RSS", "Q1 pairs", "Q2 arty", "Q2 MLRS", "load", "counts"]
table = []
ref = {}
for r in rows:
    key = (r["size"], r["who"].split("@")[1] if "@" in r["who"] else "")
    if r["who"] not in ("floor", "store-floor") and r["q1"]:
        ref.setdefault(key, (r["q1"], r["q2a"], r["q2m"]))
for r in rows:
    key = (r["size"], r["who"].split("@")[1] if "@" in r["who"] else "")
    agree = "" if r["who"] in ("floor", "store-floor") else ("=" if (r["q1"], r["q2a"], r["q2m"]) == ref.get(key) else "MISMATCH")
    table.append([f"{r['size']:.0e}".replace("e+0", "e"), r["who"], str(r["threads"]), f"{r['wall']:.2f}", f"{r['cpu']:.2f}", fmt_rate(r["rate"]), fmt_rate(r["n"] / r["cpu"]) if r["cpu"] > 0 else "",
                  f"{r['rss']} MiB" if r["rss"] else ("server" if r["who"] == "postgis" else ""), r["q1"], r["q2a"], r["q2m"], r["load"], agree])
w = [max(len(h), *(len(t[i]) for t in table)) if table else len(h) for i, h in enumerate(hdr)]
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)))
print("  ".join("-" * w[i] for i in range(len(hdr))))
for t in table:
    print("  ".join(c.rjust(w[i]) if i not in (1,) else c.ljust(w[i]) for i, c in enumerate(t)))
print("(rows/s = rows / wall s; rows/cpu-s = rows / (user + sys CPU s), the figure other work on the machine disturbs least; PostGIS: COPY + GiST + Q1 + Q2 timed in the server, 'thr' = processes;"
      " store-floor: shuffle + deflate + SHA-256 of the findings and evidence (and explanations, schema 1-3) avf's run stored, timed alone (bench/store_floor.py);"
      " counts '=' when Q1/Q2 equal the first contender's at that size)")

# Issue 18's targets, for every size (demo zones) and every zone complexity (@<N>v) that ran: the
# measured value and whether it is met. Wall figures are disturbed by other work on the machine
# (the load column); the per-CPU-second ones least.
stores = {}
if len(sys.argv) > 3:
    with open(sys.argv[3]) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 7:
                stores.setdefault((int(p[0]), p[1]), dict(findings=int(p[3]), canonical=int(p[4]), disk=int(p[5]), run_disk=int(p[6])))

groups = defaultdict(dict)  # (size, variant) -> {(contender, threads): row}
for r in rows:
    who, _, variant = r["who"].partition("@")
    if who in ("avf", "geos", "floor"):
        groups[(r["size"], variant)][(who, r["threads"])] = r
sizes = sorted({k[0] for k in groups if k[1] == ""})
print()
print("issue 18 targets:")
tw = 40


def verdict(ok):
    return "met" if ok else "MISSED"


def line(where, what, value, ok):
    print(f"  {where:<14} {what:<{tw}} {value:<58} {ok}")


def cpu_rate(r):
    return r["n"] / r["cpu"] if r and r["cpu"] > 0 else None


for key in sorted(groups):
    size, variant = key
    b = groups[key]
    where = f"{size:.0e}".replace("e+0", "e") + (f" @{variant}" if variant else "")
    a1, a2, g1, g2 = b.get(("avf", 1)), b.get(("avf", 2)), b.get(("geos", 1)), b.get(("geos", 2))
    # The floor runs over the same CSV in the size loop (none per zone complexity: parsing does not
    # depend on the zones).
    fb = groups.get((size, ""), {})
    f1, f2 = fb.get(("floor", 1)), fb.get(("floor", 2))
    if a2 and g2:
        line(where, "avf 2 thr >= GEOS 2 thr (wall)", f"{a2['wall']:.2f} s vs {g2['wall']:.2f} s: {g2['wall'] / a2['wall']:.2f}x GEOS's speed",
             verdict(a2["wall"] <= g2["wall"]))
    if a1 and f1 and cpu_rate(a1) and cpu_rate(f1):
        x = cpu_rate(a1) / cpu_rate(f1)
        wall = f", wall 2 thr {a2['rate'] / f2['rate']:.3f}" if a2 and f2 else ""
        line(where, "avf >= 1/3 of the parse floor (cpu-s)", f"{x:.3f} of the floor (1 thr{wall})", verdict(x >= 1 / 3))
    if a1 and g1 and cpu_rate(a1) and cpu_rate(g1):
        x = cpu_rate(a1) / cpu_rate(g1)
        line(where, "per CPU-second >= 0.8x GEOS (1 thr)", f"{x:.3f}x ({cpu_rate(a1) / 1e3:.1f} k vs {cpu_rate(g1) / 1e3:.1f} k rows/cpu-s)", verdict(x >= 0.8))
    if a1 and a2:
        x = a1["wall"] / a2["wall"]
        line(where, ">= 1.8x from 1 to 2 threads (wall)", f"{a1['wall']:.2f} -> {a2['wall']:.2f} s: {x:.2f}x (cpu {a1['cpu']:.2f} / {a2['cpu']:.2f} s)",
             verdict(x >= 1.8))
    sf = next((r for r in rows if r["size"] == size and r["who"] == "store-floor"), None) if not variant else None
    if sf and cpu_rate(sf) and g1 and cpu_rate(g1):
        # No program that writes this store can be faster than writing it.
        floor = f"{cpu_rate(sf) / cpu_rate(f1):.2f} of the parse floor, " if f1 and cpu_rate(f1) else ""
        line(where, "(the store's write floor alone, cpu-s)", f"{floor}{cpu_rate(sf) / cpu_rate(g1):.2f}x GEOS", "reported")
    st = stores.get((size, "avf" + (f"@{variant}" if variant else "")))
    if st and st["findings"]:
        n = st["findings"]
        line(where, "canonical bytes per finding (<= 96)", f"{st['canonical'] / n:.1f} B ({st['canonical']:,} B / {n:,} findings)",
             verdict(st["canonical"] / n <= 96))
        line(where, "store bytes on disk per finding", f"{st['disk'] / n:.1f} B (store + members {st['disk']:,} B; the run alone {st['run_disk'] / n:.1f} B)",
             "reported")
big = [k for k in groups if k[0] >= 10**8 and k[1] == ""]
if big:
    for key in sorted(big):
        r = max((r for (w, t), r in groups[key].items() if w == "avf" and r["rss"]), key=lambda r: float(r["rss"]), default=None)
        if r:
            line(f"{key[0]:.0e}".replace("e+0", "e"), "10^8 rows peak RSS < 1 GiB", f"{float(r['rss']):.0f} MiB (max over thread counts)",
                 verdict(float(r["rss"]) < 1024))
else:
    line("1e8", "10^8 rows peak RSS < 1 GiB", "not run (BENCH_MAX below 1e8)", "not run")

# Declarations at scale (issue 18 item 7): the run with declarations costs at most 2× the same run
# without them, per CPU-second.
decl = {(r["size"], r["who"].split("@")[0]): r for r in rows if r["who"].endswith("@decl")}
for size in sorted({k[0] for k in decl}):
    w, wo = decl.get((size, "avf-decl")), decl.get((size, "avf-nodecl"))
    if w and wo and wo["cpu"] > 0:
        print(f"  {size:.0e} declarations: with {w['cpu']:.2f} cpu s, without {wo['cpu']:.2f}: {w['cpu'] / wo['cpu']:.2f}x (<= 2)")
