"""References in HTML documents: links, images, embeds, quotations, footnotes and citations.

Parsed into the tree beautifulsoup4 on Python's html.parser builds (html_tree), which records
where each start tag begins; the attribute value's exact offset is then read from the source
(html_attributes).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from bs4.exceptions import ParserRejectedMarkup

from verifier.extract.base import Extraction, LineIndex, Source, read_with_line_feeds
from verifier.extract.dates import parse_date
from verifier.extract.html_attributes import AttributeSpan, attribute_spans, refresh_url, srcset_urls
from verifier.extract.html_citations import citation_element, parse_cite, parse_note_text
from verifier.extract.html_footnotes import (
    HtmlFootnotes,
    ThisPage,
    find_footnotes,
    is_backlink,
    is_footnote_marker,
    this_page,
)
from verifier.extract.html_reference import build_reference
from verifier.extract.html_tree import Element, parse_html
from verifier.extract.urls import MalformedURL, normalise_url
from verifier.model import (
    Citation,
    InputProblem,
    Reference,
    ReferenceIssue,
    ReferenceIssueKind,
    ReferenceKind,
)

# The attributes that point at another resource, per element.
LINK_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "object": ("codebase", "data"),
    "meta": ("content",),  # only <meta http-equiv="refresh" content="0; url=…">
    "embed": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "blockquote": ("cite",),
    "q": ("cite",),
    "del": ("cite",),
    "ins": ("cite",),
}
# Custom elements (a hyphen in the name: <my-link>, <ui-image>) are defined by scripts the page
# loads, but the attributes they take a URL in keep the names the standard elements use.
CUSTOM_ELEMENT_ATTRIBUTES = ("href", "src", "srcset", "cite")


def link_attributes(name: str) -> tuple[str, ...]:
    """The attributes of element ``name`` that point at another resource."""
    known = LINK_ATTRIBUTES.get(name)
    if known is not None:
        return known
    return CUSTOM_ELEMENT_ATTRIBUTES if "-" in name else ()


# Schemes that run code or carry the resource inline: nothing to check.
_INLINE_SCHEMES = ("javascript:", "data:", "about:", "blob:", "vbscript:")
# <link> relations that name an origin to warm up, not a document that must resolve.
_ORIGIN_HINTS = {"preconnect", "dns-prefetch"}
_DATE_META_NAMES = {
    "date",
    "citation_date",
    "citation_publication_date",
    "citation_online_date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "article:published_time",
    "datepublished",
}


def extract_html(source: Source) -> Extraction:
    """Every reference and footnote issue in an HTML document."""
    return read_with_line_feeds(source, _extract_html)


def _extract_html(source: Source) -> Extraction:
    text = source.text
    index = LineIndex(text)
    try:
        tree = parse_html(text)
    except ParserRejectedMarkup as error:
        reason = str(error).strip().splitlines()[-1].strip()
        problem = InputProblem(source.path, None, f"the HTML parser rejected the document: {reason}")
        return Extraction(problems=[problem])
    tags = tree.elements
    elements_by_id: dict[str, Element] = {}
    for tag in tags:
        element_id = tag.attrs.get("id")
        if isinstance(element_id, str):
            elements_by_id.setdefault(element_id, tag)
    base = _base_href(tags)
    page = this_page(tags, frozenset(elements_by_id), base)
    footnotes = find_footnotes(tags, elements_by_id, page)
    anchors = set(elements_by_id) | {
        str(tag.attrs["name"]) for tag in tags if tag.name == "a" and "name" in tag.attrs
    }
    collector = _Collector(text, index, footnotes, source.fs_path, base=base, anchors=anchors, page=page)
    for tag in tags:
        if tag.name in LINK_ATTRIBUTES or "-" in tag.name:
            collector.visit(tag)
    return Extraction(
        references=collector.references,
        footnote_issues=list(footnotes.issues),
        date=_document_date(tags),
    )


class _Collector:
    """Turns link-bearing tags into references, in document order."""

    def __init__(
        self,
        text: str,
        index: LineIndex,
        footnotes: HtmlFootnotes,
        fs_path: Path | None,
        *,
        base: str | None,
        anchors: set[str],
        page: ThisPage,
    ) -> None:
        self.text = text
        self.index = index
        self.footnotes = footnotes
        self.fs_path = fs_path
        self.base = base
        self.anchors = anchors  # ids and <a name>s an in-page link may point at
        self.page = page
        self.references: list[Reference] = []
        self._citations: dict[int, Citation] = {}

    def visit(self, tag: Element) -> None:
        if tag.name == "a":
            marker = _dead_link_marker(tag)
            if marker is not None:
                self._mark_dead(tag, marker)
        if tag.name == "link" and _ORIGIN_HINTS & {rel.lower() for rel in _values(tag.get("rel"))}:
            return
        if tag.name == "meta" and str(tag.get("http-equiv", "")).strip().lower() != "refresh":
            return
        spans: dict[str, AttributeSpan] | None = None
        for attribute in link_attributes(tag.name):
            value = tag.get(attribute)
            if not isinstance(value, str) or not value.strip():
                continue
            if spans is None:
                spans = self._spans(tag)
            span = spans.get(attribute)
            if span is None:
                continue
            if attribute == "srcset":
                for part in srcset_urls(span):
                    self._consider(tag, html.unescape(part.raw), part)
            elif tag.name == "meta":
                target = refresh_url(span)
                if target is not None:
                    self._consider(tag, html.unescape(target.raw), target)
            elif tag.name == "object" and attribute == "data":
                self._consider(tag, value, span, base=self._codebase(tag))
            else:
                self._consider(tag, value, span)

    def _codebase(self, tag: Element) -> str | None:
        """What an ``<object>``'s relative ``data`` resolves against: its ``codebase``, itself resolved."""
        codebase = tag.get("codebase")
        if not isinstance(codebase, str) or not codebase.strip():
            return self.base
        try:
            return normalise_url(codebase, self.base) if self.base else normalise_url(codebase)
        except MalformedURL:
            return self.base

    def _consider(self, tag: Element, value: str, span: AttributeSpan, *, base: str | None = None) -> None:
        stripped = value.strip()
        if not stripped or stripped.lower().startswith(_INLINE_SCHEMES):
            return
        if stripped.startswith("#"):
            self._fragment(tag, stripped, span)
        elif tag.name == "a" and "#" in stripped and (in_page := self._in_page(tag, stripped)) is not None:
            self._fragment(tag, "#" + in_page, span)
        else:
            self._add(tag, value, span, base=base or self.base)

    def _in_page(self, anchor: Element, href: str) -> str | None:
        """The id an absolute ``href`` leads to on this very page, or None if it leads elsewhere."""
        fragment = self.page.fragment(href)
        if fragment is None:
            # A note's backlink leads to its marker on this page, whatever address it is written with.
            written = href.partition("#")[2]
            if written.startswith("cite_ref-") and is_backlink(anchor):
                return written
        return fragment

    def _mark_dead(self, tag: Element, marker: Element) -> None:
        """A rendered {{dead link}} marks the last external link before it in the same note."""
        note = self.footnotes.note_for(tag)
        label = note[1] if note else None
        for position in range(len(self.references) - 1, -1, -1):
            reference = self.references[position]
            if reference.footnote != label:
                return
            if reference.kind is not ReferenceKind.EXTERNAL:
                continue
            if any(issue.kind is ReferenceIssueKind.DEAD_LINK_TAG for issue in reference.issues):
                return
            detail = _dead_link_detail(marker)
            issue = ReferenceIssue(
                ReferenceIssueKind.DEAD_LINK_TAG,
                "marked as a dead link in the document" + (f" ({detail})" if detail else ""),
            )
            citation = replace(reference.citation or Citation(), url_status="dead")
            self.references[position] = replace(
                reference, issues=(*reference.issues, issue), citation=citation
            )
            return

    def _spans(self, tag: Element) -> dict[str, AttributeSpan]:
        if tag.offset is None:
            return {}
        return attribute_spans(self.text, tag.offset)

    def _add(self, tag: Element, value: str, span: AttributeSpan, *, base: str | None) -> None:
        note = self.footnotes.note_for(tag)
        reference = build_reference(
            value,
            span.raw,
            span.start,
            self.index,
            base=base,
            text=_link_text(tag),
            footnote=note[1] if note else None,
            citation=self._citation(tag, note[0] if note else None),
        )
        if reference.kind is ReferenceKind.INTERNAL:
            reference = self._check_local_target(reference)
        self.references.append(reference)

    def _fragment(self, tag: Element, value: str, span: AttributeSpan) -> None:
        """In-page links are not checked over the network; one to a missing anchor is reported."""
        if tag.name == "a" and (is_footnote_marker(tag) or is_backlink(tag)):
            return  # footnote links: their integrity is a footnote issue
        name = unquote(value[1:])
        if value == "#" or name in self.anchors or name.lower() == "top":
            return
        line, column = self.index.position(span.start)
        issue = ReferenceIssue(
            ReferenceIssueKind.MISSING_TARGET, f"no element in this document has the id {name!r}"
        )
        self.references.append(
            Reference(
                url=value,
                raw=span.raw,
                kind=ReferenceKind.INTERNAL,
                line=line,
                column=column,
                start=span.start,
                end=span.end,
                text=_link_text(tag),
                issues=(issue,),
            )
        )

    def _citation(self, tag: Element, note: Element | None) -> Citation | None:
        cite = citation_element(tag)
        container = cite if cite is not None else note
        if container is None:
            return None
        key = id(container)
        if key not in self._citations:
            found = parse_cite(container) if cite is not None else parse_note_text(container)
            if found is None:
                return None
            self._citations[key] = found
        return self._citations[key]

    def _check_local_target(self, reference: Reference) -> Reference:
        """A relative link to a file next to the document must find that file."""
        if self.fs_path is None or reference.url.startswith("/") or reference.issues:
            return reference
        relative = unquote(reference.url.split("#", 1)[0].split("?", 1)[0])
        if not relative:
            return reference
        target = self.fs_path.parent / relative
        if target.exists():
            return reference
        message = f"the linked file {relative!r} does not exist"
        issue = ReferenceIssue(ReferenceIssueKind.MISSING_TARGET, message)
        return _with_issue(reference, issue)


