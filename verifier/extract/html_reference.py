"""One Reference from a URL found in markup: normalised, classified, placed.

Shared by the HTML and wikitext extractors, which find URLs differently but record them the
same way.
"""

from __future__ import annotations

import re
from functools import lru_cache

from verifier.extract.base import LineIndex
from verifier.extract.urls import UrlReading, read_url
from verifier.model import Citation, Reference

# Browsers drop tabs and line breaks inside a URL before parsing it, so an href wrapped over
# two lines of source still works; the checker must see the same address.
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


# A saved page links the same few hundred addresses again and again (its navigation, the
# articles it cites twice): each is read once. The reading depends on nothing else.
@lru_cache(maxsize=1024)
def _reading(url_text: str, base: str | None) -> UrlReading:
    if "\t" in url_text or "\n" in url_text or "\r" in url_text:
        url_text = _TAB_OR_NEWLINE.sub("", url_text)
    return read_url(url_text, base)


def build_reference(
    url_text: str,
    raw: str,
    start: int,
    index: LineIndex,
    *,
    base: str | None = None,
    text: str | None = None,
    footnote: str | None = None,
    citation: Citation | None = None,
) -> Reference:
    """The reference made by ``url_text`` (the URL as the browser sees it) written as ``raw`` at ``start``.

    A relative URL is resolved against ``base`` when there is one and stays internal
    otherwise. A URL that cannot be checked becomes a reference with a malformed-url issue.
    """
    reading = _reading(url_text, base)
    line, column = index.position(start)
    url = reading.url
    return Reference(
        url=url,
        # Most URLs are written as they are read: one string then serves as both.
        raw=url if raw == url else raw,
        kind=reading.kind,
        line=line,
        column=column,
        start=start,
        end=start + len(raw),
        text=text or None,
        footnote=footnote,
        citation=citation,
        wayback=reading.wayback,
        issues=reading.issues,
    )
