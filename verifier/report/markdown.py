"""A Markdown summary for a CI job summary, a pull-request comment or an issue body."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from verifier.report.rows import (
    CHANGE_LABELS,
    OUTCOME_LABELS,
    OUTCOME_ORDER,
    Row,
    days_between,
    display_url,
    drifted,
    failing,
    is_web_url,
    issues,
    network_was_down,
    reference_rows,
    sources_to_fix,
)
from verifier.report.rows import changes as changes_of

#: Past this many rows a table stops; pull-request comments are capped at 65,536 characters.
MAX_ROWS = 150

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def text(value: object) -> str:
    """Text from a document, safe in a table cell: no markup, no HTML, no @mention, one line."""
    raw = " ".join(str(value).split())
    escaped = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)
    # A word joiner after "@" keeps GitHub from notifying whoever a link text happens to name.
    return escaped.replace("@", "@\u2060")


def code(value: object) -> str:
    """A code span for a path or location; GitHub tables still split on a bare pipe inside one."""
    raw = " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")
    return f"`{raw}`"


def link(label: str, url: str | None) -> str:
    """A Markdown link for http(s) URLs; anything else is shown as plain text, never made clickable."""
    if not url or not is_web_url(url):
        return text(label)
    target = quote(url, safe="/:?#[]@!$&'*+,;=%~-._")
    return f"[{text(label)}](<{target}>)"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], total: int) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    if total > len(rows):
        lines.append("")
        lines.append(f"… and {total - len(rows)} more; the HTML report lists them all.")
    return lines


def _summary(report: Mapping[str, Any], fail_on: Sequence[str]) -> list[str]:
    rows = reference_rows(report)
    summary = report.get("summary", {})
    per_outcome = {name: sum(1 for row in rows if row.outcome == name) for name in OUTCOME_ORDER}
    table = [
        [
            ("**" + OUTCOME_LABELS[name] + "**") if failing(name, fail_on) else OUTCOME_LABELS[name],
            str(summary.get(name, 0)),
            str(per_outcome[name]),
        ]
        for name in OUTCOME_ORDER
    ]
    table.append(["Total", str(sum(summary.get(name, 0) for name in OUTCOME_ORDER)), str(len(rows))])
    return _table(["Outcome", "Links", "References"], table, len(table))


def _changes(report: Mapping[str, Any]) -> list[str]:
    found = changes_of(report)
    if not found:
        from verifier.report.html import first_run

        if first_run(report):
            return [
                "This is the first run: none of these links was checked before, so there is nothing"
                " to compare yet."
            ]
        return ["No link changed outcome since the previous run."]
    rows = [
        [
            CHANGE_LABELS.get(item.change, text(item.change)),
            link(display_url(item.url), item.url),
            f"{item.before or 'new'} → {item.after or 'gone'}",
            ", ".join(code(place) for place in item.places[:3])
            + (f" +{len(item.places) - 3}" if len(item.places) > 3 else ""),
        ]
        for item in found[:MAX_ROWS]
    ]
    return _table(["Change", "URL", "Outcome", "Cited at"], rows, len(found))


def _replacement(archive_url: str | None, archive_date: str | None, accessed: str | None) -> str:
    if not archive_url:
        return "no good snapshot; find another source"
    shown = link(f"snapshot of {archive_date}", archive_url)
    if accessed:
        gap = days_between(accessed, archive_date)
        when = ""
        if gap:
            when = (
                f"; snapshot {abs(gap)} day{'s' if abs(gap) != 1 else ''} {'after' if gap > 0 else 'before'}"
            )
        shown += f" (accessed {accessed}{when})"
    return shown


def _sources_to_fix(report: Mapping[str, Any]) -> list[str]:
    found = sources_to_fix(reference_rows(report))
    if not found:
        return ["Nothing to fix: no reference points at a dead or archived source."]
    rows = [
        [
            code(row.where),
            text(row.footnote) if row.footnote else "",
            text(row.text) if row.text else "",
            link(display_url(row.url), row.url),
            f"{OUTCOME_LABELS[row.outcome]}: {text(row.reason)}",
            _replacement(row.archive_url, row.archive_date, row.accessed),
        ]
        for row in found[:MAX_ROWS]
    ]
    return _table(["Where", "Footnote", "Link text", "URL", "Why", "Replacement"], rows, len(found))


def _drift(found: Sequence[Row]) -> list[str]:
    rows = [
        [
            code(row.where),
            link(display_url(row.url), row.url),
            text(drift.cited_title),
            text(drift.found_title),
            drift.percent,
            link(f"snapshot of {drift.snapshot_date}", drift.snapshot_url) if drift.snapshot_url else "",
        ]
        for row in found[:MAX_ROWS]
        if (drift := row.drift) is not None
    ]
    lead = [
        "Live, but the page no longer shows the title its citation gives: it may now be another"
        " page. A warning only; it never fails the run.",
        "",
    ]
    header = ["Where", "URL", "Cited title", "Page now shows", "Similarity", "Cited version"]
    return lead + _table(header, rows, len(found))


def _issues(report: Mapping[str, Any]) -> list[str]:
    found = issues(report)
    if not found:
        return ["No footnote, citation or input issues."]
    rows = [
        [
            code(f"{issue.path}:{issue.line}" if issue.line else issue.path),
            text(issue.kind),
            text(issue.label) if issue.label else "",
            text(issue.message),
        ]
        for issue in found[:MAX_ROWS]
    ]
    return _table(["Where", "Kind", "Label", "Message"], rows, len(found))


def _headline(report: Mapping[str, Any], fail_on: Sequence[str]) -> str:
    summary = report.get("summary", {})
    failed = [name for name in OUTCOME_ORDER if failing(name, fail_on) and summary.get(name, 0)]
    if failed:
        named = ", ".join(f"{summary[name]} {name}" for name in failed)
        return f"**Failing:** {named} (fail on: {', '.join(fail_on)})."
    if network_was_down(report) and summary.get("unknown", 0):
        return f"**Inconclusive:** the run could not reach the network; {summary['unknown']} unknown."
    return f"**Passing:** nothing to fail on (fail on: {', '.join(fail_on)})."


def render(report: Mapping[str, Any], fail_on: Sequence[str] = ("dead",)) -> str:
    tool = report.get("tool", {})
    documents = len(report.get("documents", []))
    meta = (
        f"Generated {text(report.get('generated_at', ''))} by {text(tool.get('name', 'verifier'))} "
        f"{text(tool.get('version', ''))} from {documents} document{'s' if documents != 1 else ''}."
    )
    found = len(sources_to_fix(reference_rows(report)))
    found_drift = drifted(reference_rows(report))
    # Only when there is some: most runs have none, and a PR comment should stay short.
    drift = ["", f"## Content drift ({len(found_drift)})", "", *_drift(found_drift)] if found_drift else []
    lines = [
        "# Link health report",
        "",
        meta,
        "",
        _headline(report, fail_on),
        "",
        *_summary(report, fail_on),
        "",
        "## Changed since the last run",
        "",
        *_changes(report),
        "",
        f"## Sources to fix ({found})",
        "",
        *_sources_to_fix(report),
        *drift,
        "",
        f"## Footnote and citation issues ({len(issues(report))})",
        "",
        *_issues(report),
        "",
    ]
    return "\n".join(lines)
