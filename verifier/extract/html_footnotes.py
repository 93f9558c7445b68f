"""Footnotes in HTML: markers that link to notes, and the notes they link to.

Recognises the forms in common use: Wikipedia's ``<sup class="reference"><a href="#cite_note-1">``
with ``<ol class="references"><li id="cite_note-1">``, the DPUB-ARIA roles ``doc-noteref`` /
``doc-endnote`` / ``doc-footnote`` (Pandoc, EPUB), and the ``footnote-ref`` / ``footnotes``
classes of Pandoc, Python-Markdown and docutils.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from urllib.parse import unquote

from verifier.extract.footnotes import FootnoteDefinition, FootnoteUse, check_footnotes
from verifier.extract.html_tree import NONE, Enclosing, HtmlTree
from verifier.extract.urls import MalformedURL, normalise_url
from verifier.model import FootnoteIssue

_MARKER_CLASSES = {"footnote-ref", "footnote-reference", "footnoteref"}
_MARKER_PARENT_CLASSES = {"reference", "footnote-ref", "noteref"}
_NOTE_ROLES = {"doc-endnote", "doc-footnote", "doc-rearnote"}
_NOTE_LIST_CLASSES = {"references", "footnotes", "footnote", "footnote-list", "endnotes"}
_NOTE_LIST_ROLES = {"doc-endnotes", "doc-footnotes"}
_BACKLINK_CLASSES = {"mw-cite-backlink", "footnote-back", "footnote-backref", "reversefootnote", "fn-backref"}
# What a note holds besides its text once the backlinks are gone: arrows and carets.
_BACKLINK_DEBRIS = " \t\r\n\u00a0↑^↩\ufe0e\ufe0f"


@dataclass(slots=True)
class HtmlFootnotes:
    """The notes of one document: which element defines which label, and the integrity issues."""

    notes: dict[int, str] = field(default_factory=dict)  # note element -> label
    issues: list[FootnoteIssue] = field(default_factory=list)
    _enclosing: Enclosing | None = None

    def note_for(self, tree: HtmlTree, element: int) -> tuple[int, str] | None:
        """The note ``element`` sits in and its label, or None outside every note."""
        if not self.notes:
            return None
        if self._enclosing is None:
            self._enclosing = Enclosing(tree, self.notes)
        note = self._enclosing.around(element, itself=True)
        return None if note is None else (note, self.notes[note])


def _words(value: object) -> list[str]:
    words = value if isinstance(value, list) else str(value or "").split()
    return [str(word).lower() for word in words]


def _classes(tree: HtmlTree, element: int) -> frozenset[str]:
    return tree.marks_of(element).class_set


def _role(tree: HtmlTree, element: int) -> str:
    """The ARIA role, or the DPUB-ARIA role an EPUB ``epub:type`` stands for."""
    return tree.marks_of(element).aria_role


@dataclass(frozen=True, slots=True)
class ThisPage:
    """What tells a link to a place on this page: the page's own addresses and its element ids."""

    # Normalised addresses without their scheme ("//host/path"): the canonical URL, og:url, <base>.
    addresses: frozenset[str]
    ids: Set[str]  # the page's own, not copied
    base: str | None = None

    def fragment(self, href: str) -> str | None:
        """The id that ``href`` leads to on this page, or None when it leads elsewhere.

        Besides "#id", a page may link its notes by its own full address (rendered Wikipedia
        saved with absolute links: "https://en.wikipedia.org/wiki/Page#cite_note-3"). Such a
        link stays on the page when the address is the page's own, or when its fragment names
        a note of this page; it is no second source to check.
        """
        href = href.strip()
        if href.startswith("#"):
            return href[1:] or None
        address, mark, fragment = href.partition("#")
        if not mark or not fragment:
            return None
        if fragment.startswith(_NOTE_FRAGMENTS) and (fragment in self.ids or unquote(fragment) in self.ids):
            return fragment
        if self.addresses and _without_scheme(address, self.base) in self.addresses:
            return fragment
        return None


# How MediaWiki names its notes and the backlinks to their markers.
_NOTE_FRAGMENTS = ("cite_note-", "cite_ref-")


def _without_scheme(address: str, base: str | None) -> str | None:
    try:
        url = normalise_url(address, base)
    except MalformedURL:
        return None
    return url.partition(":")[2]


def this_page(tree: HtmlTree, base: str | None) -> ThisPage:
    """The page's own addresses, from ``<link rel=canonical>``, ``og:url`` and ``<base>``."""
    addresses: set[str] = set()
    written = [base] if base else []
    for element in tree.named("link", "meta"):
        attrs = tree.attributes(element)
        if tree.name(element) == "link":
            if "canonical" in _words(attrs.get("rel")):
                written.append(str(attrs.get("href", "")))
        elif str(attrs.get("property", attrs.get("name", ""))).strip().lower() == "og:url":
            written.append(str(attrs.get("content", "")))
    for address in written:
        if address.strip():
            own = _without_scheme(address.strip().partition("#")[0], base)
            if own is not None:
                addresses.add(own)
    return ThisPage(frozenset(addresses), tree.ids.keys(), base)


