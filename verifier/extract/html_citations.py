"""Citation metadata written out in HTML, as Wikipedia renders its citation templates.

``<cite class="citation web">Author. <a href="URL">"Title"</a>. <i>Work</i>. Archived from
<a href="URL">the original</a> on 1 May 2013. Retrieved 26 March 2012.</cite>``
"""

from __future__ import annotations

import datetime as dt
import re

from verifier.extract.dates import find_access_date, parse_date
from verifier.extract.html_tree import Element
from verifier.extract.urls import MalformedURL, normalise_url, parse_wayback
from verifier.model import Citation

_ARCHIVED_ON = re.compile(r"archived\s+(?:from\s+the\s+original\s+)?on\s+", re.IGNORECASE)
_ABSOLUTE = re.compile(r"\s*(?:https?:)?//", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")
_QUOTES = "\"'“”‘’«» "


def _classes(tag: Element) -> list[str]:
    value = tag.get("class")
    if value is None:
        return []
    return value.split() if isinstance(value, str) else list(value)


def citation_element(tag: Element) -> Element | None:
    """The ``<cite class="citation ...">`` that ``tag`` sits in, if any."""
    element = tag.parent
    while element is not None:
        if element.name == "cite" and "citation" in _classes(element):
            return element
        element = element.parent
    return None


def _plain(tag: Element) -> str:
    return " ".join(tag.get_text().split())


def _archive_date(text: str) -> tuple[str, dt.date | None]:
    """``text`` without its "Archived from the original on <date>" clause, and that date."""
    match = _ARCHIVED_ON.search(text)
    if match is None:
        return text, None
    date = parse_date(text[match.end() : match.end() + 40])
    return text[: match.start()] + text[match.end() :], date


def _is_outward(link: Element) -> bool:
    """Whether ``link`` leads to the source or its archive copy, not to a wiki page (an author, "ISBN")."""
    return "external" in _classes(link) or _ABSOLUTE.match(str(link.get("href"))) is not None


def _linked_title(outward: list[Element]) -> str | None:
    """The text of the link to the source, which is the title."""
    for link in outward:
        shown = _plain(link)
        if shown.lower() in ("archived", "") or shown.lower().startswith("the original"):
            continue
        return shown.strip(_QUOTES) or None
    return None


def parse_cite(cite: Element) -> Citation:
    """What a rendered citation says: title, dates, archive copy and whether the original is dead."""
    links = [
        a
        for a in cite.descendants
        if isinstance(a, Element) and a.name == "a" and isinstance(a.get("href"), str)
    ]
    archive_links = [a for a in links if parse_wayback(str(a.get("href")).strip()) is not None]
    outward = [a for a in links if _is_outward(a)]
    title = _linked_title(outward)
    if title is None:
        quoted = _QUOTED.search(_plain(cite))
        if quoted is not None:
            title = quoted.group(1).strip() or None
    italics = [_plain(i) for i in cite.descendants if isinstance(i, Element) and i.name == "i"]
    italics = [italic.strip(_QUOTES) for italic in italics if italic.strip(_QUOTES)]
    if title is None and italics:
        title = italics[0]
    # The work a web or news citation appeared in is set in italics after the title.
    publisher = next((italic for italic in italics if italic != title), None)
    text = _plain(cite)
    text_without_archive, archive_date = _archive_date(text)
    archive_url: str | None = None
    url_status: str | None = None
    if archive_links:
        try:
            archive_url = normalise_url(str(archive_links[0].get("href")))
        except MalformedURL:
            archive_url = str(archive_links[0].get("href")).strip()
        # Wikipedia links the title to the archive copy once the original is marked dead.
        url_status = "dead" if outward and outward[0] is archive_links[0] else "live"
    return Citation(
        title=title,
        publisher=publisher,
        accessed=find_access_date(text_without_archive),
        archive_url=archive_url,
        archive_date=archive_date,
        url_status=url_status,
    )


def parse_note_text(note: Element) -> Citation | None:
    """The access date of a note written without citation markup, when it states one."""
    text, _ = _archive_date(_plain(note))
    accessed = find_access_date(text)
    return Citation(accessed=accessed) if accessed is not None else None
