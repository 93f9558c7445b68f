"""The JSON report model: the one contract every output format is rendered from.

``build_report`` turns documents and link results into plain JSON-ready dictionaries; every
renderer reads only that, so ``verifier report link-health.json`` can re-render without the
network and without re-deriving any fact.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

from verifier import __version__
from verifier._types import JSONObject
from verifier.model import (
    CHECKED_KINDS,
    Change,
    CheckRun,
    Citation,
    Document,
    FootnoteIssue,
    InputProblem,
    LinkResult,
    LinkWarning,
    Outcome,
    Reference,
    Snapshot,
)

SCHEMA_VERSION = 1


def iso_time(moment: dt.datetime) -> str:
    """``moment`` in UTC to the second, as ``2024-05-01T12:00:00Z``."""
    return _iso_second(math.floor(moment.timestamp()))


@functools.lru_cache(maxsize=65_536)
def _iso_second(second: int) -> str:
    # A report repeats the same few instants thousands of times (checked, first seen, last
    # live); formatting each once keeps a warm run's report cheap.
    return dt.datetime.fromtimestamp(second, dt.UTC).isoformat().replace("+00:00", "Z")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def citation_json(citation: Citation | None) -> JSONObject | None:
    if citation is None:
        return None
    data: JSONObject = {
        "title": citation.title,
        "publisher": citation.publisher,
        "published": _date(citation.published),
        "accessed": _date(citation.accessed),
        "archive_url": citation.archive_url,
        "archive_date": _date(citation.archive_date),
        "url_status": citation.url_status,
    }
    return {key: value for key, value in data.items() if value is not None}


def reference_json(reference: Reference) -> JSONObject:
    data: JSONObject = {
        "url": reference.url,
        "raw": reference.raw,
        "kind": reference.kind.value,
        "line": reference.line,
        "column": reference.column,
        "text": reference.text,
        "footnote": reference.footnote,
        "citation": citation_json(reference.citation),
    }
    if reference.wayback is not None:
        data["wayback"] = {"original": reference.wayback.original, "timestamp": reference.wayback.timestamp}
    if reference.issues:
        data["issues"] = [{"kind": issue.kind.value, "message": issue.message} for issue in reference.issues]
    if reference.alternatives:
        data["alternatives"] = list(reference.alternatives)
    if reference.page is not None:
        data["page"] = reference.page
    return data


def footnote_issue_json(issue: FootnoteIssue) -> JSONObject:
    return {"kind": issue.kind.value, "label": issue.label, "line": issue.line, "message": issue.message}


def document_json(document: Document, *, lazy: bool = False) -> JSONObject:
    """``document`` as the report describes it; ``lazy`` leaves its references as
    :class:`ReferenceRows`, built as they are read."""
    references = ReferenceRows(document.references)
    return {
        "path": document.path,
        "format": document.format.value,
        "encoding": document.encoding,
        "sha256": document.digest,
        "date": _date(document.date),
        "references": references if lazy else list(references),
        "footnote_issues": [footnote_issue_json(issue) for issue in document.footnote_issues],
    }


def problem_json(problem: InputProblem) -> JSONObject:
    return {
        "path": problem.path,
        "line": problem.line,
        "severity": problem.severity,
        "message": problem.message,
    }


def snapshot_json(snapshot: Snapshot | None) -> JSONObject | None:
    if snapshot is None:
        return None
    return {"url": snapshot.url, "timestamp": snapshot.timestamp, "original": snapshot.original}


def occurrence_json(document: Document, reference: Reference) -> JSONObject:
    data: JSONObject = {
        "path": document.path,
        "line": reference.line,
        "column": reference.column,
        "footnote": reference.footnote,
        "text": reference.text,
        "accessed": _date(reference.citation.accessed if reference.citation else None),
    }
    if reference.page is not None:
        data["page"] = reference.page  # in a PDF, line and column count within the page
    return data


def warning_json(warning: LinkWarning) -> JSONObject:
    return {
        "kind": warning.kind.value,
        "cited_title": warning.cited_title,
        "found_title": warning.found_title,
        "similarity": warning.similarity,
        "snapshot": snapshot_json(warning.snapshot),
    }


def link_json(
    result: LinkResult,
    occurrences: Sequence[JSONObject],
    *,
    offline: bool = False,
    checked: bool = True,
) -> JSONObject:
    data: JSONObject = {
        "url": result.url,
        "outcome": result.outcome.value,
        "reason": result.reason,
        "http_status": result.http_status,
        "final_url": result.final_url,
        "redirects": list(result.redirects),
        "checked_at": iso_time(result.checked_at),
        "from_cache": result.from_cache,
        "archive": snapshot_json(result.archive),
        "occurrences": occurrences,
    }
    # Written only when they deviate, so a report of a plain run reads as before.
    if offline:
        data["offline"] = True  # unknown only because our own network was down
    if not checked:
        data["checked"] = False  # an interrupted run never reached it
    if result.original_outcome is not None:
        data["original_outcome"] = result.original_outcome.value
    if result.saved_snapshot is not None:
        data["saved_snapshot"] = snapshot_json(result.saved_snapshot)
    if result.warnings:
        data["warnings"] = [warning_json(warning) for warning in result.warnings]
    if result.history is not None:
        data["history"] = {
            "first_seen": iso_time(result.history.first_seen),
            "last_live": iso_time(result.history.last_live) if result.history.last_live else None,
            "consecutive_failures": result.history.consecutive_failures,
            "previous_outcome": result.history.previous_outcome.value
            if result.history.previous_outcome
            else None,
        }
    return data


#: How many references a report must describe before ``lazy`` makes its rows when read.
LAZY_REFERENCES = 20_000


class _Rows(Sequence[JSONObject]):
    """Report rows built when they are read, not held.

    A 50 MB document cites hundreds of thousands of links; holding a dictionary for each
    (twice: under its document and under its link) cost more than the document itself.
    The JSON writer streams these in chunks; other readers see an ordinary sequence.
    """

    __slots__ = ()

    def _row(self, index: int) -> JSONObject:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> JSONObject: ...
    @overload
    def __getitem__(self, index: slice) -> list[JSONObject]: ...
    def __getitem__(self, index: int | slice) -> JSONObject | list[JSONObject]:
        if isinstance(index, slice):
            return [self._row(position) for position in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("report row index out of range")
        return self._row(index)

    def __iter__(self) -> Iterator[JSONObject]:
        return map(self._row, range(len(self)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} rows)"


class ReferenceRows(_Rows):
    """A document's references as report rows."""

    __slots__ = ("_references",)

    def __init__(self, references: Sequence[Reference]) -> None:
        self._references = references

    def __len__(self) -> int:
        return len(self._references)

    def _row(self, index: int) -> JSONObject:
        return reference_json(self._references[index])

    def __iter__(self) -> Iterator[JSONObject]:
        return map(reference_json, self._references)


