"""Arrays derived from the database (vector codes, term statistics) kept in a file beside it,
`<db>.<name>`, so that a new process maps them instead of rebuilding them (seconds to minutes at
a million paragraphs).

The file is tied to the database's state by a fingerprint (see `sqlite_search.index_fingerprint`:
reports, their content hashes and ingest times, the embeddings' pk range): a file written for
another state is ignored and rewritten. Its header also records each array's place and the
file's size, so a truncated file is ignored too. Written to a temporary name and renamed, so a
reader never sees half a file. Losing the file only costs a rebuild.

Layout: MAGIC, header length (8 bytes, little endian), JSON header, then each array's raw bytes
at a 64-byte aligned offset. Arrays are read with numpy memory-mapping: nothing is copied until
it is used, and the pages are shared by every process that maps the same file.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
from pathlib import Path

import numpy as np

MAGIC = b"CORROBORATE-ARRAYS 1\n"
_ALIGN = 64
log = logging.getLogger(__name__)


def sidecar_path(db_path: str, name: str) -> Path | None:
    """Where a database's derived arrays live; None for an in-memory database."""
    if not db_path or db_path == ":memory:" or db_path.startswith("file:"):
        return None
    return Path(f"{db_path}.{name}")


def write_arrays(path: Path, fingerprint: str, arrays: dict[str, np.ndarray], meta: dict | None = None) -> bool:
    """Write the arrays for this database state; False (and a log line) when it cannot."""
    entries, offset = {}, 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        offset = -(-offset // _ALIGN) * _ALIGN
        entries[name] = {"offset": offset, "dtype": a.dtype.str, "shape": list(a.shape)}
        offset += a.nbytes
    header = json.dumps({"fingerprint": fingerprint, "arrays": entries, "meta": meta or {},
                         "data_bytes": offset}).encode()
    start = -(-(len(MAGIC) + 8 + len(header)) // _ALIGN) * _ALIGN
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + len(header).to_bytes(8, "little") + header)
                for name, a in arrays.items():
                    if a.size:  # an empty array has no bytes (and memoryview cannot cast it)
                        fh.seek(start + entries[name]["offset"])
                        fh.write(memoryview(np.ascontiguousarray(a)).cast("B"))
                fh.truncate(start + offset)
            os.chmod(tmp, _database_mode(path))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("%s: cannot write derived arrays (%s); they will be rebuilt next time", path, exc)
        return False
    return True


def _database_mode(path: Path) -> int:
    """The database file's permissions (mkstemp makes files private)."""
    try:
        return stat.S_IMODE(os.stat(path.with_suffix("")).st_mode)
    except OSError:
        return 0o644


def read_arrays(path: Path, fingerprint: str) -> tuple[dict[str, np.ndarray], dict] | None:
    """The arrays (memory-mapped, read-only) and meta written for this state, else None."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                return None
            length = int.from_bytes(fh.read(8), "little")
            header = json.loads(fh.read(length))
        if header.get("fingerprint") != fingerprint:
            return None
        start = -(-(len(MAGIC) + 8 + length) // _ALIGN) * _ALIGN
        if path.stat().st_size != start + header["data_bytes"]:
            return None
        arrays = {}
        for name, e in header["arrays"].items():
            shape = tuple(e["shape"])
            if int(np.prod(shape)) == 0:
                arrays[name] = np.zeros(shape, dtype=np.dtype(e["dtype"]))
                continue
            arrays[name] = np.asarray(np.memmap(path, dtype=np.dtype(e["dtype"]), mode="r",
                                                offset=start + e["offset"], shape=shape))
        return arrays, header.get("meta", {})
    except (OSError, ValueError, KeyError, TypeError):
        return None
