"""How `corroborate serve` runs the app: one uvicorn process with bounded request sizes, a
bounded worker-thread pool, and the model and vectors loaded before the port opens.

One process, not several workers: the sentence encoder (~65 MB) and the vector index are then
held once and shared by every request; SQLite and numpy release the GIL for the heavy parts.
Measured in benchmarks/results/load.md (benchmarks/bench_load.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

from fastapi import FastAPI

from corroborate.settings import Settings
from corroborate.web.http import H11_MAX_INCOMPLETE, BoundedH11Protocol

# Requests run on this many threads at once (sync endpoints); the others wait their turn in
# order. Measured at 50 clients on 2 cores: 4 threads beat 8 (and anyio's default 40) in
# throughput and memory; more only add GIL contention and malloc arenas.
WORKER_THREADS = 4
# glibc gives each thread that allocates its own malloc arena, which keeps freed memory: with
# many request threads RSS grew ~90 MB in a minute of load; two arenas keep it near the working set.
MALLOC_ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # bytes: glibc's initial value, kept
# Beyond this many open connections uvicorn answers 503 at once instead of queueing without end.
MAX_CONNECTIONS = 256
BACKLOG = 1024
# uvicorn's default 5 s lets it close a keep-alive connection just as a busy client reuses it
# (seen as "server disconnected" errors at 50 clients); nginx keeps them 75 s.
KEEP_ALIVE = 30

log = logging.getLogger("corroborate.serve")


def warm_up(app: FastAPI) -> None:
    """Open the store pool and, with embeddings on, load the encoder and the vector index, so
    that the first requests do not all wait for (or race to do) the loading."""
    from corroborate.web.api import library_pool

    pool = library_pool(app)
    with pool.library() as lib:
        if lib.settings.embeddings and lib.reports():
            lib.search("warm up", k=1)
            # The library's vocabulary in the embedding space (cross-lingual expansion, ask's
            # refusal): from the file beside the database, or embedded now, not on a request.
            from corroborate.search.engine import Searcher
            from corroborate.search.expand import library_vocabulary

            library_vocabulary(Searcher(lib.store, lib.settings))


def limit_malloc_arenas(arenas: int) -> None:
    """`MALLOC_ARENA_MAX` for this process, set before any request thread starts (glibc only)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
        # A fixed mmap threshold: glibc otherwise raises it after the first large block is freed,
        # and the answers of a few hundred KB (a results page) then fragment the heap for good
        # instead of going back to the system when freed.
        libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc: nothing to tune
        log.debug("mallopt unavailable; malloc arenas left as they are")


def limit_blas_threads() -> None:
    """One BLAS thread per request: requests already run side by side on the worker threads,
    and OpenBLAS's own threads spin waiting for work on a busy machine (a product with the
    library's vocabulary cost 2-3x the CPU with two BLAS threads on 2 shared cores)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; without it BLAS keeps its default
        return
    threadpool_limits(1, user_api="blas")


def event_loop() -> str:
    """uvloop when installed (a dependency on Linux): less CPU per request than asyncio's loop."""
    try:
        import uvloop  # noqa: F401
    except ImportError:  # pragma: no cover
        return "asyncio"
    return "uvloop"


def run(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    limit_malloc_arenas(MALLOC_ARENAS)

    from corroborate.web.app import create_app

    app = create_app(settings)
    app.state.worker_threads = WORKER_THREADS
    warm_up(app)  # with every BLAS thread: it may embed the library's whole vocabulary
    limit_blas_threads()
    uvicorn.run(app, host=host, port=port, http=BoundedH11Protocol, loop=event_loop(), timeout_keep_alive=KEEP_ALIVE,
                h11_max_incomplete_event_size=H11_MAX_INCOMPLETE,
                limit_concurrency=MAX_CONNECTIONS, backlog=BACKLOG)
