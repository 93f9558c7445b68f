"""Citation metadata written out in HTML, as Wikipedia renders its citation templates.

``<cite class="citation web">Author. <a href="URL">"Title"</a>. <i>Work</i>. Archived from
<a href="URL">the original</a> on 1 May 2013. Retrieved 26 March 2012.</cite>``
"""

from __future__ import annotations

import datetime as dt
import re

from verifier.extract.dates import find_access_date, parse_date
from verifier.extract.html_tree import HtmlTree
from verifier.extract.urls import MalformedURL, normalise_url, parse_wayback
from verifier.model import Citation

_ARCHIVED_ON = re.compile(r"archived\s+(?:from\s+the\s+original\s+)?on\s+", re.IGNORECASE)
_ABSOLUTE = re.compile(r"\s*(?:https?:)?//", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")
_QUOTES = "\"'“”‘’«» "


def citation_elements(tree: HtmlTree) -> list[int]:
    """The page's ``<cite class="citation ...">`` elements."""
    return [cite for cite in tree.named("cite") if "citation" in tree.marks_of(cite).classes]


def _plain(tree: HtmlTree, element: int) -> str:
    return " ".join(tree.get_text(element).split())


def _archive_date(text: str) -> tuple[str, dt.date | None]:
    """``text`` without its "Archived from the original on <date>" clause, and that date."""
    match = _ARCHIVED_ON.search(text)
    if match is None:
        return text, None
    date = parse_date(text[match.end() : match.end() + 40])
    return text[: match.start()] + text[match.end() :], date


def _is_outward(tree: HtmlTree, link: int, href: str) -> bool:
    """Whether ``link`` leads to the source or its archive copy, not to a wiki page (an author, "ISBN")."""
    return "external" in tree.marks_of(link).classes or _ABSOLUTE.match(href) is not None


def _linked_title(tree: HtmlTree, outward: list[int]) -> str | None:
    """The text of the link to the source, which is the title."""
    for link in outward:
        shown = _plain(tree, link)
        if shown.lower() in ("archived", "") or shown.lower().startswith("the original"):
            continue
        return shown.strip(_QUOTES) or None
    return None


def parse_cite(tree: HtmlTree, cite: int) -> Citation:
    """What a rendered citation says: title, dates, archive copy and whether the original is dead."""
    hrefs: dict[int, str] = {}
    italics: list[str] = []
    for element in tree.descendants(cite):
        name = tree.name(element)
        if name == "a":
            href = tree.attribute(element, "href")
            if isinstance(href, str):
                hrefs[element] = href
        elif name == "i":
            italics.append(_plain(tree, element))
    links = list(hrefs)
    archive_links = [a for a in links if parse_wayback(hrefs[a].strip()) is not None]
    outward = [a for a in links if _is_outward(tree, a, hrefs[a])]
    title = _linked_title(tree, outward)
    text = _plain(tree, cite)
    if title is None:
        quoted = _QUOTED.search(text)
        if quoted is not None:
            title = quoted.group(1).strip() or None
    italics = [italic.strip(_QUOTES) for italic in italics if italic.strip(_QUOTES)]
    if title is None and italics:
        title = italics[0]
    # The work a web or news citation appeared in is set in italics after the title.
    publisher = next((italic for italic in italics if italic != title), None)
    text_without_archive, archive_date = _archive_date(text)
    archive_url: str | None = None
    url_status: str | None = None
    if archive_links:
        archive_href = hrefs[archive_links[0]]
        try:
            archive_url = normalise_url(archive_href)
        except MalformedURL:
            archive_url = archive_href.strip()
        # Wikipedia links the title to the archive copy once the original is marked dead.
        url_status = "dead" if outward and outward[0] == archive_links[0] else "live"
    return Citation(
        title=title,
        publisher=publisher,
        accessed=find_access_date(text_without_archive),
        archive_url=archive_url,
        archive_date=archive_date,
        url_status=url_status,
    )


def parse_note_text(tree: HtmlTree, note: int) -> Citation | None:
    """The access date of a note written without citation markup, when it states one."""
    text, _ = _archive_date(_plain(tree, note))
    accessed = find_access_date(text)
    return Citation(accessed=accessed) if accessed is not None else None
