"""JUnit XML: a test suite per document, a test case per place a checked URL is cited."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from verifier.report.rows import Row, display_url, document_paths, failing, reference_rows

# Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _element(tag: str, **attributes: object) -> ET.Element:
    return ET.Element(tag, {name: xml_text(value) for name, value in attributes.items()})


def _details(row: Row) -> str:
    lines = [
        f"url: {row.url}",
        f"cited at: {row.where}" + (f", footnote [{row.footnote}]" if row.footnote else ""),
        f"outcome: {row.outcome} ({row.reason})",
    ]
    if row.text:
        lines.append(f"link text: {row.text}")
    if row.http_status is not None:
        lines.append(f"HTTP status: {row.http_status}")
    if row.redirects:
        lines.append("redirects: " + " -> ".join((row.url, *row.redirects)))
    if row.archive_url:
        lines.append(f"archive snapshot ({row.archive_date}): {row.archive_url}")
    if row.accessed:
        lines.append(f"accessed: {row.accessed}")
    if row.drift is not None:
        lines.append(f"warning: content drift: {_drift_text(row)}")
    return "\n".join(lines)


def _drift_text(row: Row) -> str:
    drift = row.drift
    assert drift is not None
    text = (
        f'cited as "{drift.cited_title}", the page now shows "{drift.found_title}"'
        f" (similarity {drift.percent})"
    )
    if drift.snapshot_url:
        text += f"; cited version: {drift.snapshot_url}"
    return text


def _testcase(row: Row, fail_on: Sequence[str]) -> tuple[ET.Element, str]:
    case = _element(
        "testcase",
        name=f"{display_url(row.url)} ({row.path}:{row.line}:{row.column})",
        classname=row.path,
        file=row.path,
        line=row.line,
        time="0",
    )
    details = _details(row)
    if row.drift is not None:
        # A property, never a failure: drift is a warning and must not turn a build red.
        properties = ET.SubElement(case, "properties")
        properties.append(_element("property", name="content-drift", value=_drift_text(row)))
    if failing(row.outcome, fail_on):
        failure = _element("failure", message=f"{row.outcome}: {row.reason}", type=row.outcome)
        failure.text = xml_text(details)
        case.append(failure)
        return case, "failure"
    if row.outcome == "skipped":
        case.append(_element("skipped", message=row.reason))
        return case, "skipped"
    out = ET.SubElement(case, "system-out")
    out.text = xml_text(details)
    return case, "pass"


def render(report: Mapping[str, Any], fail_on: Sequence[str] = ("dead",)) -> str:
    generated = str(report.get("generated_at", ""))
    tool = report.get("tool", {})
    root = _element("testsuites", name=f"{tool.get('name', 'verifier')} link health")
    by_path: dict[str, list[Row]] = {path: [] for path in document_paths(report)}
    for row in reference_rows(report):
        by_path.setdefault(row.path, []).append(row)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for path, rows in by_path.items():
        suite = _element("testsuite", name=path, timestamp=generated, hostname="verifier", time="0")
        counts = {"failure": 0, "skipped": 0, "pass": 0}
        for row in rows:
            case, verdict = _testcase(row, fail_on)
            counts[verdict] += 1
            suite.append(case)
        suite.set("tests", str(len(rows)))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        root.append(suite)
        totals["tests"] += len(rows)
        totals["failures"] += counts["failure"]
        totals["skipped"] += counts["skipped"]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
