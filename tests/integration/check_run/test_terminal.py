"""The terminal: progress only where a person watches, and a summary rendered from the report."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.integration.check_run.conftest import Site, Workspace
from verifier.report.terminal import print_summary, progress_wanted, write_plain_summary


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("setting", "tty", "environ", "wanted"),
    [
        (None, True, {}, True),
        (None, False, {}, False),
        (None, True, {"CI": "true"}, False),
        (None, True, {"CI": "false"}, True),
        (True, False, {"CI": "1"}, True),
        (False, True, {}, False),
    ],
)
def test_progress_only_on_an_interactive_terminal_outside_ci(
    setting: bool | None, tty: bool, environ: dict[str, str], wanted: bool
) -> None:
    stream = Terminal() if tty else io.StringIO()
    assert progress_wanted(setting, stream, environ) is wanted


def test_forced_progress_bar_runs_through_a_check(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write("a.md", f"# Doc\n\n[a]({site.set('/ok/a')}) [b]({site.set('/gone', 404)})\n")
    assert workspace.check("--progress", "--no-archive") == 1
    assert "Dead links (1)" in capsys.readouterr().out


def test_summary_shows_counts_dead_links_and_changes() -> None:
    report = {
        "summary": {"live": 3, "archived": 1, "dead": 1, "restricted": 0, "unknown": 0, "skipped": 2},
        "links": [
            {
                "url": "http://gone.test/a",
                "outcome": "dead",
                "reason": "answered 404 Not Found",
                "occurrences": [
                    {"path": "docs/a.md", "line": 4, "footnote": "2"},
                    {"path": "docs/b.md", "line": 9},
                ],
            },
            {"url": "http://ok.test/", "outcome": "live", "reason": "answered 200 OK", "occurrences": []},
        ],
        "changes": [{"url": "http://gone.test/a", "before": "live", "after": "dead", "change": "died"}],
    }
    out = io.StringIO()
    print_summary(report, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "total" in text and "7" in text
    assert "Dead links (1)" in text
    assert "docs/a.md:4 [2], docs/b.md:9" in text
    assert "Changed since the last run (1)" in text
    assert "live → dead" in text and "http://ok.test/" not in text


def test_plain_summary_for_logs_says_the_same_without_styles() -> None:
    report = {
        "summary": {"live": 12, "archived": 0, "dead": 1, "restricted": 0, "unknown": 0, "skipped": 0},
        "links": [
            {
                "url": "http://gone.test/a",
                "outcome": "dead",
                "reason": "answered 404 Not Found",
                "occurrences": [{"path": "docs/a.md", "line": 4, "footnote": "2"}],
            }
        ],
        "changes": [{"url": "http://gone.test/a", "before": "live", "after": "dead", "change": "died"}],
    }
    out = io.StringIO()
    write_plain_summary(report, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Links by outcome"
    assert "  live        12" in lines and "  total       13" in lines
    assert "  http://gone.test/a — answered 404 Not Found" in lines
    assert "    cited at docs/a.md:4 [2]" in lines
    assert "  died            live → dead  http://gone.test/a" in lines
    assert "\x1b[" not in out.getvalue()
