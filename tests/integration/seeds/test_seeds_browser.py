"""The HTML report of the seeds' end-to-end check, opened in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.report.test_html_browser import ARTIFACTS, browser, require_cjk_font, visible_rows
from tests.integration.seeds.conftest import (
    CHOSUN,
    CHOSUN_GOOD,
    NBR,
    NYTIMES,
    NYTIMES_GOOD,
    SLTRIB,
    SLTRIB_GOOD,
    UN,
    World,
)

pytestmark = pytest.mark.browser

__all__ = ["browser"]  # the shared launch fixture, skipping (or failing in CI) without Chromium


@pytest.fixture
def seeds_page(browser: Any, world: World) -> Iterator[dict[str, Any]]:
    url = (world.runs[0].output_dir / "link-health.html").as_uri()
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    seen: dict[str, Any] = {"requests": [], "console_errors": [], "page_errors": [], "url": url, "page": page}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("console", lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen["page_errors"].append(str(error)))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(150)
    try:
        yield seen
    finally:
        page.close()


def test_seeds_report_loads_offline_without_errors(seeds_page: dict[str, Any]) -> None:
    page = seeds_page["page"]
    assert seeds_page["console_errors"] == []
    assert seeds_page["page_errors"] == []
    outside = [u for u in seeds_page["requests"] if u != seeds_page["url"] and not u.startswith("data:")]
    assert outside == []
    assert page.locator("#controls").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seeds-report.png"), full_page=True)


def test_every_dead_and_archived_source_is_under_sources_to_fix(seeds_page: dict[str, Any]) -> None:
    page = seeds_page["page"]
    rows = page.locator("#fix tbody tr")
    assert rows.count() == 5
    texts = rows.all_inner_texts()
    for url in (NBR, UN):
        [row] = [text for text in texts if url in text]
        assert "dead" in row.lower()
    for url, timestamp in ((CHOSUN, CHOSUN_GOOD), (NYTIMES, NYTIMES_GOOD), (SLTRIB, SLTRIB_GOOD)):
        [row] = [text for text in texts if url in text]
        date = f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"
        assert date in row
        snapshot = f"https://web.archive.org/web/{timestamp}/{url}"
        assert page.locator(f'#fix a[href="{snapshot}"]').count() == 1
    # Long unbroken URLs in link text wrap inside their cell instead of running over the next one.
    overflowing = page.eval_on_selector_all(
        "#fix tbody td", "cells => cells.filter(cell => cell.scrollWidth > cell.clientWidth + 1).length"
    )
    assert overflowing == 0
    [chosun] = [text for text in texts if CHOSUN in text]
    assert "2012-03-26" in chosun  # the access date beside the snapshot's
    assert "Seoul Nuclear Security Summit" in chosun


def test_missing_pages_and_empty_footnote_are_listed(seeds_page: dict[str, Any]) -> None:
    body = seeds_page["page"].locator("body").inner_text()
    for page_name in ("國際會議暨展示中心", "美国", "俄罗斯", "国际原子能机构"):
        assert f"../Page/{page_name}.md, which does not exist" in body
    assert "footnote 2 has an empty definition" in body


def test_filters_narrow_the_table(seeds_page: dict[str, Any]) -> None:
    page = seeds_page["page"]
    total = visible_rows(page)
    assert total == 32  # every cited web reference: 21 in seed 000, 11 in seed 003
    page.select_option("#filter-outcome", "archived")
    assert visible_rows(page) == 3
    page.select_option("#filter-outcome", "dead")
    assert visible_rows(page) == 2
    page.select_option("#filter-outcome", "live")
    page.select_option("#filter-document", "seeds/003_a0175d8ff7ab9ad7.txt")
    assert visible_rows(page) == 7  # fmprc.gov.cn five times, the IAEA PDF and nothing else
    page.click("#filter-reset")
    page.locator("#filter-search").fill("首爾")
    assert visible_rows(page) == 1
    page.click("#filter-reset")
    assert visible_rows(page) == total


def test_chinese_text_renders_with_real_glyphs(seeds_page: dict[str, Any]) -> None:
    require_cjk_font()
    page = seeds_page["page"]
    assert page.get_by_text("南韓", exact=True).count() >= 1
    # A glyph drawn from a CJK font differs from the box drawn for a character no font has.
    distinct = page.evaluate(
        """() => {
            const draw = (text) => {
                const canvas = document.createElement('canvas');
                canvas.width = 64; canvas.height = 64;
                const context = canvas.getContext('2d');
                context.font = '40px ' + getComputedStyle(document.body).fontFamily;
                context.fillText(text, 4, 48);
                return Array.from(context.getImageData(0, 0, 64, 64).data).join(',');
            };
            const missing = draw('\\u{10FFFD}');
            return ['南', '韓', '联'].map(draw).filter(image => image !== missing).length;
        }"""
    )
    assert distinct == 3
