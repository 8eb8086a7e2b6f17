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

Prints one line saying what it did (file offset and byte for the raw edits).
"""
import struct
import sys
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
    """(file offset, stored size, first row, rows per chunk, element size) of the chunk holding row."""
    with h5py.File(path, "r") as f:
        ds = f[name]
        rows = ds.chunks[0]
        first = (row // rows) * rows
        info = ds.id.get_chunk_info_by_coord((first,))
        return info.byte_offset, info.size, first, rows, ds.dtype.itemsize


def flip_raw(path, name, row):
    offset, size, _, _, _ = chunk_of(path, name, row)
    where = offset + size // 2
    with open(path, "r+b") as raw:
        raw.seek(where)
        byte = raw.read(1)[0]
        raw.seek(where)
        raw.write(bytes([byte ^ 0xFF]))
    print(f"flipped the byte at file offset {where} (0x{byte:02x} -> 0x{byte ^ 0xFF:02x}), inside the stored chunk of {name} holding row {row}")


def forge_raw(path, name, row, wanted=None):
    offset, size, first, rows, itemsize = chunk_of(path, name, row)
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
    else:
        sys.exit(__doc__)
