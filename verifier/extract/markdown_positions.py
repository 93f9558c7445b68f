"""Where a block's content sits in the document.

markdown-it hands each block's content over with container prefixes ("> ", list indentation,
"[^1]:") removed, and gives only line numbers. Each content line is found again in its
document line, so any offset in the content maps to an exact document offset.
"""

from __future__ import annotations

import bisect

from verifier.extract.base import LineIndex


class BlockMap:
    """Maps offsets in a block's content (markdown-it strips container prefixes) to the document."""

    def __init__(
        self, text: str, index: LineIndex, cursors: dict[int, int], first_line: int, content: str
    ) -> None:
        """``first_line`` is 0-based; ``cursors`` holds, per line, where the last block found ended."""
        self._src_starts: list[int] = []
        self._doc_starts: list[int] = []
        src_start = 0
        for number, piece in enumerate(content.split("\n")):
            line = first_line + number + 1
            if line > index.line_count:
                break
            line_start = index.offset(line)
            line_end = text.find("\n", line_start)
            if line_end == -1:
                line_end = len(text)
            cursor = max(cursors.get(line, line_start), line_start)
            found = text.find(piece, cursor, line_end) if piece else cursor
            shift = 0
            if found == -1:
                stripped = piece.lstrip(" \t")
                shift = len(piece) - len(stripped)
                found = text.find(stripped, cursor, line_end) if stripped else -1
                if found == -1:
                    found, shift = max(line_start, line_end - len(piece)), 0
            cursors[line] = found + len(piece) - shift
            self._src_starts.append(src_start)
            self._doc_starts.append(found - shift)
            src_start += len(piece) + 1
        self.first = index.offset(first_line + 1) if first_line < index.line_count else len(text)
        last_line = min(first_line + len(self._src_starts), index.line_count)
        last_end = text.find("\n", index.offset(last_line))
        self.last = len(text) if last_end == -1 else last_end

    def offset(self, position: int) -> int:
        line = bisect.bisect_right(self._src_starts, position) - 1
        return self._doc_starts[line] + position - self._src_starts[line]

    def span(self, text: str, content: str, start: int, end: int) -> tuple[int, int]:
        """Document offsets of ``content[start:end]``, searched for nearby if the map is off."""
        written = content[start:end]
        doc_start = self.offset(start)
        doc_end = doc_start + len(written) if "\n" not in written else self.offset(end)
        if text[doc_start:doc_end] != written:
            found = text.find(written, self.first, self.last + 1)
            if found != -1:
                return found, found + len(written)
        return doc_start, doc_end


class LineMap:
    """Maps offsets in content that is written whole, on one line, at ``start`` in the document."""

    __slots__ = ("start",)

    def __init__(self, start: int) -> None:
        self.start = start

    def offset(self, position: int) -> int:
        return self.start + position

    def span(self, text: str, content: str, start: int, end: int) -> tuple[int, int]:
        return self.start + start, self.start + end


class ShiftedMap:
    """Maps offsets in a part of some content (an inline footnote's text) through that content's map."""

    __slots__ = ("_content", "_map", "_shift")

    def __init__(self, content_map: ContentMap, content: str, shift: int) -> None:
        self._map = content_map
        self._content = content
        self._shift = shift

    def offset(self, position: int) -> int:
        return self._map.offset(self._shift + position)

    def span(self, text: str, content: str, start: int, end: int) -> tuple[int, int]:
        return self._map.span(text, self._content, self._shift + start, self._shift + end)


ContentMap = BlockMap | LineMap | ShiftedMap
