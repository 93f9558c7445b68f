"""`verifier report`: re-render a saved link-health.json, end to end through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.unit.report.conftest import SAMPLE
from verifier import cli


@pytest.fixture
def saved(tmp_path: Path, sample_report: dict[str, Any]) -> Path:
    path = tmp_path / "reports" / "link-health.json"
    path.parent.mkdir()
    path.write_text(json.dumps(sample_report, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_renders_asked_formats_into_output_dir(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    out = tmp_path / "out"
    code = cli.main(
        ["report", str(saved), "--format", "html,md", "--format", "junit", "--output-dir", str(out)]
    )
    assert code == 1  # the sample has dead references and the default fail-on is dead
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        str(out / name) for name in ("link-health.html", "link-health.md", "link-health.junit.xml")
    ]
    assert "7 reference(s) fail on dead" in captured.err
    assert "Sources to fix" in (out / "link-health.html").read_text(encoding="utf-8")
    assert ET.parse(out / "link-health.junit.xml").getroot().get("failures") == "7"


def test_defaults_to_html_beside_the_report(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = saved.read_bytes()
    assert cli.main(["report", str(saved), "--format", "json,html", "--fail-on", "never"]) == 0
    assert (saved.parent / "link-health.html").exists()
    assert saved.read_bytes() == before  # never rewrites the report it reads
    assert capsys.readouterr().out.splitlines() == [str(saved.parent / "link-health.html")]


def test_fail_on_changes_junit_and_exit_code(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "wide"
    code = cli.main(
        ["report", str(saved), "--format", "junit", "--output-dir", str(out), "--fail-on", "dead,archived"]
    )
    assert code == 1
    assert ET.parse(out / "link-health.junit.xml").getroot().get("failures") == "13"


def test_github_annotations_when_on_actions(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    cli.main(["report", str(saved), "--format", "md", "--output-dir", str(tmp_path / "o")])
    out = capsys.readouterr().out.splitlines()
    assert sum(1 for line in out if line.startswith("::error file=")) == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"schema_version": 1, "links": [', "not valid JSON"),
        (b'{"schema_version": 1}', "'generated_at' is a required property"),
        (b"[1, 2]", "not a verifier link-health report"),
        ("核".encode("gbk") * 3, "not UTF-8"),
    ],
)
def test_bad_input_is_exit_2_with_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    bad = tmp_path / "link-health.json"
    bad.write_bytes(content)
    assert cli.main(["report", str(bad), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and message in err
    assert not (tmp_path / "out").exists()


def test_broken_field_is_named(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(saved.read_text(encoding="utf-8"))
    report["links"][3]["outcome"] = "gone"
    saved.write_text(json.dumps(report), encoding="utf-8")
    assert cli.main(["report", str(saved)]) == 2
    assert "$.links[3].outcome: 'gone' is not one of" in capsys.readouterr().err


def test_unknown_format_and_fail_on_are_usage_errors(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", str(saved), "--format", "pdf"]) == 2
    assert "unknown report format 'pdf'" in capsys.readouterr().err
    assert cli.main(["report", str(saved), "--fail-on", "sometimes"]) == 2
    assert "--fail-on" in capsys.readouterr().err


def test_runs_as_a_program(tmp_path: Path) -> None:
    out = tmp_path / "out"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifier",
            "report",
            str(SAMPLE),
            "--format",
            "sarif,csv",
            "--output-dir",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert sorted(path.name for path in out.iterdir()) == ["link-health.csv", "link-health.sarif"]
    assert json.loads((out / "link-health.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_inconclusive_when_the_run_was_offline(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(saved.read_text(encoding="utf-8"))
    report["run"]["network_down"] = True
    saved.write_text(json.dumps(report), encoding="utf-8")
    assert cli.main(["report", str(saved), "--fail-on", "unknown"]) == 3
    assert "inconclusive" in capsys.readouterr().err
    assert cli.main(["report", str(saved), "--fail-on", "dead,unknown"]) == 1  # findings win
    assert cli.main(["report", str(saved), "--fail-on", "never"]) == 3


def test_unwritable_output_dir_is_exit_2(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert cli.main(["report", str(saved), "--output-dir", str(blocker / "out")]) == 2
    assert "cannot write to" in capsys.readouterr().err
