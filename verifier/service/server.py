"""Running the service: the web app, the queue's consumer and the scheduler in one process.

The consumers keep the main thread, which stops them on SIGINT and SIGTERM: the batches being
checked are handed back to the queue and runs are left to be resumed; the web app serves from a
thread beside them.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from huey import Huey
from huey.consumer import Consumer

from verifier.config import Settings
from verifier.service.batch import LEASE_SECONDS, release_dead_leases
from verifier.service.db import ServiceDB
from verifier.service.netguard import guarded
from verifier.service.notify import NotifySettings
from verifier.service.paths import ServicePaths
from verifier.service.queue import Running, make_queue, resume_interrupted
from verifier.service.retention import prune_runs
from verifier.service.runs import ServiceContext
from verifier.service.tokens import Role, create_token

_log = logging.getLogger("verifier.service")


def open_context(
    data_dir: Path,
    settings: Settings,
    source_root: Path | None,
    *,
    notify: NotifySettings | None = None,
    keep_runs: float | None = None,
    lease_seconds: float = LEASE_SECONDS,
) -> ServiceContext:
    """The service's context; its every connection is under the address guard (:mod:`.netguard`)."""
    paths = ServicePaths(data_dir).create()
    return ServiceContext(
        paths=paths,
        db=ServiceDB(paths.store),
        settings=guarded(settings),
        source_root=source_root,
        notify=notify,
        keep_runs=keep_runs,
        lease_seconds=lease_seconds,
    )


def take_back_dead_leases(context: ServiceContext) -> None:
    """Hosts held by this machine's dead processes are free again at once (see
    :func:`verifier.service.batch.release_dead_leases`)."""
    from verifier.store import open_store

    with open_store(context.store_url) as store:
        released = release_dead_leases(store)
    if released:
        print(f"verifier: took back {len(released)} host(s) held by a process that died", file=sys.stderr)


def first_admin(context: ServiceContext) -> str | None:
    """With no admin token yet, one is made and returned (to be shown once)."""
    if context.db.has_admin():
        return None
    return create_token(context.db, "admin", Role.ADMIN, actor="serve")


def default_threads(settings: Settings) -> int:
    """Batch threads for one process: enough hosts at once to fill the global cap."""
    return max(2, settings.max_concurrency // max(1, settings.host_concurrency))


#: Threads for run coordinators: each waits on one run's batches, so this many runs at once.
CONTROL_THREADS = 4


def _consume(context: ServiceContext, consumers: list[Consumer], running: Running) -> None:
    """Run the consumers until SIGINT or SIGTERM, then stop: coordinators leave their runs to
    be resumed, and the batches being checked are handed back to the queue."""
    for consumer in consumers:
        consumer.start()
    stop = threading.Event()

    def stop_on(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # After the consumers' own handlers: one stop for all of them.
    previous = {signum: signal.signal(signum, stop_on) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(10.0):
            for consumer in consumers:
                consumer.check_worker_health()
    finally:
        context.stopping.set()
        handed = running.cancel_all()
        if handed:
            _log.info("handing back %d batch(es)", handed)
        for consumer in consumers:
            consumer.stop(graceful=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _consumer(huey: Huey, *, periodic: bool, workers: int) -> Consumer:
    # An idle consumer polls at most a second apart: a run asked of a quiet service starts at once.
    consumer: Consumer = huey.create_consumer(
        workers=workers, periodic=periodic, worker_type="thread", max_delay=1.0
    )
    return consumer


def serve(
    context: ServiceContext, *, host: str, port: int, worker: bool = True, workers: int | None = None
) -> None:
    import uvicorn

    from verifier.service.app import create_app

    queue = make_queue(context)
    token = first_admin(context)
    if token is not None:
        print(f"verifier: created an admin token (shown once, keep it): {token}", file=sys.stderr)
    if context.keep_runs is not None:
        pruned = prune_runs(context, context.keep_runs)
        if pruned:
            print(f"verifier: removed {len(pruned)} run(s) older than --keep-runs", file=sys.stderr)
    take_back_dead_leases(context)
    resumed = resume_interrupted(context, queue)
    if resumed:
        print(f"verifier: resuming run(s) {', '.join(map(str, resumed))}", file=sys.stderr)
    app = create_app(context, queue)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    web = threading.Thread(target=server.run, name="verifier-web", daemon=True)
    web.start()
    print(f"verifier: serving on http://{host}:{port}", file=sys.stderr)
    consumers = [_consumer(queue.control, periodic=True, workers=CONTROL_THREADS)]
    if worker:
        threads = workers or default_threads(context.settings)
        consumers.append(_consumer(queue.checks, periodic=False, workers=threads))
    try:
        _consume(context, consumers, queue.running)
    finally:
        server.should_exit = True
        web.join(timeout=10)


def work(context: ServiceContext, *, workers: int | None = None) -> None:
    """A consumer of the check queue: host batches only (``serve`` runs the runs and the scheduler)."""
    queue = make_queue(context)
    take_back_dead_leases(context)
    threads = workers or default_threads(context.settings)
    print(f"verifier: worker taking host batches with {threads} thread(s)", file=sys.stderr)
    _consume(context, [_consumer(queue.checks, periodic=False, workers=threads)], queue.running)
