"""The registry of report formats: which file each format writes and what renders it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier._exceptions import ConfigError
from verifier.report import csvfile, html, junit, markdown, sarif
from verifier.report import json as json_report

FORMATS: tuple[str, ...] = ("json", "html", "md", "junit", "sarif", "csv")

Renderer = Callable[[Mapping[str, Any], Sequence[str]], str]


@dataclass(frozen=True, slots=True)
class ReportFormat:
    name: str
    file_name: str
    render: Renderer
    # Spreadsheets only take a CSV file for UTF-8 when it starts with a byte order mark.
    encoding: str = "utf-8"


def render_json(report: Mapping[str, Any], fail_on: Sequence[str] = ()) -> str:
    # The same layout `verifier check` writes, so a re-rendered report diffs cleanly against it.
    return json_report.dumps(report)


REGISTRY: dict[str, ReportFormat] = {
    item.name: item
    for item in (
        ReportFormat("json", "link-health.json", render_json),
        ReportFormat("html", "link-health.html", html.render),
        ReportFormat("md", "link-health.md", markdown.render),
        ReportFormat("junit", "link-health.junit.xml", junit.render),
        ReportFormat("sarif", "link-health.sarif", sarif.render),
        ReportFormat("csv", "link-health.csv", csvfile.render, encoding="utf-8-sig"),
    )
}


def _listed(values: str | Iterable[str], choices: Iterable[str], what: str) -> list[str]:
    """Names from "a,b" (or a list of such strings), checked against ``choices``, in order, once each."""
    allowed = tuple(choices)
    items = [values] if isinstance(values, str) else list(values)
    chosen: list[str] = []
    for item in items:
        for name in (part.strip().lower() for part in item.split(",")):
            if not name:
                continue
            if name not in allowed:
                raise ConfigError(f"{what} {name!r}; choose from {', '.join(allowed)}")
            if name not in chosen:
                chosen.append(name)
    return chosen


def parse_formats(values: str | Iterable[str]) -> list[str]:
    """Formats from "html,md" (or a list of such strings), checked, in order, without repeats."""
    return _listed(values, FORMATS, "unknown report format")


def parse_fail_on(values: str | Iterable[str]) -> tuple[str, ...]:
    """The names of the outcomes that fail the run ("never" when none does), as renderers take them."""
    from verifier.config import parse_fail_on as parse

    return tuple(outcome.value for outcome in parse(values)) or ("never",)


def _write_atomically(path: Path, text: str, encoding: str) -> None:
    # A report is an artifact other jobs pick up: never leave a half-written one behind.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding=encoding, newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def render_formats(
    report: dict[str, Any],
    formats: Sequence[str],
    output_dir: Path,
    *,
    fail_on: Sequence[str] = ("dead",),
) -> list[Path]:
    """Write ``link-health.<ext>`` into ``output_dir`` for each format asked; return the paths written."""
    names = parse_formats(formats)
    output_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in names:
        entry = REGISTRY[name]
        path = output_dir / entry.file_name
        _write_atomically(path, entry.render(report, fail_on), entry.encoding)
        written.append(path)
    return written
