#!/usr/bin/python3
"""Damage an avf store the way a hex editor, a careless script or a forger would (test tool).

  tamper.py flip-raw     STORE DATASET ROW          flip one byte of the stored (compressed) chunk
                                                    holding ROW, in the file's bytes: fletcher32
                                                    no longer matches
  tamper.py forge-raw    STORE DATASET ROW [BYTE]   change one byte inside ROW (BYTE of the row
                                                    when it fits, else another) and rewrite that
                                                    chunk's bytes in place with a valid fletcher32
                                                    (shuffle + deflate + checksum redone here, not
                                                    by HDF5): every reader reads the forged row
  tamper.py delete-row   STORE DATASET ROW          rewrite DATASET one row shorter (same type,
                                                    chunking, filters and attributes)
  tamper.py delete       STORE LINK                 remove an object (e.g. a run's commit record)
  tamper.py forge-consistent STORE GROUP [--no-chain] [--keep-signatures]
                                                    rewrite history as a forger who knows the documented
                                                    format would: change one value of GROUP (/runs/<id>:
                                                    the first finding's measured value; /zones/<set>: the
                                                    first zone's name), recompute its block digests,
                                                    commit record and digest, the zone_set_digest and
                                                    commit records of the runs that used a changed set,
                                                    and the audit chain from the first changed row on;
                                                    /audit/signatures is removed (no key to re-sign
                                                    with). --no-chain stops before the chain (the
                                                    attack that passed verify when zone sets were not
                                                    in it); --keep-signatures leaves the signatures
  tamper.py add-dataset  STORE GROUP NAME           add a small dataset to a group
  tamper.py add-attribute STORE OBJECT NAME VALUE   add a string attribute to a group or dataset
  tamper.py flip-sweep   STORE AVF TRIALS SEED      flip one byte at TRIALS seeded positions among the
                                                    bytes of copies of STORE (and its member files,
                                                    copied with it) that hold no chunk of
                                                    data (HDF5 metadata: superblock, object headers,
                                                    B-trees, heaps); for each copy `AVF audit verify` runs,
                                                    and every copy it calls ok is read in full with
                                                    h5py (every object, attribute and dataset) in a
                                                    forked child (damaged metadata can crash HDF5).
                                                    Prints one JSON summary line

Prints one line saying what it did (file offset and byte for the raw edits).
"""
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import h5py
import numpy as np


def fletcher32(data: bytes) -> int:
    """HDF5's H5_checksum_fletcher32 (H5checksum.c): 16-bit big-endian words, reduced every 360."""
    sum1 = sum2 = 0
    n = len(data) // 2
    i = 0
    while n:
        t = min(n, 360)
        n -= t
        for _ in range(t):
            sum1 += (data[i] << 8) | data[i + 1]
            i += 2
            sum2 += sum1
        sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
        sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
    if len(data) % 2:
        sum1 += data[i] << 8
        sum2 += sum1
        sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
        sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
    sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
    sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
    return (sum2 << 16) | sum1


def shuffle(data: bytes, size: int) -> bytes:
    a = np.frombuffer(data, dtype=np.uint8).reshape(-1, size)
    return a.T.tobytes()


def unshuffle(data: bytes, size: int) -> bytes:
    a = np.frombuffer(data, dtype=np.uint8).reshape(size, -1)
    return a.T.tobytes()


