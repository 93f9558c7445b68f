"""The block structure of the plainest Markdown pieces, read without markdown-it's block parser.

Wiki exports are mostly one-line paragraphs, headings and numbered source lists. A piece from
``chunk_spans`` made only of such lines, in layouts whose reading by CommonMark is certain, is
turned into the blocks markdown-it would produce; any other piece gives None and is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.common.utils import mdTrim

# A line that is a paragraph of its own: starts with a letter, or a "[" that opens no
# definition (those hold "]:"; checked separately).
_PARAGRAPH = re.compile(r"(?:[^\W\d_]|\[)[^\n]*")
# "## Title": no closing "#" run, no escape, no trailing space to trim away.
_HEADING = re.compile(r"(#{1,6})[ \t]+([^\s#\\][^#\\\n]*)")
# "12. Text": one to four spaces after the marker, then text that opens no nested block.
_ITEM = re.compile(r"([0-9]{1,9})([.)])( {1,4})((?:[^\W\d_]|[\[\"“「『(])[^\n]*)")
_BLANK = re.compile(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class Inline:
    """Inline content of a paragraph or heading outside any list; ``line`` is 0-based."""

    line: int
    content: str
    offset: int  # where ``content`` starts in the document


@dataclass(frozen=True, slots=True)
class NumberedList:
    """A top-level ordered list starting on ``line`` (0-based)."""

    line: int


@dataclass(frozen=True, slots=True)
class Item:
    """One item of the last ``NumberedList``, holding one paragraph."""

    line: int
    number: str
    content: str
    offset: int


Block = Inline | NumberedList | Item


def simple_blocks(text: str, start: int, end: int, first_line: int) -> list[Block] | None:
    """The blocks of ``text[start:end]`` (whose first line is ``first_line``), or None if not plain.

    Plain means: blank lines, one-line paragraphs and ATX headings, and numbered lists whose
    items are one line each, with a blank line wherever one kind of block follows another.
    """
    piece = text[start:end]
    if "\r" in piece or "\0" in piece or "\t" in piece or "]:" in piece:
        return None
    blocks: list[Block] = []
    previous = "blank"  # what the line before was: blank, paragraph, heading or item
    delimiter = ""  # the open list's "." or ")"; blank lines between items keep it open
    next_start = start
    for number, line in enumerate(piece.split("\n"), start=first_line):
        line_start, next_start = next_start, next_start + len(line) + 1
        if _BLANK.fullmatch(line):
            previous = "blank"
            continue
        item = _ITEM.fullmatch(line)
        if item is not None and previous in ("blank", "item"):
            content = item.group(4)
            if item.group(2) != delimiter:
                delimiter = item.group(2)
                blocks.append(NumberedList(number))
            blocks.append(Item(number, item.group(1), mdTrim(content), line_start + item.start(4)))
            previous = "item"
            continue
        if previous != "blank":
            return None  # a continuation line or a block interrupting another: left to the parser
        delimiter = ""
        heading = _HEADING.fullmatch(line)
        if heading is not None:
            blocks.append(Inline(number, mdTrim(heading.group(2)), line_start + heading.start(2)))
            previous = "heading"
        elif _PARAGRAPH.fullmatch(line):
            blocks.append(Inline(number, mdTrim(line), line_start))
            previous = "paragraph"
        else:
            return None
    return blocks