class Occurrences(_Rows):
    """Every place one link is cited, in document order, as report rows.

    Held as the references themselves and, beside them, which document each is in (a
    machine integer each), so a link cited 100,000 times costs about 12 bytes a place.
    """

    __slots__ = ("_archive", "_documents", "_references", "_which")

    def __init__(self, documents: Sequence[Document]) -> None:
        self._documents = documents
        self._which = array("I")
        self._references: list[Reference] = []
        self._archive: Callable[[JSONObject], JSONObject | None] | None = None

    def add(self, document: int, reference: Reference) -> None:
        self._which.append(document)
        self._references.append(reference)

    def __len__(self) -> int:
        return len(self._references)

    def _row(self, index: int) -> JSONObject:
        document = self._documents[self._which[index]]
        data = occurrence_json(document, self._references[index])
        if self._archive is not None:
            data["archive"] = self._archive(data)
        return data

    def give_archives(self, result: LinkResult, document_dates: Mapping[str, str | None]) -> None:
        """Give each occurrence of a link with an archive the snapshot nearest its own date:
        the date its citation states, or its document's where no citation of the link states
        one; without either, the link's own snapshot."""
        archive = result.archive
        if archive is None:
            return
        by_date = {day.isoformat(): snapshot for day, snapshot in result.dated_archives}
        stated = any(
            reference.citation is not None and reference.citation.accessed is not None
            for reference in self._references
        )

        def pick(place: JSONObject) -> JSONObject | None:
            day = place.get("accessed") if stated else document_dates.get(str(place["path"]))
            snapshot = by_date.get(day, archive) if isinstance(day, str) else archive
            return None if snapshot is None else {"url": snapshot.url, "timestamp": snapshot.timestamp}

        self._archive = pick


