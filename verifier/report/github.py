"""GitHub Actions workflow commands that annotate each problem on its file and line."""

from collections.abc import Sequence
from typing import Any

from verifier.report.rows import (
    OUTCOME_LABELS,
    Issue,
    Row,
    display_url,
    failing,
    issues,
    reference_rows,
)

# Outcomes worth a mark in the diff even when they do not fail the run.
_QUIET_LEVELS = {"dead": "warning", "archived": "warning", "restricted": "notice", "unknown": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(
    level: str, message: str, *, file: str, line: int | None = None, col: int | None = None, title: str
) -> str:
    properties = [f"file={escape_property(file)}"]
    if line is not None:
        properties.append(f"line={line}")
        if col is not None:
            properties.append(f"col={col}")
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(message)}"


def _row_message(row: Row) -> str:
    parts = [f"{display_url(row.url)}: {row.reason}"]
    if row.footnote:
        parts.append(f"footnote [{row.footnote}]")
    if row.text:
        parts.append(f"link text “{row.text}”")
    if row.archive_url:
        parts.append(f"replace with {row.archive_url} (snapshot of {row.archive_date})")
    elif row.outcome == "dead":
        parts.append("no good archive snapshot")
    return "; ".join(parts)


def _row_annotation(row: Row, fail_on: Sequence[str]) -> str | None:
    level = "error" if failing(row.outcome, fail_on) else _QUIET_LEVELS.get(row.outcome)
    if level is None:
        return None
    title = f"{OUTCOME_LABELS.get(row.outcome, row.outcome)} link"
    return command(level, _row_message(row), file=row.path, line=row.line, col=row.column, title=title)


def _drift_annotation(row: Row) -> str | None:
    drift = row.drift
    if drift is None:
        return None
    message = (
        f"{display_url(row.url)}: cited as “{drift.cited_title}”, the page now shows"
        f" “{drift.found_title}” (similarity {drift.percent}); it may now be another page"
    )
    if drift.snapshot_url:
        message += f"; the version cited: {drift.snapshot_url}"
    return command("warning", message, file=row.path, line=row.line, col=row.column, title="Content drift")


def _issue_annotation(issue: Issue) -> str:
    level = "error" if issue.severity == "error" else "warning"
    title = "Input problem" if issue.source == "input" else f"Footnote issue: {issue.kind}"
    if issue.source == "reference":
        title = f"Citation issue: {issue.kind}"
    return command(level, issue.message, file=issue.path, line=issue.line, title=title)


def annotations(report: dict[str, Any], fail_on: Sequence[str]) -> list[str]:
    """One workflow command per problem, errors first (GitHub shows only the first few of each level)."""
    rows = reference_rows(report)
    lines = [_row_annotation(row, fail_on) for row in rows]
    lines.extend(_drift_annotation(row) for row in rows)
    lines.extend(_issue_annotation(issue) for issue in issues(report))
    found = [line for line in lines if line is not None]
    rank = {"error": 0, "warning": 1, "notice": 2}
    return sorted(found, key=lambda line: rank[line[2 : line.index(" ")]])
