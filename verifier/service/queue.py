"""The job queue: huey on its own SQLite file, the run task, and the scheduler's tick.

huey's tasks are synchronous; each worker thread keeps one event loop of its own for the runs
it carries out, as the checker wants a long-lived loop. Only the consumer started with
``periodic=True`` (``verifier serve``) runs the scheduler, so a tick is never doubled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
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
    """Run ``work`` on this thread's long-lived event loop (uvloop where installed)."""
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


@dataclass
class Queue:
    huey: Huey
    run_task: Callable[[int], Any]
    tick: Callable[[], Any]
    prune: Callable[[], Any] | None = None

    def enqueue_run(self, run_id: int) -> None:
        self.run_task(run_id)


def _engine(context: ServiceContext, *, immediate: bool) -> Huey:
    """huey on the queue the settings name: Redis (``--queue redis://…``, its key prefix the
    URL's ``prefix`` parameter) for workers on many machines, else SQLite in the data folder."""
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
        name="verifier", filename=str(context.paths.queue), immediate=immediate, results=False, utc=True
    )


def make_queue(context: ServiceContext, *, immediate: bool = False) -> Queue:
    """The queue with the service's tasks registered (the same names in every process)."""
    huey = _engine(context, immediate=immediate)

    def run_source(run_id: int) -> None:
        run_on_worker_loop(execute_run(context, run_id))

    run_task: Task = huey.task(name="run_source", retries=0)(run_source)

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

    tick_task = huey.periodic_task(crontab(minute="*"), name="tick")(tick)

    def prune() -> None:
        """Remove runs older than ``--keep-runs`` (``verifier serve`` also does as it starts)."""
        if context.keep_runs is not None:
            prune_runs(context, context.keep_runs)

    prune_task = huey.periodic_task(crontab(minute="17", hour="3"), name="prune_runs")(prune)
    return Queue(huey, run_task, tick_task, prune_task)


def resume_interrupted(context: ServiceContext, queue: Queue) -> list[int]:
    """Runs a dead process left running go back on the queue under the same id."""
    resumed = []
    for run in context.db.runs_in("running"):
        queue.enqueue_run(run.id)
        resumed.append(run.id)
    return resumed
