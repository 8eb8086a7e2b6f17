#!/usr/bin/python3
"""The newest run of each store against the first store's (tests/mpi/mpi_runs.sh).

  compare_runs.py [--results-only] REF.h5 OTHER.h5...

Default (the runs were made with AVF_TEST_RUN_CLOCK, so their times are the same): the run's
`commit` table (every member's rows and SHA-256, `attributes` included), its content digest and
its chain row (sequence, kind, name, content digest, previous digest, digest) must be identical.
--results-only (runs at different times): every commit row but `attributes` (the results digest's
members: findings, evidence, problems, inputs with their counts, summary, ...). Prints one line per
store; exit 1 on any difference.
"""
import sys

import h5py


def newest(path):
    with h5py.File(path, "r") as f:
        row = f["/audit/chain"][-1]
        name = row["name"].decode()
        commit = f[f"/runs/{name}/commit"]
        rows = [(r["table"].decode(), int(r["rows"]), r["sha256"].decode()) for r in commit[...]]
        digest = commit.attrs["digest"]
        digest = digest.decode() if isinstance(digest, bytes) else str(digest)
        chain = tuple(row[k].decode() if isinstance(row[k], bytes) else int(row[k]) for k in row.dtype.names)
        return name, rows, digest, chain


def main(argv):
    results_only = "--results-only" in argv
    paths = [a for a in argv if a != "--results-only"]
    ref = newest(paths[0])
    bad = 0
    for p in paths:
        name, rows, digest, chain = newest(p)
        if results_only:
            same = [r for r in rows if r[0] != "attributes"] == [r for r in ref[1] if r[0] != "attributes"]
            what = "results (commit rows but attributes)"
        else:
            same = (name, rows, digest, chain) == ref
            what = "commit record, content digest, chain row"
        counts = {t: n for t, n, _ in rows if t in ("findings", "evidence", "problems")}
        print(f"{p}: {name} content digest {digest[:16]} {counts}: {what} {'identical' if same else 'DIFFERENT'}")
        if not same:
            bad += 1
            for a, b in zip(rows, ref[1]):
                if a != b:
                    print(f"    {a[0]}: {a[1]} {a[2][:16]} vs {b[1]} {b[2][:16]}")
            if chain != ref[3]:
                print(f"    chain {chain} vs {ref[3]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
