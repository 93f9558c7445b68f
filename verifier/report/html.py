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
import orjson
from markupsafe import Markup

from verifier.report.rows import (
    CHANGE_LABELS,
    FIX_OUTCOMES,
    OUTCOME_LABELS,
    OUTCOME_ORDER,
    Row,
    changes,
    days_between,
    display_url,
    document_paths,
    drift_of,
    drifted,
    failing,
    is_web_url,
    issues,
    network_was_down,
    outcome_counts_by_document,
    reference_rows,
    snapshot_date,
    sources_to_fix,
)

TEMPLATES = Path(__file__).parent / "templates"

# Chart geometry, in SVG user units (the SVG scales to the page width).
CHART_WIDTH = 760
CHART_LABEL_WIDTH = 250
CHART_BAR_WIDTH = 440
CHART_ROW_HEIGHT = 30
CHART_BAR_HEIGHT = 18

#: Rows of each long table written as markup, for readers without script; the script renders the
#: rest a page at a time from the embedded data, since tens of thousands of rows of markup take
#: the browser seconds to lay out.
STATIC_ROWS = 250
#: Footnote issues and changes past this many are left to the JSON report.
LIST_LIMIT = 500


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


UrlCell = list[str | None]


def _url_cell(url: str) -> UrlCell:
    """[href] when the URL is a web link shown as written, else [href or None, text shown].

    Whether an address may become a link is decided here, by the same rule as the markup, so
    the script never judges a URL itself.
    """
    shown = display_url(url)
    href = url if is_web_url(url) else None
    return [href] if href is not None and shown == url else [href, shown]


def _trimmed(values: list[Any]) -> list[Any]:
    # Trailing nulls cost four bytes each in every one of tens of thousands of rows.
    while values and values[-1] is None:
        values.pop()
    return values


def _drift_cell(link: Mapping[str, Any]) -> list[str] | None:
    drift = drift_of(link)
    return None if drift is None else [drift.cited_title, drift.found_title, drift.percent]


def report_data(report: Mapping[str, Any], rows: Sequence[Row], paths: Sequence[str]) -> dict[str, Any]:
    """The reference table as compact arrays for the page's script.

    links: [url, outcome index, reason index, HTTP status, redirects, snapshot url, snapshot date,
    original outcome, content drift as [cited title, title found, similarity as shown]]
    rows: [link index, path index, line, column, footnote, link text or citation title, accessed,
    citation's own archive url], trailing nulls left out. URLs are `_url_cell`s. Reasons are
    listed once each: thousands of links share a handful of them.
    """
    outcome_index = {outcome: index for index, outcome in enumerate(OUTCOME_ORDER)}
    link_index: dict[str, int] = {}
    reason_index: dict[str, int] = {}
    links: list[list[Any]] = []
    for link in report.get("links", []):
        if link["url"] in link_index:
            continue
        link_index[link["url"]] = len(links)
        archive = link.get("archive")
        snapshot = archive.get("url") if isinstance(archive, Mapping) else None
        timestamp = archive.get("timestamp") if isinstance(archive, Mapping) else None
        links.append(
            _trimmed(
                [
                    _url_cell(link["url"]),
                    outcome_index.get(link["outcome"], len(OUTCOME_ORDER)),
                    reason_index.setdefault(link.get("reason", ""), len(reason_index)),
                    link.get("http_status"),
                    [_url_cell(hop) for hop in link.get("redirects") or ()],
                    _url_cell(snapshot) if isinstance(snapshot, str) else None,
                    snapshot_date(timestamp if isinstance(timestamp, str) else None),
                    link.get("original_outcome"),
                    _drift_cell(link),
                ]
            )
        )
    path_index = {path: index for index, path in enumerate(paths)}
    table = [
        _trimmed(
            [
                link_index[row.url],
                path_index[row.path],
                row.line,
                row.column,
                row.footnote,
                row.text or row.citation_title,
                row.accessed,
                _url_cell(row.citation_archive_url) if row.citation_archive_url else None,
            ]
        )
        for row in rows
    ]
    return {
        "outcomes": list(OUTCOME_ORDER),
        "labels": OUTCOME_LABELS,
        "fix": sorted(FIX_OUTCOMES, key=OUTCOME_ORDER.index),
        "paths": list(paths),
        "reasons": list(reason_index),
        "links": links,
        "rows": table,
    }


def script_json(value: Any) -> str:
    """JSON that cannot end the <script> element holding it nor open a comment inside it.

    The three characters only occur inside strings, where their \\u escapes mean the same.
    """
    encoded = orjson.dumps(value)
    return (
        encoded.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026").decode("utf-8")
    )


def first_run(report: Mapping[str, Any]) -> bool:
    """True when there is no earlier run to compare with, so "nothing changed" would mislead.

    A run numbered 1 is the first its store has seen; otherwise every link's history tells
    whether it had an outcome before. A report without histories (written by hand, or by an
    older verifier) cannot tell, and is not called a first run.
    """
    if report.get("changes"):
        return False
    run = report.get("run")
    if isinstance(run, Mapping):
        if isinstance(run.get("first_run"), bool):
            return bool(run["first_run"])
        if run.get("id") == 1:
            return True
    links = report.get("links") or []
    histories = [link.get("history") for link in links]
    return bool(histories) and all(
        isinstance(history, Mapping) and history.get("previous_outcome") is None for history in histories
    )


def failing_breakdown(rows: Sequence[Row], fail_on: Sequence[str]) -> list[tuple[str, int]]:
    """How many references have each outcome that fails the run, worst first, zeros left out."""
    counts = {outcome: 0 for outcome in OUTCOME_ORDER if failing(outcome, fail_on)}
    for row in rows:
        if row.outcome in counts:
            counts[row.outcome] += 1
    return [(outcome, count) for outcome, count in counts.items() if count]


@cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def template_environment(folder: Path) -> jinja2.Environment:
    """Templates in ``folder`` with the escaping and filters every page of verifier shares (the
    audit report and the service's dashboard): hostile document text stays text."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
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
    # The same thousands separators as the page's script, so the two never show one number two ways.
    env.filters["count"] = "{:,}".format
    return env


@cache
def environment() -> jinja2.Environment:
    return template_environment(TEMPLATES)


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
    breakdown = failing_breakdown(rows, fail_on)
    fix_counts = [
        (outcome, sum(1 for row in fixes if row.outcome == outcome)) for outcome in ("dead", "archived")
    ]
    found_issues = issues(report)
    found_changes = changes(report)
    template = environment().get_template("report.html.j2")
    return template.render(
        report=report,
        tool=report.get("tool", {}),
        fail_on=list(fail_on),
        failing_references=sum(count for _, count in breakdown),
        failing_breakdown=breakdown,
        inconclusive=network_was_down(report) and int(report.get("summary", {}).get("unknown", 0)) > 0,
        cards=_cards(report, rows, fail_on),
        chart=build_chart(rows, paths),
        rows=rows,
        fixes=fixes,
        fix_counts=fix_counts,
        issues=found_issues,
        drifted=drifted(rows),
        changes=found_changes,
        first_run=first_run(report),
        paths=paths,
        outcomes=OUTCOME_ORDER,
        outcome_labels=OUTCOME_LABELS,
        change_labels=CHANGE_LABELS,
        days_between=days_between,
        static_rows=STATIC_ROWS,
        list_limit=LIST_LIMIT,
        data=Markup(script_json(report_data(report, rows, paths))),
        styles=Markup(styles),
        script=Markup(script),
        policy=policy,
    )
