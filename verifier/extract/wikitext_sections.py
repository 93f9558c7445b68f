"""Cutting a long wiki page into pieces that can be parsed one at a time.

The tokens and the tree of a piece take some twenty times the size of its text in memory
while it is read, so a page longer than a few sections is parsed piece by piece. A piece
ends just before a section heading, and only where nothing that changes how the next piece
reads is still open: a template, a comment, a ``<ref>``, a ``<references>`` list, or a
verbatim tag such as ``<nowiki>``.
"""

from __future__ import annotations

import re
from collections import Counter

# Pieces of about this many characters keep the parser's tree near 1 MB, below what the
# references found take, so memory grows with the references, not the page; parsing in
# pieces this size is no slower than parsing whole.
SECTION_TARGET = 50_000

_HEADING_LINE = re.compile(r"^=+[^=\n].*=[ \t]*$", re.MULTILINE)
_VERBATIM = {"nowiki", "pre", "syntaxhighlight", "source", "math"}
_TOKEN = re.compile(
    r"(?P<open_template>\{\{)|(?P<close_template>\}\})|(?P<open_comment><!--)|(?P<close_comment>-->)"
    r"|^(?P<open_table>\{\|)|^(?P<close_table>\|\})"
    r"|<(?P<closing>/?)(?P<tag>ref|references|nowiki|pre|syntaxhighlight|source|math)\b[^>]*?(?P<self_closing>/?)>",
    re.IGNORECASE | re.MULTILINE,
)


class _OpenMarkup:
    """What is still open at a point of the text, read token by token as a parser would."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.verbatim: str | None = None  # inside <nowiki> and kin nothing else counts
        self.comment = False

    def read(self, text: str) -> None:
        for token in _TOKEN.finditer(text):
            tag = token.group("tag")
            name = tag.lower() if tag is not None else ""
            closing = bool(token.group("closing"))
            if self.comment:
                self.comment = token.group("close_comment") is None
            elif self.verbatim is not None:
                if closing and name == self.verbatim:
                    self.verbatim = None
            elif tag is not None:
                if token.group("self_closing"):
                    continue
                if closing:
                    self.counts[name] = max(self.counts[name] - 1, 0)
                elif name in _VERBATIM:
                    self.verbatim = name
                else:
                    self.counts[name] += 1
            elif token.group("open_comment") is not None:
                self.comment = True
            else:
                kind = token.lastgroup or ""
                if kind.startswith("open_"):
                    self.counts[kind] += 1
                else:
                    # A closer with nothing open is text to the parser too.
                    opener = "open_" + kind.removeprefix("close_")
                    self.counts[opener] = max(self.counts[opener] - 1, 0)

    @property
    def anything(self) -> bool:
        return self.comment or self.verbatim is not None or any(self.counts.values())


def section_spans(text: str, target: int = SECTION_TARGET) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces covering ``text``, each ending before a heading."""
    if len(text) <= target:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start = 0
    read_to = 0
    open_markup = _OpenMarkup()
    for heading in _HEADING_LINE.finditer(text):
        position = heading.start()
        if position - start < target:
            continue
        open_markup.read(text[read_to:position])
        read_to = position
        if open_markup.anything:
            continue
        spans.append((start, position))
        start = position
    spans.append((start, len(text)))
    return spans
