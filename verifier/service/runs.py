"""One service run: read the source's documents, have their due URLs checked, keep the report.

A run is a task on the service's own queue, carried out by its coordinator in ``verifier
serve``; the checking is done by host batches (:mod:`verifier.service.batch`) on the check
queue, which any worker takes. The run is idempotent: it claims its run row, and a run
interrupted by a dying process is claimed again on restart, where its work items in the store
say what is still due; nothing stored is checked twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from verifier.config import Settings
from verifier.model import CheckRun, Document, InputProblem, LinkResult, Outcome
from verifier.report.json import write_report_file
from verifier.report.overrides import apply_overrides
from verifier.service.batch import LEASE_SECONDS, CheckStore
from verifier.service.db import ServiceDB
from verifier.service.desk import Desk, overrides_only
from verifier.service.git import GitError, git_documents, sync_checkout
from verifier.service.notify import NotifySettings, audit_mark, notify_run
from verifier.service.paths import ServicePaths
from verifier.service.sources import fetch_page, path_documents, source_settings
from verifier.store.records import HistoryRow

if TYPE_CHECKING:
    from pyrate_limiter import Limiter

    from verifier.service.limits import StoreLimits

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
    #: How long a worker's lease on a host holds without renewal.
    lease_seconds: float = LEASE_SECONDS
    #: Set when the process is stopping: coordinators leave their runs to be resumed.
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def store_url(self) -> str:
        """The check store: ``--store`` when given, else the SQLite file in the data folder."""
        return self.settings.store_url or str(self.paths.store)


_stores = threading.local()
# A server database is shared by the process's threads (its pool is thread-safe): a connection
# per thread would exhaust the server's connections with a few workers of many threads.
_process_stores: dict[str, CheckStore] = {}
_process_limits: dict[str, Limiter] = {}
_process_lock = threading.Lock()


#: Connections a process's threads share to a server store: its many batch threads each wait
#: on the database now and then; a few more than the default, and still a few dozen for a
#: handful of workers against the server's usual limit of 100.
PROCESS_CONNECTIONS = 8


def _server_backed(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://", "redis://", "rediss://", "unix://"))


def check_store(context: ServiceContext) -> CheckStore:
    """The check store, opened once and kept: an SQLite file per thread (its connection belongs
    to the thread that made it), a server database per process."""
    from verifier.store import open_store

    url = context.store_url
    if _server_backed(url):
        with _process_lock:
            store = _process_stores.get(url)
            if store is None:
                store = _process_stores[url] = open_store(url, connections=PROCESS_CONNECTIONS)
            return store
    opened: dict[str, CheckStore] = getattr(_stores, "opened", None) or {}
    _stores.opened = opened
    store = opened.get(url)
    if store is None:
        store = opened[url] = open_store(url)
    return store


def _archive_limiter(context: ServiceContext, settings: Settings) -> Limiter:
    """The archive's shared bucket: per process on Redis or PostgreSQL, per thread on SQLite."""
    from verifier.service.limits import archive_limiter

    if _server_backed(settings.queue_url) or _server_backed(context.store_url):
        with _process_lock:
            limiter = _process_limits.get(settings.egress_id)
            if limiter is None:
                limiter = _process_limits[settings.egress_id] = archive_limiter(settings, context.paths.root)
            return limiter
    return archive_limiter(settings, context.paths.root)


def with_shared_limits(context: ServiceContext, settings: Settings) -> Settings:
    """``settings`` with the politeness every worker shares (host cool-downs, the archive's
    quiet and rate) through this thread's store and archive bucket."""
    from verifier.service.limits import StoreLimits

    # Kept per thread with the thread's store, and per store and egress: a thread may serve
    # more than one service (tests) or egress.
    kept: dict[tuple[str, str], StoreLimits] = getattr(_stores, "limits", None) or {}
    _stores.limits = kept
    key = (context.store_url, settings.egress_id)
    limits = kept.get(key)
    if limits is None:
        limits = StoreLimits(check_store(context), settings.egress_id, _archive_limiter(context, settings))
        kept[key] = limits
    return dataclasses.replace(settings, shared_limits=limits)


def close_check_stores() -> None:
    """Close this thread's connections to the check store (a thread that is about to end)."""
    kept: dict[tuple[str, str], StoreLimits] = getattr(_stores, "limits", None) or {}
    _stores.limits = {}
    for limits in kept.values():
        # A process-wide bucket stays open for the process's other threads.
        if limits.limiter not in _process_limits.values():
            limits.close()
    opened: dict[str, CheckStore] = getattr(_stores, "opened", None) or {}
    _stores.opened = {}
    for store in opened.values():
        store.close()


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


