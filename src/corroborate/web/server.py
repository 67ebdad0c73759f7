"""How `corroborate serve` runs the app: one uvicorn process with bounded request sizes, a
bounded worker-thread pool, and the model and vectors loaded before the port opens.

One process, not several workers: the sentence encoder (~65 MB) and the vector index are then
held once and shared by every request; SQLite and numpy release the GIL for the heavy parts.
Measured in benchmarks/results/load.md (benchmarks/bench_load.py).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from corroborate.settings import Settings
from corroborate.web.http import H11_MAX_INCOMPLETE, BoundedH11Protocol

# Requests run on this many threads at once (sync endpoints); the others wait their turn in
# order. More threads than this only add contention on 2 cores and memory for their stacks.
WORKER_THREADS = 8
# Beyond this many open connections uvicorn answers 503 at once instead of queueing without end.
MAX_CONNECTIONS = 256
BACKLOG = 1024

log = logging.getLogger("corroborate.serve")


def warm_up(app: FastAPI) -> None:
    """Open the store pool and, with embeddings on, load the encoder and the vector index, so
    that the first requests do not all wait for (or race to do) the loading."""
    from corroborate.web.api import library_pool

    pool = library_pool(app)
    with pool.library() as lib:
        if lib.settings.embeddings and lib.reports():
            lib.search("warm up", k=1)


def run(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from corroborate.web.app import create_app

    app = create_app(settings)
    app.state.worker_threads = WORKER_THREADS
    warm_up(app)
    uvicorn.run(app, host=host, port=port, http=BoundedH11Protocol,
                h11_max_incomplete_event_size=H11_MAX_INCOMPLETE,
                limit_concurrency=MAX_CONNECTIONS, backlog=BACKLOG)
