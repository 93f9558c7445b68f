"""The HTML audit report, read as markup: self-contained, escaped, complete."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from verifier.report.html import build_chart, render, text_lang
from verifier.report.rows import display_url, document_paths, reference_rows


class Page(HTMLParser):
    """Every tag with its attributes, plus the text inside <script> and <style>.

    A <script type="application/json"> is data the browser never runs: kept apart, under "data".
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": [], "data": []}
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            kind = "data" if tag == "script" and dict(attrs).get("type") == "application/json" else tag
            self._inside = kind
            self.inline[kind].append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if self._inside and tag == ("script" if self._inside == "data" else self._inside):
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.inline[self._inside][-1] += data


@pytest.fixture
def html(sample_report: dict[str, Any]) -> str:
    return render(sample_report, ("dead",))


@pytest.fixture
def page(html: str) -> Page:
    parsed = Page()
    parsed.feed(html)
    return parsed


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start)]


def test_self_contained(page: Page, html: str) -> None:
    assert html.lstrip().startswith("<!DOCTYPE html>")
    for tag, attrs in page.tags:
        assert "src" not in attrs, (tag, attrs)
        if tag == "link":
            assert attrs.get("href") == "data:,", attrs
    assert len(page.inline["script"]) == 1 and len(page.inline["style"]) == 1
    styles = page.inline["style"][0]
    assert "@import" not in styles and "url(" not in styles and "@font-face" not in styles
    script = page.inline["script"][0]
    assert "fetch(" not in script and "XMLHttpRequest" not in script
    # Document text reaches the page only through textContent and attributes.
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
    [data] = page.inline["data"]
    assert json.loads(data)["rows"]


