"""SARIF 2.1.0, the format code-scanning tools read: one result per problem, with file, line and column."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from verifier.report.rows import OUTCOME_LABELS, Issue, Row, display_url, failing, issues, reference_rows

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LINK_RULES: dict[str, str] = {
    "dead": "The cited source no longer resolves and no good archive snapshot exists.",
    "archived": "The cited source no longer resolves; an archive snapshot can replace it.",
    "restricted": "The cited source exists but refuses automated access (401, 403, 451, bot walls).",
    "unknown": "No verdict was possible (timeouts, rate limits or no network).",
}
# Outcomes that do not fail the run still deserve a mark, at a level that says how much.
_QUIET_LEVELS = {"dead": "warning", "archived": "warning", "restricted": "note", "unknown": "note"}


def _rule_id(source: str, kind: str) -> str:
    return f"{source}/{kind}"


def _rule(rule_id: str, description: str, level: str) -> dict[str, Any]:
    name = "".join(part.capitalize() for part in rule_id.replace("/", "-").split("-"))
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": description},
        "defaultConfiguration": {"level": level},
    }


def _location(path: str, line: int | None, column: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path, safe="/")}}
    if line is not None:
        region: dict[str, Any] = {"startLine": line}
        if column is not None:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _fingerprint(*parts: object) -> str:
    # Stable across runs while the citation stays the same, even if lines move above it.
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _row_result(row: Row, fail_on: Sequence[str]) -> dict[str, Any] | None:
    level = "error" if failing(row.outcome, fail_on) else _QUIET_LEVELS.get(row.outcome)
    if level is None:
        return None
    message = f"{OUTCOME_LABELS[row.outcome]} link {display_url(row.url)}: {row.reason}."
    if row.footnote:
        message += f" Cited in footnote [{row.footnote}]."
    if row.archive_url:
        message += f" Replace with the archive snapshot of {row.archive_date}: {row.archive_url}"
        if row.accessed:
            message += f" (cited as accessed {row.accessed})"
        message += "."
    properties: dict[str, Any] = {"url": row.url, "outcome": row.outcome}
    for name, value in (
        ("httpStatus", row.http_status),
        ("finalUrl", row.final_url),
        ("archiveUrl", row.archive_url),
        ("footnote", row.footnote),
        ("linkText", row.text),
        ("accessed", row.accessed),
    ):
        if value is not None:
            properties[name] = value
    return {
        "ruleId": _rule_id("link", row.outcome),
        "level": level,
        "message": {"text": message},
        "locations": [_location(row.path, row.line, row.column)],
        "partialFingerprints": {"citation/v1": _fingerprint(row.path, row.url, row.footnote or "")},
        "properties": properties,
    }


DRIFT_RULE = _rule_id("link", "content-drift")
_DRIFT_DESCRIPTION = (
    "The cited source is live, but its page no longer shows the title the citation gives: it may"
    " now be another page."
)


def _drift_result(row: Row) -> dict[str, Any] | None:
    drift = row.drift
    if drift is None:
        return None
    message = (
        f"Content drift at {display_url(row.url)}: cited as “{drift.cited_title}”, the page now"
        f" shows “{drift.found_title}” (similarity {drift.percent})."
    )
    if drift.snapshot_url:
        message += f" The version cited: {drift.snapshot_url}."
    properties: dict[str, Any] = {
        "url": row.url,
        "citedTitle": drift.cited_title,
        "foundTitle": drift.found_title,
        "similarity": drift.similarity,
    }
    if drift.snapshot_url:
        properties["snapshotUrl"] = drift.snapshot_url
    return {
        "ruleId": DRIFT_RULE,
        "level": "warning",
        "message": {"text": message},
        "locations": [_location(row.path, row.line, row.column)],
        "partialFingerprints": {
            "drift/v1": _fingerprint(row.path, row.url, row.footnote or "", drift.found_title)
        },
        "properties": properties,
    }


def _issue_rule_id(issue: Issue) -> str:
    # Input problems have no kind of their own; their severity tells them apart.
    return _rule_id(issue.source, issue.severity if issue.source == "input" else issue.kind)


def _issue_result(issue: Issue) -> dict[str, Any]:
    label = f" [{issue.label}]" if issue.label else ""
    return {
        "ruleId": _issue_rule_id(issue),
        "level": "error" if issue.severity == "error" else "warning",
        "message": {"text": issue.message or f"{issue.kind}{label}"},
        "locations": [_location(issue.path, issue.line, None)],
        "partialFingerprints": {
            "issue/v1": _fingerprint(issue.path, issue.source, issue.kind, issue.label or "", issue.message)
        },
    }


def sarif_log(report: Mapping[str, Any], fail_on: Sequence[str] = ("dead",)) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    rules: dict[str, dict[str, Any]] = {}
    rows = reference_rows(report)
    for row in rows:
        result = _row_result(row, fail_on)
        if result is None:
            continue
        rule_id = result["ruleId"]
        if rule_id not in rules:
            rules[rule_id] = _rule(rule_id, _LINK_RULES[row.outcome], _QUIET_LEVELS[row.outcome])
        results.append(result)
    for row in rows:
        drift = _drift_result(row)
        if drift is not None:
            rules.setdefault(DRIFT_RULE, _rule(DRIFT_RULE, _DRIFT_DESCRIPTION, "warning"))
            results.append(drift)
    for issue in issues(report):
        result = _issue_result(issue)
        rule_id = result["ruleId"]
        if rule_id not in rules:
            description = f"{issue.source.capitalize()} issue: {rule_id.split('/')[1].replace('-', ' ')}."
            rules[rule_id] = _rule(rule_id, description, "warning")
        results.append(result)
    rule_list = sorted(rules.values(), key=lambda rule: str(rule["id"]))
    index = {rule["id"]: position for position, rule in enumerate(rule_list)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    tool = report.get("tool", {})
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.get("generated_at"):
        invocation["endTimeUtc"] = str(report["generated_at"])
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": str(tool.get("name", "verifier")),
                        "version": str(tool.get("version", "")),
                        "rules": rule_list,
                    }
                },
                "invocations": [invocation],
                # Columns in the report count characters, not UTF-16 code units.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(report: Mapping[str, Any], fail_on: Sequence[str] = ("dead",)) -> str:
    return json.dumps(sarif_log(report, fail_on), ensure_ascii=False, indent=2) + "\n"
