"""The job queues (huey): runs and the scheduler's tick on the service's own, host batches on
the check queue that every worker shares.

huey's tasks are synchronous; each worker thread keeps one event loop of its own for the tasks
it carries out, as the checker wants a long-lived loop. Only the consumer started with
``periodic=True`` (``verifier serve``) runs the scheduler, so a tick is never doubled.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from huey import Huey, SqliteHuey, crontab
from huey.api import Task

from verifier._exceptions import ConfigError
from verifier.service.db import Conflict
from verifier.service.retention import prune_runs
from verifier.service.runs import ServiceContext, execute_run

T = TypeVar("T")

_loops = threading.local()


def run_on_worker_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on this thread's long-lived event loop (uvloop where installed).

    A task run at once where it is sent (huey's immediate mode, in tests) may be sent from a
    coroutine already running on this thread: it then runs on a thread of its own, to the end.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        outcome: list[T] = []
        failure: list[BaseException] = []

        def apart() -> None:
            from verifier.service.runs import close_check_stores

            try:
                outcome.append(run_on_worker_loop(work))
            except BaseException as error:
                failure.append(error)
            finally:
                close_check_stores()
                _loops.runner.close()

        thread = threading.Thread(target=apart, name="verifier-immediate")
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
        return outcome[0]
    runner: asyncio.Runner | None = getattr(_loops, "runner", None)
    if runner is None:
        import sniffio

        sniffio.thread_local.name = "asyncio"
        try:
            import uvloop

            runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
        except ImportError:
            runner = asyncio.Runner()
        _loops.runner = runner
    return runner.run(work)


def parse_schedule(schedule: str) -> Callable[[dt.datetime], bool]:
    """A 5-field cron expression (UTC) as a test of a minute; ConfigError when it is not one."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ConfigError(f"schedule {schedule!r}: five fields (minute hour day month weekday)")
    minute, hour, day, month, weekday = fields
    try:
        test = crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday)
        test(dt.datetime(2026, 1, 1))
    except (ValueError, TypeError) as error:
        raise ConfigError(f"schedule {schedule!r}: {error}") from None
    validate: Callable[[dt.datetime], bool] = test
    return validate


