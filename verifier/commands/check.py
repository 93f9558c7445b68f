"""``verifier check PATH...``: check every link of some documents and write the reports.

Every flag is a configuration key (``--max-concurrency`` is ``max-concurrency`` in
``verifier.toml``); flags left out fall back to the config file, then to the defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from verifier._exceptions import ConfigError
from verifier._types import JSONObject
from verifier.config import Settings, load_settings, validate_settings
from verifier.model import InputProblem

HELP = "check every link in documents, live or through the Wayback Machine, and write reports"

_BOOL = argparse.BooleanOptionalAction


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, directories (recursive) or globs")
    parser.add_argument(
        "--overrides",
        type=Path,
        metavar="FILE",
        help="editors' overrides to honour (TOML, as `verifier overrides export` writes it)",
    )
    add_setting_arguments(parser)


def add_setting_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config`` and every setting's flag: the service and its workers take them too."""
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="a verifier.toml or pyproject.toml to read"
    )

    out = parser.add_argument_group("reports")
    out.add_argument("--output-dir", type=Path, metavar="DIR", help="where reports go (default: reports)")
    out.add_argument(
        "--format",
        "--formats",
        dest="formats",
        metavar="LIST",
        help="json,html,md,junit,sarif,csv (default: json)",
    )
    out.add_argument(
        "--fail-on", metavar="LIST", help="outcomes that fail the run, or 'never' (default: dead)"
    )
    out.add_argument(
        "--fail-only-new",
        action=_BOOL,
        default=None,
        help="fail only on links whose outcome is new since the previous run",
    )
    out.add_argument(
        "--progress", action=_BOOL, default=None, help="show a progress bar (default: on a terminal)"
    )

    what = parser.add_argument_group("what to check")
    what.add_argument(
        "--include", action="append", metavar="RE", help="check only URLs matching (repeatable)"
    )
    what.add_argument("--exclude", action="append", metavar="RE", help="skip URLs matching (repeatable)")
    what.add_argument("--accept", metavar="CODES", help="extra status codes counted live, e.g. 200..299,304")

    probe = parser.add_argument_group("the probe")
    probe.add_argument("--user-agent", metavar="TEXT")
    probe.add_argument("--header", dest="headers", action="append", metavar="NAME:VALUE", help="repeatable")
    probe.add_argument("--connect-timeout", type=float, metavar="S")
    probe.add_argument("--timeout", type=float, metavar="S", help="total seconds for one request")
    probe.add_argument("--max-redirects", type=int, metavar="N")
    probe.add_argument("--max-body-bytes", type=int, metavar="N")
    probe.add_argument("--insecure", action=_BOOL, default=None, help="accept any TLS certificate")
    probe.add_argument("--soft404-probe", action=_BOOL, default=None, help="probe hosts for soft-404 pages")
    probe.add_argument("--ca-bundle", metavar="PEM", help="extra trusted certificate authorities")
    probe.add_argument(
        "--network-canaries", metavar="NAMES", help="host names that resolve whenever our network works"
    )
    probe.add_argument(
        "--resolve",
        action="append",
        metavar="HOST:PORT=ADDR:PORT",
        help="connect to ADDR:PORT for HOST:PORT, as curl does (repeatable)",
    )

    polite = parser.add_argument_group("politeness and retries")
    polite.add_argument("--max-concurrency", type=int, metavar="N")
    polite.add_argument("--host-concurrency", type=int, metavar="N")
    polite.add_argument("--host-interval", type=float, metavar="S")
    polite.add_argument(
        "--workers", type=int, metavar="N", help="processes for big runs' checks (default: one per 2 CPUs)"
    )
    polite.add_argument("--retries", type=int, metavar="N")
    polite.add_argument("--retry-backoff", type=float, metavar="S")
    polite.add_argument("--retry-after-cap", type=float, metavar="S")
    polite.add_argument(
        "--url-budget", type=float, metavar="S", help="seconds one URL may take in all, retries included"
    )

    store = parser.add_argument_group("the store")
    store.add_argument("--cache-path", type=Path, metavar="P", help="default: .verifier/cache.sqlite")
    store.add_argument(
        "--store",
        dest="store_url",
        metavar="URL",
        help="keep results in postgresql://user@host/db instead of the cache file ($VERIFIER_STORE)",
    )
    store.add_argument(
        "--cache", dest="use_cache", action=_BOOL, default=None, help="reuse recent results (default: on)"
    )
    store.add_argument("--ttl", action="append", metavar="OUTCOME=S", help="seconds a result is reused")
    store.add_argument(
        "--dead-after", type=int, metavar="N", help="failed runs in a row before a 5xx or timeout is dead"
    )
    store.add_argument(
        "--dead-after-interval",
        type=float,
        metavar="S",
        help="seconds between two failures for both to count (default: 72000, 20 hours)",
    )

    wayback = parser.add_argument_group("the Wayback Machine")
    wayback.add_argument("--archive", action=_BOOL, default=None, help="look up snapshots (default: on)")
    wayback.add_argument("--archive-all", action=_BOOL, default=None, help="look up live links too")
    wayback.add_argument("--archive-rate", type=float, metavar="PER_MINUTE")
    wayback.add_argument("--archive-concurrency", type=int, metavar="N")
    wayback.add_argument(
        "--egress-id",
        metavar="NAME",
        help="service workers behind one public address give the same NAME and share one archive rate"
        " and quiet (default: default; `verifier check` keeps its own)",
    )
    wayback.add_argument("--archive-timeout", type=float, metavar="S")
    wayback.add_argument("--archive-verify", action=_BOOL, default=None, help="GET each chosen snapshot")
    wayback.add_argument(
        "--save-live", action=_BOOL, default=None, help="ask Save Page Now for unarchived links"
    )
    wayback.add_argument("--save-rate", type=float, metavar="PER_MINUTE")
    wayback.add_argument("--archive-found-ttl", type=float, metavar="S")
    wayback.add_argument("--archive-none-ttl", type=float, metavar="S")
    wayback.add_argument("--cdx-endpoint", metavar="URL")
    wayback.add_argument("--availability-endpoint", metavar="URL")
    wayback.add_argument("--save-endpoint", metavar="URL")
    wayback.add_argument("--snapshot-host", metavar="URL")