class SendBatch(Protocol):
    def __call__(self, run_id: int, host: str, spec: dict[str, Any], force: bool) -> None: ...


class QueueState(Protocol):
    def idle(self) -> bool:
        """True when no task waits on the queue (every one sent was taken or lost)."""
        ...


#: How often a coordinator looks at its run's work.
POLL_SECONDS = 0.5
#: Polls in a row a host must look lost (queue empty, no lease) before its batch is sent again.
LOST_AFTER_POLLS = 3
#: Long enough for every result a run stored to count as fresh when its report is built.
_REPORT_TTL = 10 * 365 * 86400.0


class _Stopping(Exception):
    """The process is stopping: the run stays ``running`` and is resumed at the next start."""


async def execute_run(context: ServiceContext, run_id: int, send: SendBatch, queue: QueueState) -> None:
    """Carry out one run to its end: complete, failed (no report could be made) or interrupted.

    The coordinator reads the documents, writes the due URLs to the store as work items, sends
    one batch per host to the queue, and waits for the store to say every item is done, sending
    again any batch that was lost. Then it builds the report from the stored results.
    """
    from verifier.check.plan import plan
    from verifier.service.work import job_name, plan_work

    db = context.db
    before = db.run(run_id)
    if before is None or not db.start_run(run_id):
        return  # deleted, cancelled or finished meanwhile: nothing to do
    source = db.source(before.source_id)
    if source is None:
        db.finish_run(run_id, "failed", error="the source was deleted")
        return
    settings = with_shared_limits(context, source_settings(context.settings, source.spec))
    spec_settings = dict(source.spec.get("settings") or {})
    resumed = before.status == "running"
    job = job_name(run_id)
    try:
        documents, problems = await read_source(context, source.id, dict(source.spec), settings)
        if not documents:
            detail = "; ".join(str(problem) for problem in problems[:3]) or "nothing to read"
            db.finish_run(run_id, "failed", error=f"no documents to check: {detail}")
            return
        store = check_store(context)
        priors_file = context.paths.reports / f"run-{run_id}.priors.json"
        work = plan(documents, settings, dt.datetime.now(dt.UTC))
        if resumed and priors_file.exists():
            # Planned before the restart: the work items left say what is still due.
            priors = orjson.loads(priors_file.read_bytes())
        else:
            planned = plan_work(
                store, store, job, work, settings, dt.datetime.now(dt.UTC), force=before.force
            )
            priors = planned.priors
            context.paths.reports.mkdir(parents=True, exist_ok=True)
            priors_file.write_bytes(orjson.dumps(priors))
        total = len(work.targets) + len(work.skipped)
        await _await_batches(context, store, job, run_id, total, spec_settings, before.force, send, queue)
        report, checked = await _report(documents, problems, settings, store, priors)
        mark = audit_mark(db)
        _finish(context, source.id, run_id, report, checked, settings)
        store.drop_work(job)
        priors_file.unlink(missing_ok=True)
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
    except _Stopping:
        return
    except _Cancelled:
        check_store(context).drop_work(job)
        return
    except Exception as error:
        _log.exception("run %s failed", run_id)
        db.finish_run(run_id, "failed", error=f"{type(error).__name__}: {error}")
        with contextlib.suppress(Exception):  # the store may be what failed
            check_store(context).drop_work(job)


class _Cancelled(Exception):
    """Cancelled through the API: the run row says interrupted already."""


