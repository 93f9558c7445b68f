"""Footnotes in HTML: markers that link to notes, and the notes they link to.

Recognises the forms in common use: Wikipedia's ``<sup class="reference"><a href="#cite_note-1">``
with ``<ol class="references"><li id="cite_note-1">``, the DPUB-ARIA roles ``doc-noteref`` /
``doc-endnote`` / ``doc-footnote`` (Pandoc, EPUB), and the ``footnote-ref`` / ``footnotes``
classes of Pandoc, Python-Markdown and docutils.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from verifier.extract.footnotes import FootnoteDefinition, FootnoteUse, check_footnotes
from verifier.extract.html_tree import Element, Text
from verifier.extract.urls import MalformedURL, normalise_url
from verifier.model import FootnoteIssue

_MARKER_CLASSES = {"footnote-ref", "footnote-reference", "footnoteref"}
_MARKER_PARENT_CLASSES = {"reference", "footnote-ref", "noteref"}
_NOTE_ROLES = {"doc-endnote", "doc-footnote", "doc-rearnote"}
_NOTE_LIST_CLASSES = {"references", "footnotes", "footnote", "footnote-list", "endnotes"}
_NOTE_LIST_ROLES = {"doc-endnotes", "doc-footnotes"}
_EPUB_TYPES = {"noteref", "footnote", "endnote", "rearnote", "footnotes", "endnotes", "backlink"}
_BACKLINK_CLASSES = {"mw-cite-backlink", "footnote-back", "footnote-backref", "reversefootnote", "fn-backref"}
# What a note holds besides its text once the backlinks are gone: arrows and carets.
_BACKLINK_DEBRIS = " \t\r\n\u00a0↑^↩\ufe0e\ufe0f"


@dataclass(slots=True)
class HtmlFootnotes:
    """The notes of one document: which element defines which label, and the integrity issues."""

    notes: dict[int, tuple[Element, str]] = field(default_factory=dict)  # id(note element) -> (note, label)
    issues: list[FootnoteIssue] = field(default_factory=list)

    def note_for(self, tag: Element) -> tuple[Element, str] | None:
        """The note ``tag`` sits in and its label, or None outside every note."""
        if not self.notes:
            return None
        element: Element | None = tag
        while element is not None:
            note = self.notes.get(id(element))
            if note is not None:
                return note
            element = element.parent
        return None


def _words(value: object) -> list[str]:
    words = value if isinstance(value, list) else str(value or "").split()
    return [str(word).lower() for word in words]


def _classes(tag: Element) -> set[str]:
    value = tag.get("class")
    if value is None:
        return set()
    return set(value.split() if isinstance(value, str) else value)


def _role(tag: Element) -> str:
    """The ARIA role, or the DPUB-ARIA role an EPUB ``epub:type`` stands for."""
    value = tag.get("role")
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    epub_type = tag.get("epub:type")
    if isinstance(epub_type, str):
        for word in epub_type.lower().split():
            if word in _EPUB_TYPES:
                return "doc-" + word
    return ""


@dataclass(frozen=True, slots=True)
class ThisPage:
    """What tells a link to a place on this page: the page's own addresses and its element ids."""

    # Normalised addresses without their scheme ("//host/path"): the canonical URL, og:url, <base>.
    addresses: frozenset[str]
    ids: frozenset[str]
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


def this_page(tags: list[Element], ids: frozenset[str], base: str | None) -> ThisPage:
    """The page's own addresses, from ``<link rel=canonical>``, ``og:url`` and ``<base>``."""
    addresses: set[str] = set()
    written = [base] if base else []
    for tag in tags:
        if tag.name == "link" and "canonical" in _words(tag.get("rel")):
            written.append(str(tag.get("href", "")))
        elif tag.name == "meta" and str(tag.get("property", tag.get("name", ""))).strip().lower() == "og:url":
            written.append(str(tag.get("content", "")))
    for address in written:
        if address.strip():
            own = _without_scheme(address.strip().partition("#")[0], base)
            if own is not None:
                addresses.add(own)
    return ThisPage(frozenset(addresses), ids, base)


def is_footnote_marker(anchor: Element) -> bool:
    """Whether ``anchor`` is a footnote marker in one of the recognised forms."""
    if _role(anchor) == "doc-noteref" or _classes(anchor) & _MARKER_CLASSES:
        return True
    parent = anchor.parent
    return (
        isinstance(parent, Element)
        and parent.name == "sup"
        and (bool(_classes(parent) & _MARKER_PARENT_CLASSES) or _role(parent) == "doc-noteref")
    )