def occurrences_by_url(documents: Sequence[Document]) -> dict[str, Occurrences]:
    """Every place each checked URL is cited, in document order."""
    found: dict[str, Occurrences] = {}
    for index, document in enumerate(documents):
        for reference in document.references:
            if reference.kind in CHECKED_KINDS and reference.url:
                places = found.get(reference.url)
                if places is None:
                    places = found[reference.url] = Occurrences(documents)
                places.add(index, reference)
    return found


def summarise(links: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    summary = {outcome.value: 0 for outcome in Outcome}
    for link in links:
        summary[link["outcome"]] += 1
    return summary


def change_json(change: Change) -> JSONObject:
    return {
        "url": change.url,
        "before": change.before.value,
        "after": change.after.value,
        "change": change.kind.value,
    }


def _requests_json(run: CheckRun) -> JSONObject:
    counts: JSONObject = {"live": run.live_requests, "archive": run.archive_requests}
    if run.title_requests:
        # Already among the live ones: GETs made in place of a HEAD to read cited titles.
        counts["title"] = run.title_requests
    return counts


def run_json(run: CheckRun) -> JSONObject:
    return {
        "id": run.run_id,
        "started": iso_time(run.started_at),
        "finished": iso_time(run.finished_at),
        "seconds": round((run.finished_at - run.started_at).total_seconds(), 3),
        "status": run.status.value,
        "network_down": run.network_down,
        "unchecked": len(run.unchecked),
        "reused": run.reused,
        "requests": _requests_json(run),
        "phases": {name: round(seconds, 3) for name, seconds in run.phases.items()},
    }


def build_report(
    documents: Sequence[Document],
    run: CheckRun,
    problems: Iterable[InputProblem] | None = None,
    *,
    generated_at: dt.datetime | None = None,
    lazy: bool = False,
) -> JSONObject:
    """The JSON report of a check run (the contract of ``link-health.json``).

    ``problems`` defaults to the run's own: what went wrong reading its documents. With
    ``lazy`` the lists of each document's references and each link's occurrences are
    sequences whose rows are built as they are read, so a report of a huge document is never
    held whole; :func:`verifier.report.json.write_json_report` streams them, and anything
    that reads a report as a mapping of lists reads them too. Without it every list is a
    list, as ``json.dumps`` needs.
    """
    return assemble_report(
        documents,
        run.results,
        problems=run.problems if problems is None else problems,
        generated_at=generated_at or run.finished_at,
        changes=[change_json(change) for change in run.changes],
        run=run_json(run),
        offline=run.offline,
        unchecked=run.unchecked,
        lazy=lazy,
    )


def assemble_report(
    documents: Sequence[Document],
    results: Mapping[str, LinkResult],
    *,
    problems: Iterable[InputProblem] = (),
    generated_at: dt.datetime | None = None,
    changes: list[JSONObject] | None = None,
    run: JSONObject | None = None,
    offline: Collection[str] = (),
    unchecked: Collection[str] = (),
    lazy: bool = False,
) -> JSONObject:
    """The whole JSON report from its parts. Links appear in the order they are first cited.

    ``lazy`` as for :func:`build_report`."""
    # Rows made when read cost a call each time they are read; below this many references a
    # report's dictionaries are a few megabytes at most and are built once, as lists.
    lazy = lazy and sum(len(document.references) for document in documents) >= LAZY_REFERENCES
    occurrences = occurrences_by_url(documents)
    document_dates = {document.path: _date(document.date) for document in documents}
    links = []
    for url, places in occurrences.items():
        result = results.get(url)
        if result is None:
            continue
        places.give_archives(result, document_dates)
        rows: Sequence[JSONObject] = places if lazy else list(places)
        links.append(link_json(result, rows, offline=url in offline, checked=url not in unchecked))
    report: JSONObject = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso_time(generated_at or dt.datetime.now(dt.UTC)),
        "tool": {"name": "verifier", "version": __version__},
        "summary": summarise(links),
        "links": links,
        "documents": [document_json(document, lazy=lazy) for document in documents],
        "problems": [problem_json(problem) for problem in problems],
        "changes": changes or [],
    }
    if run is not None:
        report["run"] = run
    return report
