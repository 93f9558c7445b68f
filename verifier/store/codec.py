"""Documents and their problems as JSON, for the extraction cache.

JSON, not pickle: a store restored from a CI cache must never be able to run code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from verifier.model import (
    Citation,
    Document,
    FootnoteIssue,
    FootnoteIssueKind,
    Format,
    InputProblem,
    Reference,
    ReferenceIssue,
    ReferenceIssueKind,
    ReferenceKind,
    WaybackLocation,
)

_KINDS: dict[str, ReferenceKind] = {kind.value: kind for kind in ReferenceKind}
_KIND_ORDER = tuple(ReferenceKind)
_KIND_PLACES = {kind: place for place, kind in enumerate(_KIND_ORDER)}


def _date_text(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date_value(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _citation_json(citation: Citation) -> list[object]:
    return [
        citation.title,
        citation.publisher,
        _date_text(citation.published),
        _date_text(citation.accessed),
        citation.archive_url,
        _date_text(citation.archive_date),
        citation.url_status,
    ]


def _citation_from(data: list[Any]) -> Citation:
    return Citation(
        data[0], data[1], _date_value(data[2]), _date_value(data[3]), data[4], _date_value(data[5]), data[6]
    )


#: The references' layout in a payload: one list per field (a column), not one list per
#: reference. A 50 MB document holds hundreds of thousands of references; a list for each
#: cost more while being encoded or decoded than the references themselves.
LAYOUT = "columns-1"


def _column(values: list[Any]) -> list[Any] | None:
    """``values``, or None when every one is None or an empty list (most fields of most
    references are: no footnote, no citation, no issues)."""
    return values if any(value is not None and value != [] for value in values) else None


def _references_json(references: Sequence[Reference]) -> dict[str, object]:
    """The references as columns, URLs and raw texts as places in one table of strings."""
    strings: dict[str, int] = {}

    def place(text: str) -> int:
        found = strings.get(text)
        if found is None:
            found = strings[text] = len(strings)
        return found

    columns: dict[str, object] = {
        "layout": LAYOUT,
        "url": [place(ref.url) for ref in references],
        # Most references are written as their URL: -1 says so in two bytes.
        "raw": [-1 if ref.raw == ref.url else place(ref.raw) for ref in references],
    }
    columns["strings"] = list(strings)
    # Places in the payload's own list of kinds: small numbers, which decode without making
    # a string for each reference.
    columns["kinds"] = [kind.value for kind in _KIND_ORDER]
    columns["kind"] = [_KIND_PLACES[ref.kind] for ref in references]
    columns["line"] = [ref.line for ref in references]
    columns["column"] = [ref.column for ref in references]
    columns["start"] = [ref.start for ref in references]
    columns["end"] = [ref.end for ref in references]
    columns["text"] = _column([ref.text for ref in references])
    columns["footnote"] = _column([ref.footnote for ref in references])
    columns["citation"] = _column(
        [_citation_json(ref.citation) if ref.citation else None for ref in references]
    )
    columns["wayback"] = _column(
        [
            [ref.wayback.original, ref.wayback.timestamp, ref.wayback.flags] if ref.wayback else None
            for ref in references
        ]
    )
    columns["issues"] = _column(
        [[[issue.kind.value, issue.message] for issue in ref.issues] for ref in references]
    )
    columns["alternatives"] = _column([list(ref.alternatives) for ref in references])
    columns["page"] = _column([ref.page for ref in references])
    return columns


def _references_from(data: dict[str, Any]) -> tuple[Reference, ...]:
    if not isinstance(data, dict) or data.get("layout") != LAYOUT:
        raise ValueError("written by another layout")
    strings: list[str] = data["strings"]
    places: list[int] = data["url"]
    count = len(places)
    nothing = [None] * count

    def column(name: str, *, required: bool = False) -> list[Any]:
        values: list[Any] | None = data[name]
        if values is None and not required:
            return nothing
        if values is None or len(values) != count:
            raise ValueError(f"column {name} has the wrong number of values for {count} references")
        return values

    # A negative place would quietly name a string from the end of the table.
    raw_places = column("raw", required=True)
    kind_places = column("kind", required=True)
    if count and (min(places) < 0 or min(raw_places) < -1 or min(kind_places) < 0):
        raise ValueError("a negative place in the table of strings or of kinds")
    urls = [strings[index] for index in places]
    raws = [url if index < 0 else strings[index] for url, index in zip(urls, raw_places, strict=True)]
    named = [_KINDS[name] for name in data["kinds"]]
    kinds = [named[place] for place in kind_places]
    empty: list[tuple[()]] = [()] * count
    citations = column("citation")
    waybacks = column("wayback")
    issues = column("issues")
    alternatives = column("alternatives")
    return tuple(
        map(
            Reference,
            urls,
            raws,
            kinds,
            column("line", required=True),
            column("column", required=True),
            column("start", required=True),
            column("end", required=True),
            column("text"),
            column("footnote"),
            citations
            if citations is nothing
            else [_citation_from(item) if item else None for item in citations],
            waybacks
            if waybacks is nothing
            else [WaybackLocation(*item) if item else None for item in waybacks],
            empty if issues is nothing else [_issues_from(item) for item in issues],
            empty if alternatives is nothing else [tuple(item) if item else () for item in alternatives],
            column("page"),
        )
    )


def _issues_from(data: list[list[str]] | None) -> tuple[ReferenceIssue, ...]:
    if not data:
        return ()
    return tuple(ReferenceIssue(ReferenceIssueKind(kind), message) for kind, message in data)


def extraction_json(document: Document | None, problems: Iterable[InputProblem]) -> dict[str, object]:
    data: dict[str, object] = {
        "problems": [[p.path, p.line, p.message, p.severity] for p in problems],
        "document": None,
    }
    if document is not None:
        data["document"] = {
            "path": document.path,
            "format": document.format.value,
            "encoding": document.encoding,
            "references": _references_json(document.references),
            "footnote_issues": [
                [issue.kind.value, issue.label, issue.line, issue.message]
                for issue in document.footnote_issues
            ],
            "date": _date_text(document.date),
            "digest": document.digest,
        }
    return data


def extraction_from_json(data: dict[str, Any]) -> tuple[Document | None, list[InputProblem]]:
    """What :func:`extraction_json` wrote. Raises ValueError for a payload of another layout
    or a damaged one, which a cache takes for a miss: the file is read again."""
    try:
        return _extraction_from(data)
    except (LookupError, TypeError) as error:
        raise ValueError(f"damaged extraction payload: {error!r}") from error


def _extraction_from(data: dict[str, Any]) -> tuple[Document | None, list[InputProblem]]:
    problems = [
        InputProblem(path, line, message, severity) for path, line, message, severity in data["problems"]
    ]
    raw = data["document"]
    if raw is None:
        return None, problems
    document = Document(
        path=raw["path"],
        format=Format(raw["format"]),
        encoding=raw["encoding"],
        references=_references_from(raw["references"]),
        footnote_issues=tuple(
            FootnoteIssue(FootnoteIssueKind(kind), label, line, message)
            for kind, label, line, message in raw["footnote_issues"]
        ),
        date=_date_value(raw["date"]),
        digest=raw["digest"],
    )
    return document, problems
