"""`verifier fix` on real files of each format: only the edits change, encoding and line endings stay."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from verifier import cli
from verifier.extract import extract_file
from verifier.model import Document, LinkResult, Outcome, Snapshot
from verifier.report.build import assemble_report

DEAD = "http://example.org/gone"
LIVE = "http://example.org/fine"
SNAPSHOT = "https://web.archive.org/web/20120327101500/http://example.org/gone"
NOTE = f" ([archived]({SNAPSHOT}))"


def _report(tmp_path: Path, *files: Path) -> Path:
    """A link-health.json in which DEAD is archived and LIVE is live, as `verifier check` writes it."""
    documents: list[Document] = []
    for path in files:
        document, problems = extract_file(path, str(path))
        assert document is not None, problems
        documents.append(document)
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    results = {
        DEAD: LinkResult(
            DEAD,
            Outcome.ARCHIVED,
            "404 Not Found; archived copy",
            now,
            http_status=404,
            archive=Snapshot(SNAPSHOT, "20120327101500", DEAD, 200),
        ),
        LIVE: LinkResult(LIVE, Outcome.LIVE, "200 OK", now, http_status=200),
    }
    report_path = tmp_path / "link-health.json"
    report_path.write_text(json.dumps(assemble_report(documents, results)), encoding="utf-8")
    return report_path


def _fix(report: Path, path: Path, *extra: str) -> int:
    return cli.main(["fix", str(path), "--report", str(report), *extra])


def test_markdown_crlf_keeps_every_other_byte(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    original = (
        f"# Sources\r\n\r\n* [Gone]({DEAD}) said so.\r\n* [Fine]({LIVE}).\r\n* Again: <{DEAD}>\r\n"
    ).encode()
    path.write_bytes(original)
    report = _report(tmp_path, path)
    assert _fix(report, path) == 0
    expected = original.replace(f"({DEAD})".encode(), f"({DEAD}){NOTE}".encode()).replace(
        f"<{DEAD}>".encode(), f"<{DEAD}>{NOTE}".encode()
    )
    assert path.read_bytes() == expected
    assert path.read_bytes().count(b"\r\n") == original.count(b"\r\n")


def test_markdown_replace(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text(f"# Sources\n\nSee [Gone]({DEAD}) and [Fine]({LIVE}).\n", encoding="utf-8")
    report = _report(tmp_path, path)
    assert _fix(report, path, "--replace") == 0
    assert path.read_text(encoding="utf-8") == f"# Sources\n\nSee [Gone]({SNAPSHOT}) and [Fine]({LIVE}).\n"


def test_wikitext_utf16_with_bom_keeps_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "article.wiki"
    text = (
        "'''峰會''' was held.<ref>{{cite web |url=" + DEAD + " |title=Gone |access-date=2012-03-26}}</ref>\n"
        "Another.<ref>{{cite news |url=" + LIVE + " |title=Fine}}</ref>\n\n== References ==\n{{reflist}}\n"
    )
    original = b"\xff\xfe" + text.encode("utf-16-le")
    path.write_bytes(original)
    report = _report(tmp_path, path)
    assert _fix(report, path) == 0
    fixed = path.read_bytes()
    assert fixed.startswith(b"\xff\xfe")
    assert fixed[2:].decode("utf-16-le") == text.replace(
        "|access-date=2012-03-26}}",
        f"|access-date=2012-03-26 |archive-url={SNAPSHOT} |archive-date=2012-03-27 |url-status=dead}}}}",
    )


def test_html_in_gb18030_gets_robust_links(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    text = (
        "<!doctype html>\n<html lang=zh><head><meta charset=gb18030><title>核安全</title></head>\n"
        f'<body><p>见<a href="{DEAD}">报道</a>和<a href="{LIVE}">声明</a>。</p></body></html>\n'
    )
    path.write_bytes(text.encode("gb18030"))
    report = _report(tmp_path, path)
    assert _fix(report, path) == 0
    assert path.read_bytes().decode("gb18030") == text.replace(
        f'<a href="{DEAD}">',
        f'<a href="{DEAD}" data-originalurl="{DEAD}" data-versionurl="{SNAPSHOT}"'
        ' data-versiondate="2012-03-27">',
    )


def test_dry_run_prints_a_diff_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "page.md"
    original = f"# Sources\n\nSee [Gone]({DEAD}).\n"
    path.write_text(original, encoding="utf-8")
    report = _report(tmp_path, path)
    assert _fix(report, path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"-See [Gone]({DEAD}).\n+See [Gone]({DEAD}){NOTE}.\n" in out
    assert out.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert path.read_text(encoding="utf-8") == original


def test_file_changed_since_the_check_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "page.md"
    path.write_text(f"# Sources\n\nSee [Gone]({DEAD}).\n", encoding="utf-8")
    report = _report(tmp_path, path)
    edited = f"# Sources\n\nAn editor was here. See [Gone]({DEAD}).\n"
    path.write_text(edited, encoding="utf-8")
    assert _fix(report, path) == 0
    assert path.read_text(encoding="utf-8") == edited
    error = capsys.readouterr().err
    assert "changed since it was checked" in error
    assert "nothing fixed; 1 file(s) skipped" in error and "nothing to fix" not in error


def test_plain_text_with_an_archived_source_says_why_it_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(f"Sources\n\n1. Gone, {DEAD}\n2. Fine, {LIVE}\n", encoding="utf-8")
    report = _report(tmp_path, path)
    assert _fix(report, path) == 0
    error = capsys.readouterr().err
    assert "plain text has no markup to hold an archive link" in error
    assert "nothing fixed; 1 file(s) skipped" in error


def test_standard_input_is_not_written_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "page.md"
    path.write_text(f"See [Gone]({DEAD}).\n", encoding="utf-8")
    report = _report(tmp_path, path)
    assert cli.main(["fix", "-", "--report", str(report)]) == 0
    error = capsys.readouterr().err
    assert "standard input cannot be written back" in error and "1 file(s) skipped" in error


def test_plain_text_and_seeds_round_trip_unchanged(tmp_path: Path, seeds_dir: Path) -> None:
    copies = []
    for seed in sorted(seeds_dir.iterdir()):
        copy = tmp_path / seed.name
        copy.write_bytes(seed.read_bytes())
        copies.append(copy)
    report = _report(tmp_path, *copies)
    for copy in copies:
        assert _fix(report, copy) == 0
        assert copy.read_bytes() == (seeds_dir / copy.name).read_bytes()


def test_missing_report_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.md"
    path.write_text("# x\n", encoding="utf-8")
    assert _fix(tmp_path / "nope.json", path) == 2
    assert "run `verifier check` first" in capsys.readouterr().err
