"""`verifier fix` leaves PDFs alone and says why."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.unit.extract.pdf.pdfs import Page, make_pdf
from verifier import cli
from verifier.extract import extract_file
from verifier.model import LinkResult, Outcome, Snapshot
from verifier.report.build import assemble_report

DEAD = "http://example.org/gone"
SNAPSHOT = "https://web.archive.org/web/20120327101500/http://example.org/gone"


def test_a_pdf_with_an_archived_source_is_left_alone_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "paper.pdf"
    original = make_pdf(Page([f"See {DEAD} for it."], links=[DEAD]))
    path.write_bytes(original)
    document, problems = extract_file(path, str(path))
    assert document is not None, problems
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    result = LinkResult(
        DEAD,
        Outcome.ARCHIVED,
        "404",
        now,
        http_status=404,
        archive=Snapshot(SNAPSHOT, "20120327101500", DEAD, 200),
    )
    report = tmp_path / "link-health.json"
    report.write_text(json.dumps(assemble_report([document], {DEAD: result})), encoding="utf-8")
    assert cli.main(["fix", str(path), "--report", str(report)]) == 0
    assert path.read_bytes() == original
    error = capsys.readouterr().err
    assert "archive links are not written into PDF files" in error and "paper.pdf" in error
