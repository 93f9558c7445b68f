"""The terminal's progress bar says what a slow stretch waits on, with an estimate."""

from __future__ import annotations

import io

from rich.console import Console

from verifier.report.terminal import TerminalProgress


def test_the_bar_names_the_wait_and_its_estimate() -> None:
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=160)
    progress = TerminalProgress(console)
    progress.phase("reading")
    progress.started(300)
    progress.waiting("Wayback lookups", 212, 212 * 60 / 30)
    console.print(progress._progress.make_tasks_table(progress._progress.tasks))
    shown = output.getvalue()
    assert "checking links" in shown
    assert "Wayback lookups: 212 left, about 7 min" in shown
    progress.waiting("Wayback lookups", 0, None)
    output.truncate(0)
    console.print(progress._progress.make_tasks_table(progress._progress.tasks))
    assert "Wayback lookups" not in output.getvalue()
    assert set(progress.phase_seconds) == {"reading documents"}
