"""verifier never reads back what it wrote: reports and the store are not documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.check_run.conftest import Site, Workspace
from verifier import cli


def _check_here(workspace: Workspace, *paths: str) -> int:
    args = workspace.args("--format", "json,html,md,csv,junit,sarif", "--output-dir", "reports")
    args[1:2] = list(paths)
    return cli.main(args)


def _document_paths() -> list[str]:
    report = json.loads(Path("reports/link-health.json").read_text(encoding="utf-8"))
    return [document["path"] for document in report["documents"]]


@pytest.mark.parametrize("target", [".", "**/*"])
def test_a_second_run_does_not_read_the_first_runs_reports(
    workspace: Workspace, site: Site, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.set("/ok/a")
    Path("a.md").write_text(f"# A\n\n[a]({url})\n", encoding="utf-8")
    assert workspace.cache.parent == Path.cwd()  # the store's file lies beside the documents
    for _ in range(2):
        assert _check_here(workspace, target) == 0
        assert _document_paths() == ["a.md"]
    errors = capsys.readouterr().err
    assert "link-health" not in errors and "cache.sqlite" not in errors


def test_a_report_folder_elsewhere_is_skipped_by_name_too(workspace: Workspace, site: Site) -> None:
    url = site.set("/ok/b")
    Path("docs").mkdir()
    Path("docs/b.md").write_text(f"[b]({url})\n", encoding="utf-8")
    Path("docs/link-health.md").write_text("[old](https://web.archive.org/web/2020/http://x.test/)\n")
    assert _check_here(workspace, "docs") == 0
    assert _document_paths() == [str(Path("docs/b.md"))]


def test_a_report_named_outright_is_read_with_a_warning(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.set("/ok/c")
    Path("link-health.md").write_text(f"[c]({url})\n", encoding="utf-8")
    assert _check_here(workspace, "link-health.md") == 0
    assert _document_paths() == ["link-health.md"]
    assert "a file verifier wrote" in capsys.readouterr().err
