#!/usr/bin/env python3
"""The side-by-side table of bench/run.sh, from its results.tsv, and the issue's targets.

    table.py results.tsv [machine.txt]

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
      " store-floor: shuffle + deflate + SHA-256 of the findings, evidence and explanations avf's run stored, timed alone (bench/store_floor.py);"
      " counts '=' when Q1/Q2 equal the first contender's at that size)")

# Targets (issue 6) at the largest size where every contender ran.
best = defaultdict(dict)
for r in rows:
    if "@" not in r["who"]:
        best[r["size"]][(r["who"], r["threads"])] = r
print()
print("targets:")
for size in sorted(best):
    b = best[size]
    def rate(who, t):
        r = b.get((who, t))
        return r["rate"] if r else None
    def cpu_rate(who, t):
        r = b.get((who, t))
        return r["n"] / r["cpu"] if r and r["cpu"] > 0 else None
    a1, a2 = rate("avf", 1), rate("avf", 2)
    tmax = max((t for (w, t) in b if w == "avf"), default=None)
    a = rate("avf", tmax) if tmax else None
    parts, cpu_parts = [], []
    g = rate("geos", tmax) if tmax else None
    if a and g:
        parts.append(f"avf/GEOS {a / g:.2f}x (>= 3)")
    pg = max((r["rate"] for (w, t), r in b.items() if w == "postgis"), default=None)
    if a and pg:
        parts.append(f"avf/PostGIS {a / pg:.1f}x (>= 20)")
    fl = rate("floor", tmax) if tmax else None
    if a and fl:
        parts.append(f"avf/floor {a / fl:.2f} (>= 0.5)")
    if a1 and a2:
        parts.append(f"avf 2 thr / 1 thr {a2 / a1:.2f}x (>= 1.8)")
    r = b.get(("avf", tmax))
    if r and r["rss"]:
        parts.append(f"avf peak RSS {int(float(r['rss']))} MiB" + (" (< 1024 at 1e8)" if size >= 10**8 else ""))
    c_a, c_g, c_f = cpu_rate("avf", 1), cpu_rate("geos", 1), cpu_rate("floor", 1)
    c_pg = max((r["n"] / r["cpu"] for (w, t), r in b.items() if w == "postgis" and r["cpu"] > 0), default=None)
    if c_a and c_g:
        cpu_parts.append(f"avf/GEOS {c_a / c_g:.2f}x")
    if c_a and c_pg:
        cpu_parts.append(f"avf/PostGIS {c_a / c_pg:.2f}x")
    if c_a and c_f:
        cpu_parts.append(f"avf/floor {c_a / c_f:.2f}")
    c_s = cpu_rate("store-floor", 1)
    if c_s and (c_f or c_g):
        # No program that writes this store can be faster than writing it.
        cpu_parts.append("store floor alone " + ", ".join(x for x in [f"{c_s / c_f:.2f} of the parse floor" if c_f else "",
                                                                       f"{c_s / c_g:.2f}x GEOS" if c_g else ""] if x))
    print(f"  {size:.0e} wall: " + "; ".join(parts))
    if cpu_parts:
        print(f"  {size:.0e} per CPU-second (1 thread): " + "; ".join(cpu_parts))

# Declarations at scale (issue 18 item 7): the run with declarations costs at most 2× the same run
# without them, per CPU-second.
decl = {(r["size"], r["who"].split("@")[0]): r for r in rows if r["who"].endswith("@decl")}
for size in sorted({k[0] for k in decl}):
    w, wo = decl.get((size, "avf-decl")), decl.get((size, "avf-nodecl"))
    if w and wo and wo["cpu"] > 0:
        print(f"  {size:.0e} declarations: with {w['cpu']:.2f} cpu s, without {wo['cpu']:.2f}: {w['cpu'] / wo['cpu']:.2f}x (<= 2)")
