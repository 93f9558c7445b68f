"""``verifier check PATH...``: check every link of some documents and write the reports.

Every flag is a configuration key (``--max-concurrency`` is ``max-concurrency`` in
``verifier.toml``); flags left out fall back to the config file, then to the defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.util
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from verifier import __version__, collector
from verifier._exceptions import ConfigError
from verifier._types import JSONObject
from verifier.check.runner import INTERRUPTED_REASON, Runner, compile_patterns, exit_code, plan
from verifier.config import Settings, load_settings
from verifier.extract import extract_bytes, extract_file
from verifier.extract.discover import InputFile, StandardInput, iter_input_files
from verifier.model import Document, InputProblem, LinkResult, Outcome
from verifier.report.build import build_report, iso_time
from verifier.report.json import write_json_report
from verifier.store import Store, StoreError

HELP = "check every link in documents, live or through the Wayback Machine, and write reports"

EXIT_INTERRUPTED = 130

_BOOL = argparse.BooleanOptionalAction


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, directories (recursive) or globs")
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
    polite.add_argument("--url-budget", type=float, metavar="S")

    store = parser.add_argument_group("the store")
    store.add_argument("--cache-path", type=Path, metavar="P", help="default: .verifier/cache.sqlite")
    store.add_argument(
        "--cache", dest="use_cache", action=_BOOL, default=None, help="reuse recent results (default: on)"
    )
    store.add_argument("--ttl", action="append", metavar="OUTCOME=S", help="seconds a result is reused")
    store.add_argument(
        "--dead-after", type=int, metavar="N", help="failed runs in a row before a 5xx or timeout is dead"
    )

    wayback = parser.add_argument_group("the Wayback Machine")
    wayback.add_argument("--archive", action=_BOOL, default=None, help="look up snapshots (default: on)")
    wayback.add_argument("--archive-all", action=_BOOL, default=None, help="look up live links too")
    wayback.add_argument("--archive-rate", type=float, metavar="PER_MINUTE")
    wayback.add_argument("--archive-concurrency", type=int, metavar="N")
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


_NOT_SETTINGS = frozenset({"paths", "config", "command", "run", "headers", "ttl"})


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


def _validate(settings: Settings) -> None:
    """Refuse settings that cannot work before any file is read or request is made."""
    compile_patterns(settings.include, "include")
    compile_patterns(settings.exclude, "exclude")
    if settings.resolve:
        from verifier.check.http.transport import parse_resolve

        parse_resolve(settings.resolve)
    for name in ("max_concurrency", "host_concurrency", "archive_concurrency", "max_redirects", "dead_after"):
        if getattr(settings, name) < (0 if name == "max_redirects" else 1):
            raise ConfigError(f"{name.replace('_', '-')}: must be at least 1, not {getattr(settings, name)}")
    for name in ("timeout", "connect_timeout", "archive_timeout"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"{name.replace('_', '-')}: must be more than 0 seconds")
    extra = [name for name in settings.formats if name.strip().lower() != "json"]
    if extra:
        from verifier.report.render import parse_formats

        parse_formats(list(settings.formats))


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Let SIGTERM stop the run the way Ctrl-C does, so a partial report still gets written."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _extractor_fingerprint() -> str:
    """Changes whenever the extractors could: the version and every extractor module's stamp."""
    import verifier.extract as package

    stamps = [__version__]
    files = sorted(Path(package.__file__).parent.glob("*.py"))
    # The public suffix list decides which hosts are flagged as cut: a newer one may know more.
    suffixes = importlib.util.find_spec("publicsuffixlist")
    if suffixes is not None and suffixes.origin is not None:
        files += Path(suffixes.origin).parent.glob("*.dat")
    for file in files:
        stat = file.stat()
        stamps.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(stamps).encode()).hexdigest()[:16]


def _extract_one(
    item: InputFile | StandardInput, store: Store, fingerprint: str, reuse: bool
) -> tuple[Document | None, list[InputProblem]]:
    """One file's document, from the store when its bytes and the extractors are unchanged."""
    if isinstance(item, StandardInput):
        return extract_bytes(sys.stdin.buffer.read(), item.display_path)
    try:
        data = item.fs_path.read_bytes()
    except OSError:
        return extract_file(item.fs_path, item.display_path)  # which reports the problem
    key = f"{fingerprint}:{item.fs_path.resolve()}:{hashlib.sha256(data).hexdigest()}"
    cached = None
    if reuse:
        with collector.paused():
            cached = store.cached_extraction(item.display_path, key)
    if cached is not None:
        return cached
    document, problems = extract_bytes(data, item.display_path, item.fs_path)
    store.record_extraction(item.display_path, key, document, problems)
    return document, problems


def _read_documents(
    paths: list[str], store: Store, use_cache: bool
) -> tuple[list[Document], list[InputProblem], bool]:
    documents: list[Document] = []
    problems: list[InputProblem] = []
    fingerprint = _extractor_fingerprint()
    try:
        for item in iter_input_files(paths):
            if isinstance(item, InputProblem):
                found: list[InputProblem] = [item]
                document = None
            else:
                document, found = _extract_one(item, store, fingerprint, use_cache)
            for problem in found:
                problems.append(problem)
                where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
                label = "" if problem.severity == "error" else f"{problem.severity}: "
                print(f"{where}: {label}{problem.message}", file=sys.stderr)
            if document is not None:
                documents.append(document)
    except KeyboardInterrupt:
        return documents, problems, True
    return documents, problems, False


