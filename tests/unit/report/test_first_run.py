"""A first run says so in the Markdown summary too, instead of reporting that nothing changed."""

from __future__ import annotations

from typing import Any

from verifier.report.markdown import render


def test_markdown_says_first_run(sample_report: dict[str, Any]) -> None:
    sample_report["changes"] = []
    sample_report["run"]["id"] = 1
    text = render(sample_report, ("dead",))
    assert "This is the first run" in text
    assert "No link changed outcome" not in text


def test_markdown_says_nothing_changed_on_a_later_run(sample_report: dict[str, Any]) -> None:
    sample_report["changes"] = []
    text = render(sample_report, ("dead",))
    assert "No link changed outcome since the previous run." in text
    assert "first run" not in text
