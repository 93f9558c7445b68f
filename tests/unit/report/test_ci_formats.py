"""Markdown, JUnit XML, SARIF and CSV, each rendered from the sample report."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from verifier.report import csvfile, junit, markdown, sarif
from verifier.report.render import render_formats

SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"


# Markdown


def table_rows(text: str, heading: str) -> list[str]:
    block = text[text.index(heading) :].split("\n## ")[0]
    return [line for line in block.splitlines() if line.startswith("| ")][1:]


def test_markdown_summary_changes_and_fixes(sample_report: dict[str, Any]) -> None:
    text = markdown.render(sample_report, ("dead",))
    assert text.startswith("# Link health report\n")
    assert "**Failing:** 4 dead (fail on: dead)." in text
    assert "| **Dead** | 4 | 7 |" in text
    assert "| Archived | 3 | 6 |" in text
    assert "| Total | 16 | 22 |" in text
    changes = table_rows(text, "## Changed since the last run")
    assert len(changes) == 5
    assert changes[0].startswith("| Died | [http://www-ns.iaea.org/")
    assert "live → dead" in changes[0]
    fixes = table_rows(text, "## Sources to fix (13)")
    assert len(fixes) == 13
    chosun = next(row for row in fixes if "`seeds/000_c3dc2c98d2c962ed.txt:34:5`" in row)
    assert "[snapshot of 2012-03-27](<https://web.archive.org/web/20120327031545/" in chosun
    assert "(accessed 2012-03-26; snapshot 1 day after)" in chosun
    assert len(table_rows(text, "## Footnote and citation issues (11)")) == 11


def test_markdown_escapes_hostile_text(sample_report: dict[str, Any]) -> None:
    sample_report["links"][0]["occurrences"][0]["text"] = "a | b @octocat *bold* [x](javascript:alert(1))"
    sample_report["links"][0]["outcome"] = "dead"
    text = markdown.render(sample_report, ("dead",))
    assert "<script>" not in text and "<img" not in text
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in text
    assert "](javascript:" not in text and "(<javascript:" not in text
    assert "@octocat" not in text and "@\u2060octocat" in text
    for row in table_rows(text, "## Sources to fix"):
        # An escaped pipe never splits a cell: every row has exactly six.
        cells = row.replace("\\|", "").strip("|").split("|")
        assert len(cells) == 6, row


def test_markdown_link_only_for_web_urls() -> None:
    assert markdown.link("x", "javascript:alert(1)") == "x"
    assert markdown.link("x", "https://a.example/p q>") == "[x](<https://a.example/p%20q%3E>)"


def test_markdown_long_tables_stop(sample_report: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_ROWS", 5)
    text = markdown.render(sample_report, ("dead",))
    assert len(table_rows(text, "## Sources to fix (13)")) == 5
    assert "… and 8 more; the HTML report lists them all." in text


# JUnit


def test_junit_counts(sample_report: dict[str, Any]) -> None:
    root = ET.fromstring(junit.render(sample_report, ("dead",)))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == (
        "22",
        "7",
        "2",
        "0",
    )
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [
        document["path"] for document in sample_report["documents"]
    ]
    assert [suite.get("tests") for suite in suites] == ["6", "9", "4", "3"]
    assert [suite.get("failures") for suite in suites] == ["1", "4", "1", "1"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests", "-1"))
        assert sum(1 for case in cases if case.find("failure") is not None) == int(
            suite.get("failures", "-1")
        )
    failure = root.find(".//testcase[@line='165']/failure")
    assert failure is not None
    assert failure.get("type") == "dead"
    assert failure.get("message") == "dead: 404 Not Found; no good archive snapshot"
    assert "footnote [②]" in (failure.text or "")


def test_junit_fail_on_choices(sample_report: dict[str, Any]) -> None:
    wide = ET.fromstring(junit.render(sample_report, ("dead", "archived", "restricted", "unknown")))
    assert wide.get("failures") == "15"
    never = ET.fromstring(junit.render(sample_report, ("never",)))
    assert never.get("failures") == "0" and never.get("skipped") == "2"


def test_junit_survives_control_characters_and_markup(sample_report: dict[str, Any]) -> None:
    sample_report["links"][1]["reason"] = "bad \x00 byte \x1b[31m <![CDATA[ ]]> & done"
    sample_report["documents"].append(
        {"path": "empty.md", "format": "markdown", "references": [], "footnote_issues": []}
    )
    root = ET.fromstring(junit.render(sample_report, ("dead",)))
    failure = root.find(".//testcase[@line='11']/failure")
    assert failure is not None
    assert failure.get("message") == "dead: bad \ufffd byte \ufffd[31m <![CDATA[ ]]> & done"
    empty = root.find("testsuite[@name='empty.md']")
    assert empty is not None and empty.get("tests") == "0"


# SARIF


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    loaded = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert loaded["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(loaded, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("fail_on", [("dead",), ("dead", "archived", "unknown"), ("never",)])
def test_sarif_is_valid(
    sample_report: dict[str, Any], sarif_validator: Any, fail_on: tuple[str, ...]
) -> None:
    log = json.loads(sarif.render(sample_report, fail_on))
    errors = [f"{error.json_path}: {error.message}" for error in sarif_validator.iter_errors(log)]
    assert errors == []


def test_sarif_results_and_locations(sample_report: dict[str, Any]) -> None:
    log = json.loads(sarif.render(sample_report, ("dead",)))
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["tool"]["driver"]["name"] == "verifier"
    results = run["results"]
    levels = [result["level"] for result in results]
    assert levels.count("error") == 7 + 1  # dead references, and the unreadable input
    rules = run["tool"]["driver"]["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    dead = next(
        result
        for result in results
        if result["locations"][0]["physicalLocation"]["region"].get("startLine") == 165
    )
    assert dead["ruleId"] == "link/dead" and dead["level"] == "error"
    location = dead["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "seeds/003_a0175d8ff7ab9ad7.txt"
    assert location["region"] == {"startLine": 165, "startColumn": 3}
    archived = next(result for result in results if result["ruleId"] == "link/archived")
    assert archived["level"] == "warning"
    assert "https://web.archive.org/web/" in archived["message"]["text"]
    wiki = next(
        result
        for result in results
        if "wiki" in result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    )
    assert wiki["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "docs/2012%E5%B9%B4"
    )
    kinds = {result["ruleId"] for result in results}
    assert {
        "footnote/missing-definition",
        "reference/missing-target",
        "input/error",
        "input/warning",
    } <= kinds
    assert not any(result["ruleId"] in ("link/live", "link/skipped") for result in results)


def test_sarif_fingerprints_survive_moved_lines(sample_report: dict[str, Any]) -> None:
    before = json.loads(sarif.render(sample_report, ("dead",)))["runs"][0]["results"]
    for link in sample_report["links"]:
        for place in link["occurrences"]:
            place["line"] += 3
    after = json.loads(sarif.render(sample_report, ("dead",)))["runs"][0]["results"]
    link_prints = [r["partialFingerprints"] for r in before if r["ruleId"].startswith("link/")]
    assert link_prints == [r["partialFingerprints"] for r in after if r["ruleId"].startswith("link/")]


# CSV


def test_csv_rows(sample_report: dict[str, Any], tmp_path: Path) -> None:
    [path] = render_formats(sample_report, ["csv"], tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 22
    assert list(rows[0]) == list(csvfile.COLUMNS)
    un = next(row for row in rows if row["line"] == "374")
    assert un["link_text"] == "联合国安理会第1373号决议"
    assert un["outcome"] == "archived"
    assert un["archive_date"] == "2012-01-14" and un["accessed"] == "2012-09-28"
    assert un["redirects"].count(" -> ") == 1
    assert un["http_status"] == "404"
    nxdomain = next(row for row in rows if row["line"] == "306")
    assert nxdomain["http_status"] == ""
    formula = next(row for row in rows if row["line"] == "9" and row["document"] == "docs/hostile.html")
    assert formula["link_text"] == '\'=HYPERLINK("https://evil.example","click, here")'
    script_text = next(row for row in rows if row["line"] == "7")
    assert script_text["link_text"] == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("value", "safe"), [("=1+1", "'=1+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("a=b", "a=b")]
)
def test_csv_formula_cells(value: str, safe: str) -> None:
    assert csvfile.spreadsheet_safe(value) == safe


def test_markdown_offline_headline(sample_report: dict[str, Any]) -> None:
    sample_report["run"]["network_down"] = True
    assert "**Inconclusive:** the run could not reach the network; 1 unknown." in markdown.render(
        sample_report, ("never",)
    )
