"""The format registry: file names, parsing of --format and --fail-on, and writing every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from verifier._exceptions import ConfigError
from verifier.report.render import FORMATS, REGISTRY, parse_fail_on, parse_formats, render_formats


def test_formats_are_pinned() -> None:
    assert FORMATS == ("json", "html", "md", "junit", "sarif", "csv")
    assert set(REGISTRY) == set(FORMATS)


def test_render_formats_writes_each_file(sample_report: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "nested" / "reports"
    written = render_formats(sample_report, list(FORMATS), out)
    assert [path.name for path in written] == [
        "link-health.json",
        "link-health.html",
        "link-health.md",
        "link-health.junit.xml",
        "link-health.sarif",
        "link-health.csv",
    ]
    assert all(path.parent == out and path.stat().st_size > 0 for path in written)
    assert json.loads((out / "link-health.json").read_text(encoding="utf-8")) == sample_report
    # Nothing half-written is left beside the reports.
    assert sorted(path.name for path in out.iterdir()) == sorted(path.name for path in written)


def test_render_formats_accepts_comma_lists_and_ignores_repeats(
    sample_report: dict[str, Any], tmp_path: Path
) -> None:
    written = render_formats(sample_report, ["html,md", "md"], tmp_path)
    assert [path.name for path in written] == ["link-health.html", "link-health.md"]


def test_json_keeps_cjk_readable(sample_report: dict[str, Any], tmp_path: Path) -> None:
    [path] = render_formats(sample_report, ["json"], tmp_path)
    assert "联合国安理会第1373号决议" in path.read_text(encoding="utf-8")


def test_unknown_format_is_a_config_error(sample_report: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown report format 'pdf'"):
        render_formats(sample_report, ["html,pdf"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_parse_formats_normalises() -> None:
    assert parse_formats(" HTML , md,,junit ") == ["html", "md", "junit"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("dead", ("dead",)),
        ("dead,archived", ("dead", "archived")),
        (["unknown", "dead,unknown"], ("unknown", "dead")),
        ("never", ("never",)),
        ("", ("dead",)),
    ],
)
def test_parse_fail_on(given: str | list[str], expected: tuple[str, ...]) -> None:
    assert parse_fail_on(given) == expected


@pytest.mark.parametrize("given", ["gone", "skipped", "never,dead"])
def test_parse_fail_on_rejects(given: str) -> None:
    with pytest.raises(ConfigError, match="--fail-on"):
        parse_fail_on(given)


def test_rendering_is_deterministic(sample_report: dict[str, Any], tmp_path: Path) -> None:
    first = {path.name: path.read_bytes() for path in render_formats(sample_report, FORMATS, tmp_path / "a")}
    second = {path.name: path.read_bytes() for path in render_formats(sample_report, FORMATS, tmp_path / "b")}
    assert first == second
