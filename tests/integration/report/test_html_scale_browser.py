"""The HTML report of a large run in headless Chromium: it opens, pages, filters and sorts from its
embedded data; and on a phone every column of a row stays on the screen."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.html_report import link_health_report
from tests.integration.report.test_html_browser import browser, visible_rows
from verifier.report.render import render_formats

pytestmark = pytest.mark.browser

__all__ = ["browser"]  # the shared launch fixture, skipping (or failing in CI) without Chromium

REFERENCES = 20_000
PAGE_SIZE = 50
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def large_report() -> dict[str, Any]:
    return link_health_report(REFERENCES)


@pytest.fixture(scope="module")
def large_html(large_report: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    [path] = render_formats(large_report, ["html"], tmp_path_factory.mktemp("large"))
    return path


@pytest.fixture
def large_page(browser: Any, large_html: Path) -> Iterator[dict[str, Any]]:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    started = time.perf_counter()
    page.goto(large_html.as_uri(), wait_until="commit")
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=30_000)
    opened = time.perf_counter() - started
    try:
        yield {"page": page, "opened": opened, "errors": errors}
    finally:
        page.close()


def shown(page: Any) -> str:
    text: str = page.locator("#shown-count").inner_text()
    return text


def wait_for_shown(page: Any, before: str) -> str:
    page.wait_for_function(
        "before => document.getElementById('shown-count').textContent !== before", arg=before, timeout=10_000
    )
    return shown(page)


def references_with(report: dict[str, Any], wanted: Any) -> int:
    return sum(1 for link in report["links"] for place in link["occurrences"] if wanted(link, place))


def test_large_report_opens_with_one_page_of_rows(large_page: dict[str, Any], large_html: Path) -> None:
    page = large_page["page"]
    assert large_page["errors"] == []
    # A generous bound that the old page (every row as markup) missed many times over.
    assert large_page["opened"] < 10, f"opened in {large_page['opened']:.1f} s"
    assert large_html.stat().st_size < 5_000_000
    assert visible_rows(page) == PAGE_SIZE
    assert shown(page) == f"1–{PAGE_SIZE} of 20,000 shown"
    pager = page.locator("#refs-pager")
    assert pager.is_visible()
    assert pager.locator(".page-of").inner_text() == f"Page 1 of {REFERENCES // PAGE_SIZE:,}"
    assert page.locator(".static-only").evaluate_all("notes => notes.every(note => note.hidden)")
    pager.locator("button[data-page=next]").click()
    assert shown(page) == f"{PAGE_SIZE + 1}–{2 * PAGE_SIZE} of 20,000 shown"
    assert (
        page.locator("#refs-table tbody tr td:nth-child(2)")
        .first.inner_text()
        .startswith(f"{PAGE_SIZE + 1}:")
    )
    pager.locator("button[data-page=last]").click()
    assert pager.locator("button[data-page=next]").is_disabled()
    # Sources to fix are paged the same way: dead ones first.
    fix = page.locator("#fix tbody tr")
    assert fix.count() == PAGE_SIZE
    assert set(fix.evaluate_all("rows => rows.map(row => row.className)")) == {"outcome-dead"}


def test_large_report_search_filters_every_reference(
    large_page: dict[str, Any], large_report: dict[str, Any]
) -> None:
    page = large_page["page"]
    expected = references_with(large_report, lambda link, place: "footnote-1234" in (place["footnote"] or ""))
    assert 0 < expected <= PAGE_SIZE
    before = shown(page)
    started = time.perf_counter()
    page.locator("#filter-search").fill("footnote-1234")
    assert wait_for_shown(page, before) == f"{expected} of 20,000 shown"
    assert time.perf_counter() - started < 2
    assert visible_rows(page) == expected
    labels = page.locator("#refs-table tbody tr td:nth-child(3)").all_inner_texts()
    assert all("footnote-1234" in label for label in labels)
    # Words are matched each on its own, in any field: a Japanese word in link text or a decoded
    # URL, and one in the reason.
    before = shown(page)
    page.locator("#filter-search").fill("例え found")
    expected = references_with(
        large_report,
        lambda link, place: (
            ("例え" in (place["text"] or "") or "%E4%BE%8B%E3%81%88" in link["url"])
            and "Found" in link["reason"]
        ),
    )
    assert expected > PAGE_SIZE
    assert wait_for_shown(page, before) == f"1–{PAGE_SIZE} of {expected:,} matching (20,000 in all)"


def test_large_report_outcome_filter_and_sort(
    large_page: dict[str, Any], large_report: dict[str, Any]
) -> None:
    page = large_page["page"]
    dead = references_with(large_report, lambda link, place: link["outcome"] == "dead")
    before = shown(page)
    page.select_option("#filter-outcome", "dead")
    assert wait_for_shown(page, before) == f"1–{PAGE_SIZE} of {dead:,} matching (20,000 in all)"
    outcomes = page.locator("#refs-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.outcome)"
    )
    assert set(outcomes) == {"dead"}
    page.select_option("#filter-outcome", "")
    http = page.locator("#refs-table thead th").nth(7)
    http.locator("button").click()
    http.locator("button").click()
    assert http.get_attribute("aria-sort") == "descending"
    statuses = page.locator("#refs-table tbody tr td:nth-child(8)").all_inner_texts()
    assert statuses[0] == "410"  # the highest status of all 20,000, not only of the first page


def test_large_report_without_script_shows_the_first_rows_and_says_so(browser: Any, large_html: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(large_html.as_uri())
        assert visible_rows(page) == 250
        notes = page.locator(".static-only")
        assert notes.count() == 2 and notes.nth(1).is_visible()
        assert "The first 250 of 20,000 references" in notes.nth(1).inner_text()
        assert not page.locator("#refs-pager").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("table", ["#fix", "#refs-table"])
def test_phone_shows_rows_as_cards_with_reason_and_replacement_on_screen(
    browser: Any, sample_report: dict[str, Any], tmp_path: Path, table: str
) -> None:
    [html_path] = render_formats(sample_report, ["html"], tmp_path)
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(html_path.as_uri())
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        labels = ["Why it failed", "Replacement"] if table == "#fix" else ["Reason", "Archive", "URL"]
        rows = page.locator(f"{table} tbody tr")
        assert rows.count() > 3
        for index in range(3):
            for label in labels:
                cell = rows.nth(index).locator(f'td[data-label="{label}"]')
                cell.scroll_into_view_if_needed()
                box = cell.bounding_box()
                assert box is not None and box["width"] > 100, (label, box)
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
        # Each cell is labelled, as the column heading would have told.
        label = rows.first.locator(f'td[data-label="{labels[0]}"]').evaluate(
            "cell => getComputedStyle(cell, '::before').content"
        )
        assert label == f'"{labels[0]}"'
    finally:
        page.close()


def test_phone_without_script_still_fits(browser: Any, sample_report: dict[str, Any], tmp_path: Path) -> None:
    [html_path] = render_formats(sample_report, ["html"], tmp_path)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(html_path.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = page.locator('#fix tbody tr td[data-label="Replacement"]').first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    finally:
        context.close()