def is_backlink(anchor: Element) -> bool:
    """Whether ``anchor`` leads from a note back to its marker."""
    element: Element | None = anchor
    while element is not None and element.name not in ("li", "body", "[document]"):
        if _classes(element) & _BACKLINK_CLASSES or _role(element) == "doc-backlink":
            return True
        element = element.parent
    return False


def _marker_label(anchor: Element, target: str) -> str:
    label = anchor.get_text().strip().strip("[]").strip()
    return label or target


def _is_note_list(tag: Element) -> bool:
    return bool(_classes(tag) & _NOTE_LIST_CLASSES) or _role(tag) in _NOTE_LIST_ROLES


def _child_tags(tag: Element, names: tuple[str, ...]) -> list[Element]:
    return [child for child in tag.children if isinstance(child, Element) and child.name in names]


def _listed_notes(tags: list[Element]) -> Iterator[tuple[Element, str | None]]:
    """Notes recognised by their markup, with the number their list shows, if any."""
    for tag in tags:
        if ("role" in tag.attrs or "epub:type" in tag.attrs) and _role(tag) in _NOTE_ROLES and tag.get("id"):
            yield tag, None
        elif tag.name in ("ol", "ul", "section", "div", "aside") and _is_note_list(tag):
            lists = [tag] if tag.name in ("ol", "ul") else _child_tags(tag, ("ol", "ul"))
            for note_list in lists:
                number = _list_start(note_list)
                for item in _child_tags(note_list, ("li",)):
                    if item.get("id") and _role(item) not in _NOTE_ROLES:
                        yield item, str(number) if note_list.name == "ol" else None
                    number += 1


def _list_start(note_list: Element) -> int:
    start = note_list.get("start")
    if isinstance(start, str) and start.strip().lstrip("-").isdigit():
        return int(start.strip())
    return 1


def _is_empty(note: Element) -> bool:
    text_parts: list[str] = []
    for piece in note.descendants:
        if not isinstance(piece, Text) or piece.kind != "text":
            continue
        parent: Element | None = piece.parent
        inside_backlink = False
        while parent is not None and parent is not note:
            if _classes(parent) & _BACKLINK_CLASSES or _role(parent) == "doc-backlink":
                inside_backlink = True
                break
            parent = parent.parent
        if not inside_backlink:
            text_parts.append(piece.value)
    return not "".join(text_parts).strip(_BACKLINK_DEBRIS)


def find_footnotes(tags: list[Element], elements_by_id: dict[str, Element], page: ThisPage) -> HtmlFootnotes:
    """The footnote markers and notes among ``tags`` (every tag of a page), checked against each other."""
    result = HtmlFootnotes()
    markers: list[tuple[Element, str]] = []
    for anchor in tags:
        if anchor.name == "a" and "href" in anchor.attrs:
            href = anchor.get("href")
            target = page.fragment(href) if isinstance(href, str) else None
            if target is not None and target not in elements_by_id and unquote(target) in elements_by_id:
                target = unquote(target)
            if target is not None and is_footnote_marker(anchor):
                markers.append((anchor, target))
    listed = list(_listed_notes(tags))
    if not markers and not listed:
        return result

    first_marker_label: dict[str, str] = {}
    for anchor, target in markers:
        first_marker_label.setdefault(target, _marker_label(anchor, target))

    notes: list[Element] = []
    seen: set[int] = set()
    for note, _number in listed:
        notes.append(note)
        seen.add(id(note))
    # A marker may point at any element: a note outside a recognised list still answers it.
    for target in first_marker_label:
        element = elements_by_id.get(target)
        if element is not None and id(element) not in seen:
            notes.append(element)
            seen.add(id(element))

    numbers = {id(note): number for note, number in listed}
    definitions: list[FootnoteDefinition] = []
    for note in notes:
        note_id = str(note.get("id"))
        label = first_marker_label.get(note_id) or numbers.get(id(note)) or note_id
        result.notes[id(note)] = (note, label)
        definitions.append(FootnoteDefinition(label, note.sourceline or 1, empty=_is_empty(note)))

    defined_ids = {str(note.get("id")) for note in notes}
    uses = [
        FootnoteUse(
            first_marker_label[target] if target in defined_ids else _marker_label(anchor, target),
            anchor.sourceline or 1,
        )
        for anchor, target in markers
    ]
    result.issues = check_footnotes(uses, definitions, check_numbering=False)
    return result
