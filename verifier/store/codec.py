"""Documents and their problems as JSON, for the extraction cache.

JSON, not pickle: a store restored from a CI cache must never be able to run code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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


def _reference_json(ref: Reference) -> list[object]:
    return [
        ref.url,
        ref.raw,
        ref.kind.value,
        ref.line,
        ref.column,
        ref.start,
        ref.end,
        ref.text,
        ref.footnote,
        _citation_json(ref.citation) if ref.citation else None,
        [ref.wayback.original, ref.wayback.timestamp, ref.wayback.flags] if ref.wayback else None,
        [[issue.kind.value, issue.message] for issue in ref.issues],
        list(ref.alternatives),
        ref.page,
    ]


def _reference_from(data: list[Any]) -> Reference:
    return Reference(
        url=data[0],
        raw=data[1],
        kind=_KINDS[data[2]],
        line=data[3],
        column=data[4],
        start=data[5],
        end=data[6],
        text=data[7],
        footnote=data[8],
        citation=_citation_from(data[9]) if data[9] else None,
        wayback=WaybackLocation(*data[10]) if data[10] else None,
        issues=tuple(ReferenceIssue(ReferenceIssueKind(kind), message) for kind, message in data[11])
        if data[11]
        else (),
        # Payloads written before alternatives and pages existed end at the issues.
        alternatives=tuple(data[12]) if len(data) > 12 and data[12] else (),
        page=data[13] if len(data) > 13 else None,
    )


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
            "references": [_reference_json(ref) for ref in document.references],
            "footnote_issues": [
                [issue.kind.value, issue.label, issue.line, issue.message]
                for issue in document.footnote_issues
            ],
            "date": _date_text(document.date),
            "digest": document.digest,
        }
    return data


def extraction_from_json(data: dict[str, Any]) -> tuple[Document | None, list[InputProblem]]:
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
        references=tuple(_reference_from(item) for item in raw["references"]),
        footnote_issues=tuple(
            FootnoteIssue(FootnoteIssueKind(kind), label, line, message)
            for kind, label, line, message in raw["footnote_issues"]
        ),
        date=_date_value(raw["date"]),
        digest=raw["digest"],
    )
    return document, problems
