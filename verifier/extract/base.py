"""What every format extractor takes and gives back."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from verifier.model import FootnoteIssue, InputProblem, Reference


@dataclass(frozen=True, slots=True)
class Source:
    """A document's text and where it came from."""

    text: str
    path: str  # as shown in reports
    fs_path: Path | None = None  # on disk, for resolving relative links; None for stdin
    data: bytes | None = None  # the file's bytes, for formats read from bytes, not text (PDF)


@dataclass(slots=True)
class Extraction:
    """What one extractor found in one document."""

    references: list[Reference] = field(default_factory=list)
    footnote_issues: list[FootnoteIssue] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    date: dt.date | None = None


class LineIndex:
    """Turns character offsets into 1-based (line, column) pairs in O(log n)."""

    def __init__(self, text: str) -> None:
        # Machine integers, not a list of int objects: a quarter of the memory on long documents.
        starts = array("q", [0])
        find = text.find
        position = find("\n")
        while position != -1:
            starts.append(position + 1)
            position = find("\n", position + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def offset(self, line: int, column: int = 1) -> int:
        """The character offset of a 1-based line and column."""
        return self._starts[line - 1] + column - 1

    @property
    def line_count(self) -> int:
        return len(self._starts)


# A carriage return not followed by a line feed: the line break of classic Mac OS files.
_LONE_CR = re.compile(r"\r(?!\n)")


def read_with_line_feeds(source: Source, extract: Callable[[Source], Extraction]) -> Extraction:
    """``extract(source)``, with every lone carriage return read as the line break it is.

    Parsers, line counters and line-anchored patterns all break lines at line feeds only, so
    a file with classic Mac line endings would be one long line (and Markdown's parser, which
    does break at a lone CR, would disagree with the rest). A line feed stands in for each
    lone CR: one character for one, so every offset stays valid in the original text, from
    which each reference's ``raw`` is then taken again.
    """
    text = source.text
    if "\r" not in text or _LONE_CR.search(text) is None:
        return extract(source)
    extraction = extract(replace(source, text=_LONE_CR.sub("\n", text)))
    extraction.references = [
        replace(reference, raw=text[reference.start : reference.end]) if "\n" in reference.raw else reference
        for reference in extraction.references
    ]
    return extraction
