"""The JSON report model: the one contract every output format is rendered from.

``build_report`` turns documents and link results into plain JSON-ready dictionaries; every
renderer reads only that, so ``verifier report link-health.json`` can re-render without the
network and without re-deriving any fact.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

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


def document_json(document: Document) -> JSONObject:
    return {
        "path": document.path,
        "format": document.format.value,
        "encoding": document.encoding,
        "sha256": document.digest,
        "date": _date(document.date),
        "references": [reference_json(reference) for reference in document.references],
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
    result: LinkResult, occurrences: list[JSONObject], *, offline: bool = False, checked: bool = True
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


def add_occurrence_archives(
    result: LinkResult, places: list[JSONObject], document_dates: Mapping[str, str | None]
) -> None:
    """Give each occurrence of a link with an archive the snapshot nearest its own date: the
    date its citation states, or its document's where no citation of the link states one;
    without either, the link's own snapshot."""
    if result.archive is None:
        return
    by_date = {day.isoformat(): snapshot for day, snapshot in result.dated_archives}
    stated = any(place.get("accessed") for place in places)
    for place in places:
        day = place.get("accessed") if stated else document_dates.get(str(place["path"]))
        snapshot = by_date.get(day, result.archive) if isinstance(day, str) else result.archive
        place["archive"] = (
            None if snapshot is None else {"url": snapshot.url, "timestamp": snapshot.timestamp}
        )


def occurrences_by_url(documents: Iterable[Document]) -> dict[str, list[JSONObject]]:
    """Every place each checked URL is cited, in document order."""
    found: dict[str, list[JSONObject]] = {}
    for document in documents:
        for reference in document.references:
            if reference.kind in CHECKED_KINDS and reference.url:
                found.setdefault(reference.url, []).append(occurrence_json(document, reference))
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
) -> JSONObject:
    """The JSON report of a check run (the contract of ``link-health.json``).

    ``problems`` defaults to the run's own: what went wrong reading its documents.
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
) -> JSONObject:
    """The whole JSON report from its parts. Links appear in the order they are first cited."""
    occurrences = occurrences_by_url(documents)
    document_dates = {document.path: _date(document.date) for document in documents}
    for url, places in occurrences.items():
        if url in results:
            add_occurrence_archives(results[url], places, document_dates)
    links = [
        link_json(results[url], places, offline=url in offline, checked=url not in unchecked)
        for url, places in occurrences.items()
        if url in results
    ]
    report: JSONObject = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso_time(generated_at or dt.datetime.now(dt.UTC)),
        "tool": {"name": "verifier", "version": __version__},
        "summary": summarise(links),
        "links": links,
        "documents": [document_json(document) for document in documents],
        "problems": [problem_json(problem) for problem in problems],
        "changes": changes or [],
    }
    if run is not None:
        report["run"] = run
    return report