class Running:
    """The batches this process is checking, so that stopping can hand them back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: set[tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = set()

    def add(self, task: asyncio.Task[Any]) -> tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]:
        entry = (task.get_loop(), task)
        with self._lock:
            self._tasks.add(entry)
        return entry

    def discard(self, entry: tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]) -> None:
        with self._lock:
            self._tasks.discard(entry)

    def cancel_all(self) -> int:
        with self._lock:
            entries = list(self._tasks)
        for loop, task in entries:
            loop.call_soon_threadsafe(task.cancel)
        return len(entries)


@dataclass
class Queue:
    """The service's two queues: its own (runs, the scheduler's tick, pruning), consumed by
    ``verifier serve`` alone since it needs the service's tables and files; and the check queue
    of host batches, consumed by every worker, wherever it runs."""

    control: Huey
    checks: Huey
    run_task: Callable[[int], Any]
    tick: Callable[[], Any]
    batch_task: Callable[[int, str, dict[str, Any], bool], Any]
    prune: Callable[[], Any] | None = None
    running: Running = field(default_factory=lambda: Running())

    def enqueue_run(self, run_id: int) -> None:
        self.run_task(run_id)

    def send_batch(self, run_id: int, host: str, spec: dict[str, Any], force: bool) -> None:
        self.batch_task(run_id, host, spec, force)

    def idle(self) -> bool:
        """No batch waits on the check queue (each one sent was taken, or lost)."""
        return bool(self.checks.pending_count() == 0)


def _checks_engine(context: ServiceContext, *, immediate: bool) -> Huey:
    """The check queue on what the settings name: Redis (``--queue redis://…``, its key prefix
    the URL's ``prefix`` parameter) for workers on many machines, else SQLite in the data folder."""
    url = context.settings.queue_url
    if url.startswith(("redis://", "rediss://", "unix://")):
        from urllib.parse import parse_qs, urlsplit

        from huey import RedisHuey
        from redis import ConnectionPool

        query = parse_qs(urlsplit(url).query)
        name = query.pop("prefix", ["verifier"])[0]
        base = url.split("?", 1)[0]
        pool = ConnectionPool.from_url(base, health_check_interval=10, retry_on_timeout=True)
        return RedisHuey(name=name, connection_pool=pool, immediate=immediate, results=False, utc=True)
    if url:
        raise ConfigError(f"--queue {url}: a redis:// URL (or nothing, for SQLite in the data folder)")
    return SqliteHuey(
        name="verifier-checks",
        filename=str(context.paths.queue),
        immediate=immediate,
        results=False,
        utc=True,
    )


def make_queue(context: ServiceContext, *, immediate: bool = False) -> Queue:
    """The queues with the service's tasks registered (the same names in every process)."""
    from verifier.service.batch import check_batch
    from verifier.service.runs import check_store, with_shared_limits
    from verifier.service.sources import source_settings
    from verifier.service.work import job_name

    control = SqliteHuey(
        name="verifier", filename=str(context.paths.queue), immediate=immediate, results=False, utc=True
    )
    checks = _checks_engine(context, immediate=immediate)
    running = Running()
    queue: Queue

    def run_source(run_id: int) -> None:
        run_on_worker_loop(execute_run(context, run_id, queue.send_batch, queue))

    run_task: Task = control.task(name="run_source", retries=0)(run_source)

    def check_host(run_id: int, host: str, spec: dict[str, Any], force: bool) -> None:
        """Check one host's due URLs of one run (see :mod:`verifier.service.batch`)."""
        if context.stopping.is_set():
            queue.send_batch(run_id, host, spec, force)  # taken while stopping: handed back
            return
        settings = source_settings(context.settings, {"settings": spec})
        if force:
            settings = dataclasses.replace(settings, use_cache=False)

        async def batch() -> None:
            task = asyncio.current_task()
            assert task is not None
            entry = running.add(task)
            try:
                # Inside the coroutine: the thread that runs it owns the store and the bucket.
                await check_batch(
                    check_store(context),
                    job_name(run_id),
                    host,
                    with_shared_limits(context, settings),
                    lease_seconds=context.lease_seconds,
                )
            except asyncio.CancelledError:
                if not context.stopping.is_set():
                    raise
                # Stopping: what was checked is stored; the rest goes back on the queue at once
                # rather than waiting for the lease to expire.
                queue.send_batch(run_id, host, spec, force)
            finally:
                running.discard(entry)

        run_on_worker_loop(batch())

    batch_task: Task = checks.task(name="check_host", retries=0)(check_host)

    def tick() -> None:
        """Queue a run of every source whose schedule names this minute and has no active run."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0, microsecond=0)
        for source in context.db.scheduled_sources():
            assert source.schedule is not None
            try:
                due = parse_schedule(source.schedule)(now)
            except ConfigError:
                continue
            if not due:
                continue
            try:
                run_id = context.db.create_run(source.id, force=False, actor="scheduler")
            except Conflict:
                continue  # a run is still going: this tick is skipped
            run_task(run_id)

    tick_task = control.periodic_task(crontab(minute="*"), name="tick")(tick)

    def prune() -> None:
        """Remove runs older than ``--keep-runs`` (``verifier serve`` also does as it starts)."""
        if context.keep_runs is not None:
            prune_runs(context, context.keep_runs)

    prune_task = control.periodic_task(crontab(minute="17", hour="3"), name="prune_runs")(prune)
    queue = Queue(control, checks, run_task, tick_task, batch_task, prune_task, running)
    return queue


def resume_interrupted(context: ServiceContext, queue: Queue) -> list[int]:
    """Runs a dead process left running go back on the queue under the same id."""
    resumed = []
    for run in context.db.runs_in("running"):
        queue.enqueue_run(run.id)
        resumed.append(run.id)
    return resumed
