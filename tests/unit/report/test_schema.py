"""schema.json: the link-health.json contract holds for the fixture and for what assemble_report makes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from verifier.model import (
    Citation,
    Document,
    FootnoteIssue,
    FootnoteIssueKind,
    Format,
    History,
    InputProblem,
    LinkResult,
    Outcome,
    Reference,
    ReferenceIssue,
    ReferenceIssueKind,
    ReferenceKind,
    Snapshot,
)
from verifier.report.build import assemble_report
from verifier.report.validate import ReportFileError, contract_errors, load_report, schema


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_fixture_follows_the_contract(sample_report: dict[str, Any]) -> None:
    assert contract_errors(sample_report) == []


def test_built_report_follows_the_contract() -> None:
    when = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    url = "http://www.fmprc.gov.cn/mfa_chn/t920427.shtml"
    reference = Reference(
        url=url,
        raw=url,
        kind=ReferenceKind.EXTERNAL,
        line=3,
        column=5,
        start=10,
        end=10 + len(url),
        text="外交部",
        footnote="②",
        citation=Citation(title="外交部", accessed=dt.date(2012, 3, 26)),
        issues=(ReferenceIssue(ReferenceIssueKind.DEAD_LINK_TAG, "marked dead"),),
    )
    document = Document(
        path="seeds/a.txt",
        format=Format.TEXT,
        encoding="utf-8",
        references=(reference,),
        footnote_issues=(FootnoteIssue(FootnoteIssueKind.EMPTY_DEFINITION, "2", 9, "empty"),),
        date=dt.date(2013, 1, 1),
        digest="ab" * 32,
    )
    snapshot = Snapshot(
        url=f"https://web.archive.org/web/20120401000000/{url}", timestamp="20120401000000", original=url
    )
    result = LinkResult(
        url=url,
        outcome=Outcome.ARCHIVED,
        reason="404 Not Found",
        checked_at=when,
        http_status=404,
        archive=snapshot,
        history=History(
            first_seen=when, last_live=None, consecutive_failures=2, previous_outcome=Outcome.DEAD
        ),
    )
    report = assemble_report(
        [document],
        {url: result},
        problems=[InputProblem("seeds/b.pdf", None, "binary")],
        generated_at=when,
        changes=[{"url": url, "before": "dead", "after": "archived", "change": "newly-archived"}],
    )
    report = json.loads(json.dumps(report))
    assert contract_errors(report) == []


@pytest.mark.parametrize(
    ("breakage", "where"),
    [
        (lambda r: r["links"][0].update(outcome="gone"), "$.links[0].outcome"),
        (lambda r: r.pop("links"), "'links' is a required property"),
        (lambda r: r["links"][1]["occurrences"][0].update(line=0), "$.links[1].occurrences[0].line"),
        (lambda r: r["documents"][0].update(format="docx"), "$.documents[0].format"),
        (lambda r: r["changes"][0].update(change="vanished"), "$.changes[0].change"),
        (lambda r: r.update(schema_version="1"), "$.schema_version"),
        (lambda r: r["summary"].update(gone=1), "$.summary"),
    ],
)
def test_broken_reports_are_rejected(sample_report: dict[str, Any], breakage: Any, where: str) -> None:
    breakage(sample_report)
    errors = contract_errors(sample_report)
    assert errors
    assert any(where in error for error in errors), errors


def test_load_report_explains_each_failure(tmp_path: Path, sample_report: dict[str, Any]) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ReportFileError, match="cannot read"):
        load_report(missing)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"schema_version": 1,\n  "links": [}', encoding="utf-8")
    with pytest.raises(ReportFileError, match=r"bad\.json:2:\d+: not valid JSON"):
        load_report(bad_json)
    not_utf8 = tmp_path / "gbk.json"
    not_utf8.write_bytes('{"a": "核安全"}'.encode("gbk"))
    with pytest.raises(ReportFileError, match="not UTF-8"):
        load_report(not_utf8)
    future = tmp_path / "future.json"
    future.write_text(json.dumps({**sample_report, "schema_version": 2}), encoding="utf-8")
    with pytest.raises(ReportFileError, match="schema_version 2 is not supported"):
        load_report(future)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(sample_report, ensure_ascii=False), encoding="utf-8")
    assert load_report(good) == sample_report
