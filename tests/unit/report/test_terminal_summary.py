"""The terminal summary stays a screenful however large the run, and shows URLs as people wrote them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from benchmarks.html_report import link_health_report
from verifier.report.terminal import FINDINGS_LIMIT, iri, print_summary, write_plain_summary

REPORTS = ["reports/link-health.json", "reports/link-health.html"]


def plain(report: dict[str, Any], reports: list[str] | None = None) -> str:
    out = io.StringIO()
    write_plain_summary(report, out, reports or [])
    return out.getvalue()


def rich(report: dict[str, Any], reports: list[str] | None = None) -> str:
    out = io.StringIO()
    print_summary(report, Console(file=out, width=120, color_system=None), reports or [])
    return out.getvalue()


@pytest.fixture(scope="module")
def large() -> dict[str, Any]:
    return link_health_report(10_000)


def finding_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("  http") and " — " in line]


@pytest.mark.parametrize("summary", [plain, rich])
def test_ten_thousand_references_print_a_few_kilobytes(summary: Any, large: dict[str, Any]) -> None:
    text = summary(large, REPORTS)
    assert len(text.encode("utf-8")) < 5_000
    assert len(finding_lines(text)) == FINDINGS_LIMIT
    dead = large["summary"]["dead"]
    assert f"Dead links ({dead:,})" in text
    left = (
        sum(large["summary"][name] for name in ("dead", "archived", "restricted", "unknown")) - FINDINGS_LIMIT
    )
    assert f"… and {left:,} more ({dead - FINDINGS_LIMIT:,} dead, " in text
    assert "in the reports" in text
    assert "Reports: reports/link-health.json, reports/link-health.html" in text
    assert "… and 30 more in the reports" in text  # 40 changes, 10 listed
    assert "total" in text


def link(url: str, outcome: str, reason: str, *places: tuple[str, int]) -> dict[str, Any]:
    return {
        "url": url,
        "outcome": outcome,
        "reason": reason,
        "occurrences": [{"path": path, "line": line, "footnote": None} for path, line in places],
    }


def small_report(*links: dict[str, Any]) -> dict[str, Any]:
    summary = dict.fromkeys(("live", "archived", "dead", "restricted", "unknown", "skipped"), 0)
    for item in links:
        summary[item["outcome"]] += 1
    return {"summary": summary, "links": list(links), "changes": []}


def test_dead_come_first_then_the_others_fill_the_list() -> None:
    report = small_report(
        link("https://a.example/unknown", "unknown", "timed out", ("a.md", 1)),
        link("https://a.example/archived", "archived", "answered 404; snapshot found", ("a.md", 2)),
        link("https://a.example/live", "live", "answered 200 OK", ("a.md", 3)),
        link("https://a.example/dead", "dead", "answered 404 Not Found", ("a.md", 4)),
        link("https://a.example/walled", "restricted", "answered 403 Forbidden", ("a.md", 5)),
    )
    urls = [line.split()[0] for line in finding_lines(plain(report))]
    assert urls == [
        "https://a.example/dead",
        "https://a.example/archived",
        "https://a.example/walled",
        "https://a.example/unknown",
    ]
    assert "more" not in plain(report)


def test_places_are_cut_short_too() -> None:
    report = small_report(
        link("https://a.example/x", "dead", "gone", *[("a.md", line) for line in range(1, 50)])
    )
    assert "    cited at a.md:1, a.md:2 and 47 more places" in plain(report).splitlines()


@pytest.mark.parametrize("summary", [plain, rich])
def test_urls_are_shown_as_iris(summary: Any) -> None:
    report = small_report(
        link("https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9", "dead", "answered 404 Not Found", ("a.md", 1)),
        link("https://zh.wikipedia.org/wiki/%E5%8D%97%E9%9F%93", "archived", "snapshot", ("a.md", 2)),
    )
    report["changes"] = [
        {"url": report["links"][0]["url"], "before": "live", "after": "dead", "change": "died"}
    ]
    text = summary(report)
    assert "  https://例え.jp/パス — answered 404 Not Found" in text.splitlines()
    assert "live → dead  https://例え.jp/パス" in text
    assert "https://zh.wikipedia.org/wiki/南韓" in text
    assert "xn--" not in text and "%E" not in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9", "https://例え.jp/パス"),
        ("https://user@XN--R8JZ45G.example:8080/a%2Fb", "https://user@例え.example:8080/a%2Fb"),
        ("https://xn--bcher-kva.example/", "https://bücher.example/"),
        ("https://xn--99999999.example/", "https://xn--99999999.example/"),  # not valid punycode: as written
        ("https://a.example/%E2%80%AEtxt.exe", "https://a.example/%E2%80%AEtxt.exe"),  # direction override
        ("https://a.example/\x1b[31mred", "https://a.example/\\x1b[31mred"),  # a terminal escape, shown inert
        ("mailto:someone@example.org", "mailto:someone@example.org"),
    ],
)
def test_iri(url: str, shown: str) -> None:
    assert iri(url) == shown