_NOT_SETTINGS = frozenset(
    {"paths", "config", "command", "run", "headers", "ttl", "verbose", "quiet", "debug", "overrides"}
)


def _pairs(items: list[str], separator: str, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, found, value = item.partition(separator)
        if not found or not name.strip():
            raise ConfigError(f"{option}: expected NAME{separator}VALUE, got {item!r}")
        pairs[name.strip()] = value.strip()
    return pairs


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """The settings named on the command line (None for every flag left out)."""
    values = {name: value for name, value in vars(args).items() if name not in _NOT_SETTINGS}
    if args.headers:
        values["headers"] = _pairs(args.headers, ":", "--header")
    if args.ttl:
        values["ttl"] = _pairs(args.ttl, "=", "--ttl")
    return values


def _fail_on_names(settings: Settings) -> tuple[str, ...]:
    return tuple(outcome.value for outcome in settings.fail_on) or ("never",)


def _print_problem(problem: InputProblem) -> None:
    where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
    label = "" if problem.severity == "error" else f"{problem.severity}: "
    print(f"{where}: {label}{problem.message}", file=sys.stderr)


def _check_output_dir(folder: Path) -> None:
    """Refuse an output folder that cannot be written before checking, not after it."""
    for existing in (folder, *folder.parents):
        if existing.exists():
            if not existing.is_dir():
                raise ConfigError(f"--output-dir {folder}: {existing} is a file, not a folder; name another")
            if not os.access(existing, os.W_OK | os.X_OK):
                raise ConfigError(f"--output-dir {folder}: {existing} is not writable; name another")
            return


def run(args: argparse.Namespace) -> int:
    settings = load_settings(overrides_from(args), config_path=args.config)
    validate_settings(settings)
    _check_output_dir(settings.output_dir)
    overrides = []
    if getattr(args, "overrides", None) is not None:
        from verifier.report.overrides import read_overrides_file

        overrides = read_overrides_file(args.overrides)
    from verifier import api, collector
    from verifier.report.build import build_report
    from verifier.report.terminal import TerminalProgress, progress_wanted

    quiet = bool(getattr(args, "quiet", False))
    progress = TerminalProgress() if progress_wanted(settings.progress) and not quiet else None
    with progress or contextlib.nullcontext():
        checked = api.check_paths(args.paths, settings, progress=progress, on_problem=_print_problem)
    with collector.paused():
        report = build_report(checked.documents, checked, lazy=True)
        if overrides:
            from verifier.report.overrides import apply_overrides

            apply_overrides(report, overrides)
        return _write_outputs(report, settings, quiet=quiet)


def _write_outputs(report: JSONObject, settings: Settings, *, quiet: bool = False) -> int:
    from verifier.report.gate import decide
    from verifier.report.json import write_json_report

    written = [write_json_report(report, settings.output_dir)]
    fail_on = _fail_on_names(settings)
    others = [name for name in settings.formats if name.strip().lower() != "json"]
    if others:
        from verifier.report.render import render_formats

        written += render_formats(report, others, settings.output_dir, fail_on=fail_on)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from verifier.report.github import annotations

        for line in annotations(report, fail_on):
            print(line)
    if quiet:
        pass  # the reports and the exit code say it all
    elif sys.stdout.isatty():
        from rich.console import Console

        from verifier.report.terminal import print_summary

        console = Console(highlight=False, soft_wrap=True)
        print_summary(report, console, written)
    else:
        from verifier.report.terminal import write_plain_summary

        write_plain_summary(report, sys.stdout, written)
    gate = decide(report, settings.fail_on, fail_only_new=settings.fail_only_new)
    if gate.message is not None:
        print(f"verifier: {gate.message}", file=sys.stderr)
    return int(gate.code)
