"""Every route of the web app, found by walking the app itself, so a test over "every route"
cannot miss one added later."""

from __future__ import annotations

from fastapi import FastAPI


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) for every HTTP route; HEAD and the static mount left out."""
    out: set[tuple[str, str]] = set()

    def walk(routes) -> None:
        for r in routes:
            contexts = getattr(r, "effective_route_contexts", None)
            if contexts is not None:  # FastAPI's included router
                for c in contexts():
                    out.update((m, c.path) for m in c.methods if m != "HEAD")
            elif getattr(r, "methods", None):
                out.update((m, r.path) for m in r.methods if m != "HEAD")
            elif getattr(r, "routes", None):
                walk(r.routes)

    walk(app.routes)
    return sorted(out, key=lambda mp: (mp[1], mp[0]))
