"""Faults of use and environment end with exit 2 and one line; defects with exit 4; never exit 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.check_run.conftest import Site, Workspace
from verifier import cli


def _one_line(error: str) -> str:
    lines = [line for line in error.splitlines() if line.startswith("verifier:")]
    assert "Traceback" not in error
    assert len(lines) == 1, error
    return lines[0]


def test_a_file_in_the_way_of_the_output_dir(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write("a.md", f"[a]({site.set('/ok')})\n")
    workspace.reports.write_text("not a folder", encoding="utf-8")
    assert workspace.check() == 2
    line = _one_line(capsys.readouterr().err)
    assert str(workspace.reports) in line and "not a folder" in line
    assert site.total() == 0  # refused before any request


def test_a_store_damaged_inside_is_set_aside_and_the_run_goes_on_cold(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.set("/ok/damage")
    workspace.write("a.md", f"[a]({url})\n")
    assert workspace.check() == 0
    data = bytearray(workspace.cache.read_bytes())
    assert data[:16] == b"SQLite format 3\x00"
    page = int.from_bytes(data[16:18], "big")
    data[page + 8 : page * 3] = b"\xa5" * (page * 3 - page - 8)  # the header stays intact
    workspace.cache.write_bytes(bytes(data))
    for journal in ("-wal", "-shm"):
        Path(f"{workspace.cache}{journal}").unlink(missing_ok=True)
    capsys.readouterr()
    assert workspace.check() == 0
    error = capsys.readouterr().err
    moved = list(workspace.root.glob("cache.sqlite.damaged-*"))
    assert len(moved) == 1
    assert str(workspace.cache) in error and str(moved[0]) in error
    assert workspace.links()[url]["outcome"] == "live"
    assert workspace.links()[url]["from_cache"] is False


def test_a_config_file_that_is_not_utf8(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    workspace.write("a.md", "[a](https://example.org/)\n")
    config = workspace.root / "verifier.toml"
    config.write_bytes("timeout = 5 # caf\xe9\n".encode("latin-1"))
    assert workspace.check("--config", str(config)) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(config) in line and "UTF-8" in line


def test_a_pyproject_without_a_verifier_table_is_refused_when_named(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write("a.md", "[a](https://example.org/)\n")
    config = workspace.root / "pyproject.toml"
    config.write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert workspace.check("--config", str(config)) == 2
    assert "no [tool.verifier] table" in _one_line(capsys.readouterr().err)


def test_a_verifier_table_in_verifier_toml_says_what_is_expected(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write("a.md", "[a](https://example.org/)\n")
    config = workspace.root / "verifier.toml"
    config.write_text("[verifier]\ntimeout = 5\n", encoding="utf-8")
    assert workspace.check("--config", str(config)) == 2
    line = _one_line(capsys.readouterr().err)
    assert "[verifier] table" in line and "top" in line


def test_keys_named_as_their_flags(workspace: Workspace, site: Site) -> None:
    workspace.write("a.md", f"[a]({site.set('/ok/keys')})\n")
    config = workspace.root / "verifier.toml"
    config.write_text('format = "json,md"\ncache = false\n', encoding="utf-8")
    assert workspace.check("--config", str(config)) == 0
    assert (workspace.reports / "link-health.md").is_file()
    assert workspace.check("--config", str(config)) == 0
    assert site.count("/ok/keys") == 2  # the cache is off: asked again


def test_an_internal_error_exits_4_with_a_short_message(
    workspace: Workspace, site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import verifier.report.build

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a defect")

    workspace.write("a.md", f"[a]({site.set('/ok/x')})\n")
    monkeypatch.setattr(verifier.report.build, "build_report", broken)
    assert workspace.check() == 4
    line = _one_line(capsys.readouterr().err)
    assert "internal error: RuntimeError: a defect" in line and "--debug" in line
    assert cli.main(["--debug", *workspace.args()]) == 4
    assert "Traceback" in capsys.readouterr().err


def test_extract_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    document = tmp_path / "many.md"
    document.write_text("".join(f"[x](https://example.org/{n})\n" for n in range(20_000)), encoding="utf-8")
    script = f"{sys.executable} -m verifier extract --json {document} | head -c 100 > /dev/null"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
