"""Bare URLs in running text: where each one starts and ends.

Literal searches for "://" and "www." find where URLs may be; one compiled expression takes
each candidate as far as URL characters go, and a short trim removes the punctuation that
belongs to the sentence rather than to the URL. Nothing here walks the text character by
character, so a large document is scanned at the speed of the literal searches.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator

# Characters that can never be part of a bare URL in prose: white space, angle brackets and
# quotes, CJK scripts and their punctuation, full-width forms, footnote markers such as
# ① and superscript digits, ellipses, dashes used as punctuation, and invisible characters.
_STOP = (
    r"\s<>\"`"
    r"\u00ab\u00b7\u00b9\u00b2\u00b3\u00bb"
    r"\u200b-\u200d\u2014\u2018-\u201f\u2025\u2026\u2039\u203a\u2060\u2070-\u209f"
    r"\u2460-\u24ff\u2776-\u2793\u2e80-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff"
    r"\ufe10-\ufe1f\ufe30-\ufe6f\ufeff\uff00-\uffef\U00020000-\U0003ffff"
)
_BODY = rf"[^{_STOP}']"

# An apostrophe stays inside a URL only between letters or digits (".../wiki/Ender's_Game");
# anywhere else it is a quote around the URL.
_REST = re.compile(rf"{_BODY}*(?:'(?=[A-Za-z0-9]){_BODY}+)*")

# Literal markers are searched for one at a time: a regex whose pattern begins with a literal
# scans at memchr speed, while an alternation or a case-insensitive prefix is several times
# slower on large text.
_SCHEME_MARK = re.compile("://")
_WWW_MARKS = (re.compile(r"www\."), re.compile(r"WWW\."))
_SCHEMES = ("https", "http", "ftp")
# A "www." that continues a word, a host name, an e-mail address or a path is not a URL start.
_NOT_BEFORE_WWW = frozenset("._@/-")

# Trailing characters that end a sentence or a clause rather than a URL (GitHub's autolink
# rules, plus the quote and semicolon seen in prose). Closing brackets are handled apart,
# because a balanced one belongs to the URL.
_TRAILING = frozenset(".,;:!?'\"*_~")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_QUOTES = frozenset("\"'")
_WWW_HOST = re.compile(r"www\.[^/?#:.]+\.[^/?#:.]", re.IGNORECASE)


def _trimmed_end(text: str, start: int, end: int, *, quoted: bool = False) -> int:
    """The end of the URL once trailing punctuation and unbalanced closers are removed.

    A ``quoted`` URL keeps its closers: between quotes they are no prose bracket, and
    ``href="http://localhost]"`` must stay as written to be reported malformed rather than
    quietly checked as ``http://localhost/``.
    """
    counts: dict[str, int] | None = None
    while end > start:
        last = text[end - 1]
        if last in _TRAILING:
            end -= 1
            continue
        opener = _CLOSERS.get(last)
        if opener is not None and not quoted:
            if counts is None:
                candidate = text[start:end]
                counts = {bracket: candidate.count(bracket) for bracket in "()[]{}"}
            if counts[last] > counts[opener]:
                counts[last] -= 1
                end -= 1
                continue
        break
    return end


def _marks(text: str) -> Iterator[tuple[int, bool]]:
    """Positions of "://" (False) and "www." (True) in order of position."""
    passes: list[Iterator[tuple[int, bool]]] = [
        ((match.start(), False) for match in _SCHEME_MARK.finditer(text))
    ]
    passes.extend(((match.start(), True) for match in mark.finditer(text)) for mark in _WWW_MARKS)
    return heapq.merge(*passes)


def _start_of(text: str, position: int, is_www: bool) -> int | None:
    """Where the URL whose marker is at ``position`` starts, or None if it is not a URL."""
    if is_www:
        if position > 0:
            before = text[position - 1]
            if before in _NOT_BEFORE_WWW or (before.isascii() and before.isalnum()):
                return None
        return position
    preceding = text[max(0, position - 6) : position].lower()
    for scheme in _SCHEMES:
        if preceding.endswith(scheme):
            # "sftp://" and "tftp://" are other schemes; "http" glued to a word is still a URL,
            # because PDF text often loses the space before it ("Availablehttp://...").
            if scheme == "ftp" and preceding[: -len(scheme)][-1:].isalpha():
                return None
            return position - len(scheme)
    return None


def find_bare_urls(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of every bare URL in ``text``, in order.

    Recognises ``http://``, ``https://``, ``ftp://`` and ``www.`` addresses. The URL stops
    at white space, quotes, angle brackets, CJK text and full-width punctuation; trailing
    sentence punctuation (ASCII or CJK) is left out, while balanced parentheses are kept,
    as in ``https://en.wikipedia.org/wiki/Foo_(bar)``.
    """
    rest = _REST.match
    last_end = 0
    for position, is_www in _marks(text):
        if position < last_end:
            continue
        start = _start_of(text, position, is_www)
        if start is None or start < last_end:
            continue
        body = position + (4 if is_www else 3)
        tail = rest(text, body)
        tail_end = tail.end() if tail else body
        quote = text[start - 1] if start > 0 else ""
        quoted = quote in _QUOTES and text.startswith(quote, tail_end)
        end = _trimmed_end(text, start, tail_end, quoted=quoted)
        if end <= body:
            continue
        if is_www and not _WWW_HOST.match(text, start, end):
            continue
        last_end = end
        yield start, end


def continuation_end(text: str, start: int, position: int) -> int:
    """Where the part of a URL that starts at ``position`` ends, for a URL that began at ``start``.

    Used to follow a URL wrapped onto the next line: the same characters are allowed and the
    same trailing punctuation is left out, with brackets balanced over the whole URL.
    """
    tail = _REST.match(text, position)
    end = tail.end() if tail else position
    return max(position, _trimmed_end(text, start, end))