def chunk_of(path, name, row):
    """(file, file offset, stored size, first row, rows per chunk, element size) of the chunk holding
    row. The file is the one holding the dataset: the store file, or (schema 5) the member file its
    external link leads to."""
    with h5py.File(path, "r") as f:
        ds = f[name]
        rows = ds.chunks[0]
        first = (row // rows) * rows
        info = ds.id.get_chunk_info_by_coord((first,))
        return ds.file.filename, info.byte_offset, info.size, first, rows, ds.dtype.itemsize


def flip_raw(path, name, row):
    path, offset, size, _, _, _ = chunk_of(path, name, row)
    where = offset + size // 2
    with open(path, "r+b") as raw:
        raw.seek(where)
        byte = raw.read(1)[0]
        raw.seek(where)
        raw.write(bytes([byte ^ 0xFF]))
    print(f"flipped the byte at file offset {where} (0x{byte:02x} -> 0x{byte ^ 0xFF:02x}), inside the stored chunk of {name} holding row {row}")


def forge_raw(path, name, row, wanted=None):
    path, offset, size, first, rows, itemsize = chunk_of(path, name, row)
    with open(path, "rb") as raw:
        raw.seek(offset)
        stored = raw.read(size)
    body, checksum = stored[:-4], struct.unpack("<I", stored[-4:])[0]
    assert fletcher32(body) == checksum, "this fletcher32 does not reproduce HDF5's"
    plain = bytearray(unshuffle(zlib.decompress(body), itemsize))
    # Candidate bytes inside the row: late in the row (offset/length columns, floats), where a
    # change keeps the compressed size; the first that fits the stored size is used.
    base = (row - first) * itemsize
    candidates = ([wanted] if wanted is not None else []) + list(range(itemsize - 1, 0, -1))
    for k in candidates:
        changed = bytearray(plain)
        changed[base + k] ^= 0x01
        shuffled = shuffle(bytes(changed), itemsize)
        for level in (5, 4, 6, 3, 7, 2, 8, 1, 9):
            new = zlib.compress(shuffled, level)
            if len(new) <= len(body):
                new = new + bytes(len(body) - len(new))  # HDF5's inflate stops at the stream end
                forged = new + struct.pack("<I", fletcher32(new))
                with open(path, "r+b") as raw:
                    raw.seek(offset)
                    raw.write(forged)
                print(f"forged byte {k} of row {row} of {name} (0x{plain[base + k]:02x} -> 0x{changed[base + k]:02x}); "
                      f"rewrote the chunk's {size} bytes at file offset {offset} with a valid fletcher32")
                return
    sys.exit("no byte of the row could be changed without growing the chunk")


def delete_row(path, name, row):
    with h5py.File(path, "r+") as f:
        old = f[name]
        data = old[...]
        ftype = old.id.get_type()
        dcpl = old.id.get_create_plist()
        attrs = {k: old.attrs[k] for k in old.attrs}
        parent, base = old.parent, name.rsplit("/", 1)[-1]
        kept = np.ascontiguousarray(np.delete(data, row))
        del parent[base]
        space = h5py.h5s.create_simple((len(kept),), (h5py.h5s.UNLIMITED,))
        dsid = h5py.h5d.create(parent.id, base.encode(), ftype, space, dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, kept, mtype=ftype)
        for k, v in attrs.items():
            parent[base].attrs[k] = v
    print(f"rewrote {name} without row {row}: {len(data)} -> {len(kept)} rows")


def delete(path, link):
    with h5py.File(path, "r+") as f:
        del f[link]
    print(f"deleted {link}")


RUN_ATTRIBUTES = ["run_id", "zone_set", "zone_set_digest", "regime_id", "tool_version",
                  "started", "finished", "status", "options_json"]
ZONE_SET_ATTRIBUTES = ["name", "imported_utc", "options_json"]
TABLE_BLOCK_ROWS = 4096
HEAP_BLOCK_BYTES = 65536


def text(value):
    return value.decode("utf-8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def field(data):
    return struct.pack("<q", len(data)) + data


def set_string_attribute(obj, name, value):
    del obj.attrs[name]
    obj.attrs.create(name, np.bytes_(value.encode("utf-8")))


def canonical(group, name, attribute_names):
    """(units, canonical bytes) of a commit entry (docs/store-format.md section 5)."""
    if name == "attributes":
        return len(attribute_names), b"".join(field(a.encode()) + field(text(group.attrs[a]).encode("utf-8")) for a in attribute_names)
    if name == "regime_text":
        data = group[name][()]
        return len(data), data
    data = group[name][...]
    return len(data), data.tobytes()


def recommit(group, attribute_names):
    """Recomputes every block digest, commit row and the commit digest of a group; returns the digest."""
    commit = group["commit"][...]
    blocks = group["commit_blocks"][...]
    for i, row in enumerate(blocks):
        name, first, count = text(row["table"]), int(row["first"]), int(row["count"])
        data = group[name][...]
        unit = data.dtype.itemsize
        raw = data.tobytes()
        blocks[i]["sha256"] = hashlib.sha256(raw[first * unit:(first + count) * unit]).hexdigest().encode()
    group["commit_blocks"][...] = blocks
    lines = ""
    for i, row in enumerate(commit):
        name = text(row["table"])
        units, data = canonical(group, name, attribute_names)
        commit[i]["rows"] = units
        commit[i]["sha256"] = hashlib.sha256(data).hexdigest().encode()
        lines += f"{name} {units} {text(commit[i]['sha256'])}\n"
    group["commit"][...] = commit
    digest = hashlib.sha256(lines.encode()).hexdigest()
    set_string_attribute(group["commit"], "digest", digest)
    return digest


def rechain(f, changed):
    """Recomputes the chain's content digests of the changed groups and every link and digest."""
    chain = f["audit/chain"][...]
    has_kind = "kind" in chain.dtype.names
    previous = "0" * 64
    first = None
    for i, row in enumerate(chain):
        kind = text(row["kind"]) if has_kind else "run"
        name = text(row["name"] if has_kind else row["run_id"])
        if (kind, name) in changed:
            chain[i]["content_digest"] = changed[(kind, name)].encode()
            first = i if first is None else first
        chain[i]["previous_digest"] = previous.encode()
        key = "zone_set/" + name if kind == "zone_set" else name
        previous = hashlib.sha256((previous + key + text(chain[i]["content_digest"])).encode()).hexdigest()
        chain[i]["digest"] = previous.encode()
    f["audit/chain"][...] = chain
    return first, previous


def forge_consistent(path, group_path, no_chain=False, keep_signatures=False):
    with h5py.File(path, "r+") as f:
        group = f[group_path]
        # The name from the path: a member file's group (schema 5) is its file's root, named "/".
        group_name = group_path.rstrip("/").rsplit("/", 1)[-1]
        changed = {}
        if group_path.startswith("/runs/"):
            findings = group["findings"][...]
            findings[0]["measured"] = findings[0]["measured"] + 1.0
            group["findings"][0] = findings[0]
            changed[("run", group_name)] = recommit(group, RUN_ATTRIBUTES)
            what = f"the first finding's measured value (+1) of {group_path}"
        else:
            zones = group["zones"][...]
            zones[0]["name"] = b"FORGED " + zones[0]["name"][:100]
            group["zones"][0] = zones[0]
            set_name = group_name
            digest = recommit(group, ZONE_SET_ATTRIBUTES)
            changed[("zone_set", set_name)] = digest
            for run_id in f["runs"]:
                run = f["runs"][run_id]
                if text(run.attrs["zone_set"]) == set_name and text(run.attrs["zone_set_digest"]) and "commit" in run:
                    set_string_attribute(run, "zone_set_digest", digest)
                    changed[("run", run_id)] = recommit(run, RUN_ATTRIBUTES)
            what = f"the first zone's name of {group_path} (and {len(changed) - 1} runs that used it)"
        head = ""
        if not no_chain:
            _, head = rechain(f, changed)
        if not keep_signatures and "signatures" in f["audit"]:
            del f["audit/signatures"]
    print(f"forged {what}; recomputed block digests, commit records" + ("" if no_chain else f" and the audit chain (new head {head})") +
          ("" if keep_signatures else "; removed the signatures"))


def add_dataset(path, group, name):
    with h5py.File(path, "r+") as f:
        f[group].create_dataset(name, data=np.arange(4, dtype="<i8"))
    print(f"added dataset {group}/{name}")


def add_attribute(path, obj, name, value):
    with h5py.File(path, "r+") as f:
        f[obj].attrs.create(name, np.bytes_(value.encode("utf-8")))
    print(f"added attribute {name} to {obj}")


def store_files(path):
    """The store file and (schema 5) its member files, `<store>.d/{zones,runs}/*.h5`."""
    files = [path]
    for kind in ("zones", "runs"):
        folder = os.path.join(path + ".d", kind)
        if os.path.isdir(folder):
            files += sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".h5"))
    return files


