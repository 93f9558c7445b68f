"""References in HTML documents: links, images, embeds, quotations, footnotes and citations.

Parsed into the tree beautifulsoup4 on Python's html.parser builds (html_build, html_tree),
which records where each start tag begins; the attribute value's exact offset is then read
from the source (html_tags, html_attributes).
"""

from __future__ import annotations

import datetime as dt
import html
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from verifier.extract.base import Extraction, LineIndex, Source, read_with_line_feeds
from verifier.extract.dates import parse_date
from verifier.extract.html_attributes import AttributeSpan, refresh_url, srcset_urls
from verifier.extract.html_build import parse_html
from verifier.extract.html_citations import citation_elements, parse_cite, parse_note_text
from verifier.extract.html_footnotes import (
    HtmlFootnotes,
    ThisPage,
    find_footnotes,
    is_backlink,
    is_footnote_marker,
    this_page,
)
from verifier.extract.html_reference import build_reference
from verifier.extract.html_tags import AttributeValue
from verifier.extract.html_tree import Enclosing, HtmlTree
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
    try:
        tree = parse_html(source.text)
    except Exception as error:
        # Only the pages beautifulsoup4 reads itself can be rejected, and they have loaded it;
        # any other failure must not load it now.
        exceptions = sys.modules.get("bs4.exceptions")
        if exceptions is None or not isinstance(error, exceptions.ParserRejectedMarkup):
            raise
        reason = str(error).strip().splitlines()[-1].strip()
        problem = InputProblem(source.path, None, f"the HTML parser rejected the document: {reason}")
        return Extraction(problems=[problem])
    base = _base_href(tree)
    page = this_page(tree, base)
    footnotes = find_footnotes(tree, page)
    collector = _Collector(tree, tree.index, footnotes, source.fs_path, base=base, page=page)
    for element, name in enumerate(tree.names):
        if name in LINK_ATTRIBUTES or "-" in name:
            collector.visit(element)
    return Extraction(
        references=collector.references,
        footnote_issues=list(footnotes.issues),
        date=_document_date(tree),
    )


class _Collector:
    """Turns link-bearing elements into references, in document order."""

    def __init__(
        self,
        tree: HtmlTree,
        index: LineIndex,
        footnotes: HtmlFootnotes,
        fs_path: Path | None,
        *,
        base: str | None,
        page: ThisPage,
    ) -> None:
        self.tree = tree
        self.text = tree.text
        self.index = index
        self.footnotes = footnotes
        self.fs_path = fs_path
        self.base = base
        self.page = page
        self.references: list[Reference] = []
        self._citations: dict[int, Citation] = {}
        self._cites = Enclosing(tree, citation_elements(tree))
        # Only links inside a rendered {{dead link}}'s element can be marked dead by it: the
        # few of them a page has are found once, and each link is looked for among them.
        marked = any("Inline-Template" in marks.classes for marks in tree.marks)
        self._dead_link_marks = Enclosing(
            tree,
            [sup for sup in tree.named("sup") if "Inline-Template" in tree.marks_of(sup).classes]
            if marked  # a look at the page's few distinct marks spares most pages the walk
            else [],
        )
        self._named: set[str] | None = None

    def anchors(self, name: str) -> bool:
        """Whether an in-page link to ``name`` finds an id or an ``<a name>`` on this page."""
        if name in self.tree.ids:
            return True
        if self._named is None:
            # Read only once some link misses every id: most pages never need it.
            tree = self.tree
            names = (tree.attribute(element, "name") for element in tree.named("a"))
            self._named = {str(name) for name in names if name is not None}
        return name in self._named

    def visit(self, tag: int) -> None:
        tree = self.tree
        name = tree.name(tag)
        if name == "a" and self._dead_link_marks and self._dead_link_marks.around(tag) is not None:
            marker = _dead_link_marker(tree, tag)
            if marker is not None:
                self._mark_dead(tag, marker)
        if name == "a":
            # An anchor's text is its content: of its attributes only its link is ever read.
            href, span = tree.attribute_and_span(tag, "href")
            if isinstance(href, str) and href.strip() and span is not None:
                self._consider(tag, {}, href, span)
            return
        attrs, spans = tree.attributes_and_spans(tag, link_attributes(name))
        if name == "link" and _ORIGIN_HINTS & {rel.lower() for rel in _values(attrs.get("rel"))}:
            return
        if name == "meta" and str(attrs.get("http-equiv", "")).strip().lower() != "refresh":
            return
        for attribute in link_attributes(name):
            value = attrs.get(attribute)
            if not isinstance(value, str) or not value.strip():
                continue
            span = spans.get(attribute)
            if span is None:
                continue
            if attribute == "srcset":
                for part in srcset_urls(span):
                    self._consider(tag, attrs, html.unescape(part.raw), part)
            elif name == "meta":
                target = refresh_url(span)
                if target is not None:
                    self._consider(tag, attrs, html.unescape(target.raw), target)
            elif name == "object" and attribute == "data":
                self._consider(tag, attrs, value, span, base=self._codebase(attrs))
            else:
                self._consider(tag, attrs, value, span)

    def _codebase(self, attrs: dict[str, AttributeValue]) -> str | None:
        """What an ``<object>``'s relative ``data`` resolves against: its ``codebase``, itself resolved."""
        codebase = attrs.get("codebase")
        if not isinstance(codebase, str) or not codebase.strip():
            return self.base
        try:
            return normalise_url(codebase, self.base) if self.base else normalise_url(codebase)
        except MalformedURL:
            return self.base

    def _consider(
        self,
        tag: int,
        attrs: dict[str, AttributeValue],
        value: str,
        span: AttributeSpan,
        *,
        base: str | None = None,
    ) -> None:
        stripped = value.strip()
        if not stripped or stripped.lower().startswith(_INLINE_SCHEMES):
            return
        is_anchor = self.tree.name(tag) == "a"
        if stripped.startswith("#"):
            self._fragment(tag, attrs, stripped, span)
        elif is_anchor and "#" in stripped and (in_page := self._in_page(tag, stripped)) is not None:
            self._fragment(tag, attrs, "#" + in_page, span)
        else:
            self._add(tag, attrs, value, span, base=base or self.base)

    def _in_page(self, anchor: int, href: str) -> str | None:
        """The id an absolute ``href`` leads to on this very page, or None if it leads elsewhere."""
        fragment = self.page.fragment(href)
        if fragment is None:
            # A note's backlink leads to its marker on this page, whatever address it is written with.
            written = href.partition("#")[2]
            if written.startswith("cite_ref-") and is_backlink(self.tree, anchor):
                return written
        return fragment

    def _mark_dead(self, tag: int, marker: int) -> None:
        """A rendered {{dead link}} marks the last external link before it in the same note."""
        note = self.footnotes.note_for(self.tree, tag)
        label = note[1] if note else None
        for position in range(len(self.references) - 1, -1, -1):
            reference = self.references[position]
            if reference.footnote != label:
                return
            if reference.kind is not ReferenceKind.EXTERNAL:
                continue
            if any(issue.kind is ReferenceIssueKind.DEAD_LINK_TAG for issue in reference.issues):
                return
            detail = _dead_link_detail(self.tree, marker)
            issue = ReferenceIssue(
                ReferenceIssueKind.DEAD_LINK_TAG,
                "marked as a dead link in the document" + (f" ({detail})" if detail else ""),
            )
            citation = replace(reference.citation or Citation(), url_status="dead")
            self.references[position] = replace(
                reference, issues=(*reference.issues, issue), citation=citation
            )
            return

    def _add(
        self, tag: int, attrs: dict[str, AttributeValue], value: str, span: AttributeSpan, *, base: str | None
    ) -> None:
        note = self.footnotes.note_for(self.tree, tag)
        reference = build_reference(
            value,
            span.raw,
            span.start,
            self.index,
            base=base,
            text=_link_text(self.tree, tag, attrs),
            footnote=note[1] if note else None,
            citation=self._citation(tag, note[0] if note else None),
        )
        if reference.kind is ReferenceKind.INTERNAL:
            reference = self._check_local_target(reference)
        self.references.append(reference)

    def _fragment(self, tag: int, attrs: dict[str, AttributeValue], value: str, span: AttributeSpan) -> None:
        """In-page links are not checked over the network; one to a missing anchor is reported."""
        tree = self.tree
        if tree.name(tag) == "a" and (is_footnote_marker(tree, tag) or is_backlink(tree, tag)):
            return  # footnote links: their integrity is a footnote issue
        name = unquote(value[1:])
        if value == "#" or self.anchors(name) or name.lower() == "top":
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
                text=_link_text(tree, tag, attrs),
                issues=(issue,),
            )
        )

    def _citation(self, tag: int, note: int | None) -> Citation | None:
        cite = self._cites.around(tag) if self._cites else None
        container = cite if cite is not None else note
        if container is None:
            return None
        if container not in self._citations:
            found = (
                parse_cite(self.tree, container)
                if cite is not None
                else parse_note_text(self.tree, container)
            )
            if found is None:
                return None
            self._citations[container] = found
        return self._citations[container]

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


