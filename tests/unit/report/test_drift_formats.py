"""A content-drift warning in every format, rendered from the report alone, and never a failure."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from verifier.report import csvfile, github, html, junit, markdown, sarif, terminal
from verifier.report.rows import reference_rows

SCHEMA = json.loads((Path(__file__).parents[3] / "verifier" / "report" / "schema.json").read_text())
SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"
DRIFTED = "https://www.iaea.org/newscenter/news/seoul-summit"
SNAPSHOT = {
    "url": f"https://web.archive.org/web/20120327000000/{DRIFTED}",
    "timestamp": "20120327000000",
    "original": DRIFTED,
}


@pytest.fixture
def drifted(sample_report: dict[str, Any]) -> dict[str, Any]:
    [link] = [link for link in sample_report["links"] if link["url"] == DRIFTED]
    assert link["outcome"] == "live"
    link["warnings"] = [
        {
            "kind": "content-drift",
            "cited_title": "IAEA chief at Seoul summit",
            # Page text is hostile as a rule: markup, table pipes, a formula start.
            "found_title": "=Casino <script>alert(1)</script> | bonuses",
            "similarity": 0.21,
            "snapshot": SNAPSHOT,
        }
    ]
    return sample_report


def test_the_report_with_a_warning_follows_the_schema(drifted: dict[str, Any]) -> None:
    jsonschema.validate(drifted, SCHEMA)
    broken = json.loads(json.dumps(drifted))
    [link] = [link for link in broken["links"] if link["url"] == DRIFTED]
    del link["warnings"][0]["found_title"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_rows_carry_the_drift(drifted: dict[str, Any]) -> None:
    rows = [row for row in reference_rows(drifted) if row.drift is not None]
    assert [row.url for row in rows] == [DRIFTED]
    drift = rows[0].drift
    assert drift is not None and drift.percent == "21%" and drift.snapshot_date == "2012-03-27"


def test_markdown_has_a_drift_section_only_when_needed(
    drifted: dict[str, Any], sample_report: dict[str, Any]
) -> None:
    text = markdown.render(drifted, ("dead",))
    section = text[text.index("## Content drift (1)") :].split("\n## ")[0]
    assert "IAEA chief at Seoul summit" in section and "21%" in section
    assert "<script>" not in section and "&lt;script&gt;" in section
    assert "\\| bonuses" in section  # a pipe in the title cannot split the table
    assert "snapshot of 2012-03-27" in section
    [link] = [link for link in sample_report["links"] if link["url"] == DRIFTED]
    del link["warnings"]
    assert "Content drift" not in markdown.render(sample_report, ("dead",))


@pytest.mark.parametrize("fail_on", [("dead",), ("live",)])
def test_junit_shows_it_as_a_property_never_a_failure(
    drifted: dict[str, Any], fail_on: tuple[str, ...]
) -> None:
    root = ET.fromstring(junit.render(drifted, fail_on))
    cases = [case for case in root.iter("testcase") if DRIFTED in (case.get("name") or "")]
    assert cases
    for case in cases:
        [prop] = case.findall("properties/property")
        assert prop.get("name") == "content-drift"
        assert "IAEA chief at Seoul summit" in (prop.get("value") or "")
    # The same failures as without the warning: drift adds none.
    plain = json.loads(json.dumps(drifted))
    for link in plain["links"]:
        link.pop("warnings", None)
    assert root.get("failures") == ET.fromstring(junit.render(plain, fail_on)).get("failures")


def test_sarif_has_a_warning_result_with_its_own_rule(drifted: dict[str, Any]) -> None:
    log = json.loads(sarif.render(drifted, ("dead",)))
    validator = jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert [error.message for error in validator.iter_errors(log)] == []
    run = log["runs"][0]
    results = [r for r in run["results"] if r["ruleId"] == "link/content-drift"]
    assert len(results) == 1
    [result] = results
    assert result["level"] == "warning"
    assert result["properties"]["similarity"] == 0.21
    assert result["properties"]["snapshotUrl"] == SNAPSHOT["url"]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "link/content-drift" and rule["defaultConfiguration"]["level"] == "warning"


def test_csv_has_a_column(drifted: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(csvfile.render(drifted))))
    cells = {row["url"]: row["content_drift"] for row in rows}
    assert "IAEA chief at Seoul summit" in cells[DRIFTED] and "21%" in cells[DRIFTED]
    assert all(cell == "" for url, cell in cells.items() if url != DRIFTED)


def test_github_annotation_is_a_warning(drifted: dict[str, Any]) -> None:
    lines = [line for line in github.annotations(drifted, ("dead",)) if "Content drift" in line]
    assert len(lines) == 1 and lines[0].startswith("::warning file=")
    assert "%0A" not in lines[0] and "\n" not in lines[0]


def test_terminal_summary_counts(drifted: dict[str, Any]) -> None:
    out = io.StringIO()
    terminal.write_plain_summary(drifted, out)
    assert "Content drift: 1 live link shows another title than cited" in out.getvalue()


def test_html_shows_a_notice_with_cited_and_found_title(drifted: dict[str, Any]) -> None:
    page = html.render(drifted, ("dead",))
    section = page[page.index('<section id="drift"') :].split("</section>")[0]
    assert "IAEA chief at Seoul summit" in section and "21%" in section
    assert "&lt;script&gt;" in section and "<script>alert" not in page
    assert 'href="#drift"' in page
    references = page[page.index('<section id="references"') :].split("</section>")[0]
    assert '<span class="tag tag-drift">content drift</span>' in references
    data = json.loads(
        page.split('<script type="application/json" id="report-data">')[1].split("</script>")[0]
    )
    [link] = [link for link in data["links"] if link[0][0] == DRIFTED]
    assert link[8] == ["IAEA chief at Seoul summit", "=Casino <script>alert(1)</script> | bonuses", "21%"]


def test_html_without_drift_has_no_drift_section(sample_report: dict[str, Any]) -> None:
    page = html.render(sample_report, ("dead",))
    assert '<section id="drift"' not in page and 'href="#drift"' not in page
    assert '<span class="tag tag-drift">' not in page
