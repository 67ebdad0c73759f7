"""Who is calling, for every request: API tokens, web sign-in, CSRF, security headers, limits.

* REST clients send `Authorization: Bearer TOKEN` (`corroborate user add|token`).
* Browsers sign in at `/signin` (argon2-checked password, rate-limited) and carry a session
  cookie: HttpOnly, SameSite=Lax, Secure when served over TLS. Signing out ends the session.
* Once any user exists, every route except `/api/health`, `/signin` and `/static/` needs one:
  401 JSON for the API, a redirect to the sign-in page for pages. With no users the app is in
  open mode (`users.OPEN_MODE`), as before users existed; `corroborate serve` then refuses a
  non-loopback --host.
* CSRF: a random token in a cookie that every state-changing form repeats in a `csrf` field
  (or a script in the `X-CSRF-Token` header): double-submit, checked here for every unsafe
  method unless the request is authenticated by a Bearer token, which a browser never sends
  on its own.
* Headers on every response: a Content-Security-Policy without inline script, nosniff, no
  referrer across origins, no framing.

Routes read the caller with `Depends(current_caller)`, or a Library acting for it with
`Depends(api.caller_library)`; pages get the same through `views_common.get_library`.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders

from corroborate.i18n import gettext
from corroborate.settings import Settings
from corroborate.store import StoreError, is_postgres, open_store
from corroborate.users import OPEN_MODE, AccessDenied, AuthError, Caller, Users

SESSION_COOKIE = "corroborate_session"
CSRF_COOKIE = "corroborate_csrf"
PUBLIC = ("/api/health", "/signin", "/static/")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_BODY = 1024 * 1024  # forms and JSON
MAX_UPLOAD = 50 * 1024 * 1024  # documents uploaded to ingest (per request)
UPLOAD_PATHS = ("/api/reports", "/upload")
SIGNIN_FAILURES, SIGNIN_WINDOW = 5, 300.0  # per client address and user name, seconds

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI at /docs is an inline script and CDN assets; it gets its own, looser policy.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
            "https://fastapi.tiangolo.com; frame-ancestors 'none'")

router = APIRouter(include_in_schema=False)

_local = threading.local()


_shared: dict[str, Users] = {}
_shared_lock = threading.Lock()


def users_for(settings: Settings) -> Users:
    """One user store per worker thread and database (SQLite connections stay in their thread);
    for PostgreSQL one per database, whose connection pool every thread shares."""
    if is_postgres(settings.db):
        with _shared_lock:
            if settings.db not in _shared:
                _shared[settings.db] = Users(open_store(settings.db))
            return _shared[settings.db]
    cache: dict[str, Users] = getattr(_local, "users", None) or {}
    _local.users = cache
    if settings.db not in cache:
        cache[settings.db] = Users(open_store(settings.db))
    return cache[settings.db]


def _settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or Settings()


def current_caller(request: Request) -> Caller:
    caller = getattr(request.state, "caller", None)
    if caller is None:  # only public routes get here without one
        raise HTTPException(401, "sign in or send an API token (Authorization: Bearer …)")
    return caller


def require(role: str):
    """A dependency refusing callers below `role` with 403."""

    def check(caller: Caller = Depends(current_caller)) -> Caller:
        try:
            caller.require(role, "this")
        except AccessDenied as exc:
            raise HTTPException(403, str(exc)) from exc
        return caller

    return check


def csrf_token(request: Request) -> str:
    """The token forms must repeat (templates: `{{ csrf }}`); set as a cookie on the response."""
    return getattr(request.state, "csrf", "") or request.cookies.get(CSRF_COOKIE, "")


# --- authentication ------------------------------------------------------------------------


def authenticate(request: Request) -> tuple[Caller | None, str | None, bool]:
    """(caller, why not, by bearer token) for this request (on the event loop's thread)."""
    users = users_for(_settings(request))
    if not users.any():
        return OPEN_MODE, None, False
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, "use Authorization: Bearer TOKEN", True
        try:
            return users.by_token(token.strip()), None, True
        except AuthError as exc:
            return None, str(exc), True
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        caller = users.by_session(session)
        if caller is not None:
            return caller, None, False
        return None, "your session has ended: sign in again", False
    return None, "sign in or send an API token (Authorization: Bearer …)", False


# A saved search's Atom feed: feed readers have no session, so the route checks the feed's own
# token (`web/alert_routes.py`) and anyone else is refused there.
FEED_PATH = re.compile(r"/searches/\d+/feed\.atom")


def _public(path: str) -> bool:
    return path == "/api/health" or path == "/signin" or path.startswith("/static/") or bool(FEED_PATH.fullmatch(path))


def _refuse(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
    from corroborate.web.views_common import error_page

    title = gettext("The library cannot be opened") if status == 503 else gettext("Not allowed")
    return error_page(request, status, title, message)


class AuthMiddleware:
    """Plain ASGI middleware (Starlette's BaseHTTPMiddleware runs every request through an extra
    task and memory stream: a measurable share of a search's CPU under load).

    On SQLite, authentication runs on the event loop: a count and one indexed lookup on this
    thread's own connection (WAL: a reader never waits for a writer), cheaper than a trip
    through the worker-thread pool that the endpoints queue for. On PostgreSQL the same lookups
    are network round trips, which must not stall the loop: they go to the pool."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self._refusal(request)
        if response is not None:
            await _headers(request, response)(scope, receive, send)
            return
        if "_body" in request.__dict__:  # the CSRF check read the form: the endpoint reads it again
            receive = _replay(request._body, receive)
        set_csrf = CSRF_COOKIE not in request.cookies

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if set_csrf:
                    cookie = Response()
                    cookie.set_cookie(CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict",
                                      secure=request.url.scheme == "https", path="/")
                    headers.append("set-cookie", cookie.headers["set-cookie"])
                _security_headers(request, headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refusal(self, request: Request) -> Response | None:
        """Who is calling (in `request.state`), or the response refusing the request."""
        too_big = _body_too_big(request)
        if too_big:
            return JSONResponse({"detail": too_big[1]}, status_code=too_big[0])
        try:
            if is_postgres(_settings(request).db):
                caller, problem, bearer = await run_in_threadpool(authenticate, request)
            else:
                caller, problem, bearer = authenticate(request)
        except StoreError as exc:
            request.state.caller = None
            return _refuse(request, 503, str(exc))
        request.state.caller = caller
        request.state.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        if caller is None and (problem and bearer or not _public(request.url.path)):
            return _refuse(request, 401, problem or "sign in")
        if request.method in UNSAFE and not bearer:
            sent = request.headers.get("x-csrf-token")
            if sent is None and request.headers.get("content-type", "").startswith(
                    ("application/x-www-form-urlencoded", "multipart/form-data")):
                await request.body()  # kept: the endpoint reads the same bytes again (`_replay`)
                sent = (await request.form()).get("csrf")
            cookie = request.cookies.get(CSRF_COOKIE, "")
            if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, cookie):
                return _refuse(
                    request, 403, "the form's CSRF token is missing or does not match: reload the page and try again")
        return None


def _replay(body: bytes, receive):
    """An ASGI `receive` that gives the already-read body once, then waits as the original."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _body_too_big(request: Request) -> tuple[int, str] | None:
    if request.method not in UNSAFE:
        return None
    length = request.headers.get("content-length")
    if length is None:
        if request.headers.get("transfer-encoding"):
            return 411, "send a Content-Length: bodies of unknown size are not accepted"
        return None
    limit = MAX_UPLOAD if request.url.path in UPLOAD_PATHS else MAX_BODY
    try:
        size = int(length)
    except ValueError:
        return 400, "Content-Length is not a number"
    if size > limit:
        return 413, f"request body is {size / 1e6:.1f} MB; the limit here is {limit / 1e6:.0f} MB"
    return None


def _headers(request: Request, response: Response) -> Response:
    _security_headers(request, response.headers)
    return response


def _security_headers(request: Request, headers: MutableHeaders) -> None:
    docs = request.url.path in ("/docs", "/redoc", "/docs/oauth2-redirect")
    headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")


# --- sign-in and sign-out ------------------------------------------------------------------


class _Attempts:
    """Failed sign-ins per (client address, user name) in a sliding window."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def blocked(self, key: tuple[str, str]) -> float:
        """Seconds until another attempt is allowed (0: allowed now)."""
        with self.lock:
            q = self.failures[key]
            now = time.monotonic()
            while q and q[0] <= now - SIGNIN_WINDOW:
                q.popleft()
            return (q[0] + SIGNIN_WINDOW - now) if len(q) >= SIGNIN_FAILURES else 0.0

    def fail(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.failures[key].append(time.monotonic())

    def clear(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.failures.pop(key, None)


ATTEMPTS = _Attempts()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative address."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not (target or "/").startswith("/") or (target or "").startswith("//"):
        return "/"
    return target or "/"


def _signin_page(request: Request, status: int = 200, error: str = "", name: str = "", next_: str = "/"):
    from corroborate.web.views_common import page

    return page(request, "signin.html", status_code=status, error=error, user_name=name, next=_safe_next(next_))


@router.get("/signin", response_class=HTMLResponse, name="signin")
def signin_form(request: Request, next: str = "/") -> HTMLResponse:
    return _signin_page(request, next_=next)


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    users = users_for(_settings(request))
    key = (request.client.host if request.client else "?", name.strip().lower())
    wait = ATTEMPTS.blocked(key)
    if wait:
        response = _signin_page(request, 429, gettext("Too many failed sign-ins: try again in %(seconds)s s.", seconds=int(wait) + 1), name, next)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    try:
        caller = users.check_password(name.strip(), password)
    except AuthError as exc:
        ATTEMPTS.fail(key)
        shown = (gettext("Wrong user name or password.") if str(exc) == "wrong user name or password"
                 else f"{exc}.".capitalize())
        return _signin_page(request, 401, shown, name, next)
    ATTEMPTS.clear(key)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, users.start_session(caller), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/signout")
def signout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        users_for(_settings(request)).end_session(token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
