"""The element tree of an HTML page, as beautifulsoup4 on html.parser builds it, kept flat.

Elements are numbered in document order (0 is the root, "[document]", as bs4 names it) and
strings likewise; what is known of each lives in arrays of machine integers, and a string is
the place in the page it was read from. An object per element and per string would take
eight to ten times the size of the page; this takes about one. An element's descendants are
the elements numbered after it up to ``ends[element]``, its strings those numbered from
``firsts[element]`` up to ``lasts[element]``.

Attributes are read from the page again when asked for (html_tags), save those that say what
an element is (id, class, role, epub:type), which every page is searched by and are kept.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from verifier.extract.base import LineIndex
from verifier.extract.html_attributes import AttributeSpan, attribute_spans
from verifier.extract.html_rules import STRING_CONTAINERS
from verifier.extract.html_tags import AttributeValue, attribute_at, attributes_at

ROOT = 0
#: The parent of the root.
NONE = -1

#: A string's kind: plain text, CDATA, or the container it is in (script, style…), by number.
KINDS: tuple[str, ...] = ("text", "cdata", *sorted(STRING_CONTAINERS))
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
# The strings get_text() gathers: plain text and CDATA, or the special kind a container holds.
_MAIN_CODES = frozenset({KIND_CODES["text"], KIND_CODES["cdata"]})
# Besides its kind, a string's code says how its value differs from the page where it was read.
KIND_MASK = 0x0F
FOLDED_SPACE = 0x10  # blanks only, read as one space
FOLDED_NEWLINE = 0x20  # blanks with a line break, read as one line break
DECODED = 0x40  # in ``decoded``: character references replaced, or taken from bs4's tree


# The EPUB types that stand for a DPUB-ARIA role ("doc-" and the type).
_EPUB_ROLES = frozenset({"noteref", "footnote", "endnote", "rearnote", "footnotes", "endnotes", "backlink"})


@dataclass(frozen=True, slots=True)
class Marks:
    """The attributes that say what an element is for: its classes, ARIA role and EPUB type.

    Made by ``marks``, which also works out once the set of classes and the role they
    give, which the notes and backlinks of a page are looked for by.
    """

    classes: tuple[str, ...] = ()
    role: str | None = None
    epub_type: str | None = None
    class_set: frozenset[str] = field(default=frozenset(), compare=False)
    # The ARIA role, or the DPUB-ARIA role an EPUB type stands for; "" for none.
    aria_role: str = field(default="", compare=False)


def marks(classes: tuple[str, ...], role: str | None, epub_type: str | None) -> Marks:
    aria_role = ""
    if role is not None and role.strip():
        aria_role = role.strip().lower()
    elif epub_type is not None:
        aria_role = next(("doc-" + word for word in epub_type.lower().split() if word in _EPUB_ROLES), "")
    return Marks(classes, role, epub_type, frozenset(classes), aria_role)


NO_MARKS = marks((), None, None)


class HtmlTree:
    """Every element and string of one page; built by html_build."""

    __slots__ = (
        "decoded",
        "ends",
        "firsts",
        "ids",
        "index",
        "lasts",
        "mark_codes",
        "marks",
        "names",
        "offsets",
        "parents",
        "soup_attributes",
        "string_codes",
        "string_ends",
        "string_starts",
        "text",
    )

    def __init__(self, text: str, index: LineIndex) -> None:
        self.text = text
        self.index = index
        self.names: list[str] = ["[document]"]
        self.parents = array("i", [NONE])
        self.offsets = array("i", [-1])  # of the "<" of the start tag; -1 when not known
        self.ends = array("i", [0])
        self.firsts = array("i", [0])
        self.lasts = array("i", [0])
        self.mark_codes = array("i", [0])
        self.marks: list[Marks] = [NO_MARKS]  # by mark code
        self.string_starts = array("i")
        self.string_ends = array("i")
        self.string_codes = bytearray()
        self.decoded: dict[int, str] = {}
        self.ids: dict[str, int] = {}  # each id and the first element that has it
        # The attributes of a tree copied from bs4's, whose tags are not all read plainly.
        self.soup_attributes: dict[int, dict[str, AttributeValue]] | None = None

    def __len__(self) -> int:
        return len(self.names)

    # Elements

    def name(self, element: int) -> str:
        return self.names[element]

    def parent(self, element: int) -> int:
        """The parent, or NONE for the root."""
        return self.parents[element]

    def marks_of(self, element: int) -> Marks:
        return self.marks[self.mark_codes[element]]

    def attributes(self, element: int) -> dict[str, AttributeValue]:
        """The element's attributes, as bs4 gives them; a new dict on every call."""
        return self.attributes_and_spans(element)[0]

    def attributes_and_spans(
        self, element: int, placed: tuple[str, ...] = ()
    ) -> tuple[dict[str, AttributeValue], dict[str, AttributeSpan]]:
        """The attributes, and where the values of those ``placed`` are written in the page."""
        offset = self.offsets[element]
        if self.soup_attributes is not None:
            spans = attribute_spans(self.text, offset) if offset >= 0 and placed else {}
            return dict(self.soup_attributes.get(element, {})), spans
        if offset < 0:
            return {}, {}
        return attributes_at(self.text, offset, self.names[element], placed)

    def attribute(self, element: int, key: str) -> AttributeValue | None:
        """One attribute, as ``attributes`` gives it: read alone, the others are not made."""
        return self.attribute_and_span(element, key)[0]

    def attribute_and_span(
        self, element: int, key: str
    ) -> tuple[AttributeValue | None, AttributeSpan | None]:
        """One attribute and where its value is written, as ``attributes_and_spans`` gives them."""
        offset = self.offsets[element]
        if self.soup_attributes is not None or offset < 0:
            attrs, spans = self.attributes_and_spans(element, (key,))
            return attrs.get(key), spans.get(key)
        return attribute_at(self.text, offset, self.names[element], key)

    def sourceline(self, element: int) -> int | None:
        """The line of the element's start tag, or None when it is not known."""
        offset = self.offsets[element]
        return None if offset < 0 else self.index.position(offset)[0]

    def descendants(self, element: int) -> range:
        """The elements inside ``element``, in document order."""
        return range(element + 1, self.ends[element])

    def children(self, element: int) -> Iterator[int]:
        """The elements right inside ``element``, in order."""
        child = element + 1
        end = self.ends[element]
        ends = self.ends
        while child < end:
            yield child
            child = ends[child]

    def elements(self) -> range:
        """Every element but the root, in document order."""
        return range(1, len(self.names))

    def named(self, *names: str) -> list[int]:
        """The elements of these names, in document order."""
        wanted = frozenset(names)
        return [element for element, name in enumerate(self.names) if name in wanted]

    def get_text(self, element: int) -> str:
        """The text inside ``element``, as bs4's ``get_text()`` gathers it."""
        first = self.firsts[element]
        last = self.lasts[element]
        if first == last:
            return ""
        name = self.names[element]
        codes = frozenset({KIND_CODES[name]}) if name in STRING_CONTAINERS else _MAIN_CODES
        string_codes = self.string_codes
        if last - first == 1:  # a link's text, mostly
            return self.string(first) if string_codes[first] & KIND_MASK in codes else ""
        return "".join(
            self.string(number) for number in range(first, last) if string_codes[number] & KIND_MASK in codes
        )

    # Strings

    def strings(self, element: int) -> range:
        """The strings inside ``element``, in document order."""
        return range(self.firsts[element], self.lasts[element])

    def string(self, number: int) -> str:
        code = self.string_codes[number]
        if code & 0x70:
            if code & DECODED:
                return self.decoded[number]
            return " " if code & FOLDED_SPACE else "\n"
        return self.text[self.string_starts[number] : self.string_ends[number]]

    def string_kind(self, number: int) -> str:
        return KINDS[self.string_codes[number] & KIND_MASK]


class Enclosing:
    """Which of some elements (the notes of a page, its citations) an element is inside.

    Elements nest or are apart, never overlap, so the innermost one holding an element is
    the last one starting before it, or failing that the one holding that one, and so on:
    found by bisection rather than by walking up every element's ancestors.
    """

    __slots__ = ("_ends", "_holders", "_starts")

    def __init__(self, tree: HtmlTree, elements: Iterable[int]) -> None:
        # Machine integers: a page may have thousands of notes.
        self._starts = array("i", sorted(set(elements)))
        self._ends = array("i", [tree.ends[element] for element in self._starts])
        self._holders = array("i")  # the position of the one holding each, or -1
        open_ones: list[int] = []
        for position, element in enumerate(self._starts):
            while open_ones and element >= self._ends[open_ones[-1]]:
                open_ones.pop()
            self._holders.append(open_ones[-1] if open_ones else -1)
            open_ones.append(position)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def around(self, element: int, *, itself: bool = False) -> int | None:
        """The innermost of the elements holding ``element`` (or being it, when ``itself``)."""
        position = bisect_right(self._starts, element if itself else element - 1) - 1
        while position >= 0 and element >= self._ends[position]:
            position = self._holders[position]
        return self._starts[position] if position >= 0 else None
