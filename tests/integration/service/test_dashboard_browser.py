"""The dashboard in headless Chromium against a real ``verifier serve``: an editor's whole round,
from signing in to seeing the next run honour a false positive, and the flags page on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.integration.check_run.conftest import Site
from tests.integration.report.test_html_browser import browser
from tests.integration.service.test_serve_process import Served, served

pytestmark = pytest.mark.browser

__all__ = ["browser", "served"]  # fixtures shared with the report and process tests

ROOT = Path(__file__).resolve().parents[3]
PHONE = {"width": 390, "height": 844}


def _run_from_sources(page: Any, served: Served, source: str) -> None:
    """Run ``source`` now and wait, on the run's self-refreshing page, for it to complete."""
    page.goto(served.url("/sources"))
    card = page.locator("li.card", has_text=source)
    card.get_by_role("button", name="Run now").click()
    page.wait_for_url(re.compile(r"/runs/\d+$"))
    page.wait_for_selector('#run[data-status="complete"]', timeout=60_000)


def test_an_editor_marks_a_false_positive_and_the_next_run_honours_it(
    browser: Any, served: Served, site: Site, tmp_path: Path
) -> None:
    gone = site.set("/gone", 404)
    moved = site.set("/moved", 410)
    lost = site.set("/lost", 404)
    served.sources.joinpath("article.md").write_text(
        f"# Article\n\nSee [the survey]({gone}), [the minutes]({moved}) and [the data]({lost}).\n\n"
        f"[Still here]({site.set('/ok')})\n",
        encoding="utf-8",
    )
    served.start()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen: dict[str, list[str]] = {"console": [], "errors": [], "requests": [], "dialogs": []}
    page.on(
        "console", lambda message: seen["console"].append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("request", lambda request: seen["requests"].append(request.url))

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(served.url("/"))
        page.fill("#token", served.token)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("text=Overview")

        page.goto(served.url("/sources"))
        page.fill("#name", "Articles <script>alert(1)</script>")
        page.fill("#paths", "*.md")
        page.get_by_role("button", name="Add the source").click()
        page.wait_for_selector("text=Source “Articles <script>alert(1)</script>” added")

        _run_from_sources(page, served, "Articles")
        assert page.locator(".summary").inner_text().split() == ["Dead", "3", "Live", "1"]
        assert page.locator("section", has_text="Needing attention").locator("li.card").count() == 3

        page.goto(served.url("/flags?state=open"))
        card = page.locator("li.card", has_text="/gone")
        card.get_by_role("link", name=re.compile(r"Flag \d+")).click()
        page.get_by_label("False positive").check()
        page.get_by_role("button", name="Save").click()
        assert page.locator(".flash-error").inner_text() == (
            "a false positive needs a note saying why the link is fine"
        )
        page.get_by_label("False positive").check()
        page.fill("#note", "The survey answers readers; it refuses only robots.")
        page.get_by_role("button", name="Save").click()
        assert "later runs report this link as live" in page.locator(".flash-ok").inner_text().lower()

        # The other two, at once: confirmed with a note.
        page.goto(served.url("/flags?state=open"))
        for card in page.locator("li.card").all():
            card.locator('input[name="ids"]').check()
        assert page.locator("#picked").inner_text() == "(2 chosen)"
        page.select_option('#bulk select[name="state"]', "confirmed")
        page.fill('#bulk input[name="note"]', "Gone for good; to replace")
        page.get_by_role("button", name="Apply").click()
        assert page.locator(".flash-ok").inner_text() == "2 flags marked confirmed."

        _run_from_sources(page, served, "Articles")
        decided = page.locator("section", has_text="Decided by editors")
        assert decided.locator("li.card").count() == 1
        honoured = decided.locator("li.card").inner_text()
        assert "Live" in honoured and "by override" in honoured and "Dead" in honoured and gone in honoured
        assert page.locator(".summary").inner_text().split() == ["Dead", "2", "Live", "2"]

        page.goto(served.url("/urls?url=" + gone))
        assert page.locator(".card .badge-dead").count() == 2  # each run's own finding, newest first

        # A phone: the flags page is one column of cards, nothing wider than the screen.
        page.set_viewport_size(PHONE)
        page.goto(served.url("/flags"))
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, Math.max(...Array.from("
            " document.querySelectorAll('li.card'), card => card.getBoundingClientRect().right))]"
        )
        assert widths[0] <= PHONE["width"] and widths[1] <= PHONE["width"]
        boxes = [card.bounding_box() for card in page.locator("li.card").all()]
        assert len(boxes) == 3 and len({round(box["x"]) for box in boxes}) == 1  # stacked, not side by side
        assert page.get_by_text("<script>alert(1)</script>", exact=False).count() >= 1
        # README's picture is refreshed only on request (UPDATE_SCREENSHOTS=1), so that running
        # the tests never changes a tracked file.
        wanted = os.environ.get("UPDATE_SCREENSHOTS") == "1"
        shot = ROOT / "docs" / "flags.png" if wanted else tmp_path / "flags.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000

        # The form sent without its note answers 422, which Chromium logs; nothing else may be logged.
        logged = [text for text in seen["console"] if "status of 422" not in text]
        assert logged == [] and seen["errors"] == [] and seen["dialogs"] == []
        assert all(url.startswith(served.url("/")) for url in seen["requests"])
    finally:
        context.close()
