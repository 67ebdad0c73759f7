"""The one rule for which link targets become links: every reader stores only these, and the
web pages and exporters check again before they write an href (a library filled by an older
version, or a future reader, must not be able to put `javascript:` into a page or a document).

A link is an absolute http, https or mailto URL, or a web address written without its scheme
(`www.example.org/report`, as footnotes often spell them). Anything else — `javascript:`,
`data:`, `vbscript:`, `file:`, relative paths — is text, never an href.
"""

from __future__ import annotations

import re

LINK_SCHEMES = ("http", "https", "mailto")

# Browsers drop ASCII tab and newline anywhere in a URL and leading C0 controls and spaces
# before they read the scheme, so "java\tscript:" is javascript: to them.
_IGNORED_BY_BROWSERS = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def safe_url(url: str | None) -> str | None:
    """The URL, stripped, if it may be a link target; None if it must stay plain text."""
    if not url:
        return None
    url = url.strip(" \t\n\r\f\v\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14"
                    "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
    probe = _IGNORED_BY_BROWSERS.sub("", url)
    m = _SCHEME.match(probe)
    if m:
        return url if m.group(1).lower() in LINK_SCHEMES and not _IGNORED_BY_BROWSERS.search(url) else None
    if probe.lower().startswith("www.") and ":" not in probe.split("/", 1)[0]:
        return url
    return None


def is_link(url: str | None) -> bool:
    return safe_url(url) is not None


def link_urls(urls: list[str]) -> list[str]:
    """The link targets among `urls`, stripped, in order (repeats kept: a footnote may link
    two of its `url` placeholders to the same page)."""
    return [u for u in map(safe_url, urls) if u]