async def _check_pending(runner: Runner) -> bool:
    """Check what the stored results did not settle; True when interrupted (SIGINT, SIGTERM, cancel)."""
    import asyncio

    loop = asyncio.get_running_loop()
    work = asyncio.ensure_future(runner.check_pending())
    installed: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, work.cancel)
            installed.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):
            continue
    try:
        await work
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        return True
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
    return False


def _run_json(runner: Runner, interrupted: bool, finished: dt.datetime) -> JSONObject:
    started = runner.started_at or finished
    return {
        "id": runner.run_id,
        "started": iso_time(started),
        "finished": iso_time(finished),
        "seconds": round((finished - started).total_seconds(), 3),
        "status": "interrupted" if interrupted else "complete",
        "network_down": runner.network_down,
        "reused": runner.reused,
        "requests": {"live": runner.live_requests, "archive": runner.archive_requests},
    }


def run(args: argparse.Namespace) -> int:
    settings = load_settings(overrides_from(args), config_path=args.config)
    _validate(settings)
    with _terminate_as_interrupt():
        return _run(settings, args.paths)


def _run(settings: Settings, paths: list[str]) -> int:
    try:
        store = Store(settings.cache_path)
    except StoreError as error:
        raise ConfigError(str(error)) from None
    with store:
        documents, problems, interrupted = _read_documents(paths, store, settings.use_cache)
        if not documents and not interrupted:
            print("verifier: no documents to check", file=sys.stderr)
            return 2
        results: dict[str, LinkResult] = {}
        runner: Runner | None = None
        if not interrupted:
            from verifier.report.terminal import TerminalProgress, progress_wanted

            progress = TerminalProgress() if progress_wanted(settings.progress) else None
            runner = Runner(settings, store, progress=progress)
            try:
                with progress or contextlib.nullcontext():
                    with collector.paused():
                        runner.prepare(documents)
                    if runner.pending:
                        from verifier.check.loop import run as run_event_loop

                        with collector.new_objects_only():
                            interrupted = run_event_loop(_check_pending(runner))
                    else:
                        runner.complete()
            except KeyboardInterrupt:
                interrupted = True
            # The event loop put SIGTERM back to its default on the way out.
            with contextlib.suppress(ValueError):
                if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                    signal.signal(signal.SIGTERM, _raise_interrupt)
            results = {**runner.results, **(runner.unchecked() if interrupted else {})}
        else:
            # Stopped while reading documents: every link found so far is reported unchecked.
            now = dt.datetime.now(dt.UTC)
            work = plan(documents, settings, now)
            unchecked = {
                url: LinkResult(url, Outcome.UNKNOWN, INTERRUPTED_REASON, now) for url in work.targets
            }
            results = {**work.skipped, **unchecked}
        with collector.paused():
            finished = dt.datetime.now(dt.UTC)
            report = build_report(
                documents,
                results,
                problems=problems,
                generated_at=finished,
                changes=runner.changes if runner else [],
                run=_run_json(runner, interrupted, finished) if runner else {"status": "interrupted"},
            )
            return _write_outputs(report, settings, runner, interrupted)


def _gating_results(runner: Runner, settings: Settings) -> dict[str, LinkResult]:
    """The results that may fail the run: with fail-only-new, those whose outcome changed since
    the previous run (a link never seen before is new too)."""
    if not settings.fail_only_new:
        return runner.results
    return {
        url: result
        for url, result in runner.results.items()
        if result.history is None or result.history.previous_outcome != result.outcome
    }


def _write_outputs(report: JSONObject, settings: Settings, runner: Runner | None, interrupted: bool) -> int:
    path = write_json_report(report, settings.output_dir)
    fail_on = _fail_on_names(settings)
    others = [name for name in settings.formats if name.strip().lower() != "json"]
    if others:
        from verifier.report.render import render_formats

        render_formats(report, others, settings.output_dir, fail_on=fail_on)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from verifier.report.github import annotations

        for line in annotations(report, fail_on):
            print(line)
    if sys.stdout.isatty():
        from rich.console import Console

        from verifier.report.terminal import print_summary

        console = Console(highlight=False, soft_wrap=True)
        print_summary(report, console)
        console.print(f"\nReport: {path}")
    else:
        from verifier.report.terminal import write_plain_summary

        write_plain_summary(report, sys.stdout)
        print(f"\nReport: {path}")
    if interrupted:
        print("verifier: interrupted; the report holds what was checked so far", file=sys.stderr)
        return EXIT_INTERRUPTED
    if runner is None:
        return 0
    code = exit_code(_gating_results(runner, settings), settings, runner.offline_urls)
    if code == 3:
        print("verifier: inconclusive: this machine could not reach the network", file=sys.stderr)
    return code