def is_footnote_marker(tree: HtmlTree, anchor: int) -> bool:
    """Whether ``anchor`` is a footnote marker in one of the recognised forms."""
    if _role(tree, anchor) == "doc-noteref" or _classes(tree, anchor) & _MARKER_CLASSES:
        return True
    parent = tree.parent(anchor)
    return (
        parent != NONE
        and tree.name(parent) == "sup"
        and (bool(_classes(tree, parent) & _MARKER_PARENT_CLASSES) or _role(tree, parent) == "doc-noteref")
    )


def is_backlink(tree: HtmlTree, anchor: int) -> bool:
    """Whether ``anchor`` leads from a note back to its marker."""
    element = anchor
    while element != NONE and tree.name(element) not in ("li", "body", "[document]"):
        if _classes(tree, element) & _BACKLINK_CLASSES or _role(tree, element) == "doc-backlink":
            return True
        element = tree.parent(element)
    return False


def _marker_label(tree: HtmlTree, anchor: int, target: str) -> str:
    label = tree.get_text(anchor).strip().strip("[]").strip()
    return label or target


def _is_note_list(tree: HtmlTree, element: int) -> bool:
    return bool(_classes(tree, element) & _NOTE_LIST_CLASSES) or _role(tree, element) in _NOTE_LIST_ROLES


def _child_elements(tree: HtmlTree, element: int, names: tuple[str, ...]) -> list[int]:
    return [child for child in tree.children(element) if tree.name(child) in names]


def _listed_notes(tree: HtmlTree) -> Iterator[tuple[int, str | None]]:
    """Notes recognised by their markup, with the number their list shows, if any."""
    # Only an element with a class, role or EPUB type can be a note or a list of notes.
    marked = [element for element in tree.elements() if tree.mark_codes[element]]
    for element in marked:
        marks = tree.marks_of(element)
        if (
            (marks.role is not None or marks.epub_type is not None)
            and _role(tree, element) in _NOTE_ROLES
            and tree.attribute(element, "id")
        ):
            yield element, None
        elif tree.name(element) in ("ol", "ul", "section", "div", "aside") and _is_note_list(tree, element):
            lists = (
                [element]
                if tree.name(element) in ("ol", "ul")
                else _child_elements(tree, element, ("ol", "ul"))
            )
            for note_list in lists:
                number = _list_start(tree, note_list)
                for item in _child_elements(tree, note_list, ("li",)):
                    if tree.attribute(item, "id") and _role(tree, item) not in _NOTE_ROLES:
                        yield item, str(number) if tree.name(note_list) == "ol" else None
                    number += 1


def _list_start(tree: HtmlTree, note_list: int) -> int:
    start = tree.attribute(note_list, "start")
    if isinstance(start, str) and start.strip().lstrip("-").isdigit():
        return int(start.strip())
    return 1


def _is_empty(tree: HtmlTree, note: int) -> bool:
    # A string inside a backlink below the note is no part of the note's text.
    backlinks = [
        element
        for element in tree.descendants(note)
        if tree.mark_codes[element]
        and (_classes(tree, element) & _BACKLINK_CLASSES or _role(tree, element) == "doc-backlink")
    ]
    text_parts: list[str] = []
    for piece in tree.strings(note):
        if tree.string_kind(piece) != "text":
            continue
        if not any(tree.firsts[backlink] <= piece < tree.lasts[backlink] for backlink in backlinks):
            text_parts.append(tree.string(piece))
    return not "".join(text_parts).strip(_BACKLINK_DEBRIS)


def find_footnotes(tree: HtmlTree, page: ThisPage) -> HtmlFootnotes:
    """The footnote markers and notes of a page, checked against each other."""
    result = HtmlFootnotes()
    markers: list[tuple[int, str]] = []
    ids = tree.ids
    for anchor in tree.named("a"):
        # Whether it is a marker is told by its marks, before its attributes are read.
        if not is_footnote_marker(tree, anchor):
            continue
        href = tree.attribute(anchor, "href")
        target = page.fragment(href) if isinstance(href, str) else None
        if target is not None and target not in ids and unquote(target) in ids:
            target = unquote(target)
        if target is not None:
            markers.append((anchor, target))
    listed = list(_listed_notes(tree))
    if not markers and not listed:
        return result

    first_marker_label: dict[str, str] = {}
    for anchor, target in markers:
        first_marker_label.setdefault(target, _marker_label(tree, anchor, target))

    notes: list[int] = []
    seen: set[int] = set()
    for note, _number in listed:
        notes.append(note)
        seen.add(note)
    # A marker may point at any element: a note outside a recognised list still answers it.
    for target in first_marker_label:
        element = ids.get(target)
        if element is not None and element not in seen:
            notes.append(element)
            seen.add(element)

    numbers = dict(listed)
    note_ids = {note: str(tree.attribute(note, "id")) for note in notes}
    definitions: list[FootnoteDefinition] = []
    for note in notes:
        label = first_marker_label.get(note_ids[note]) or numbers.get(note) or note_ids[note]
        result.notes[note] = label
        definitions.append(FootnoteDefinition(label, tree.sourceline(note) or 1, empty=_is_empty(tree, note)))

    defined_ids = set(note_ids.values())
    uses = [
        FootnoteUse(
            first_marker_label[target] if target in defined_ids else _marker_label(tree, anchor, target),
            tree.sourceline(anchor) or 1,
        )
        for anchor, target in markers
    ]
    result.issues = check_footnotes(uses, definitions, check_numbering=False)
    return result
