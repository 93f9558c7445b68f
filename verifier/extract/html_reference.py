"""One Reference from a URL found in markup: normalised, classified, placed.

Shared by the HTML and wikitext extractors, which find URLs differently but record them the
same way.
"""

from __future__ import annotations

import re

from verifier.extract.base import LineIndex
from verifier.extract.urls import (
    MalformedURL,
    classify_url,
    is_normalised,
    normalise_url,
    parse_doi,
    parse_wayback,
)
from verifier.model import Citation, Reference, ReferenceIssue, ReferenceIssueKind, ReferenceKind

_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Browsers drop tabs and line breaks inside a URL before parsing it, so an href wrapped over
# two lines of source still works; the checker must see the same address.
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def build_reference(
    url_text: str,
    raw: str,
    start: int,
    index: LineIndex,
    *,
    base: str | None = None,
    text: str | None = None,
    footnote: str | None = None,
    citation: Citation | None = None,
) -> Reference:
    """The reference made by ``url_text`` (the URL as the browser sees it) written as ``raw`` at ``start``.

    A relative URL is resolved against ``base`` when there is one and stays internal
    otherwise. A URL that cannot be checked becomes a reference with a malformed-url issue.
    """
    cleaned = _TAB_OR_NEWLINE.sub("", url_text).strip()
    line, column = index.position(start)
    issues: tuple[ReferenceIssue, ...] = ()
    doi = parse_doi(cleaned)
    try:
        if doi is not None:
            url = normalise_url(f"https://doi.org/{doi}")
            kind = ReferenceKind.DOI
        elif cleaned.startswith("//"):
            url = normalise_url(cleaned, base or "https:")
            kind = classify_url(url)
        elif _HAS_SCHEME.match(cleaned) or base is not None:
            # Most URLs are already in normal form; checking that is much cheaper than normalising.
            fast = "xn--" not in cleaned and is_normalised(cleaned)
            url = cleaned if fast else normalise_url(cleaned, base)
            kind = classify_url(url)
        else:
            url = cleaned
            kind = ReferenceKind.INTERNAL
    except MalformedURL as error:
        url = cleaned
        kind = ReferenceKind.DOI if doi is not None else classify_url(cleaned)
        issues = (ReferenceIssue(ReferenceIssueKind.MALFORMED_URL, str(error)),)
    return Reference(
        url=url,
        raw=raw,
        kind=kind,
        line=line,
        column=column,
        start=start,
        end=start + len(raw),
        text=text or None,
        footnote=footnote,
        citation=citation,
        wayback=parse_wayback(url) if kind is ReferenceKind.ARCHIVE else None,
        issues=issues,
    )
