"""Flat views of the JSON report that every renderer shares.

The renderers read only the report dictionary; this module joins its parts (a link's verdict
with each place it is cited, and with what the citation itself says) without judging anything anew.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Outcomes worst first: the order of summary cards, charts and "sources to fix".
OUTCOME_ORDER: tuple[str, ...] = ("dead", "archived", "restricted", "unknown", "live", "skipped")
#: Outcomes whose sources an editor has to replace.
FIX_OUTCOMES = frozenset({"dead", "archived"})

OUTCOME_LABELS: dict[str, str] = {
    "live": "Live",
    "archived": "Archived",
    "dead": "Dead",
    "restricted": "Restricted",
    "unknown": "Unknown",
    "skipped": "Skipped",
}

# Runs of percent-escapes of bytes 0x80-0xFF: the UTF-8 form of non-ASCII text.
_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")

CHANGE_LABELS: dict[str, str] = {
    "died": "Died",
    "recovered": "Recovered",
    "newly-archived": "Newly archived",
    "changed": "Changed",
}


@dataclass(frozen=True, slots=True)
class Drift:
    """A link's content-drift warning: the live page's title is clearly not the cited one."""

    cited_title: str
    found_title: str
    similarity: float
    snapshot_url: str | None
    snapshot_timestamp: str | None

    @property
    def snapshot_date(self) -> str | None:
        return snapshot_date(self.snapshot_timestamp)

    @property
    def percent(self) -> str:
        return f"{self.similarity:.0%}"


def drift_of(link: Mapping[str, Any]) -> Drift | None:
    """The link's content-drift warning, if it has one."""
    for warning in link.get("warnings") or ():
        if isinstance(warning, Mapping) and warning.get("kind") == "content-drift":
            snapshot = warning.get("snapshot")
            snapshot = snapshot if isinstance(snapshot, Mapping) else {}
            url, timestamp = snapshot.get("url"), snapshot.get("timestamp")
            return Drift(
                cited_title=str(warning.get("cited_title", "")),
                found_title=str(warning.get("found_title", "")),
                similarity=float(warning.get("similarity") or 0.0),
                snapshot_url=url if isinstance(url, str) else None,
                snapshot_timestamp=timestamp if isinstance(timestamp, str) else None,
            )
    return None


@dataclass(frozen=True, slots=True)
class Row:
    """One place a checked URL is cited, with the verdict on that URL."""

    path: str
    line: int
    column: int
    footnote: str | None
    text: str | None
    accessed: str | None
    url: str
    outcome: str
    reason: str
    http_status: int | None
    final_url: str | None
    redirects: tuple[str, ...]
    checked_at: str
    archive_url: str | None
    archive_timestamp: str | None
    original_outcome: str | None
    citation_title: str | None
    citation_archive_url: str | None
    drift: Drift | None = None

    @property
    def archive_date(self) -> str | None:
        return snapshot_date(self.archive_timestamp)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Issue:
    """A footnote, citation or input problem, wherever it came from."""

    path: str
    line: int | None
    kind: str
    label: str | None
    message: str
    severity: str  # "error", "warning" or "note"
    source: str  # "footnote", "reference" or "input"


@dataclass(frozen=True, slots=True)
class Change:
    url: str
    change: str
    before: str | None
    after: str | None
    places: tuple[str, ...]


def snapshot_date(timestamp: str | None) -> str | None:
    """The calendar date of a Wayback timestamp (YYYYMMDDhhmmss or a prefix of it)."""
    if not timestamp or len(timestamp) < 8 or not timestamp[:8].isdigit():
        return None
    return f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"


def days_between(earlier: str | None, later: str | None) -> int | None:
    """Whole days from one ISO date to another, or None when either is missing or malformed."""
    if not earlier or not later:
        return None
    try:
        return (dt.date.fromisoformat(later[:10]) - dt.date.fromisoformat(earlier[:10])).days
    except ValueError:
        return None