def _dead_link_marker(tree: HtmlTree, anchor: int) -> int | None:
    """The rendered {{dead link}} (``<sup class="Inline-Template">[dead link]</sup>``) around ``anchor``."""
    element = tree.parent(anchor)
    for _ in range(4):
        if element < 0:
            return None
        if tree.name(element) == "sup" and "Inline-Template" in tree.marks_of(element).classes:
            return element if "dead link" in tree.get_text(element).lower() else None
        element = tree.parent(element)
    return None


def _dead_link_detail(tree: HtmlTree, marker: int) -> str:
    """What the marker's tooltip says, e.g. "Dead link tagged March 2013"."""
    for element in tree.descendants(marker):
        if tree.name(element) == "span":
            title = tree.attribute(element, "title")
            if isinstance(title, str):
                return " ".join(title.split())
    return ""


def _values(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _link_text(tree: HtmlTree, tag: int, attrs: dict[str, AttributeValue]) -> str | None:
    name = tree.name(tag)
    if name in ("img", "area"):
        alt = attrs.get("alt")
        return " ".join(alt.split()) or None if isinstance(alt, str) else None
    if name in ("a", "q"):
        return " ".join(tree.get_text(tag).split()) or None
    return None


def _base_href(tree: HtmlTree) -> str | None:
    """The first ``<base href>``, when it is absolute: a relative one has nothing to resolve against."""
    hrefs = (tree.attributes(element) for element in tree.named("base"))
    href = next((attrs["href"] for attrs in hrefs if "href" in attrs), None)
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


def _document_date(tree: HtmlTree) -> dt.date | None:
    """The date the document states for itself: a date meta element, else the first ``<time datetime>``."""
    for meta in tree.named("meta"):
        attrs = tree.attributes(meta)
        if "content" in attrs:
            key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
            if isinstance(key, str) and key.strip().lower() in _DATE_META_NAMES:
                found = parse_date(str(attrs.get("content")))
                if found is not None:
                    return found
    for time in tree.named("time"):
        attrs = tree.attributes(time)
        if "datetime" in attrs:
            found = parse_date(str(attrs.get("datetime")))
            if found is not None:
                return found
    return None
