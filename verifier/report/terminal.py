"""What a person at a terminal sees: a progress bar while checking, then a short summary.

The summary is rendered from the report model alone, like every other output. The progress
bar only appears on an interactive terminal outside CI (``progress`` in the settings forces
it on or off), so logs and pipes stay clean.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from verifier.model import LinkResult, Outcome
from verifier.report.rows import display_url, drift_of

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

#: Outcomes the summary lists links of, worst first.
FINDING_OUTCOMES: tuple[str, ...] = ("dead", "archived", "restricted", "unknown")
OUTCOME_TITLES = {
    "dead": "Dead links",
    "archived": "Archived links (dead, with a snapshot)",
    "restricted": "Restricted links",
    "unknown": "Links without a verdict",
}
#: How many findings the summary lists; a document with thousands of footnotes would otherwise
#: print hundreds of kilobytes, which the reports hold better.
FINDINGS_LIMIT = 20
#: Changes since the last run listed before the rest are left to the reports.
CHANGES_LIMIT = 10
#: Places listed per finding.
PLACES_LIMIT = 2

# A punycode label of a host name (RFC 3492's ACE prefix).
_PUNYCODE_LABEL = re.compile(r"(?i)(?<![^.])xn--[a-z0-9-]+")


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


_PHASES = {"reading": "reading documents", "checking": "checking links"}


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


class TerminalProgress:
    """A rich progress bar on stderr that counts links as their results arrive."""

    def __init__(self, console: Console | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress: Progress = Progress(
            TextColumn("{task.fields[phase]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[dead]} dead"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[waiting]}"),
            console=console or Console(stderr=True),
            transient=True,
        )
        self._task: TaskID | None = None
        self._dead = 0
        self._phase = "reading documents"
        self._phase_started = time.monotonic()
        #: Seconds each finished phase took, for the summary.
        self.phase_seconds: dict[str, float] = {}

    def __enter__(self) -> TerminalProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()

    def started(self, total: int) -> None:
        self.phase("checking links")
        self._task = self._progress.add_task("links", total=total, dead=0, phase=self._phase, waiting="")

    def phase(self, name: str) -> None:
        now = time.monotonic()
        self.phase_seconds[self._phase] = self.phase_seconds.get(self._phase, 0.0) + now - self._phase_started
        self._phase, self._phase_started = _PHASES.get(name, name), now
        if self._task is not None:
            self._progress.update(self._task, phase=self._phase)

    def waiting(self, on: str, remaining: int, eta_s: float | None) -> None:
        """Say what the run is paced by, so a slow stretch does not look like a hang."""
        if self._task is None:
            return
        text = ""
        if remaining:
            text = f"{on}: {remaining} left"
            if eta_s is not None and eta_s >= 1:
                text += f", about {_duration(eta_s)}"
        self._progress.update(self._task, waiting=text)

    def advanced(self, result: LinkResult) -> None:
        if self._task is None:
            return
        if result.outcome is Outcome.DEAD:
            self._dead += 1
        self._progress.update(self._task, advance=1, dead=self._dead)


def _printable(text: str) -> str:
    """Document text as the terminal should show it: control characters escaped, never obeyed."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else f"\\x{ord(char):02x}" for char in text)


def _host_label(match: re.Match[str]) -> str:
    import idna  # only for a punycode host: most summaries show none

    try:
        return idna.decode(match.group(0))
    except (idna.IDNAError, UnicodeError):
        return match.group(0)


def iri(url: str) -> str:
    """A URL as people write it: a punycode host in its own script, non-ASCII escapes decoded.

    https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9 is shown as https://例え.jp/パス; escapes that would
    change what the address says (%2F, invisible or direction-changing characters) stay escaped.
    """
    shown = display_url(url)
    try:
        netloc = urlsplit(shown).netloc
    except ValueError:
        return _printable(shown)
    if "xn--" in netloc.lower():
        userinfo, at, host = netloc.rpartition("@")
        decoded = userinfo + at + _PUNYCODE_LABEL.sub(_host_label, host)
        shown = shown.replace(netloc, decoded, 1)
    return _printable(shown)


def _where(occurrence: Mapping[str, Any]) -> str:
    where = f"{occurrence['path']}:{occurrence['line']}"
    if occurrence.get("footnote"):
        where += f" [{occurrence['footnote']}]"
    return _printable(where)


def _places(occurrences: Sequence[Mapping[str, Any]]) -> str:
    shown = ", ".join(_where(occurrence) for occurrence in occurrences[:PLACES_LIMIT])
    rest = len(occurrences) - PLACES_LIMIT
    return shown + (f" and {rest:,} more place{'s' if rest != 1 else ''}" if rest > 0 else "")


#: One piece of summary text and its rich style ("" for none).
Span = tuple[str, str]