def is_web_url(url: str | None) -> bool:
    """Only these may become clickable: never javascript:, data: or anything else."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _decode_run(match: re.Match[str]) -> str:
    escaped = match.group(0)
    try:
        decoded = bytes.fromhex(escaped.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return escaped
    # Invisible or direction-changing characters would make the shown address lie.
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in decoded):
        return escaped
    return decoded


def display_url(url: str) -> str:
    """A URL as a person reads it: escaped non-ASCII text decoded (南韓, not %E5%8D%97%E9%9F%93).

    ASCII escapes such as %2F or %22 stay as written, since decoding them would change what the URL
    appears to say.
    """
    return _NON_ASCII_ESCAPES.sub(_decode_run, url)


def _citations_by_place(report: Mapping[str, Any]) -> dict[tuple[str, int, int, str], Mapping[str, Any]]:
    found: dict[tuple[str, int, int, str], Mapping[str, Any]] = {}
    for document in report.get("documents", []):
        for reference in document.get("references", []):
            citation = reference.get("citation")
            if citation:
                key = (document["path"], reference["line"], reference["column"], reference["url"])
                found[key] = citation
    return found


def _snapshot_field(link: Mapping[str, Any], name: str) -> str | None:
    archive = link.get("archive")
    value = archive.get(name) if isinstance(archive, Mapping) else None
    return value if isinstance(value, str) else None


def reference_rows(report: Mapping[str, Any]) -> list[Row]:
    """Every occurrence of every checked link, in document order, then line and column."""
    citations = _citations_by_place(report)
    document_order = {document["path"]: index for index, document in enumerate(report.get("documents", []))}
    rows: list[Row] = []
    for link in report.get("links", []):
        drift = drift_of(link)
        for place in link.get("occurrences", []):
            citation = citations.get((place["path"], place["line"], place["column"], link["url"]), {})
            rows.append(
                Row(
                    path=place["path"],
                    line=place["line"],
                    column=place["column"],
                    footnote=place.get("footnote"),
                    text=place.get("text"),
                    accessed=place.get("accessed") or citation.get("accessed"),
                    url=link["url"],
                    outcome=link["outcome"],
                    reason=link.get("reason", ""),
                    http_status=link.get("http_status"),
                    final_url=link.get("final_url"),
                    redirects=tuple(link.get("redirects") or ()),
                    checked_at=link.get("checked_at", ""),
                    archive_url=_snapshot_field(link, "url"),
                    archive_timestamp=_snapshot_field(link, "timestamp"),
                    original_outcome=link.get("original_outcome"),
                    citation_title=citation.get("title"),
                    citation_archive_url=citation.get("archive_url"),
                    drift=drift,
                )
            )
    rows.sort(
        key=lambda row: (document_order.get(row.path, len(document_order)), row.path, row.line, row.column)
    )
    return rows


def drifted(rows: Iterable[Row]) -> list[Row]:
    """References whose live page no longer looks like the one cited, in document order."""
    return [row for row in rows if row.drift is not None]


def sources_to_fix(rows: Iterable[Row]) -> list[Row]:
    """Dead references first, then archived ones, each in document order."""
    chosen = [row for row in rows if row.outcome in FIX_OUTCOMES]
    return sorted(chosen, key=lambda row: OUTCOME_ORDER.index(row.outcome))


def issues(report: Mapping[str, Any]) -> list[Issue]:
    """Footnote issues, reference issues and input problems, by document then line."""
    found: list[Issue] = []
    for document in report.get("documents", []):
        path = document["path"]
        for issue in document.get("footnote_issues", []):
            found.append(
                Issue(
                    path,
                    issue.get("line"),
                    issue["kind"],
                    issue.get("label"),
                    issue["message"],
                    "warning",
                    "footnote",
                )
            )
        for reference in document.get("references", []):
            for issue in reference.get("issues") or ():
                found.append(
                    Issue(
                        path,
                        reference.get("line"),
                        issue["kind"],
                        reference.get("footnote"),
                        issue["message"],
                        "warning",
                        "reference",
                    )
                )
    for problem in report.get("problems", []):
        severity = problem.get("severity") or "error"
        found.append(
            Issue(problem["path"], problem.get("line"), "input", None, problem["message"], severity, "input")
        )
    order = {document["path"]: index for index, document in enumerate(report.get("documents", []))}
    found.sort(key=lambda item: (order.get(item.path, len(order)), item.path, item.line or 0))
    return found


def changes(report: Mapping[str, Any]) -> list[Change]:
    """What changed since the previous run, worst news first, with where each URL is cited now."""
    places: dict[str, tuple[str, ...]] = {
        link["url"]: tuple(f"{place['path']}:{place['line']}" for place in link.get("occurrences", []))
        for link in report.get("links", [])
    }
    order = ("died", "newly-archived", "changed", "recovered")
    found = [
        Change(
            item["url"], item["change"], item.get("before"), item.get("after"), places.get(item["url"], ())
        )
        for item in report.get("changes") or ()
    ]
    return sorted(found, key=lambda item: order.index(item.change) if item.change in order else len(order))


def failing(outcome: str, fail_on: Sequence[str]) -> bool:
    return outcome in fail_on and "never" not in fail_on


def document_paths(report: Mapping[str, Any]) -> list[str]:
    """Documents in report order, then any path cited only in links (a report trimmed by hand)."""
    paths = [document["path"] for document in report.get("documents", [])]
    for link in report.get("links", []):
        for place in link.get("occurrences", []):
            if place["path"] not in paths:
                paths.append(place["path"])
    return paths


def outcome_counts_by_document(rows: Iterable[Row], paths: Sequence[str]) -> dict[str, dict[str, int]]:
    """For each document, how many of its references have each outcome."""
    counts = {path: dict.fromkeys(OUTCOME_ORDER, 0) for path in paths}
    for row in rows:
        counts.setdefault(row.path, dict.fromkeys(OUTCOME_ORDER, 0))
        counts[row.path][row.outcome] = counts[row.path].get(row.outcome, 0) + 1
    return counts


def network_was_down(report: Mapping[str, Any]) -> bool:
    """True when the run that made the report could not reach the network (its "unknown" says nothing)."""
    run = report.get("run")
    return isinstance(run, Mapping) and run.get("network_down") is True