def _with_issue(reference: Reference, issue: ReferenceIssue) -> Reference:
    return replace(reference, issues=(*reference.issues, issue))


def _dead_link_marker(anchor: Element) -> Element | None:
    """The rendered {{dead link}} (``<sup class="Inline-Template">[dead link]</sup>``) around ``anchor``."""
    element = anchor.parent
    for _ in range(4):
        if element is None:
            return None
        if element.name == "sup" and "Inline-Template" in _values(element.get("class")):
            return element if "dead link" in element.get_text().lower() else None
        element = element.parent
    return None


def _dead_link_detail(marker: Element) -> str:
    """What the marker's tooltip says, e.g. "Dead link tagged March 2013"."""
    for element in marker.descendants:
        if isinstance(element, Element) and isinstance(element.get("title"), str) and element.name == "span":
            return " ".join(str(element.get("title")).split())
    return ""


def _values(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _link_text(tag: Element) -> str | None:
    if tag.name in ("img", "area"):
        alt = tag.get("alt")
        return " ".join(alt.split()) or None if isinstance(alt, str) else None
    if tag.name in ("a", "q"):
        return " ".join(tag.get_text().split()) or None
    return None


def _base_href(tags: list[Element]) -> str | None:
    """The first ``<base href>``, when it is absolute: a relative one has nothing to resolve against."""
    base = next((tag for tag in tags if tag.name == "base" and "href" in tag.attrs), None)
    if base is None:
        return None
    href = base.get("href")
    if not isinstance(href, str):
        return None
    href = href.strip()
    if href.startswith("//"):
        href = "https:" + href
    if not href.lower().startswith(("http://", "https://")):
        return None
    try:
        normalise_url(href)
    except MalformedURL:
        return None  # nothing resolves against a base that is no URL: links are read as written
    return href


def _document_date(tags: list[Element]) -> dt.date | None:
    """The date the document states for itself: a date meta element, else the first ``<time datetime>``."""
    for meta in tags:
        if meta.name == "meta" and "content" in meta.attrs:
            key = meta.get("name") or meta.get("property") or meta.get("itemprop")
            if isinstance(key, str) and key.strip().lower() in _DATE_META_NAMES:
                found = parse_date(str(meta.get("content")))
                if found is not None:
                    return found
    for time in tags:
        if time.name == "time" and "datetime" in time.attrs:
            found = parse_date(str(time.get("datetime")))
            if found is not None:
                return found
    return None