def read_everything(path):
    """Reads every object, attribute and dataset in full, as h5dump would (raises on damage), in the
    store file and in each member file (visititems does not follow external links)."""
    for name in store_files(path):
        with h5py.File(name, "r") as f:
            def visit(name, obj):
                for key in obj.attrs:
                    obj.attrs[key]
                if isinstance(obj, h5py.Dataset):
                    obj[()] if obj.shape == () else obj[...]
            for key in f.attrs:
                f.attrs[key]
            f.visititems(visit)


def metadata_ranges(path):
    """The file's byte ranges that hold no chunk of dataset data: superblock, object headers,
    B-trees, heaps, contiguous data — where fletcher32 does not look."""
    chunks = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.chunks:
                for i in range(obj.id.get_num_chunks()):
                    info = obj.id.get_chunk_info(i)
                    chunks.append((info.byte_offset, info.byte_offset + info.size))
        f.visititems(visit)
    ranges, at = [], 0
    for start, end in sorted(chunks):
        if start > at:
            ranges.append((at, start))
        at = max(at, end)
    size = os.path.getsize(path)
    if at < size:
        ranges.append((at, size))
    return ranges


def flip_sweep(path, avf, trials, seed):
    rng = random.Random(seed)
    files = store_files(path)
    size = sum(os.path.getsize(f) for f in files)
    ranges = [(f, start, end) for f in files for start, end in metadata_ranges(f)]
    total = sum(end - start for _, start, end in ranges)

    def position():
        k = rng.randrange(total)
        for f, start, end in ranges:
            if k < end - start:
                return f, start + k
            k -= end - start
    positions = [position() for _ in range(trials)]
    out = {"trials": trials, "seed": seed, "size": size, "files": len(files), "metadata_bytes": total, "verify_ok": 0, "verify_mismatch": 0,
           "verify_other": {}, "ok_and_readable": 0, "ok_but_unreadable": []}
    work = tempfile.mkdtemp(prefix="avf-flip-")
    try:
        for n, (target, where) in enumerate(positions):
            # A copy of the whole store (same file name: the links name its member folder).
            folder = os.path.join(work, f"flip-{n}")
            os.makedirs(folder)
            copy = os.path.join(folder, os.path.basename(path))
            shutil.copyfile(path, copy)
            if os.path.isdir(path + ".d"):
                shutil.copytree(path + ".d", copy + ".d")
            flipped = copy + target[len(path):]
            with open(flipped, "r+b") as raw:
                raw.seek(where)
                old = raw.read(1)[0]
                new = old ^ rng.randrange(1, 256)
                raw.seek(where)
                raw.write(bytes([new]))
            code = subprocess.run([avf, "audit", "verify", copy], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60).returncode
            if code != 0:  # rejected: nothing to prove about it (and half the sweep's time saved)
                out["verify_mismatch" if code == 4 else "verify_other"] = (
                    out["verify_mismatch"] + 1 if code == 4 else {**out["verify_other"], str(code): out["verify_other"].get(str(code), 0) + 1})
                shutil.rmtree(folder, ignore_errors=True)
                continue
            pid = os.fork()
            if pid == 0:  # h5py in a child: damaged metadata can crash the HDF5 library
                try:
                    read_everything(copy)
                    os._exit(0)
                except BaseException:
                    os._exit(1)
            _, status = os.waitpid(pid, 0)
            readable = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
            out["verify_ok"] += 1
            if readable:
                out["ok_and_readable"] += 1
            else:
                out["ok_but_unreadable"].append({"file": target[len(path):] or "store", "offset": where, "from": old, "to": new})
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    action, path, *rest = sys.argv[1:]
    if action == "flip-raw":
        flip_raw(path, rest[0], int(rest[1]))
    elif action == "forge-raw":
        forge_raw(path, rest[0], int(rest[1]), int(rest[2]) if len(rest) > 2 else None)
    elif action == "delete-row":
        delete_row(path, rest[0], int(rest[1]))
    elif action == "delete":
        delete(path, rest[0])
    elif action == "forge-consistent":
        forge_consistent(path, rest[0], "--no-chain" in rest[1:], "--keep-signatures" in rest[1:])
    elif action == "add-dataset":
        add_dataset(path, rest[0], rest[1])
    elif action == "add-attribute":
        add_attribute(path, rest[0], rest[1], rest[2])
    elif action == "flip-sweep":
        flip_sweep(path, rest[0], int(rest[1]), int(rest[2]))
    else:
        sys.exit(__doc__)
