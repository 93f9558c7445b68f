"""The HTML report in a real headless Chromium: offline, script-safe, filters, search and sorting work."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from verifier.report.render import render_formats

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def unavailable(message: str) -> NoReturn:
    """Outside CI a missing browser (or font) is a skip that says why; in CI it is a failure."""
    if in_ci():
        pytest.fail(f"browser test cannot run in CI, where .ci/run installs what it needs: {message}")
    pytest.skip(message)


def cjk_font_missing() -> str | None:
    """Why Chinese text would be drawn as empty boxes, or None when a font for it is installed.

    Asks fontconfig, which is what Chromium draws with on Linux; where fc-list is absent nothing
    can be told, and the test runs.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if found.returncode != 0 or found.stdout.strip():
        return None
    return "no font for Chinese text is installed (`apt-get install fonts-noto-cjk`)"


def require_cjk_font() -> None:
    """Skip (fail in CI) a test of CJK glyphs on a machine with no CJK font."""
    missing = cjk_font_missing()
    if missing is not None:
        unavailable(missing)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        unavailable("no Chromium found (set CHROMIUM_PATH or `apt-get install chromium`)")
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def report_page(browser: Any, sample_report: dict[str, Any], tmp_path: Path) -> Iterator[dict[str, Any]]:
    [html_path] = render_formats(sample_report, ["html"], tmp_path)
    url = html_path.as_uri()
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    seen: dict[str, Any] = {"requests": [], "console_errors": [], "dialogs": [], "page_errors": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on(
        "console",
        lambda message: seen["console_errors"].append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: seen["page_errors"].append(str(error)))

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(150)
    seen.update(page=page, url=url)
    try:
        yield seen
    finally:
        page.close()


def visible_rows(page: Any) -> int:
    count: int = page.locator("#refs-table tbody tr:not([hidden])").count()
    return count


def column_texts(page: Any, column: int) -> list[str]:
    texts: list[str] = page.locator(f"#refs-table tbody tr td:nth-child({column})").all_inner_texts()
    return [text.strip() for text in texts]


def test_page_loads_offline_with_no_errors_and_no_outside_request(report_page: dict[str, Any]) -> None:
    page = report_page["page"]
    assert report_page["console_errors"] == []
    assert report_page["page_errors"] == []
    assert report_page["dialogs"] == []
    outside = [
        url for url in report_page["requests"] if url != report_page["url"] and not url.startswith("data:")
    ]
    assert outside == []
    assert report_page["requests"][0] == report_page["url"]
    # The script ran (the CSP hash matches) and revealed the controls.
    assert page.locator("#controls").is_visible()
    assert page.evaluate("document.documentElement.classList.contains('js')")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)


def test_hostile_content_shows_as_text(report_page: dict[str, Any]) -> None:
    page = report_page["page"]
    # Only the report's own script runs; the other holds the table's data, which the browser never runs.
    assert page.locator("script").count() == 2
    assert page.locator('script[type="application/json"]').count() == 1
    assert page.locator("main img, main svg[onload], main b").count() == 0
    assert page.get_by_text("<script>alert(1)</script>", exact=True).count() >= 1
    assert page.get_by_text("<img src=x onerror=alert(1)>", exact=True).count() >= 1
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    assert hrefs, "expected clickable http(s) links"
    assert all(href.startswith(("http://", "https://", "file://")) for href in hrefs)
    assert not any("javascript:" in href.lower() for href in hrefs)
    page.locator("#filter-search").fill("alert")
    assert report_page["dialogs"] == []
    assert page.evaluate("typeof window.alert") == "function"


def test_outcome_and_document_filters_hide_rows(report_page: dict[str, Any]) -> None:
    page = report_page["page"]
    total = visible_rows(page)
    assert total == 22
    page.select_option("#filter-outcome", "dead")
    assert visible_rows(page) == 7
    assert set(
        page.locator("#refs-table tbody tr:not([hidden])").evaluate_all(
            "rows => rows.map(row => row.dataset.outcome)"
        )
    ) == {"dead"}
    page.select_option("#filter-document", "seeds/003_a0175d8ff7ab9ad7.txt")
    assert visible_rows(page) == 4
    assert page.locator("#shown-count").inner_text() == "4 of 22 shown"
    page.select_option("#filter-outcome", "skipped")
    assert visible_rows(page) == 0
    assert page.locator("#no-match").is_visible()
    page.click("#filter-reset")
    assert visible_rows(page) == total


def test_search_matches_cjk_and_urls(report_page: dict[str, Any]) -> None:
    page = report_page["page"]
    page.locator("#filter-search").fill("联合国安理会")
    assert visible_rows(page) == 1
    page.locator("#filter-search").fill("fmprc t920427")
    assert visible_rows(page) == 3
    page.locator("#filter-search").fill("no such thing anywhere")
    assert visible_rows(page) == 0


def test_summary_card_filters_the_table(report_page: dict[str, Any]) -> None:
    page = report_page["page"]
    page.click(".card-archived")
    assert page.locator("#filter-outcome").input_value() == "archived"
    assert visible_rows(page) == 6


def test_sorting_by_column(report_page: dict[str, Any]) -> None:
    page = report_page["page"]
    http = page.locator("#refs-table thead th").nth(7)
    http.locator("button").click()
    assert http.get_attribute("aria-sort") == "ascending"
    statuses = [text for text in column_texts(page, 8) if text != "—"]
    assert statuses == sorted(statuses, key=int)
    assert column_texts(page, 8)[-1] == "—"  # rows without a status go last
    http.locator("button").click()
    assert http.get_attribute("aria-sort") == "descending"
    statuses = [text for text in column_texts(page, 8) if text != "—"]
    assert statuses == sorted(statuses, key=int, reverse=True)
    document = page.locator("#refs-table thead th").nth(0)
    document.locator("button").click()
    paths = column_texts(page, 1)
    assert paths[0] == "docs/2012年核安全峰會.wiki"
    assert paths[-1] == "seeds/003_a0175d8ff7ab9ad7.txt"
    line = page.locator("#refs-table thead th").nth(1)
    line.locator("button").click()
    lines = [int(text.split(":")[0]) for text in column_texts(page, 2)]
    assert lines == sorted(lines)


def test_readable_with_script_off(browser: Any, sample_report: dict[str, Any], tmp_path: Path) -> None:
    [html_path] = render_formats(sample_report, ["html"], tmp_path)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(html_path.as_uri())
        assert visible_rows(page) == 22
        assert not page.locator("#controls").is_visible()
        assert page.locator("#fix tbody tr").count() == 13
    finally:
        context.close()
