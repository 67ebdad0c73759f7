"""Request size limits enforced on the connection, before any request reaches the app.

uvicorn (h11) answers an oversize request head with a bare 400 and closes the socket at once;
with megabytes of the request still unread the kernel then sends a reset, and the client
never sees the answer (a 1 MB query string "reset the connection"). Here every oversize request
gets a real answer: 414 for the request line (URL), 431 for the headers, 413 for a declared or
streamed body, as `{"detail": ...}` JSON under /api and a short HTML page elsewhere. After
answering, the server half-closes and reads (and drops) what the client is still sending, for a
bounded time and size, so that the answer is delivered before the socket closes ("lingering
close", as Apache and nginx do).

    uvicorn.run(app, http=BoundedH11Protocol, h11_max_incomplete_event_size=H11_MAX_INCOMPLETE)
"""

from __future__ import annotations

import html
import json
import re

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_REQUEST_LINE = 16 * 1024  # method, URL and version; browsers and proxies stay below 8-16 KB
MAX_HEAD = 64 * 1024  # request line and all headers
MAX_BODY = 1024 * 1024  # no route takes more than a short form
DRAIN_BYTES = 64 * 1024 * 1024  # after answering, read and drop at most this much ...
DRAIN_SECONDS = 5.0  # ... for at most this long, then close
# h11's own limit on an incomplete head must not fire first (it would answer a bare 400).
H11_MAX_INCOMPLETE = MAX_HEAD + 16 * 1024

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH = re.compile(rb"\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_REASONS = {413: "Content Too Large", 414: "URI Too Long", 431: "Request Header Fields Too Large"}


def head_problem(head: bytes) -> tuple[int, str] | None:
    """(status, detail) when the start of a request (its head, possibly incomplete) is too large."""
    line_end = head.find(b"\n")
    if (line_end if line_end >= 0 else len(head)) > MAX_REQUEST_LINE:
        return 414, f"the request URL is too long: the limit is {MAX_REQUEST_LINE} bytes"
    end = _HEAD_END.search(head)
    if (end.start() if end else len(head)) > MAX_HEAD:
        return 431, f"the request headers are too large: the limit is {MAX_HEAD} bytes in all"
    if end:
        declared = _CONTENT_LENGTH.search(head, 0, end.start() + 1)
        if declared and int(declared.group(1)) > MAX_BODY:
            return 413, f"the request body is too large: the limit is {MAX_BODY} bytes"
    return None


def _targets_api(start: bytes) -> bool:
    parts = start.split(b" ", 2)
    return len(parts) > 1 and parts[1].startswith(b"/api")


def error_response(status: int, detail: str, api: bool) -> bytes:
    """A complete HTTP/1.1 response that closes the connection."""
    if api:
        body, ctype = json.dumps({"detail": detail}).encode(), b"application/json"
    else:
        title = html.escape(_REASONS[status])
        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
                f"<h1>{title}</h1><p>{html.escape(detail[:1].upper() + detail[1:])}.</p></html>").encode()
        ctype = b"text/html; charset=utf-8"
    head = (b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
            % (status, _REASONS[status].encode(), ctype, len(body)))
    return head + body


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the limits above checked on the raw bytes of each request."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._head = bytearray()  # the current request's bytes until h11 has parsed its head
        self._body = 0  # body bytes of the current request
        self._drained: int | None = None  # bytes dropped since answering; None: not rejecting

    def data_received(self, data: bytes) -> None:
        if self._drained is not None:
            self._drained += len(data)
            if self._drained > DRAIN_BYTES:
                self.transport.close()
            return
        if self.conn.their_state is h11.IDLE:
            self._head += data
            problem = head_problem(bytes(self._head))
            if problem:
                self._reject(*problem, api=_targets_api(bytes(self._head[:64])))
                return
        elif self.conn.their_state is h11.SEND_BODY:
            self._body += len(data)
            if self._body > MAX_BODY + 64 * 1024:  # chunk framing aside, a body beyond the limit
                self._reject(413, f"the request body is too large: the limit is {MAX_BODY} bytes",
                             api=self.scope is not None and self.scope["path"].startswith("/api"), in_body=True)
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head is parsed: a new request begins later
            self._head.clear()
        if self.conn.their_state is not h11.SEND_BODY:
            self._body = 0

    def _reject(self, status: int, detail: str, api: bool, in_body: bool = False) -> None:
        self.logger.warning("%s: %s", status, detail)
        # While a head is read the cycle (if any) is the previous, finished request's.
        cycle = self.cycle if in_body else None
        answered = cycle is not None and cycle.response_complete  # the app answered already
        if cycle is not None and not answered:
            if cycle.response_started:  # mid-response: nothing clean is left to say
                self.transport.close()
                return
            cycle.disconnected = True  # the app's answer, if any, is dropped: this one goes out
            cycle.message_event.set()
        if not answered:
            self.transport.write(error_response(status, detail, api))
        self._drained = 0
        if self.transport.can_write_eof():  # not over TLS
            self.transport.write_eof()  # our side is finished; keep reading so no reset is sent
        self.loop.call_later(DRAIN_SECONDS, self.transport.close)

    def eof_received(self) -> bool | None:
        if self._drained is not None:  # the client has sent everything and read our answer
            self.transport.close()
        return super().eof_received()
