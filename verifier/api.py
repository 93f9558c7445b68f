"""verifier as a library: read documents, check their links, build the report.

The command line, the service and its workers all go through these functions, so a check
run has one owner::

    import verifier

    run = verifier.check_paths(["docs/"])
    report = verifier.build_report(run.documents, run)
    dead = [url for url, result in run.results.items() if result.outcome == "dead"]

``check_paths`` is synchronous and handles Ctrl-C and SIGTERM itself: an interrupted run comes
back with ``status`` interrupted and every result it had. ``check_documents`` is its async twin
for documents already read, and ``check_urls`` checks a given set of URLs (a service's batch of
due URLs). Every result is written to the store as it arrives.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import FrameType

from verifier import collector
from verifier._exceptions import NoDocumentsError
from verifier.check.plan import Target, plan_urls
from verifier.check.runner import Progress, Runner
from verifier.config import Settings, validate_settings
from verifier.extract.cache import read_inputs
from verifier.extract.discover import OwnFiles
from verifier.model import CheckRun, Document, InputProblem
from verifier.report.build import build_report
from verifier.store.base import ExtractionCache, ResultStore

__all__ = [
    "Progress",
    "build_report",
    "check_documents",
    "check_paths",
    "check_urls",
    "extract_paths",
]

ProblemHandler = Callable[[InputProblem], None]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _store_for(
    settings: Settings, store: ResultStore | None, on_problem: ProblemHandler | None = None
) -> Iterator[ResultStore]:
    """The store to use: the caller's (left open), else the SQLite file at ``cache_path``.

    That file is only a cache of results: a damaged one is set aside, with a warning naming
    both paths, and the run starts cold instead of failing.
    """
    if store is not None:
        yield store
        return
    if settings.store_url:
        from verifier.store import open_store

        with open_store(settings.store_url) as named:
            yield named
        return
    from verifier.store.sqlite import SQLiteStore, StoreDamaged, move_damaged

    path = settings.cache_path
    try:
        opened = SQLiteStore(path)
    except StoreDamaged as error:
        moved = move_damaged(path, _utcnow())
        warning = InputProblem(
            str(path), None, f"{error}; moved to {moved}, this run starts without stored results", "warning"
        )
        if on_problem is not None:
            on_problem(warning)
        opened = SQLiteStore(path)
    with opened:
        yield opened


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the run the way Ctrl-C does, so what was checked is kept and reported."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def extract_paths(
    paths: Iterable[str],
    *,
    store: ResultStore | None = None,
    on_problem: ProblemHandler | None = None,
) -> tuple[list[Document], list[InputProblem]]:
    """The documents that files, directories (recursive), globs or ``-`` (stdin) hold.

    Problems (unreadable, binary, malformed input) are returned, never raised, each naming
    its file and line. With a ``store`` that keeps extractions, unchanged files are not read
    again.
    """
    documents: list[Document] = []
    problems: list[InputProblem] = []
    cache = store.extractions if store is not None else None
    read_inputs(paths, documents, problems, cache=cache, on_problem=on_problem)
    return documents, problems


def check_paths(
    paths: Iterable[str],
    settings: Settings | None = None,
    *,
    store: ResultStore | None = None,
    progress: Progress | None = None,
    on_problem: ProblemHandler | None = None,
) -> CheckRun:
    """Read the documents ``paths`` name and check every link in them.

    ``store`` None opens the SQLite store at ``settings.cache_path``. Raises
    :class:`NoDocumentsError` when nothing could be read and the run was not interrupted.
    """
    settings = settings or Settings()
    validate_settings(settings)
    documents: list[Document] = []
    problems: list[InputProblem] = []

    def store_problem(problem: InputProblem) -> None:
        problems.append(problem)
        if on_problem is not None:
            on_problem(problem)

    with _terminate_as_interrupt(), _store_for(settings, store, store_problem) as opened:
        interrupted = False
        if progress is not None:
            progress.phase("reading")
        began = time.monotonic()
        try:
            own = OwnFiles.of(settings.output_dir, settings.cache_path)
            read_inputs(
                paths, documents, problems, cache=_cache(settings, opened), on_problem=on_problem, own=own
            )
        except KeyboardInterrupt:
            interrupted = True
        if not documents and not interrupted:
            raise NoDocumentsError("no documents to check")
        read = time.monotonic()
        runner = Runner(settings, opened, progress=progress)
        try:
            with collector.paused():
                runner.prepare(documents)
            if not interrupted and runner.pending:
                from verifier.check.loop import run as run_event_loop

                with collector.new_objects_only():
                    interrupted = run_event_loop(_check_pending(runner))
        except KeyboardInterrupt:
            interrupted = True
        with collector.paused():
            run = runner.finish(interrupted=interrupted, documents=documents, problems=problems)
        phases = {"reading": read - began, "checking": time.monotonic() - read}
        return dataclasses.replace(run, phases=phases)


def _cache(settings: Settings, store: ResultStore) -> ExtractionCache | None:
    return store.extractions if settings.use_cache else _WriteOnly(store)


class _WriteOnly:
    """With the cache off documents are read afresh, and what was read is still kept."""

    def __init__(self, store: ResultStore) -> None:
        self._store = store

    def get(self, path: str, key: str) -> None:
        return None

    def put(self, path: str, key: str, document: Document | None, problems: Iterable[InputProblem]) -> None:
        if self._store.extractions is not None:
            self._store.extractions.put(path, key, document, problems)


async def _check_pending(runner: Runner) -> bool:
    """Check what the stored results did not settle; True when interrupted (SIGINT, SIGTERM)."""
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


async def check_documents(
    documents: Sequence[Document],
    settings: Settings | None = None,
    *,
    store: ResultStore | None = None,
    progress: Progress | None = None,
    problems: Sequence[InputProblem] = (),
) -> CheckRun:
    """Check every link of documents already read, on the running event loop.

    Cancelling it marks the run interrupted in the store (every result so far is kept there)
    and cancels as usual.
    """
    settings = settings or Settings()
    validate_settings(settings)
    with _store_for(settings, store) as opened:
        runner = Runner(settings, opened, progress=progress)
        runner.prepare(documents)
        await runner.check_pending()
        return runner.finish(interrupted=False, documents=documents, problems=problems)


async def check_urls(
    targets: Iterable[str | Target],
    settings: Settings,
    store: ResultStore,
    *,
    progress: Progress | None = None,
) -> CheckRun:
    """Check the given URLs (a :class:`Target` also carries the date its citation gives).

    The run's results are keyed by URL; it has no documents, so a report is built by whoever
    knows where the URLs are cited.
    """
    validate_settings(settings)
    runner = Runner(settings, store, progress=progress)
    runner.prepare_plan(plan_urls(targets, settings, runner.clock()))
    await runner.check_pending()
    return runner.finish(interrupted=False)
