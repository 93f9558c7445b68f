"""Cutting a Markdown document into pieces that parse the same alone as together.

A blank line followed by a line that starts at column 0 with a letter, ``[``, ``#`` or ``!``
closes every open block (paragraph, list, quote, footnote definition, indented code), unless
a fenced code block or a raw HTML block that may hold blank lines (``<pre>``, ``<!--``...) is
still open. Cutting there bounds the parser's memory on huge files and lets pieces that
cannot hold a reference be skipped without parsing them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_EVENT = re.compile(
    r"^(?:"
    r" {0,3}(?P<fence>`{3,}|~{3,})"
    r"| {0,3}(?P<html><(?:script|pre|style|textarea)(?=[\s>]|$)|<!--|<\?|<![A-Za-z]|<!\[CDATA\[)"
    r"|[ \t]*\r?\n(?P<cut>)(?=[^\W\d_]|[\[#!])"
    r")",
    re.MULTILINE | re.IGNORECASE,
)
_HTML_CLOSERS = {"<!--": "-->", "<?": "?>", "<![": "]]>", "<!": ">"}
_LIST_ITEM = re.compile(r"^[ \t]*\d{1,9}[.)]", re.MULTILINE)


def _html_closer(opener: str) -> str:
    for prefix in ("<!--", "<![", "<?", "<!"):
        if opener.startswith(prefix):
            return _HTML_CLOSERS[prefix]
    return f"</{opener[1:].lower()}>"


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end == -1 else end + 1


def _next_cut(text: str, start: int, earliest: int) -> int | None:
    """The first safe cut at or after ``earliest``, scanning block state from ``start``."""
    position = start
    while True:
        event = _EVENT.search(text, position)
        if event is None:
            return None
        if event.group("cut") is not None:
            cut = event.end()
            if cut >= earliest:
                return cut
            position = cut
        elif event.group("fence") is not None:
            marker = event.group("fence")
            fence = re.escape(marker[0])
            closing = re.compile(rf"^ {{0,3}}{fence}{{{len(marker)},}}[ \t]*\r?$", re.MULTILINE)
            found = closing.search(text, _line_end(text, event.start()))
            if found is None:
                return None
            position = _line_end(text, found.start())
        else:
            closer = re.compile(re.escape(_html_closer(event.group("html"))), re.IGNORECASE)
            found_html = closer.search(text, event.end())
            if found_html is None:
                return None
            position = _line_end(text, found_html.start())


def chunk_spans(text: str, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of consecutive pieces of about ``size`` characters covering ``text``."""
    start = 0
    while len(text) - start > size:
        cut = _next_cut(text, start, start + size)
        if cut is None:
            break
        yield start, cut
        start = cut
    yield start, len(text)


def may_hold_references(piece: str) -> bool:
    """Whether a piece has anything a reference or footnote is made of; if not, it is skipped."""
    return (
        "[" in piece
        or "<" in piece
        or "://" in piece
        or "www." in piece
        or "WWW." in piece
        or _LIST_ITEM.search(piece) is not None
    )
