"""A run says what it is waiting on and how long each phase took."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import verifier
from tests.integration.check_run.conftest import Site, Workspace
from verifier import cli
from verifier.model import LinkResult


@dataclasses.dataclass
class Recorder:
    total: int = 0
    results: list[LinkResult] = dataclasses.field(default_factory=list)
    phases: list[str] = dataclasses.field(default_factory=list)
    waits: list[tuple[str, int, float | None]] = dataclasses.field(default_factory=list)

    def started(self, total: int) -> None:
        self.total = total

    def advanced(self, result: LinkResult) -> None:
        self.results.append(result)

    def phase(self, name: str) -> None:
        self.phases.append(name)

    def waiting(self, on: str, remaining: int, eta_s: float | None) -> None:
        self.waits.append((on, remaining, eta_s))


def test_progress_hears_phases_and_the_archive_wait(workspace: Workspace, site: Site, tmp_path: Path) -> None:
    dead = [site.set(f"/gone/{n}", 404) for n in range(5)]
    document = workspace.write("a.md", "".join(f"[x]({url})\n\n" for url in dead))
    fake = workspace.wayback.url
    settings = verifier.Settings(
        cache_path=tmp_path / "c.sqlite",
        cdx_endpoint=f"{fake}/cdx/search/cdx",
        availability_endpoint=f"{fake}/wayback/available",
        save_endpoint=f"{fake}/save",
        snapshot_host=fake,
        network_canaries=("localhost",),
        soft404_probe=False,
        archive_rate=6000.0,
    )
    recorder = Recorder()
    run = verifier.check_paths([str(document)], settings, progress=recorder)
    assert recorder.phases == ["reading", "checking"]
    assert recorder.total == 5 and len(recorder.results) == 5
    waits = [wait for wait in recorder.waits if wait[1]]
    assert waits and all(on == "Wayback lookups" for on, _, _ in waits)
    _, remaining, eta = max(waits, key=lambda wait: wait[1])
    assert eta == pytest.approx(remaining * 60 / 6000.0)
    assert recorder.waits[-1][1] == 0  # and it says when the wait is over
    assert set(run.phases) == {"reading", "checking"}
    report = verifier.build_report(run.documents, run)
    assert set(report["run"]["phases"]) == {"reading", "checking"}


def test_the_plain_summary_says_how_long_each_phase_took(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write("a.md", f"[a]({site.set('/ok')})\n")
    assert workspace.check() == 0
    out = capsys.readouterr().out
    assert "Took " in out and "reading " in out and "checking " in out
    assert f"Reports: {workspace.reports / 'link-health.json'}" in out


def test_verbose_logs_each_url_and_quiet_prints_no_summary(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.set("/ok/logged")
    workspace.write("a.md", f"[a]({url})\n")
    assert cli.main(["-v", *workspace.args("--no-cache")]) == 0
    captured = capsys.readouterr()
    assert f"{url}: live (200)" in captured.err
    assert workspace.check("--no-cache", "-q") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "Links by outcome" not in captured.err
    assert workspace.check("--no-cache") == 0
    assert url not in capsys.readouterr().err  # no -v: no per-URL lines


def test_very_verbose_logs_every_attempt_and_wait(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = site.set("/busy", 503, headers={"Retry-After": "0"})
    workspace.write("a.md", f"[a]({busy})\n")
    cli.main(["-vv", *workspace.args("--no-cache", "--retries", "1", "--no-archive")])
    errors = capsys.readouterr().err
    assert f"{busy}: attempt 1: 503" in errors
    assert f"{busy}: waiting " in errors and "before attempt 2 (Retry-After)" in errors
    assert f"{busy}: attempt 2: 503" in errors
