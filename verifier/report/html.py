"""The HTML audit report: one self-contained page (styles, script and chart inline, no request out)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from verifier.report.rows import (
    CHANGE_LABELS,
    OUTCOME_LABELS,
    OUTCOME_ORDER,
    Row,
    changes,
    days_between,
    display_url,
    document_paths,
    failing,
    is_web_url,
    issues,
    network_was_down,
    outcome_counts_by_document,
    reference_rows,
    sources_to_fix,
)

TEMPLATES = Path(__file__).parent / "templates"

# Chart geometry, in SVG user units (the SVG scales to the page width).
CHART_WIDTH = 760
CHART_LABEL_WIDTH = 250
CHART_BAR_WIDTH = 440
CHART_ROW_HEIGHT = 30
CHART_BAR_HEIGHT = 18


@dataclass(frozen=True, slots=True)
class Card:
    outcome: str
    label: str
    links: int
    references: int
    failing: bool


@dataclass(frozen=True, slots=True)
class Segment:
    outcome: str
    x: float
    width: float
    count: int


@dataclass(frozen=True, slots=True)
class Bar:
    path: str
    label: str
    y: int
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]


_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff]")
_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f]")


@lru_cache(maxsize=8192)
def text_lang(value: str | None) -> str | None:
    """A lang attribute for text in Chinese, Japanese or Korean, so the browser picks the right glyphs."""
    if not value or value.isascii():
        return None
    if _KANA.search(value):
        return "ja"
    if _HANGUL.search(value):
        return "ko"
    return "zh" if _HAN.search(value) else None


def short_path(path: str, limit: int = 34) -> str:
    return path if len(path) <= limit else "…" + path[-(limit - 1) :]


def readable_time(value: str | None) -> str:
    """2026-11-23T09:28:45Z as 2026-11-23 09:28 UTC; anything else unchanged."""
    if not value or len(value) < 16 or value[10] != "T":
        return value or ""
    zone = " UTC" if value.endswith(("Z", "+00:00")) else " " + value[-6:]
    return f"{value[:10]} {value[11:16]}{zone}"


def web_href(url: str | None) -> str | None:
    return url if url and is_web_url(url) else None


def build_chart(rows: Sequence[Row], paths: Sequence[str]) -> Chart:
    counts = outcome_counts_by_document(rows, paths)
    largest = max((sum(per.values()) for per in counts.values()), default=0) or 1
    bars: list[Bar] = []
    for index, (path, per_outcome) in enumerate(counts.items()):
        x = float(CHART_LABEL_WIDTH)
        segments: list[Segment] = []
        for outcome in OUTCOME_ORDER:
            count = per_outcome.get(outcome, 0)
            if count:
                width = CHART_BAR_WIDTH * count / largest
                segments.append(Segment(outcome, round(x, 2), round(width, 2), count))
                x += width
        total = sum(per_outcome.values())
        bars.append(Bar(path, short_path(path), index * CHART_ROW_HEIGHT, total, tuple(segments)))
    return Chart(
        CHART_WIDTH, max(len(bars), 1) * CHART_ROW_HEIGHT, CHART_LABEL_WIDTH, CHART_BAR_HEIGHT, tuple(bars)
    )


def _cards(report: Mapping[str, Any], rows: Sequence[Row], fail_on: Sequence[str]) -> list[Card]:
    summary = report.get("summary", {})
    return [
        Card(
            outcome,
            OUTCOME_LABELS[outcome],
            int(summary.get(outcome, 0)),
            sum(1 for row in rows if row.outcome == outcome),
            failing(outcome, fail_on),
        )
        for outcome in OUTCOME_ORDER
    ]


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["show_url"] = display_url
    env.filters["web_href"] = web_href
    env.filters["lang"] = text_lang
    env.filters["time"] = readable_time
    env.filters["short_path"] = short_path
    return env


def render(report: Mapping[str, Any], fail_on: Sequence[str] = ("dead",)) -> str:
    rows = reference_rows(report)
    paths = document_paths(report)
    styles = _asset("report.css")
    script = _asset("report.js")
    # Only our own style and script may run, so anything a document smuggled in stays inert.
    policy = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(styles)}; script-src {_csp_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    fixes = sources_to_fix(rows)
    failing_references = sum(1 for row in rows if failing(row.outcome, fail_on))
    template = environment().get_template("report.html.j2")
    return template.render(
        report=report,
        tool=report.get("tool", {}),
        fail_on=list(fail_on),
        failing_references=failing_references,
        inconclusive=network_was_down(report) and int(report.get("summary", {}).get("unknown", 0)) > 0,
        cards=_cards(report, rows, fail_on),
        chart=build_chart(rows, paths),
        rows=rows,
        fixes=fixes,
        issues=issues(report),
        changes=changes(report),
        paths=paths,
        outcomes=OUTCOME_ORDER,
        outcome_labels=OUTCOME_LABELS,
        change_labels=CHANGE_LABELS,
        days_between=days_between,
        styles=Markup(styles),
        script=Markup(script),
        policy=policy,
    )
