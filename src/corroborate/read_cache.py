"""Answers already given, remembered by a server process: the same search, question or report
asked again (a popular question, a results page and its facet links, search then ask) is
answered from memory instead of ranking, fetching and redacting again.

Safe by construction, on two counts:

* **Never stale.** Entries are keyed by a content version that changes whenever anything is
  committed to the database, by this process or any other. Each pooled store remembers the
  `change_marker()` it last saw; a connection that sees a new one (some commit happened
  since it last looked) moves the version on before its request reads the cache, so no request
  that starts after a commit can get an answer computed before it.
* **Never across roles.** The key holds what the caller may see (`Caller.sees_confidential`):
  an answer made for a researcher, naming a confidential source, is never given to a reader.
  The cached value is the answer as that caller is shown it, after redaction.

Values are kept as JSON bytes (orjson), compressed: immutable, each hit a fresh copy, and
about a fifth of the size, so the cache itself does not make a long-running server grow by tens
of megabytes (a 50-hit search answer on the sample: 172 KB of JSON, 36 KB compressed at level 1
in 1.4 ms, decompressed in 0.6 ms). Bounded by total compressed size;
least recently used answers go first.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import orjson

MAX_BYTES = 8 * 1024 * 1024  # compressed: a 50-hit sample search answer is ~36 KB
LEVEL = 1  # zlib: the fastest level already gives ~5x on answer JSON


def to_json(data: Any) -> bytes:
    """Compact JSON as the API sends it (non-string keys as strings, like `json.dumps`)."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


class ReadCache:
    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._version = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def version(self, store) -> int:
        """The content version to key this store's reads by, moved on when the store sees that
        the database changed since it last looked (or has never looked)."""
        seen = store.change_marker()
        with self._lock:
            if getattr(store, "_read_cache_seen", None) != seen:
                store._read_cache_seen = seen
                self._version += 1
                self._entries.clear()  # answers for older versions can never be asked for again
                self._size = 0
            return self._version

    def get_or_make(self, key: Hashable, make: Callable[[], Any], encode: Callable[[Any], bytes] = to_json) -> bytes:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if found is not None:
            return zlib.decompress(found)
        data = encode(make())
        packed = zlib.compress(data, LEVEL)
        if len(packed) > self.max_bytes // 8:  # one huge answer must not push out everything else
            return data
        with self._lock:
            if key[0] == self._version and key not in self._entries:
                self._entries[key] = packed
                self._size += len(packed)
                while self._size > self.max_bytes:
                    _, old = self._entries.popitem(last=False)
                    self._size -= len(old)
        return data

    def __len__(self) -> int:
        return len(self._entries)


class VersionedReads:
    """A `ReadCache` seen by one request: its content version and its caller's visibility."""

    def __init__(self, cache: ReadCache, version: int):
        self.cache = cache
        self.version = version

    def get_or_make(self, sees_confidential: bool, what: str, args: tuple, make: Callable[[], Any],
                    encode: Callable[[Any], bytes] = to_json) -> bytes:
        return self.cache.get_or_make((self.version, sees_confidential, what, args), make, encode)