def test_content_security_policy_allows_only_our_own_code(page: Page) -> None:
    [policy] = [
        attrs["content"]
        for tag, attrs in page.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None
    assert "default-src 'none'" in policy
    for kind in ("script", "style"):
        digest = base64.b64encode(hashlib.sha256(page.inline[kind][0].encode()).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy


def test_cjk_ready(page: Page, html: str) -> None:
    assert '<meta charset="utf-8">' in html
    assert ("html", {"lang": "en", "class": "no-js"}) in page.tags
    assert '<span lang="zh">联合国安理会第1373号决议</span>' in html
    assert "Noto Sans CJK SC" in page.inline["style"][0]
    assert ">https://zh.wikipedia.org/wiki/南韓</a>" in html


@pytest.mark.parametrize(
    ("value", "lang"),
    [
        ("南韓", "zh"),
        ("核安全峰会 summit", "zh"),
        ("ニュース", "ja"),
        ("서울", "ko"),
        ("Seoul", None),
        (None, None),
    ],
)
def test_text_lang(value: str | None, lang: str | None) -> None:
    assert text_lang(value) == lang


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://zh.wikipedia.org/wiki/%E5%8D%97%E9%9F%93", "https://zh.wikipedia.org/wiki/南韓"),
        ("https://a.example/a%2Fb?q=%22x%22", "https://a.example/a%2Fb?q=%22x%22"),
        ("https://a.example/%B9%FA", "https://a.example/%B9%FA"),  # GBK bytes, not UTF-8
        (
            "https://a.example/%E2%80%AEtxt.exe",
            "https://a.example/%E2%80%AEtxt.exe",
        ),  # right-to-left override
        ("mailto:a@b.example", "mailto:a@b.example"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_hostile_text_is_escaped(page: Page, html: str) -> None:
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "<b>" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    for _tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), attrs


def test_only_web_urls_are_clickable(page: Page, html: str) -> None:
    hrefs = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert hrefs
    for href in hrefs:
        assert href is not None
        assert href.startswith(("http://", "https://", "#")), href
    assert "javascript:alert(1)</span>" in html  # shown, not linked
    assert 'href="mailto:' not in html
    # A URL whose query holds markup keeps its ASCII escapes, in the link and in the text shown.
    assert 'href="https://evil.example/page?x=%22%3E%3Cscript%3Ealert(2)%3C/script%3E"' in html
    assert ">https://evil.example/page?x=%22%3E%3Cscript%3Ealert(2)%3C/script%3E</a>" in html


def test_sources_to_fix_come_first_with_replacements(html: str) -> None:
    order = [
        html.index(f'<section id="{name}"') for name in ("fix", "issues", "changes", "overview", "references")
    ]
    assert order == sorted(order)
    fix = section(html, "fix")
    assert fix.count("<tr class=") == 13
    assert fix.index("outcome-dead") < fix.index("outcome-archived")
    chosun = fix[fix.index('seeds/000_c3dc2c98d2c962ed.txt</span><span class="line">:34:5') :]
    chosun = chosun[: chosun.index("</tr>")]
    assert 'footnote <span class="label">[1]</span>' in chosun
    assert "Seoul Nuclear Security Summit Gets Underway Monday" in chosun
    assert "404 Not Found" in chosun
    assert 'href="https://web.archive.org/web/20120327031545/http://english.chosun.com' in chosun
    assert "<dt>Snapshot</dt><dd>2012-03-27</dd>" in chosun
    assert "<dt>Accessed</dt><dd>2012-03-26</dd>" in chosun
    assert "1 day after the access date" in chosun
    assert "No good snapshot" in fix
    assert "The citation already names" in fix  # the wikitext cite with an archive-url


def test_issues_changes_and_references(html: str) -> None:
    issues = section(html, "issues")
    for kind in ("missing-target", "empty-definition", "numbering-gap", "dead-link-tag", "malformed-url"):
        assert kind in issues
    assert "not a text document" in issues
    changes = section(html, "changes")
    assert changes.split("<tbody>")[1].count("<tr>") == 5
    assert changes.index("change-died") < changes.index("change-recovered")
    assert "new link" in changes
    refs = section(html, "references")
    assert refs.count('<tr data-outcome="') == 22
    assert refs.count('data-outcome="dead"') == 7
    assert 'data-document="docs/2012年核安全峰會.wiki"' in refs
    assert "original: dead" in refs  # a citation that already points at an archive copy


def test_summary_cards_and_chart(sample_report: dict[str, Any], html: str) -> None:
    overview = section(html, "overview")
    for outcome, links in sample_report["summary"].items():
        card = overview[overview.index(f"card card-{outcome}") :]
        assert re.search(rf'<span class="card-value">{links}</span>', card[: card.index("</a>")])
    rows = reference_rows(sample_report)
    chart = build_chart(rows, document_paths(sample_report))
    assert [bar.total for bar in chart.bars] == [6, 9, 4, 3]
    segments = sum(len(bar.segments) for bar in chart.bars)
    assert overview.count('class="seg seg-') == segments
    widest = max(segment.x + segment.width for bar in chart.bars for segment in bar.segments)
    assert widest == pytest.approx(chart.label_width + 440)


def test_empty_report_renders() -> None:
    report = {
        "schema_version": 1,
        "generated_at": "2026-11-23T09:30:00Z",
        "tool": {"name": "verifier", "version": "0.1.0"},
        "summary": dict.fromkeys(("live", "archived", "dead", "restricted", "unknown", "skipped"), 0),
        "links": [],
        "documents": [],
        "problems": [],
        "changes": [],
    }
    html = render(report, ("dead",))
    assert "Nothing to fix" in html
    assert "No link changed outcome" in html
    assert "Passes" in html


def verdict(html: str) -> str:
    start = html.index('id="verdict"')
    return " ".join(
        re.sub("<[^>]+>", "", html[html.index(">", start) + 1 : html.index("</p>", start)]).split()
    )


def test_failing_verdict_follows_fail_on(sample_report: dict[str, Any]) -> None:
    assert verdict(render(sample_report, ("dead",))) == "Fails on dead: 7 references are dead."
    assert (
        verdict(render(sample_report, ("dead", "archived", "unknown")))
        == "Fails on dead, archived, unknown: 14 references: 7 dead, 6 archived, 1 unknown."
    )
    assert "Passes" in render(sample_report, ("never",))


def toc_counts(html: str, target: str) -> list[str]:
    nav = html[html.index('<nav class="toc"') :]
    entry = nav[nav.index(f'<a href="#{target}">') :]
    return re.findall(r'<span class="count[^"]*">([^<]*)</span>', entry[: entry.index("</a>")])


@pytest.mark.parametrize("fail_on", [("dead",), ("dead", "archived"), ("archived",)])
def test_banner_and_sources_to_fix_tab_count_the_same_thing(
    sample_report: dict[str, Any], fail_on: tuple[str, ...]
) -> None:
    html = render(sample_report, fail_on)
    tab = toc_counts(html, "fix")
    assert tab == ["7 dead", "6 archived"]  # references, named by outcome, as the banner names them
    said = verdict(html)
    for outcome in fail_on:
        [count] = [item.split()[0] for item in tab if item.endswith(outcome)]
        assert f"{count} {outcome}" in said or f"{count} references are {outcome}" in said
    fix = section(html, "fix")
    assert fix.count("<tr class=") == 13 == sum(int(item.split()[0]) for item in tab)
    assert toc_counts(html, "fix") == re.findall(
        r'<span class="count[^"]*">([^<]*)</span>', fix[: fix.index("</h2>")]
    )


def first_run_report(sample_report: dict[str, Any]) -> dict[str, Any]:
    sample_report["changes"] = []
    sample_report["run"]["id"] = 12
    for link in sample_report["links"]:
        link["history"] = {
            "first_seen": "2026-11-23T09:28:40Z",
            "consecutive_failures": 0,
            "previous_outcome": None,
        }
    return sample_report


def test_first_run_says_so_instead_of_no_change(sample_report: dict[str, Any]) -> None:
    html = render(first_run_report(sample_report), ("dead",))
    changes = section(html, "changes")
    assert "This is the first run" in changes
    assert "No link changed" not in changes
    assert toc_counts(html, "changes") == ["first run"]


def test_first_run_of_a_store_says_so(sample_report: dict[str, Any]) -> None:
    sample_report["changes"] = []
    sample_report["run"]["id"] = 1
    assert "This is the first run" in section(render(sample_report, ("dead",)), "changes")


def test_a_later_run_without_changes_says_nothing_changed(sample_report: dict[str, Any]) -> None:
    report = first_run_report(sample_report)
    report["links"][0]["history"]["previous_outcome"] = "live"
    html = render(report, ("dead",))
    assert "No link changed outcome since the previous run" in section(html, "changes")
    assert toc_counts(html, "changes") == ["0"]


def test_offline_run_is_inconclusive_not_passing(sample_report: dict[str, Any]) -> None:
    sample_report["run"]["network_down"] = True
    assert "Inconclusive" in render(sample_report, ("never",))
    assert "Inconclusive" not in render(sample_report, ("dead",))  # findings come first
