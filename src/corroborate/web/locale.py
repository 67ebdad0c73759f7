"""The language of each request: `?locale=es|en` (remembered in a cookie), else the browser's
`Accept-Language`, else English (`i18n.choose_locale`). (Not `?lang=`: on /search and /sources
that already filters by the language of the cited sources.)

`LocaleMiddleware` sets the locale for the whole request (so `i18n.gettext` in a route speaks
the reader's language) and answers a `?locale=` switch with the cookie that makes it stick.
Pages render inside `use_locale(request_locale(request))` as well, because error pages for
unexpected exceptions are rendered outside every middleware.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corroborate.i18n import LOCALES, choose_locale, use_locale

LANG_COOKIE = "corroborate_lang"
LANG_PARAM = "locale"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _explicit(query_string: bytes) -> str | None:
    values = parse_qs(query_string.decode("latin-1")).get(LANG_PARAM)
    value = (values[0].strip().lower() if values else "") or None
    return value if value in LOCALES else None


def _locale_from_scope(scope: Scope) -> tuple[str, str | None]:
    """(locale, explicit choice or None) for an HTTP scope."""
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is the browser's problem, not a 500
        cookie = SimpleCookie()
    remembered = cookie[LANG_COOKIE].value if LANG_COOKIE in cookie else None
    explicit = _explicit(scope.get("query_string", b""))
    return choose_locale(explicit, remembered, headers.get("accept-language")), explicit


def request_locale(request: Request) -> str:
    found = request.scope.get("state", {}).get("locale")
    return found or _locale_from_scope(request.scope)[0]


class LocaleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path", "").startswith("/api/"):
            # JSON keeps English texts; an answer's own language is set where it is built (`lang`)
            locale, explicit = "en", None
        else:
            locale, explicit = _locale_from_scope(scope)
        scope.setdefault("state", {})["locale"] = locale

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if explicit:
                    headers.append((b"set-cookie", (f"{LANG_COOKIE}={explicit}; Max-Age={COOKIE_MAX_AGE}; "
                                                    "Path=/; SameSite=Lax").encode()))
                if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    headers += [(b"content-language", locale.encode()), (b"vary", b"Cookie, Accept-Language")]
                message = {**message, "headers": headers}
            await send(message)

        with use_locale(locale):
            await self.app(scope, receive, send_with_cookie)
