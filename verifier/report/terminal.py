"""What a person at a terminal sees: a progress bar while checking, then a short summary.

The summary is rendered from the report model alone, like every other output. The progress
bar only appears on an interactive terminal outside CI (``progress`` in the settings forces
it on or off), so logs and pipes stay clean.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from verifier.model import LinkResult, Outcome

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table

OUTCOME_STYLES = {
    Outcome.LIVE.value: "green",
    Outcome.ARCHIVED.value: "cyan",
    Outcome.DEAD.value: "bold red",
    Outcome.RESTRICTED.value: "yellow",
    Outcome.UNKNOWN.value: "magenta",
    Outcome.SKIPPED.value: "dim",
}

#: How many dead links the summary lists before saying how many more there are.
DEAD_LIST_LIMIT = 50


def progress_wanted(
    setting: bool | None, stream: IO[str] | None = None, environ: Mapping[str, str] | None = None
) -> bool:
    """The setting when given; otherwise only on an interactive terminal and never in CI."""
    if setting is not None:
        return setting
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    target = sys.stderr if stream is None else stream
    return target.isatty()


class TerminalProgress:
    """A rich progress bar on stderr that counts links as their results arrive."""

    def __init__(self, console: Console | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress: Progress = Progress(
            TextColumn("checking links"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[dead]} dead"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=True,
        )
        self._task: TaskID | None = None
        self._dead = 0

    def __enter__(self) -> TerminalProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()

    def started(self, total: int) -> None:
        self._task = self._progress.add_task("links", total=total, dead=0)

    def advanced(self, result: LinkResult) -> None:
        if self._task is None:
            return
        if result.outcome is Outcome.DEAD:
            self._dead += 1
        self._progress.update(self._task, advance=1, dead=self._dead)


def _where(occurrence: Mapping[str, Any]) -> str:
    where = f"{occurrence['path']}:{occurrence['line']}"
    if occurrence.get("footnote"):
        where += f" [{occurrence['footnote']}]"
    return where


#: One piece of summary text and its rich style ("" for none).
Span = tuple[str, str]


def summary_lines(report: Mapping[str, Any]) -> list[list[Span]]:
    """The summary after the outcome table: dead links with where they are cited, then changes."""
    lines: list[list[Span]] = []
    dead = [link for link in report["links"] if link["outcome"] == Outcome.DEAD.value]
    if dead:
        lines += [[("", "")], [(f"Dead links ({len(dead)})", "bold red")]]
        for link in dead[:DEAD_LIST_LIMIT]:
            lines.append([(f"  {link['url']}", "red"), (f" — {link['reason']}", "")])
            places = ", ".join(_where(occurrence) for occurrence in link["occurrences"])
            lines.append([(f"    cited at {places}", "dim")])
        if len(dead) > DEAD_LIST_LIMIT:
            lines.append([(f"  … and {len(dead) - DEAD_LIST_LIMIT} more (see the report)", "")])
    changes = report.get("changes") or []
    if changes:
        lines += [[("", "")], [(f"Changed since the last run ({len(changes)})", "bold")]]
        for change in changes:
            lines.append(
                [
                    ("  ", ""),
                    (f"{change['change']:<15}", OUTCOME_STYLES.get(change["after"], "")),
                    (f" {change['before']} → {change['after']}  {change['url']}", ""),
                ]
            )
    return lines


def summary_table(report: Mapping[str, Any]) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Links by outcome", title_justify="left")
    table.add_column("outcome")
    table.add_column("links", justify="right")
    summary: Mapping[str, int] = report["summary"]
    for outcome, count in summary.items():
        table.add_row(Text(outcome, style=OUTCOME_STYLES.get(outcome, "")), str(count))
    table.add_row(Text("total", style="bold"), str(sum(summary.values())))
    return table


def print_summary(report: Mapping[str, Any], console: Console) -> None:
    """The outcome counts, every dead link with where it is cited, and what changed since last run."""
    from rich.text import Text

    console.print(summary_table(report))
    for spans in summary_lines(report):
        line = Text()
        for text, style in spans:
            line.append(text, style=style)
        console.print(line)


def write_plain_summary(report: Mapping[str, Any], stream: IO[str]) -> None:
    """The same summary as plain text, for logs and pipes: no colour to strip, no rich to load."""
    summary: Mapping[str, int] = report["summary"]
    rows = [*summary.items(), ("total", sum(summary.values()))]
    width = max(len(name) for name, _ in rows)
    digits = max(len(str(count)) for _, count in rows)
    out = ["Links by outcome"]
    out += [f"  {name:<{width}}  {count:>{digits}}" for name, count in rows]
    out += ["".join(text for text, _ in spans) for spans in summary_lines(report)]
    stream.write("\n".join(out) + "\n")