def _findings(report: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    found: dict[str, list[Mapping[str, Any]]] = {outcome: [] for outcome in FINDING_OUTCOMES}
    for link in report.get("links", []):
        if link["outcome"] in found:
            found[link["outcome"]].append(link)
    return found


def summary_lines(report: Mapping[str, Any], reports: Sequence[str | Path] = ()) -> list[list[Span]]:
    """What follows the outcome table: the worst findings (dead first) with where each is cited,
    then what changed since the last run, each cut short with a count of what the reports add."""
    lines: list[list[Span]] = []
    room = FINDINGS_LIMIT
    left: dict[str, int] = {}
    for outcome, links in _findings(report).items():
        if not links:
            continue
        listed = links[:room]
        if listed:
            title = f"{OUTCOME_TITLES[outcome]} ({len(links):,})"
            lines += [[("", "")], [(title, OUTCOME_STYLES.get(outcome, "bold") + " bold")]]
            for link in listed:
                lines.append(
                    [(f"  {iri(link['url'])}", OUTCOME_STYLES.get(outcome, "")), (f" — {link['reason']}", "")]
                )
                if link.get("occurrences"):
                    lines.append([(f"    cited at {_places(link['occurrences'])}", "dim")])
            room -= len(listed)
        if len(links) > len(listed):
            left[outcome] = len(links) - len(listed)
    if left:
        more = sum(left.values())
        detail = ", ".join(f"{count:,} {outcome}" for outcome, count in left.items())
        lines.append([(f"  … and {more:,} more ({detail}) in the reports", "")])
    drifted = sum(1 for link in report.get("links", []) if drift_of(link) is not None)
    if drifted:
        what = "live link shows" if drifted == 1 else "live links show"
        lines += [
            [("", "")],
            [
                (f"Content drift: {drifted:,} {what} another title than cited", "yellow bold"),
                (" (a warning, never a failure; the reports list them)", ""),
            ],
        ]
    changes = report.get("changes") or []
    if changes:
        lines += [[("", "")], [(f"Changed since the last run ({len(changes):,})", "bold")]]
        for change in changes[:CHANGES_LIMIT]:
            lines.append(
                [
                    ("  ", ""),
                    (f"{change['change']:<15}", OUTCOME_STYLES.get(change["after"], "")),
                    (f" {change['before']} → {change['after']}  {iri(change['url'])}", ""),
                ]
            )
        if len(changes) > CHANGES_LIMIT:
            lines.append([(f"  … and {len(changes) - CHANGES_LIMIT:,} more in the reports", "")])
    run = report.get("run") or {}
    if run.get("unchecked"):
        lines += [[("", "")], [(f"{run['unchecked']:,} not checked (interrupted)", "bold yellow")]]
    phases: Mapping[str, float] = run.get("phases") or {}
    if phases:
        took = ", ".join(f"{name} {_duration(seconds)}" for name, seconds in phases.items())
        lines += [[("", "")], [(f"Took {_duration(sum(phases.values()))}: {took}", "dim")]]
    if reports:
        lines += [[("", "")], [("Reports: ", "bold"), (", ".join(str(path) for path in reports), "")]]
    return lines


def summary_table(report: Mapping[str, Any]) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Links by outcome", title_justify="left")
    table.add_column("outcome")
    table.add_column("links", justify="right")
    summary: Mapping[str, int] = report["summary"]
    for outcome, count in summary.items():
        table.add_row(Text(outcome, style=OUTCOME_STYLES.get(outcome, "")), f"{count:,}")
    table.add_row(Text("total", style="bold"), f"{sum(summary.values()):,}")
    return table


def print_summary(report: Mapping[str, Any], console: Console, reports: Sequence[str | Path] = ()) -> None:
    """The outcome counts, the worst findings with where they are cited, what changed since the
    last run, and where the reports are: a screenful, however long the documents."""
    from rich.text import Text

    console.print(summary_table(report))
    for spans in summary_lines(report, reports):
        line = Text()
        for text, style in spans:
            line.append(text, style=style)
        console.print(line)


def write_plain_summary(
    report: Mapping[str, Any], stream: IO[str], reports: Sequence[str | Path] = ()
) -> None:
    """The same summary as plain text, for logs and pipes: no colour to strip, no rich to load."""
    summary: Mapping[str, int] = report["summary"]
    rows = [*summary.items(), ("total", sum(summary.values()))]
    width = max(len(name) for name, _ in rows)
    digits = max(len(f"{count:,}") for _, count in rows)
    out = ["Links by outcome"]
    out += [f"  {name:<{width}}  {count:>{digits},}" for name, count in rows]
    out += ["".join(text for text, _ in spans) for spans in summary_lines(report, reports)]
    stream.write("\n".join(out) + "\n")
