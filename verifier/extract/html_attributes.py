"""Where an attribute value sits in the source of a start tag.

The parser hands back decoded values only; fixes and reports need the value exactly as
written and its offset, so the start tag is read again here with the same tolerance as
Python's html.parser.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_TAG_NAME = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*")
# Mirrors html.parser's tolerant attribute grammar so both agree on every start tag.
_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\s/>][^\s/=>]*)"""
    r"""(?:\s*=+\s*(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?![\'"])(?P<bare>[^>\s]*)))?"""
    r"""(?:\s|/(?!>))*"""
)
_SEPARATORS = re.compile(r"[\s/]*")


class AttributeSpan(NamedTuple):
    """The value of one attribute as written: ``text[start:end] == raw``.

    A named tuple, made several times faster than a frozen dataclass: every link of a page has one.
    """

    raw: str
    start: int
    end: int


def attribute_spans(text: str, tag_start: int) -> dict[str, AttributeSpan]:
    """Every attribute with a value in the start tag at ``tag_start``, first occurrence winning.

    Names are lowercased, as the parser does; the first occurrence wins as it does in browsers.
    """
    spans: dict[str, AttributeSpan] = {}
    name_match = _TAG_NAME.match(text, tag_start)
    if name_match is None:
        return spans
    position = _SEPARATORS.match(text, name_match.end()).end()  # type: ignore[union-attr]
    length = len(text)
    while position < length and text[position] != ">" and not text.startswith("/>", position):
        match = _ATTRIBUTE.match(text, position)
        if match is None or match.end() == position:
            break
        name = match.group("name").lower()
        for group in ("double", "single", "bare"):
            if match.group(group) is not None:
                if name not in spans:
                    spans[name] = AttributeSpan(match.group(group), match.start(group), match.end(group))
                break
        position = match.end()
    return spans


def srcset_urls(span: AttributeSpan) -> list[AttributeSpan]:
    """The image URLs in a ``srcset`` value (``a.png 1x, b.png 2x``), each placed in the source."""
    raw = span.raw
    length = len(raw)
    urls: list[AttributeSpan] = []
    position = 0
    while position < length:
        while position < length and (raw[position].isspace() or raw[position] == ","):
            position += 1
        start = position
        while position < length and not raw[position].isspace():
            position += 1
        candidate = raw[start:position]
        url = candidate.rstrip(",")
        if url:
            urls.append(AttributeSpan(url, span.start + start, span.start + start + len(url)))
        if candidate.endswith(","):
            continue
        # Descriptors ("2x", "640w") run to the next comma outside parentheses.
        depth = 0
        while position < length:
            character = raw[position]
            position += 1
            if character == "(":
                depth += 1
            elif character == ")":
                depth = max(depth - 1, 0)
            elif character == "," and depth == 0:
                break
    return urls


_REFRESH = re.compile(
    # The delay is matched atomically so that "5" alone is a delay, never a URL.
    r"""(?>\s*[\d.]*)\s*[;,]?\s*(?:url\s*=\s*)?(?P<quote>['"]?)(?P<url>[^'"\s][^'"]*?)(?P=quote)?\s*$""",
    re.IGNORECASE,
)


def refresh_url(span: AttributeSpan) -> AttributeSpan | None:
    """The URL in a ``<meta http-equiv="refresh" content="5; url=…">`` value, if it names one."""
    match = _REFRESH.match(span.raw)
    if match is None:
        return None
    return AttributeSpan(match.group("url"), span.start + match.start("url"), span.start + match.end("url"))
