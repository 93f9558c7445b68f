"""One service run: read the source's documents, check them with the library API, keep the report.

A run is a task on the queue. It is idempotent: it claims its run row, and a run interrupted by
a dying process is claimed again on restart; results stored before are reused rather than
checked again, since the check store keeps every result as it arrives.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from verifier.config import Settings
from verifier.model import Document, InputProblem, LinkResult
from verifier.report.overrides import apply_overrides
from verifier.service.db import ServiceDB
from verifier.service.desk import Desk, overrides_only
from verifier.service.git import GitError, git_documents, sync_checkout
from verifier.service.notify import NotifySettings, audit_mark, notify_run
from verifier.service.paths import ServicePaths
from verifier.service.sources import fetch_page, path_documents, source_settings
from verifier.store.records import HistoryRow

_log = logging.getLogger("verifier.service")


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """What every part of the service shares: where its files are, its tables, its settings."""

    paths: ServicePaths
    db: ServiceDB
    settings: Settings
    source_root: Path | None = None
    #: Where digests of newly dead links go after a run (none: nowhere).
    notify: NotifySettings | None = None
    #: Seconds a finished run is kept (none: for ever).
    keep_runs: float | None = None


class RunProgress:
    """Keeps the run row's progress current (at most a few writes a second) and notices a cancel."""

    INTERVAL = 0.25

    def __init__(self, db: ServiceDB, run_id: int, task: asyncio.Task[object] | None) -> None:
        self._db = db
        self._run_id = run_id
        self._task = task
        self.checked = 0
        self.total = 0
        self.waiting_on: str | None = None
        self._written = 0.0
        self._later: asyncio.TimerHandle | None = None

    def _write_later(self) -> None:
        self._later = None
        self._write(force=True)

    def started(self, total: int) -> None:
        self.total = total
        self._write(force=True)

    def advanced(self, result: LinkResult) -> None:
        self.checked += 1
        self._write()

    def phase(self, name: str) -> None:
        return None

    def waiting(self, on: str, remaining: int, eta_s: float | None) -> None:
        self.waiting_on = f"{on}: {remaining} left" if remaining else None
        self._write()

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < self.INTERVAL and self.checked < self.total:
            # Written a moment later instead, so a burst of answers followed by a long wait
            # still shows every answer of the burst.
            if self._later is None:
                self._later = asyncio.get_running_loop().call_later(self.INTERVAL, self._write_later)
            return
        if self._later is not None:
            self._later.cancel()
            self._later = None
        self._written = now
        self._db.progress(self._run_id, self.checked, self.total, self.waiting_on)
        run = self._db.run(self._run_id)
        if run is not None and run.status == "interrupted" and self._task is not None:
            self._task.cancel()  # cancelled through the API


def upload_folder(paths: ServicePaths, source_id: int) -> Path:
    return paths.uploads / str(source_id)


async def read_source(
    context: ServiceContext, source_id: int, spec: dict[str, object], settings: Settings
) -> tuple[list[Document], list[InputProblem]]:
    """The source's documents: its files (or its repository's), its page, and its uploads."""
    from verifier.api import extract_paths

    documents: list[Document] = []
    problems: list[InputProblem] = []
    files: list[str] = []
    if "paths" in spec and context.source_root is not None:
        patterns = spec["paths"]
        assert isinstance(patterns, list)
        files, found = path_documents([str(p) for p in patterns], context.source_root)
        problems += found
    git = spec.get("git")
    if isinstance(git, dict):
        try:
            checkout = await sync_checkout(context.paths, source_id, git, settings)
        except GitError as error:
            problems.append(InputProblem(str(git["url"]), None, str(error)))
        else:
            found_files, found = git_documents([str(p) for p in git["paths"]], checkout)
            files += found_files
            problems += found
    uploads = upload_folder(context.paths, source_id)
    if uploads.is_dir():
        files += sorted(str(path) for path in uploads.iterdir() if path.is_file())
    if files:
        read, found = extract_paths(files)
        documents += read
        problems += found
    url = spec.get("url")
    if isinstance(url, dict):
        document, found = await fetch_page(url, settings)
        problems += found
        if document is not None:
            documents.append(document)
    return documents, problems


async def execute_run(context: ServiceContext, run_id: int) -> None:
    """Carry out one run to its end: complete, failed (no report could be made) or interrupted."""
    from verifier.api import build_report, check_documents
    from verifier.report.gate import decide
    from verifier.store.sqlite import SQLiteStore

    db = context.db
    before = db.run(run_id)
    if before is None or not db.start_run(run_id):
        return  # deleted, cancelled or finished meanwhile: nothing to do
    source = db.source(before.source_id)
    if source is None:
        db.finish_run(run_id, "failed", error="the source was deleted")
        return
    settings = source_settings(context.settings, source.spec)
    # A forced run checks everything again, unless it is resuming after a restart: then what it
    # had already stored is kept, never checked twice.
    resumed = before.status == "running"
    if before.force and not resumed:
        settings = dataclasses.replace(settings, use_cache=False)
    progress = RunProgress(db, run_id, asyncio.current_task())
    try:
        documents, problems = await read_source(context, source.id, dict(source.spec), settings)
        if not documents:
            detail = "; ".join(str(problem) for problem in problems[:3]) or "nothing to read"
            db.finish_run(run_id, "failed", error=f"no documents to check: {detail}")
            return
        with SQLiteStore(context.paths.store) as store:
            checked = await check_documents(
                documents, settings, store=store, progress=progress, problems=problems
            )
        report = build_report(documents, checked)
        desk = Desk(db)
        apply_overrides(report, overrides_only(desk.overrides()))
        mark = audit_mark(db)
        context.paths.reports.mkdir(parents=True, exist_ok=True)
        target = context.paths.report(run_id)
        partial = target.with_suffix(".json.tmp")
        partial.write_bytes(orjson.dumps(report))
        partial.replace(target)
        desk.record_run(source.id, run_id, report)
        gate = decide(report, settings.fail_on, fail_only_new=settings.fail_only_new)
        db.finish_run(
            run_id,
            "complete",
            summary=report["summary"],
            network_down=checked.network_down,
            exit_code=int(gate.code),
        )
        if context.notify is not None and context.notify.enabled:
            await notify_run(
                context.notify,
                context.settings,
                db,
                {"id": source.id, "name": source.name},
                run_id,
                report,
                since=mark,
            )
    except asyncio.CancelledError:
        run = db.run(run_id)
        if run is not None and run.status == "interrupted":
            return  # cancelled through the API: the row says so already
        raise
    except Exception as error:
        _log.exception("run %s failed", run_id)
        db.finish_run(run_id, "failed", error=f"{type(error).__name__}: {error}")


def read_history(store: Path, url: str) -> HistoryRow | None:
    """What the check store remembers of ``url`` across runs (first seen, last live, failures)."""
    from verifier.store.sqlite import SQLiteStore

    with SQLiteStore(store, verify=False) as opened:
        return opened.histories([url]).get(url)