async def _await_batches(
    context: ServiceContext,
    store: CheckStore,
    job: str,
    run_id: int,
    total: int,
    spec_settings: dict[str, Any],
    force: bool,
    send: SendBatch,
    queue: QueueState,
) -> None:
    """Send every host's batch, then wait until the store has no undone item of the job."""
    for host in store.work_hosts(job):
        _try_to_send(send, run_id, host, spec_settings, force)
    lost_polls: dict[str, int] = {}
    written: tuple[int, int] | None = None
    while True:
        if context.stopping.is_set():
            raise _Stopping
        run = context.db.run(run_id)
        if run is None or run.status == "interrupted":
            raise _Cancelled
        hosts = store.work_hosts(job)
        left = sum(hosts.values())
        counts = (total - left, total)
        if counts != written:
            busy = f"{len(hosts)} host(s) left" if hosts else None
            context.db.progress(run_id, counts[0], counts[1], busy)
            written = counts
        if not hosts:
            return
        if _queue_idle(queue):
            leased = store.leased_hosts(hosts, time.time())
            for host in hosts:
                if host in leased:
                    lost_polls.pop(host, None)
                    continue
                # Nothing waits on the queue and nobody holds the host: its batch was lost
                # (a killed worker, a restarted Redis) or found the host busy; send it again.
                lost_polls[host] = lost_polls.get(host, 0) + 1
                if lost_polls[host] >= LOST_AFTER_POLLS:
                    lost_polls[host] = 0
                    _try_to_send(send, run_id, host, spec_settings, force)
        else:
            lost_polls.clear()
        await asyncio.sleep(POLL_SECONDS)


def _queue_idle(queue: QueueState) -> bool:
    """Whether the queue is idle; a queue that cannot be reached is not (batches it lost are
    sent again once it is back, as it then answers that it is idle)."""
    try:
        return queue.idle()
    except Exception as error:  # the queue's client has its own errors (redis, sqlite)
        _log.warning("the queue cannot be reached: %s", error)
        return False


def _try_to_send(send: SendBatch, run_id: int, host: str, spec: dict[str, Any], force: bool) -> None:
    try:
        send(run_id, host, spec, force)
    except Exception as error:
        # Not sent: the host's items stay undone, and the batch is sent again when the queue
        # is back and idle.
        _log.warning("could not send the batch of %s: %s", host, error)


async def _report(
    documents: list[Document],
    problems: list[InputProblem],
    settings: Settings,
    store: CheckStore,
    priors: dict[str, str | None],
) -> tuple[dict[str, Any], CheckRun]:
    """The run's report from the stored results (every one fresh now), each link told what
    it was before the run began, so that the report knows what is new."""
    from verifier.api import build_report, check_documents
    from verifier.check.live.classify import NETWORK_DOWN_REASON

    ttl = dict.fromkeys(Outcome, _REPORT_TTL)
    final = dataclasses.replace(settings, use_cache=True, ttl=ttl, workers=1)
    checked = await check_documents(documents, final, store=store, problems=problems)
    results: dict[str, LinkResult] = {}
    for url, result in checked.results.items():
        if url in priors and result.history is not None:
            prior = priors[url]
            previous = Outcome(prior) if prior is not None else None
            result = dataclasses.replace(
                result, history=dataclasses.replace(result.history, previous_outcome=previous)
            )
        results[url] = result
    offline = frozenset(
        url
        for url, result in results.items()
        if result.outcome is Outcome.UNKNOWN and result.reason.startswith(NETWORK_DOWN_REASON)
    )
    checked = dataclasses.replace(
        checked, results=results, offline=offline, network_down=checked.network_down or bool(offline)
    )
    return build_report(documents, checked, lazy=True), checked


def _finish(
    context: ServiceContext,
    source_id: int,
    run_id: int,
    report: dict[str, Any],
    checked: CheckRun,
    settings: Settings,
) -> None:
    from verifier.report.gate import decide

    db = context.db
    desk = Desk(db)
    apply_overrides(report, overrides_only(desk.overrides()))
    context.paths.reports.mkdir(parents=True, exist_ok=True)
    write_report_file(report, context.paths.report(run_id))
    desk.record_run(source_id, run_id, report)
    gate = decide(report, settings.fail_on, fail_only_new=settings.fail_only_new)
    db.finish_run(
        run_id,
        "complete",
        summary=report["summary"],
        network_down=checked.network_down,
        exit_code=int(gate.code),
    )


def next_check(context: ServiceContext, url: str) -> dt.datetime | None:
    """When ``url`` is next due: its newest real check plus its outcome's TTL (None: never
    checked). A run checks it again only from then on, unless forced."""
    now = dt.datetime.now(dt.UTC)
    newest = check_store(context).fresh_results([url], dict.fromkeys(Outcome, _REPORT_TTL), now).get(url)
    if newest is None:
        return None
    ttl = context.settings.ttl.get(newest.result.outcome, 0.0)
    return newest.result.checked_at + dt.timedelta(seconds=ttl)


def read_history(context: ServiceContext, url: str) -> HistoryRow | None:
    """What the check store remembers of ``url`` across runs (first seen, last live, failures)."""
    return check_store(context).histories([url]).get(url)
