#!/usr/bin/python3
"""The store's write floor: the work avf's store format asks for every run, and nothing else.

    /usr/bin/python3 store_floor.py STORE.h5      (Debian's Python: python3-h5py, scripts/install-deps.sh)

For the last run in STORE (an `avf run` of bench/run.sh), takes the canonical bytes of the tables
that grow with the findings (`findings`, `evidence`, `explanations`; docs/store-format.md §4) and
does to them only what the format prescribes for every byte written (docs/design.md, "The HDF5
store"): HDF5's shuffle filter, chunk by chunk at the dataset's own chunk size; deflate at avf's
level (1) with the same zlib; SHA-256 twice, whole table and per block, as the commit record's
ContentDigest does (same OpenSSL). No encoding, no HDF5 calls, no Fletcher-32, no evaluation: a
lower bound on the CPU any program needs to write that store. Reading the store (inflate) is not
timed.

Prints key=value pairs for bench/run.sh: seconds and cpu_s (the timed work only), findings, bytes.
"""
import hashlib
import sys
import time
import zlib

import h5py
import numpy as np

DEFLATE_LEVEL = 1  # storage/table.cpp

with h5py.File(sys.argv[1], "r") as f:
    runs = f["runs"]
    run = runs[sorted(runs.keys())[-1]]
    tables = []
    for name in ("findings", "evidence", "explanations"):  # explanations: schema 1-3 runs only
        if name not in run:
            continue
        d = run[name]
        raw = d[...]
        tables.append((raw.tobytes(), raw.dtype.itemsize, d.chunks[0] if d.chunks else max(1, len(raw))))
    findings = len(run["findings"])

cpu0, wall0 = time.process_time(), time.perf_counter()
stored = 0
for data, item, chunk_rows in tables:
    step = chunk_rows * item
    for i in range(0, len(data), step):
        chunk = np.frombuffer(data, dtype=np.uint8, count=min(step, len(data) - i), offset=i)
        if item > 1:  # shuffle: byte j of every element together (H5Z_filter_shuffle)
            chunk = np.ascontiguousarray(chunk.reshape(-1, item).T)
        stored += len(zlib.compress(chunk.tobytes(), DEFLATE_LEVEL))
    whole, block = hashlib.sha256(), hashlib.sha256()
    whole.update(data)
    block.update(data)  # the per-block digests cover the same bytes once more
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0

raw_bytes = sum(len(t[0]) for t in tables)
print(f"seconds={wall:.3f} cpu_s={cpu:.3f} findings={findings} bytes={raw_bytes} deflated={stored}")
